/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <asm/barrier.h>: the virt_* barriers ring.h
 * uses are defined by the forced include kshim.h.
 */
#ifndef XENUSB_KSHIM_ASM_BARRIER_H
#define XENUSB_KSHIM_ASM_BARRIER_H
#include "../kshim.h"
#endif
