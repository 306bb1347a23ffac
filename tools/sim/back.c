// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's backend: a small model of usbback's ring logic around
 * the usbback protocol core. Requests are copied off the ring once and
 * judged by usbback_req_parse(), usbback_addr_route(),
 * usbback_req_check_ep() and usbback_ctrl_classify(); SET_ADDRESS goes to
 * the address table, hotplug through the conn queue onto a real conn
 * ring. Data pages are mapped through the simulated grant table for the
 * life of the transfer and unmapped before the response is pushed (the
 * real usbback grant-copies instead, which releases them even earlier).
 * The SBACK_EVIL_* modes are deliberately wrong backends for the
 * frontend's checks and the grant checker's self-test.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"

static void sback_fatal(struct sback *b, const char *fmt, ...)
{
	va_list ap;

	if (b->fatal)
		return;
	b->fatal = true;
	va_start(ap, fmt);
	vsnprintf(b->fatal_msg, sizeof(b->fatal_msg), fmt, ap);
	va_end(ap);
}

/**
 * sback_init() - a backend for a controller of @nports ports
 * @w: world
 * @nports: num-ports
 * @usb_ver: usb-ver
 */
void sback_init(struct sim *w, u8 nports, u8 usb_ver)
{
	struct sback *b = &w->back;
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->nports = nports;
	b->usb_ver = usb_ver;
	usbback_addr_init(&b->addr);
	usbback_conn_init(&b->connq, nports);
	for (i = 0; i <= XENUSB_MAX_PORTNR; i++)
		usbback_ep_view_reset(&b->port[i].view);
	for (i = 0; i < SBACK_SLOTS; i++) {
		b->x[i].bounce = malloc(XENUSB_MAX_XFER);
		b->x[i].descs = malloc(XENUSB_MAX_XFER);
	}
}

/**
 * sback_free() - release the backend's buffers and devices
 * @w: world
 */
void sback_free(struct sim *w)
{
	struct sback *b = &w->back;
	unsigned int i;

	for (i = 0; i < SBACK_SLOTS; i++) {
		free(b->x[i].bounce);
		free(b->x[i].descs);
	}
	for (i = 1; i <= XENUSB_MAX_PORTNR; i++) {
		vdev_destroy(b->port[i].dev);
		b->port[i].dev = NULL;
	}
}

/* Put one response on the ring (not yet pushed). */
static void sback_put(struct sim *w, u16 id, s32 status, u32 actual,
		      u16 start_frame, u32 error_count)
{
	struct sback *b = &w->back;
	struct xenusb_urb_response *rsp;

	if (!b->connected)
		return;
	if (b->evil == SBACK_EVIL_OVERSIZE && actual && !b->evil_done) {
		actual += 4096;
		b->evil_done++;
	}
	if (b->evil == SBACK_EVIL_BAD_ID && !b->evil_done) {
		id = SFRONT_NR_IDS + 7;
		b->evil_done++;
	}
	rsp = RING_GET_RESPONSE(&b->urb, b->urb.rsp_prod_pvt);
	rsp->id = id;
	rsp->start_frame = start_frame;
	rsp->status = status;
	rsp->actual_length = actual;
	rsp->error_count = error_count;
	b->urb.rsp_prod_pvt++;
	b->responses++;
	if (b->evil == SBACK_EVIL_DUP_RSP && !b->evil_done) {
		/* The same answer again, in the next slot. */
		rsp = RING_GET_RESPONSE(&b->urb, b->urb.rsp_prod_pvt);
		rsp->id = id;
		rsp->start_frame = start_frame;
		rsp->status = status;
		rsp->actual_length = actual;
		rsp->error_count = error_count;
		b->urb.rsp_prod_pvt++;
		b->evil_done++;
	}
}

