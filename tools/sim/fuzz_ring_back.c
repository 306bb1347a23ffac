// SPDX-License-Identifier: GPL-2.0
/*
 * A whole hostile frontend against usbback's real ring code: the input
 * is a script of frontend actions (post any request, with any pipe,
 * flags, segments and grants, indirect descriptors included; post conn
 * requests; push with or without an event; overflow the producer index;
 * plug and unplug devices; let time pass; starve the backend of memory;
 * reconnect, with or without feature-zero-packet, feature-port-reset and
 * feature-max-indirect-segments), played against
 * usbback/urb_ring.c and conn_ring.c inside the simulator's world
 * (back.c's ops, simulated grants and event channel, virtual devices).
 *
 * After every action the invariants are checked:
 *  - slots: the core's in-use slots are exactly the requests taken off
 *    the ring and not yet answered;
 *  - grants: no violation in the grant table; nothing but the two ring
 *    pages stays mapped while no request is in flight; at the end
 *    nothing is left mapped or granted;
 *  - every request taken off the ring is answered exactly once: each
 *    response names a request in flight, and after the final disconnect
 *    none is left;
 *  - no write past a granted segment: bytes of the frontend's data pages
 *    that no writable segment covers keep their canary;
 *  - a producer index past the ring's size latches the fatal error, and
 *    no request is taken after it.
 *
 * sim_fuzz_ring_back() returns 0 or -1 with the broken invariant in
 * @why; built with -DSIM_LIBFUZZER it is the libFuzzer entry point and
 * traps instead, and the simulator's check replays the corpus in
 * tools/sim/corpus/back through it (scenario fuzz_corpus_back).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"
#include "fuzz_ring_back.h"

#define FZ_NPORTS	3
#define FZ_NPAGES	6
#define FZ_CANARY	0xa5
#define FZ_MAX_ACTIONS	256
#define FZ_LOG		64	/* requests remembered, > the ring's size */
/*
 * The descriptor page: indirect requests' data segments, written by
 * fz_indirect() in one region of FZ_IND_REGION descriptors per ring index
 * (modulo the page), granted read-only like a frontend's indirect pages.
 */
#define FZ_IND_REGION	64
#define FZ_IND_DESCS	(SIM_PAGE / XENUSB_INDIRECT_DESC_SIZE)

struct fz {
	struct sim *w;
	const u8 *p;
	size_t n;
	u8 *page[FZ_NPAGES];
	u32 gref[FZ_NPAGES];
	bool ro[FZ_NPAGES];
	struct xenusb_request_segment *ind;	/* the descriptor page */
	u32 ind_gref;
	/* 0xff: a byte a writable segment of some taken request covered */
	u8 writable[FZ_NPAGES][SIM_PAGE];
	u32 urb_gref;
	u32 conn_gref;
	/*
	 * A taken request let the backend write into one of our own ring
	 * pages (a raw gref that is the ring's): we scribbled on our rings
	 * ourselves, so what they hold says nothing about the backend until
	 * the next connect.  Found by fuzzing: a bulk IN into the conn ring
	 * page gave its producer indexes garbage values.
	 */
	bool rings_clobbered;
	struct xenusb_urb_front_ring urb;
	struct xenusb_conn_front_ring conn;
	bool connected;
	/*
	 * The requests posted, by ring index (RING_IDX % FZ_LOG): the ring
	 * slot itself holds the response once the backend answered.
	 */
	struct xenusb_urb_request posted[FZ_LOG];
	RING_IDX taken;		/* requests seen taken (consumer index) */
	/*
	 * Ids of the requests taken, not yet answered (a multiset: one look
	 * may see a request taken, answered and its id taken again).
	 */
	u16 inflight[FZ_LOG];
	u32 ninflight;
	u16 next_id;
	u64 answered;
	u64 checked;		/* answered at the last canary check */
	char *why;
	size_t len;
};

