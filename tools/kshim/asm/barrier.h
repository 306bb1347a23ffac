/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <asm/barrier.h>: the virt_*() barriers the ring
 * macros use are defined by kshim.h, included first.
 */
#ifndef XENUSB_KSHIM_ASM_BARRIER_H
#define XENUSB_KSHIM_ASM_BARRIER_H
#endif
