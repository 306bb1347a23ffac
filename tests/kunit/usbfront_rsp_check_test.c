// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: usbfront/rsp_check.c. Each hardening rule has a case where the
 * backend sends a value out of range (oversized or negative
 * actual_length, bad error_count, unknown status, bad iso descriptors,
 * bad conn events) and the frontend must end up with safe values.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "rsp_check.c"

static const struct usbfront_inflight bulk_in_512 = {
	.type = XENUSB_PIPE_TYPE_BULK, .in = true, .length = 512,
};

static const struct usbfront_inflight bulk_out_4k = {
	.type = XENUSB_PIPE_TYPE_BULK, .in = false, .length = 4096,
};

static const struct usbfront_inflight iso_in_8 = {
	.type = XENUSB_PIPE_TYPE_ISOC, .in = true, .length = 8 * 192,
	.nr_packets = 8,
};

static const struct usbfront_inflight unlink_req = {
	.type = XENUSB_PIPE_TYPE_BULK, .unlink = true,
};

static void set_rsp(struct xenusb_urb_response *r, u16 id, s32 status,
		    s32 actual, s32 errors, u16 frame)
{
	r->id = id;
	r->status = status;
	r->actual_length = actual;
	r->error_count = errors;
	r->start_frame = frame;
}

static void usbfront_rsp_good(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 9, XENUSB_STATUS_OK, 512, 0, 77);
	usbfront_rsp_check(&r, &bulk_in_512, &out);
	KUNIT_EXPECT_EQ(test, out.id, 9);
	KUNIT_EXPECT_EQ(test, out.status, 0);
	KUNIT_EXPECT_EQ(test, out.actual_length, 512u);
	KUNIT_EXPECT_EQ(test, out.error_count, 0u);
	/* start_frame means nothing outside iso: not passed on. */
	KUNIT_EXPECT_EQ(test, out.start_frame, 0);
	KUNIT_EXPECT_FALSE(test, out.clamped);

	/* A short read is normal, not a clamp. */
	set_rsp(&r, 2, XENUSB_STATUS_OK, 13, 0, 0);
	usbfront_rsp_check(&r, &bulk_in_512, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 13u);
	KUNIT_EXPECT_FALSE(test, out.clamped);
}

static void usbfront_rsp_status_map(struct kunit *test)
{
	static const struct {
		s32 wire;
		int err;
	} known[] = {
		{ XENUSB_STATUS_OK, 0 },
		{ XENUSB_STATUS_NODEV, -ENODEV },
		{ XENUSB_STATUS_INVAL, -EINVAL },
		{ XENUSB_STATUS_STALL, -EPIPE },
		{ XENUSB_STATUS_IOERROR, -EPROTO },
		{ XENUSB_STATUS_BABBLE, -EOVERFLOW },
		{ XENUSB_STATUS_SHUTDOWN, -ESHUTDOWN },
	};
	struct xenusb_urb_response r;
	struct usbfront_rsp out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		set_rsp(&r, 0, known[i].wire, 0, 0, 0);
		usbfront_rsp_check(&r, &bulk_in_512, &out);
		KUNIT_EXPECT_EQ(test, out.status, known[i].err);
		KUNIT_EXPECT_FALSE(test, out.clamped);
	}
}

/* Hostile backend: status codes the protocol does not have. */
static void usbfront_rsp_status_unknown(struct kunit *test)
{
	static const s32 bad[] = { 1, -1, -EREMOTEIO, -ENOENT, S32_MIN,
				   S32_MAX };
	struct xenusb_urb_response r;
	struct usbfront_rsp out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		set_rsp(&r, 0, bad[i], 0, 0, 0);
		usbfront_rsp_check(&r, &bulk_in_512, &out);
		KUNIT_EXPECT_EQ(test, out.status, -ESHUTDOWN);
		KUNIT_EXPECT_TRUE(test, out.clamped);
	}
}

/* Hostile backend: more data than the IN buffer holds. */
static void usbfront_rsp_actual_oversized_in(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 1, XENUSB_STATUS_OK, 513, 0, 0);
	usbfront_rsp_check(&r, &bulk_in_512, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 512u);
	KUNIT_EXPECT_TRUE(test, out.clamped);

	set_rsp(&r, 1, XENUSB_STATUS_OK, S32_MAX, 0, 0);
	usbfront_rsp_check(&r, &bulk_in_512, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 512u);
	KUNIT_EXPECT_TRUE(test, out.clamped);
}