static u8 take8(struct fz *f)
{
	u8 v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static u16 take16(struct fz *f)
{
	return take8(f) | take8(f) << 8;
}

static u32 take32(struct fz *f)
{
	return take16(f) | (u32)take16(f) << 16;
}

static int bad(struct fz *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, f->len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Page index of a gref of ours, or -1. */
static int fz_page_of(const struct fz *f, u32 gref)
{
	unsigned int i;

	for (i = 0; i < FZ_NPAGES; i++)
		if (f->gref[i] == gref)
			return i;
	return -1;
}

/* The segment @s of a request the backend may write into. */
static void fz_mark_seg(struct fz *f, const struct xenusb_request_segment *s)
{
	int pg = fz_page_of(f, s->gref);
	u32 end = (u32)s->offset + s->length;

	if (f->connected && (s->gref == f->urb_gref || s->gref == f->conn_gref))
		f->rings_clobbered = true;
	if (pg < 0 || f->ro[pg])
		return;
	if (end > SIM_PAGE)
		end = SIM_PAGE;
	if (s->offset < end)
		memset(f->writable[pg] + s->offset, 0xff, end - s->offset);
}

/*
 * The data segments an indirect request @r names in its descriptor
 * pages: those of our pages (the descriptor page or a data page) as they
 * are now, which is what the backend read when it took @r (it reads them
 * before it moves its consumer index; we write nothing meanwhile).  More
 * than the backend accepts is marked, never less.
 */
static void fz_mark_indirect(struct fz *f, const struct xenusb_urb_request *r)
{
	unsigned int i, k, n = 0;

	for (i = 0; i < r->nr_buffer_segs &&
	     i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
		const struct xenusb_request_segment *s = &r->seg[i];
		int pg = fz_page_of(f, s->gref);
		const u8 *page;
		u32 end = (u32)s->offset + s->length;

		if (s->gref == f->ind_gref)
			page = (const u8 *)f->ind;
		else if (pg >= 0)
			page = f->page[pg];
		else
			continue;
		if (end > SIM_PAGE)
			end = SIM_PAGE;
		for (k = s->offset; k + XENUSB_INDIRECT_DESC_SIZE <= end &&
		     n < FZ_IND_DESCS; k += XENUSB_INDIRECT_DESC_SIZE, n++) {
			struct xenusb_request_segment d;

			memcpy(&d, page + k, sizeof(d));
			fz_mark_seg(f, &d);
		}
	}
}

/* A data page or descriptor the backend may write, from a taken request. */
static void fz_mark_writable(struct fz *f, const struct xenusb_urb_request *r)
{
	struct xenusb_pipe pipe;
	unsigned int i, nsegs = r->nr_buffer_segs;
	bool iso;

	xenusb_pipe_decode(r->pipe, &pipe);
	if (pipe.unlink)
		return;
	if (r->transfer_flags & XENUSB_INDIRECT) {
		/* The backend only reads the descriptor pages themselves. */
		if (pipe.in)
			fz_mark_indirect(f, r);
		return;
	}
	iso = pipe.type == XENUSB_PIPE_TYPE_ISOC;
	if (iso)
		nsegs += r->u.isoc.nr_frame_desc_segs;
	for (i = 0; i < nsegs && i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
		/* IN data, and iso descriptors (written back), may change. */
		if (pipe.in || (iso && i >= r->nr_buffer_segs))
			fz_mark_seg(f, &r->seg[i]);
	}
}

/* Responses: each must answer a request in flight, once. */
static int fz_drain(struct fz *f)
{
	struct xenusb_urb_front_ring *ring = &f->urb;
	RING_IDX rp, rc;

	if (f->rings_clobbered)
		return 0;
	rp = f->urb.sring->rsp_prod;
	virt_rmb(); /* responses up to rp are visible */
	if (rp - ring->rsp_cons > RING_SIZE(ring))
		return bad(f, "response producer %u past the ring (consumer %u)",
			   rp, ring->rsp_cons);
	for (rc = ring->rsp_cons; rc != rp; rc++) {
		const struct xenusb_urb_response *rsp = RING_GET_RESPONSE(ring, rc);

		unsigned int i;

		for (i = 0; i < f->ninflight; i++)
			if (f->inflight[i] == rsp->id)
				break;
		if (i == f->ninflight)
			return bad(f, "response for id %u, not in flight", rsp->id);
		f->inflight[i] = f->inflight[--f->ninflight];
		f->answered++;
	}
	ring->rsp_cons = rp;
	/* conn responses: only their ports are checked */
	rp = f->conn.sring->rsp_prod;
	virt_rmb(); /* responses up to rp are visible */
	for (rc = f->conn.rsp_cons; rc != rp; rc++) {
		const struct xenusb_conn_response *ev =
			RING_GET_RESPONSE(&f->conn, rc);

		if (ev->portnum < 1 || ev->portnum > FZ_NPORTS ||
		    ev->speed > XENUSB_SPEED_HIGH)
			return bad(f, "conn event port %u speed %u", ev->portnum,
				   ev->speed);
	}
	f->conn.rsp_cons = rp;
	return 0;
}

/* What the backend took since the last look joins the requests in flight. */
static int fz_note_taken(struct fz *f)
{
	const struct sback *b = &f->w->back;
	RING_IDX cons = b->ring.urb.req_cons;

	if (cons - f->taken > RING_SIZE(&f->urb))
		return bad(f, "backend consumer %u ran past %u", cons, f->taken);
	for (; f->taken != cons; f->taken++) {
		const struct xenusb_urb_request *req =
			&f->posted[f->taken % FZ_LOG];

		if (f->ninflight == FZ_LOG)
			return bad(f, "more than %u requests in flight", FZ_LOG);
		f->inflight[f->ninflight++] = req->id;
		fz_mark_writable(f, req);
	}
	return 0;
}

/*
 * The first byte of @page outside the writable segments (@wr, 0xff where
 * writable) that is not the canary, or SIM_PAGE.  A word at a time: this
 * runs after every answered step and a byte loop took a fifth of the
 * fuzzer's time.
 */
static SIM_NO_COVERAGE unsigned int fz_outside_write(const u8 *page, const u8 *wr)
{
	const u64 canary = 0x0101010101010101ull * FZ_CANARY;
	unsigned int i, b;
	u64 p, m;

	for (i = 0; i < SIM_PAGE; i += sizeof(u64)) {
		memcpy(&p, page + i, sizeof(p));
		memcpy(&m, wr + i, sizeof(m));
		if (!((p ^ canary) & ~m))
			continue;
		for (b = i; b < i + sizeof(u64); b++)
			if (!wr[b] && page[b] != FZ_CANARY)
				return b;
	}
	return SIM_PAGE;
}

/* Run the backend until nothing moves; the frontend only watches. */
static int fz_settle(struct fz *f)
{
	struct sim *w = f->w;
	unsigned int k;

	for (k = 0; k < 256; k++) {
		bool did = false;

		if (sim_evtchn_deliver(&w->ev, SIM_SIDE_BACK)) {
			sback_irq(w);
			did = true;
		}
		if (fz_note_taken(f))
			return -1;
		did |= sback_work(w);
		if (fz_note_taken(f))
			return -1;
		if (sim_evtchn_deliver(&w->ev, SIM_SIDE_FRONT)) {
			sim_evtchn_eoi(&w->ev, SIM_SIDE_FRONT, false);
			did = true;
		}
		if (fz_drain(f))
			return -1;
		if (!did)
			return 0;
	}
	return bad(f, "backend still busy after 256 steps");
}

static SIM_NO_COVERAGE int fz_invariants(struct fz *f)
{
	const struct sim *w = f->w;
	const struct sback *b = &w->back;
	unsigned int i, pg, used = 0;

	if (w->gt.violations)
		return bad(f, "grant table: %s", w->gt.first);
	if (w->ev.violations)
		return bad(f, "event channel: %s", w->ev.first);
	for (i = 0; i < SBACK_SLOTS; i++)
		used += b->ring.rq[i].in_use;
	if (used != b->ring.nr_inflight)
		return bad(f, "%u slots in use, core counts %u", used,
			   b->ring.nr_inflight);
	if (f->connected && !f->rings_clobbered && used != f->ninflight)
		return bad(f, "%u slots in use, %u requests unanswered", used,
			   f->ninflight);
	if (!used && w->gt.maps_alive != (f->connected ? 2u : 0u))
		return bad(f, "%u mappings alive with no request in flight",
			   w->gt.maps_alive);
	/* Data reaches the frontend's pages only with a response. */
	if (f->checked == f->answered)
		return 0;
	f->checked = f->answered;
	for (pg = 0; pg < FZ_NPAGES; pg++) {
		i = fz_outside_write(f->page[pg], f->writable[pg]);
		if (i < SIM_PAGE)
			return bad(f, "page %u byte %u written outside the segments",
				   pg, i);
	}
	return 0;
}

/* Setup packets worth trying; anything else comes raw from the input. */
static const u8 fz_setups[][8] = {
	{ USB_DIR_OUT, USB_REQ_SET_ADDRESS, 2, 0, 0, 0, 0, 0 },
	{ USB_DIR_OUT, USB_REQ_SET_ADDRESS, 200, 0, 0, 0, 0, 0 },
	{ USB_DIR_OUT, USB_REQ_SET_CONFIGURATION, 0, 0, 0, 0, 0, 0 },
	{ USB_DIR_OUT, USB_REQ_SET_CONFIGURATION, 1, 0, 0, 0, 0, 0 },
	{ USB_DIR_OUT, USB_REQ_SET_CONFIGURATION, 7, 0, 0, 0, 0, 0 },
	{ USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, 1, 0, 0, 0, 0, 0 },
	{ USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, 0, 0, 0, 0, 0, 0 },
	{ USB_RECIP_ENDPOINT, USB_REQ_CLEAR_FEATURE, 0, 0, 0x81, 0, 0, 0 },
	{ USB_RECIP_ENDPOINT, USB_REQ_CLEAR_FEATURE, 0, 0, 0x05, 0, 0, 0 },
	{ USB_DIR_IN, USB_REQ_GET_DESCRIPTOR, 0, USB_DT_DEVICE, 0, 0, 18, 0 },
	{ USB_DIR_IN, USB_REQ_GET_DESCRIPTOR, 0, USB_DT_CONFIG, 0, 0, 64, 0 },
	{ USB_DIR_IN | USB_TYPE_VENDOR, VDEV_LOOP_REQ_READ, 0, 0, 0, 0, 16, 0 },
	{ USB_DIR_OUT | USB_TYPE_VENDOR, VDEV_LOOP_REQ_WRITE, 0, 0, 0, 0, 16, 0 },
};

/* Endpoints the devices plugged at the start have (loopback, mouse). */
static const struct {
	u8 port, ep, type;
	bool in;
} fz_pipes[] = {
	{ 1, 1, XENUSB_PIPE_TYPE_BULK, true },
	{ 1, 1, XENUSB_PIPE_TYPE_BULK, false },
	{ 1, 0, XENUSB_PIPE_TYPE_CTRL, true },
	{ 1, 0, XENUSB_PIPE_TYPE_CTRL, false },
	{ 1, 3, XENUSB_PIPE_TYPE_ISOC, true },
	{ 1, 3, XENUSB_PIPE_TYPE_ISOC, false },
	{ 2, 1, XENUSB_PIPE_TYPE_INT, true },
	{ 2, 0, XENUSB_PIPE_TYPE_CTRL, false },
};

/*
 * An indirect request (XENUSB_INDIRECT in its flags): its data segments
 * go into its region of the descriptor page, mostly inside our data
 * pages, and its wire segments name them, whole and aligned or not;
 * buffer_length and the length in the union follow them unless the input
 * says otherwise.
 */
static void fz_indirect(struct fz *f, struct xenusb_urb_request *req)
{
	u32 base = f->urb.req_prod_pvt % (FZ_IND_DESCS / FZ_IND_REGION) *
		   FZ_IND_REGION;
	struct xenusb_request_segment *d = f->ind + base;
	u8 how = take8(f), n = 1 + take8(f) % FZ_IND_REGION, i;
	u32 total = 0, bytes = n * XENUSB_INDIRECT_DESC_SIZE;

	for (i = 0; i < n; i++) {
		u8 pg = take8(f);
		u16 off = take16(f) % SIM_PAGE;
		u16 len = take16(f);

		d[i].gref = pg >= 250 ? take16(f) : f->gref[pg % FZ_NPAGES];
		d[i].offset = off;
		d[i].length = len >= 0xfff0 ? len : len % (SIM_PAGE - off) + 1;
		total += d[i].length;
	}
	memset(req->seg, 0, sizeof(req->seg));
	if (how & 0x80) {
		/* Any wire segments: mostly the descriptor page, or not. */
		req->nr_buffer_segs = take8(f) % 20;
		for (i = 0; i < req->nr_buffer_segs &&
		     i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
			u8 g = take8(f);

			req->seg[i].gref = g == 0xff ? take16(f) :
					   g & 1 ? f->gref[(g >> 1) % FZ_NPAGES] :
					   f->ind_gref;
			req->seg[i].offset = take16(f);
			req->seg[i].length = take16(f);
		}
	} else if (how & 0x40 && n > 1) {
		/* Split in two at a descriptor boundary. */
		u32 cut = (1 + take8(f) % (n - 1)) * XENUSB_INDIRECT_DESC_SIZE;

		req->nr_buffer_segs = 2;
		req->seg[0].gref = f->ind_gref;
		req->seg[0].offset = base * XENUSB_INDIRECT_DESC_SIZE;
		req->seg[0].length = cut;
		req->seg[1].gref = f->ind_gref;
		req->seg[1].offset = req->seg[0].offset + cut;
		req->seg[1].length = bytes - cut;
	} else {
		req->nr_buffer_segs = 1;
		req->seg[0].gref = f->ind_gref;
		req->seg[0].offset = base * XENUSB_INDIRECT_DESC_SIZE;
		req->seg[0].length = bytes;
	}
	req->buffer_length = how & 0x20 ? take16(f) : 0;
	xenusb_indirect_len_set(req, how & 0x10 ? take32(f) : total);
}

/*
 * Frame descriptors that fit the buffer (@len split evenly over @n
 * packets) at @off of our page @pg: what the page held otherwise (the
 * canary, or what the backend wrote back) overruns it.  The bytes are
 * ours from now on, not evidence of a write by the backend.
 */
static void fz_iso_descs(struct fz *f, u8 pg, u16 off, u8 n, u32 len)
{
	struct xenusb_iso_desc d = { 0 };
	u8 k;

	for (k = 0; k < n; k++) {
		d.length = len / n;
		d.offset = k * d.length;
		memcpy(f->page[pg] + off + k * sizeof(d), &d, sizeof(d));
	}
	memset(f->writable[pg] + off, 0xff, n * sizeof(d));
}

/* Post one request built from the input. */
static void fz_post(struct fz *f)
{
	struct xenusb_urb_request *req;
	struct xenusb_pipe pipe = { 0 };
	u8 how = take8(f), sel = take8(f), nsegs, i;
	u32 total = 0;

	req = RING_GET_REQUEST(&f->urb, f->urb.req_prod_pvt);
	memset(req, 0, sizeof(*req));
	/* Mostly fresh ids; sometimes one that may still be in flight. */
	req->id = how & 0x80 ? take8(f) % 8 : f->next_id++;
	if (sel < 0xd0) {
		/* Mostly an endpoint that exists, at the default address. */
		sel %= SIM_ARRAY_SIZE(fz_pipes);
		pipe.port = fz_pipes[sel].port;
		pipe.ep = fz_pipes[sel].ep;
		pipe.type = fz_pipes[sel].type;
		pipe.in = fz_pipes[sel].in;
	} else {
		pipe.port = take8(f) % (FZ_NPORTS + 2);
		pipe.devnum = take8(f) % 4;
		pipe.ep = take8(f) % 8;
		pipe.type = how & 3;
		pipe.in = how & 4;
	}
	pipe.unlink = (how & 0x70) == 0x70;
	req->pipe = how & 0x08 && (how & 0x70) == 0x60 ?
		    (u32)take16(f) << 16 | take16(f) : xenusb_pipe_encode(&pipe);
	req->transfer_flags = (how & 0x70) == 0x50 ? take16(f) :
			      (take8(f) & 1);
	if (pipe.unlink) {
		req->u.unlink.unlink_id = take8(f) & 1 ? f->next_id - 1 -
					  take8(f) % 4 : take16(f);
		goto out;
	}
	/* Mostly 0..2; 250..255: 10..12, then 16 (a whole 64 KiB) to 18. */
	nsegs = take8(f);
	nsegs = nsegs < 250 ? nsegs % 3 : nsegs % 20 + (nsegs >= 253 ? 3 : 0);
	for (i = 0; i < nsegs && i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
		u8 pg = take8(f);
		u16 off = take16(f) % SIM_PAGE;
		u16 len = take16(f);

		req->seg[i].gref = pg >= 250 ? take16(f) :
				   f->gref[pg % FZ_NPAGES];
		req->seg[i].offset = off;
		req->seg[i].length = len >= 0xfff0 ? len :
				     len % (SIM_PAGE - off) + 1;
		total += req->seg[i].length;
	}
	req->nr_buffer_segs = nsegs;
	req->buffer_length = take8(f) == 0xff ? take16(f) : total;
	switch (pipe.type) {
	case XENUSB_PIPE_TYPE_CTRL: {
		u8 s = take8(f);

		if (s < 0xf0)
			memcpy(req->u.ctrl, fz_setups[s % SIM_ARRAY_SIZE(fz_setups)],
			       8);
		else
			for (i = 0; i < 8; i++)
				req->u.ctrl[i] = take8(f);
		/* wLength follows the data unless the input says otherwise */
		if (!(s & 0x40)) {
			req->u.ctrl[6] = req->buffer_length & 0xff;
			req->u.ctrl[7] = req->buffer_length >> 8;
		}
		break;
	}
	case XENUSB_PIPE_TYPE_ISOC: {
		u8 nd;

		req->u.isoc.interval = take8(f);
		req->u.isoc.start_frame = take16(f);
		req->u.isoc.number_of_packets = take8(f) % 9;
		nd = take8(f);
		req->u.isoc.nr_frame_desc_segs = nd % 4 ? 1 : 0;
		if (req->u.isoc.nr_frame_desc_segs &&
		    nsegs < XENUSB_MAX_SEGMENTS_PER_REQUEST) {
			u16 off = take16(f) % (SIM_PAGE / 2);
			u8 pg = take8(f) % FZ_NPAGES;

			req->seg[nsegs].gref = f->gref[pg];
			req->seg[nsegs].offset = off;
			req->seg[nsegs].length = req->u.isoc.number_of_packets *
						 XENUSB_ISO_DESC_SIZE;
			/* 0xff: a descriptor segment running past its page */
			if (nd == 0xff)
				req->seg[nsegs].length += SIM_PAGE;
			else if (nd & 0x40)
				fz_iso_descs(f, pg, off,
					     req->u.isoc.number_of_packets,
					     req->buffer_length);
		}
		break;
	}
	default:
		req->u.intr.interval = take8(f);
		break;
	}
	if (req->transfer_flags & XENUSB_INDIRECT)
		fz_indirect(f, req);
out:
	f->posted[f->urb.req_prod_pvt % FZ_LOG] = *req;
	f->urb.req_prod_pvt++;
}

static void fz_push(struct fz *f, bool event)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->urb, notify);
	if (event || notify)
		sim_evtchn_notify(&f->w->ev, SIM_SIDE_FRONT);
}

static void fz_post_conn(struct fz *f, unsigned int n)
{
	int notify;

	while (n-- && RING_FULL(&f->conn) == 0) {
		RING_GET_REQUEST(&f->conn, f->conn.req_prod_pvt)->id = take8(f);
		f->conn.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->conn, notify);
	if (notify)
		sim_evtchn_notify(&f->w->ev, SIM_SIDE_FRONT);
}

/*
 * What a reconnect negotiates, from its action byte (@k = op / 12,
 * 0..21): nothing below 10, as at the start; above, the extensions in
 * the combinations of @k - 10 (bit 0 feature-zero-packet, bit 1
 * feature-port-reset, bit 2 16 indirect segments, 8 and up 256).  The
 * input's other bytes keep their meaning whatever is negotiated.
 */
static void fz_features(struct fz *f, unsigned int k)
{
	struct xenusb_features *feat = &f->w->back.ring.feat;
	unsigned int v = k >= 10 ? k - 10 : 0;

	memset(feat, 0, sizeof(*feat));
	feat->val[XENUSB_FEAT_ZERO_PACKET] = v & 1;
	feat->val[XENUSB_FEAT_PORT_RESET] = !!(v & 2);
	feat->val[XENUSB_FEAT_MAX_INDIRECT] = v >= 8 ? XENUSB_MAX_INDIRECT_SEGS :
					      v & 4 ? 16 : 0;
}