/* Push what sback_put() queued and notify if the frontend wants it. */
static void sback_flush(struct sim *w)
{
	struct sback *b = &w->back;
	int notify;

	if (!b->connected)
		return;
	if (b->evil == SBACK_EVIL_RSP_PROD_OVERFLOW && !b->evil_done &&
	    b->urb.rsp_prod_pvt != b->urb.sring->rsp_prod) {
		/* Claim many more responses than there can be requests. */
		b->urb.sring->rsp_prod = b->urb.rsp_prod_pvt + 2 * SBACK_SLOTS;
		b->evil_done++;
		sim_evtchn_notify(&w->ev, SIM_SIDE_BACK);
		return;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b->urb, notify);
	if (notify)
		sim_evtchn_notify(&w->ev, SIM_SIDE_BACK);
}

/* Release every grant of a transfer, then answer it. */
static void sback_finish(struct sim *w, struct sback_xfer *x, s32 status,
			 u32 actual, u32 error_count)
{
	struct sback *b = &w->back;
	unsigned int i;

	for (i = 0; i < x->nmap; i++) {
		if (!x->map[i].mapped)
			continue;
		if (b->evil == SBACK_EVIL_RSP_BEFORE_UNMAP &&
		    b->nlazy < SBACK_LAZY_MAX) {
			/* The bug under test: unmap after the response. */
			b->lazy[b->nlazy++] = x->map[i];
			x->map[i].mapped = false;
			continue;
		}
		sim_gnt_unmap(&w->gt, &x->map[i]);
	}
	x->nmap = 0;
	sback_put(w, x->req.id, status, actual, x->r.start_frame, error_count);
	x->used = false;
}

/* Answer a request that never got a transfer slot's resources. */
static void sback_reject(struct sim *w, u16 id, s32 status)
{
	w->back.rejected++;
	w->back.last_reject = status;
	sback_put(w, id, status, 0, 0, 0);
}

static struct sback_xfer *sback_slot(struct sback *b)
{
	unsigned int i;

	for (i = 0; i < SBACK_SLOTS; i++)
		if (!b->x[i].used)
			return &b->x[i];
	return NULL;
}

static bool sback_id_busy(const struct sback *b, u16 id)
{
	unsigned int i;

	for (i = 0; i < SBACK_SLOTS; i++)
		if (b->x[i].used && b->x[i].req.id == id)
			return true;
	return false;
}

/* Map the data and descriptor segments; 0 or a wire status. */
static s32 sback_map(struct sim *w, struct sback_xfer *x)
{
	u8 nsegs = x->r.nr_data_segs + x->r.nr_desc_segs;
	unsigned int i;

	x->nmap = 0;
	for (i = 0; i < nsegs; i++) {
		/* Data of an IN transfer and iso descriptors get written. */
		bool rw = i >= x->r.nr_data_segs || x->r.pipe.in;

		if (sim_gnt_map(&w->gt, SIM_DOM_BACK, x->req.seg[i].gref, rw,
				&x->map[i]))
			return XENUSB_STATUS_INVAL;
		x->nmap++;
	}
	return 0;
}

/*
 * Copy bytes [@at, @at + @len) of the byte stream that the segments
 * [@first, @first + @nr) describe, to or from the same range of @base.
 */
static int sback_copy(struct sim *w, struct sback_xfer *x, unsigned int first,
		      unsigned int nr, u8 *base, u32 at, u32 len, bool to_guest)
{
	u32 pos = 0, end = at + len;
	unsigned int i;

	for (i = first; i < first + nr && pos < end; i++) {
		const struct xenusb_request_segment *seg = &x->req.seg[i];
		u32 from = at > pos ? at - pos : 0;
		u32 to = end - pos < seg->length ? end - pos : seg->length;
		int err;

		if (from < to) {
			if (to_guest)
				err = sim_gnt_write(&w->gt, &x->map[i],
						    seg->offset + from,
						    base + pos + from, to - from);
			else
				err = sim_gnt_read(&w->gt, &x->map[i],
						   seg->offset + from,
						   base + pos + from, to - from);
			if (err)
				return err;
		}
		pos += seg->length;
	}
	return 0;
}

static void sback_rebuild_view(struct sback *b, u8 port)
{
	vdev_ep_view(b->port[port].dev, &b->port[port].view);
}

