// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's frontend: a small model of usbfront's ring logic
 * around the usbfront protocol core. URB buffers are cut into page
 * fragments by usbfront_frags_linear() and into requests by
 * usbfront_split_next(), each page granted for the life of its request;
 * ids come from the id table; every response goes through
 * usbfront_rsp_check() (and usbfront_iso_rsp_check() for descriptors)
 * after the id is checked with usbfront_id_in_use(); conn ring events
 * pass usbfront_conn_check() and drive the root hub with
 * usbfront_rh_connect().
 *
 * A protocol error that leaves the frontend unable to trust the ring
 * (unknown or duplicate id, producer overflow, a grant still mapped) is
 * latched as xen-hcd does and the frontend stops; out-of-range values
 * are counted and used clamped.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
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
	usbfront_ids_init(&f->ids, SFRONT_NR_IDS);
	usbfront_rh_init(&f->rh, nports, usb_ver);
}

/**
 * sfront_connect() - set up and grant both rings, pre-post conn requests
 * @w: world
 *
 * Return: 0 or -ENOSPC (grant table full).
 */
int sfront_connect(struct sim *w)
{
	struct sfront *f = &w->front;
	struct xenusb_urb_sring *us = w->urb_page;
	struct xenusb_conn_sring *cs = w->conn_page;
	int ref, notify;
	unsigned int i;

	SHARED_RING_INIT(us);
	FRONT_RING_INIT(&f->urb, us, SIM_PAGE);
	SHARED_RING_INIT(cs);
	FRONT_RING_INIT(&f->conn, cs, SIM_PAGE);

	ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, us, false);
	if (ref < 0)
		return ref;
	f->urb_gref = ref;
	ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, cs, false);
	if (ref < 0)
		return ref;
	f->conn_gref = ref;

	for (i = 0; i < RING_SIZE(&f->conn); i++) {
		struct xenusb_conn_request *req;

		req = RING_GET_REQUEST(&f->conn, f->conn.req_prod_pvt);
		req->id = i;
		f->conn.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->conn, notify);
	if (notify)
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	f->connected = true;
	return 0;
}

static void sfront_dequeue(struct sfront *f, struct sfront_urb *u)
{
	struct sfront_urb **pp, *prev = NULL;

	for (pp = &f->qhead; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != u)
			continue;
		*pp = u->next;
		if (f->qtail == u)
			f->qtail = prev;
		u->next = NULL;
		return;
	}
}

static void sfront_giveback(struct sim *w, struct sfront_urb *u, int status)
{
	u->status = status;
	u->done = true;
	if (u->complete)
		u->complete(w, u);
}

/**
 * sfront_submit() - queue an URB (urb_enqueue)
 * @w: world
 * @u: URB; buf must stay valid until completion
 *
 * Return: 0, -ESHUTDOWN if the frontend is not usable, -EMSGSIZE if the
 * buffer spans more pages than the model handles.
 */
int sfront_submit(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;

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
	u->done = false;
	u->status = -EINPROGRESS;
	u->actual = 0;
	u->error_count = 0;
	u->pos = 0;
	u->parts_out = 0;
	u->parts_sent = 0;
	u->started = false;
	u->short_seen = false;
	u->unlinking = false;
	u->part_status = 0;
	u->next = NULL;
	if (f->qtail)
		f->qtail->next = u;
	else
		f->qhead = u;
	f->qtail = u;
	return 0;
}

/* Grant the pages under [@base, @base + @len) as segments from @seg. */
static int sfront_grant_linear(struct sim *w, struct sfront_shadow *sh,
			       struct xenusb_urb_request *rq, u8 seg,
			       u8 *base, u32 len, bool ro)
{
	struct usbfront_frag frags[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	u8 *page = (u8 *)((uintptr_t)base & ~(uintptr_t)(SIM_PAGE - 1));
	u32 n, i;
	int ref;

	n = usbfront_frags_linear((u32)(uintptr_t)base, len, frags,
				  XENUSB_MAX_SEGMENTS_PER_REQUEST - seg);
	if (!n)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
				    page + i * SIM_PAGE, ro);
		if (ref < 0)
			return ref;
		sh->gref[sh->ngref++] = ref;
		rq->seg[seg + i].gref = ref;
		rq->seg[seg + i].offset = frags[i].offset;
		rq->seg[seg + i].length = frags[i].len;
	}
	return n;
}

