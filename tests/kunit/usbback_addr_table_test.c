// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/addr_table.c: the guest's SET_ADDRESS table.
 */
#include <kunit/test.h>

#include "addr_table.c"

static void addr_init_routes_only_default(struct kunit *test)
{
	struct usbback_addr_table t;
	unsigned int d;

	memset(&t, 0xa5, sizeof(t));
	usbback_addr_init(&t);
	for (d = 1; d <= XENUSB_MAX_DEVNUM; d++)
		KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, d), -ENODEV);
	/* Address 0 is a device before SET_ADDRESS: routed by port. */
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 0), 1);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 31, 0), 31);
}

static void addr_set_then_route(struct kunit *test)
{
	struct usbback_addr_table t;

	usbback_addr_init(&t);
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 3, 5), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 3, 5), 3);
	/* The same address through another port's pipe reaches nothing. */
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 2, 5), -ENODEV);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 3, 6), -ENODEV);
	/* Address 0 still routes by port, e.g. after a guest port reset. */
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 3, 0), 3);
}

static void addr_new_address_drops_old(struct kunit *test)
{
	struct usbback_addr_table t;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 1, 5), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 1, 6), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 5), -ENODEV);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 6), 1);
	/* The dropped address is free for another port. */
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 2, 5), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 2, 5), 2);
}

static void addr_same_address_again(struct kunit *test)
{
	struct usbback_addr_table t;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 4, 9), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 4, 9), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 4, 9), 4);
}

static void addr_held_by_other_port_is_busy(struct kunit *test)
{
	struct usbback_addr_table t, before;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 1, 6), 0);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 2, 7), 0);
	before = t;
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 2, 6), -EBUSY);
	/* Nothing changed: not even port 2's own old address. */
	KUNIT_EXPECT_EQ(test, memcmp(&t, &before, sizeof(t)), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 6), 1);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 2, 7), 2);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 2, 6), -ENODEV);
}

static void addr_set_zero_clears(struct kunit *test)
{
	struct usbback_addr_table t;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 1, 6), 0);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 2, 8), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 1, 0), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 6), -ENODEV);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 0), 1);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 2, 8), 2);
	/* Clearing a port with no address is fine too. */
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 5, 0), 0);
}

static void addr_clear_port_only_that_port(struct kunit *test)
{
	struct usbback_addr_table t;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 1, 6), 0);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 2, 7), 0);
	usbback_addr_clear_port(&t, 1);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 6), -ENODEV);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 2, 7), 2);
	/* After an unplug the address can go to the next device. */
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 3, 6), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 3, 6), 3);
}

static void addr_clear_bad_port_is_noop(struct kunit *test)
{
	struct usbback_addr_table t, before;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 1, 6), 0);
	before = t;
	usbback_addr_clear_port(&t, 0);
	usbback_addr_clear_port(&t, XENUSB_MAX_PORTNR + 1);
	usbback_addr_clear_port(&t, 255);
	KUNIT_EXPECT_EQ(test, memcmp(&t, &before, sizeof(t)), 0);
}

static void addr_limits(struct kunit *test)
{
	struct usbback_addr_table t;

	usbback_addr_init(&t);
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, XENUSB_MAX_PORTNR,
					       XENUSB_MAX_DEVNUM), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, XENUSB_MAX_PORTNR,
						 XENUSB_MAX_DEVNUM),
			XENUSB_MAX_PORTNR);
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, 1, 1), 1);
}

struct addr_bad_case {
	const char *name;
	u8 port;
	u8 devnum;
};

static const struct addr_bad_case addr_bad_cases[] = {
	{ "port 0", 0, 5 },
	{ "port 32", XENUSB_MAX_PORTNR + 1, 5 },
	{ "port 255", 255, 5 },
	{ "devnum 128", 1, XENUSB_MAX_DEVNUM + 1 },
	{ "devnum 255", 1, 255 },
};

static void addr_bad_desc(const struct addr_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(addr_bad, addr_bad_cases, addr_bad_desc);

static void addr_bad_args_rejected(struct kunit *test)
{
	const struct addr_bad_case *c = test->param_value;
	struct usbback_addr_table t, before;

	usbback_addr_init(&t);
	KUNIT_ASSERT_EQ(test, usbback_addr_set(&t, 2, 7), 0);
	before = t;
	KUNIT_EXPECT_EQ(test, usbback_addr_set(&t, c->port, c->devnum),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&t, c->port, c->devnum),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&t, &before, sizeof(t)), 0);
}

static struct kunit_case usbback_addr_table_cases[] = {
	KUNIT_CASE(addr_init_routes_only_default),
	KUNIT_CASE(addr_set_then_route),
	KUNIT_CASE(addr_new_address_drops_old),
	KUNIT_CASE(addr_same_address_again),
	KUNIT_CASE(addr_held_by_other_port_is_busy),
	KUNIT_CASE(addr_set_zero_clears),
	KUNIT_CASE(addr_clear_port_only_that_port),
	KUNIT_CASE(addr_clear_bad_port_is_noop),
	KUNIT_CASE(addr_limits),
	KUNIT_CASE_PARAM(addr_bad_args_rejected, addr_bad_gen_params),
	{}
};

static struct kunit_suite usbback_addr_table_suite = {
	.name = "usbback_addr_table",
	.test_cases = usbback_addr_table_cases,
};

kunit_test_suite(usbback_addr_table_suite);

MODULE_LICENSE("GPL");