/* The control requests usbback performs itself; true if answered. */
static bool sback_ctrl_special(struct sim *w, struct sback_xfer *x)
{
	struct sback *b = &w->back;
	struct vdev *d = b->port[x->port].dev;
	const u8 *s = x->r.setup;
	u16 value = s[2] | s[3] << 8, index = s[4] | s[5] << 8;
	int err;

	switch (usbback_ctrl_classify(s)) {
	case USBBACK_CTRL_SET_ADDRESS:
		if (value > XENUSB_MAX_DEVNUM)
			err = -EINVAL;
		else
			err = usbback_addr_set(&b->addr, x->port, value);
		break;
	case USBBACK_CTRL_SET_CONFIGURATION:
		err = vdev_set_configuration(d, value & 0xff);
		sback_rebuild_view(b, x->port);
		break;
	case USBBACK_CTRL_SET_INTERFACE:
		err = vdev_set_interface(d, index, value);
		if (err)
			err = -EPIPE;
		sback_rebuild_view(b, x->port);
		break;
	case USBBACK_CTRL_CLEAR_HALT:
		err = vdev_clear_halt(d, index & 0xff);
		break;
	default:
		return false;
	}
	sback_finish(w, x, xenusb_status_from_errno(err), 0, 0);
	return true;
}

static void sback_unlink(struct sim *w, const struct usbback_req *r)
{
	struct sback *b = &w->back;
	unsigned int i;
	bool found = false;

	b->unlinks++;
	for (i = 0; i < SBACK_SLOTS; i++) {
		struct sback_xfer *x = &b->x[i];

		if (!x->used || x->req.id != r->unlink_id ||
		    x->port != r->pipe.port)
			continue;
		/* As usb_unlink_urb(): the victim completes -ECONNRESET. */
		found = true;
		b->cancelled++;
		sback_finish(w, x, xenusb_status_from_errno(-ECONNRESET), 0,
			     0);
		break;
	}
	/* What usbback's ring.c answers: 0, or -ENOENT if nothing found. */
	sback_put(w, r->id, found ? XENUSB_STATUS_OK : -ENOENT, 0, 0, 0);
}

/* One request, already copied off the ring. */
static void sback_one(struct sim *w, const struct xenusb_urb_request *raw)
{
	struct sback *b = &w->back;
	struct usbback_req r;
	struct sback_xfer *x;
	struct vdev *d;
	s32 st;
	int err;

	b->requests++;
	err = usbback_req_parse(raw, b->nports, &r);
	if (err) {
		sback_reject(w, raw->id, xenusb_status_from_errno(err));
		return;
	}
	if (r.pipe.unlink) {
		sback_unlink(w, &r);
		return;
	}
	d = b->port[r.pipe.port].dev;
	if (!d || usbback_addr_route(&b->addr, r.pipe.port,
				     r.pipe.devnum) < 0) {
		sback_reject(w, r.id, XENUSB_STATUS_NODEV);
		return;
	}
	err = usbback_req_check_ep(&r, &b->port[r.pipe.port].view);
	if (err) {
		sback_reject(w, r.id, xenusb_status_from_errno(err));
		return;
	}

	x = sback_slot(b);
	if (!x) {
		/* Cannot happen with the overflow checks: say so loudly. */
		sback_fatal(b, "no transfer slot for request %u", r.id);
		return;
	}
	memset(&x->vx, 0, sizeof(x->vx));
	x->used = true;
	x->cancelled = false;
	x->req = *raw;
	x->r = r;
	x->port = r.pipe.port;
	x->seq = b->seq++;
	x->nmap = 0;

	st = sback_map(w, x);
	if (st) {
		b->rejected++;
		b->last_reject = st;
		sback_finish(w, x, st, 0, 0);
		return;
	}
	if (r.pipe.type == XENUSB_PIPE_TYPE_ISOC) {
		if (sback_copy(w, x, r.nr_data_segs, r.nr_desc_segs,
			       (u8 *)x->descs, 0,
			       r.nr_packets * XENUSB_ISO_DESC_SIZE, false) ||
		    usbback_iso_descs_check(x->descs, r.nr_packets,
					    r.length)) {
			b->rejected++;
			b->last_reject = XENUSB_STATUS_INVAL;
			sback_finish(w, x, XENUSB_STATUS_INVAL, 0, 0);
			return;
		}
	}
	if (!r.pipe.in && r.length &&
	    sback_copy(w, x, 0, r.nr_data_segs, x->bounce, 0, r.length,
		       false)) {
		sback_finish(w, x, XENUSB_STATUS_INVAL, 0, 0);
		return;
	}
	if (r.pipe.type == XENUSB_PIPE_TYPE_CTRL && sback_ctrl_special(w, x))
		return;

	x->vx.type = r.pipe.type;
	x->vx.ep = r.pipe.ep;
	x->vx.in = r.pipe.in;
	x->vx.buf = x->bounce;
	x->vx.len = r.length;
	x->vx.nr_packets = r.nr_packets;
	x->vx.iso = x->descs;
	x->due = w->now;
	if (r.pipe.type != XENUSB_PIPE_TYPE_CTRL && d->ops->due)
		x->due = d->ops->due(d, &x->vx, w->now);
}

