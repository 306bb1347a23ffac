// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: usbfront/xfer_split.c, buffers into page fragments and page
 * fragments into base-protocol requests (16 segments, u16 length), and
 * what a split transfer does after each response.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "xfer_split.c"

#define SEGS	XENUSB_MAX_SEGMENTS_PER_REQUEST
#define BYTES	65535u	/* buffer_length is u16 */
#define NFRAG	40

static void usbfront_frags_aligned(struct kunit *test)
{
	struct usbfront_frag f[4];

	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0x10000, 8192, f, 4), 2u);
	KUNIT_EXPECT_EQ(test, f[0].offset, 0);
	KUNIT_EXPECT_EQ(test, f[0].len, 4096);
	KUNIT_EXPECT_EQ(test, f[1].offset, 0);
	KUNIT_EXPECT_EQ(test, f[1].len, 4096);

	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0, 1, f, 4), 1u);
	KUNIT_EXPECT_EQ(test, f[0].offset, 0);
	KUNIT_EXPECT_EQ(test, f[0].len, 1);
}

static void usbfront_frags_unaligned(struct kunit *test)
{
	struct usbfront_frag f[4];

	/* 16 bytes at the end of one page, 84 in the next. */
	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0x1ff0, 100, f, 4), 2u);
	KUNIT_EXPECT_EQ(test, f[0].offset, 0xff0);
	KUNIT_EXPECT_EQ(test, f[0].len, 16);
	KUNIT_EXPECT_EQ(test, f[1].offset, 0);
	KUNIT_EXPECT_EQ(test, f[1].len, 84);

	/* Fits in the first page exactly. */
	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0x123, 4096 - 0x123, f, 4),
			1u);
	KUNIT_EXPECT_EQ(test, f[0].offset, 0x123);
	KUNIT_EXPECT_EQ(test, f[0].len, 4096 - 0x123);

	/* 3 full pages from offset 100 touch 4 pages. */
	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(100, 3 * 4096, f, 4), 4u);
	KUNIT_EXPECT_EQ(test, f[0].len, 3996);
	KUNIT_EXPECT_EQ(test, f[1].len, 4096);
	KUNIT_EXPECT_EQ(test, f[2].len, 4096);
	KUNIT_EXPECT_EQ(test, f[3].offset, 0);
	KUNIT_EXPECT_EQ(test, f[3].len, 100);
}

/*
 * Iso descriptor segments (usbfront_send): they must name exactly
 * number_of_packets * 16 bytes, not whole pages, or usbback refuses the
 * request (the bug the e2e iso scenario found).
 */
static void usbfront_frags_iso_descs(struct kunit *test)
{
	struct usbfront_frag f[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	u32 n, i, sum;

	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0, 8 * XENUSB_ISO_DESC_SIZE,
						    f, 1), 1u);
	KUNIT_EXPECT_EQ(test, f[0].offset, 0);
	KUNIT_EXPECT_EQ(test, f[0].len, 128);

	n = usbfront_frags_linear(0, 300 * XENUSB_ISO_DESC_SIZE, f, 2);
	KUNIT_ASSERT_EQ(test, n, 2u);
	KUNIT_EXPECT_EQ(test, f[0].len, 4096);
	KUNIT_EXPECT_EQ(test, f[1].len, 300 * 16 - 4096);

	/* The most packets usbback accepts: 4096 descriptors, 16 pages. */
	n = usbfront_frags_linear(0, 4096 * XENUSB_ISO_DESC_SIZE, f,
				  XENUSB_MAX_SEGMENTS_PER_REQUEST);
	KUNIT_ASSERT_EQ(test, n, 16u);
	for (i = 0, sum = 0; i < n; i++)
		sum += f[i].len;
	KUNIT_EXPECT_EQ(test, sum, 4096 * XENUSB_ISO_DESC_SIZE);
}

/* Only the offset inside a 4 KiB page counts, not the address above it. */
static void usbfront_frags_high_bits(struct kunit *test)
{
	struct usbfront_frag a[3], b[3];
	u32 i;

	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0xdeadb00a, 9000, a, 3),
			3u);
	KUNIT_ASSERT_EQ(test, usbfront_frags_linear(0x0000000a, 9000, b, 3),
			3u);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, a[i].offset, b[i].offset);
		KUNIT_EXPECT_EQ(test, a[i].len, b[i].len);
	}
}

