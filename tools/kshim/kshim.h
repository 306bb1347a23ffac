/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced include (-include) for user-space builds of the protocol core:
 * the memory barriers the kernel's xen/interface/io/ring.h uses.
 */
#ifndef XENUSB_KSHIM_H
#define XENUSB_KSHIM_H
/* full barrier: ring.h orders index publication against the peer's reads */
#define virt_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
/* read barrier: entries are read only after the producer index is seen */
#define virt_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
/* write barrier: entries are written before the producer index moves */
#define virt_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif
