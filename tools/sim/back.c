// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's backend: usbback's own ring code (usbback/urb_ring.c
 * and conn_ring.c, compiled from the module's files) over the
 * simulator's struct usbback_ring_ops. The core takes every request off
 * the ring, validates, routes and answers it or dispatches it here; this
 * file is what the module's glue is to the kernel: grants (mapped through
 * the simulated grant table for the life of a transfer and unmapped
 * before the response, as usbback's map path does), the virtual devices
 * standing in for usb core, the event channel, and the work items
 * (ops->kick and ops->retry run the consumer at the next sback_work()).
 *
 * The SBACK_EVIL_* modes are deliberately wrong backends for the
 * frontend's checks and the grant checker's self-test: they tamper with
 * what the core put on the rings, or with the grants, after the fact.
 */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"

static struct sim *sback_world(struct usbback_ring *r)
{
	return (struct sim *)((char *)r - offsetof(struct sim, back.ring));
}

static struct sback_xfer *sback_x(struct usbback_ring *r,
				  const struct usbback_rq *rq)
{
	return &sback_world(r)->back.x[rq->index];
}

/* ---- ops: locking, routing, scheduling --------------------------- */

static unsigned long sback_lock(struct usbback_ring *r)
{
	struct sback *b = &sback_world(r)->back;

	/* The ops contract: the ring lock is never taken twice. */
	if (b->locked)
		abort();
	b->locked = true;
	return 0;
}

static void sback_unlock(struct usbback_ring *r, unsigned long flags)
{
	struct sback *b = &sback_world(r)->back;

	(void)flags;
	if (!b->locked)
		abort();
	b->locked = false;
}

static const struct usbback_ep_view *sback_device(struct usbback_ring *r,
						  u8 port)
{
	struct sback *b = &sback_world(r)->back;

	return b->port[port].dev ? &b->port[port].view : NULL;
}

static void sback_notify(struct usbback_ring *r)
{
	sim_evtchn_notify(&sback_world(r)->ev, SIM_SIDE_BACK);
}

static void sback_kick(struct usbback_ring *r)
{
	sback_world(r)->back.kicked = true;
}

static void sback_retry(struct usbback_ring *r)
{
	struct sim *w = sback_world(r);

	w->back.retry_at = w->now + SBACK_RETRY_MS;
}

static void sback_fatal(struct usbback_ring *r, const char *what)
{
	struct sback *b = &sback_world(r)->back;

	b->fatal = true;
	snprintf(b->fatal_msg, sizeof(b->fatal_msg), "%s (consumer %u)", what,
		 r->urb.req_cons);
}

/* ---- evil backends: tamper with what the core pushed --------------- */

static void sback_evil_rsp(struct sim *w, u32 actual)
{
	struct sback *b = &w->back;
	struct xenusb_urb_back_ring *ring = &b->ring.urb;
	struct xenusb_urb_response *rsp;

	if (b->evil_done || !b->ring.mapped)
		return;
	rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt - 1);
	switch (b->evil) {
	case SBACK_EVIL_OVERSIZE:
		if (!actual)
			return;
		rsp->actual_length += 4096;
		break;
	case SBACK_EVIL_BAD_ID:
		rsp->id = SFRONT_NR_IDS + 7;
		break;
	case SBACK_EVIL_DUP_RSP:
		/* The same answer again, in the next slot. */
		*RING_GET_RESPONSE(ring, ring->rsp_prod_pvt) = *rsp;
		ring->rsp_prod_pvt++;
		RING_PUSH_RESPONSES(ring);
		break;
	case SBACK_EVIL_RSP_PROD_OVERFLOW:
		/* Claim many more responses than there can be requests. */
		ring->sring->rsp_prod = ring->rsp_prod_pvt + 2 * SBACK_SLOTS;
		sim_evtchn_notify(&w->ev, SIM_SIDE_BACK);
		break;
	default:
		return;
	}
	b->evil_done++;
}

static void sback_evil_conn(struct sim *w)
{
	struct sback *b = &w->back;
	struct xenusb_conn_back_ring *ring = &b->ring.conn;

	if (b->evil != SBACK_EVIL_CONN_BAD_PORT || b->evil_done ||
	    !ring->sring || ring->rsp_prod_pvt == b->conn_seen)
		return;
	RING_GET_RESPONSE(ring, ring->rsp_prod_pvt - 1)->portnum =
		b->nports + 1;
	b->evil_done++;
}

