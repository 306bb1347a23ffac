// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/conn_queue.c: hotplug events waiting for a
 * conn-ring request.
 */
#include <kunit/test.h>

#include "conn_queue.c"

/* Pop one event and check it is (@port, @speed). */
static void expect_pop(struct kunit *test, struct usbback_conn_queue *q,
		       u8 port, u8 speed)
{
	u8 p = 0xee, s = 0xee;

	KUNIT_EXPECT_TRUE(test, usbback_conn_pending(q));
	KUNIT_ASSERT_TRUE(test, usbback_conn_pop(q, &p, &s));
	KUNIT_EXPECT_EQ(test, p, port);
	KUNIT_EXPECT_EQ(test, s, speed);
}

static void expect_empty(struct kunit *test, struct usbback_conn_queue *q)
{
	u8 p = 0xee, s = 0xee;

	KUNIT_EXPECT_FALSE(test, usbback_conn_pending(q));
	KUNIT_EXPECT_FALSE(test, usbback_conn_pop(q, &p, &s));
	/* Nothing popped: the outputs stay untouched. */
	KUNIT_EXPECT_EQ(test, p, 0xee);
	KUNIT_EXPECT_EQ(test, s, 0xee);
}

static void conn_init_empty(struct kunit *test)
{
	struct usbback_conn_queue q;

	memset(&q, 0xa5, sizeof(q));
	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_EXPECT_EQ(test, q.nports, 8);
	expect_empty(test, &q);
	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, XENUSB_MAX_PORTNR), 0);
	expect_empty(test, &q);
}

static void conn_init_bad_nports(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_EXPECT_EQ(test, usbback_conn_init(&q, 0), -EINVAL);
	/* A queue that failed init takes no event. */
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 1, XENUSB_SPEED_HIGH),
			-EINVAL);
	expect_empty(test, &q);
	KUNIT_EXPECT_EQ(test, usbback_conn_init(&q, XENUSB_MAX_PORTNR + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 1, XENUSB_SPEED_HIGH),
			-EINVAL);
	expect_empty(test, &q);
}

struct conn_bad_case {
	const char *name;
	u8 port;
	u8 speed;
};

static const struct conn_bad_case conn_bad_cases[] = {
	{ "port 0", 0, XENUSB_SPEED_FULL },
	{ "port above nports", 9, XENUSB_SPEED_FULL },
	{ "port 32", XENUSB_MAX_PORTNR + 1, XENUSB_SPEED_FULL },
	{ "speed 4", 1, XENUSB_SPEED_MAX + 1 },
	{ "speed 255", 1, 255 },
	{ "unplug of port 0", 0, XENUSB_SPEED_NONE },
};

static void conn_bad_desc(const struct conn_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(conn_bad, conn_bad_cases, conn_bad_desc);

static void conn_set_bad_args(struct kunit *test)
{
	const struct conn_bad_case *c = test->param_value;
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, c->port, c->speed),
			-EINVAL);
	expect_empty(test, &q);
}

static void conn_plug_then_unplug(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	expect_empty(test, &q);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_NONE), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	expect_empty(test, &q);
	/* Ports 1 and nports work as well. */
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 1, XENUSB_SPEED_LOW), 0);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 8, XENUSB_SPEED_FULL), 0);
	expect_pop(test, &q, 1, XENUSB_SPEED_LOW);
	expect_pop(test, &q, 8, XENUSB_SPEED_FULL);
	expect_empty(test, &q);
}

static void conn_unplug_cancels_untold_plug(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 2, XENUSB_SPEED_FULL), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 4, XENUSB_SPEED_HIGH), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 6, XENUSB_SPEED_LOW), 0);
	/* The middle one goes before the frontend heard of it. */
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 4, XENUSB_SPEED_NONE), 0);
	expect_pop(test, &q, 2, XENUSB_SPEED_FULL);
	expect_pop(test, &q, 6, XENUSB_SPEED_LOW);
	expect_empty(test, &q);
}

static void conn_unplug_of_empty_port_is_silent(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 5, XENUSB_SPEED_NONE), 0);
	expect_empty(test, &q);
}

static void conn_replug_same_speed_reports_zero_first(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	/* A new device at the same speed: xen-hcd ignores H after H. */
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	expect_empty(test, &q);
}

static void conn_replug_other_speed_reports_zero_first(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_FULL), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	expect_pop(test, &q, 3, XENUSB_SPEED_FULL);
	expect_empty(test, &q);
}

static void conn_unplug_then_plug_before_pop(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_NONE), 0);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	expect_empty(test, &q);
}

static void conn_replug_then_unplug_before_pop(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_FULL), 0);
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_NONE), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	expect_empty(test, &q);
}

static void conn_unplug_between_replug_pops(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_FULL), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	/* The frontend already sees the port empty: nothing more to say. */
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_NONE), 0);
	expect_empty(test, &q);
}

static void conn_untold_plug_latest_speed_wins(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_FULL), 0);
	/* The frontend never saw the first device: no 0 needed. */
	KUNIT_EXPECT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	expect_empty(test, &q);
}

static void conn_oldest_port_first(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 5, XENUSB_SPEED_HIGH), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 2, XENUSB_SPEED_FULL), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 7, XENUSB_SPEED_LOW), 0);
	/* News for a queued port keeps its place. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 5, XENUSB_SPEED_FULL), 0);
	expect_pop(test, &q, 5, XENUSB_SPEED_FULL);
	expect_pop(test, &q, 2, XENUSB_SPEED_FULL);
	/* Port 5 comes back after 7, the oldest remaining news. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 5, XENUSB_SPEED_NONE), 0);
	expect_pop(test, &q, 7, XENUSB_SPEED_LOW);
	expect_pop(test, &q, 5, XENUSB_SPEED_NONE);
	expect_empty(test, &q);
}

static void conn_all_ports_and_wraparound(struct kunit *test)
{
	struct usbback_conn_queue q;
	unsigned int port;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, XENUSB_MAX_PORTNR), 0);
	for (port = 1; port <= XENUSB_MAX_PORTNR; port++)
		KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, port,
						       XENUSB_SPEED_FULL), 0);
	KUNIT_EXPECT_EQ(test, q.count, XENUSB_MAX_PORTNR);
	/* 10 out, 10 back in at the tail: the FIFO wraps, order holds. */
	for (port = 1; port <= 10; port++)
		expect_pop(test, &q, port, XENUSB_SPEED_FULL);
	for (port = 1; port <= 10; port++)
		KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, port,
						       XENUSB_SPEED_NONE), 0);
	KUNIT_EXPECT_EQ(test, q.count, XENUSB_MAX_PORTNR);
	for (port = 11; port <= XENUSB_MAX_PORTNR; port++)
		expect_pop(test, &q, port, XENUSB_SPEED_FULL);
	for (port = 1; port <= 10; port++)
		expect_pop(test, &q, port, XENUSB_SPEED_NONE);
	expect_empty(test, &q);
}

static void conn_cancel_in_wrapped_fifo_keeps_order(struct kunit *test)
{
	struct usbback_conn_queue q;
	unsigned int port;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, XENUSB_MAX_PORTNR), 0);
	for (port = 1; port <= 30; port++)
		KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, port,
						       XENUSB_SPEED_FULL), 0);
	for (port = 1; port <= 30; port++)
		expect_pop(test, &q, port, XENUSB_SPEED_FULL);
	/* The oldest entry is now the last array slot: the next wrap. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 1, XENUSB_SPEED_NONE), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 2, XENUSB_SPEED_NONE), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 31, XENUSB_SPEED_HIGH), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_NONE), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 4, XENUSB_SPEED_NONE), 0);
	/* Port 31 leaves before it was announced: out of the middle. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 31, XENUSB_SPEED_NONE), 0);
	/* Port 2 gets a new device before its unplug was told. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 2, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 1, XENUSB_SPEED_NONE);
	expect_pop(test, &q, 2, XENUSB_SPEED_NONE);
	expect_pop(test, &q, 2, XENUSB_SPEED_HIGH);
	expect_pop(test, &q, 3, XENUSB_SPEED_NONE);
	expect_pop(test, &q, 4, XENUSB_SPEED_NONE);
	expect_empty(test, &q);
}

static void conn_replay_reports_every_device(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 6, XENUSB_SPEED_HIGH), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 2, XENUSB_SPEED_FULL), 0);
	expect_pop(test, &q, 6, XENUSB_SPEED_HIGH);
	/* Still queued for the old frontend: a replug and an unplug. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 6, XENUSB_SPEED_LOW), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 4, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 2, XENUSB_SPEED_FULL);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 2, XENUSB_SPEED_NONE), 0);

	usbback_conn_replay(&q);
	/* New frontend, all ports empty to it: occupied ones, in order. */
	expect_pop(test, &q, 4, XENUSB_SPEED_HIGH);
	expect_pop(test, &q, 6, XENUSB_SPEED_LOW);
	expect_empty(test, &q);

	/* And it is then treated like any frontend. */
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 4, XENUSB_SPEED_NONE), 0);
	expect_pop(test, &q, 4, XENUSB_SPEED_NONE);
	expect_empty(test, &q);
}

static void conn_replay_with_nothing_plugged(struct kunit *test)
{
	struct usbback_conn_queue q;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, 8), 0);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_HIGH), 0);
	expect_pop(test, &q, 3, XENUSB_SPEED_HIGH);
	KUNIT_ASSERT_EQ(test, usbback_conn_set(&q, 3, XENUSB_SPEED_NONE), 0);
	usbback_conn_replay(&q);
	expect_empty(test, &q);
}

/*
 * Random plugs, unplugs and pops against a model of xen-hcd: an event is
 * only useful if it changes the port's speed as the frontend sees it, a
 * device is only announced on a port the frontend sees empty (else the
 * guest would keep the old device's state), and once drained the
 * frontend sees exactly what the backend has.
 */
static void conn_random_against_frontend_model(struct kunit *test)
{
	struct usbback_conn_queue q;
	u8 fe[XENUSB_MAX_PORTNR + 1] = { 0 };
	u8 have[XENUSB_MAX_PORTNR + 1] = { 0 };
	u32 rnd = 0x12345678;
	unsigned int i, port, bad = 0;
	u8 nports = 7, p, s;

	KUNIT_ASSERT_EQ(test, usbback_conn_init(&q, nports), 0);
	for (i = 0; i < 20000; i++) {
		rnd = rnd * 1103515245 + 12345;
		switch ((rnd >> 16) % 8) {
		case 0: case 1: case 2:
			port = 1 + (rnd >> 8) % nports;
			/* The glue reports transitions: a new device or a
			 * departure of the present one.
			 */
			if (have[port] && (rnd & 1))
				s = XENUSB_SPEED_NONE;
			else
				s = 1 + (rnd >> 4) % XENUSB_SPEED_MAX;
			have[port] = s;
			if (usbback_conn_set(&q, port, s))
				bad++;
			break;
		case 3:
			usbback_conn_replay(&q);
			memset(fe, 0, sizeof(fe));
			break;
		default:
			if (!usbback_conn_pop(&q, &p, &s))
				break;
			if (p < 1 || p > nports || s == fe[p] ||
			    (s && fe[p]))
				bad++;
			fe[p] = s;
			break;
		}
		if (q.count > nports)
			bad++;
	}
	while (usbback_conn_pop(&q, &p, &s)) {
		if (p < 1 || p > nports || s == fe[p] || (s && fe[p]))
			bad++;
		fe[p] = s;
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	for (port = 1; port <= nports; port++)
		KUNIT_EXPECT_EQ(test, fe[port], have[port]);
}

static struct kunit_case usbback_conn_queue_cases[] = {
	KUNIT_CASE(conn_init_empty),
	KUNIT_CASE(conn_init_bad_nports),
	KUNIT_CASE_PARAM(conn_set_bad_args, conn_bad_gen_params),
	KUNIT_CASE(conn_plug_then_unplug),
	KUNIT_CASE(conn_unplug_cancels_untold_plug),
	KUNIT_CASE(conn_unplug_of_empty_port_is_silent),
	KUNIT_CASE(conn_replug_same_speed_reports_zero_first),
	KUNIT_CASE(conn_replug_other_speed_reports_zero_first),
	KUNIT_CASE(conn_unplug_then_plug_before_pop),
	KUNIT_CASE(conn_replug_then_unplug_before_pop),
	KUNIT_CASE(conn_unplug_between_replug_pops),
	KUNIT_CASE(conn_untold_plug_latest_speed_wins),
	KUNIT_CASE(conn_oldest_port_first),
	KUNIT_CASE(conn_all_ports_and_wraparound),
	KUNIT_CASE(conn_cancel_in_wrapped_fifo_keeps_order),
	KUNIT_CASE(conn_replay_reports_every_device),
	KUNIT_CASE(conn_replay_with_nothing_plugged),
	KUNIT_CASE(conn_random_against_frontend_model),
	{}
};

static struct kunit_suite usbback_conn_queue_suite = {
	.name = "usbback_conn_queue",
	.test_cases = usbback_conn_queue_cases,
};

kunit_test_suite(usbback_conn_queue_suite);

MODULE_LICENSE("GPL");