static int fz_connect(struct fz *f)
{
	struct sim *w = f->w;
	int ref;

	SHARED_RING_INIT((struct xenusb_urb_sring *)w->urb_page);
	FRONT_RING_INIT(&f->urb, (struct xenusb_urb_sring *)w->urb_page,
			SIM_PAGE);
	SHARED_RING_INIT((struct xenusb_conn_sring *)w->conn_page);
	FRONT_RING_INIT(&f->conn, (struct xenusb_conn_sring *)w->conn_page,
			SIM_PAGE);
	ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, w->urb_page,
			    false);
	if (ref < 0)
		return bad(f, "granting the urb ring: %d", ref);
	f->urb_gref = ref;
	ref = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, w->conn_page,
			    false);
	if (ref < 0)
		return bad(f, "granting the conn ring: %d", ref);
	f->conn_gref = ref;
	f->taken = 0;
	if (sback_connect(w, &f->urb_gref, 0, f->conn_gref))
		return bad(f, "backend cannot map the rings");
	f->connected = true;
	fz_post_conn(f, take8(f) % 9);
	return fz_settle(f);
}

static int fz_disconnect(struct fz *f)
{
	struct sim *w = f->w;
	int err = 0;

	if (!f->connected)
		return 0;
	sback_disconnect(w);
	if (fz_note_taken(f) || fz_drain(f))
		return -1;
	if (f->ninflight && !f->rings_clobbered)
		err = bad(f, "%u request(s) taken and never answered",
			  f->ninflight);
	f->connected = false;
	f->rings_clobbered = false;
	sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->urb_gref);
	sim_gnt_end(&w->gt, SIM_DOM_FRONT, f->conn_gref);
	f->ninflight = 0;
	/* A new frontend instance: the ring's requests are forgotten. */
	return err;
}

