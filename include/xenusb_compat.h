/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One spelling for kernel APIs that changed between the kernels we build
 * for (Debian 12's 6.1 up to the newest trixie-backports kernel).  The
 * code uses the newest name; when the kernel's headers lack it, the
 * feature tests of include/xenusb_compat.mk leave XENUSB_HAVE_<FEATURE>
 * undefined and this header maps the name onto the older API.  Glue code
 * only: the protocol core does not include it.
 */
#ifndef XENUSB_COMPAT_H
#define XENUSB_COMPAT_H

#include <linux/timer.h>
#include <xen/xenbus.h>

#ifndef XENUSB_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer) del_timer_sync(timer)
#endif

#ifndef XENUSB_HAVE_TIMER_CONTAINER_OF
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

/*
 * In a TP_fast_assign(): copy the string given to __string(field, src).
 * Since 6.10 __assign_str() takes only the field.
 */
#ifdef XENUSB_HAVE_ASSIGN_STR_1ARG
#define xenusb_assign_str(field, src) __assign_str(field)
#else
#define xenusb_assign_str(field, src) __assign_str(field, src)
#endif

/**
 * xenusb_otherend_state() - the xenbus state of a device's other end
 * @xdev: our end
 *
 * Since 7.0 xenbus_read_driver_state() takes the device first.
 *
 * Return: the state read from xenstore, XenbusStateUnknown if unreadable.
 */
static inline enum xenbus_state
xenusb_otherend_state(const struct xenbus_device *xdev)
{
#ifdef XENUSB_HAVE_XENBUS_STATE_DEV
	return xenbus_read_driver_state(xdev, xdev->otherend);
#else
	return xenbus_read_driver_state(xdev->otherend);
#endif
}

#endif /* XENUSB_COMPAT_H */