/* Hostile backend: an OUT transfer that "sent" more than offered. */
static void usbfront_rsp_actual_oversized_out(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 1, XENUSB_STATUS_OK, 65536, 0, 0);
	usbfront_rsp_check(&r, &bulk_out_4k, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 4096u);
	KUNIT_EXPECT_TRUE(test, out.clamped);

	set_rsp(&r, 1, XENUSB_STATUS_OK, 4096, 0, 0);
	usbfront_rsp_check(&r, &bulk_out_4k, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 4096u);
	KUNIT_EXPECT_FALSE(test, out.clamped);
}

/* Hostile backend: a negative length (xen-hcd too turns it into 0). */
static void usbfront_rsp_actual_negative(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 1, XENUSB_STATUS_OK, -1, 0, 0);
	usbfront_rsp_check(&r, &bulk_in_512, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 0u);
	KUNIT_EXPECT_TRUE(test, out.clamped);

	set_rsp(&r, 1, XENUSB_STATUS_OK, S32_MIN, 0, 0);
	usbfront_rsp_check(&r, &bulk_out_4k, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 0u);
	KUNIT_EXPECT_TRUE(test, out.clamped);
}

/* Hostile backend: error_count beyond the packets sent, or negative. */
static void usbfront_rsp_error_count_iso(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 4, XENUSB_STATUS_OK, 8 * 192, 3, 1234);
	usbfront_rsp_check(&r, &iso_in_8, &out);
	KUNIT_EXPECT_EQ(test, out.error_count, 3u);
	KUNIT_EXPECT_EQ(test, out.start_frame, 1234);
	KUNIT_EXPECT_FALSE(test, out.clamped);

	set_rsp(&r, 4, XENUSB_STATUS_OK, 0, 8, 0);
	usbfront_rsp_check(&r, &iso_in_8, &out);
	KUNIT_EXPECT_EQ(test, out.error_count, 8u);
	KUNIT_EXPECT_FALSE(test, out.clamped);

	set_rsp(&r, 4, XENUSB_STATUS_OK, 0, 9, 0);
	usbfront_rsp_check(&r, &iso_in_8, &out);
	KUNIT_EXPECT_EQ(test, out.error_count, 8u);
	KUNIT_EXPECT_TRUE(test, out.clamped);

	set_rsp(&r, 4, XENUSB_STATUS_OK, 0, -5, 0);
	usbfront_rsp_check(&r, &iso_in_8, &out);
	KUNIT_EXPECT_EQ(test, out.error_count, 0u);
	KUNIT_EXPECT_TRUE(test, out.clamped);

	/* The iso length is clamped like any other. */
	set_rsp(&r, 4, XENUSB_STATUS_OK, 8 * 192 + 1, 0, 0);
	usbfront_rsp_check(&r, &iso_in_8, &out);
	KUNIT_EXPECT_EQ(test, out.actual_length, 8u * 192);
	KUNIT_EXPECT_TRUE(test, out.clamped);
}

/* Hostile backend: error_count on a transfer that has no packets. */
static void usbfront_rsp_error_count_non_iso(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 4, XENUSB_STATUS_OK, 10, 1, 0);
	usbfront_rsp_check(&r, &bulk_in_512, &out);
	KUNIT_EXPECT_EQ(test, out.error_count, 0u);
	KUNIT_EXPECT_EQ(test, out.actual_length, 10u);
	KUNIT_EXPECT_TRUE(test, out.clamped);
}

/* An unlink's own response carries no data, whatever it claims. */
static void usbfront_rsp_unlink(struct kunit *test)
{
	struct xenusb_urb_response r;
	struct usbfront_rsp out;

	set_rsp(&r, 11, XENUSB_STATUS_OK, 0, 0, 0);
	usbfront_rsp_check(&r, &unlink_req, &out);
	KUNIT_EXPECT_EQ(test, out.id, 11);
	KUNIT_EXPECT_EQ(test, out.status, 0);
	KUNIT_EXPECT_EQ(test, out.actual_length, 0u);
	KUNIT_EXPECT_FALSE(test, out.clamped);

	set_rsp(&r, 11, XENUSB_STATUS_INVAL, 4096, 2, 5);
	usbfront_rsp_check(&r, &unlink_req, &out);
	KUNIT_EXPECT_EQ(test, out.status, -EINVAL);
	KUNIT_EXPECT_EQ(test, out.actual_length, 0u);
	KUNIT_EXPECT_EQ(test, out.error_count, 0u);
	KUNIT_EXPECT_EQ(test, out.start_frame, 0);
	KUNIT_EXPECT_TRUE(test, out.clamped);
}

