// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: hotplug events for the conn ring.  The core (conn_ring.c,
 * conn_queue.c) queues them and puts them on the ring; this file logs
 * and traces them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "common.h"
#include "trace.h"

/**
 * usbback_conn_event() - a device appeared on or left a port
 * @c: controller
 * @port: 1..c->nports
 * @speed: XENUSB_SPEED_* (NONE for an unplug)
 *
 * Any context.  The core queues the event and kicks the ring work, which
 * sends it.
 */
void usbback_conn_event(struct usbback_ctrlr *c, u8 port, u8 speed)
{
	int err;

	err = usbback_ring_conn_event(&c->ring, port, speed);
	if (err) {
		dev_warn(&c->xdev->dev, "bad hotplug event port %u speed %u\n",
			 port, speed);
		return;
	}
	trace_usbback_hotplug(c->xdev->otherend_id, c->devid, port, speed);
}