static void usbfront_frags_limits(struct kunit *test)
{
	struct usbfront_frag f[SEGS + 1];

	memset(f, 0x5a, sizeof(f));
	KUNIT_EXPECT_EQ(test, usbfront_frags_linear(0, 0, f, SEGS), 0u);
	/* 64 KiB page-aligned is exactly 16 fragments. */
	KUNIT_EXPECT_EQ(test, usbfront_frags_linear(0, 65536, f, SEGS), 16u);
	/* Unaligned, the same 64 KiB need 17: refused, @out untouched. */
	memset(f, 0x5a, sizeof(f));
	KUNIT_EXPECT_EQ(test, usbfront_frags_linear(1, 65536, f, SEGS), 0u);
	KUNIT_EXPECT_EQ(test, f[0].len, 0x5a5a);
	KUNIT_EXPECT_EQ(test, usbfront_frags_linear(1, 65536, f, SEGS + 1),
			17u);
	KUNIT_EXPECT_EQ(test, f[16].len, 1);
	KUNIT_EXPECT_EQ(test, usbfront_frags_linear(0, 1, f, 0), 0u);
}

static void usbfront_split_fits(struct kunit *test)
{
	struct usbfront_frag f[NFRAG];
	u32 n;

	n = usbfront_frags_linear(0x800, 30000, f, NFRAG);
	KUNIT_ASSERT_EQ(test, n, 8u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, SEGS, BYTES),
			30000u);
	/* From the middle of a fragment, the rest also fits. */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 1000, 512, SEGS, BYTES),
			29000u);
	/* A short tail is fine when it ends the URB. */
	n = usbfront_frags_linear(0, 13, f, NFRAG);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, SEGS, BYTES),
			13u);
	/* Control (maxp 0) carries the whole buffer when it fits. */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 0, SEGS, BYTES),
			13u);
}

/* 64 KiB aligned: 16 pages fit the segments but not the u16 length. */
static void usbfront_split_64k(struct kunit *test)
{
	struct usbfront_frag f[NFRAG];
	u32 n, a;

	n = usbfront_frags_linear(0, 65536, f, NFRAG);
	KUNIT_ASSERT_EQ(test, n, 16u);
	a = usbfront_split_next(f, n, 0, 512, SEGS, BYTES);
	KUNIT_EXPECT_EQ(test, a, 65536u - 512);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, a, 512, SEGS, BYTES),
			512u);
	/* Full-speed bulk, 64-byte packets. */
	a = usbfront_split_next(f, n, 0, 64, SEGS, BYTES);
	KUNIT_EXPECT_EQ(test, a, 65536u - 64);
	/* Nothing left. */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 65536, 512, SEGS, BYTES),
			0u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 70000, 512, SEGS, BYTES),
			0u);
}

/* More pages than segments: the segment limit decides. */
static void usbfront_split_segments(struct kunit *test)
{
	struct usbfront_frag f[NFRAG];
	u32 n;

	n = usbfront_frags_linear(0, 20 * 4096, f, NFRAG);
	KUNIT_ASSERT_EQ(test, n, 20u);
	/* 16 whole pages: a multiple of 512, no rounding. */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, SEGS, 1 << 20),
			65536u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 65536, 512, SEGS,
						  1 << 20), 4u * 4096);
	/* Iso descriptor pages leave fewer data segments. */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, 14, BYTES),
			14u * 4096);

	/* Unaligned: two segments hold 3996 + 4096, cut to 15 * 512. */
	n = usbfront_frags_linear(100, 20000, f, NFRAG);
	KUNIT_ASSERT_EQ(test, n, 5u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, 2, BYTES),
			15u * 512);
	/*
	 * The next request starts inside fragment 1: its 412-byte tail and
	 * fragment 2 hold 4508 bytes, cut to 8 * 512.
	 */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 15 * 512, 512, 2,
						  BYTES), 8u * 512);
}

/* When not even one packet fits, the answer is "cannot split". */
static void usbfront_split_impossible(struct kunit *test)
{
	struct usbfront_frag f[NFRAG];
	u32 n;

	n = usbfront_frags_linear(0, 8192, f, NFRAG);
	KUNIT_ASSERT_EQ(test, n, 2u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 1024, SEGS, 1000),
			0u);
	/* 4095 bytes in one segment, packet of 4096. */
	n = usbfront_frags_linear(1, 8192, f, NFRAG);
	KUNIT_ASSERT_EQ(test, n, 3u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 4096, 1, BYTES), 0u);
	/* maxp 0 (control) and too long for one request. */
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 0, 1, BYTES), 0u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, 0, BYTES), 0u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, 0, 512, SEGS, 0), 0u);
}

