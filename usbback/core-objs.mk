# SPDX-License-Identifier: GPL-2.0
# Pure protocol logic of usbback: no Xen or USB-core calls. The module,
# the KUnit suites and the user-space simulator all build these files.
usbback-core-y := addr_table.o conn_queue.o req_check.o xs_parse.o \
	urb_ring.o conn_ring.o feat.o