static struct vdev *fz_new_dev(u8 kind)
{
	struct vdev *d;

	switch (kind % 3) {
	case 0:
		d = vdev_loop_new(XENUSB_SPEED_HIGH);
		if (d && kind & 4)
			vdev_loop_set_delay(d, 1 + kind % 50);
		return d;
	case 1:
		return vdev_mouse_new();
	default:
		return vdev_msc_new(64);
	}
}

static int fz_action(struct fz *f)
{
	struct sim *w = f->w;
	u8 op = take8(f);
	unsigned int k;
	RING_IDX cons;

	switch (op % 12) {
	case 0:
	case 1:
	case 2:
		/* a full ring is case 8's business */
		if (!RING_FULL(&f->urb))
			fz_post(f);
		fz_push(f, op & 0x10);
		break;
	case 3:
		/* a burst: fills the slots, exercises the wait for one */
		for (k = take8(f) % 40; k; k--)
			if (!RING_FULL(&f->urb))
				fz_post(f);
		fz_push(f, true);
		break;
	case 4:
		fz_post_conn(f, 1 + take8(f) % 4);
		break;
	case 5:
		w->now += take8(f);
		break;
	case 6: {
		u8 port = 1 + take8(f) % FZ_NPORTS;

		if (w->back.port[port].dev)
			sback_unplug(w, port);
		else
			sback_plug(w, port, fz_new_dev(take8(f)));
		break;
	}
	case 7:
		w->back.nomem = take8(f) % 4;
		break;
	case 8:
		/* producer overflow: the backend must latch and stop */
		if (!f->connected || w->back.ring.fatal)
			break;
		cons = w->back.ring.urb.req_cons;
		f->urb.sring->req_prod = w->back.ring.urb.rsp_prod_pvt +
					 RING_SIZE(&f->urb) + 1 + take8(f);
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
		if (fz_settle(f))
			return -1;
		if (!w->back.ring.fatal || !w->back.fatal)
			return bad(f, "producer overflow not latched");
		if (w->back.ring.urb.req_cons != cons)
			return bad(f, "requests taken after the overflow");
		/* The frontend's own producer index stays where it was. */
		f->urb.sring->req_prod = f->urb.req_prod_pvt;
		break;
	case 9:
		/* conn producer overflow */
		if (!f->connected || w->back.ring.fatal)
			break;
		f->conn.sring->req_prod = w->back.ring.conn.rsp_prod_pvt +
					  RING_SIZE(&f->conn) + 1;
		sback_unplug(w, 1);
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
		if (fz_settle(f))
			return -1;
		if (!w->back.ring.fatal)
			return bad(f, "conn producer overflow not latched");
		f->conn.sring->req_prod = f->conn.req_prod_pvt;
		break;
	case 10:
		if (fz_disconnect(f))
			return -1;
		fz_features(f, op / 12);
		if (fz_connect(f))
			return -1;
		break;
	default:
		/* a lost or spurious event */
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
		break;
	}
	if (fz_settle(f))
		return -1;
	return fz_invariants(f);
}

