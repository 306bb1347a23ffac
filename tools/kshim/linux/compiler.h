/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/compiler.h>: what the ring code uses. */
#ifndef XENUSB_KSHIM_LINUX_COMPILER_H
#define XENUSB_KSHIM_LINUX_COMPILER_H
#ifndef READ_ONCE
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#endif
