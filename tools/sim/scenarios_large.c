// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios of large transfers (feature-max-indirect-segments,
 * Documentation/protocol.rst "Large transfers"): 1 MiB through the real
 * ring code of both cores, every negotiation outcome, and the hostile
 * frontend's attacks on the indirect fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios_lib.h"

#define MIB	(1024u * 1024u)

/*
 * The loopback device at address 2 on port 1, the backend offering
 * @offer indirect segments and the frontend wanting @want.
 */
static struct sim *large_up(struct check *t, struct loopctx *c, u16 offer,
			    u16 want)
{
	struct sim *w = sim_new(2, 2);

	*c = (struct loopctx){ .port = 1, .dev = 2 };
	if (w) {
		w->indirect_offer = offer;
		w->indirect_want = want;
		sback_plug(w, 1, vdev_loop_new(XENUSB_SPEED_HIGH));
		if (sim_connect(w) || host_power_ports(w) ||
		    host_enumerate(w, 1, 2, t->why, t->len)) {
			sim_shutdown(w);
			sim_free(w);
			w = NULL;
		}
	}
	expect(t, w, "world setup failed");
	return w;
}

/* One bulk OUT and one bulk IN of @n bytes at buffer offset @offset. */
static bool large_pair(struct check *t, struct sim *w, struct loopctx *c,
		       u32 n, u32 offset, u64 *reqs)
{
	u64 r0 = w->front.requests;
	int err;

	err = loop_out(w, c, n, offset);
	if (!expect(t, !err, "bulk OUT of %u bytes at %u: %d", n, offset, err))
		return false;
	err = loop_in(w, c, n, offset);
	if (!expect(t, !err, "bulk IN of %u bytes at %u: %d", n, offset, err))
		return false;
	*reqs = w->front.requests - r0;
	return true;
}

/* 1 MiB each way in one request per URB, through the real ring code. */
static int large_1mib(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = large_up(&t, &c, XENUSB_MAX_INDIRECT_SEGS,
				 XENUSB_MAX_INDIRECT_SEGS);
	u64 reqs, ind, rej;

	if (!w)
		return finish(&t, w, 0);
	rej = w->back.rejected;
	ind = w->back.indirect;
	if (!large_pair(&t, w, &c, MIB, 0, &reqs) ||
	    !expect(&t, reqs == 2 && w->back.indirect - ind == 2,
		    "1 MiB each way took %llu requests, %llu indirect (want 2, 2)",
		    (unsigned long long)reqs,
		    (unsigned long long)(w->back.indirect - ind)))
		goto out;
	/* 257 pages at an odd offset: one full request and the rest. */
	if (!large_pair(&t, w, &c, MIB, 3000, &reqs) ||
	    !expect(&t, reqs == 4,
		    "1 MiB at offset 3000 each way took %llu requests (want 4)",
		    (unsigned long long)reqs))
		goto out;
	/* Small transfers stay direct: nothing for an old backend to see. */
	ind = w->back.indirect;
	if (!large_pair(&t, w, &c, 4096, 0, &reqs) ||
	    !expect(&t, w->back.indirect == ind, "a 4 KiB transfer went indirect"))
		goto out;
	if (!expect(&t, w->back.rejected == rej,
		    "backend rejected %llu request(s), last %d",
		    (unsigned long long)(w->back.rejected - rej),
		    w->back.last_reject))
		goto out;
	loop_verify(&t, w, &c);
out:
	return finish(&t, w, 0);
}

/* Each side alone, and a smaller offer: the agreed size is what flows. */
static int large_negotiation(char *why, size_t len)
{
	static const struct { u16 offer, want, reqs, ind; } cases[] = {
		{ XENUSB_MAX_INDIRECT_SEGS, 0, 34, 0 },	/* old frontend */
		{ 0, XENUSB_MAX_INDIRECT_SEGS, 34, 0 },	/* old backend */
		{ 64, XENUSB_MAX_INDIRECT_SEGS, 8, 8 },	/* 256 KiB each */
		{ XENUSB_MAX_INDIRECT_SEGS, 128, 4, 4 },	/* 512 KiB each */
	};
	struct check t = CHECK_INIT(why, len);
	unsigned int k;

	for (k = 0; k < SIM_ARRAY_SIZE(cases) && !t.failed; k++) {
		struct loopctx c;
		struct sim *w = large_up(&t, &c, cases[k].offer,
					 cases[k].want);
		u64 reqs = 0, ind;

		if (!w)
			break;
		ind = w->back.indirect;
		/* Base protocol: at least that many; indirect: exactly. */
		if (large_pair(&t, w, &c, MIB, 0, &reqs) &&
		    expect(&t, reqs >= cases[k].reqs &&
			   (!cases[k].ind || reqs == cases[k].reqs) &&
			   w->back.indirect - ind == cases[k].ind,
			   "offer %u want %u: %llu requests, %llu indirect (want %u, %u)",
			   cases[k].offer, cases[k].want,
			   (unsigned long long)reqs,
			   (unsigned long long)(w->back.indirect - ind),
			   cases[k].reqs, cases[k].ind))
			loop_verify(&t, w, &c);
		finish(&t, w, 0);
	}
	return t.failed ? -1 : 0;
}

