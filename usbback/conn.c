// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: hotplug events on the conn ring.  The frontend pre-posts conn
 * requests; each plug or unplug consumes one.  The core's conn queue
 * keeps what is still to be said when no request is free, and replays
 * every occupied port when a frontend (re)connects.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <xen/events.h>

#include "common.h"
#include "trace.h"

/**
 * usbback_conn_event() - a device appeared on or left a port
 * @c: controller
 * @port: 1..c->nports
 * @speed: XENUSB_SPEED_* (NONE for an unplug)
 *
 * Any context.  The event is queued and sent by the ring work.
 */
void usbback_conn_event(struct usbback_ctrlr *c, u8 port, u8 speed)
{
	unsigned long flags;
	int err;

	spin_lock_irqsave(&c->conn_lock, flags);
	err = usbback_conn_set(&c->conn, port, speed);
	spin_unlock_irqrestore(&c->conn_lock, flags);
	if (err) {
		dev_warn(&c->xdev->dev, "bad hotplug event port %u speed %u\n",
			 port, speed);
		return;
	}
	trace_usbback_hotplug(c->xdev->otherend_id, c->devid, port, speed);
	usbback_ring_kick(c);
}

/**
 * usbback_conn_flush() - answer conn requests with the queued events
 * @c: controller, connected; called from the ring work
 *
 * Return: whether the conn ring was touched.
 */
bool usbback_conn_flush(struct usbback_ctrlr *c)
{
	struct xenusb_conn_back_ring *ring = &c->conn_ring;
	struct xenusb_conn_response *rsp;
	struct xenusb_conn_request req;
	unsigned long flags;
	bool overflow = false;
	bool did = false;
	RING_IDX rp;
	int notify = 0;
	u8 port, speed;

	spin_lock_irqsave(&c->conn_lock, flags);
	if (!ring->sring)
		goto out;
	rp = READ_ONCE(ring->sring->req_prod);
	virt_rmb(); /* requests up to rp are visible */
	if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
		overflow = true;
		goto out;
	}
	for (;;) {
		if (!usbback_conn_pending(&c->conn))
			break;
		if (ring->req_cons == rp) {
			int more;

			/* Events wait: ask to be notified of new requests. */
			RING_FINAL_CHECK_FOR_REQUESTS(ring, more);
			if (!more)
				break;
			rp = READ_ONCE(ring->sring->req_prod);
			virt_rmb(); /* requests up to rp are visible */
			if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
				overflow = true;
				break;
			}
		}
		RING_COPY_REQUEST(ring, ring->req_cons, &req);
		ring->req_cons++;
		if (!usbback_conn_pop(&c->conn, &port, &speed))
			break;
		rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);
		rsp->id = req.id;
		rsp->portnum = port;
		rsp->speed = speed;
		ring->rsp_prod_pvt++;
		did = true;
	}
	if (did)
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
out:
	spin_unlock_irqrestore(&c->conn_lock, flags);

	if (overflow) {
		dev_err_ratelimited(&c->xdev->dev,
				    "dom%d: conn ring producer overflow\n",
				    c->xdev->otherend_id);
		usbback_fatal(c, "conn ring producer overflow");
	}
	if (notify)
		notify_remote_via_irq(c->irq);
	return did;
}