/**
 * sim_fuzz_ring_back() - play one input as a hostile frontend
 * @data: the input
 * @size: its length
 * @why: receives the broken invariant
 * @len: size of @why
 *
 * Return: 0 if every invariant held, -1 otherwise.
 */
int sim_fuzz_ring_back(const u8 *data, size_t size, char *why, size_t len)
{
	struct fz *f = calloc(1, sizeof(*f));
	struct vdev *d;
	unsigned int i, k;
	int ret = -1, ref;

	if (!f)
		return -1;
	f->p = data;
	f->n = size;
	f->why = why;
	f->len = len;
	f->w = sim_new(FZ_NPORTS, 2);
	if (!f->w) {
		bad(f, "no world");
		goto out_free;
	}
	for (i = 0; i < FZ_NPAGES; i++) {
		f->page[i] = aligned_alloc(SIM_PAGE, SIM_PAGE);
		if (!f->page[i]) {
			bad(f, "no memory");
			goto out;
		}
		memset(f->page[i], FZ_CANARY, SIM_PAGE);
		f->ro[i] = i == FZ_NPAGES - 1;
		ref = sim_gnt_grant(&f->w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
				    f->page[i], f->ro[i]);
		if (ref < 0) {
			bad(f, "granting page %u: %d", i, ref);
			goto out;
		}
		f->gref[i] = ref;
	}
	f->ind = aligned_alloc(SIM_PAGE, SIM_PAGE);
	if (!f->ind) {
		bad(f, "no memory");
		goto out;
	}
	memset(f->ind, 0, SIM_PAGE);
	ref = sim_gnt_grant(&f->w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, f->ind, true);
	if (ref < 0) {
		bad(f, "granting the descriptor page: %d", ref);
		goto out;
	}
	f->ind_gref = ref;
	/* A loopback whose IN transfers stay in flight a while, a mouse. */
	d = vdev_loop_new(XENUSB_SPEED_HIGH);
	if (d)
		vdev_loop_set_delay(d, take8(f) % 30);
	sback_plug(f->w, 1, d);
	sback_plug(f->w, 2, vdev_mouse_new());
	if (fz_connect(f))
		goto out;
	for (k = 0; k < FZ_MAX_ACTIONS && f->n; k++)
		if (fz_action(f))
			goto out;
	/* Let everything due complete, then close: all must be answered. */
	f->w->now += 1000;
	if (fz_settle(f) || fz_invariants(f) || fz_disconnect(f))
		goto out;
	for (i = 0; i < FZ_NPAGES; i++)
		if (f->gref[i])
			sim_gnt_end(&f->w->gt, SIM_DOM_FRONT, f->gref[i]);
	sim_gnt_end(&f->w->gt, SIM_DOM_FRONT, f->ind_gref);
	sim_gnt_teardown(&f->w->gt);
	if (f->w->gt.violations) {
		bad(f, "grant table at teardown: %s", f->w->gt.first);
		goto out;
	}
	if (f->w->gt.maps_alive) {
		bad(f, "%u mapping(s) alive at teardown", f->w->gt.maps_alive);
		goto out;
	}
	ret = fz_invariants(f);
out:
	if (f->w) {
		sback_disconnect(f->w);
		sim_free(f->w);
	}
	for (i = 0; i < FZ_NPAGES; i++)
		free(f->page[i]);
	free(f->ind);
out_free:
	free(f);
	return ret;
}