/* Run a due transfer on its device and answer it. */
static void sback_complete(struct sim *w, struct sback_xfer *x)
{
	struct vdev *d = w->back.port[x->port].dev;
	struct vdev_xfer *vx = &x->vx;
	u16 i;

	if (vx->type == XENUSB_PIPE_TYPE_CTRL) {
		vx->status = vdev_control(d, x->r.setup, vx->buf, vx->len,
					  &vx->actual);
		vx->error_count = 0;
	} else {
		vdev_xfer(d, vx);
	}
	if (vx->actual > vx->len)
		vx->actual = vx->len;
	if (!vx->status && vx->in && x->r.short_not_ok && vx->actual < vx->len)
		vx->status = -EREMOTEIO;

	if (vx->type == XENUSB_PIPE_TYPE_ISOC) {
		/* Packets land at their offsets; descriptors go back. */
		for (i = 0; vx->in && i < vx->nr_packets; i++) {
			const struct xenusb_iso_desc *p = &x->descs[i];

			if (p->actual_length)
				sback_copy(w, x, 0, x->r.nr_data_segs,
					   vx->buf, p->offset,
					   p->actual_length, true);
		}
		sback_copy(w, x, x->r.nr_data_segs, x->r.nr_desc_segs,
			   (u8 *)x->descs, 0,
			   vx->nr_packets * XENUSB_ISO_DESC_SIZE, true);
	} else if (vx->in && vx->actual) {
		sback_copy(w, x, 0, x->r.nr_data_segs, vx->buf, 0,
			   vx->actual, true);
	}
	if (w->back.evil == SBACK_EVIL_ISO_DESC &&
	    vx->type == XENUSB_PIPE_TYPE_ISOC && vx->nr_packets >= 2 &&
	    !w->back.evil_done) {
		struct xenusb_iso_desc bad[2] = { x->descs[0], x->descs[1] };

		/* One packet placed past the buffer, one overfilled. */
		bad[0].offset = x->r.length + 512;
		bad[1].actual_length = bad[1].length + 1;
		w->back.evil_done++;
		sback_copy(w, x, x->r.nr_data_segs, x->r.nr_desc_segs,
			   (u8 *)bad, 0, sizeof(bad), true);
	}
	sback_finish(w, x, xenusb_status_from_errno(vx->status), vx->actual,
		     vx->error_count);
}

