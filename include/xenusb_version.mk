# SPDX-License-Identifier: GPL-2.0
#
# The one place the version of xen-pvusb is written.  The modules carry it
# (MODULE_VERSION, shown by modinfo), the Makefile reads it for make
# install and make deb (the package's version, dkms.conf's PACKAGE_VERSION
# and the /usr/src/xen-pvusb-<version> tree).
XENUSB_VERSION := 1.0.0

ccflags-y += -DXENUSB_VERSION='"$(XENUSB_VERSION)"'
