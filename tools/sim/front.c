// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's frontend: usbfront's own ring code on the simulated
 * world. The response loop, the conn loop, request building and the
 * decision what a split transfer does after each response are the
 * module's core files (usbfront/rsp_ring.c, req_build.c, xfer_split.c),
 * linked unchanged; this file implements their ops the way usbfront's
 * ring.c, rsp.c and iso.c do with Xen and USB core calls: grants from
 * the simulated grant table, the event channel, an URB queue with the
 * module's endpoint hold, isochronous descriptors in pages of the
 * frontend's own (only checked values reach the URB), and the giveback
 * (the part of usb core a test sees: an unlinked URB that did not
 * complete reads -ECONNRESET).
 *
 * A protocol error is latched by the core (xenbus_dev_fatal in the
 * module): the frontend stops. Out-of-range values are used clamped and
 * counted, as the module logs them.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void sfront_error(struct sfront *f, bool fatal, const char *fmt, ...)
{
	va_list ap;

	if (fatal)
		f->dead = true;
	if (f->proto_errors++)
		return;
	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
}

/* The endpoint slot an URB holds while it is being split (ep->hcpriv). */
static struct sfront_urb **sfront_ep(struct sfront *f, struct sfront_urb *u)
{
	bool in = u->type != XENUSB_PIPE_TYPE_CTRL && u->in;

	return &f->ep_owner[u->port % (XENUSB_MAX_PORTNR + 1)]
			   [u->ep % XENUSB_NUM_EPS][in];
}

static bool sfront_ep_busy(struct sfront *f, struct sfront_urb *u)
{
	struct sfront_urb *owner = *sfront_ep(f, u);

	return owner && owner != u;
}

static void sfront_dequeue(struct sfront *f, struct sfront_urb *u)
{
	struct sfront_urb **pp, *prev = NULL;

	if (!u->queued)
		return;
	for (pp = &f->qhead; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != u)
			continue;
		*pp = u->next;
		if (f->qtail == u)
			f->qtail = prev;
		break;
	}
	u->next = NULL;
	u->queued = false;
}

static void sfront_enqueue(struct sfront *f, struct sfront_urb *u, bool head)
{
	u->queued = true;
	if (head) {
		u->next = f->qhead;
		f->qhead = u;
		if (!f->qtail)
			f->qtail = u;
		return;
	}
	u->next = NULL;
	if (f->qtail)
		f->qtail->next = u;
	else
		f->qhead = u;
	f->qtail = u;
}

static void sfront_unlink_forget(struct sfront *f, struct sfront_urb *u)
{
	u32 i;

	if (!u->unlink_wait)
		return;
	u->unlink_wait = false;
	for (i = 0; i < f->nunlink; i++) {
		if (f->unlink_q[i] != u)
			continue;
		f->nunlink--;
		memmove(&f->unlink_q[i], &f->unlink_q[i + 1],
			(f->nunlink - i) * sizeof(f->unlink_q[0]));
		return;
	}
}

/* usbfront_finish() + usb_hcd_giveback_urb(). */
static void sfront_giveback(struct sim *w, struct sfront_urb *u, int status)
{
	struct sfront *f = &w->front;

	sfront_unlink_forget(f, u);
	sfront_dequeue(f, u);
	if (*sfront_ep(f, u) == u)
		*sfront_ep(f, u) = NULL;
	u->holds_ep = false;
	u->req_id = -1;
	/* No grant of the URB is left: its descriptor pages can go. */
	free(u->wire);
	u->wire = NULL;
	if (u->type != XENUSB_PIPE_TYPE_ISOC)
		u->actual = u->prog.done;
	/* usb core reports a cut-short unlinked URB as unlinked. */
	if (u->unlinking && (status || u->prog.done < u->len))
		status = -ECONNRESET;
	u->status = status;
	u->done = true;
	if (u->complete)
		u->complete(w, u);
}

/* Forget a shadow's request; its indirect page stays for the next. */
static void sfront_shadow_reset(struct sfront_shadow *sh)
{
	struct xenusb_request_segment *ind = sh->ind;

	memset(sh, 0, sizeof(*sh));
	sh->ind = ind;
}

/* ------------------------------------------------------------------ */
/* ops of the usbfront ring core                                        */

static bool sfront_op_end_grants(void *ctx, u16 id)
{
	struct sim *w = ctx;
	struct sfront_shadow *sh = &w->front.sh[id];
	bool all = true;
	unsigned int i;

	for (i = 0; i < sh->ngref; i++) {
		if (!sh->gref[i])
			continue;
		if (sim_gnt_end(&w->gt, SIM_DOM_FRONT, sh->gref[i]) == -EBUSY)
			all = false;
		else
			sh->gref[i] = 0;
	}
	if (all) {
		sh->ngref = 0;
		w->front.inflight--;
	}
	return all;
}

/*
 * usbfront_iso_complete(): the descriptor pages are no longer granted;
 * check them and copy only actual_length and status into the URB's
 * descriptors, for the URB's own packet count (never the backend's).
 */
static void sfront_iso_complete(struct sim *w, struct sfront_urb *u,
				const struct usbfront_rsp *rsp)
{
	struct sfront *f = &w->front;
	u32 total = 0, errors = 0;
	u16 i;
	int fixed;

	fixed = usbfront_iso_rsp_check(u->wire, u->nr_packets, u->len);
	if (fixed) {
		f->iso_fixed += fixed;
		sfront_error(f, false, "response %u: %d iso descriptor(s) out of range",
			     rsp->id, fixed);
	}
	for (i = 0; i < u->nr_packets; i++) {
		struct xenusb_iso_desc *d = &u->iso[i];

		d->actual_length = u->wire[i].actual_length < d->length ?
				   u->wire[i].actual_length : d->length;
		d->status = u->wire[i].status;
		total += d->actual_length;
		if (d->status)
			errors++;
	}
	u->actual = total < u->len ? total : u->len;
	u->error_count = errors;
	u->start_frame = rsp->start_frame;
}

static int sfront_send(struct sim *w, struct sfront_urb *u);

static void sfront_op_complete(void *ctx, const struct usbfront_inflight *inf,
			       const struct xenusb_urb_response *raw,
			       const struct usbfront_rsp *rsp)
{
	struct sim *w = ctx;
	struct sfront *f = &w->front;
	struct sfront_shadow *sh = &f->sh[raw->id];
	struct sfront_urb *u = sh->urb;
	int status, err;

	f->responses++;
	/* An unlink's answer, or that of a cancelled request, is moot. */
	if (rsp->clamped && (inf->unlink || (u && u->prog.dequeued)))
		f->clamped_ignored++;
	else if (rsp->clamped)
		sfront_error(f, false, "response %u out of range: status %d length %d/%u errors %d",
			     raw->id, raw->status, raw->actual_length,
			     inf->length, raw->error_count);
	sh->urb = NULL;
	if (sh->raw) {
		sh->raw->rsp = *raw;
		sh->raw->chk = *rsp;
		sh->raw->done = true;
		sh->raw = NULL;
		return;
	}
	if (!u)
		return;
	u->req_id = -1;
	sfront_unlink_forget(f, u);
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		sfront_iso_complete(w, u, rsp);
		sfront_giveback(w, u, rsp->status);
		return;
	}
	if (usbfront_xfer_next(&u->prog, rsp, &status) == USBFRONT_XFER_SEND) {
		err = sfront_send(w, u);
		if (!err)
			return;
		if (err == -EBUSY) {
			/* It holds its endpoint: first when a slot frees. */
			sfront_enqueue(f, u, true);
			return;
		}
		status = err;
	}
	sfront_giveback(w, u, status);
}

static void sfront_op_conn(void *ctx, u8 port, u8 speed)
{
	struct sim *w = ctx;

	(void)speed;
	w->front.conn_events++;
	w->front.port_events[port]++;
}

static void sfront_op_notify(void *ctx)
{
	struct sim *w = ctx;

	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
}

static void sfront_op_fatal(void *ctx, const char *what)
{
	struct sim *w = ctx;

	sfront_error(&w->front, true, "%s", what);
}

static const struct usbfront_ring_ops sfront_ops = {
	.end_grants = sfront_op_end_grants,
	.complete = sfront_op_complete,
	.conn = sfront_op_conn,
	.notify = sfront_op_notify,
	.fatal = sfront_op_fatal,
};

/* ------------------------------------------------------------------ */

/**
 * sfront_init() - a disconnected frontend
 * @w: world
 * @nports: num-ports the backend advertises
 * @usb_ver: usb-ver the backend advertises
 */
void sfront_init(struct sim *w, u8 nports, u8 usb_ver)
{
	struct sfront *f = &w->front;

	memset(f, 0, sizeof(*f));
	f->nports = nports;
	f->usb_ver = usb_ver;
	usbfront_rh_init(&f->rh, nports, usb_ver);
	usbfront_ring_init(&f->ring, &f->rh, &sfront_ops, w);
}

/**
 * sfront_connect() - grant both rings, post the conn requests
 * @w: world
 *
 * Return: 0 or -ENOSPC (grant table full).
 */
int sfront_connect(struct sim *w)
{
	struct sfront *f = &w->front;
	unsigned int i;
	int ref;

	if (usbfront_ring_attach(&f->ring, w->urb_page, w->conn_page,
				 w->ring_order))
		return -EINVAL;
	for (i = 0; i < (1u << w->ring_order); i++) {
		ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
				    (u8 *)w->urb_page + i * SIM_PAGE, false);
		if (ref < 0)
			return ref;
		f->urb_grefs[i] = ref;
	}
	f->urb_gref = f->urb_grefs[0];
	ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, w->conn_page,
			    false);
	if (ref < 0)
		return ref;
	f->conn_gref = ref;
	f->connected = true;
	f->dead = false;
	return 0;
}

/**
 * sfront_submit() - queue an URB (urb_enqueue)
 * @w: world
 * @u: URB; buf must stay valid until completion
 *
 * Return: 0, -ESHUTDOWN if the frontend is not usable, -EMSGSIZE if the
 * buffer spans more pages than the frontend handles or a non-bulk URB
 * does not fit one request (never truncated).
 */
int sfront_submit(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	bool bulk = u->type == XENUSB_PIPE_TYPE_BULK;
	u32 max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST;

	if (!f->connected || f->dead)
		return -ESHUTDOWN;
	u->nfrags = 0;
	if (u->len) {
		u->nfrags = usbfront_frags_linear((u32)(uintptr_t)u->buf,
						  u->len, u->frags,
						  SFRONT_MAX_FRAGS);
		if (!u->nfrags)
			return -EMSGSIZE;
	}
	u->wire = NULL;
	u->wire_pages = 0;
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		u32 nd = xenusb_pages_spanned(0, u->nr_packets *
					      XENUSB_ISO_DESC_SIZE);

		if (!u->nr_packets || nd >= max_segs)
			return -EMSGSIZE;
		max_segs -= nd;
	}
	if (bulk && !u->maxp)
		return -EINVAL;
	if (!bulk && (u->nfrags > max_segs || u->len > SFRONT_MAX_BYTES))
		return -EMSGSIZE;
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		/* usbfront_iso_prepare(): descriptors in pages of our own. */
		u16 k;

		u->wire_pages = xenusb_pages_spanned(0, u->nr_packets *
						     XENUSB_ISO_DESC_SIZE);
		u->wire = aligned_alloc(SIM_PAGE, u->wire_pages * SIM_PAGE);
		if (!u->wire)
			return -ENOMEM;
		memset(u->wire, 0, u->wire_pages * SIM_PAGE);
		for (k = 0; k < u->nr_packets; k++) {
			u->wire[k].offset = u->iso[k].offset;
			u->wire[k].length = u->iso[k].length;
		}
	}
	memset(&u->prog, 0, sizeof(u->prog));
	u->prog.total = u->len;
	u->prog.in = u->in;
	u->prog.short_not_ok = u->short_not_ok;
	u->prog.zlp = bulk && !u->in && u->zero_packet && u->len &&
		      u->len % u->maxp == 0;
	u->done = false;
	u->status = -EINPROGRESS;
	u->actual = 0;
	u->error_count = 0;
	u->req_id = -1;
	u->holds_ep = false;
	u->unlinking = false;
	u->unlink_wait = false;
	u->queued = false;
	sfront_enqueue(f, u, false);
	return 0;
}

/* Grant @len bytes at @page + @off as the next segment of @rq. */
static int sfront_grant_seg(struct sim *w, struct sfront_shadow *sh,
			    struct xenusb_request_segment *seg, u8 *page,
			    u16 off, u16 len, bool ro)
{
	int ref;

	ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, page, ro);
	if (ref < 0)
		return ref;
	seg[sh->ngref].gref = ref;
	seg[sh->ngref].offset = off;
	seg[sh->ngref].length = len;
	sh->gref[sh->ngref++] = ref;
	return 0;
}

/* Grant the URB's bytes [@pos, @pos + @count) as data segments. */
static int sfront_grant_data(struct sim *w, struct sfront_urb *u,
			     struct sfront_shadow *sh,
			     struct xenusb_request_segment *seg, u32 pos,
			     u32 count, u32 max_segs)
{
	u8 *page0 = (u8 *)((uintptr_t)u->buf & ~(uintptr_t)(SIM_PAGE - 1));
	u32 i, skip = pos;
	int err;

	for (i = 0; i < u->nfrags && count; i++) {
		u32 off, len;

		if (skip >= u->frags[i].len) {
			skip -= u->frags[i].len;
			continue;
		}
		off = u->frags[i].offset + skip;
		len = u->frags[i].len - skip;
		if (len > count)
			len = count;
		skip = 0;
		if (sh->ngref >= max_segs)
			return -EMSGSIZE;
		/* An OUT buffer is only read by the backend. */
		err = sfront_grant_seg(w, sh, seg, page0 + i * SIM_PAGE, off,
				       len, !u->in);
		if (err)
			return err;
		count -= len;
	}
	return count ? -EINVAL : 0;
}

static void sfront_ungrant(struct sim *w, struct sfront_shadow *sh)
{
	while (sh->ngref)
		sim_gnt_end(&w->gt, SIM_DOM_FRONT, sh->gref[--sh->ngref]);
}

static void sfront_queued(struct sfront *f)
{
	f->requests++;
	if (++f->inflight > f->peak_inflight)
		f->peak_inflight = f->inflight;
}

/*
 * usbfront_send(): the next request of @u. Return: 0 sent, -EBUSY no
 * slot or id free, another negative errno when the URB must fail.
 */
static int sfront_send(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	struct xenusb_pipe p = {
		.port = u->port, .devnum = u->devnum, .ep = u->ep,
		.type = u->type, .in = u->in,
	};
	struct usbfront_frag desc[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	u32 max_segs, max_bytes, len = 0, nd = 0, i;
	struct usbfront_xfer x = { 0 };
	struct xenusb_request_segment *seg;
	struct xenusb_urb_request rq;
	struct sfront_shadow *sh;
	bool zlp = false, zero_flag;
	int ind_ref = 0;
	u16 ndata;
	int id, err;

	/* feature-zero-packet: a flag on the last request, as usbfront. */
	zero_flag = u->type == XENUSB_PIPE_TYPE_BULK && !u->in &&
		    u->zero_packet &&
		    xenusb_feat_on(&f->ring.feat, XENUSB_FEAT_ZERO_PACKET);
	if (zero_flag)
		u->prog.zlp = false;
	usbfront_req_limits(&f->ring, u->type, u->wire_pages, &max_segs,
			    &max_bytes);
	if (u->prog.done < u->prog.total) {
		len = usbfront_split_next(u->frags, u->nfrags, u->prog.done,
					  u->type == XENUSB_PIPE_TYPE_BULK ?
					  u->maxp : 0, max_segs, max_bytes);
		if (!len)
			return -EMSGSIZE;
		x.nr_segs = usbfront_split_segs(u->frags, u->nfrags,
						u->prog.done, len);
	} else if (u->prog.zlp) {
		zlp = true;
	}

	x.pipe = xenusb_pipe_encode(&p);
	if (u->devnum)
		usbfront_rh_addressed(&f->rh, u->port);
	x.length = len;
	x.zero_packet = zero_flag && u->prog.done + len == u->prog.total;
	x.interval = u->interval;
	x.nr_packets = u->nr_packets;
	memcpy(x.setup, u->setup, sizeof(x.setup));
	id = usbfront_req_start(&f->ring, &x, &rq);
	if (id < 0)
		return id;
	sh = &f->sh[id];
	sfront_shadow_reset(sh);
	seg = rq.seg;
	if (rq.transfer_flags & XENUSB_INDIRECT) {
		if (!sh->ind)
			sh->ind = aligned_alloc(SIM_PAGE, SIM_PAGE);
		if (!sh->ind) {
			err = -ENOMEM;
			goto fail;
		}
		memset(sh->ind, 0, SIM_PAGE);
		seg = sh->ind;
	} else {
		max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST - u->wire_pages;
	}
	err = sfront_grant_data(w, u, sh, seg, u->prog.done, len, max_segs);
	if (err)
		goto fail;
	ndata = sh->ngref;
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		nd = usbfront_frags_linear(0, u->nr_packets *
					   XENUSB_ISO_DESC_SIZE, desc,
					   u->wire_pages);
		for (i = 0; i < nd; i++) {
			err = sfront_grant_seg(w, sh, rq.seg,
					       (u8 *)u->wire + i * SIM_PAGE,
					       desc[i].offset, desc[i].len,
					       false);
			if (err)
				goto fail;
		}
	}
	if (rq.transfer_flags & XENUSB_INDIRECT) {
		/* The backend only reads the descriptors. */
		ind_ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
					sh->ind, true);
		if (ind_ref < 0) {
			err = ind_ref;
			goto fail;
		}
		sh->gref[sh->ngref++] = ind_ref;
	}
	sh->urb = u;
	if (rq.transfer_flags & XENUSB_INDIRECT)
		err = usbfront_req_queue_indirect(&f->ring, &rq, ndata,
						  ind_ref);
	else
		err = usbfront_req_queue(&f->ring, &rq, (u8)ndata, nd);
	if (err) {
		sh->urb = NULL;
		sfront_ungrant(w, sh);
		return err;
	}
	sfront_queued(f);
	u->req_id = id;
	u->prog.cur_len = len;
	if (zlp) {
		u->prog.zlp = false;
		f->zlp_requests++;
	}
	if (x.zero_packet)
		f->zlp_flags++;
	if (!u->holds_ep &&
	    usbfront_xfer_hold(&u->prog, len, u->type == XENUSB_PIPE_TYPE_CTRL)) {
		u->holds_ep = true;
		*sfront_ep(f, u) = u;
	}
	return 0;

