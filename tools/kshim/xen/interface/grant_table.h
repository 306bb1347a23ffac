/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for the kernel's xen/interface/grant_table.h: usbif.h
 * needs only the grant reference type.
 */
#ifndef XENUSB_KSHIM_GRANT_TABLE_H
#define XENUSB_KSHIM_GRANT_TABLE_H
#include <stdint.h>
typedef uint32_t grant_ref_t;
typedef uint16_t domid_t;
#endif