/* Grant the URB's bytes [@pos, @pos + @count) as data segments. */
static int sfront_grant_data(struct sim *w, struct sfront_urb *u,
			     struct sfront_shadow *sh,
			     struct xenusb_urb_request *rq, u32 pos, u32 count)
{
	u8 *page0 = (u8 *)((uintptr_t)u->buf & ~(uintptr_t)(SIM_PAGE - 1));
	u32 i, skip = pos, n = 0;
	int ref;

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
		if (n == XENUSB_MAX_SEGMENTS_PER_REQUEST)
			return -EMSGSIZE;
		/* An OUT buffer is only read by the backend. */
		ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
				    page0 + i * SIM_PAGE, !u->in);
		if (ref < 0)
			return ref;
		sh->gref[sh->ngref++] = ref;
		rq->seg[n].gref = ref;
		rq->seg[n].offset = off;
		rq->seg[n].length = len;
		n++;
		count -= len;
	}
	return n;
}

static void sfront_end_grants(struct sim *w, struct sfront_shadow *sh)
{
	struct sfront *f = &w->front;
	unsigned int i;

	for (i = 0; i < sh->ngref; i++) {
		if (!sim_gnt_end(&w->gt, SIM_DOM_FRONT, sh->gref[i]))
			continue;
		/* Still mapped: fatal for the ring, retried for the page. */
		sfront_error(f, true, "grant %u still mapped by the backend at its response",
			     sh->gref[i]);
		f->deferred[f->ndeferred++] = sh->gref[i];
	}
	sh->ngref = 0;
}

static void sfront_push(struct sim *w, const struct xenusb_urb_request *rq)
{
	struct sfront *f = &w->front;

	*RING_GET_REQUEST(&f->urb, f->urb.req_prod_pvt) = *rq;
	f->urb.req_prod_pvt++;
	f->requests++;
	if (++f->inflight > f->peak_inflight)
		f->peak_inflight = f->inflight;
}

/* Fail an URB that cannot be sent; its earlier parts may be out. */
static void sfront_fail_urb(struct sim *w, struct sfront_urb *u, int err)
{
	sfront_dequeue(&w->front, u);
	if (!u->part_status)
		u->part_status = err;
	u->pos = u->len;
	if (!u->parts_out)
		sfront_giveback(w, u, u->part_status);
}