fail:
	sfront_ungrant(w, sh);
	usbfront_req_abort(&f->ring, id);
	return err == -ENOSPC ? -ENOMEM : err;
}

/**
 * sfront_port_reset() - the hub driver just put @port into reset
 * @w: world
 * @port: port
 *
 * As usbfront_send_port_reset(): with feature-port-reset, the reset of a
 * device that was enabled becomes a request, answered by the backend.
 */
void sfront_port_reset(struct sim *w, u8 port)
{
	struct sfront *f = &w->front;
	struct xenusb_urb_request rq;
	int id;

	if (!f->connected || f->dead ||
	    !xenusb_feat_on(&f->ring.feat, XENUSB_FEAT_PORT_RESET) ||
	    !usbfront_rh_reset_remote(&f->rh, port))
		return;
	id = usbfront_req_port_reset(&f->ring, port, &rq);
	if (id < 0) {
		usbfront_rh_reset_answer(&f->rh, port, true);
		return;
	}
	sfront_shadow_reset(&f->sh[id]);
	sfront_queued(f);
	f->port_resets++;
	/* Published at once, as usbfront_send_port_reset() does. */
	if (usbfront_req_push(&f->ring))
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
}

/* Send the unlink of @u's request; 0 sent, -EBUSY no slot or id. */
static int sfront_send_unlink(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	struct xenusb_pipe p = {
		.port = u->port, .devnum = u->devnum, .ep = u->ep,
		.type = u->type, .in = u->in,
	};
	int id;

	id = usbfront_req_unlink(&f->ring, u->req_id, xenusb_pipe_encode(&p));
	if (id < 0)
		return id;
	sfront_shadow_reset(&f->sh[id]);
	sfront_queued(f);
	return 0;
}

/**
 * sfront_kick() - put waiting unlinks and URBs on the ring
 * @w: world
 *
 * Unlinks first; an URB whose endpoint another URB holds stays behind
 * it, in order. Stops when the ring is full or no id is free: that is
 * the back-pressure, the rest waits for responses.
 *
 * Return: true if anything was sent or given back.
 */
