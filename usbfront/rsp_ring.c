// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront ring processing: responses off the URB ring and events off
 * the conn ring, from a backend that is not trusted (XSA-396).
 *
 * Every entry is copied off the shared page once and only the copy is
 * looked at. The producer index may not run past what was published; a
 * response must name a published request in flight whose grants all end (a grant the
 * backend still holds leaves the request's memory to the backend: its
 * id stays in use and the URB is never given back until the grant can
 * be ended); its fields are brought into range by usbfront_rsp_check().
 * A conn event must name a port and speed this controller has; its
 * request slot is posted again under the frontend's own id (the slot
 * index), never the backend's echo. Any protocol error is latched once
 * and nothing more is read until the rings are attached again.
 */

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <linux/compiler.h>

#include "core.h"

/**
 * usbfront_ring_init() - set up the ring state of a controller once
 * @r: rings
 * @rh: root hub the conn events go to
 * @ops: the implementer's callbacks, all of them set
 * @ctx: their argument
 *
 * Ids stay valid across usbfront_ring_attach(): a request whose grants
 * the backend held at a teardown keeps its id until they end.
 */
void usbfront_ring_init(struct usbfront_ring *r, struct usbfront_rh *rh,
			const struct usbfront_ring_ops *ops, void *ctx)
{
	memset(r, 0, sizeof(*r));
	/* One page's worth until usbfront_ring_attach() says otherwise. */
	usbfront_ids_init(&r->ids, XENUSB_URB_RING_SIZE_ORDER(0));
	r->rh = rh;
	r->ops = ops;
	r->ctx = ctx;
}

/**
 * usbfront_ring_attach() - fresh shared rings for a new connection
 * @r: rings
 * @urb_page: the URB ring: 2^@order virtually contiguous 4 KiB pages
 * @conn_page: the conn ring's 4 KiB page
 * @order: ring-page-order of the URB ring (0: one page, the base
 *	protocol), at most XENUSB_MAX_RING_PAGE_ORDER
 *
 * Every conn ring slot is posted, each under its own index as id; the
 * backend sees them when it connects. Request ids 0..RING_SIZE-1 of the
 * new URB ring are handed out from now on.
 *
 * Return: 0, or -EINVAL for a bad @order (nothing is attached).
 */
int usbfront_ring_attach(struct usbfront_ring *r, void *urb_page,
			 void *conn_page, unsigned int order)
{
	struct xenusb_urb_sring *us = urb_page;
	struct xenusb_conn_sring *cs = conn_page;
	RING_IDX i;

	if (order > XENUSB_MAX_RING_PAGE_ORDER ||
	    usbfront_ids_resize(&r->ids, XENUSB_URB_RING_SIZE_ORDER(order)))
		return -EINVAL;
	SHARED_RING_INIT(us);
	FRONT_RING_INIT(&r->urb, us, XENUSB_PAGE_SIZE << order);
	SHARED_RING_INIT(cs);
	FRONT_RING_INIT(&r->conn, cs, XENUSB_PAGE_SIZE);
	for (i = 0; i < RING_SIZE(&r->conn); i++)
		RING_GET_REQUEST(&r->conn, i)->id = i;
	r->conn.req_prod_pvt = i;
	RING_PUSH_REQUESTS(&r->conn);
	r->pushed = 0;
	r->broken = false;
	r->error = NULL;
	return 0;
}

/**
 * usbfront_ring_error() - latch a protocol error of the backend
 * @r: rings
 * @what: what it did
 *
 * The first error calls ops->fatal; later ones are ignored.
 */
void usbfront_ring_error(struct usbfront_ring *r, const char *what)
{
	if (r->broken)
		return;
	r->broken = true;
	r->error = what;
	r->ops->fatal(r->ctx, what);
}

/* Mark request @id as held by the backend (its grants did not end). */
static void usbfront_ring_hold(struct usbfront_ring *r, u16 id)
{
	if (!r->held[id]) {
		r->held[id] = true;
		r->nheld++;
	}
}

/**
 * usbfront_ring_responses() - consume the URB ring's responses
 * @r: rings
 * @more: set when responses arrived after the final check
 *
 * For each response: id check, ops->end_grants, usbfront_rsp_check(),
 * the id is released, the answer to a port reset ends the reset on the
 * root hub (usbfront_rh_reset_answer()), then ops->complete (which may queue the next
 * request of a split transfer).
 *
 * Return: responses consumed, or -EPROTO after a protocol error.
 */
