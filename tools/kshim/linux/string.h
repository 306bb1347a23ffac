/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/string.h>. */
#ifndef XENUSB_KSHIM_LINUX_STRING_H
#define XENUSB_KSHIM_LINUX_STRING_H
#include <string.h>
#endif
