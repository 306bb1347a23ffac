// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: usbfront/rsp_ring.c and req_build.c, the frontend's ring loops
 * and request building, against a backend played by the test on the
 * same shared pages. The hostile-backend cases: responses to requests
 * never published, producer overflows, a grant still held at the
 * answer, conn events for ports or speeds the controller cannot have,
 * and what is read after the protocol-error latch (nothing).
 *
 * The two files use the id table, the response checks and the root-hub
 * core, whose own suites build id_table.c, rsp_check.c and rh_port.c
 * into the same kernel (kunit.py builds every suite in).
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/usb/ch11.h>

#include "rsp_ring.c"
#include "req_build.c"

/* What the test's ops saw. */
struct ring_test {
	struct usbfront_ring r;
	struct usbfront_rh rh;
	struct xenusb_urb_back_ring bu;
	struct xenusb_conn_back_ring bc;
	bool grants_end;
	int completes;
	struct usbfront_inflight last_inf;
	struct usbfront_rsp last;
	int conns;
	int notifies;
	int fatals;
	const char *what;
};

static bool rt_end_grants(void *ctx, u16 id)
{
	struct ring_test *t = ctx;

	return t->grants_end;
}

static void rt_complete(void *ctx, const struct usbfront_inflight *inf,
			const struct xenusb_urb_response *raw,
			const struct usbfront_rsp *rsp)
{
	struct ring_test *t = ctx;

	t->completes++;
	t->last_inf = *inf;
	t->last = *rsp;
}

static void rt_conn(void *ctx, u8 port, u8 speed)
{
	struct ring_test *t = ctx;

	t->conns++;
}

static void rt_notify(void *ctx)
{
	struct ring_test *t = ctx;

	t->notifies++;
}

static void rt_fatal(void *ctx, const char *what)
{
	struct ring_test *t = ctx;

	t->fatals++;
	t->what = what;
}

static const struct usbfront_ring_ops rt_ops = {
	.end_grants = rt_end_grants,
	.complete = rt_complete,
	.conn = rt_conn,
	.notify = rt_notify,
	.fatal = rt_fatal,
};

/*
 * Rings attached on fresh pages, the backend's halves on the same; the
 * URB ring has 2^@order pages.
 */
static struct ring_test *rt_new_order(struct kunit *test, unsigned int order)
{
	struct ring_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	void *up = kunit_kzalloc(test, XENUSB_PAGE_SIZE << order, GFP_KERNEL);
	void *cp = kunit_kzalloc(test, XENUSB_PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, up);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	KUNIT_ASSERT_EQ(test, usbfront_rh_init(&t->rh, 4, 2), 0);
	usbfront_ring_init(&t->r, &t->rh, &rt_ops, t);
	KUNIT_ASSERT_EQ(test, usbfront_ring_attach(&t->r, up, cp, order), 0);
	BACK_RING_INIT(&t->bu, (struct xenusb_urb_sring *)up,
		       XENUSB_PAGE_SIZE << order);
	BACK_RING_INIT(&t->bc, (struct xenusb_conn_sring *)cp,
		       XENUSB_PAGE_SIZE);
	t->grants_end = true;
	return t;
}

static struct ring_test *rt_new(struct kunit *test)
{
	return rt_new_order(test, 0);
}

static u32 rt_pipe(u8 type, bool in)
{
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = type, .in = in };

	return xenusb_pipe_encode(&p);
}

/* Queue a bulk request of @len bytes with one data segment. */
static int rt_send(struct kunit *test, struct ring_test *t, u32 len)
{
	struct usbfront_xfer x = { .pipe = rt_pipe(XENUSB_PIPE_TYPE_BULK, true),
				   .length = len };
	struct xenusb_urb_request req;
	int id;

	id = usbfront_req_start(&t->r, &x, &req);
	if (id < 0)
		return id;
	req.seg[0].gref = 100 + id;
	req.seg[0].length = len;
	KUNIT_EXPECT_EQ(test, usbfront_req_queue(&t->r, &req, 1, 0), 0);
	return id;
}

/* The backend pushes one response naming @id. */
static void rt_answer(struct ring_test *t, int id, s32 status, s32 actual)
{
	struct xenusb_urb_response *rsp;

	rsp = RING_GET_RESPONSE(&t->bu, t->bu.rsp_prod_pvt);
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = id;
	rsp->status = status;
	rsp->actual_length = actual;
	t->bu.rsp_prod_pvt++;
	RING_PUSH_RESPONSES(&t->bu);
}

static void usbfront_ring_round_trip(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct xenusb_urb_request got;
	bool more;
	int id;

	id = rt_send(test, t, 512);
	KUNIT_ASSERT_GE(test, id, 0);
	usbfront_req_push(&t->r);
	KUNIT_ASSERT_EQ(test, t->bu.sring->req_prod, 1u);
	RING_COPY_REQUEST(&t->bu, 0, &got);
	t->bu.req_cons = 1;
	KUNIT_EXPECT_EQ(test, got.id, id);
	KUNIT_EXPECT_EQ(test, got.nr_buffer_segs, 1);
	KUNIT_EXPECT_EQ(test, got.buffer_length, 512);
	KUNIT_EXPECT_EQ(test, got.transfer_flags, 0);

	/* Too long an answer arrives clamped to the request. */
	rt_answer(t, id, XENUSB_STATUS_OK, 9999);
	KUNIT_EXPECT_EQ(test, usbfront_ring_responses(&t->r, &more), 1);
	KUNIT_EXPECT_EQ(test, t->completes, 1);
	KUNIT_EXPECT_EQ(test, t->last.actual_length, 512u);
	KUNIT_EXPECT_TRUE(test, t->last.clamped);
	KUNIT_EXPECT_EQ(test, t->last_inf.length, 512u);
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t->r.ids, id));
	KUNIT_EXPECT_EQ(test, t->fatals, 0);
}

/* A response to a request queued but never published is a guess. */
static void usbfront_ring_unpublished(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	bool more;
	int a, b;

	a = rt_send(test, t, 64);
	usbfront_req_push(&t->r);
	b = rt_send(test, t, 64);	/* queued, not pushed */
	KUNIT_ASSERT_GE(test, b, 0);
	rt_answer(t, b, XENUSB_STATUS_OK, 64);
	KUNIT_EXPECT_EQ(test, usbfront_ring_responses(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_EQ(test, t->fatals, 1);
	KUNIT_EXPECT_STREQ(test, t->what,
			   "response with an unknown or duplicate id");
	KUNIT_EXPECT_EQ(test, t->completes, 0);
	KUNIT_EXPECT_TRUE(test, usbfront_id_in_use(&t->r.ids, a));
	KUNIT_EXPECT_TRUE(test, usbfront_id_in_use(&t->r.ids, b));
}

/* Two answers for one request: more responses than published. */
static void usbfront_ring_overflow_latch(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	RING_IDX cons;
	bool more;
	int id;

	id = rt_send(test, t, 64);
	usbfront_req_push(&t->r);
	rt_answer(t, id, XENUSB_STATUS_OK, 64);
	rt_answer(t, id, XENUSB_STATUS_OK, 64);
	KUNIT_EXPECT_EQ(test, usbfront_ring_responses(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_STREQ(test, t->what, "urb ring response producer overflow");
	KUNIT_EXPECT_EQ(test, t->completes, 0);

	/* Latched: nothing more is read, the error is reported once. */
	cons = t->r.urb.rsp_cons;
	KUNIT_EXPECT_EQ(test, usbfront_ring_responses(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_EQ(test, usbfront_ring_conn(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_EQ(test, t->r.urb.rsp_cons, cons);
	KUNIT_EXPECT_EQ(test, t->fatals, 1);
	KUNIT_EXPECT_FALSE(test, usbfront_req_push(&t->r));
}

/* The backend answers while it still maps a grant: held, never reused. */
static void usbfront_ring_held_grant(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	bool more;
	int id;

	id = rt_send(test, t, 64);
	usbfront_req_push(&t->r);
	t->grants_end = false;
	rt_answer(t, id, XENUSB_STATUS_OK, 64);
	KUNIT_EXPECT_EQ(test, usbfront_ring_responses(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_STREQ(test, t->what,
			   "backend still holds a grant of an answered request");
	KUNIT_EXPECT_TRUE(test, t->r.held[id]);
	KUNIT_EXPECT_EQ(test, t->r.nheld, 1u);
	KUNIT_EXPECT_TRUE(test, usbfront_id_in_use(&t->r.ids, id));

	/* Teardown: still held, then the grant ends and the id is free. */
	KUNIT_EXPECT_EQ(test, usbfront_ring_release(&t->r, id), -EBUSY);
	t->grants_end = true;
	KUNIT_EXPECT_EQ(test, usbfront_ring_release(&t->r, id), 0);
	KUNIT_EXPECT_EQ(test, t->r.nheld, 0u);
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t->r.ids, id));
	KUNIT_EXPECT_EQ(test, usbfront_ring_release(&t->r, id), -EINVAL);
}

/* Sixteen requests fill the ring; the seventeenth waits. */
static void usbfront_ring_full(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	int i;

	KUNIT_EXPECT_EQ(test, RING_SIZE(&t->r.urb), 16u);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_GE(test, rt_send(test, t, 8), 0);
	KUNIT_EXPECT_EQ(test, rt_send(test, t, 8), -EBUSY);
}

/*
 * An 8-page ring: 128 requests, ids 0..127 only; then full. A bad order
 * attaches nothing.
 */
static void usbfront_ring_full_deep(struct kunit *test)
{
	struct ring_test *t = rt_new_order(test, 3);
	void *page = kunit_kzalloc(test, XENUSB_PAGE_SIZE, GFP_KERNEL);
	int i, id;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, RING_SIZE(&t->r.urb), 128u);
	KUNIT_EXPECT_EQ(test, t->r.ids.cap, 128);
	for (i = 0; i < 128; i++) {
		id = rt_send(test, t, 8);
		KUNIT_EXPECT_GE(test, id, 0);
		KUNIT_EXPECT_LT(test, id, 128);
	}
	KUNIT_EXPECT_EQ(test, rt_send(test, t, 8), -EBUSY);
	KUNIT_EXPECT_EQ(test, usbfront_ring_attach(&t->r, page, page,
						   XENUSB_MAX_RING_PAGE_ORDER + 1),
			-EINVAL);
}

static void usbfront_req_build_rules(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct usbfront_xfer x = { .pipe = rt_pipe(XENUSB_PIPE_TYPE_ISOC, false),
				   .length = 1024, .interval = 1,
				   .nr_packets = 8 };
	struct xenusb_urb_request req;
	int id, nfree;

	/* Never a length the u16 field would wrap, never the unlink bit. */
	x.length = 65536;
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.length = 1024;
	x.pipe |= XENUSB_PIPE_UNLINK;
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.pipe &= ~XENUSB_PIPE_UNLINK;

	nfree = t->r.ids.nfree;
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, req.u.isoc.number_of_packets, 8);
	KUNIT_EXPECT_EQ(test, t->r.inf[id].nr_packets, 8);
	/* An iso request without descriptor segments is refused. */
	KUNIT_EXPECT_EQ(test, usbfront_req_queue(&t->r, &req, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->r.ids.nfree, nfree);
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_EXPECT_EQ(test, usbfront_req_queue(&t->r, &req, 16, 1), -EINVAL);
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_EXPECT_EQ(test, usbfront_req_queue(&t->r, &req, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, req.u.isoc.nr_frame_desc_segs, 1);
}

/* Large transfers: when a request goes indirect, and what it carries. */
static void usbfront_req_indirect_rules(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct usbfront_xfer x = { .pipe = rt_pipe(XENUSB_PIPE_TYPE_BULK, true),
				   .length = 1024 * 1024, .nr_segs = 256 };
	struct xenusb_urb_request req;
	u32 segs, bytes;
	int id, nfree;

	/* Not negotiated: nothing above the base protocol is built. */
	usbfront_req_limits(&t->r, XENUSB_PIPE_TYPE_BULK, 0, &segs, &bytes);
	KUNIT_EXPECT_EQ(test, segs, 16u);
	KUNIT_EXPECT_EQ(test, bytes, 65535u);
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.length = 60000;	/* 17 pieces of one small transfer */
	x.nr_segs = 17;
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);

	t->r.feat.val[XENUSB_FEAT_MAX_INDIRECT] = 256;
	usbfront_req_limits(&t->r, XENUSB_PIPE_TYPE_BULK, 0, &segs, &bytes);
	KUNIT_EXPECT_EQ(test, segs, 256u);
	KUNIT_EXPECT_EQ(test, bytes, 1024u * 1024u);
	/* Other types keep the base limits, less the iso pages. */
	usbfront_req_limits(&t->r, XENUSB_PIPE_TYPE_ISOC, 2, &segs, &bytes);
	KUNIT_EXPECT_EQ(test, segs, 14u);
	KUNIT_EXPECT_EQ(test, bytes, 65535u);

	/* A small bulk request stays direct, byte for byte as before. */
	x.length = 4096;
	x.nr_segs = 1;
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, req.transfer_flags, 0);
	KUNIT_EXPECT_EQ(test, req.buffer_length, 4096);
	/* ... and cannot be queued as indirect. */
	KUNIT_EXPECT_EQ(test, usbfront_req_queue_indirect(&t->r, &req, 1, 9),
			-EINVAL);

	x.length = 1024 * 1024;
	x.nr_segs = 256;
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, req.transfer_flags, XENUSB_INDIRECT);
	KUNIT_EXPECT_EQ(test, req.buffer_length, 0);
	KUNIT_EXPECT_EQ(test, xenusb_indirect_len_get(&req), 1024u * 1024u);
	KUNIT_EXPECT_EQ(test, t->r.inf[id].length, 1024u * 1024u);
	nfree = t->r.ids.nfree;
	/* More descriptors than agreed, or none: refused, id released. */
	KUNIT_EXPECT_EQ(test, usbfront_req_queue_indirect(&t->r, &req, 257, 9),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t->r.ids.nfree, nfree + 1);
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_EXPECT_EQ(test, usbfront_req_queue_indirect(&t->r, &req, 0, 9),
			-EINVAL);
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, usbfront_req_queue_indirect(&t->r, &req, 256, 9),
			0);
	KUNIT_EXPECT_EQ(test, req.nr_buffer_segs, 1);
	KUNIT_EXPECT_EQ(test, req.seg[0].gref, 9u);
	KUNIT_EXPECT_EQ(test, req.seg[0].offset, 0);
	KUNIT_EXPECT_EQ(test, req.seg[0].length, 256 * 8);

	/* Beyond the agreed size, and never for another transfer type. */
	x.length = 1024 * 1024 + 1;
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.length = 1024 * 1024;
	x.nr_segs = 257;
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.nr_segs = 17;
	x.pipe = rt_pipe(XENUSB_PIPE_TYPE_INT, true);
	x.interval = 1;
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
}

static void usbfront_req_unlink_rules(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct xenusb_urb_request got;
	u32 pipe = rt_pipe(XENUSB_PIPE_TYPE_BULK, true);
	int victim, id;

	KUNIT_EXPECT_EQ(test, usbfront_req_unlink(&t->r, 3, pipe), -EINVAL);
	victim = rt_send(test, t, 64);
	id = usbfront_req_unlink(&t->r, victim, pipe);
	KUNIT_ASSERT_GE(test, id, 0);
	/* An unlink of an unlink makes no sense. */
	KUNIT_EXPECT_EQ(test, usbfront_req_unlink(&t->r, id, pipe), -EINVAL);
	usbfront_req_push(&t->r);
	RING_COPY_REQUEST(&t->bu, 1, &got);
	KUNIT_EXPECT_EQ(test, got.id, id);
	KUNIT_EXPECT_TRUE(test, !!(got.pipe & XENUSB_PIPE_UNLINK));
	KUNIT_EXPECT_EQ(test, got.u.unlink.unlink_id, victim);
	KUNIT_EXPECT_TRUE(test, t->r.inf[id].unlink);
}

/* Conn events: applied, re-posted under our own slot index. */
static void usbfront_ring_conn_events(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct xenusb_conn_response *ev;
	bool more;

	ev = RING_GET_RESPONSE(&t->bc, t->bc.rsp_prod_pvt++);
	ev->id = 777;		/* the backend's echo is not used */
	ev->portnum = 2;
	ev->speed = XENUSB_SPEED_HIGH;
	RING_PUSH_RESPONSES(&t->bc);
	KUNIT_EXPECT_EQ(test, usbfront_ring_conn(&t->r, &more), 1);
	KUNIT_EXPECT_EQ(test, t->conns, 1);
	KUNIT_EXPECT_EQ(test, t->rh.port[1].speed, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, RING_GET_REQUEST(&t->r.conn,
					       t->r.conn.req_prod_pvt - 1)->id,
			(t->r.conn.req_prod_pvt - 1) % RING_SIZE(&t->r.conn));
	KUNIT_EXPECT_EQ(test, t->fatals, 0);

	/* Port 5 on a 4-port controller: the backend is broken. */
	ev = RING_GET_RESPONSE(&t->bc, t->bc.rsp_prod_pvt++);
	ev->portnum = 5;
	ev->speed = XENUSB_SPEED_FULL;
	RING_PUSH_RESPONSES(&t->bc);
	KUNIT_EXPECT_EQ(test, usbfront_ring_conn(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_STREQ(test, t->what, "invalid conn ring event");
	KUNIT_EXPECT_EQ(test, t->conns, 1);
}

static void usbfront_ring_conn_overflow(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	bool more;

	t->bc.sring->rsp_prod = t->r.conn.req_prod_pvt + 1;
	KUNIT_EXPECT_EQ(test, usbfront_ring_conn(&t->r, &more), -EPROTO);
	KUNIT_EXPECT_STREQ(test, t->what, "conn ring response producer overflow");
	KUNIT_EXPECT_EQ(test, t->conns, 0);
}

/* feature-zero-packet: the flag only on bulk OUT, only when on. */
static void usbfront_req_zero_packet(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct usbfront_xfer x = { .pipe = rt_pipe(XENUSB_PIPE_TYPE_BULK, false),
				   .length = 512, .zero_packet = true };
	struct xenusb_urb_request req;
	int id;

	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	t->r.feat.val[XENUSB_FEAT_ZERO_PACKET] = 1;
	x.pipe = rt_pipe(XENUSB_PIPE_TYPE_BULK, true);
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.pipe = rt_pipe(XENUSB_PIPE_TYPE_INT, false);
	KUNIT_EXPECT_EQ(test, usbfront_req_start(&t->r, &x, &req), -EINVAL);
	x.pipe = rt_pipe(XENUSB_PIPE_TYPE_BULK, false);
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, req.transfer_flags, XENUSB_ZERO_PACKET);
	x.zero_packet = false;
	usbfront_req_abort(&t->r, id);
	id = usbfront_req_start(&t->r, &x, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, req.transfer_flags, 0);
}

/* feature-port-reset: the request, and its answer ending the reset. */
static void usbfront_req_port_reset_round_trip(struct kunit *test)
{
	struct ring_test *t = rt_new(test);
	struct xenusb_urb_request req, got;
	u8 buf[4];
	bool more;
	int id;

	KUNIT_EXPECT_EQ(test, usbfront_req_port_reset(&t->r, 1, &req),
			-EINVAL);
	t->r.feat.val[XENUSB_FEAT_PORT_RESET] = 1;
	KUNIT_EXPECT_EQ(test, usbfront_req_port_reset(&t->r, 0, &req),
			-EINVAL);

	/* Port 1 holds an enabled device that the hub driver resets. */
	usbfront_rh_control(&t->rh, USBFRONT_RH_SET_PORT_FEATURE,
			    USB_PORT_FEAT_POWER, 1, NULL, 0, 0);
	usbfront_rh_connect(&t->rh, 1, XENUSB_SPEED_HIGH);
	usbfront_rh_control(&t->rh, USBFRONT_RH_SET_PORT_FEATURE,
			    USB_PORT_FEAT_RESET, 1, NULL, 0, 0);
	usbfront_rh_poll(&t->rh, 100);
	usbfront_rh_addressed(&t->rh, 1);
	usbfront_rh_control(&t->rh, USBFRONT_RH_SET_PORT_FEATURE,
			    USB_PORT_FEAT_RESET, 1, NULL, 0, 200);
	KUNIT_ASSERT_TRUE(test, usbfront_rh_reset_remote(&t->rh, 1));

	id = usbfront_req_port_reset(&t->r, 1, &req);
	KUNIT_ASSERT_GE(test, id, 0);
	usbfront_req_push(&t->r);
	RING_COPY_REQUEST(&t->bu, 0, &got);
	t->bu.req_cons = 1;
	KUNIT_EXPECT_EQ(test, got.id, id);
	KUNIT_EXPECT_EQ(test, got.transfer_flags, XENUSB_PORT_RESET);
	KUNIT_EXPECT_EQ(test, xenusb_pipeportnum(got.pipe), 1u);
	KUNIT_EXPECT_EQ(test, xenusb_pipetype(got.pipe),
			(u32)XENUSB_PIPE_TYPE_CTRL);
	KUNIT_EXPECT_EQ(test, xenusb_pipeendpoint(got.pipe), 0u);
	KUNIT_EXPECT_EQ(test, xenusb_pipedevice(got.pipe), 0u);
	KUNIT_EXPECT_FALSE(test, xenusb_pipein(got.pipe));
	KUNIT_EXPECT_EQ(test, got.nr_buffer_segs, 0);
	KUNIT_EXPECT_EQ(test, got.buffer_length, 0);

	rt_answer(t, id, XENUSB_STATUS_OK, 0);
	KUNIT_EXPECT_EQ(test, usbfront_ring_responses(&t->r, &more), 1);
	KUNIT_EXPECT_EQ(test, t->last_inf.reset_port, 1);
	KUNIT_EXPECT_EQ(test, t->fatals, 0);
	usbfront_rh_control(&t->rh, USBFRONT_RH_GET_PORT_STATUS, 0, 1, buf,
			    sizeof(buf), 300);
	KUNIT_EXPECT_TRUE(test, buf[0] & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_FALSE(test, buf[0] & USB_PORT_STAT_RESET);
}

static struct kunit_case usbfront_rsp_ring_cases[] = {
	KUNIT_CASE(usbfront_ring_round_trip),
	KUNIT_CASE(usbfront_ring_unpublished),
	KUNIT_CASE(usbfront_ring_overflow_latch),
	KUNIT_CASE(usbfront_ring_held_grant),
	KUNIT_CASE(usbfront_ring_full),
	KUNIT_CASE(usbfront_ring_full_deep),
	KUNIT_CASE(usbfront_req_build_rules),
	KUNIT_CASE(usbfront_req_indirect_rules),
	KUNIT_CASE(usbfront_req_unlink_rules),
	KUNIT_CASE(usbfront_req_zero_packet),
	KUNIT_CASE(usbfront_req_port_reset_round_trip),
	KUNIT_CASE(usbfront_ring_conn_events),
	KUNIT_CASE(usbfront_ring_conn_overflow),
	{}
};

static struct kunit_suite usbfront_rsp_ring_suite = {
	.name = "usbfront_rsp_ring",
	.test_cases = usbfront_rsp_ring_cases,
};

kunit_test_suite(usbfront_rsp_ring_suite);

MODULE_DESCRIPTION("KUnit tests for usbfront's ring loops and request building");
MODULE_LICENSE("GPL");