/* Build and push the next request of @u; 1 sent, 0 no id free. */
static int sfront_send_part(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	struct xenusb_urb_request rq;
	struct xenusb_pipe p = {
		.port = u->port, .devnum = u->devnum, .ep = u->ep,
		.type = u->type, .in = u->in,
	};
	struct sfront_shadow *sh;
	u32 count = 0, max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST, nd = 0;
	u32 desc_bytes = u->nr_packets * XENUSB_ISO_DESC_SIZE;
	int id, n;

	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		nd = xenusb_pages_spanned((u32)(uintptr_t)u->iso, desc_bytes);
		if (!nd || nd >= max_segs) {
			sfront_fail_urb(w, u, -EMSGSIZE);
			return 1;
		}
		max_segs -= nd;
	}
	if (u->len) {
		/* Control and iso transfers cannot be split (maxp 0). */
		bool whole = u->type == XENUSB_PIPE_TYPE_CTRL ||
			     u->type == XENUSB_PIPE_TYPE_ISOC;

		count = usbfront_split_next(u->frags, u->nfrags, u->pos,
					    whole ? 0 : u->maxp, max_segs,
					    SFRONT_MAX_BYTES);
		if (!count) {
			sfront_fail_urb(w, u, -EMSGSIZE);
			return 1;
		}
	}

	id = usbfront_id_alloc(&f->ids);
	if (id < 0)
		return 0;
	sh = &f->sh[id];
	memset(sh, 0, sizeof(*sh));
	memset(&rq, 0, sizeof(rq));

	n = sfront_grant_data(w, u, sh, &rq, u->pos, count);
	if (n < 0)
		goto fail;
	rq.nr_buffer_segs = n;
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		int d = sfront_grant_linear(w, sh, &rq, n, (u8 *)u->iso,
					    desc_bytes, false);

		if (d < 0)
			goto fail;
		rq.u.isoc.interval = u->interval;
		rq.u.isoc.start_frame = 0;
		rq.u.isoc.number_of_packets = u->nr_packets;
		rq.u.isoc.nr_frame_desc_segs = d;
	} else if (u->type == XENUSB_PIPE_TYPE_INT) {
		rq.u.intr.interval = u->interval;
	} else if (u->type == XENUSB_PIPE_TYPE_CTRL) {
		memcpy(rq.u.ctrl, u->setup, sizeof(rq.u.ctrl));
	}
	rq.id = id;
	rq.pipe = xenusb_pipe_encode(&p);
	rq.transfer_flags = u->short_not_ok ? XENUSB_SHORT_NOT_OK : 0;
	rq.buffer_length = count;	/* count <= SFRONT_MAX_BYTES < 64 KiB */

	sh->urb = u;
	sh->off = u->pos;
	sh->len = count;
	sh->inf.type = u->type;
	sh->inf.in = u->in;
	sh->inf.unlink = false;
	sh->inf.length = count;
	sh->inf.nr_packets = u->nr_packets;

	u->started = true;
	u->pos += count;
	u->parts_out++;
	u->parts_sent++;
	if (u->pos == u->len)
		sfront_dequeue(f, u);
	sfront_push(w, &rq);
	return 1;

fail:
	sfront_end_grants(w, sh);
	usbfront_id_release(&f->ids, id);
	sfront_fail_urb(w, u, -ENOMEM);
	return 1;
}

/* Send a queued unlink; 1 sent or dropped, 0 no id free. */
static int sfront_send_unlink(struct sim *w)
{
	struct sfront *f = &w->front;
	struct sfront_urb *u = f->unlink_q[0].urb;
	u16 victim = f->unlink_q[0].id;
	struct xenusb_urb_request rq;
	struct xenusb_pipe p = {
		.port = u->port, .devnum = u->devnum, .ep = u->ep,
		.type = u->type, .in = u->in, .unlink = true,
	};
	struct sfront_shadow *sh;
	int id = 0;
	bool live = usbfront_id_in_use(&f->ids, victim) &&
		    f->sh[victim].urb == u;

	if (live) {
		id = usbfront_id_alloc(&f->ids);
		if (id < 0)
			return 0;
	}
	f->nunlink--;
	memmove(&f->unlink_q[0], &f->unlink_q[1],
		f->nunlink * sizeof(f->unlink_q[0]));
	if (!live)
		return 1;	/* its response came in the meantime */

	sh = &f->sh[id];
	memset(sh, 0, sizeof(*sh));
	sh->inf.type = u->type;
	sh->inf.in = u->in;
	sh->inf.unlink = true;
	sh->unlink_of = victim;
	memset(&rq, 0, sizeof(rq));
	rq.id = id;
	rq.pipe = xenusb_pipe_encode(&p);
	rq.u.unlink.unlink_id = victim;
	sfront_push(w, &rq);
	return 1;
}

/**
 * sfront_kick() - put queued unlinks and URB parts on the ring
 * @w: world
 *
 * Stops when the ring is full or no id is free: that is the
 * back-pressure, the rest stays queued until responses come back.
 *
 * Return: true if anything was pushed.
 */