bool sfront_kick(struct sim *w)
{
	struct sfront *f = &w->front;
	struct sfront_urb *u, *next;
	bool did = false;
	int err;

	if (!f->connected || f->dead)
		return false;
	while (f->nunlink) {
		u = f->unlink_q[0];
		if (sfront_send_unlink(w, u) == -EBUSY)
			goto push;
		sfront_unlink_forget(f, u);
		did = true;
	}
	for (u = f->qhead; u; u = next) {
		next = u->next;
		if (sfront_ep_busy(f, u))
			continue;
		err = sfront_send(w, u);
		if (err == -EBUSY)
			break;
		sfront_dequeue(f, u);
		if (err)
			sfront_giveback(w, u, err);
		did = true;
	}
push:
	/* Also what the response side queued (next pieces of split URBs). */
	if (f->ring.urb.req_prod_pvt != f->ring.pushed) {
		if (usbfront_req_push(&f->ring))
			sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
		did = true;
	}
	return did;
}

/**
 * sfront_unlink() - cancel an URB (urb_dequeue)
 * @w: world
 * @u: URB
 *
 * An URB with nothing on the ring completes at once; otherwise an unlink
 * request goes out for its request in flight and the URB completes with
 * that request's response.
 *
 * Return: 0, -EIDRM if already completed, -EBUSY if already unlinking.
 */
int sfront_unlink(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;

	if (u->done)
		return -EIDRM;
	if (u->unlinking)
		return -EBUSY;
	u->unlinking = true;
	u->prog.dequeued = true;
	if (u->req_id < 0) {
		sfront_giveback(w, u, -ECONNRESET);
		return 0;
	}
	if (!f->connected || f->dead)
		return 0;	/* the disconnect gives it back */
	if (sfront_send_unlink(w, u) == -EBUSY) {
		u->unlink_wait = true;
		f->unlink_q[f->nunlink++] = u;
	}
	sfront_kick(w);
	return 0;
}

/**
 * sfront_abandon() - forget an URB that will never complete
 * @w: world
 * @u: URB stuck behind a dead frontend or a backend that stopped
 *
 * Its request stays in flight (its grants are ended when the response
 * or the disconnect comes) but no longer points at @u. The caller must
 * keep @u's buffer alive until the world is freed: the backend may still
 * hold its pages.
 */
void sfront_abandon(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	unsigned int id;

	sfront_dequeue(f, u);
	sfront_unlink_forget(f, u);
	if (*sfront_ep(f, u) == u)
		*sfront_ep(f, u) = NULL;
	/* The backend may still hold the descriptor pages. */
	if (u->wire)
		sim_keep(w, u->wire);
	u->wire = NULL;
	for (id = 0; id < SFRONT_NR_IDS; id++)
		if (f->sh[id].urb == u)
			f->sh[id].urb = NULL;
}

/**
 * sfront_raw_submit() - push a hand-made request (hostile-frontend tests)
 * @w: world
 * @req: request; its id is assigned here, nothing else is checked
 * @grefs: grants the request uses, ended at its response
 * @ngref: entries in @grefs
 * @length: bytes the frontend expects at most (rsp_check's limit)
 * @res: where the response goes
 *
 * The request bypasses request building on purpose (it attacks the
 * backend); its answer still goes through the core's response loop.
 *
 * Return: 0 or a negative errno.
 */
int sfront_raw_submit(struct sim *w, struct xenusb_urb_request *req,
		      const u32 *grefs, u8 ngref, u32 length,
		      struct sfront_raw *res)
{
	struct sfront *f = &w->front;
	struct usbfront_inflight *inf;
	struct sfront_shadow *sh;
	struct xenusb_pipe p;
	int id;

