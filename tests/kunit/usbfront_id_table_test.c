// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: usbfront/id_table.c, the ids of requests in flight. The
 * hostile-backend cases are responses naming an id that is out of range,
 * never allocated, or already answered.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "id_table.c"

#define RING_IDS	16	/* XENUSB_URB_RING_SIZE on one page */

static void usbfront_ids_init_bounds(struct kunit *test)
{
	static struct usbfront_id_table t;

	KUNIT_EXPECT_EQ(test, usbfront_ids_init(&t, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
	KUNIT_EXPECT_EQ(test, usbfront_ids_init(&t, USBFRONT_MAX_IDS + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t, 0));

	KUNIT_EXPECT_EQ(test, usbfront_ids_init(&t, 1), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
	KUNIT_EXPECT_EQ(test, usbfront_ids_init(&t, USBFRONT_MAX_IDS), 0);
	KUNIT_EXPECT_EQ(test, t.nfree, USBFRONT_MAX_IDS);
}

/* Fill the table, check every id once, run dry, then refill one. */
static void usbfront_ids_exhaust(struct kunit *test)
{
	static struct usbfront_id_table t;
	bool seen[RING_IDS] = { };
	int i, id;

	KUNIT_ASSERT_EQ(test, usbfront_ids_init(&t, RING_IDS), 0);
	for (i = 0; i < RING_IDS; i++) {
		id = usbfront_id_alloc(&t);
		KUNIT_ASSERT_TRUE(test, id >= 0 && id < RING_IDS);
		KUNIT_EXPECT_FALSE(test, seen[id]);
		seen[id] = true;
		KUNIT_EXPECT_TRUE(test, usbfront_id_in_use(&t, id));
	}
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);

	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 7), 0);
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t, 7));
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), 7);
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
}

/* Hostile backend: a response with an id beyond the ring. */
static void usbfront_ids_bad_id(struct kunit *test)
{
	static struct usbfront_id_table t;

	KUNIT_ASSERT_EQ(test, usbfront_ids_init(&t, RING_IDS), 0);
	KUNIT_ASSERT_EQ(test, usbfront_id_alloc(&t), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, RING_IDS), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, USBFRONT_MAX_IDS),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 0xffff), -EINVAL);
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t, RING_IDS));
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t, 0xffff));
	/* Nothing changed: one id out, fifteen free. */
	KUNIT_EXPECT_EQ(test, t.nfree, RING_IDS - 1);
	KUNIT_EXPECT_TRUE(test, usbfront_id_in_use(&t, 0));
}

/* Hostile backend: a response for an id that was never sent. */
static void usbfront_ids_unknown_id(struct kunit *test)
{
	static struct usbfront_id_table t;

	KUNIT_ASSERT_EQ(test, usbfront_ids_init(&t, RING_IDS), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.nfree, RING_IDS);
	KUNIT_ASSERT_EQ(test, usbfront_id_alloc(&t), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.nfree, RING_IDS - 1);
}

/*
 * Hostile backend: the same response twice. Were the second release
 * accepted, id 5 would sit on the free stack twice and two requests
 * would later share it.
 */
static void usbfront_ids_duplicate_response(struct kunit *test)
{
	static struct usbfront_id_table t;
	bool seen[RING_IDS] = { };
	int i, id;

	KUNIT_ASSERT_EQ(test, usbfront_ids_init(&t, RING_IDS), 0);
	for (i = 0; i < 6; i++)
		KUNIT_ASSERT_EQ(test, usbfront_id_alloc(&t), i);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 5), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.nfree, RING_IDS - 5);

	/* Drain: every id comes out exactly once. */
	for (i = 0; i < 5; i++)
		seen[i] = true;
	for (i = 0; i < RING_IDS - 5; i++) {
		id = usbfront_id_alloc(&t);
		KUNIT_ASSERT_TRUE(test, id >= 0 && id < RING_IDS);
		KUNIT_EXPECT_FALSE(test, seen[id]);
		seen[id] = true;
	}
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
}

/* Out-of-order completion over many rounds keeps the set consistent. */
static void usbfront_ids_churn(struct kunit *test)
{
	static struct usbfront_id_table t;
	int held[RING_IDS];
	int round, i, n = 0, id;

	KUNIT_ASSERT_EQ(test, usbfront_ids_init(&t, RING_IDS), 0);
	for (round = 0; round < 200; round++) {
		while (n < RING_IDS) {
			id = usbfront_id_alloc(&t);
			KUNIT_ASSERT_TRUE(test, id >= 0);
			held[n++] = id;
		}
		/* Answer a round-dependent subset, in reverse order. */
		for (i = n - 1; i >= 0; i--) {
			if ((i * 7 + round) % 3)
				continue;
			KUNIT_ASSERT_EQ(test, usbfront_id_release(&t, held[i]),
					0);
			held[i] = held[--n];
		}
		KUNIT_ASSERT_EQ(test, t.nfree, RING_IDS - n);
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_TRUE(test, usbfront_id_in_use(&t, held[i]));
	}
}

/*
 * A new ring's size: 128 ids after a one-page ring, 16 again after that;
 * an id in use above the new size (grants a backend held) is released
 * but never handed out again.
 */
static void usbfront_ids_resize_ring(struct kunit *test)
{
	static struct usbfront_id_table t;
	int i, id;

	KUNIT_ASSERT_EQ(test, usbfront_ids_init(&t, RING_IDS), 0);
	KUNIT_EXPECT_EQ(test, usbfront_ids_resize(&t, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_ids_resize(&t, USBFRONT_MAX_IDS + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t.cap, RING_IDS);
	KUNIT_ASSERT_EQ(test, usbfront_ids_resize(&t, 128), 0);
	for (i = 0; i < 128; i++) {
		id = usbfront_id_alloc(&t);
		KUNIT_ASSERT_EQ(test, id, i);
	}
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
	for (i = 0; i < 128; i++)
		if (i != 100)
			KUNIT_ASSERT_EQ(test, usbfront_id_release(&t, i), 0);
	/* Id 100 stays held across a shrink to one page. */
	KUNIT_ASSERT_EQ(test, usbfront_ids_resize(&t, RING_IDS), 0);
	KUNIT_EXPECT_EQ(test, t.nfree, RING_IDS);
	KUNIT_EXPECT_FALSE(test, usbfront_id_in_use(&t, 100));
	for (i = 0; i < RING_IDS; i++)
		KUNIT_EXPECT_LT(test, usbfront_id_alloc(&t), RING_IDS);
	KUNIT_EXPECT_EQ(test, usbfront_id_alloc(&t), -ENOSPC);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 100), 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.nfree, 0);
	KUNIT_EXPECT_EQ(test, usbfront_id_release(&t, USBFRONT_MAX_IDS),
			-EINVAL);
}

static struct kunit_case usbfront_id_table_cases[] = {
	KUNIT_CASE(usbfront_ids_resize_ring),
	KUNIT_CASE(usbfront_ids_init_bounds),
	KUNIT_CASE(usbfront_ids_exhaust),
	KUNIT_CASE(usbfront_ids_bad_id),
	KUNIT_CASE(usbfront_ids_unknown_id),
	KUNIT_CASE(usbfront_ids_duplicate_response),
	KUNIT_CASE(usbfront_ids_churn),
	{}
};

static struct kunit_suite usbfront_id_table_suite = {
	.name = "usbfront_id_table",
	.test_cases = usbfront_id_table_cases,
};

kunit_test_suite(usbfront_id_table_suite);

MODULE_DESCRIPTION("KUnit tests for usbfront request ids");
MODULE_LICENSE("GPL");
