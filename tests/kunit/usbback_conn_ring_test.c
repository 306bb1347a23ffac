// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/conn_ring.c: hotplug events onto the conn ring,
 * one per pre-posted conn request, over a recording ops table.
 */
#include <kunit/test.h>

#include "conn_ring.c"
#include "usbback_ring_fake.h"

static void fake_post_conn(struct fake *f, unsigned int n)
{
	while (n--) {
		RING_GET_REQUEST(&f->conn, f->conn.req_prod_pvt)->id =
			f->conn.req_prod_pvt + 100;
		f->conn.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS(&f->conn);
}

static void expect_ev(struct kunit *test, struct fake *f, u8 port, u8 speed)
{
	const struct xenusb_conn_response *ev;

	KUNIT_ASSERT_NE(test, f->conn.rsp_cons, f->conn.sring->rsp_prod);
	ev = RING_GET_RESPONSE(&f->conn, f->conn.rsp_cons);
	/* The id of the request it answers, echoed. */
	KUNIT_EXPECT_EQ(test, ev->id, f->conn.rsp_cons + 100);
	KUNIT_EXPECT_EQ(test, ev->portnum, port);
	KUNIT_EXPECT_EQ(test, ev->speed, speed);
	f->conn.rsp_cons++;
}

static void conn_event_kicks(struct kunit *test)
{
	struct fake *f = fake_new(test);

	KUNIT_EXPECT_EQ(test, usbback_ring_conn_event(&f->r, 1,
						      XENUSB_SPEED_HIGH), 0);
	KUNIT_EXPECT_EQ(test, f->kicks, 1u);
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_event(&f->r, 3,
						      XENUSB_SPEED_HIGH),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, f->kicks, 1u);
}

static void conn_flush_waits_for_requests(struct kunit *test)
{
	struct fake *f = fake_new(test);

	usbback_ring_conn_event(&f->r, 1, XENUSB_SPEED_HIGH);
	usbback_ring_conn_event(&f->r, 2, XENUSB_SPEED_FULL);
	/* No conn request posted: nothing said, an event asked for. */
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 0);
	KUNIT_EXPECT_EQ(test, f->conn.sring->req_event, 1u);
	fake_post_conn(f, 1);
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 1);
	expect_ev(test, f, 1, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, f->notifies, 1u);
	fake_post_conn(f, 4);
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 1);
	expect_ev(test, f, 2, XENUSB_SPEED_FULL);
	/* Nothing left: the spare requests stay posted. */
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 0);
	KUNIT_EXPECT_EQ(test, f->r.conn.req_cons, 2u);
}

static void conn_attach_replays_ports(struct kunit *test)
{
	struct fake *f = fake_new(test);

	usbback_ring_conn_event(&f->r, 2, XENUSB_SPEED_HIGH);
	fake_post_conn(f, 2);
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 1);
	expect_ev(test, f, 2, XENUSB_SPEED_HIGH);
	/* A frontend that reconnects is told again. */
	usbback_ring_detach(&f->r);
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 0);
	SHARED_RING_INIT((struct xenusb_conn_sring *)f->conn_page);
	FRONT_RING_INIT(&f->conn, (struct xenusb_conn_sring *)f->conn_page,
			XENUSB_PAGE_SIZE);
	fake_attach(f);
	fake_post_conn(f, 2);
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), 1);
	expect_ev(test, f, 2, XENUSB_SPEED_HIGH);
}

static void conn_producer_overflow(struct kunit *test)
{
	struct fake *f = fake_new(test);

	usbback_ring_conn_event(&f->r, 1, XENUSB_SPEED_HIGH);
	f->conn.sring->req_prod = RING_SIZE(&f->conn) + 1;
	KUNIT_EXPECT_EQ(test, usbback_ring_conn_flush(&f->r), -EPROTO);
	KUNIT_EXPECT_EQ(test, f->r.conn.req_cons, 0u);
	KUNIT_EXPECT_EQ(test, f->notifies, 0u);
}

static struct kunit_case usbback_conn_ring_cases[] = {
	KUNIT_CASE(conn_event_kicks),
	KUNIT_CASE(conn_flush_waits_for_requests),
	KUNIT_CASE(conn_attach_replays_ports),
	KUNIT_CASE(conn_producer_overflow),
	{}
};

static struct kunit_suite usbback_conn_ring_suite = {
	.name = "usbback_conn_ring",
	.test_cases = usbback_conn_ring_cases,
};

kunit_test_suite(usbback_conn_ring_suite);

MODULE_LICENSE("GPL");