/* Fragments of length 0 cost no segment. */
static void usbfront_split_empty_frags(struct kunit *test)
{
	static const struct usbfront_frag f[] = {
		{ 0, 0 }, { 0, 4096 }, { 0, 0 }, { 0, 0 }, { 0, 4096 },
	};

	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, 5, 0, 512, 2, BYTES),
			8192u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, 5, 4096, 512, 1, BYTES),
			4096u);
}

/*
 * Walk whole transfers of many shapes: every request is within the
 * limits, every request but the last is whole packets, the pieces add up.
 */
static void usbfront_split_walk(struct kunit *test)
{
	static const u32 maxps[] = { 8, 64, 512, 1024 };
	static struct usbfront_frag f[NFRAG];
	u32 seed = 12345, iter;

	for (iter = 0; iter < 2000; iter++) {
		u32 start, len, maxp, segs, bytes, n, pos = 0, reqs = 0;

		seed = seed * 1103515245 + 12345;
		start = seed >> 4;
		seed = seed * 1103515245 + 12345;
		len = 1 + (seed >> 8) % (30 * 4096);
		maxp = maxps[iter % 4];
		/* One segment cannot hold a packet that crosses a page. */
		segs = 2 + (iter / 4) % (SEGS - 1);
		bytes = (iter & 1) ? BYTES : 1 + (seed >> 3) % BYTES;
		if (bytes < maxp)
			bytes = maxp;

		n = usbfront_frags_linear(start, len, f, NFRAG);
		KUNIT_ASSERT_GT(test, n, 0u);
		while (pos < len) {
			u32 a = usbfront_split_next(f, n, pos, maxp, segs, bytes);

			/* A single packet always fits these limits. */
			KUNIT_ASSERT_GT(test, a, 0u);
			KUNIT_ASSERT_LE(test, a, len - pos);
			KUNIT_ASSERT_LE(test, a, bytes);
			KUNIT_ASSERT_LE(test, xenusb_pages_spanned(start + pos, a),
					segs);
			if (pos + a < len)
				KUNIT_ASSERT_EQ(test, a % maxp, 0u);
			pos += a;
			reqs++;
			KUNIT_ASSERT_LE(test, reqs, len);
		}
		KUNIT_EXPECT_EQ(test, pos, len);
	}
}

static struct usbfront_rsp xfer_rsp(int status, u32 actual)
{
	struct usbfront_rsp r = { .status = status, .actual_length = actual };

	return r;
}

/* A 100000-byte bulk IN in two pieces: the second follows a full first. */
/* A 1 MiB transfer at the indirect limits, and the segments it needs. */
static void usbfront_split_indirect(struct kunit *test)
{
	struct usbfront_frag *f = kunit_kcalloc(test, 257, sizeof(*f),
						GFP_KERNEL);
	u32 n, len;

	KUNIT_ASSERT_NOT_NULL(test, f);
	/* Page aligned: one request of 256 pages. */
	n = usbfront_frags_linear(0, 1024 * 1024, f, 257);
	KUNIT_ASSERT_EQ(test, n, 256u);
	len = usbfront_split_next(f, n, 0, 512, 256, 256 * 4096);
	KUNIT_EXPECT_EQ(test, len, 1024u * 1024u);
	KUNIT_EXPECT_EQ(test, usbfront_split_segs(f, n, 0, len), 256u);
	/* Unaligned: 257 pages, so a first piece and the rest. */
	n = usbfront_frags_linear(3000, 1024 * 1024, f, 257);
	KUNIT_ASSERT_EQ(test, n, 257u);
	/* 1096 + 255 * 4096 bytes fit, cut to a whole packet of 512. */
	len = usbfront_split_next(f, n, 0, 512, 256, 256 * 4096);
	KUNIT_EXPECT_EQ(test, len, 1045504u);
	KUNIT_EXPECT_EQ(test, usbfront_split_segs(f, n, 0, len), 256u);
	KUNIT_EXPECT_EQ(test, usbfront_split_next(f, n, len, 512, 256,
						  256 * 4096), 3072u);
	/* The rest of the 256th page and the 257th. */
	KUNIT_EXPECT_EQ(test, usbfront_split_segs(f, n, len, 3072), 2u);
	/* Counting starts inside a fragment, and nothing counts nothing. */
	KUNIT_EXPECT_EQ(test, usbfront_split_segs(f, n, 100, 10), 1u);
	KUNIT_EXPECT_EQ(test, usbfront_split_segs(f, n, 1000, 200), 2u);
	KUNIT_EXPECT_EQ(test, usbfront_split_segs(f, n, 0, 0), 0u);
}

static void usbfront_xfer_next_pieces(struct kunit *test)
{
	struct usbfront_progress p = { .total = 100000, .cur_len = 65024,
				       .in = true };
	struct usbfront_rsp r = xfer_rsp(0, 65024);
	int status = 1;

	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_SEND);
	KUNIT_EXPECT_EQ(test, p.done, 65024u);
	p.cur_len = p.total - p.done;
	r = xfer_rsp(0, p.cur_len);
	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, status, 0);
	KUNIT_EXPECT_EQ(test, p.done, p.total);
}

/* A short piece ends the transfer; SHORT_NOT_OK turns it into an error. */
static void usbfront_xfer_next_short(struct kunit *test)
{
	struct usbfront_progress p = { .total = 8192, .cur_len = 8192,
				       .in = true };
	struct usbfront_rsp r = xfer_rsp(0, 100);
	int status = 1;

	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, status, 0);
	KUNIT_EXPECT_EQ(test, p.done, 100u);

	p.done = 0;
	p.short_not_ok = true;
	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, status, -EREMOTEIO);

	/* OUT transfers never read -EREMOTEIO. */
	p.done = 0;
	p.in = false;
	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, status, 0);
}

/* An error or a cancel ends a split transfer after any piece. */
static void usbfront_xfer_next_stop(struct kunit *test)
{
	struct usbfront_progress p = { .total = 100000, .cur_len = 65024 };
	struct usbfront_rsp r = xfer_rsp(-EPIPE, 512);
	int status = 0;

	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, status, -EPIPE);
	KUNIT_EXPECT_EQ(test, p.done, 512u);

	p.done = 0;
	p.dequeued = true;
	r = xfer_rsp(0, 65024);
	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, status, 0);
}

/* The zero-length packet follows full data; never past the buffer. */
static void usbfront_xfer_next_zlp(struct kunit *test)
{
	struct usbfront_progress p = { .total = 1024, .cur_len = 1024,
				       .zlp = true };
	struct usbfront_rsp r = xfer_rsp(0, 1024);
	int status = 1;

	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_SEND);
	p.zlp = false;
	p.cur_len = 0;
	/* A lying backend reports bytes for the ZLP: done stays at total. */
	r = xfer_rsp(0, 4096);
	KUNIT_EXPECT_EQ(test, usbfront_xfer_next(&p, &r, &status),
			USBFRONT_XFER_DONE);
	KUNIT_EXPECT_EQ(test, p.done, 1024u);
}

static void usbfront_xfer_hold_rules(struct kunit *test)
{
	struct usbfront_progress p = { .total = 100000 };

	KUNIT_EXPECT_TRUE(test, usbfront_xfer_hold(&p, 65024, false));
	KUNIT_EXPECT_FALSE(test, usbfront_xfer_hold(&p, 100000, false));
	KUNIT_EXPECT_TRUE(test, usbfront_xfer_hold(&p, 100000, true));
	p.zlp = true;
	KUNIT_EXPECT_TRUE(test, usbfront_xfer_hold(&p, 100000, false));
}

static struct kunit_case usbfront_xfer_split_cases[] = {
	KUNIT_CASE(usbfront_frags_aligned),
	KUNIT_CASE(usbfront_frags_unaligned),
	KUNIT_CASE(usbfront_frags_iso_descs),
	KUNIT_CASE(usbfront_frags_high_bits),
	KUNIT_CASE(usbfront_frags_limits),
	KUNIT_CASE(usbfront_split_fits),
	KUNIT_CASE(usbfront_split_64k),
	KUNIT_CASE(usbfront_split_segments),
	KUNIT_CASE(usbfront_split_impossible),
	KUNIT_CASE(usbfront_split_empty_frags),
	KUNIT_CASE(usbfront_split_walk),
	KUNIT_CASE(usbfront_split_indirect),
	KUNIT_CASE(usbfront_xfer_next_pieces),
	KUNIT_CASE(usbfront_xfer_next_short),
	KUNIT_CASE(usbfront_xfer_next_stop),
	KUNIT_CASE(usbfront_xfer_next_zlp),
	KUNIT_CASE(usbfront_xfer_hold_rules),
	{}
};

static struct kunit_suite usbfront_xfer_split_suite = {
	.name = "usbfront_xfer_split",
	.test_cases = usbfront_xfer_split_cases,
};

kunit_test_suite(usbfront_xfer_split_suite);

MODULE_DESCRIPTION("KUnit tests for usbfront transfer splitting");
MODULE_LICENSE("GPL");
