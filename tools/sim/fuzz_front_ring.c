// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: a whole hostile backend against usbfront's real
 * ring code. The frontend is the simulator's (tools/sim/front.c over
 * usbfront/rsp_ring.c, req_build.c, xfer_split.c, rsp_check.c); the
 * backend is this file, driven by the input: it maps the rings and the
 * segments through the simulated grant table, answers any request (or
 * none) with any id, status, length and error count, writes frame
 * descriptors with any values, keeps grants mapped past its answer,
 * moves the producer indexes anywhere and sends any conn event.  The
 * input's first byte also picks what was negotiated (feature-zero-packet,
 * feature-port-reset, feature-max-indirect-segments), and the input's hub
 * driver powers and resets ports: with feature-port-reset the reset of an
 * addressed device becomes a request the backend answers or not.
 *
 * After every step the frontend must keep its promises: no URB given
 * back twice and none lost at the end, no grant or id leaked, every
 * segment inside its URB's buffer and its own page, lengths and counts
 * within what the URB asked for (an isochronous URB's descriptors are
 * only ever its own number_of_packets: the canary behind them stays),
 * and after a protocol error nothing more is read off the ring. A
 * broken promise traps.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch11.h>

#include "sim.h"
#include "fuzz_input.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

#define NURBS		18
#define BUF_PAGES	20	/* room for an unaligned 64 KiB + split */
#define CANARY		0xa5
#define NPK_MAX		64

/* One URB of the test's "usb core", with canaries around its memory. */
struct slot {
	struct sfront_urb u;
	u8 *mem;			/* BUF_PAGES pages */
	struct xenusb_iso_desc *iso;	/* one page */
	u32 off;
	bool active;			/* submitted, not given back */
	u32 givebacks;
};

/* A request as the backend took it off the ring. */
struct breq {
	bool live;
	struct xenusb_urb_request req;
	struct sim_gnt_map map[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	u8 nmap;
};

struct harness {
	struct sim *w;
	struct slot s[NURBS];
	struct xenusb_urb_back_ring urb;
	struct xenusb_conn_back_ring conn;
	struct sim_gnt_map urb_map;
	struct sim_gnt_map conn_map;
	struct breq q[64];
	u32 submitted;
	u32 given_back;
	bool broken_seen;
	RING_IDX cons_at_break;
	u64 rsp_at_break;
};

static struct harness *H;

/*
 * Memory around an URB's buffer and behind its descriptors keeps its
 * canary: neither the frontend nor (checked in back_consume) the
 * segments it grants reach there.
 */
static SIM_NO_COVERAGE void check_canaries(const struct slot *s)
{
	u32 end = s->off + s->u.len;
	u32 dend = s->u.nr_packets * XENUSB_ISO_DESC_SIZE;
	u32 k;

	for (k = 0; k < s->off; k++)
		ASSERT(s->mem[k] == CANARY);
	for (k = end; k < BUF_PAGES * SIM_PAGE; k++)
		ASSERT(s->mem[k] == CANARY);
	if (s->u.type != XENUSB_PIPE_TYPE_ISOC)
		return;
	/* Never past our own number_of_packets. */
	for (k = dend; k < SIM_PAGE; k++)
		ASSERT(((const u8 *)s->iso)[k] == CANARY);
}

static SIM_NO_COVERAGE void on_giveback(struct sim *w, struct sfront_urb *u)
{
	struct slot *s = u->ctx;

	(void)w;
	ASSERT(s->active);
	ASSERT(++s->givebacks == 1);
	check_canaries(s);
	s->active = false;
	H->given_back++;
	ASSERT(u->actual <= u->len);
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		u16 k;

		ASSERT(u->error_count <= u->nr_packets);
		for (k = 0; k < u->nr_packets; k++) {
			ASSERT(u->iso[k].offset <= u->len);
			ASSERT(u->iso[k].length <= u->len - u->iso[k].offset);
			ASSERT(u->iso[k].actual_length <= u->iso[k].length);
		}
	}
}

/* Does [@p, @p + @len) lie inside @s's buffer (or descriptors)? */
static bool inside(const u8 *p, u32 len, const u8 *base, u32 blen)
{
	return p >= base && len <= blen && p - base <= blen - len;
}