bool sfront_kick(struct sim *w)
{
	struct sfront *f = &w->front;
	bool did = false;
	int notify;

	/* Grants the backend had not unmapped yet at their response. */
	while (f->ndeferred &&
	       !sim_gnt_end(&w->gt, SIM_DOM_FRONT,
			    f->deferred[f->ndeferred - 1])) {
		f->ndeferred--;
		did = true;
	}
	while (f->connected && !f->dead && !RING_FULL(&f->urb)) {
		int r;

		if (f->nunlink)
			r = sfront_send_unlink(w);
		else if (f->qhead)
			r = sfront_send_part(w, f->qhead);
		else
			break;
		if (!r)
			break;
		did = true;
	}
	if (did && f->connected) {
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->urb, notify);
		if (notify)
			sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	}
	return did;
}

/**
 * sfront_unlink() - cancel an URB (urb_dequeue)
 * @w: world
 * @u: URB
 *
 * An URB with nothing on the ring completes at once; otherwise an unlink
 * request goes out for each of its requests in flight and the URB
 * completes when their responses are in.
 *
 * Return: 0, -EIDRM if already completed, -EBUSY if already unlinking.
 */
int sfront_unlink(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	unsigned int id;

	if (u->done)
		return -EIDRM;
	if (u->unlinking)
		return -EBUSY;
	u->unlinking = true;
	sfront_dequeue(f, u);
	if (!u->parts_out) {
		sfront_giveback(w, u, -ECONNRESET);
		return 0;
	}
	for (id = 0; id < SFRONT_NR_IDS; id++) {
		if (!usbfront_id_in_use(&f->ids, id) || f->sh[id].urb != u)
			continue;
		f->unlink_q[f->nunlink].id = id;
		f->unlink_q[f->nunlink].urb = u;
		f->nunlink++;
	}
	return 0;
}

/**
 * sfront_abandon() - forget an URB that will never complete
 * @w: world
 * @u: URB stuck behind a dead frontend or a backend that stopped
 *
 * Its requests stay in flight (their grants are ended when the response
 * or the disconnect comes) but no longer point at @u. The caller must
 * keep @u's buffer alive until the world is freed: the backend may still
 * hold its pages.
 */
void sfront_abandon(struct sim *w, struct sfront_urb *u)
{
	struct sfront *f = &w->front;
	unsigned int id, i;

	sfront_dequeue(f, u);
	for (id = 0; id < SFRONT_NR_IDS; id++)
		if (f->sh[id].urb == u)
			f->sh[id].urb = NULL;
	for (i = 0; i < f->nunlink; ) {
		if (f->unlink_q[i].urb != u) {
			i++;
			continue;
		}
		f->nunlink--;
		memmove(&f->unlink_q[i], &f->unlink_q[i + 1],
			(f->nunlink - i) * sizeof(f->unlink_q[0]));
	}
}

/* Push a hand-made request now. */
static int sfront_raw_push(struct sim *w, struct xenusb_urb_request *req,
			   struct sfront_shadow *sh_init, u16 *out_id)
{
	struct sfront *f = &w->front;
	int id, notify;

	if (!f->connected || f->dead)
		return -ESHUTDOWN;
	if (RING_FULL(&f->urb))
		return -EBUSY;
	id = usbfront_id_alloc(&f->ids);
	if (id < 0)
		return id;
	f->sh[id] = *sh_init;
	req->id = id;
	sfront_push(w, req);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->urb, notify);
	if (notify)
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	*out_id = id;
	return 0;
}

/**
 * sfront_raw_submit() - push a hand-made request (hostile-frontend tests)
 * @w: world
 * @req: request; its id is assigned here
 * @grefs: grants the request uses, ended at its response
 * @ngref: entries in @grefs
 * @length: bytes the frontend expects at most (rsp_check's limit)
 * @res: where the response goes
 *
 * Return: 0 or a negative errno.
 */
int sfront_raw_submit(struct sim *w, struct xenusb_urb_request *req,
		      const u32 *grefs, u8 ngref, u32 length,
		      struct sfront_raw *res)
{
	struct sfront_shadow sh;
	struct xenusb_pipe p;
	u16 id;

