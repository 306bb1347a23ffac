// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/feat.c: which extensions are on for a
 * connection, for every combination of what the backend offered (on,
 * off by module parameter) and what the frontend wrote (nothing, 0, on,
 * an invalid value, more than offered).
 */
#include <kunit/test.h>

#include "feat.c"

struct back_case {
	const char *name;
	u32 offered;		/* 0: switched off, no key written */
	/* the frontend's value, NULL: no key; "max+1": above the limit */
	const char *used;
	int ret;
	u32 on;
	enum xenusb_feat_verdict verdict;
};

static const struct back_case back_cases[] = {
	{ "old frontend", 1, NULL, 0, 0, XENUSB_FEAT_ABSENT },
	{ "old frontend, off here", 0, NULL, 0, 0, XENUSB_FEAT_ABSENT },
	{ "both on", 1, "1", 0, 1, XENUSB_FEAT_OK },
	{ "frontend declines", 1, "0", 0, 0, XENUSB_FEAT_OK },
	{ "used, never offered", 0, "1", 0, 0, XENUSB_FEAT_UNOFFERED },
	{ "garbage, never offered", 0, "x", 0, 0, XENUSB_FEAT_UNOFFERED },
	{ "above the limit", 1, "max+1", 0, 0, XENUSB_FEAT_GARBAGE },
	{ "empty", 1, "", 0, 0, XENUSB_FEAT_GARBAGE },
	{ "leading zero", 1, "01", 0, 0, XENUSB_FEAT_GARBAGE },
	{ "newline", 1, "1\n", 0, 0, XENUSB_FEAT_GARBAGE },
	{ "negative", 1, "-1", 0, 0, XENUSB_FEAT_GARBAGE },
	{ "word", 1, "true", 0, 0, XENUSB_FEAT_GARBAGE },
};

static void back_case_desc(const struct back_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(back, back_cases, back_case_desc);

/* Every feature judged alone, the others absent. */
static void feat_back_each(struct kunit *test)
{
	const struct back_case *c = test->param_value;
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *used[XENUSB_FEAT_NR];
	struct xenusb_features offered, on;
	char above[16];
	unsigned int f, g;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		snprintf(above, sizeof(above), "%u", xenusb_feat_max(f) + 1);
		for (g = 0; g < XENUSB_FEAT_NR; g++) {
			used[g] = g == f ? c->used : NULL;
			if (g == f && c->used && !strcmp(c->used, "max+1"))
				used[g] = above;
			offered.val[g] = 1;
		}
		offered.val[f] = c->offered;
		memset(&on, 0xa5, sizeof(on));
		KUNIT_EXPECT_EQ(test, usbback_feat_accept(&offered, used, &on,
							  verdict), c->ret);
		KUNIT_EXPECT_EQ_MSG(test, on.val[f], c->on, "feature %u", f);
		KUNIT_EXPECT_EQ_MSG(test, verdict[f], c->verdict, "feature %u",
				    f);
		for (g = 0; g < XENUSB_FEAT_NR; g++) {
			if (g == f)
				continue;
			KUNIT_EXPECT_EQ(test, on.val[g], 0u);
			KUNIT_EXPECT_EQ(test, verdict[g], XENUSB_FEAT_ABSENT);
		}
	}
}

/*
 * A bad key switches its own feature off, never the others. (A value
 * above the offer but within the protocol's limit refuses the
 * connection: feat_back_numeric.)
 */
static void feat_back_garbage_is_local(struct kunit *test)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *used[XENUSB_FEAT_NR];
	struct xenusb_features offered, on;
	unsigned int f;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		offered.val[f] = 1;
		used[f] = "1";
	}
	used[XENUSB_FEAT_ZERO_PACKET] = "2";
	KUNIT_EXPECT_EQ(test, usbback_feat_accept(&offered, used, &on,
						  verdict), 0);
	KUNIT_EXPECT_EQ(test, verdict[XENUSB_FEAT_ZERO_PACKET],
			XENUSB_FEAT_GARBAGE);
	KUNIT_EXPECT_EQ(test, on.val[XENUSB_FEAT_ZERO_PACKET], 0u);
	KUNIT_EXPECT_EQ(test, verdict[XENUSB_FEAT_PORT_RESET], XENUSB_FEAT_OK);
	KUNIT_EXPECT_EQ(test, on.val[XENUSB_FEAT_PORT_RESET], 1u);
}

/*
 * A numeric feature (feature-max-indirect-segments): the frontend's value
 * up to the offer is taken as it is; above the offer but within the
 * protocol's limit refuses the connection.
 */
static void feat_back_numeric(struct kunit *test)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *used[XENUSB_FEAT_NR] = { };
	struct xenusb_features offered = { }, on;
	const unsigned int f = XENUSB_FEAT_MAX_INDIRECT;

	offered.val[f] = 256;
	used[f] = "128";
	KUNIT_EXPECT_EQ(test, usbback_feat_accept(&offered, used, &on,
						  verdict), 0);
	KUNIT_EXPECT_EQ(test, on.val[f], 128u);
	KUNIT_EXPECT_EQ(test, verdict[f], XENUSB_FEAT_OK);
	used[f] = "256";
	KUNIT_EXPECT_EQ(test, usbback_feat_accept(&offered, used, &on,
						  verdict), 0);
	KUNIT_EXPECT_EQ(test, on.val[f], 256u);
	offered.val[f] = 64;
	KUNIT_EXPECT_EQ(test, usbback_feat_accept(&offered, used, &on,
						  verdict), -EINVAL);
	KUNIT_EXPECT_EQ(test, verdict[f], XENUSB_FEAT_EXCEEDS);
	KUNIT_EXPECT_EQ(test, on.val[f], 0u);
	used[f] = "0";
	KUNIT_EXPECT_EQ(test, usbback_feat_accept(&offered, used, &on,
						  verdict), 0);
	KUNIT_EXPECT_EQ(test, on.val[f], 0u);
}

static struct kunit_case usbback_feat_cases[] = {
	KUNIT_CASE_PARAM(feat_back_each, back_gen_params),
	KUNIT_CASE(feat_back_garbage_is_local),
	KUNIT_CASE(feat_back_numeric),
	{}
};

static struct kunit_suite usbback_feat_suite = {
	.name = "usbback_feat",
	.test_cases = usbback_feat_cases,
};

kunit_test_suite(usbback_feat_suite);

MODULE_LICENSE("GPL");
