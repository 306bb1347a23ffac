// SPDX-License-Identifier: GPL-2.0
/*
 * usbback protocol core: the conn ring.  The frontend pre-posts conn
 * requests; each plug or unplug consumes one.  The conn queue
 * (conn_queue.c) keeps what is still to be said when no request is free,
 * and replays every occupied port when a frontend (re)connects.  No Xen
 * or USB-core call: see struct usbback_ring_ops in core.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <asm/barrier.h>

#include "core.h"

/**
 * usbback_ring_conn_event() - a device appeared on or left a port
 * @r: the rings
 * @port: 1..nports
 * @speed: XENUSB_SPEED_* (NONE for an unplug)
 *
 * Any context the ring lock may be taken in.  The event is queued (only
 * a port's latest state matters) and ops->kick() has
 * usbback_ring_consume() send it.
 *
 * Return: 0, or -EINVAL for a bad port or speed (nothing queued).
 */
int usbback_ring_conn_event(struct usbback_ring *r, u8 port, u8 speed)
{
	unsigned long flags = r->ops->lock(r);
	int err;

	err = usbback_conn_set(&r->connq, port, speed);
	r->ops->unlock(r, flags);
	if (!err)
		r->ops->kick(r);
	return err;
}

/**
 * usbback_ring_conn_flush() - answer conn requests with the queued events
 * @r: the rings, attached
 *
 * Consumer context (usbback_ring_consume() calls it).  When events wait
 * and no conn request is posted, the ring is left asking for a
 * notification of the next request, whose event reaches ops->kick()
 * through the implementer's event handler.
 *
 * Return: 1 if the conn ring was touched, 0 if not, -EPROTO if its
 * producer index runs past the ring's size (the caller latches it with
 * usbback_ring_fatal()).
 */
int usbback_ring_conn_flush(struct usbback_ring *r)
{
	struct xenusb_conn_back_ring *ring = &r->conn;
	struct xenusb_conn_response *rsp;
	struct xenusb_conn_request req;
	unsigned long flags;
	bool overflow = false;
	bool did = false;
	RING_IDX rp;
	int notify = 0;
	u8 port, speed;

	flags = r->ops->lock(r);
	if (!ring->sring)
		goto out;
	rp = READ_ONCE(ring->sring->req_prod);
	virt_rmb(); /* requests up to rp are visible */
	if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
		overflow = true;
		goto out;
	}
	while (usbback_conn_pending(&r->connq)) {
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
		if (!usbback_conn_pop(&r->connq, &port, &speed))
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
	r->ops->unlock(r, flags);

	if (notify)
		r->ops->notify(r);
	if (overflow)
		return -EPROTO;
	return did;
}