	memset(&sh, 0, sizeof(sh));
	memset(res, 0, sizeof(*res));
	xenusb_pipe_decode(req->pipe, &p);
	sh.raw = res;
	sh.inf.type = p.type;
	sh.inf.in = p.in;
	sh.inf.unlink = p.unlink;
	sh.inf.length = length;
	sh.inf.nr_packets = p.type == XENUSB_PIPE_TYPE_ISOC ?
			    req->u.isoc.number_of_packets : 0;
	if (ngref > XENUSB_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	if (ngref)
		memcpy(sh.gref, grefs, ngref * sizeof(*grefs));
	sh.ngref = ngref;
	return sfront_raw_push(w, req, &sh, &id);
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

/* One part of an URB is back. */
static void sfront_part_done(struct sim *w, struct sfront_shadow *sh,
			     const struct usbfront_rsp *chk)
{
	struct sfront_urb *u = sh->urb;
	int status;

	u->parts_out--;
	if (!u->short_seen && !u->part_status) {
		u->actual += chk->actual_length;
		if (chk->status)
			u->part_status = chk->status;
		else if (chk->actual_length < sh->len)
			u->short_seen = true;
	}
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		u->error_count = chk->error_count;
		u->start_frame = chk->start_frame;
	}
	/* An early end (error, short packet) sends no further part. */
	if (u->part_status || u->short_seen)
		sfront_dequeue(&w->front, u);
	if (u->parts_out ||
	    (u->pos != u->len && !u->part_status && !u->short_seen &&
	     !u->unlinking))
		return;

	status = u->part_status;
	if (u->unlinking && (status == -ESHUTDOWN ||
			     (!u->short_seen && u->pos != u->len)))
		status = -ECONNRESET;
	sfront_giveback(w, u, status);
}

static void sfront_one_rsp(struct sim *w, const struct xenusb_urb_response *rsp)
{
	struct sfront *f = &w->front;
	struct sfront_shadow *sh;
	struct usbfront_rsp chk;
	struct sfront_urb *u;

	if (!usbfront_id_in_use(&f->ids, rsp->id)) {
		sfront_error(f, true, "response for id %u, which is not in flight",
			     rsp->id);
		return;
	}
	sh = &f->sh[rsp->id];
	usbfront_rsp_check(rsp, &sh->inf, &chk);
	/*
	 * As usbfront's ring.c: an unlink's answer carries nothing (usbback
	 * answers -ENOENT when the victim was gone), nor does the answer
	 * of a request being unlinked; anything else out of range is the
	 * backend's fault, counted and used clamped.
	 */
	if (chk.clamped && (sh->inf.unlink || (sh->urb && sh->urb->unlinking)))
		f->clamped_ignored++;
	else if (chk.clamped)
		sfront_error(f, false, "response %u out of range: status %d length %d/%u errors %d",
			     rsp->id, rsp->status, rsp->actual_length,
			     sh->inf.length, rsp->error_count);
	sfront_end_grants(w, sh);

	u = sh->urb;
	if (u && u->type == XENUSB_PIPE_TYPE_ISOC && u->nr_packets) {
		/* Check a private copy, then publish the checked values. */
		struct xenusb_iso_desc *copy = f->iso_copy;
		u16 n = u->nr_packets;
		int fixed;

		if (n > SIM_MAX_ISO_PACKETS)
			n = SIM_MAX_ISO_PACKETS;
		memcpy(copy, u->iso, n * sizeof(*copy));
		fixed = usbfront_iso_rsp_check(copy, n, u->len);
		if (fixed) {
			f->iso_fixed += fixed;
			sfront_error(f, false, "response %u: %d iso descriptor(s) out of range",
				     rsp->id, fixed);
		}
		memcpy(u->iso, copy, n * sizeof(*copy));
	}
	usbfront_id_release(&f->ids, rsp->id);
	f->inflight--;
	f->responses++;

	if (sh->raw) {
		sh->raw->rsp = *rsp;
		sh->raw->chk = chk;
		sh->raw->done = true;
	} else if (u) {
		sfront_part_done(w, sh, &chk);
	}
}

static bool sfront_poll_urb(struct sim *w)
{
	struct sfront *f = &w->front;
	struct xenusb_urb_response rsp;
	RING_IDX i, rp;
	bool did = false;
	int more;

	do {
		rp = READ_ONCE(f->urb.sring->rsp_prod);
		virt_rmb();	/* responses up to rp are visible */
		if (RING_RESPONSE_PROD_OVERFLOW(&f->urb, rp)) {
			sfront_error(f, true, "urb ring response producer %u overflows (at %u)",
				     rp, f->urb.rsp_cons);
			return true;
		}
		for (i = f->urb.rsp_cons; i != rp; i++) {
			RING_COPY_RESPONSE(&f->urb, i, &rsp);
			f->urb.rsp_cons = i + 1;
			did = true;
			sfront_one_rsp(w, &rsp);
			if (f->dead)
				return did;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&f->urb, more);
	} while (more);
	return did;
}

static bool sfront_poll_conn(struct sim *w)
{
	struct sfront *f = &w->front;
	struct xenusb_conn_response ev;
	RING_IDX i, rp;
	bool did = false;
	int more, notify;

	do {
		rp = READ_ONCE(f->conn.sring->rsp_prod);
		virt_rmb();	/* events up to rp are visible */
		if (RING_RESPONSE_PROD_OVERFLOW(&f->conn, rp)) {
			sfront_error(f, true, "conn ring response producer %u overflows",
				     rp);
			return true;
		}
		for (i = f->conn.rsp_cons; i != rp; i++) {
			struct xenusb_conn_request *req;

			RING_COPY_RESPONSE(&f->conn, i, &ev);
			f->conn.rsp_cons = i + 1;
			did = true;
			f->conn_events++;
			if (usbfront_conn_check(&ev, f->nports, f->usb_ver)) {
				sfront_error(f, false, "conn event port %u speed %u rejected",
					     ev.portnum, ev.speed);
			} else {
				usbfront_rh_connect(&f->rh, ev.portnum,
						    ev.speed);
				f->port_events[ev.portnum]++;
			}
			/* Give the slot back for the next event. */
			req = RING_GET_REQUEST(&f->conn, f->conn.req_prod_pvt);
			req->id = ev.id;
			f->conn.req_prod_pvt++;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&f->conn, more);
	} while (more);
	if (did) {
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->conn, notify);
		if (notify)
			sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	}
	return did;
}