static void back_unmap(struct harness *h, struct breq *b)
{
	while (b->nmap)
		sim_gnt_unmap(&h->w->gt, &b->map[--b->nmap]);
}

/*
 * Is @rq the request the frontend has in flight under its id? A stale
 * one (its id answered in the meantime by a response of ours, maybe one
 * written long before) or a slot we overwrote ourselves is not: the
 * frontend was right to end its grants, nothing of it may be used.
 */
static bool current_request(struct harness *h, const struct xenusb_urb_request *rq)
{
	const struct sfront *f = &h->w->front;
	const struct sfront_shadow *sh;
	unsigned int k, nseg = rq->nr_buffer_segs;

	if (rq->id >= USBFRONT_RING_IDS ||
	    !usbfront_id_in_use(&f->ring.ids, rq->id) ||
	    !f->ring.posted[rq->id])
		return false;
	sh = &f->sh[rq->id];
	/* An indirect request: its data grants, then its descriptor page. */
	if (rq->transfer_flags & XENUSB_INDIRECT)
		return nseg == 1 && sh->ngref >= 2 &&
		       rq->seg[0].gref == sh->gref[sh->ngref - 1];
	if (!(rq->pipe & XENUSB_PIPE_UNLINK) &&
	    xenusb_pipetype(rq->pipe) == XENUSB_PIPE_TYPE_ISOC)
		nseg += rq->u.isoc.nr_frame_desc_segs;
	if (nseg != sh->ngref)
		return false;
	for (k = 0; k < nseg; k++)
		if (rq->seg[k].gref != sh->gref[k])
			return false;
	return true;
}

/* Does a data segment mapped at @page lie inside a live URB's buffer? */
static bool in_some_urb(struct harness *h, const u8 *page,
			const struct xenusb_request_segment *sg, bool wire)
{
	unsigned int j;

	for (j = 0; j < NURBS; j++) {
		const struct slot *s = &h->s[j];

		if (!s->active)
			continue;
		if (!wire && inside(page + sg->offset, sg->length, s->u.buf,
				    s->u.len))
			return true;
		if (wire && s->u.wire &&
		    inside(page + sg->offset, sg->length, (u8 *)s->u.wire,
			   s->u.nr_packets * XENUSB_ISO_DESC_SIZE))
			return true;
	}
	return false;
}

/*
 * An indirect request: its one descriptor page is granted read-only and
 * holds whole descriptors, no more than negotiated, each a granted
 * segment inside the URB's buffer, adding up to the length in the union;
 * buffer_length is 0. The descriptor page stays mapped in @b.
 */
static void back_indirect(struct harness *h, struct breq *b,
			  const struct xenusb_urb_request *rq)
{
	struct sim_gnttab *gt = &h->w->gt;
	const struct xenusb_request_segment *sg = &rq->seg[0];
	struct xenusb_request_segment d;
	struct sim_gnt_map m;
	u32 k, n, sum = 0;
	const u8 *page;

	ASSERT(xenusb_pipetype(rq->pipe) == XENUSB_PIPE_TYPE_BULK);
	ASSERT(rq->nr_buffer_segs == 1 && rq->buffer_length == 0);
	ASSERT(sg->length && sg->length % XENUSB_INDIRECT_DESC_SIZE == 0 &&
	       sg->offset + sg->length <= SIM_PAGE);
	n = sg->length / XENUSB_INDIRECT_DESC_SIZE;
	ASSERT(n <= h->w->front.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT]);
	/* The backend may only read the descriptors. */
	ASSERT(sim_gnt_map(gt, SIM_DOM_BACK, sg->gref, true, &b->map[0]));
	ASSERT(!sim_gnt_map(gt, SIM_DOM_BACK, sg->gref, false, &b->map[0]));
	b->nmap = 1;
	page = gt->e[sg->gref].page;
	for (k = 0; k < n; k++) {
		memcpy(&d, page + sg->offset + k * XENUSB_INDIRECT_DESC_SIZE,
		       sizeof(d));
		ASSERT(d.length && d.offset + d.length <= SIM_PAGE);
		if (sim_gnt_map(gt, SIM_DOM_BACK, d.gref, true, &m) &&
		    sim_gnt_map(gt, SIM_DOM_BACK, d.gref, false, &m))
			__builtin_trap();	/* a segment not granted */
		ASSERT(in_some_urb(h, gt->e[d.gref].page, &d, false));
		sim_gnt_unmap(gt, &m);
		sum += d.length;
	}
	ASSERT(sum == xenusb_indirect_len_get(rq));
}

/* The backend takes every new request off the ring and maps its pages. */
static void back_consume(struct harness *h)
{
	struct sim_gnttab *gt = &h->w->gt;
	RING_IDX rp = h->urb.sring->req_prod, i;

	/* The frontend never publishes more than the ring holds. */
	ASSERT(rp - h->w->front.ring.urb.rsp_cons <= RING_SIZE(&h->urb));
	for (i = h->urb.req_cons; i != rp; i++) {
		struct xenusb_urb_request rq;
		struct breq *b = NULL;
		unsigned int k, nseg, ndesc = 0;
		u32 sum = 0;

		RING_COPY_REQUEST(&h->urb, i, &rq);
		h->urb.req_cons = i + 1;
		for (k = 0; k < SIM_ARRAY_SIZE(h->q); k++)
			if (!h->q[k].live) {
				b = &h->q[k];
				break;
			}
		if (!b) {
			/* Every entry kept by earlier answers: drop one. */
			b = &h->q[0];
			back_unmap(h, b);
		}
		memset(b, 0, sizeof(*b));
		if (!current_request(h, &rq))
			continue;
		b->live = true;
		b->req = rq;
		if (rq.transfer_flags & XENUSB_INDIRECT) {
			back_indirect(h, b, &rq);
			continue;
		}
		nseg = rq.nr_buffer_segs;
		if (!(rq.pipe & XENUSB_PIPE_UNLINK) &&
		    xenusb_pipetype(rq.pipe) == XENUSB_PIPE_TYPE_ISOC)
			ndesc = rq.u.isoc.nr_frame_desc_segs;
		ASSERT(nseg + ndesc <= XENUSB_MAX_SEGMENTS_PER_REQUEST);
		for (k = 0; k < nseg + ndesc; k++) {
			const struct xenusb_request_segment *sg = &rq.seg[k];
			struct sim_gnt_map *m = &b->map[b->nmap];
			u8 *page;

			ASSERT(sg->length && sg->offset + sg->length <= SIM_PAGE);
			if (k < nseg)
				sum += sg->length;
			if (sim_gnt_map(gt, SIM_DOM_BACK, sg->gref, true, m) &&
			    sim_gnt_map(gt, SIM_DOM_BACK, sg->gref, false, m))
				__builtin_trap();	/* a segment not granted */
			b->nmap++;
			page = gt->e[sg->gref].page;
			/* Every segment lies in a live URB's own memory. */
			ASSERT(in_some_urb(h, page, sg, k >= nseg));
		}
		ASSERT(sum == rq.buffer_length);
		if (ndesc) {
			u32 dsum = 0;

			for (k = nseg; k < nseg + ndesc; k++)
				dsum += rq.seg[k].length;
			ASSERT(dsum == (u32)rq.u.isoc.number_of_packets *
			       XENUSB_ISO_DESC_SIZE);
		}
	}
}

/* Answer request @k of the backend's list, with fields from the input. */
static void back_answer(struct harness *h, struct input *in)
{
	uint8_t pick = take8(in), how = take8(in);
	struct xenusb_urb_response *rsp;
	struct breq *b = NULL;
	unsigned int k, n = 0;

	for (k = 0; k < SIM_ARRAY_SIZE(h->q); k++)
		if (h->q[k].live && n++ == pick % 8) {
			b = &h->q[k];
			break;
		}
	rsp = RING_GET_RESPONSE(&h->urb, h->urb.rsp_prod_pvt);
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = b ? b->req.id : take16(in);
	if (how & 1)
		rsp->id = take16(in);		/* any id at all */
	rsp->status = how & 2 ? (int32_t)take32(in) :
		      -(int32_t)(take8(in) % 120) * !(how & 4);
	rsp->actual_length = how & 8 ? (int32_t)take32(in) :
			     b ? b->req.buffer_length : 0;
	if ((how & 128) && b)	/* a short transfer */
		rsp->actual_length = take16(in) % (b->req.buffer_length + 1);
	rsp->error_count = how & 16 ? (int32_t)take32(in) : 0;
	rsp->start_frame = take16(in);
	if (b) {
		unsigned int nseg = b->req.nr_buffer_segs;

		/* Write what the input says into the mapped segments. */
		for (k = 0; k < b->nmap; k++) {
			const struct xenusb_request_segment *sg = &b->req.seg[k];
			u8 data[SIM_PAGE];
			u32 len = sg->length;

			if (!b->map[k].rw || !(take8(in) & 1))
				continue;
			if (k >= nseg) {
				/* Frame descriptors: any values. */
				len = len < in->n ? len : (u32)in->n;
			} else {
				len = len < 64 ? len : 64;
			}
			memset(data, take8(in), len);
			if (k >= nseg && len <= in->n) {
				memcpy(data, in->p, len);
				in->p += len;
				in->n -= len;
			}
			ASSERT(!sim_gnt_write(&h->w->gt, &b->map[k],
					      sg->offset, data, len));
		}
		/*
		 * Unless told to keep them mapped past the answer (the entry
		 * then stays), unmap before answering; keep the entry to
		 * answer it again if told so.
		 */
		if (!(how & 32)) {
			back_unmap(h, b);
			if (!(how & 64))
				b->live = false;
		}
	}
	h->urb.rsp_prod_pvt++;
}

static void back_push(struct harness *h, struct input *in)
{
	uint8_t how = take8(in);
	int notify;

	if (how & 1) {
		/* A producer anywhere. */
		h->urb.sring->rsp_prod = h->urb.rsp_prod_pvt + take8(in);
		notify = 1;
	} else {
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&h->urb, notify);
	}
	if (notify || (how & 2))
		sim_evtchn_notify(&h->w->ev, SIM_SIDE_BACK);
}

static void back_conn(struct harness *h, struct input *in)
{
	struct xenusb_conn_response *ev;
	uint8_t how = take8(in);
	int notify;

	if (how & 8) {
		/* A producer anywhere. */
		h->conn.sring->rsp_prod = h->conn.rsp_prod_pvt + take16(in);
		sim_evtchn_notify(&h->w->ev, SIM_SIDE_BACK);
		return;
	}
	if (how & 16) {
		/* Ask to be told of re-posted requests. */
		RING_FINAL_CHECK_FOR_REQUESTS(&h->conn, notify);
		return;
	}
	/* Ask to be told of the next one, whatever is still unconsumed. */
	if (how & 32)
		h->conn.sring->req_event = h->conn.sring->req_prod + 1;
	if (h->conn.sring->req_prod == h->conn.req_cons && !(how & 0x80))
		return;
	ev = RING_GET_RESPONSE(&h->conn, h->conn.rsp_prod_pvt);
	ev->id = take16(in);
	ev->portnum = how & 1 ? take8(in) : 1 + take8(in) % 4;
	ev->speed = how & 2 ? take8(in) : take8(in) % 4;
	if (h->conn.req_cons != h->conn.sring->req_prod)
		h->conn.req_cons++;
	h->conn.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&h->conn, notify);
	if (notify || (how & 4))
		sim_evtchn_notify(&h->w->ev, SIM_SIDE_BACK);
}

static void submit(struct harness *h, struct input *in)
{
	static const u8 types[] = { XENUSB_PIPE_TYPE_BULK, XENUSB_PIPE_TYPE_CTRL,
				    XENUSB_PIPE_TYPE_INT, XENUSB_PIPE_TYPE_ISOC };
	struct slot *s = &h->s[take8(in) % NURBS];
	struct sfront_urb *u = &s->u;
	uint8_t how = take8(in);
	u16 k;

	if (s->active)
		return;
	memset(u, 0, sizeof(*u));
	memset(s->mem, CANARY, BUF_PAGES * SIM_PAGE);
	memset(s->iso, CANARY, SIM_PAGE);
	u->port = 1 + take8(in) % 4;
	u->devnum = take8(in) % 128;
	u->ep = take8(in) % 16;
	u->type = types[how & 3];
	u->in = how & 4;
	u->short_not_ok = how & 8;
	u->zero_packet = how & 16;
	u->maxp = 8u << (take8(in) % 8);
	u->interval = take8(in);
	s->off = take16(in) % SIM_PAGE;
	u->len = take32(in) % ((BUF_PAGES - 1) * SIM_PAGE);
	if (how & 32)
		u->len %= 2048;
	u->buf = s->mem + s->off;
	memset(u->buf, 0, u->len);
	take(in, u->setup, sizeof(u->setup));
	if (u->type == XENUSB_PIPE_TYPE_ISOC) {
		u->nr_packets = 1 + take8(in) % NPK_MAX;
		u->iso = s->iso;
		for (k = 0; k < u->nr_packets; k++) {
			u->iso[k].offset = take16(in) % (u->len + 1);
			u->iso[k].length = take16(in) % (u->len - u->iso[k].offset + 1);
			u->iso[k].actual_length = 0;
			u->iso[k].status = 0;
		}
	}
	u->complete = on_giveback;
	u->ctx = s;
	s->givebacks = 0;
	s->active = true;
	if (sfront_submit(h->w, u)) {
		s->active = false;
		return;
	}
	h->submitted++;
}

/*
 * The guest's hub driver (@k = 16..31): powers port 1 + (@k & 3) on, or
 * puts it into reset as hub_port_reset() does, which with
 * feature-port-reset sends the reset of an addressed device to the
 * backend.  No input byte is read.
 */
static void hub(struct harness *h, unsigned int k)
{
	u8 port = 1 + (k & 3);

	if (!(k & 4)) {
		usbfront_rh_control(&h->w->front.rh,
				    USBFRONT_RH_SET_PORT_FEATURE,
				    USB_PORT_FEAT_POWER, port, NULL, 0,
				    h->w->now);
		return;
	}
	if (!usbfront_rh_control(&h->w->front.rh, USBFRONT_RH_SET_PORT_FEATURE,
				 USB_PORT_FEAT_RESET, port, NULL, 0, h->w->now))
		sfront_port_reset(h->w, port);
}

/*
 * What the input's first byte negotiated: bit 5 feature-zero-packet,
 * bit 6 feature-port-reset, bit 7 feature-max-indirect-segments (bit 4
 * then picks 256 over 16); bit 0 the USB version.
 */
static void negotiate(struct sim *w, uint8_t b)
{
	struct xenusb_features *feat = &w->front.ring.feat;

	feat->val[XENUSB_FEAT_ZERO_PACKET] = !!(b & 0x20);
	feat->val[XENUSB_FEAT_PORT_RESET] = !!(b & 0x40);
	feat->val[XENUSB_FEAT_MAX_INDIRECT] = !(b & 0x80) ? 0 :
					      b & 0x10 ? XENUSB_MAX_INDIRECT_SEGS :
					      16;
}