int usbfront_ring_responses(struct usbfront_ring *r, bool *more)
{
	struct xenusb_urb_front_ring *ring = &r->urb;
	struct xenusb_urb_response raw;
	struct usbfront_inflight inf;
	struct usbfront_rsp rsp;
	RING_IDX i, rp;
	int n = 0, again;

	*more = false;
	if (r->broken)
		return -EPROTO;
	rp = READ_ONCE(ring->sring->rsp_prod);
	/* More responses than requests published: producer overflow. */
	if (rp - ring->rsp_cons > r->pushed - ring->rsp_cons) {
		usbfront_ring_error(r, "urb ring response producer overflow");
		return -EPROTO;
	}
	virt_rmb();	/* responses up to rp are visible */

	for (i = ring->rsp_cons; i != rp; i++) {
		RING_COPY_RESPONSE(ring, i, &raw);
		ring->rsp_cons = i + 1;
		n++;
		if (!usbfront_id_in_use(&r->ids, raw.id) || r->held[raw.id] ||
		    !r->posted[raw.id]) {
			usbfront_ring_error(r, "response with an unknown or duplicate id");
			return -EPROTO;
		}
		if (!r->ops->end_grants(r->ctx, raw.id)) {
			/* The request can never be given back while mapped. */
			usbfront_ring_hold(r, raw.id);
			usbfront_ring_error(r,
					    "backend still holds a grant of an answered request");
			return -EPROTO;
		}
		inf = r->inf[raw.id];
		usbfront_rsp_check(&raw, &inf, &rsp);
		r->posted[raw.id] = false;
		usbfront_id_release(&r->ids, raw.id);
		if (inf.reset_port)
			usbfront_rh_reset_answer(r->rh, inf.reset_port,
						 !rsp.status);
		r->ops->complete(r->ctx, &inf, &raw, &rsp);
	}
	RING_FINAL_CHECK_FOR_RESPONSES(ring, again);
	*more = again;
	return n;
}

/**
 * usbfront_ring_conn() - apply the conn ring's events to the root hub
 * @r: rings
 * @more: set when events arrived after the final check
 *
 * An event naming a port or speed this controller cannot have is a
 * protocol error, as in xen-hcd: the backend had no business sending it.
 *
 * Return: events applied, or -EPROTO after a protocol error.
 */
int usbfront_ring_conn(struct usbfront_ring *r, bool *more)
{
	struct xenusb_conn_front_ring *ring = &r->conn;
	struct xenusb_conn_response ev;
	RING_IDX i, rp;
	int n = 0, again, notify;

	*more = false;
	if (r->broken)
		return -EPROTO;
	rp = READ_ONCE(ring->sring->rsp_prod);
	if (rp - ring->rsp_cons > ring->req_prod_pvt - ring->rsp_cons) {
		usbfront_ring_error(r, "conn ring response producer overflow");
		return -EPROTO;
	}
	virt_rmb();	/* events up to rp are visible */

	for (i = ring->rsp_cons; i != rp; i++) {
		RING_COPY_RESPONSE(ring, i, &ev);
		ring->rsp_cons = i + 1;
		if (usbfront_conn_check(&ev, r->rh->nports, r->rh->usb_ver)) {
			usbfront_ring_error(r, "invalid conn ring event");
			return -EPROTO;
		}
		usbfront_rh_connect(r->rh, ev.portnum, ev.speed);
		r->ops->conn(r->ctx, ev.portnum, ev.speed);
		/* Ids are ours: the slot index, not the backend's echo. */
		RING_GET_REQUEST(ring, ring->req_prod_pvt)->id =
			ring->req_prod_pvt % RING_SIZE(ring);
		ring->req_prod_pvt++;
		n++;
	}
	if (n) {
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(ring, notify);
		if (notify)
			r->ops->notify(r->ctx);
	}
	RING_FINAL_CHECK_FOR_RESPONSES(ring, again);
	*more = again;
	return n;
}

/**
 * usbfront_ring_release() - end a request at teardown
 * @r: rings
 * @id: a request in flight that will get no response
 *
 * Return: 0 when its grants ended and the id is free again; -EBUSY when
 * the backend still holds one (the request is marked held, retry
 * later); -EINVAL when @id is not in flight.
 */
int usbfront_ring_release(struct usbfront_ring *r, u16 id)
{
	if (!usbfront_id_in_use(&r->ids, id))
		return -EINVAL;
	if (!r->ops->end_grants(r->ctx, id)) {
		usbfront_ring_hold(r, id);
		return -EBUSY;
	}
	if (r->held[id]) {
		r->held[id] = false;
		r->nheld--;
	}
	r->posted[id] = false;
	usbfront_id_release(&r->ids, id);
	return 0;
}