static void iso_fill(struct xenusb_iso_desc *d, u16 n, u32 plen)
{
	u16 i;

	for (i = 0; i < n; i++) {
		d[i].offset = i * plen;
		d[i].length = plen;
		d[i].actual_length = plen;
		d[i].status = 0;
	}
}

static void usbfront_iso_good(struct kunit *test)
{
	struct xenusb_iso_desc d[8];

	iso_fill(d, 8, 192);
	d[2].actual_length = 0;
	d[2].status = -EXDEV;
	d[3].status = -EPROTO;
	d[4].status = -EOVERFLOW;
	d[5].status = -EILSEQ;
	d[6].actual_length = 100;
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 8, 8 * 192), 0);
	KUNIT_EXPECT_EQ(test, d[2].status, -EXDEV);
	KUNIT_EXPECT_EQ(test, d[6].actual_length, 100u);
	KUNIT_EXPECT_EQ(test, d[7].offset, 7u * 192);
	KUNIT_EXPECT_EQ(test, d[7].length, 192u);
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 0, 0), 0);
}

/* Hostile backend: a packet longer than it was. */
static void usbfront_iso_actual_oversized(struct kunit *test)
{
	struct xenusb_iso_desc d[4];

	iso_fill(d, 4, 192);
	d[1].actual_length = 193;
	d[3].actual_length = 0xffffffff;
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 4, 4 * 192), 2);
	KUNIT_EXPECT_EQ(test, d[1].actual_length, 192u);
	KUNIT_EXPECT_EQ(test, d[3].actual_length, 192u);
	KUNIT_EXPECT_EQ(test, d[0].actual_length, 192u);
}

/* Hostile backend: descriptors pointing outside the buffer. */
static void usbfront_iso_out_of_buffer(struct kunit *test)
{
	struct xenusb_iso_desc d[4];
	u16 i;

	iso_fill(d, 4, 192);
	/* Runs past the end: cut to the end. */
	d[1].length = 4 * 192;
	/* Starts past the end: empty, at the end. */
	d[2].offset = 4 * 192 + 1;
	/* offset + length wraps around 2^32: must not pass the check. */
	d[3].offset = 0xffffff00;
	d[3].length = 0x200;
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 4, 4 * 192), 3);
	KUNIT_EXPECT_EQ(test, d[1].offset, 192u);
	KUNIT_EXPECT_EQ(test, d[1].length, 3u * 192);
	KUNIT_EXPECT_EQ(test, d[1].actual_length, 192u);
	KUNIT_EXPECT_EQ(test, d[2].offset, 4u * 192);
	KUNIT_EXPECT_EQ(test, d[2].length, 0u);
	KUNIT_EXPECT_EQ(test, d[2].actual_length, 0u);
	KUNIT_EXPECT_EQ(test, d[3].offset, 4u * 192);
	KUNIT_EXPECT_EQ(test, d[3].length, 0u);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_LE(test, d[i].offset + d[i].length, 4u * 192);
	/* Fixed once, the descriptors now pass untouched. */
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 4, 4 * 192), 0);
}

/* Hostile backend: packet status codes no host controller reports. */
static void usbfront_iso_bad_status(struct kunit *test)
{
	struct xenusb_iso_desc d[5];

	iso_fill(d, 5, 8);
	d[0].status = 1;
	d[1].status = -EINVAL;
	d[2].status = S32_MIN;
	d[3].status = -ENOSR;
	d[4].status = -ETIME;
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 5, 40), 3);
	KUNIT_EXPECT_EQ(test, d[0].status, -EPROTO);
	KUNIT_EXPECT_EQ(test, d[1].status, -EPROTO);
	KUNIT_EXPECT_EQ(test, d[2].status, -EPROTO);
	KUNIT_EXPECT_EQ(test, d[3].status, -ENOSR);
	KUNIT_EXPECT_EQ(test, d[4].status, -ETIME);
}

/* One descriptor wrong in every field counts once. */
static void usbfront_iso_count_once(struct kunit *test)
{
	struct xenusb_iso_desc d[2];

	iso_fill(d, 2, 100);
	d[1].length = 1000;
	d[1].actual_length = 1000;
	d[1].status = 42;
	KUNIT_EXPECT_EQ(test, usbfront_iso_rsp_check(d, 2, 200), 1);
	KUNIT_EXPECT_EQ(test, d[1].length, 100u);
	KUNIT_EXPECT_EQ(test, d[1].actual_length, 100u);
	KUNIT_EXPECT_EQ(test, d[1].status, -EPROTO);
}

static int conn_ev(u8 port, u8 speed, u8 nports, u8 usb_ver)
{
	struct xenusb_conn_response ev = { .id = 0, .portnum = port,
					   .speed = speed };

	return usbfront_conn_check(&ev, nports, usb_ver);
}

static void usbfront_conn_good(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, conn_ev(1, XENUSB_SPEED_HIGH, 8, 2), 0);
	KUNIT_EXPECT_EQ(test, conn_ev(8, XENUSB_SPEED_LOW, 8, 2), 0);
	KUNIT_EXPECT_EQ(test, conn_ev(8, XENUSB_SPEED_NONE, 8, 2), 0);
	KUNIT_EXPECT_EQ(test, conn_ev(31, XENUSB_SPEED_FULL, 31, 1), 0);
	KUNIT_EXPECT_EQ(test, conn_ev(1, XENUSB_SPEED_NONE, 1, 1), 0);
}

/* Hostile backend: ports that do not exist. */
static void usbfront_conn_bad_port(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, conn_ev(0, XENUSB_SPEED_HIGH, 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(9, XENUSB_SPEED_HIGH, 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(9, XENUSB_SPEED_NONE, 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(32, XENUSB_SPEED_FULL, 31, 2), -EINVAL);
	/* Even if the frontend believed in more than 31 ports. */
	KUNIT_EXPECT_EQ(test, conn_ev(32, XENUSB_SPEED_FULL, 255, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(255, XENUSB_SPEED_NONE, 31, 2), -EINVAL);
}

/* Hostile backend: speeds that do not exist or do not fit usb-ver. */
static void usbfront_conn_bad_speed(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, conn_ev(1, 4, 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(1, 5, 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(1, 255, 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(1, XENUSB_SPEED_HIGH, 8, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(1, XENUSB_SPEED_FULL, 8, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, conn_ev(1, XENUSB_SPEED_LOW, 8, 0), -EINVAL);
}

static struct kunit_case usbfront_rsp_check_cases[] = {
	KUNIT_CASE(usbfront_rsp_good),
	KUNIT_CASE(usbfront_rsp_status_map),
	KUNIT_CASE(usbfront_rsp_status_unknown),
	KUNIT_CASE(usbfront_rsp_actual_oversized_in),
	KUNIT_CASE(usbfront_rsp_actual_oversized_out),
	KUNIT_CASE(usbfront_rsp_actual_negative),
	KUNIT_CASE(usbfront_rsp_error_count_iso),
	KUNIT_CASE(usbfront_rsp_error_count_non_iso),
	KUNIT_CASE(usbfront_rsp_unlink),
	KUNIT_CASE(usbfront_iso_good),
	KUNIT_CASE(usbfront_iso_actual_oversized),
	KUNIT_CASE(usbfront_iso_out_of_buffer),
	KUNIT_CASE(usbfront_iso_bad_status),
	KUNIT_CASE(usbfront_iso_count_once),
	KUNIT_CASE(usbfront_conn_good),
	KUNIT_CASE(usbfront_conn_bad_port),
	KUNIT_CASE(usbfront_conn_bad_speed),
	{}
};

static struct kunit_suite usbfront_rsp_check_suite = {
	.name = "usbfront_rsp_check",
	.test_cases = usbfront_rsp_check_cases,
};

kunit_test_suite(usbfront_rsp_check_suite);

MODULE_DESCRIPTION("KUnit tests for usbfront response checks");
MODULE_LICENSE("GPL");