static SIM_NO_COVERAGE void check_step(struct harness *h)
{
	struct sfront *f = &h->w->front;
	const struct sim_gnttab *gt = &h->w->gt;
	u32 inuse = f->ring.ids.cap - f->ring.ids.nfree;
	unsigned int k;
	u16 id;

	/* Frontend grant bugs: ending a grant twice or one never given. */
	ASSERT(!gt->nviol[SIM_GV_DOUBLE_END] && !gt->nviol[SIM_GV_BAD_END]);
	ASSERT(inuse <= USBFRONT_RING_IDS);
	ASSERT(f->ring.nheld <= inuse);
	/* Every grant of a request in flight is alive until it ends. */
	for (id = 0; id < USBFRONT_RING_IDS; id++) {
		const struct sfront_shadow *sh = &f->sh[id];

		if (!usbfront_id_in_use(&f->ring.ids, id))
			continue;
		for (k = 0; k < sh->ngref; k++)
			ASSERT(!sh->gref[k] || gt->e[sh->gref[k]].serial);
	}
	ASSERT(h->given_back <= h->submitted);
	if (f->ring.broken) {
		ASSERT(f->dead);
		if (!h->broken_seen) {
			h->broken_seen = true;
			h->cons_at_break = f->ring.urb.rsp_cons;
			h->rsp_at_break = f->responses;
		}
		/* The latch: nothing more is read off the ring. */
		ASSERT(f->ring.urb.rsp_cons == h->cons_at_break);
		ASSERT(f->responses == h->rsp_at_break);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 *mem[NURBS];
	static struct xenusb_iso_desc *iso[NURBS];
	struct input in = { data, size };
	struct harness *h = calloc(1, sizeof(*h));
	unsigned int j, k, steps;
	uint8_t first = take8(&in), op;
	bool late;
	void *page;

	ASSERT(h);
	H = h;
	h->w = sim_new(4, 1 + first % 2);
	ASSERT(h->w);
	/* URB memory is allocated once: runs are many and short. */
	for (j = 0; j < NURBS; j++) {
		if (!mem[j])
			mem[j] = aligned_alloc(SIM_PAGE, BUF_PAGES * SIM_PAGE);
		if (!iso[j])
			iso[j] = aligned_alloc(SIM_PAGE, SIM_PAGE);
		ASSERT(mem[j] && iso[j]);
		h->s[j].mem = mem[j];
		h->s[j].iso = iso[j];
	}
	ASSERT(!sfront_connect(h->w));
	negotiate(h->w, first);
	ASSERT(!sim_gnt_map(&h->w->gt, SIM_DOM_BACK, h->w->front.urb_gref, true,
			    &h->urb_map));
	ASSERT(!sim_gnt_map(&h->w->gt, SIM_DOM_BACK, h->w->front.conn_gref, true,
			    &h->conn_map));
	page = sim_gnt_ring_page(&h->w->gt, &h->urb_map);
	BACK_RING_INIT(&h->urb, (struct xenusb_urb_sring *)page, SIM_PAGE);
	page = sim_gnt_ring_page(&h->w->gt, &h->conn_map);
	BACK_RING_INIT(&h->conn, (struct xenusb_conn_sring *)page, SIM_PAGE);

	for (steps = 0; steps < 400 && in.n; steps++) {
		op = take8(&in);
		switch (op % 8) {
		case 0:
		case 1:
			submit(h, &in);
			break;
		case 2:
			k = take8(&in) % NURBS;
			if (h->s[k].active)
				sfront_unlink(h->w, &h->s[k].u);
			break;
		case 3:
			back_consume(h);
			break;
		case 4:
			back_consume(h);
			back_answer(h, &in);
			break;
		case 5:
			back_push(h, &in);
			break;
		case 6:
			back_conn(h, &in);
			break;
		default:
			if (op & 0x80)
				hub(h, op >> 3);
			else
				sfront_kick(h->w);
			break;
		}
		if (sim_evtchn_deliver(&h->w->ev, SIM_SIDE_FRONT))
			sfront_irq(h->w);
		check_step(h);
	}

	/*
	 * The backend goes away: the rings unmapped, and every segment too,
	 * before the frontend disconnects or (told so by the input) after:
	 * then the requests it still maps stay held, their URBs not given
	 * back, until the reclaim finds the grants free.
	 */
	late = take8(&in) & 1;
	sim_gnt_unmap(&h->w->gt, &h->urb_map);
	sim_gnt_unmap(&h->w->gt, &h->conn_map);
	if (!late)
		for (k = 0; k < SIM_ARRAY_SIZE(h->q); k++)
			back_unmap(h, &h->q[k]);
	sfront_disconnect(h->w);
	check_step(h);
	if (late) {
		/* An URB whose pages are still mapped is not given back. */
		for (k = 0; k < USBFRONT_RING_IDS; k++) {
			const struct sfront_urb *u = h->w->front.sh[k].urb;

			if (h->w->front.ring.held[k] && u)
				ASSERT(((const struct slot *)u->ctx)->active);
		}
		for (k = 0; k < SIM_ARRAY_SIZE(h->q); k++)
			back_unmap(h, &h->q[k]);
		ASSERT(sfront_reclaim(h->w) == 0);
		check_step(h);
	}
	/* Every URB given back exactly once, no grant and no id left. */
	ASSERT(h->given_back == h->submitted);
	for (j = 0; j < NURBS; j++)
		ASSERT(!h->s[j].active);
	ASSERT(h->w->gt.alive == 0 && h->w->gt.maps_alive == 0);
	ASSERT(h->w->front.ring.ids.nfree == h->w->front.ring.ids.cap);
	ASSERT(h->w->front.ring.nheld == 0);

	sim_free(h->w);
	free(h);
	return 0;
}
