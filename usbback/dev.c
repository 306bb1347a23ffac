// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the reference count of a host device we hold.  Every path that
 * uses a device takes a reference (the device list, the port it sits on,
 * each request routed to it) and the last one frees it, whatever order
 * the unplug, the controller's removal and the responses come in.  This
 * file calls nothing else of the module, so that every other file may
 * call it (see tests/callgraph.sh).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "common.h"

static void usbback_dev_release(struct kref *kref)
{
	struct usbback_dev *d = container_of(kref, struct usbback_dev, kref);

	usb_put_dev(d->udev);
	kfree(d);
}

/**
 * usbback_dev_get() - take a reference on a device
 * @d: device
 */
void usbback_dev_get(struct usbback_dev *d)
{
	kref_get(&d->kref);
}

/**
 * usbback_dev_put() - drop a reference on a device
 * @d: device; freed with the last reference.  Any context.
 */
void usbback_dev_put(struct usbback_dev *d)
{
	kref_put(&d->kref, usbback_dev_release);
}
