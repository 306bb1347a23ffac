/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced include (-include) for user-space builds of the protocol core:
 * the memory barriers the kernel's xen/interface/io/ring.h uses.
 */
#ifndef XENUSB_KSHIM_H
#define XENUSB_KSHIM_H
#define virt_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virt_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virt_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif
