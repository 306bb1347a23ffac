// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/xs_parse.c: values the toolstack writes into
 * the backend's xenstore directory.
 */
#include <kunit/test.h>

#include "xs_parse.c"

struct xs_case {
	const char *s;
	bool ok;
	u8 val;
};

/* Show the value with its quotes, so that "" and " 1" are readable. */
static void xs_desc(const struct xs_case *c, char *desc)
{
	unsigned int i, n = 0;

	if (!c->s) {
		strscpy(desc, "NULL", KUNIT_PARAM_DESC_SIZE);
		return;
	}
	desc[n++] = '"';
	for (i = 0; c->s[i] && n < KUNIT_PARAM_DESC_SIZE - 8; i++) {
		if (c->s[i] == '\n') {
			desc[n++] = '\\';
			desc[n++] = 'n';
		} else {
			desc[n++] = c->s[i];
		}
	}
	desc[n++] = '"';
	desc[n] = '\0';
}

static const struct xs_case num_ports_cases[] = {
	{ "1", true, 1 },
	{ "8", true, 8 },		/* libxl's default */
	{ "15", true, 15 },
	{ "31", true, 31 },
	{ "", false },
	{ NULL, false },
	{ "0", false },
	{ "32", false },
	{ "99", false },
	{ "255", false },
	{ "256", false },		/* 0 if truncated to u8 */
	{ "287", false },		/* 31 if truncated to u8 */
	{ "4294967297", false },	/* 1 if wrapped in 32 bits */
	{ "99999999999999999999999", false },
	{ "01", false },
	{ "08", false },
	{ "+1", false },
	{ "-1", false },
	{ " 1", false },
	{ "1 ", false },
	{ "1\n", false },
	{ "1a", false },
	{ "0x1f", false },
	{ "1.0", false },
	{ "3 1", false },
};

KUNIT_ARRAY_PARAM(num_ports, num_ports_cases, xs_desc);

static void xs_num_ports(struct kunit *test)
{
	const struct xs_case *c = test->param_value;
	u8 v = 0xee;
	int ret = usbback_parse_num_ports(c->s, &v);

	if (c->ok) {
		KUNIT_EXPECT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, v, c->val);
	} else {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, v, 0xee);	/* untouched */
	}
}

static const struct xs_case usb_ver_cases[] = {
	{ "1", true, 1 },
	{ "2", true, 2 },
	{ "", false },
	{ NULL, false },
	{ "0", false },
	{ "3", false },			/* USB 3 is not in the protocol */
	{ "12", false },
	{ "02", false },
	{ "2\n", false },
	{ " 2", false },
	{ "+2", false },
	{ "2.0", false },
	{ "258", false },		/* 2 if truncated to u8 */
};

KUNIT_ARRAY_PARAM(usb_ver, usb_ver_cases, xs_desc);

static void xs_usb_ver(struct kunit *test)
{
	const struct xs_case *c = test->param_value;
	u8 v = 0xee;
	int ret = usbback_parse_usb_ver(c->s, &v);

	if (c->ok) {
		KUNIT_EXPECT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, v, c->val);
	} else {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, v, 0xee);
	}
}

static const struct xs_case busid_cases[] = {
	{ "1-1", true },
	{ "3-1.5", true },		/* the example of usbif.h */
	{ "64-31", true },
	{ "12-4.1", true },
	{ "999-1", true },
	{ "1-1.2.3.4.5.6", true },	/* six tiers below the root hub */
	{ "999-31.31.31.31.31.31", true },	/* the longest one */
	{ "", false },			/* a free port */
	{ NULL, false },
	{ "usb1", false },		/* a root hub */
	{ "1-1:1.0", false },		/* an interface */
	{ "1", false },
	{ "1-", false },
	{ "-1", false },
	{ "0-1", false },
	{ "1-0", false },
	{ "1-1.0", false },
	{ "1000-1", false },
	{ "01-1", false },
	{ "1-01", false },
	{ "1-1.02", false },
	{ "1-32", false },
	{ "1-1.32", false },
	{ "1-256", false },
	{ "1-1.", false },
	{ "1-.1", false },
	{ "1-1..2", false },
	{ "1-1.2.3.4.5.6.7", false },	/* seven tiers */
	{ "1-1-1", false },
	{ "1.1-1", false },
	{ "1-1 ", false },
	{ " 1-1", false },
	{ "1-1\n", false },
	{ "a-1", false },
	{ "1-a", false },
	{ "+1-1", false },
	{ "1-+1", false },
	{ "1-1/../2", false },
	{ "4294967297-1", false },
	{ "1-4294967297", false },
};

KUNIT_ARRAY_PARAM(busid, busid_cases, xs_desc);

static void xs_busid(struct kunit *test)
{
	const struct xs_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, usbback_busid_valid(c->s), c->ok);
	/* Whatever is accepted fits a USBBACK_BUSID_LEN buffer. */
	if (c->ok)
		KUNIT_EXPECT_LT(test, strlen(c->s), (size_t)USBBACK_BUSID_LEN);
}

/*
 * ring-page-order: absent is one page, a key never offered is ignored,
 * every other value must be canonical and within the offer.
 */
static void xs_ring_order(struct kunit *test)
{
	unsigned int o = 99;

	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order(NULL, 3, &o), 0);
	KUNIT_EXPECT_EQ(test, o, 0u);
	o = 99;
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("3", 0, &o), 0);
	KUNIT_EXPECT_EQ(test, o, 0u);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("3", 3, &o), 0);
	KUNIT_EXPECT_EQ(test, o, 3u);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("0", 3, &o), 0);
	KUNIT_EXPECT_EQ(test, o, 0u);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("2", 2, &o), 0);
	KUNIT_EXPECT_EQ(test, o, 2u);
	o = 77;
	/* Above our offer, above the protocol's limit, not a number. */
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("3", 2, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("9", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("4", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("-1", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("03", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("3\n", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order(" 3", 3, &o), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("garbage", 3, &o),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_order("4294967299", 3, &o),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, o, 77u);
}

/* The grant list: each rule of usbback_parse_ring_refs() broken once. */
static void xs_ring_refs(struct kunit *test)
{
	const char *refs[XENUSB_MAX_RING_PAGES] = {
		"8", "9", "10", "11", "12", "13", "14", "4294967295",
	};
	u32 g[XENUSB_MAX_RING_PAGES];
	unsigned int bad = 99;

	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(3, refs, g, &bad), 0);
	KUNIT_EXPECT_EQ(test, g[0], 8u);
	KUNIT_EXPECT_EQ(test, g[7], 4294967295u);
	/* Order 0: just urb-ring-ref; order 2: the first four only. */
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(0, refs, g, &bad), 0);
	KUNIT_EXPECT_EQ(test, g[0], 8u);
	refs[4] = NULL;
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(2, refs, g, &bad), 0);
	/* urb-ring-ref4 missing with order 3. */
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(3, refs, g, &bad),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, bad, 4u);
	/* urb-ring-ref4 names the page of urb-ring-ref3 again. */
	refs[4] = "11";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(3, refs, g, &bad),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, bad, 4u);
	refs[4] = "20";
	refs[3] = NULL;
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(2, refs, g, &bad),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, bad, 3u);
	refs[3] = "11";
	refs[1] = "8";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(1, refs, g, &bad),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, bad, 1u);
	refs[1] = "4294967296";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(1, refs, g, &bad),
			-EINVAL);
	refs[1] = "09";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(1, refs, g, &bad),
			-EINVAL);
	refs[1] = "-9";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(1, refs, g, &bad),
			-EINVAL);
	refs[1] = "";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(1, refs, g, &bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 1u);
	refs[1] = "9";
	KUNIT_EXPECT_EQ(test, usbback_parse_ring_refs(4, refs, g, &bad),
			-EINVAL);
}

static struct kunit_case usbback_xs_parse_cases[] = {
	KUNIT_CASE(xs_ring_order),
	KUNIT_CASE(xs_ring_refs),
	KUNIT_CASE_PARAM(xs_num_ports, num_ports_gen_params),
	KUNIT_CASE_PARAM(xs_usb_ver, usb_ver_gen_params),
	KUNIT_CASE_PARAM(xs_busid, busid_gen_params),
	{}
};

static struct kunit_suite usbback_xs_parse_suite = {
	.name = "usbback_xs_parse",
	.test_cases = usbback_xs_parse_cases,
};

kunit_test_suite(usbback_xs_parse_suite);

MODULE_LICENSE("GPL");