/* Take requests off the urb ring; true if any was taken. */
static bool sback_poll_requests(struct sim *w)
{
	struct sback *b = &w->back;
	struct xenusb_urb_request raw;
	RING_IDX rc, rp;
	bool did = false;
	int more;

	do {
		rc = b->urb.req_cons;
		rp = READ_ONCE(b->urb.sring->req_prod);
		virt_rmb();	/* requests up to rp are visible */
		if (RING_REQUEST_PROD_OVERFLOW(&b->urb, rp)) {
			sback_fatal(b, "urb ring producer %u overflows (consumer %u, responses %u)",
				    rp, rc, b->urb.rsp_prod_pvt);
			return did;
		}
		while (rc != rp) {
			if (RING_REQUEST_CONS_OVERFLOW(&b->urb, rc))
				return did;
			RING_COPY_REQUEST(&b->urb, rc, &raw);
			b->urb.req_cons = ++rc;
			did = true;
			if (sback_id_busy(b, raw.id)) {
				sback_fatal(b, "request id %u already in flight",
					    raw.id);
				return did;
			}
			sback_one(w, &raw);
			if (b->fatal)
				return did;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&b->urb, more);
	} while (more);
	return did;
}

/* Put queued hotplug events on the conn ring; true if any was sent. */
static bool sback_conn_flush(struct sim *w)
{
	struct sback *b = &w->back;
	struct xenusb_conn_request creq;
	struct xenusb_conn_response *ev;
	RING_IDX rp;
	bool did = false;
	int notify;
	u8 port, speed;

	rp = READ_ONCE(b->conn.sring->req_prod);
	virt_rmb();	/* requests up to rp are visible */
	if (RING_REQUEST_PROD_OVERFLOW(&b->conn, rp)) {
		sback_fatal(b, "conn ring producer %u overflows", rp);
		return false;
	}
	while (usbback_conn_pending(&b->connq) && b->conn.req_cons != rp) {
		RING_COPY_REQUEST(&b->conn, b->conn.req_cons, &creq);
		b->conn.req_cons++;
		usbback_conn_pop(&b->connq, &port, &speed);
		if (b->evil == SBACK_EVIL_CONN_BAD_PORT && !b->evil_done) {
			port = b->nports + 1;
			b->evil_done++;
		}
		ev = RING_GET_RESPONSE(&b->conn, b->conn.rsp_prod_pvt);
		ev->id = creq.id;
		ev->portnum = port;
		ev->speed = speed;
		b->conn.rsp_prod_pvt++;
		b->conn_sent++;
		did = true;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b->conn, notify);
	if (notify)
		sim_evtchn_notify(&w->ev, SIM_SIDE_BACK);
	return did;
}

/**
 * sback_irq() - the backend's lateeoi event handler plus its ring work
 * @w: world
 *
 * Signals EOI with the spurious flag when the event found nothing to do.
 */
void sback_irq(struct sim *w)
{
	struct sback *b = &w->back;
	bool did = false;

	if (b->connected && !b->fatal) {
		did |= sback_conn_flush(w);
		if (!b->fatal)
			did |= sback_poll_requests(w);
		sback_flush(w);
	}
	sim_evtchn_eoi(&w->ev, SIM_SIDE_BACK, !did);
}

/**
 * sback_work() - complete the transfers that are due, send conn events
 * @w: world
 *
 * Transfers complete in submission order among those due.
 *
 * Return: true if anything happened.
 */
bool sback_work(struct sim *w)
{
	struct sback *b = &w->back;
	bool did = false;

	/* The buggy model's late unmaps happen one step later. */
	while (b->nlazy) {
		sim_gnt_unmap(&w->gt, &b->lazy[--b->nlazy]);
		did = true;
	}
	if (!b->connected || b->fatal)
		return did;
	for (;;) {
		struct sback_xfer *next = NULL;
		unsigned int i;

		for (i = 0; i < SBACK_SLOTS; i++) {
			struct sback_xfer *x = &b->x[i];

			if (x->used && x->due <= w->now &&
			    (!next || x->seq < next->seq))
				next = x;
		}
		if (!next)
			break;
		sback_complete(w, next);
		did = true;
	}
	if (usbback_conn_pending(&b->connq))
		did |= sback_conn_flush(w);
	sback_flush(w);
	return did;
}

/**
 * sback_next_due() - virtual time of the next transfer completion
 * @w: world
 *
 * Return: a time, or SIM_NEVER if nothing is in flight.
 */
