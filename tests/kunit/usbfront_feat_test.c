// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbfront/feat.c: what the frontend uses of the
 * backend's offer, for every combination of the backend's key (absent,
 * 0, on, invalid) and this side's switch (on, off by module parameter).
 */
#include <kunit/test.h>

#include "feat.c"

struct front_case {
	const char *name;
	u32 local;		/* this side's module parameter */
	/* the backend's value, NULL: no key; "max+1": above the limit */
	const char *offer;
	u32 use;		/* expected value used and written */
	enum xenusb_feat_verdict verdict;
};

static const struct front_case front_cases[] = {
	{ "old backend, on here", 1, NULL, 0, XENUSB_FEAT_ABSENT },
	{ "old backend, off here", 0, NULL, 0, XENUSB_FEAT_ABSENT },
	{ "offered, on here", 1, "1", 1, XENUSB_FEAT_OK },
	{ "offered, off by parameter", 0, "1", 0, XENUSB_FEAT_LOCAL_OFF },
	{ "backend writes 0", 1, "0", 0, XENUSB_FEAT_OK },
	{ "backend 0, off here", 0, "0", 0, XENUSB_FEAT_OK },
	{ "above the limit", 1, "max+1", 0, XENUSB_FEAT_GARBAGE },
	{ "empty", 1, "", 0, XENUSB_FEAT_GARBAGE },
	{ "leading zero", 1, "01", 0, XENUSB_FEAT_GARBAGE },
	{ "newline", 1, "1\n", 0, XENUSB_FEAT_GARBAGE },
	{ "sign", 1, "+1", 0, XENUSB_FEAT_GARBAGE },
	{ "negative", 1, "-1", 0, XENUSB_FEAT_GARBAGE },
	{ "word", 1, "yes", 0, XENUSB_FEAT_GARBAGE },
	{ "huge", 1, "99999999999999999999", 0, XENUSB_FEAT_GARBAGE },
};

static void front_case_desc(const struct front_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(front, front_cases, front_case_desc);

/* Every feature judged alone, the others absent. */
static void feat_front_each(struct kunit *test)
{
	const struct front_case *c = test->param_value;
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *offer[XENUSB_FEAT_NR];
	struct xenusb_features local, use;
	unsigned int f, g, on;
	char above[16];

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		snprintf(above, sizeof(above), "%u", xenusb_feat_max(f) + 1);
		for (g = 0; g < XENUSB_FEAT_NR; g++) {
			offer[g] = g == f ? c->offer : NULL;
			if (g == f && c->offer && !strcmp(c->offer, "max+1"))
				offer[g] = above;
			local.val[g] = 1;
		}
		local.val[f] = c->local;
		memset(&use, 0xa5, sizeof(use));
		on = usbfront_feat_choose(&local, offer, &use, verdict);
		KUNIT_EXPECT_EQ_MSG(test, use.val[f], c->use, "feature %u", f);
		KUNIT_EXPECT_EQ_MSG(test, verdict[f], c->verdict, "feature %u",
				    f);
		KUNIT_EXPECT_EQ(test, on, c->use ? 1u : 0u);
		for (g = 0; g < XENUSB_FEAT_NR; g++) {
			if (g == f)
				continue;
			KUNIT_EXPECT_EQ(test, use.val[g], 0u);
			KUNIT_EXPECT_EQ(test, verdict[g], XENUSB_FEAT_ABSENT);
		}
	}
}

/* A bad key switches its own feature off, never the others. */
static void feat_front_garbage_is_local(struct kunit *test)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *offer[XENUSB_FEAT_NR];
	struct xenusb_features local, use;
	unsigned int f, on;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		offer[f] = "1";
		local.val[f] = 1;
	}
	offer[XENUSB_FEAT_ZERO_PACKET] = "on";
	on = usbfront_feat_choose(&local, offer, &use, verdict);
	KUNIT_EXPECT_EQ(test, on, (unsigned int)XENUSB_FEAT_NR - 1);
	KUNIT_EXPECT_EQ(test, use.val[XENUSB_FEAT_ZERO_PACKET], 0u);
	KUNIT_EXPECT_EQ(test, verdict[XENUSB_FEAT_ZERO_PACKET],
			XENUSB_FEAT_GARBAGE);
	KUNIT_EXPECT_EQ(test, use.val[XENUSB_FEAT_PORT_RESET], 1u);
}

/* The keys and limits both sides share. */
static void feat_keys(struct kunit *test)
{
	unsigned int f, g;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		KUNIT_ASSERT_NOT_NULL(test, xenusb_feat_key(f));
		KUNIT_EXPECT_GE(test, xenusb_feat_max(f), 1u);
		for (g = 0; g < f; g++)
			KUNIT_EXPECT_STRNEQ(test, xenusb_feat_key(f),
					    xenusb_feat_key(g));
	}
	KUNIT_EXPECT_NULL(test, xenusb_feat_key(XENUSB_FEAT_NR));
	KUNIT_EXPECT_EQ(test, xenusb_feat_max(XENUSB_FEAT_NR), 0u);
	KUNIT_EXPECT_STREQ(test, xenusb_feat_key(XENUSB_FEAT_ZERO_PACKET),
			   "feature-zero-packet");
	KUNIT_EXPECT_STREQ(test, xenusb_feat_key(XENUSB_FEAT_PORT_RESET),
			   "feature-port-reset");
	/* The flags stay clear of usbif.h's only one. */
	KUNIT_EXPECT_EQ(test, XENUSB_ZERO_PACKET & XENUSB_SHORT_NOT_OK, 0);
	KUNIT_EXPECT_EQ(test, XENUSB_PORT_RESET & XENUSB_SHORT_NOT_OK, 0);
	KUNIT_EXPECT_EQ(test, XENUSB_PORT_RESET & XENUSB_ZERO_PACKET, 0);
}

static void feat_parse_numeric(struct kunit *test)
{
	u32 v = 7;

	KUNIT_EXPECT_EQ(test, xenusb_feat_parse("4096", 4096, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 4096u);
	KUNIT_EXPECT_EQ(test, xenusb_feat_parse("4097", 4096, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xenusb_feat_parse("0", 4096, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0u);
	KUNIT_EXPECT_EQ(test, xenusb_feat_parse(NULL, 1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, xenusb_feat_parse("12 ", 100, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 0u);
}

/* A numeric feature: the smaller of the offer and this side's limit. */
static void feat_front_numeric(struct kunit *test)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *offer[XENUSB_FEAT_NR] = { };
	struct xenusb_features local = { }, use;
	const unsigned int f = XENUSB_FEAT_MAX_INDIRECT;

	KUNIT_EXPECT_STREQ(test, xenusb_feat_key(f),
			   "feature-max-indirect-segments");
	KUNIT_EXPECT_EQ(test, xenusb_feat_max(f), XENUSB_MAX_INDIRECT_SEGS);
	local.val[f] = 256;
	offer[f] = "64";
	KUNIT_EXPECT_EQ(test, usbfront_feat_choose(&local, offer, &use,
						   verdict), 1u);
	KUNIT_EXPECT_EQ(test, use.val[f], 64u);
	local.val[f] = 32;
	KUNIT_EXPECT_EQ(test, usbfront_feat_choose(&local, offer, &use,
						   verdict), 1u);
	KUNIT_EXPECT_EQ(test, use.val[f], 32u);
	offer[f] = "257";	/* beyond what the protocol allows */
	KUNIT_EXPECT_EQ(test, usbfront_feat_choose(&local, offer, &use,
						   verdict), 0u);
	KUNIT_EXPECT_EQ(test, verdict[f], XENUSB_FEAT_GARBAGE);
	/* The indirect flag stays clear of every other flag. */
	KUNIT_EXPECT_EQ(test, XENUSB_INDIRECT &
			(XENUSB_SHORT_NOT_OK | XENUSB_ZERO_PACKET |
			 XENUSB_PORT_RESET), 0);
}

/* The URB ring's order: both sides' smaller; anything odd is one page. */
static void feat_front_ring_order(struct kunit *test)
{
	enum xenusb_feat_verdict v;

	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("3", 3, &v), 3u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_OK);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("2", 3, &v), 2u);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("3", 1, &v), 1u);
	/* Our parameter beyond the protocol is clamped to 3. */
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("3", 9, &v), 3u);
	/* An old backend; switched off here; offered as 0. */
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose(NULL, 3, &v), 0u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_ABSENT);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("3", 0, &v), 0u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_LOCAL_OFF);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("0", 3, &v), 0u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_OK);
	/* A hostile backend's values: one page, never a failure. */
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("4", 3, &v), 0u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_GARBAGE);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("4294967295", 3, &v),
			0u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_GARBAGE);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("-1", 3, &v), 0u);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("junk", 3, &v), 0u);
	KUNIT_EXPECT_EQ(test, usbfront_ring_order_choose("", 3, &v), 0u);
	KUNIT_EXPECT_EQ(test, v, XENUSB_FEAT_GARBAGE);
	KUNIT_EXPECT_EQ(test, XENUSB_URB_RING_SIZE_ORDER(0), 16u);
	KUNIT_EXPECT_EQ(test, XENUSB_MAX_URB_RING_SIZE, 128u);
	KUNIT_EXPECT_EQ(test, XENUSB_MAX_RING_PAGES,
			1u << XENUSB_MAX_RING_PAGE_ORDER);
}

static struct kunit_case usbfront_feat_cases[] = {
	KUNIT_CASE(feat_front_ring_order),
	KUNIT_CASE(feat_front_numeric),
	KUNIT_CASE_PARAM(feat_front_each, front_gen_params),
	KUNIT_CASE(feat_front_garbage_is_local),
	KUNIT_CASE(feat_keys),
	KUNIT_CASE(feat_parse_numeric),
	{}
};

static struct kunit_suite usbfront_feat_suite = {
	.name = "usbfront_feat",
	.test_cases = usbfront_feat_cases,
};

kunit_test_suite(usbfront_feat_suite);

MODULE_LICENSE("GPL");
