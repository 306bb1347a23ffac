// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios of the deeper URB ring (max-ring-page-order,
 * Documentation/protocol.rst "Deeper ring"): every negotiation outcome
 * through both cores' xenstore functions and the real ring code, and a
 * full 8-page ring of 128 requests in flight at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios_lib.h"

/*
 * The xenbus handshake of the ring's keys, as the modules do it, on
 * strings: the backend offers @back_max (0: no key), the frontend with
 * its parameter @front_max chooses, writes ring-page-order (only above 0)
 * and grants 2^order pages, the backend parses the order and the
 * urb-ring-ref list and maps them. Return: the world, connected with
 * the loopback device at address 2 on port 1, or NULL.
 */
static struct sim *ring_up(struct check *t, struct loopctx *c,
			   unsigned int back_max, unsigned int front_max,
			   unsigned int *order)
{
	char offer[16], written[16], refstr[XENUSB_MAX_RING_PAGES][16];
	const char *refs[XENUSB_MAX_RING_PAGES];
	u32 grefs[XENUSB_MAX_RING_PAGES];
	enum xenusb_feat_verdict v;
	unsigned int fo, bo, i, bad;
	struct sim *w;

	snprintf(offer, sizeof(offer), "%u", back_max);
	fo = usbfront_ring_order_choose(back_max ? offer : NULL, front_max, &v);
	snprintf(written, sizeof(written), "%u", fo);
	if (!expect(t, !usbback_parse_ring_order(fo ? written : NULL, back_max,
						 &bo) && bo == fo,
		    "backend %u, frontend %u: the frontend chose %u, the backend read %u",
		    back_max, front_max, fo, bo))
		return NULL;

	w = sim_new(2, 2);
	*c = (struct loopctx){ .port = 1, .dev = 2 };
	if (!expect(t, w, "world setup failed"))
		return NULL;
	w->ring_order = fo;
	sback_plug(w, 1, vdev_loop_new(XENUSB_SPEED_HIGH));
	if (!expect(t, !sfront_connect(w), "frontend cannot grant %u pages",
		    1u << fo))
		goto fail;
	for (i = 0; i < (1u << fo); i++) {
		snprintf(refstr[i], sizeof(refstr[i]), "%u",
			 w->front.urb_grefs[i]);
		refs[i] = refstr[i];
	}
	if (!expect(t, !usbback_parse_ring_refs(bo, refs, grefs, &bad),
		    "urb-ring-ref list of order %u refused at %u", bo, bad) ||
	    !expect(t, !sback_connect(w, grefs, bo, w->front.conn_gref),
		    "backend cannot map the ring of order %u", bo))
		goto fail;
	if (!expect(t, !host_power_ports(w) &&
		    !host_enumerate(w, 1, 2, t->why, t->len),
		    "enumeration failed"))
		goto fail;
	*order = fo;
	return w;
fail:
	sim_shutdown(w);
	sim_free(w);
	return NULL;
}

/*
 * Every combination: both sides at 3, the backend only, the frontend
 * only, each switched off by its parameter, and a smaller offer. Both
 * rings have the size of the agreed order, data goes through, nothing
 * leaks.
 */
static int ring_negotiate(char *why, size_t len)
{
	static const struct {
		unsigned int back, front, order;
	} cases[] = {
		{ 3, 3, 3 },	/* both sides: 8 pages */
		{ 3, 0, 0 },	/* frontend parameter 0 (or an old one) */
		{ 0, 3, 0 },	/* backend parameter 0 (or an old one) */
		{ 0, 0, 0 },
		{ 2, 3, 2 },	/* the smaller offer wins */
		{ 3, 1, 1 },	/* the smaller parameter wins */
	};
	struct check t = CHECK_INIT(why, len);
	unsigned int k, order = 0, size;
	struct loopctx c;
	struct sim *w;

	for (k = 0; k < SIM_ARRAY_SIZE(cases); k++) {
		w = ring_up(&t, &c, cases[k].back, cases[k].front, &order);
		if (!w)
			break;
		size = XENUSB_URB_RING_SIZE_ORDER(cases[k].order);
		expect(&t, order == cases[k].order,
		       "backend %u, frontend %u: order %u, want %u",
		       cases[k].back, cases[k].front, order, cases[k].order);
		expect(&t, RING_SIZE(&w->front.ring.urb) == size &&
		       RING_SIZE(&w->back.ring.urb) == size &&
		       w->back.ring.nr_slots == size &&
		       w->front.ring.ids.cap == size,
		       "order %u: front ring %u ids %u, back ring %u slots %u, want %u",
		       order, RING_SIZE(&w->front.ring.urb),
		       w->front.ring.ids.cap, RING_SIZE(&w->back.ring.urb),
		       w->back.ring.nr_slots, size);
		expect(&t, !loop_out(w, &c, 65536, 0) &&
		       !loop_in(w, &c, 65536, 0) && loop_verify(&t, w, &c),
		       "order %u: 64 KiB each way failed", order);
		if (finish(&t, w, 0))
			break;
	}
	/* A garbage offer is one page; a garbage order is refused. */
	expect(&t, usbfront_ring_order_choose("9", 3, &(enum xenusb_feat_verdict){ 0 }) == 0,
	       "offer 9 not taken as one page");
	expect(&t, usbback_parse_ring_order("9", 3, &order) == -EINVAL,
	       "ring-page-order 9 accepted");
	return t.failed ? -1 : 0;
}

#define RING_FULL_URBS	200

struct ring_done {
	unsigned int n;
	bool in_order;
	struct sfront_urb *last;
};

static void ring_done(struct sim *w, struct sfront_urb *u)
{
	struct ring_done *d = u->ctx;

	(void)w;
	d->n++;
	if (d->last && d->last > u)
		d->in_order = false;
	d->last = u;
}

/*
 * A full 8-page ring: 200 bulk URBs queued at once against the loopback
 * device, which holds each until its latency has passed: 128 requests in
 * flight at once on both sides (the frontend's peak, the backend's
 * high-water mark), the rest waits for free slots; all answered with the
 * right data, in order, nothing leaked.
 */
static int ring_full_128(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sfront_urb *u = NULL;
	struct ring_done d = { .in_order = true };
	unsigned int i, k, order = 0;
	struct loopctx c;
	struct sim *w = ring_up(&t, &c, 3, 3, &order);
	int ret;

	if (!w)
		return -1;
	u = calloc(RING_FULL_URBS, sizeof(*u));
	if (!expect(&t, u && order == 3, "order %u", order))
		goto out;
	w->front.peak_inflight = 0;
	for (i = 0; i < RING_FULL_URBS; i++) {
		struct sfront_urb *b = bulk_urb(1, 2, false, 512);

		if (!expect(&t, b, "out of memory"))
			goto out;
		u[i] = *b;
		free(b);
		for (k = 0; k < 512; k++)
			u[i].buf[k] = vdev_loop_pattern(i * 512 + k);
		u[i].complete = ring_done;
		u[i].ctx = &d;
		if (!expect(&t, !sfront_submit(w, &u[i]), "submit %u failed", i))
			goto out;
	}
	for (i = 0; i < RING_FULL_URBS; i++)
		if (!expect(&t, !host_wait(w, &u[i], 5000),
			    "URB %u never completed", i))
			goto out;
	expect(&t, d.n == RING_FULL_URBS && d.in_order,
	       "%u completions for %u URBs, in order: %d", d.n,
	       RING_FULL_URBS, d.in_order);
	for (i = 0; i < RING_FULL_URBS; i++)
		if (!expect(&t, u[i].status == 0 && u[i].actual == 512,
			    "URB %u: status %d actual %u", i, u[i].status,
			    u[i].actual))
			goto out;
	expect(&t, w->front.peak_inflight == 128,
	       "frontend peak %u requests in flight, want the 8-page ring's 128",
	       w->front.peak_inflight);
	expect(&t, w->back.ring.max_inflight == 128,
	       "backend high-water mark %u, want 128",
	       w->back.ring.max_inflight);
	expect(&t, w->back.ring.nr_inflight == 0 &&
	       w->front.ring.ids.nfree == w->front.ring.ids.cap,
	       "left in flight: backend %u, frontend ids free %u of %u",
	       w->back.ring.nr_inflight, w->front.ring.ids.nfree,
	       w->front.ring.ids.cap);
	c.out_pos = RING_FULL_URBS * 512;
	loop_verify(&t, w, &c);
out:
	ret = finish(&t, w, 0);
	for (i = 0; u && i < RING_FULL_URBS; i++)
		sim_pages_free(u[i].buf, 0);
	free(u);
	return ret;
}

/*
 * A hostile frontend on an 8-page ring: a producer 129 requests ahead is
 * an overflow (latched, nothing consumed); 100 ahead, far beyond one
 * page's 16 but within the ring, is not (each of those empty requests is
 * malformed and answered, which the frontend then sees as answers to
 * requests it never sent).
 */
static int ring_hostile_overflow(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	unsigned int order = 0;
	struct loopctx c;
	struct sim *w = ring_up(&t, &c, 3, 3, &order);
	struct xenusb_urb_sring *sr;
	u64 reqs;

	if (!w)
		return -1;
	sr = w->urb_page;
	reqs = sback_requests(w);
	sr->req_prod = w->front.ring.urb.req_prod_pvt + 129;
	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 2);
	expect(&t, w->back.fatal && strstr(w->back.fatal_msg, "overflow"),
	       "producer 129 ahead on a 128-slot ring not latched (fatal %d)",
	       w->back.fatal);
	expect(&t, sback_requests(w) == reqs,
	       "%llu requests consumed from the bogus producer",
	       (unsigned long long)(sback_requests(w) - reqs));
	finish(&t, w, SIM_EXPECT_BACK_FATAL | SIM_EXPECT_FRONT_ERR);

	w = ring_up(&t, &c, 3, 3, &order);
	if (!w)
		return -1;
	sr = w->urb_page;
	reqs = sback_requests(w);
	sr->req_prod = w->front.ring.urb.req_prod_pvt + 100;
	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 2);
	expect(&t, !w->back.fatal, "producer 100 ahead on a 128-slot ring: %s",
	       w->back.fatal_msg);
	expect(&t, w->back.ring.urb.req_cons ==
	       w->front.ring.urb.req_prod_pvt + 100,
	       "backend consumed up to %u, want %u", w->back.ring.urb.req_cons,
	       w->front.ring.urb.req_prod_pvt + 100);
	return finish(&t, w, SIM_EXPECT_FRONT_ERR);
}

const struct sim_scenario sim_scenarios_ring[] = {
	{ "ring_negotiate", ring_negotiate },
	{ "ring_full_128", ring_full_128 },
	{ "ring_hostile_overflow", ring_hostile_overflow },
	{ NULL, NULL },
};