/* ops->responded: counts, and the evil modes' tampering. */
static void sback_responded(struct usbback_ring *r, struct usbback_rq *rq,
			    s32 status, u32 actual)
{
	struct sim *w = sback_world(r);
	struct sback *b = &w->back;
	struct sback_xfer *x = &b->x[rq->index];

	b->responses++;
	if (!x->reached && !rq->req.pipe.unlink &&
	    status != XENUSB_STATUS_OK) {
		b->rejected++;
		b->last_reject = status;
	}
	x->reached = false;
	x->scheduled = false;
	x->cancelled = false;
	x->cfg_pending = false;
	sback_evil_rsp(w, actual);
}

/* ---- the data path -------------------------------------------------- */

/* Release every grant of a transfer, then have the core answer it. */
static void sback_finish(struct sim *w, struct usbback_rq *rq, s32 status,
			 u32 actual, u16 start_frame, u32 error_count)
{
	struct sback *b = &w->back;
	struct sback_xfer *x = &b->x[rq->index];
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
	usbback_ring_respond(&b->ring, rq, status, actual, start_frame,
			     error_count);
}

/* Map the data and descriptor segments; 0 or a wire status. */
static s32 sback_map(struct sim *w, struct usbback_rq *rq)
{
	struct sback_xfer *x = &w->back.x[rq->index];
	u16 nsegs = rq->req.nr_data_segs + rq->req.nr_desc_segs;
	unsigned int i;

	x->nmap = 0;
	for (i = 0; i < nsegs; i++) {
		/* Data of an IN transfer and iso descriptors get written. */
		bool rw = i >= rq->req.nr_data_segs || rq->req.pipe.in;

		if (sim_gnt_map(&w->gt, SIM_DOM_BACK, rq->seg[i].gref, rw,
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
static int sback_copy(struct sim *w, const struct usbback_rq *rq,
		      unsigned int first, unsigned int nr, u8 *base, u32 at,
		      u32 len, bool to_guest)
{
	struct sback_xfer *x = &w->back.x[rq->index];
	u32 pos = 0, end = at + len;
	unsigned int i;

	for (i = first; i < first + nr && pos < end; i++) {
		const struct xenusb_request_segment *seg = &rq->seg[i];
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

/*
 * ops->indirect: read the descriptors of an indirect request out of its
 * indirect pages, each mapped read-only for the copy and unmapped again.
 */
static int sback_indirect(struct usbback_ring *r, struct usbback_rq *rq)
{
	struct sim *w = sback_world(r);
	u8 *dst = (u8 *)rq->seg;
	struct sim_gnt_map m;
	unsigned int i;
	u32 pos = 0;
	int err;

	for (i = 0; i < rq->req.nr_ind_segs; i++) {
		const struct xenusb_request_segment *s = &rq->ind[i];

		if (sim_gnt_map(&w->gt, SIM_DOM_BACK, s->gref, false, &m))
			return -EFAULT;
		err = sim_gnt_read(&w->gt, &m, s->offset, dst + pos, s->length);
		sim_gnt_unmap(&w->gt, &m);
		if (err)
			return -EFAULT;
		pos += s->length;
	}
	w->back.indirect++;
	return 0;
}

static void sback_rebuild_view(struct sback *b, u8 port)
{
	vdev_ep_view(b->port[port].dev, &b->port[port].view);
}

/* ops->submit: map, copy in, and schedule the transfer on the device. */
static int sback_submit(struct usbback_ring *r, struct usbback_rq *rq)
{
	struct sim *w = sback_world(r);
	struct sback *b = &w->back;
	struct sback_xfer *x = sback_x(r, rq);
	const struct usbback_req *req = &rq->req;
	struct vdev *d = b->port[rq->port].dev;
	s32 st;

	/*
	 * Sized to this transfer, so that ASan sees a byte past its end; a
	 * fixed 1 MiB buffer per slot also cost the fuzzers an mmap and an
	 * munmap per slot and input.
	 */
	free(x->bounce);
	x->bounce = malloc(req->length ? req->length : 1);
	if (!x->descs)
		x->descs = malloc(XENUSB_MAX_XFER);
	if (b->nomem || !x->bounce || !x->descs) {
		/* Back-pressure: nothing answered, the request stays. */
		if (b->nomem)
			b->nomem--;
		b->nomem_hits++;
		return -ENOMEM;
	}
	memset(&x->vx, 0, sizeof(x->vx));
	x->cancelled = false;
	x->seq = b->seq++;

	st = sback_map(w, rq);
	if (st) {
		sback_finish(w, rq, st, 0, 0, 0);
		return 0;
	}
	if (req->pipe.type == XENUSB_PIPE_TYPE_ISOC &&
	    (sback_copy(w, rq, req->nr_data_segs, req->nr_desc_segs,
			(u8 *)x->descs, 0,
			req->nr_packets * XENUSB_ISO_DESC_SIZE, false) ||
	     usbback_iso_descs_check(x->descs, req->nr_packets,
				     req->length))) {
		sback_finish(w, rq, XENUSB_STATUS_INVAL, 0, 0, 0);
		return 0;
	}
	if (!req->pipe.in && req->length &&
	    sback_copy(w, rq, 0, req->nr_data_segs, x->bounce, 0, req->length,
		       false)) {
		sback_finish(w, rq, XENUSB_STATUS_INVAL, 0, 0, 0);
		return 0;
	}

	x->reached = true;
	x->vx.type = req->pipe.type;
	x->vx.ep = req->pipe.ep;
	x->vx.in = req->pipe.in;
	x->vx.buf = x->bounce;
	x->vx.len = req->length;
	x->vx.nr_packets = req->nr_packets;
	x->vx.iso = x->descs;
	x->vx.zero_packet = req->zero_packet;
	x->due = w->now;
	if (req->pipe.type != XENUSB_PIPE_TYPE_CTRL && d->ops->due)
		x->due = d->ops->due(d, &x->vx, w->now);
	x->scheduled = true;
	return 0;
}

/*
 * ops->control: what usbback's ctrl.c does through usb core, done on the
 * virtual device. A change of configuration is answered later, from
 * sback_work(), as usbback's configuration work does.
 */
static s32 sback_control(struct usbback_ring *r, struct usbback_rq *rq,
			 enum usbback_ctrl_kind kind, u16 value, u16 index)
{
	struct sim *w = sback_world(r);
	struct sback *b = &w->back;
	struct sback_xfer *x = sback_x(r, rq);
	struct vdev *d = b->port[rq->port].dev;
	u8 cfg = value & 0xff;

	x->reached = true;
	switch (kind) {
	case USBBACK_CTRL_SET_CONFIGURATION:
		if (d->config == cfg)
			return XENUSB_STATUS_OK;
		if (cfg != d->cfg_desc[5])
			return XENUSB_STATUS_STALL;
		x->cfg_pending = true;
		x->cfg_value = cfg;
		x->seq = b->seq++;
		x->due = w->now;
		return USBBACK_CTRL_PENDING;
	case USBBACK_CTRL_SET_INTERFACE:
		if (vdev_set_interface(d, index, value))
			return XENUSB_STATUS_STALL;
		sback_rebuild_view(b, rq->port);
		return XENUSB_STATUS_OK;
	case USBBACK_CTRL_CLEAR_HALT:
		if ((index & 0xf) && b->port[rq->port].view.type[!!(index &
		    USB_DIR_IN)][index & 0xf] == USBBACK_EP_NONE)
			return XENUSB_STATUS_STALL;
		return xenusb_status_from_errno(vdev_clear_halt(d,
								index & 0xff));
	case USBBACK_CTRL_PORT_RESET:
		/* usb_reset_device(): configuration and altsettings kept. */
		d->resets++;
		if (d->ops->reset)
			d->ops->reset(d);
		memset(d->halted, 0, sizeof(d->halted));
		return XENUSB_STATUS_OK;
	default:
		return XENUSB_STATUS_INVAL;
	}
}

/* ops->unlink_hold: a transfer on the device can be cancelled. */
static bool sback_unlink_hold(struct usbback_ring *r,
			      struct usbback_rq *victim, struct usbback_rq *by)
{
	struct sback_xfer *v = sback_x(r, victim);

	if (!v->scheduled)
		return false;
	sback_x(r, by)->victim = victim->index;
	return true;
}

/* ops->unlink: as usb_unlink_urb(), the victim completes -ECONNRESET. */
static void sback_unlink(struct usbback_ring *r, struct usbback_rq *by)
{
	struct sim *w = sback_world(r);
	struct sback_xfer *by_x = sback_x(r, by);
	struct sback_xfer *v;

	w->back.unlinks++;
	if (by_x->victim < 0)
		return;
	v = &w->back.x[by_x->victim];
	by_x->victim = -1;
	if (v->scheduled && !v->cancelled) {
		v->cancelled = true;
		v->due = w->now;
		w->back.cancelled++;
	}
}

/* ops->bad: usbback logs it; counted here. */
static void sback_bad(struct usbback_ring *r, const struct usbback_rq *rq,
		      const char *why)
{
	(void)rq;
	(void)why;
	sback_world(r)->back.refused++;
}

static const struct usbback_ring_ops sback_ops = {
	.lock = sback_lock,
	.unlock = sback_unlock,
	.device = sback_device,
	.submit = sback_submit,
	.indirect = sback_indirect,
	.control = sback_control,
	.unlink_hold = sback_unlink_hold,
	.unlink = sback_unlink,
	.responded = sback_responded,
	.notify = sback_notify,
	.kick = sback_kick,
	.retry = sback_retry,
	.fatal = sback_fatal,
	.bad = sback_bad,
};

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
	b->retry_at = SIM_NEVER;
	usbback_ring_init(&b->ring, &sback_ops, nports);
	usbback_ring_set_slots(&b->ring, b->rq, XENUSB_URB_RING_SIZE_ORDER(0));
	for (i = 0; i <= XENUSB_MAX_PORTNR; i++)
		usbback_ep_view_reset(&b->port[i].view);
	/* Buffers come with a slot's first transfer (sback_submit()). */
	for (i = 0; i < SBACK_SLOTS; i++)
		b->x[i].victim = -1;
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

/**
 * sback_requests() - requests the backend took off the urb ring
 * @w: world
 *
 * Return: the ring's consumer index (every request taken counts once).
 */
u64 sback_requests(const struct sim *w)
{
	return w->back.ring.urb.req_cons;
}

/**
 * sback_conn_sent() - conn events the backend put on the conn ring
 * @w: world
 *
 * Return: the conn ring's response producer index.
 */
u64 sback_conn_sent(const struct sim *w)
{
	return w->back.ring.conn.rsp_prod_pvt;
}

/* Run a due transfer on its device and answer it. */
static void sback_complete(struct sim *w, struct usbback_rq *rq)
{
	struct sback *b = &w->back;
	struct sback_xfer *x = &b->x[rq->index];
	struct vdev *d = b->port[rq->port].dev;
	struct vdev_xfer *vx = &x->vx;
	const struct usbback_req *req = &rq->req;
	u16 i;

	x->scheduled = false;
	if (x->cancelled) {
		sback_finish(w, rq, xenusb_status_from_errno(-ECONNRESET), 0, 0,
			     0);
		return;
	}
	if (vx->type == XENUSB_PIPE_TYPE_CTRL) {
		vx->status = vdev_control(d, req->setup, vx->buf, vx->len,
					  &vx->actual);
		vx->error_count = 0;
	} else {
		vdev_xfer(d, vx);
	}
	if (vx->actual > vx->len)
		vx->actual = vx->len;
	if (!vx->status && vx->in && req->short_not_ok && vx->actual < vx->len)
		vx->status = -EREMOTEIO;

	if (vx->type == XENUSB_PIPE_TYPE_ISOC) {
		/* Packets land at their offsets; descriptors go back. */
		for (i = 0; vx->in && i < vx->nr_packets; i++) {
			const struct xenusb_iso_desc *p = &x->descs[i];

			if (p->actual_length)
				sback_copy(w, rq, 0, req->nr_data_segs,
					   vx->buf, p->offset,
					   p->actual_length, true);
		}
		sback_copy(w, rq, req->nr_data_segs, req->nr_desc_segs,
			   (u8 *)x->descs, 0,
			   vx->nr_packets * XENUSB_ISO_DESC_SIZE, true);
	} else if (vx->in && vx->actual) {
		sback_copy(w, rq, 0, req->nr_data_segs, vx->buf, 0,
			   vx->actual, true);
	}
	if (b->evil == SBACK_EVIL_ISO_DESC &&
	    vx->type == XENUSB_PIPE_TYPE_ISOC && vx->nr_packets >= 2 &&
	    !b->evil_done) {
		struct xenusb_iso_desc bad[2] = { x->descs[0], x->descs[1] };

		/* One packet placed past the buffer, one overfilled. */
		bad[0].offset = req->length + 512;
		bad[1].actual_length = bad[1].length + 1;
		b->evil_done++;
		sback_copy(w, rq, req->nr_data_segs, req->nr_desc_segs,
			   (u8 *)bad, 0, sizeof(bad), true);
	}
	/* usbback reports a short read with SHORT_NOT_OK as success. */
	sback_finish(w, rq, vx->status == -EREMOTEIO ? XENUSB_STATUS_OK :
		     xenusb_status_from_errno(vx->status), vx->actual, 0,
		     vx->error_count);
}

/* A SET_CONFIGURATION answered later (usbback: the configuration work). */
static void sback_configure(struct sim *w, struct usbback_rq *rq)
{
	struct sback *b = &w->back;
	struct sback_xfer *x = &b->x[rq->index];
	int err;

	x->cfg_pending = false;
	b->configured++;
	err = vdev_set_configuration(b->port[rq->port].dev, x->cfg_value);
	sback_rebuild_view(b, rq->port);
	usbback_ring_respond(&b->ring, rq, xenusb_status_from_errno(err), 0,
			     0, 0);
}

/* Run the core's consumer, as usbback's ring work does. */
static bool sback_consume(struct sim *w)
{
	bool did = usbback_ring_consume(&w->back.ring);

	sback_evil_conn(w);
	w->back.conn_seen = w->back.ring.conn.rsp_prod_pvt;
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
	bool did = false;

	if (w->back.connected)
		did = sback_consume(w);
	sim_evtchn_eoi(&w->ev, SIM_SIDE_BACK, !did);
}

/**
 * sback_work() - the backend's work items: completions, kicks, retries
 * @w: world
 *
 * Transfers complete in submission order among those due; a kick (a
 * freed slot, a queued hotplug event) or a due retry runs the consumer.
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
	if (!b->connected)
		return did;
	for (;;) {
		struct sback_xfer *next = NULL;
		unsigned int i, ni = 0;

		for (i = 0; i < SBACK_SLOTS; i++) {
			struct sback_xfer *x = &b->x[i];

			if ((x->scheduled || x->cfg_pending) &&
			    x->due <= w->now && (!next || x->seq < next->seq)) {
				next = x;
				ni = i;
			}
		}
		if (!next)
			break;
		if (next->cfg_pending)
			sback_configure(w, &b->ring.rq[ni]);
		else
			sback_complete(w, &b->ring.rq[ni]);
		did = true;
	}
	if (b->kicked || b->retry_at <= w->now) {
		b->kicked = false;
		b->retry_at = SIM_NEVER;
		sback_consume(w);
		did = true;
	}
	return did;
}

/**
 * sback_next_due() - virtual time of the next completion or retry
 * @w: world
 *
 * Return: a time, or SIM_NEVER if nothing is scheduled.
 */
u64 sback_next_due(const struct sim *w)
{
	const struct sback *b = &w->back;
	u64 next = b->retry_at;
	unsigned int i;

	if (!b->connected)
		return SIM_NEVER;
	for (i = 0; i < SBACK_SLOTS; i++)
		if ((b->x[i].scheduled || b->x[i].cfg_pending) &&
		    b->x[i].due < next)
			next = b->x[i].due;
	return next;
}

/**
 * sback_connect() - map the frontend's rings and start serving them
 * @w: world
 * @urb_grefs: urb-ring-ref (order 0) or urb-ring-ref0.. read from xenstore
 * @order: ring-page-order the backend accepted
 * @conn_gref: conn-ring-ref read from xenstore
 *
 * Every port that holds a device is then replayed on the conn ring. The
 * 2^@order pages must be one contiguous area, as xenbus_map_ring_valloc()
 * makes them in the module.
 *
 * Return: 0, or a negative errno if a ring cannot be mapped.
 */
int sback_connect(struct sim *w, const u32 *urb_grefs, unsigned int order,
		  u32 conn_gref)
{
	struct sback *b = &w->back;
	unsigned int i, n = 1u << order;
	u8 *base;
	int err;

	if (order > XENUSB_MAX_RING_PAGE_ORDER)
		return -EINVAL;
	err = usbback_ring_set_slots(&b->ring, b->rq,
				     XENUSB_URB_RING_SIZE_ORDER(order));
	if (err)
		return err;
	err = sim_gnt_map(&w->gt, SIM_DOM_BACK, urb_grefs[0], true, &b->urb_map);
	if (err)
		return err;
	base = sim_gnt_ring_page(&w->gt, &b->urb_map);
	for (i = 1; i < n; i++) {
		err = sim_gnt_map(&w->gt, SIM_DOM_BACK, urb_grefs[i], true,
				  &b->urb_more[i - 1]);
		if (!err && (u8 *)sim_gnt_ring_page(&w->gt, &b->urb_more[i - 1]) !=
		    base + i * SIM_PAGE) {
			sim_gnt_unmap(&w->gt, &b->urb_more[i - 1]);
			err = -EINVAL;	/* not the frontend's contiguous ring */
		}
		if (err) {
			while (--i > 0)
				sim_gnt_unmap(&w->gt, &b->urb_more[i - 1]);
			sim_gnt_unmap(&w->gt, &b->urb_map);
			return err;
		}
	}
	b->ring_order = order;
	err = sim_gnt_map(&w->gt, SIM_DOM_BACK, conn_gref, true, &b->conn_map);
	if (!err)
		err = usbback_ring_attach(&b->ring, (void *)base,
					  sim_gnt_ring_page(&w->gt, &b->conn_map),
					  order);
	if (err) {
		if (b->conn_map.mapped)
			sim_gnt_unmap(&w->gt, &b->conn_map);
		for (i = 1; i < n; i++)
			sim_gnt_unmap(&w->gt, &b->urb_more[i - 1]);
		sim_gnt_unmap(&w->gt, &b->urb_map);
		return err;
	}
	b->fatal = false;
	b->conn_seen = 0;
	b->connected = true;
	/* Replay the ports and pick up requests posted before. */
	b->kicked = true;
	return 0;
}

/* Cancel every transfer of @port (all ports if 0) with @err. */
static void sback_cancel(struct sim *w, u8 port, int err)
{
	struct sback *b = &w->back;
	unsigned int i;

	for (i = 0; i < SBACK_SLOTS; i++) {
		struct usbback_rq *rq = &b->ring.rq[i];
		struct sback_xfer *x = &b->x[i];

		if (!(x->scheduled || x->cfg_pending) ||
		    (port && rq->port != port))
			continue;
		b->cancelled++;
		x->scheduled = false;
		x->cfg_pending = false;
		sback_finish(w, rq, xenusb_status_from_errno(err), 0, 0, 0);
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
	unsigned int i;

	if (!b->connected)
		return;
	b->connected = false;
	b->kicked = false;
	b->retry_at = SIM_NEVER;
	sback_cancel(w, 0, -ESHUTDOWN);
	while (b->nlazy)
		sim_gnt_unmap(&w->gt, &b->lazy[--b->nlazy]);
	if (usbback_ring_detach(&b->ring))
		sback_fatal(&b->ring, "requests still in flight at disconnect");
	for (i = 1; i < (1u << b->ring_order); i++)
		sim_gnt_unmap(&w->gt, &b->urb_more[i - 1]);
	sim_gnt_unmap(&w->gt, &b->urb_map);
	sim_gnt_unmap(&w->gt, &b->conn_map);
}

/**
 * sback_plug() - a device was bound to usbback on @port
 * @w: world
 * @port: 1..nports, empty
 * @d: the device (the backend owns it from now on)
 *
 * The host's usb core configured it before usbback claimed it.
 */
void sback_plug(struct sim *w, u8 port, struct vdev *d)
{
	struct sback *b = &w->back;

	b->port[port].dev = d;
	if (!d->config)
		vdev_set_configuration(d, d->cfg_desc[5]);
	sback_rebuild_view(b, port);
	usbback_addr_clear_port(&b->ring.addr, port);
	usbback_ring_conn_event(&b->ring, port, d->speed);
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
	usbback_addr_clear_port(&b->ring.addr, port);
	sback_cancel(w, port, -ESHUTDOWN);
	vdev_destroy(b->port[port].dev);
	b->port[port].dev = NULL;
	usbback_ep_view_reset(&b->port[port].view);
	usbback_ring_conn_event(&b->ring, port, XENUSB_SPEED_NONE);
}
