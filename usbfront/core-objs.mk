# SPDX-License-Identifier: GPL-2.0
# Pure protocol logic of usbfront: no Xen or USB-core calls. The module,
# the KUnit suites and the user-space simulator all build these files.
usbfront-core-y := rh_port.o rsp_check.o id_table.o xfer_split.o \
	req_build.o rsp_ring.o feat.o