	memset(res, 0, sizeof(*res));
	if (ngref > XENUSB_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	if (!f->connected || f->dead)
		return -ESHUTDOWN;
	if (RING_FULL(&f->ring.urb))
		return -EBUSY;
	id = usbfront_id_alloc(&f->ring.ids);
	if (id < 0)
		return id;
	xenusb_pipe_decode(req->pipe, &p);
	inf = &f->ring.inf[id];
	inf->type = p.type;
	inf->in = p.in;
	inf->unlink = p.unlink;
	inf->length = length;
	inf->nr_packets = p.type == XENUSB_PIPE_TYPE_ISOC ?
			  req->u.isoc.number_of_packets : 0;
	sh = &f->sh[id];
	sfront_shadow_reset(sh);
	sh->raw = res;
	if (ngref)
		memcpy(sh->gref, grefs, ngref * sizeof(*grefs));
	sh->ngref = ngref;
	req->id = id;
	*RING_GET_REQUEST(&f->ring.urb, f->ring.urb.req_prod_pvt) = *req;
	f->ring.slot_id[f->ring.urb.req_prod_pvt % SFRONT_NR_IDS] = id;
	f->ring.urb.req_prod_pvt++;
	sfront_queued(f);
	if (usbfront_req_push(&f->ring))
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	return 0;
}

/**
 * sfront_raw_unlink() - push an unlink naming any id (even a stale one)
 * @w: world
 * @victim: unlink_id to send
 * @pipe: pipe of the unlink (the unlink bit is added)
 * @res: where the response goes
 *
 * Return: 0 or a negative errno.
 */
int sfront_raw_unlink(struct sim *w, u16 victim, u32 pipe,
		      struct sfront_raw *res)
{
	struct xenusb_urb_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.pipe = pipe | XENUSB_PIPE_UNLINK;
	rq.u.unlink.unlink_id = victim;
	return sfront_raw_submit(w, &rq, NULL, 0, 0, res);
}

/**
 * sfront_irq() - the frontend's lateeoi event handler (usbfront_interrupt)
 * @w: world
 *
 * Runs the core's response and conn loops until nothing is left, then
 * sends what waited for ring slots.
 */
void sfront_irq(struct sim *w)
{
	struct sfront *f = &w->front;
	bool more_urb, more_conn, did = false;
	int n, c;

	while (f->connected && !f->dead) {
		n = usbfront_ring_responses(&f->ring, &more_urb);
		if (n < 0)
			break;
		c = usbfront_ring_conn(&f->ring, &more_conn);
		if (c < 0)
			break;
		if (n + c)
			did = true;
		if (!more_urb && !more_conn)
			break;
	}
	if (f->ring.broken)
		did = true;
	sfront_kick(w);
	sim_evtchn_eoi(&w->ev, SIM_SIDE_FRONT, !did);
}

/* usbfront_release_shadow(): end request @id's grants, give back its URB. */
static void sfront_release(struct sim *w, u16 id)
{
	struct sfront *f = &w->front;
	struct sfront_shadow *sh = &f->sh[id];
	struct sfront_urb *u = sh->urb;

	if (usbfront_ring_release(&f->ring, id))
		return;
	sh->urb = NULL;
	if (sh->raw) {
		sh->raw->done = true;
		sh->raw->chk.status = -ESHUTDOWN;
		sh->raw = NULL;
	} else if (u) {
		sfront_giveback(w, u, -ESHUTDOWN);
	}
}

/**
 * sfront_disconnect() - the frontend goes away (usbfront_fail_all)
 * @w: world
 *
 * Every request still in flight is released: its grants are ended and
 * its URB completes with -ESHUTDOWN, as do queued URBs. A request whose
 * grants the backend still maps stays held, its URB not given back,
 * until sfront_reclaim() finds the grants free (the module's reclaim
 * work); the grant table reports it as a leak at teardown if that never
 * happens. Then the ring grants are ended.
 */
void sfront_disconnect(struct sim *w)
{
	struct sfront *f = &w->front;
	unsigned int id;

	if (!f->connected)
		return;
	f->connected = false;
	for (id = 0; id < SFRONT_NR_IDS; id++)
		sfront_release(w, id);
	while (f->qhead)
		sfront_giveback(w, f->qhead, -ESHUTDOWN);
	f->nunlink = 0;
	for (id = 0; id < (1u << w->ring_order); id++)
		sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->urb_grefs[id]);
	sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->conn_gref);
}

/**
 * sfront_reclaim() - retry requests the backend held at the disconnect
 * @w: world
 *
 * Return: requests still held.
 */
unsigned int sfront_reclaim(struct sim *w)
{
	struct sfront *f = &w->front;
	unsigned int id;

	for (id = 0; id < SFRONT_NR_IDS; id++)
		if (f->ring.held[id])
			sfront_release(w, id);
	return f->ring.nheld;
}