#ifdef SIM_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];

	if (sim_fuzz_ring_back(data, size, why, sizeof(why))) {
		fprintf(stderr, "fuzz-ring-back: invariant broken: %s\n", why);
		__builtin_trap();
	}
	return 0;
}
#endif

#ifdef SIM_CORPUS_BACK
#include <dirent.h>

/**
 * sim_fuzz_corpus_back() - replay every input of the corpus in the repo
 * @why: receives the first input that broke an invariant, and how
 * @len: size of @why
 *
 * The simulator's scenario fuzz_corpus_back: the directory is
 * tools/sim/corpus/back (SIM_CORPUS_BACK).
 *
 * Return: 0 if every input passed (and there was at least one), else -1.
 */
int sim_fuzz_corpus_back(char *why, size_t len)
{
	DIR *dir = opendir(SIM_CORPUS_BACK);
	struct dirent *de;
	unsigned int n = 0;
	char sub[256];
	int ret = 0;

	if (!dir) {
		snprintf(why, len, "cannot open %s", SIM_CORPUS_BACK);
		return -1;
	}
	while (!ret && (de = readdir(dir))) {
		char path[1024];
		static u8 buf[1 << 16];
		size_t size;
		FILE *fp;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", SIM_CORPUS_BACK,
			 de->d_name);
		fp = fopen(path, "rb");
		if (!fp) {
			snprintf(why, len, "cannot read %s", path);
			ret = -1;
			break;
		}
		size = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		if (sim_fuzz_ring_back(buf, size, sub, sizeof(sub))) {
			snprintf(why, len, "%s: %s", de->d_name, sub);
			ret = -1;
		}
		n++;
	}
	closedir(dir);
	if (!ret && !n) {
		snprintf(why, len, "%s is empty", SIM_CORPUS_BACK);
		ret = -1;
	}
	return ret;
}
#endif