/*
 * A hand-made indirect bulk IN request of @n data pages of @data whose
 * descriptors sit in @descs (granted read-only as @grefs[@n]).
 */
static void raw_indirect(struct sim *w, struct xenusb_urb_request *rq,
			 u32 *grefs, u8 *data, u32 n,
			 struct xenusb_request_segment *descs)
{
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = XENUSB_PIPE_TYPE_BULK, .in = true };
	u32 i;

	memset(rq, 0, sizeof(*rq));
	rq->pipe = xenusb_pipe_encode(&p);
	rq->transfer_flags = XENUSB_INDIRECT;
	for (i = 0; i < n; i++) {
		grefs[i] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
					 data + i * SIM_PAGE, false);
		descs[i].gref = grefs[i];
		descs[i].offset = 0;
		descs[i].length = SIM_PAGE;
	}
	grefs[n] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, descs,
				 true);
	rq->nr_buffer_segs = 1;
	rq->seg[0].gref = grefs[n];
	rq->seg[0].offset = 0;
	rq->seg[0].length = n * XENUSB_INDIRECT_DESC_SIZE;
	xenusb_indirect_len_set(rq, n * SIM_PAGE);
}

/*
 * The hostile frontend's attacks on the indirect fields: each is
 * answered XENUSB_STATUS_INVAL and hurts nobody; a good indirect
 * request still works afterwards.
 */
static int hostile_frontend_indirect(char *why, size_t len)
{
	enum { GOOD, BAD_GREF, PAST_PAGE, OVER_MAX, LEN_OVER, LEN_UNDER,
	       DESC_EMPTY, NOT_NEGOTIATED, NR_ATTACKS };
	static const char * const names[] = {
		"good", "bad indirect gref", "segment past its page",
		"count over the max", "length above the segments",
		"length below the segments", "empty segment", "not negotiated",
	};
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = large_up(&t, &c, 8, 8);
	u8 *data = sim_pages_alloc(9 * SIM_PAGE, 0);
	struct xenusb_request_segment *descs = sim_pages_alloc(SIM_PAGE, 0);
	struct xenusb_urb_request rq;
	struct sfront_raw res;
	u32 grefs[16], n, a;
	s32 want;
	int err;

	if (!w || !expect(&t, data && descs, "out of memory"))
		goto out;
	for (a = 0; a < NR_ATTACKS; a++) {
		n = a == OVER_MAX ? 9 : 8;
		raw_indirect(w, &rq, grefs, data, n, descs);
		switch (a) {
		case BAD_GREF:
			rq.seg[0].gref = 4000;	/* never granted */
			break;
		case PAST_PAGE:
			descs[3].offset = 100;
			break;
		case LEN_OVER:
			xenusb_indirect_len_set(&rq, n * SIM_PAGE + 1);
			break;
		case LEN_UNDER:
			xenusb_indirect_len_set(&rq, n * SIM_PAGE - 1);
			break;
		case DESC_EMPTY:
			descs[7].length = 0;
			xenusb_indirect_len_set(&rq, 7 * SIM_PAGE);
			break;
		case NOT_NEGOTIATED:
			w->back.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT] = 0;
			break;
		default:
			break;
		}
		err = raw_wait(w, &rq, grefs, n + 1, n * SIM_PAGE, &res);
		w->back.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT] = 8;
		want = a == GOOD ? XENUSB_STATUS_OK : XENUSB_STATUS_INVAL;
		if (!expect(&t, !err && res.rsp.status == want &&
			    (a != GOOD ||
			     (u32)res.rsp.actual_length == n * SIM_PAGE),
			    "%s: %d, status %d actual %d (want status %d)",
			    names[a], err, res.rsp.status,
			    res.rsp.actual_length, want))
			goto out;
		if (a == GOOD) {
			for (n = 0; n < 8 * SIM_PAGE; n++)
				if (data[n] != vdev_loop_pattern(c.in_pos + n))
					break;
			if (!expect(&t, n == 8 * SIM_PAGE,
				    "good: IN byte %u wrong", n))
				goto out;
			c.in_pos += 8 * SIM_PAGE;
		}
	}
	/* The frontend's own path, after all that. */
	if (!expect(&t, !loop_in(w, &c, 8 * SIM_PAGE, 0),
		    "indirect IN after the attacks failed"))
		goto out;
	expect(&t, !w->back.fatal,
	       "the backend treated a bad request as fatal");
out:
	free(data);
	free(descs);
	return finish(&t, w, 0);
}

const struct sim_scenario sim_scenarios_large[] = {
	{ "large_1mib", large_1mib },
	{ "large_negotiation", large_negotiation },
	{ "hostile_frontend_indirect", hostile_frontend_indirect },
	{ NULL, NULL },
};