u64 sback_next_due(const struct sim *w)
{
	const struct sback *b = &w->back;
	u64 next = SIM_NEVER;
	unsigned int i;

	if (!b->connected || b->fatal)
		return SIM_NEVER;
	for (i = 0; i < SBACK_SLOTS; i++)
		if (b->x[i].used && b->x[i].due < next)
			next = b->x[i].due;
	return next;
}

/**
 * sback_connect() - map the frontend's rings and start serving them
 * @w: world
 * @urb_gref: urb-ring-ref read from xenstore
 * @conn_gref: conn-ring-ref read from xenstore
 *
 * Every port that holds a device is then replayed on the conn ring.
 *
 * Return: 0, or a negative errno if a ring cannot be mapped.
 */
int sback_connect(struct sim *w, u32 urb_gref, u32 conn_gref)
{
	struct sback *b = &w->back;
	void *urb, *conn;
	int err;

	err = sim_gnt_map(&w->gt, SIM_DOM_BACK, urb_gref, true, &b->urb_map);
	if (err)
		return err;
	err = sim_gnt_map(&w->gt, SIM_DOM_BACK, conn_gref, true, &b->conn_map);
	if (err) {
		sim_gnt_unmap(&w->gt, &b->urb_map);
		return err;
	}
	urb = sim_gnt_ring_page(&w->gt, &b->urb_map);
	conn = sim_gnt_ring_page(&w->gt, &b->conn_map);
	BACK_RING_INIT(&b->urb, (struct xenusb_urb_sring *)urb, SIM_PAGE);
	BACK_RING_INIT(&b->conn, (struct xenusb_conn_sring *)conn, SIM_PAGE);
	usbback_conn_replay(&b->connq);
	usbback_addr_init(&b->addr);
	b->fatal = false;
	b->connected = true;
	return 0;
}

/* Cancel every transfer of @port (all ports if 0) with @err. */
static void sback_cancel(struct sim *w, u8 port, int err)
{
	struct sback *b = &w->back;
	unsigned int i;

	for (i = 0; i < SBACK_SLOTS; i++) {
		struct sback_xfer *x = &b->x[i];

		if (!x->used || (port && x->port != port))
			continue;
		b->cancelled++;
		sback_finish(w, x, xenusb_status_from_errno(err), 0, 0);
	}
}

/**
 * sback_disconnect() - stop, cancel everything, unmap the rings
 * @w: world
 *
 * Needs nothing from the frontend, as libxl's removal wants.
 */
void sback_disconnect(struct sim *w)
{
	struct sback *b = &w->back;

	if (!b->connected)
		return;
	sback_cancel(w, 0, -ESHUTDOWN);
	sback_flush(w);
	while (b->nlazy)
		sim_gnt_unmap(&w->gt, &b->lazy[--b->nlazy]);
	b->connected = false;
	sim_gnt_unmap(&w->gt, &b->urb_map);
	sim_gnt_unmap(&w->gt, &b->conn_map);
}

/**
 * sback_plug() - a device was bound to usbback on @port
 * @w: world
 * @port: 1..nports, empty
 * @d: the device (the backend owns it from now on)
 */
void sback_plug(struct sim *w, u8 port, struct vdev *d)
{
	struct sback *b = &w->back;

	b->port[port].dev = d;
	sback_rebuild_view(b, port);
	/* Sent by the next sback_work(), as usbback's conn work does. */
	usbback_conn_set(&b->connq, port, d->speed);
}

/**
 * sback_unplug() - the device of @port went away (usb disconnect)
 * @w: world
 * @port: 1..nports
 *
 * Its transfers are killed and answered, its address forgotten, and the
 * frontend is told speed 0, as usbback's port detach does.
 */
void sback_unplug(struct sim *w, u8 port)
{
	struct sback *b = &w->back;

	if (!b->port[port].dev)
		return;
	usbback_addr_clear_port(&b->addr, port);
	sback_cancel(w, port, -ESHUTDOWN);
	vdev_destroy(b->port[port].dev);
	b->port[port].dev = NULL;
	usbback_ep_view_reset(&b->port[port].view);
	usbback_conn_set(&b->connq, port, XENUSB_SPEED_NONE);
	if (b->connected)
		sback_flush(w);
}