/**
 * sfront_irq() - the frontend's lateeoi event handler
 * @w: world
 */
void sfront_irq(struct sim *w)
{
	struct sfront *f = &w->front;
	bool did = false;

	if (f->connected && !f->dead) {
		did |= sfront_poll_urb(w);
		if (!f->dead)
			did |= sfront_poll_conn(w);
	}
	sim_evtchn_eoi(&w->ev, SIM_SIDE_FRONT, !did);
}

/**
 * sfront_disconnect() - the frontend goes away (after the backend)
 * @w: world
 *
 * Every request still in flight is forgotten: its grants are ended and
 * its URB completes with -ESHUTDOWN, as do queued URBs. Then the ring
 * grants are ended.
 */
void sfront_disconnect(struct sim *w)
{
	struct sfront *f = &w->front;
	unsigned int id;

	if (!f->connected)
		return;
	f->connected = false;
	for (id = 0; id < SFRONT_NR_IDS; id++) {
		struct sfront_shadow *sh = &f->sh[id];

		if (!usbfront_id_in_use(&f->ids, id))
			continue;
		sfront_end_grants(w, sh);
		usbfront_id_release(&f->ids, id);
		f->inflight--;
		if (sh->raw) {
			sh->raw->done = true;
			sh->raw->chk.status = -ESHUTDOWN;
		} else if (sh->urb && !--sh->urb->parts_out) {
			sfront_dequeue(f, sh->urb);
			sfront_giveback(w, sh->urb, -ESHUTDOWN);
		}
	}
	while (f->qhead) {
		struct sfront_urb *u = f->qhead;

		sfront_dequeue(f, u);
		sfront_giveback(w, u, -ESHUTDOWN);
	}
	f->nunlink = 0;
	while (f->ndeferred)
		sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->deferred[--f->ndeferred]);
	sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->urb_gref);
	sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->conn_gref);
}
