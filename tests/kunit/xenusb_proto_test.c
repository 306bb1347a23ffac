// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: include/xenusb_proto.h, the wire helpers both modules share:
 * the pipe codec against the bit layout of usbif.h, the two status maps
 * and the speed and page helpers.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "xenusb_proto.h"

static void xenusb_pipe_bit_layout(struct kunit *test)
{
	struct xenusb_pipe p = { };

	/* Each field alone lands on its usbif.h bits. */
	p.port = 31;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x0000001fu);
	p.port = 0;
	p.unlink = true;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x00000020u);
	p.unlink = false;
	p.in = true;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x00000080u);
	p.in = false;
	p.devnum = 127;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x00007f00u);
	p.devnum = 0;
	p.ep = 15;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x00078000u);
	p.ep = 0;
	p.type = XENUSB_PIPE_TYPE_BULK;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0xc0000000u);
	p.type = XENUSB_PIPE_TYPE_INT;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x40000000u);
	p.type = XENUSB_PIPE_TYPE_CTRL;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x80000000u);
	p.type = XENUSB_PIPE_TYPE_ISOC;
	KUNIT_EXPECT_EQ(test, xenusb_pipe_encode(&p), 0x00000000u);

	/* Everything else is reserved: bit 6 and bits 19..29. */
	KUNIT_EXPECT_EQ(test, XENUSB_PIPE_RESERVED, 0x3ff80040u);
}

static void xenusb_pipe_roundtrip(struct kunit *test)
{
	static const u8 types[] = { XENUSB_PIPE_TYPE_ISOC, XENUSB_PIPE_TYPE_INT,
				    XENUSB_PIPE_TYPE_CTRL,
				    XENUSB_PIPE_TYPE_BULK };
	struct xenusb_pipe p, q;
	unsigned int i, port, dev, ep, t;
	u32 pipe;

	/* Every port, every 9th devnum, every endpoint, type and flag. */
	for (i = 0; i < 31 * 15 * 16 * 4 * 4; i++) {
		port = 1 + i % 31;
		dev = (i / 31 % 15) * 9;
		ep = i / (31 * 15) % 16;
		t = i / (31 * 15 * 16) % 4;
		p.port = port;
		p.devnum = dev;
		p.ep = ep;
		p.type = types[t];
		p.in = i / (31 * 15 * 16 * 4) & 1;
		p.unlink = i / (31 * 15 * 16 * 4) & 2;
		pipe = xenusb_pipe_encode(&p);
		KUNIT_ASSERT_TRUE(test, xenusb_pipe_reserved_clear(pipe));
		/* The usbif.h accessors agree with our codec. */
		KUNIT_ASSERT_EQ(test, xenusb_pipeportnum(pipe), port);
		KUNIT_ASSERT_EQ(test, xenusb_pipedevice(pipe), dev);
		KUNIT_ASSERT_EQ(test, xenusb_pipeendpoint(pipe), ep);
		KUNIT_ASSERT_EQ(test, xenusb_pipetype(pipe), types[t]);
		xenusb_pipe_decode(pipe, &q);
		KUNIT_ASSERT_EQ(test, q.port, p.port);
		KUNIT_ASSERT_EQ(test, q.devnum, p.devnum);
		KUNIT_ASSERT_EQ(test, q.ep, p.ep);
		KUNIT_ASSERT_EQ(test, q.type, p.type);
		KUNIT_ASSERT_EQ(test, q.in, p.in);
		KUNIT_ASSERT_EQ(test, q.unlink, p.unlink);
	}
}

/* Out-of-range fields are masked, never spilled into their neighbours. */
static void xenusb_pipe_encode_masks(struct kunit *test)
{
	struct xenusb_pipe p = { .port = 0xff, .devnum = 0xff, .ep = 0xff,
				 .type = 0xff, .in = true, .unlink = true };
	u32 pipe = xenusb_pipe_encode(&p);

	KUNIT_EXPECT_EQ(test, pipe, 0xc007ffbfu);
	KUNIT_EXPECT_TRUE(test, xenusb_pipe_reserved_clear(pipe));
}

/* A peer's pipe with reserved bits set is caught; decode still masks. */
static void xenusb_pipe_reserved(struct kunit *test)
{
	struct xenusb_pipe q;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		bool reserved = bit == 6 || (bit >= 19 && bit <= 29);

		KUNIT_EXPECT_EQ(test, xenusb_pipe_reserved_clear(1u << bit),
				!reserved);
	}
	xenusb_pipe_decode(0xffffffffu, &q);
	KUNIT_EXPECT_EQ(test, q.port, 31);
	KUNIT_EXPECT_EQ(test, q.devnum, 127);
	KUNIT_EXPECT_EQ(test, q.ep, 15);
	KUNIT_EXPECT_EQ(test, q.type, XENUSB_PIPE_TYPE_BULK);
	KUNIT_EXPECT_TRUE(test, q.in);
	KUNIT_EXPECT_TRUE(test, q.unlink);
}

static void xenusb_status_maps(struct kunit *test)
{
	static const struct {
		int err;
		s32 wire;
	} pairs[] = {
		{ 0, XENUSB_STATUS_OK },
		{ -ENODEV, XENUSB_STATUS_NODEV },
		{ -EINVAL, XENUSB_STATUS_INVAL },
		{ -EPIPE, XENUSB_STATUS_STALL },
		{ -EPROTO, XENUSB_STATUS_IOERROR },
		{ -EOVERFLOW, XENUSB_STATUS_BABBLE },
		{ -ESHUTDOWN, XENUSB_STATUS_SHUTDOWN },
	};
	unsigned int i;

	/* The seven wire codes survive both directions. */
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(pairs[i].err),
				pairs[i].wire);
		KUNIT_EXPECT_EQ(test, xenusb_status_to_errno(pairs[i].wire),
				pairs[i].err);
	}
	/* The wire values are Linux errnos, as xen-hcd assumes. */
	KUNIT_EXPECT_EQ(test, XENUSB_STATUS_STALL, -EPIPE);
	KUNIT_EXPECT_EQ(test, XENUSB_STATUS_SHUTDOWN, -ESHUTDOWN);
}

static void xenusb_status_from_host(struct kunit *test)
{
	/* Transfer errors of a host controller: I/O error on the wire. */
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-EILSEQ),
			XENUSB_STATUS_IOERROR);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-ETIME),
			XENUSB_STATUS_IOERROR);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-ETIMEDOUT),
			XENUSB_STATUS_IOERROR);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-ECOMM),
			XENUSB_STATUS_IOERROR);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-ENOSR),
			XENUSB_STATUS_IOERROR);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-EREMOTEIO),
			XENUSB_STATUS_IOERROR);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-EMSGSIZE),
			XENUSB_STATUS_INVAL);
	/* Cancellations and anything unknown: shutdown. */
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-ENOENT),
			XENUSB_STATUS_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-ECONNRESET),
			XENUSB_STATUS_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(-EXDEV),
			XENUSB_STATUS_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, xenusb_status_from_errno(1),
			XENUSB_STATUS_SHUTDOWN);
}

/* Hostile peer: status values the protocol does not define. */
static void xenusb_status_to_errno_unknown(struct kunit *test)
{
	static const s32 bad[] = { 1, -1, -EREMOTEIO, -ENOENT, -EXDEV,
				   S32_MIN, S32_MAX };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, xenusb_status_to_errno(bad[i]), -ESHUTDOWN);
}

static void xenusb_speed_matrix(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xenusb_speed_valid(XENUSB_SPEED_LOW, 1));
	KUNIT_EXPECT_TRUE(test, xenusb_speed_valid(XENUSB_SPEED_FULL, 1));
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(XENUSB_SPEED_HIGH, 1));
	KUNIT_EXPECT_TRUE(test, xenusb_speed_valid(XENUSB_SPEED_LOW, 2));
	KUNIT_EXPECT_TRUE(test, xenusb_speed_valid(XENUSB_SPEED_FULL, 2));
	KUNIT_EXPECT_TRUE(test, xenusb_speed_valid(XENUSB_SPEED_HIGH, 2));
	/* NONE is an unplug, not a speed; 4 and up do not exist. */
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(XENUSB_SPEED_NONE, 2));
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(4, 2));
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(255, 2));
	/* Only usb-ver 1 and 2 exist. */
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(XENUSB_SPEED_FULL, 0));
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(XENUSB_SPEED_FULL, 3));
	KUNIT_EXPECT_FALSE(test, xenusb_speed_valid(XENUSB_SPEED_HIGH, 3));
}

static void xenusb_pages(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(0, 0), 0u);
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(4095, 0), 0u);
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(0, 1), 1u);
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(0, 4096), 1u);
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(0, 4097), 2u);
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(4095, 2), 2u);
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(1, 65536), 17u);
	/* Only the offset within the page counts. */
	KUNIT_EXPECT_EQ(test, xenusb_pages_spanned(0x12345fff, 2), 2u);
	KUNIT_EXPECT_EQ(test, XENUSB_MAX_XFER, 65536u);
	KUNIT_EXPECT_EQ(test, sizeof(struct xenusb_iso_desc),
			(size_t)XENUSB_ISO_DESC_SIZE);
}

static struct kunit_case xenusb_proto_cases[] = {
	KUNIT_CASE(xenusb_pipe_bit_layout),
	KUNIT_CASE(xenusb_pipe_roundtrip),
	KUNIT_CASE(xenusb_pipe_encode_masks),
	KUNIT_CASE(xenusb_pipe_reserved),
	KUNIT_CASE(xenusb_status_maps),
	KUNIT_CASE(xenusb_status_from_host),
	KUNIT_CASE(xenusb_status_to_errno_unknown),
	KUNIT_CASE(xenusb_speed_matrix),
	KUNIT_CASE(xenusb_pages),
	{}
};

static struct kunit_suite xenusb_proto_suite = {
	.name = "xenusb_proto",
	.test_cases = xenusb_proto_cases,
};

kunit_test_suite(xenusb_proto_suite);

MODULE_DESCRIPTION("KUnit tests for the xen-pvusb wire helpers");
MODULE_LICENSE("GPL");
