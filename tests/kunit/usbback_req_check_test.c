// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/req_check.c: validation of urb-ring requests,
 * endpoint checks, control classification and iso descriptors.
 *
 * The valid requests are built the way Linux's xen-hcd builds them
 * (drivers/usb/host/xen-hcd.c): one segment per 4 KiB page the buffer
 * touches, buffer_length truncated to u16, and the fields a request type
 * does not use left holding stale bytes of the slot's previous request.
 * Every rule is then broken alone by a mutation of such a request.
 */
#include <kunit/test.h>

#include "req_check.c"

#define NPORTS		8
#define STALE		0xa5	/* what a reused xen-hcd slot holds */

/* Segments for @len bytes at page offset @off, one per page touched. */
static u16 map_like_xenhcd(struct xenusb_request_segment *seg, u32 off,
			   u32 len)
{
	u16 n = 0;

	off %= XENUSB_PAGE_SIZE;
	while (len) {
		u32 bytes = XENUSB_PAGE_SIZE - off;

		if (bytes > len)
			bytes = len;
		seg[n].gref = 100 + n;
		seg[n].offset = (u16)off;
		seg[n].length = (u16)bytes;
		len -= bytes;
		off = 0;
		n++;
	}
	return n;
}

/* The common part of xenhcd_map_urb_for_request() on a reused slot. */
static void xenhcd_req(struct xenusb_urb_request *req, u8 type, bool in,
		       u8 ep, u32 len, u32 buf_off, u16 flags)
{
	struct xenusb_pipe p = {
		.port = 2, .devnum = 4, .ep = ep, .type = type, .in = in,
	};

	memset(req, STALE, sizeof(*req));
	/* xenhcd_gnttab_done() zeroed these when the slot was freed. */
	req->nr_buffer_segs = 0;
	req->u.isoc.nr_frame_desc_segs = 0;

	req->id = 7;
	req->pipe = xenusb_pipe_encode(&p);
	req->transfer_flags = flags;
	req->buffer_length = (u16)len;
	if (len)
		req->nr_buffer_segs = map_like_xenhcd(req->seg, buf_off, len);
}

static void set_port(struct xenusb_urb_request *r, u32 port)
{
	r->pipe = (r->pipe & ~XENUSB_PIPE_PORT_MASK) | port;
}

static void set_setup(struct xenusb_urb_request *req, u8 type, u8 request,
		      u16 value, u16 index, u16 length)
{
	req->u.ctrl[0] = type;
	req->u.ctrl[1] = request;
	req->u.ctrl[2] = value & 0xff;
	req->u.ctrl[3] = value >> 8;
	req->u.ctrl[4] = index & 0xff;
	req->u.ctrl[5] = index >> 8;
	req->u.ctrl[6] = length & 0xff;
	req->u.ctrl[7] = length >> 8;
}

/* GET_DESCRIPTOR(device, 18 bytes) to address 0 of port 2, buffer at 0x40. */
static void mk_ctrl_in(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_CTRL, true, 0, 18, 0x40, 0);
	req->pipe &= ~(XENUSB_PIPE_DEV_MASK << XENUSB_PIPE_DEV_SHIFT);
	set_setup(req, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR,
		  USB_DT_DEVICE << 8, 0, 18);
}

/* A 100-byte OUT data stage straddling a page boundary. */
static void mk_ctrl_out(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_CTRL, false, 0, 100, 4050, 0);
	set_setup(req, USB_TYPE_CLASS | USB_RECIP_INTERFACE, 0x09, 0x0200, 0,
		  100);
}

/* SET_CONFIGURATION(1): no data stage, no segment. */
static void mk_ctrl_nodata(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_CTRL, false, 0, 0, 0, 0);
	set_setup(req, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0);
}

/* usb-storage's 64 KiB read on a page-aligned kmalloc buffer. */
static void mk_bulk_in_64k(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_BULK, true, 1, 65536, 0, 0);
}

static void mk_bulk_in(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_BULK, true, 1, 13, 0x100,
		   XENUSB_SHORT_NOT_OK);
}

static void mk_bulk_out(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_BULK, false, 2, 31, 0x200, 0);
}

static void mk_int_in(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_INT, true, 3, 8, 0x300, 0);
	req->u.intr.interval = 8;
}

static void mk_int_out(struct xenusb_urb_request *req)
{
	xenhcd_req(req, XENUSB_PIPE_TYPE_INT, false, 3, 64, 0x0, 0);
	req->u.intr.interval = 1;
}

/*
 * Three 192-byte packets read into a buffer at 0xf00 (crossing a page),
 * descriptors at 0xfe0 (also crossing: 32 + 16 bytes).
 */
static void mk_iso_in(struct xenusb_urb_request *req)
{
	u16 n;

	xenhcd_req(req, XENUSB_PIPE_TYPE_ISOC, true, 5, 3 * 192, 0xf00, 0);
	req->u.isoc.interval = 1;
	req->u.isoc.start_frame = 0x1234;
	req->u.isoc.number_of_packets = 3;
	n = map_like_xenhcd(&req->seg[req->nr_buffer_segs], 0xfe0,
			    3 * XENUSB_ISO_DESC_SIZE);
	req->u.isoc.nr_frame_desc_segs = n;
}

static void mk_iso_out(struct xenusb_urb_request *req)
{
	u16 n;

	xenhcd_req(req, XENUSB_PIPE_TYPE_ISOC, false, 6, 8 * 1024, 0, 0);
	req->u.isoc.interval = 8;
	req->u.isoc.start_frame = 0;
	req->u.isoc.number_of_packets = 8;
	n = map_like_xenhcd(&req->seg[req->nr_buffer_segs], 0x80,
			    8 * XENUSB_ISO_DESC_SIZE);
	req->u.isoc.nr_frame_desc_segs = n;
}

/*
 * xenhcd_do_request() for an unlink: only id, pipe | UNLINK and
 * unlink_id are written; the slot's previous bulk request left its
 * buffer_length, flags and segments (nr_buffer_segs was zeroed).
 */
static void mk_unlink(struct xenusb_urb_request *req)
{
	mk_bulk_in(req);
	req->nr_buffer_segs = 0;
	req->id = 9;
	req->pipe |= XENUSB_PIPE_UNLINK;
	req->u.unlink.unlink_id = 3;
}

/* ---------------------------------------------------------------- */
/* Requests exactly like xen-hcd's                                   */

static void req_ctrl_in_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_ctrl_in(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.id, 7);
	KUNIT_EXPECT_EQ(test, r.pipe.port, 2);
	KUNIT_EXPECT_EQ(test, r.pipe.devnum, 0);
	KUNIT_EXPECT_EQ(test, r.pipe.ep, 0);
	KUNIT_EXPECT_EQ(test, r.pipe.type, XENUSB_PIPE_TYPE_CTRL);
	KUNIT_EXPECT_TRUE(test, r.pipe.in);
	KUNIT_EXPECT_FALSE(test, r.pipe.unlink);
	KUNIT_EXPECT_EQ(test, r.length, 18);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 1);
	KUNIT_EXPECT_EQ(test, r.nr_desc_segs, 0);
	KUNIT_EXPECT_FALSE(test, r.short_not_ok);
	KUNIT_EXPECT_EQ(test, memcmp(r.setup, req.u.ctrl, 8), 0);
}

static void req_ctrl_out_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_ctrl_out(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pipe.devnum, 4);
	KUNIT_EXPECT_FALSE(test, r.pipe.in);
	KUNIT_EXPECT_EQ(test, r.length, 100);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 2);
}

static void req_ctrl_nodata_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_ctrl_nodata(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.length, 0);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 0);
	KUNIT_EXPECT_FALSE(test, r.pipe.in);
}

static void req_ctrl_nodata_on_in_pipe_is_out(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* usb_rcvctrlpipe() with wLength 0: usb core only warns. */
	mk_ctrl_nodata(&req);
	req.pipe |= XENUSB_PIPE_DIR;
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.pipe.in);
	/* Same with an IN setup packet: no data stage, OUT status stage. */
	req.u.ctrl[0] = USB_DIR_IN;
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.pipe.in);
}

static void req_ctrl_in_short_not_ok(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_ctrl_in(&req);
	req.transfer_flags = XENUSB_SHORT_NOT_OK;
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.short_not_ok);
}

static void req_bulk_64k_wrap_accepted(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;
	unsigned int i;

	mk_bulk_in_64k(&req);
	/* What xen-hcd puts on the wire for transfer_buffer_length 65536. */
	KUNIT_ASSERT_EQ(test, req.buffer_length, 0);
	KUNIT_ASSERT_EQ(test, req.nr_buffer_segs,
			XENUSB_MAX_SEGMENTS_PER_REQUEST);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.length, 65536);
	KUNIT_EXPECT_EQ(test, r.length, XENUSB_MAX_XFER);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 16);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, req.seg[i].length, XENUSB_PAGE_SIZE);

	/* The same wrap on an OUT pipe. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_BULK, false, 2, 65536, 0, 0);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.length, 65536);
}

static void req_bulk_65535_unaligned(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* The largest non-wrapping length, over all 16 pages. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_BULK, true, 1, 65535, 1, 0);
	KUNIT_ASSERT_EQ(test, req.nr_buffer_segs, 16);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.length, 65535);
}

static void req_bulk_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_bulk_in(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pipe.type, XENUSB_PIPE_TYPE_BULK);
	KUNIT_EXPECT_EQ(test, r.pipe.ep, 1);
	KUNIT_EXPECT_TRUE(test, r.pipe.in);
	KUNIT_EXPECT_EQ(test, r.length, 13);
	KUNIT_EXPECT_TRUE(test, r.short_not_ok);

	mk_bulk_out(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.pipe.in);
	KUNIT_EXPECT_EQ(test, r.length, 31);
	KUNIT_EXPECT_FALSE(test, r.short_not_ok);

	/* A zero-length packet: no segment at all. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_BULK, false, 2, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.length, 0);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 0);
}

static void req_int_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_int_in(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pipe.type, XENUSB_PIPE_TYPE_INT);
	KUNIT_EXPECT_EQ(test, r.interval, 8);
	KUNIT_EXPECT_EQ(test, r.length, 8);

	mk_int_out(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.interval, 1);

	/* The largest interval usb core passes on (high speed). */
	req.u.intr.interval = 8192;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
}

static void req_iso_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_iso_in(&req);
	KUNIT_ASSERT_EQ(test, req.nr_buffer_segs, 2);
	KUNIT_ASSERT_EQ(test, req.u.isoc.nr_frame_desc_segs, 2);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pipe.type, XENUSB_PIPE_TYPE_ISOC);
	KUNIT_EXPECT_EQ(test, r.length, 576);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 2);
	KUNIT_EXPECT_EQ(test, r.nr_desc_segs, 2);
	KUNIT_EXPECT_EQ(test, r.nr_packets, 3);
	KUNIT_EXPECT_EQ(test, r.interval, 1);
	KUNIT_EXPECT_EQ(test, r.start_frame, 0x1234);

	mk_iso_out(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.pipe.in);
	KUNIT_EXPECT_EQ(test, r.length, 8192);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 2);
	KUNIT_EXPECT_EQ(test, r.nr_desc_segs, 1);
	KUNIT_EXPECT_EQ(test, r.nr_packets, 8);
}

static void req_iso_segment_budget_exactly_full(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* 15 data pages + 1 descriptor page: the most xen-hcd sends. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_ISOC, true, 5, 15 * 4096, 0, 0);
	req.u.isoc.interval = 1;
	req.u.isoc.number_of_packets = 60;
	req.u.isoc.nr_frame_desc_segs =
		map_like_xenhcd(&req.seg[15], 0, 60 * XENUSB_ISO_DESC_SIZE);
	KUNIT_ASSERT_EQ(test, req.u.isoc.nr_frame_desc_segs, 1);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
}

static void req_iso_17_segments(struct kunit *test)
{
	/*
	 * 1 data + 16 descriptor segments, each one well formed: only the
	 * count is wrong. The 17th lies past seg[], in @extra, so a check
	 * that looked at the segments instead of counting would accept it.
	 */
	struct {
		struct xenusb_urb_request req;
		struct xenusb_request_segment extra;
	} b;
	struct usbback_req r;
	unsigned int i;

	xenhcd_req(&b.req, XENUSB_PIPE_TYPE_ISOC, true, 5, 16 * 64, 0, 0);
	KUNIT_ASSERT_EQ(test, b.req.nr_buffer_segs, 1);
	b.req.u.isoc.interval = 1;
	b.req.u.isoc.number_of_packets = 16;
	b.req.u.isoc.nr_frame_desc_segs = 16;
	for (i = 1; i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
		b.req.seg[i].offset = 0;
		b.req.seg[i].length = XENUSB_ISO_DESC_SIZE;
	}
	b.extra.offset = 0;
	b.extra.length = XENUSB_ISO_DESC_SIZE;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&b.req, NPORTS, &r), -EINVAL);
}

static void req_17_data_segments(struct kunit *test)
{
	/* 17 well-formed 100-byte segments, the last one past seg[]. */
	struct {
		struct xenusb_urb_request req;
		struct xenusb_request_segment extra;
	} b;
	struct usbback_req r;
	unsigned int i;

	xenhcd_req(&b.req, XENUSB_PIPE_TYPE_BULK, false, 2, 1700, 0, 0);
	b.req.nr_buffer_segs = 17;
	for (i = 0; i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
		b.req.seg[i].offset = 0;
		b.req.seg[i].length = 100;
	}
	b.extra.offset = 0;
	b.extra.length = 100;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&b.req, NPORTS, &r), -EINVAL);
}

static void req_unlink_like_xenhcd(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_unlink(&req);
	/* Stale length and flags of the slot's previous request: fine. */
	KUNIT_ASSERT_NE(test, req.buffer_length, 0);
	KUNIT_ASSERT_NE(test, req.transfer_flags, 0);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.pipe.unlink);
	KUNIT_EXPECT_EQ(test, r.id, 9);
	KUNIT_EXPECT_EQ(test, r.unlink_id, 3);
	KUNIT_EXPECT_EQ(test, r.pipe.port, 2);
	KUNIT_EXPECT_EQ(test, r.length, 0);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, 0);

	/* Any unlink_id, and an unlink of a control or iso transfer. */
	req.u.unlink.unlink_id = 0xffff;
	req.pipe = (req.pipe & ~((u32)XENUSB_PIPE_TYPE_MASK <<
				 XENUSB_PIPE_TYPE_SHIFT)) |
		   ((u32)XENUSB_PIPE_TYPE_ISOC << XENUSB_PIPE_TYPE_SHIFT);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.unlink_id, 0xffff);
}

static void req_port_limits(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_bulk_out(&req);
	req.pipe = (req.pipe & ~XENUSB_PIPE_PORT_MASK) | 1;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	req.pipe = (req.pipe & ~XENUSB_PIPE_PORT_MASK) | NPORTS;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	req.pipe = (req.pipe & ~XENUSB_PIPE_PORT_MASK) | 31;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, 31, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pipe.port, 31);
}

static void req_bad_nports(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* A controller of 0 or 32 ports cannot exist: refuse everything. */
	mk_bulk_in(&req);
	set_port(&req, 1);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, 1, &r), 0);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, 0, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, 32, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, 255, &r), -EINVAL);
}

static void req_devnum_and_ep_limits(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_bulk_out(&req);
	req.pipe |= (XENUSB_PIPE_DEV_MASK << XENUSB_PIPE_DEV_SHIFT) |
		    (XENUSB_PIPE_EP_MASK << XENUSB_PIPE_EP_SHIFT);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pipe.devnum, 127);
	KUNIT_EXPECT_EQ(test, r.pipe.ep, 15);
}

static void req_segment_edges(struct kunit *test)
{
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* One byte at the very end of a page. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_BULK, true, 1, 1, 4095, 0);
	KUNIT_ASSERT_EQ(test, req.seg[0].offset, 4095);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	/* A whole page. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_BULK, true, 1, 4096, 0, 0);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	/* Not laid out like a virtual buffer: still a valid gather list. */
	xenhcd_req(&req, XENUSB_PIPE_TYPE_BULK, true, 1, 300, 0, 0);
	req.nr_buffer_segs = 3;
	req.seg[0].offset = 10;
	req.seg[0].length = 100;
	req.seg[1].offset = 2000;
	req.seg[1].length = 100;
	req.seg[2].offset = 0;
	req.seg[2].length = 100;
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	KUNIT_EXPECT_EQ(test, r.length, 300);
}

/* ---------------------------------------------------------------- */
/* Every rule, broken alone                                           */

struct bad_req_case {
	const char *name;
	void (*build)(struct xenusb_urb_request *req);
	void (*mutate)(struct xenusb_urb_request *req);
};

static void m_pipe_bit6(struct xenusb_urb_request *r)
{
	r->pipe |= 1u << 6;
}

static void m_pipe_bit19(struct xenusb_urb_request *r)
{
	r->pipe |= 1u << 19;
}

static void m_pipe_bit29(struct xenusb_urb_request *r)
{
	r->pipe |= 1u << 29;
}

static void m_port0(struct xenusb_urb_request *r)
{
	set_port(r, 0);
}

static void m_port_over(struct xenusb_urb_request *r)
{
	set_port(r, NPORTS + 1);
}

static void m_port31(struct xenusb_urb_request *r)
{
	set_port(r, 31);
}

static void m_unlink_segs(struct xenusb_urb_request *r)
{
	r->nr_buffer_segs = 1;
}

static void m_flag_unknown(struct xenusb_urb_request *r)
{
	r->transfer_flags |= 0x0002;
}

static void m_flag_high(struct xenusb_urb_request *r)
{
	r->transfer_flags |= 0x8000;
}

static void m_short_not_ok(struct xenusb_urb_request *r)
{
	r->transfer_flags |= XENUSB_SHORT_NOT_OK;
}

static void m_segs_17(struct xenusb_urb_request *r)
{
	r->nr_buffer_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST + 1;
}

static void m_segs_huge(struct xenusb_urb_request *r)
{
	r->nr_buffer_segs = 0xffff;
}

static void m_seg_len0(struct xenusb_urb_request *r)
{
	/* An extra empty segment; the length sum is unchanged. */
	r->seg[r->nr_buffer_segs].offset = 0;
	r->seg[r->nr_buffer_segs].length = 0;
	r->nr_buffer_segs++;
}

static void m_seg_cross_page(struct xenusb_urb_request *r)
{
	/* 31 bytes at 4066 end one byte past the page. */
	r->seg[0].offset = 4066;
}

static void m_seg_offset_4096(struct xenusb_urb_request *r)
{
	r->seg[0].offset = 4096;
}

static void m_seg_offset_max(struct xenusb_urb_request *r)
{
	r->seg[0].offset = 0xffff;
}

static void m_seg_len_4097(struct xenusb_urb_request *r)
{
	r->seg[0].offset = 0;
	r->seg[0].length = 4097;
	r->buffer_length = 4097;
}

static void m_len_minus1(struct xenusb_urb_request *r)
{
	r->buffer_length--;
}

static void m_len_plus1(struct xenusb_urb_request *r)
{
	r->buffer_length++;
}

static void m_len_zero(struct xenusb_urb_request *r)
{
	r->buffer_length = 0;
}

static void m_64k_len_1(struct xenusb_urb_request *r)
{
	/* Segments summing to 65536, buffer_length not the wrapped 0. */
	r->buffer_length = 1;
}

static void m_64k_one_byte_short(struct xenusb_urb_request *r)
{
	/* 65535 bytes with buffer_length 0: not the wrap. */
	r->seg[15].length--;
}

static void m_64k_as_ctrl(struct xenusb_urb_request *r)
{
	/* A control transfer cannot wrap: wLength is 16 bits too. */
	r->pipe = (r->pipe & ~((u32)XENUSB_PIPE_TYPE_MASK <<
			       XENUSB_PIPE_TYPE_SHIFT) &
		   ~(XENUSB_PIPE_EP_MASK << XENUSB_PIPE_EP_SHIFT)) |
		  ((u32)XENUSB_PIPE_TYPE_CTRL << XENUSB_PIPE_TYPE_SHIFT);
	set_setup(r, USB_DIR_IN | USB_TYPE_VENDOR, 1, 0, 0, 0);
}

static void m_ctrl_wlength(struct xenusb_urb_request *r)
{
	r->u.ctrl[6]++;
}

static void m_ctrl_wlength_high(struct xenusb_urb_request *r)
{
	r->u.ctrl[7] = 1;
}

static void m_ctrl_nodata_wlength(struct xenusb_urb_request *r)
{
	r->u.ctrl[6] = 1;
}

static void m_ctrl_dir_setup(struct xenusb_urb_request *r)
{
	r->u.ctrl[0] ^= USB_DIR_IN;
}

static void m_ctrl_dir_pipe(struct xenusb_urb_request *r)
{
	r->pipe ^= XENUSB_PIPE_DIR;
}

static void m_ctrl_nodata_in_son(struct xenusb_urb_request *r)
{
	r->pipe |= XENUSB_PIPE_DIR;
	r->u.ctrl[0] |= USB_DIR_IN;
	r->transfer_flags = XENUSB_SHORT_NOT_OK;
}

static void m_interval0(struct xenusb_urb_request *r)
{
	r->u.intr.interval = 0;
}

static void m_interval_over(struct xenusb_urb_request *r)
{
	r->u.intr.interval = 8193;
}

static void m_interval_max(struct xenusb_urb_request *r)
{
	r->u.intr.interval = 0xffff;
}

static void m_iso_interval0(struct xenusb_urb_request *r)
{
	r->u.isoc.interval = 0;
}

static void m_iso_interval_over(struct xenusb_urb_request *r)
{
	r->u.isoc.interval = 8193;
}

static void m_iso_packets0(struct xenusb_urb_request *r)
{
	/* No packet and, consistently, no descriptor page. */
	r->u.isoc.number_of_packets = 0;
	r->u.isoc.nr_frame_desc_segs = 0;
}

static void m_iso_packets_plus1(struct xenusb_urb_request *r)
{
	r->u.isoc.number_of_packets++;
}

static void m_iso_packets_minus1(struct xenusb_urb_request *r)
{
	r->u.isoc.number_of_packets--;
}

static void m_iso_no_desc_segs(struct xenusb_urb_request *r)
{
	r->u.isoc.nr_frame_desc_segs = 0;
}

static void m_iso_desc_short(struct xenusb_urb_request *r)
{
	/* 47 descriptor bytes for 3 packets. */
	r->seg[r->nr_buffer_segs + 1].length--;
}

static void m_iso_desc_cross_page(struct xenusb_urb_request *r)
{
	r->seg[r->nr_buffer_segs].offset++;
}

static void m_iso_desc_len0(struct xenusb_urb_request *r)
{
	r->seg[r->nr_buffer_segs + 2].offset = 0;
	r->seg[r->nr_buffer_segs + 2].length = 0;
	r->u.isoc.nr_frame_desc_segs++;
}

static void m_iso_too_many_segs(struct xenusb_urb_request *r)
{
	/* 2 data + 15 descriptor segments > 16. */
	r->u.isoc.nr_frame_desc_segs = 15;
}

static void m_iso_desc_segs_huge(struct xenusb_urb_request *r)
{
	r->u.isoc.nr_frame_desc_segs = 0xffff;
}

static void m_iso_data_len(struct xenusb_urb_request *r)
{
	r->buffer_length++;
}

static const struct bad_req_case bad_req_cases[] = {
	{ "pipe bit 6 set", mk_bulk_in, m_pipe_bit6 },
	{ "pipe bit 19 set", mk_ctrl_in, m_pipe_bit19 },
	{ "pipe bit 29 set", mk_iso_in, m_pipe_bit29 },
	{ "pipe reserved bit on unlink", mk_unlink, m_pipe_bit6 },
	{ "port 0", mk_bulk_in, m_port0 },
	{ "port 0 on unlink", mk_unlink, m_port0 },
	{ "port above nports", mk_ctrl_in, m_port_over },
	{ "port above nports on unlink", mk_unlink, m_port_over },
	{ "port 31 of 8", mk_int_in, m_port31 },
	{ "unlink with a segment", mk_unlink, m_unlink_segs },
	{ "unknown transfer flag", mk_bulk_in, m_flag_unknown },
	{ "transfer flag bit 15", mk_ctrl_in, m_flag_high },
	{ "SHORT_NOT_OK on bulk OUT", mk_bulk_out, m_short_not_ok },
	{ "SHORT_NOT_OK on interrupt OUT", mk_int_out, m_short_not_ok },
	{ "SHORT_NOT_OK on iso IN", mk_iso_in, m_short_not_ok },
	{ "SHORT_NOT_OK on control OUT", mk_ctrl_out, m_short_not_ok },
	{ "SHORT_NOT_OK on control without data", mk_ctrl_nodata,
	  m_short_not_ok },
	{ "SHORT_NOT_OK on IN control without data", mk_ctrl_nodata,
	  m_ctrl_nodata_in_son },
	{ "17 data segments", mk_bulk_in_64k, m_segs_17 },
	{ "65535 data segments", mk_bulk_in, m_segs_huge },
	{ "empty data segment", mk_bulk_out, m_seg_len0 },
	{ "data segment across page end", mk_bulk_out, m_seg_cross_page },
	{ "data segment offset 4096", mk_bulk_out, m_seg_offset_4096 },
	{ "data segment offset 65535", mk_bulk_out, m_seg_offset_max },
	{ "data segment of 4097 bytes", mk_bulk_out, m_seg_len_4097 },
	{ "buffer_length below segments", mk_bulk_in, m_len_minus1 },
	{ "buffer_length above segments", mk_bulk_in, m_len_plus1 },
	{ "buffer_length 0 with 31 bytes", mk_bulk_out, m_len_zero },
	{ "buffer_length 0 with 4 KiB", mk_iso_out, m_len_zero },
	{ "64 KiB with buffer_length 1", mk_bulk_in_64k, m_64k_len_1 },
	{ "65535 bytes with buffer_length 0", mk_bulk_in_64k,
	  m_64k_one_byte_short },
	{ "64 KiB wrap on control", mk_bulk_in_64k, m_64k_as_ctrl },
	{ "control wLength != length", mk_ctrl_in, m_ctrl_wlength },
	{ "control wLength high byte", mk_ctrl_out, m_ctrl_wlength_high },
	{ "control wLength 1 without data", mk_ctrl_nodata,
	  m_ctrl_nodata_wlength },
	{ "control setup OUT, pipe IN", mk_ctrl_in, m_ctrl_dir_setup },
	{ "control setup IN, pipe OUT", mk_ctrl_out, m_ctrl_dir_setup },
	{ "control pipe flipped", mk_ctrl_in, m_ctrl_dir_pipe },
	{ "interrupt interval 0", mk_int_in, m_interval0 },
	{ "interrupt interval 8193", mk_int_out, m_interval_over },
	{ "interrupt interval 65535", mk_int_in, m_interval_max },
	{ "iso interval 0", mk_iso_in, m_iso_interval0 },
	{ "iso interval 8193", mk_iso_out, m_iso_interval_over },
	{ "iso 0 packets", mk_iso_in, m_iso_packets0 },
	{ "iso packets above descriptors", mk_iso_in, m_iso_packets_plus1 },
	{ "iso packets below descriptors", mk_iso_out, m_iso_packets_minus1 },
	{ "iso without descriptor segments", mk_iso_in, m_iso_no_desc_segs },
	{ "iso descriptor bytes short", mk_iso_in, m_iso_desc_short },
	{ "iso descriptor across page end", mk_iso_in,
	  m_iso_desc_cross_page },
	{ "iso empty descriptor segment", mk_iso_in, m_iso_desc_len0 },
	{ "iso data + descriptor segments 17", mk_iso_in,
	  m_iso_too_many_segs },
	{ "iso 65535 descriptor segments", mk_iso_out,
	  m_iso_desc_segs_huge },
	{ "iso buffer_length mismatch", mk_iso_in, m_iso_data_len },
};

static void bad_req_desc(const struct bad_req_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_req, bad_req_cases, bad_req_desc);

static void req_rule_broken_alone(struct kunit *test)
{
	const struct bad_req_case *c = test->param_value;
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* The request is valid before the mutation... */
	c->build(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, &r), 0);
	/* ...and invalid after it. */
	c->mutate(&req);
	KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, NPORTS, &r), -EINVAL);
	/* What the error response needs is still there. */
	KUNIT_EXPECT_EQ(test, r.id, req.id);
}

/* ---------------------------------------------------------------- */
/* Endpoint checks                                                    */

static void ep_view_reset_only_ep0(struct kunit *test)
{
	struct usbback_ep_view v;
	unsigned int dir, ep;

	memset(&v, 0x5a, sizeof(v));
	usbback_ep_view_reset(&v);
	for (dir = 0; dir < 2; dir++) {
		KUNIT_EXPECT_EQ(test, v.type[dir][0], XENUSB_PIPE_TYPE_CTRL);
		for (ep = 1; ep < XENUSB_NUM_EPS; ep++)
			KUNIT_EXPECT_EQ(test, v.type[dir][ep], USBBACK_EP_NONE);
		for (ep = 0; ep < XENUSB_NUM_EPS; ep++)
			KUNIT_EXPECT_EQ(test, v.maxp[dir][ep], 0);
	}
}

static void parse_ok(struct kunit *test, void (*build)(struct xenusb_urb_request *),
		     struct usbback_req *r)
{
	struct xenusb_urb_request req;

	build(&req);
	KUNIT_ASSERT_EQ(test, usbback_req_parse(&req, NPORTS, r), 0);
}

static void ep_check(struct kunit *test)
{
	struct usbback_ep_view v;
	struct usbback_req r;

	usbback_ep_view_reset(&v);
	/* Endpoint 0 takes control transfers both ways, always. */
	parse_ok(test, mk_ctrl_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	parse_ok(test, mk_ctrl_out, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	/* Nothing else exists before configuration. */
	parse_ok(test, mk_bulk_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);

	v.type[1][1] = XENUSB_PIPE_TYPE_BULK;
	v.type[0][2] = XENUSB_PIPE_TYPE_BULK;
	v.type[1][3] = XENUSB_PIPE_TYPE_INT;
	v.type[1][5] = XENUSB_PIPE_TYPE_ISOC;
	parse_ok(test, mk_bulk_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	parse_ok(test, mk_bulk_out, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	parse_ok(test, mk_int_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	parse_ok(test, mk_iso_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);

	/* Right number, wrong direction: ep 3 is IN only. */
	parse_ok(test, mk_int_out, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
	/* Right number and direction, wrong type. */
	v.type[1][1] = XENUSB_PIPE_TYPE_INT;
	parse_ok(test, mk_bulk_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
	/* An iso endpoint gone with the altsetting. */
	v.type[1][5] = USBBACK_EP_NONE;
	parse_ok(test, mk_iso_in, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
}

static void ep_check_ep0_is_control_only(struct kunit *test)
{
	struct usbback_ep_view v;
	struct usbback_req r;

	usbback_ep_view_reset(&v);
	/* Even a view claiming otherwise cannot make ep0 a bulk pipe. */
	v.type[1][0] = XENUSB_PIPE_TYPE_BULK;
	parse_ok(test, mk_bulk_in, &r);
	r.pipe.ep = 0;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
	r.pipe.type = XENUSB_PIPE_TYPE_INT;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
	r.pipe.type = XENUSB_PIPE_TYPE_ISOC;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
}

static void ep_check_control_on_other_ep(struct kunit *test)
{
	struct usbback_ep_view v;
	struct usbback_req r;

	usbback_ep_view_reset(&v);
	parse_ok(test, mk_ctrl_in, &r);
	r.pipe.ep = 4;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
	/* A control endpoint has no direction: either entry counts. */
	v.type[0][4] = XENUSB_PIPE_TYPE_CTRL;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	r.pipe.in = false;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
	/* A bulk endpoint 4 does not take control transfers. */
	v.type[0][4] = XENUSB_PIPE_TYPE_BULK;
	v.type[1][4] = XENUSB_PIPE_TYPE_BULK;
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), -EINVAL);
}

static void ep_check_unlink_always_passes(struct kunit *test)
{
	struct usbback_ep_view v;
	struct usbback_req r;

	usbback_ep_view_reset(&v);
	parse_ok(test, mk_unlink, &r);
	KUNIT_EXPECT_EQ(test, usbback_req_check_ep(&r, &v), 0);
}

/* ---------------------------------------------------------------- */
/* Control classification                                              */

struct classify_case {
	const char *name;
	u8 setup[8];
	enum usbback_ctrl_kind kind;
};

static const struct classify_case classify_cases[] = {
	{ "SET_ADDRESS", { 0x00, 0x05, 0x04, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_ADDRESS },
	{ "SET_CONFIGURATION", { 0x00, 0x09, 0x01, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_CONFIGURATION },
	{ "SET_CONFIGURATION 0", { 0x00, 0x09, 0x00, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_CONFIGURATION },
	{ "SET_INTERFACE", { 0x01, 0x0b, 0x01, 0, 0x02, 0, 0, 0 },
	  USBBACK_CTRL_SET_INTERFACE },
	{ "CLEAR_FEATURE(HALT) ep 0x81", { 0x02, 0x01, 0, 0, 0x81, 0, 0, 0 },
	  USBBACK_CTRL_CLEAR_HALT },
	{ "CLEAR_FEATURE(HALT) ep 0x02", { 0x02, 0x01, 0, 0, 0x02, 0, 0, 0 },
	  USBBACK_CTRL_CLEAR_HALT },
	/* Malformed variants of the state-changing requests. */
	{ "SET_ADDRESS to interface", { 0x01, 0x05, 0x04, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_ADDRESS },
	{ "SET_ADDRESS with IN bit", { 0x80, 0x05, 0x04, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_ADDRESS },
	{ "SET_CONFIGURATION to endpoint", { 0x02, 0x09, 1, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_CONFIGURATION },
	{ "SET_INTERFACE to device", { 0x00, 0x0b, 1, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_SET_INTERFACE },
	{ "CLEAR_FEATURE(HALT) with IN bit", { 0x82, 0x01, 0, 0, 0x81, 0, 0, 0 },
	  USBBACK_CTRL_CLEAR_HALT },
	/* Everything else goes to the device. */
	{ "GET_DESCRIPTOR", { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 },
	  USBBACK_CTRL_PASS },
	{ "GET_STATUS", { 0x80, 0x00, 0, 0, 0, 0, 2, 0 }, USBBACK_CTRL_PASS },
	{ "GET_CONFIGURATION", { 0x80, 0x08, 0, 0, 0, 0, 1, 0 },
	  USBBACK_CTRL_PASS },
	{ "GET_INTERFACE", { 0x81, 0x0a, 0, 0, 0, 0, 1, 0 },
	  USBBACK_CTRL_PASS },
	{ "SET_FEATURE(HALT)", { 0x02, 0x03, 0, 0, 0x81, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "CLEAR_FEATURE(REMOTE_WAKEUP)", { 0x00, 0x01, 0x01, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "CLEAR_FEATURE 0 to device", { 0x00, 0x01, 0, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "CLEAR_FEATURE 0 to interface", { 0x01, 0x01, 0, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "CLEAR_FEATURE 0x100 to endpoint", { 0x02, 0x01, 0, 1, 0x81, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "CLEAR_FEATURE 1 to endpoint", { 0x02, 0x01, 1, 0, 0x81, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "vendor request 5", { 0x40, 0x05, 4, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "vendor request 9", { 0xc0, 0x09, 1, 0, 0, 0, 4, 0 },
	  USBBACK_CTRL_PASS },
	{ "HID SET_REPORT (class 9)", { 0x21, 0x09, 0, 2, 0, 0, 1, 0 },
	  USBBACK_CTRL_PASS },
	{ "HID SET_PROTOCOL (class 11)", { 0x21, 0x0b, 0, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "class CLEAR_FEATURE to endpoint", { 0x22, 0x01, 0, 0, 0x81, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
	{ "reserved type 3, request 5", { 0x60, 0x05, 4, 0, 0, 0, 0, 0 },
	  USBBACK_CTRL_PASS },
};

static void classify_desc(const struct classify_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(classify, classify_cases, classify_desc);

static void ctrl_classify_case(struct kunit *test)
{
	const struct classify_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, usbback_ctrl_classify(c->setup), c->kind);
}

/* ---------------------------------------------------------------- */
/* Isochronous frame descriptors                                       */

static void iso_descs_fit(struct kunit *test)
{
	struct xenusb_iso_desc d[4] = {
		{ .offset = 0, .length = 192 },
		{ .offset = 192, .length = 192 },
		{ .offset = 384, .length = 192 },
		/* Beyond nr_packets: never looked at. */
		{ .offset = 0xffffffff, .length = 0xffffffff },
	};

	KUNIT_EXPECT_EQ(test, usbback_iso_descs_check(d, 3, 576), 0);
	/* Packets may leave gaps and overlap; only the bounds matter. */
	d[1].offset = 0;
	KUNIT_EXPECT_EQ(test, usbback_iso_descs_check(d, 3, 576), 0);
	/* Empty packets, even at the very end of the buffer. */
	d[2].offset = 576;
	d[2].length = 0;
	KUNIT_EXPECT_EQ(test, usbback_iso_descs_check(d, 3, 576), 0);
	/* A zero-length buffer with empty packets. */
	d[0].length = 0;
	d[1].length = 0;
	d[2].offset = 0;
	KUNIT_EXPECT_EQ(test, usbback_iso_descs_check(d, 3, 0), 0);
}

struct iso_bad_case {
	const char *name;
	u32 offset;
	u32 length;
};

static const struct iso_bad_case iso_bad_cases[] = {
	{ "one byte past the end", 384, 193 },
	{ "offset at the end with data", 576, 1 },
	{ "offset past the end", 577, 0 },
	{ "length past the end", 0, 577 },
	{ "offset + length wraps u32", 0xffffffff, 2 },
	{ "length wraps u32", 1, 0xffffffff },
	{ "both maximal", 0xffffffff, 0xffffffff },
};

static void iso_bad_desc(const struct iso_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(iso_bad, iso_bad_cases, iso_bad_desc);

static void iso_descs_overrun(struct kunit *test)
{
	const struct iso_bad_case *c = test->param_value;
	struct xenusb_iso_desc d[3] = {
		{ .offset = 0, .length = 192 },
		{ .offset = 192, .length = 192 },
		{ .offset = 384, .length = 192 },
	};
	unsigned int i;

	/* The bad packet in each position in turn. */
	for (i = 0; i < 3; i++) {
		struct xenusb_iso_desc save = d[i];

		KUNIT_ASSERT_EQ(test, usbback_iso_descs_check(d, 3, 576), 0);
		d[i].offset = c->offset;
		d[i].length = c->length;
		KUNIT_EXPECT_EQ(test, usbback_iso_descs_check(d, 3, 576),
				-EINVAL);
		d[i] = save;
	}
}

static void iso_descs_no_packets(struct kunit *test)
{
	struct xenusb_iso_desc d[1] = { { .offset = 0, .length = 0 } };

	KUNIT_EXPECT_EQ(test, usbback_iso_descs_check(d, 0, 576), -EINVAL);
}

/* ---------------------------------------------------------------- */
/* Negotiated transfer flags (include/xenusb_features.h)             */

/* A port reset as usbfront sends it. */
static void mk_port_reset(struct xenusb_urb_request *req)
{
	struct xenusb_pipe p = { .port = 1, .type = XENUSB_PIPE_TYPE_CTRL };

	memset(req, 0, sizeof(*req));
	req->id = 4;
	req->pipe = xenusb_pipe_encode(&p);
	req->transfer_flags = XENUSB_PORT_RESET;
}

struct feat_case {
	const char *name;
	void (*mk)(struct xenusb_urb_request *req);
	u16 flags;	/* added to what mk() set */
	bool zero_packet, port_reset;	/* negotiated */
	int ret;
};

static void mk_bulk_in_plain(struct xenusb_urb_request *req)
{
	mk_bulk_in(req);
	req->transfer_flags = 0;
}

static void mk_port_reset_seg(struct xenusb_urb_request *req)
{
	mk_port_reset(req);
	req->nr_buffer_segs = 1;
	req->buffer_length = 8;
	req->seg[0].length = 8;
}

static void mk_port_reset_len(struct xenusb_urb_request *req)
{
	mk_port_reset(req);
	req->buffer_length = 8;
}

static void mk_port_reset_in(struct xenusb_urb_request *req)
{
	mk_port_reset(req);
	req->pipe |= XENUSB_PIPE_DIR;
}

static void mk_port_reset_ep1(struct xenusb_urb_request *req)
{
	mk_port_reset(req);
	req->pipe |= 1 << XENUSB_PIPE_EP_SHIFT;
}

static void mk_port_reset_bulk(struct xenusb_urb_request *req)
{
	mk_port_reset(req);
	req->pipe |= (u32)XENUSB_PIPE_TYPE_BULK << XENUSB_PIPE_TYPE_SHIFT;
}

/* Stale address and setup bytes are allowed: neither is used. */
static void mk_port_reset_stale(struct xenusb_urb_request *req)
{
	mk_port_reset(req);
	req->pipe |= 5 << XENUSB_PIPE_DEV_SHIFT;
	memset(req->u.ctrl, 0xff, sizeof(req->u.ctrl));
}

static const struct feat_case feat_cases[] = {
	{ "zlp bulk out, negotiated", mk_bulk_out, XENUSB_ZERO_PACKET,
	  true, false, 0 },
	{ "zlp bulk out, not negotiated", mk_bulk_out, XENUSB_ZERO_PACKET,
	  false, true, -EINVAL },
	{ "zlp int out, negotiated", mk_int_out, XENUSB_ZERO_PACKET,
	  true, false, 0 },
	{ "zlp bulk in", mk_bulk_in_plain, XENUSB_ZERO_PACKET,
	  true, true, -EINVAL },
	{ "zlp int in", mk_int_in, XENUSB_ZERO_PACKET, true, true, -EINVAL },
	{ "zlp control", mk_ctrl_out, XENUSB_ZERO_PACKET,
	  true, true, -EINVAL },
	{ "zlp iso out", mk_iso_out, XENUSB_ZERO_PACKET, true, true, -EINVAL },
	{ "reset, negotiated", mk_port_reset, 0, false, true, 0 },
	{ "reset, not negotiated", mk_port_reset, 0, true, false, -EINVAL },
	{ "reset, stale address and setup", mk_port_reset_stale, 0,
	  false, true, 0 },
	{ "reset with a segment", mk_port_reset_seg, 0, true, true, -EINVAL },
	{ "reset with a length", mk_port_reset_len, 0, true, true, -EINVAL },
	{ "reset on an IN pipe", mk_port_reset_in, 0, true, true, -EINVAL },
	{ "reset to endpoint 1", mk_port_reset_ep1, 0, true, true, -EINVAL },
	{ "reset on a bulk pipe", mk_port_reset_bulk, 0, true, true, -EINVAL },
	{ "reset with zlp", mk_port_reset, XENUSB_ZERO_PACKET,
	  true, true, -EINVAL },
	{ "reset with short-not-ok", mk_port_reset, XENUSB_SHORT_NOT_OK,
	  true, true, -EINVAL },
	{ "flag 0x0008", mk_bulk_out, 0x0008, true, true, -EINVAL },
};

static void feat_case_desc(const struct feat_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(feat_req, feat_cases, feat_case_desc);

static void req_feat_flags(struct kunit *test)
{
	const struct feat_case *c = test->param_value;
	struct xenusb_features feat = {};
	struct xenusb_urb_request req;
	struct usbback_req out;
	int ret;

	feat.val[XENUSB_FEAT_ZERO_PACKET] = c->zero_packet;
	feat.val[XENUSB_FEAT_PORT_RESET] = c->port_reset;
	c->mk(&req);
	req.transfer_flags |= c->flags;
	ret = usbback_req_parse_feat(&req, 4, &feat, &out);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, out.zero_packet,
				!!(req.transfer_flags & XENUSB_ZERO_PACKET));
		KUNIT_EXPECT_EQ(test, out.port_reset,
				!!(req.transfer_flags & XENUSB_PORT_RESET));
		KUNIT_EXPECT_EQ(test, out.pipe.port,
				xenusb_pipeportnum(req.pipe));
		if (out.port_reset) {
			KUNIT_EXPECT_EQ(test, out.length, 0u);
			KUNIT_EXPECT_EQ(test, out.nr_data_segs, 0);
			KUNIT_EXPECT_FALSE(test, out.short_not_ok);
		}
	}
	/* The base protocol refuses every request carrying a new flag. */
	if (req.transfer_flags & (XENUSB_ZERO_PACKET | XENUSB_PORT_RESET))
		KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, 4, &out),
				-EINVAL);
}

/* With every feature on, the base requests parse as before. */
static void req_feat_base_unchanged(struct kunit *test)
{
	void (*mk[])(struct xenusb_urb_request *req) = {
		mk_ctrl_in, mk_ctrl_out, mk_ctrl_nodata, mk_bulk_in_64k,
		mk_bulk_in, mk_bulk_out, mk_int_in, mk_int_out, mk_iso_in,
		mk_iso_out, mk_unlink,
	};
	struct xenusb_features feat = { .val = { 1, 1 } };
	struct usbback_req a, b;
	struct xenusb_urb_request req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mk); i++) {
		mk[i](&req);
		KUNIT_EXPECT_EQ(test, usbback_req_parse(&req, 4, &a), 0);
		KUNIT_EXPECT_EQ(test, usbback_req_parse_feat(&req, 4, &feat,
							     &b), 0);
		KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	}
}

/* ------------------------------------------------------------------ */
/* Large transfers: indirect bulk requests                              */

#define MAXI	XENUSB_MAX_INDIRECT_SEGS

/*
 * An indirect bulk IN request of @count full data pages, their
 * descriptors in @descs, named by one indirect segment at offset 0.
 */
static void mk_indirect(struct xenusb_urb_request *req,
			struct xenusb_request_segment *descs, u32 count)
{
	u32 i;

	xenhcd_req(req, XENUSB_PIPE_TYPE_BULK, true, 1, 0, 0, XENUSB_INDIRECT);
	for (i = 0; i < count; i++) {
		descs[i].gref = 1000 + i;
		descs[i].offset = 0;
		descs[i].length = XENUSB_PAGE_SIZE;
	}
	req->nr_buffer_segs = 1;
	req->seg[0].gref = 900;
	req->seg[0].offset = 0;
	req->seg[0].length = count * XENUSB_INDIRECT_DESC_SIZE;
	req->buffer_length = 0;
	xenusb_indirect_len_set(req, count * XENUSB_PAGE_SIZE);
}

/* Parse with large transfers negotiated at @max data segments (0: off). */
static int ind_parse(const struct xenusb_urb_request *req, u32 max,
		     struct usbback_req *r)
{
	struct xenusb_features feat = { };

	feat.val[XENUSB_FEAT_MAX_INDIRECT] = max;
	return usbback_req_parse_feat(req, NPORTS, &feat, r);
}

static struct xenusb_request_segment *descs_alloc(struct kunit *test)
{
	struct xenusb_request_segment *d;

	d = kunit_kcalloc(test, MAXI + 1, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	return d;
}

static void ind_one_mib(struct kunit *test)
{
	struct xenusb_request_segment *d = descs_alloc(test);
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_indirect(&req, d, MAXI);
	KUNIT_ASSERT_EQ(test, ind_parse(&req, MAXI, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.indirect);
	KUNIT_EXPECT_EQ(test, r.nr_ind_segs, 1);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, MAXI);
	KUNIT_EXPECT_EQ(test, r.length, 1024u * 1024u);
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), 0);

	/* The same data described by two indirect segments. */
	req.nr_buffer_segs = 2;
	req.seg[0].length = 100 * XENUSB_INDIRECT_DESC_SIZE;
	req.seg[1].gref = 901;
	req.seg[1].offset = 64;
	req.seg[1].length = (MAXI - 100) * XENUSB_INDIRECT_DESC_SIZE;
	KUNIT_ASSERT_EQ(test, ind_parse(&req, MAXI, &r), 0);
	KUNIT_EXPECT_EQ(test, r.nr_ind_segs, 2);
	KUNIT_EXPECT_EQ(test, r.nr_data_segs, MAXI);

	/* A short last page and a first page starting mid-way. */
	mk_indirect(&req, d, 3);
	d[0].offset = 512;
	d[0].length = XENUSB_PAGE_SIZE - 512;
	d[2].length = 7;
	xenusb_indirect_len_set(&req, XENUSB_PAGE_SIZE * 2 - 512 + 7);
	KUNIT_ASSERT_EQ(test, ind_parse(&req, MAXI, &r), 0);
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), 0);
}

static void ind_not_negotiated(struct kunit *test)
{
	struct xenusb_request_segment *d = descs_alloc(test);
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_indirect(&req, d, 16);
	KUNIT_EXPECT_EQ(test, ind_parse(&req, 0, &r), -EINVAL);
	KUNIT_EXPECT_FALSE(test, r.indirect);
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
}

static void ind_count_over_max(struct kunit *test)
{
	struct xenusb_request_segment *d = descs_alloc(test);
	struct xenusb_urb_request req;
	struct usbback_req r;

	/* The frontend's choice is lower than what the backend offers. */
	mk_indirect(&req, d, 129);
	KUNIT_EXPECT_EQ(test, ind_parse(&req, 128, &r), -EINVAL);
	mk_indirect(&req, d, 128);
	KUNIT_EXPECT_EQ(test, ind_parse(&req, 128, &r), 0);
	/* Never more than the backend's own limit, whatever was agreed. */
	mk_indirect(&req, d, MAXI + 1);
	KUNIT_EXPECT_EQ(test, ind_parse(&req, MAXI + 1, &r),
			-EINVAL);
}

/* One rule of the indirect wire segments or the length, broken alone. */
struct ind_bad_case {
	const char *name;
	void (*mutate)(struct xenusb_urb_request *req);
};

static void ind_ctrl_pipe(struct xenusb_urb_request *req)
{
	req->pipe = (req->pipe & ~(3u << XENUSB_PIPE_TYPE_SHIFT)) |
		    (u32)XENUSB_PIPE_TYPE_CTRL << XENUSB_PIPE_TYPE_SHIFT;
}

static void ind_int_pipe(struct xenusb_urb_request *req)
{
	req->pipe = (req->pipe & ~(3u << XENUSB_PIPE_TYPE_SHIFT)) |
		    (u32)XENUSB_PIPE_TYPE_INT << XENUSB_PIPE_TYPE_SHIFT;
}

static void ind_isoc_pipe(struct xenusb_urb_request *req)
{
	req->pipe &= ~(3u << XENUSB_PIPE_TYPE_SHIFT);
}

static void ind_no_segs(struct xenusb_urb_request *req)
{
	req->nr_buffer_segs = 0;
}

static void ind_17_segs(struct xenusb_urb_request *req)
{
	req->nr_buffer_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST + 1;
}

static void ind_buffer_length(struct xenusb_urb_request *req)
{
	req->buffer_length = 4096;
}

static void ind_seg_past_page(struct xenusb_urb_request *req)
{
	req->seg[0].offset = XENUSB_PAGE_SIZE - 8;
}

static void ind_seg_empty(struct xenusb_urb_request *req)
{
	req->seg[0].length = 0;
}

static void ind_seg_partial_desc(struct xenusb_urb_request *req)
{
	req->seg[0].length -= 4;
}

static void ind_seg_unaligned(struct xenusb_urb_request *req)
{
	req->seg[0].offset = 4;
}

static void ind_len_zero(struct xenusb_urb_request *req)
{
	xenusb_indirect_len_set(req, 0);
}

static void ind_len_over_pages(struct xenusb_urb_request *req)
{
	xenusb_indirect_len_set(req, 16 * XENUSB_PAGE_SIZE + 1);
}

static void ind_len_huge(struct xenusb_urb_request *req)
{
	xenusb_indirect_len_set(req, 0xffffffffu);
}

static void ind_short_not_ok_out(struct xenusb_urb_request *req)
{
	req->pipe &= ~XENUSB_PIPE_DIR;
	req->transfer_flags |= XENUSB_SHORT_NOT_OK;
}

static void ind_unknown_flag(struct xenusb_urb_request *req)
{
	req->transfer_flags |= 0x0100;
}

static const struct ind_bad_case ind_bad_cases[] = {
	{ "control pipe", ind_ctrl_pipe },
	{ "interrupt pipe", ind_int_pipe },
	{ "isochronous pipe", ind_isoc_pipe },
	{ "no indirect segment", ind_no_segs },
	{ "17 indirect segments", ind_17_segs },
	{ "buffer_length set", ind_buffer_length },
	{ "indirect segment past its page", ind_seg_past_page },
	{ "empty indirect segment", ind_seg_empty },
	{ "partial descriptor", ind_seg_partial_desc },
	{ "unaligned descriptors", ind_seg_unaligned },
	{ "length 0", ind_len_zero },
	{ "length above the pages", ind_len_over_pages },
	{ "length 4 GiB - 1", ind_len_huge },
	{ "SHORT_NOT_OK on OUT", ind_short_not_ok_out },
	{ "unknown flag", ind_unknown_flag },
};

static void ind_bad_desc(const struct ind_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ind_bad, ind_bad_cases, ind_bad_desc);

static void ind_rule_broken_alone(struct kunit *test)
{
	const struct ind_bad_case *c = test->param_value;
	struct xenusb_request_segment *d = descs_alloc(test);
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_indirect(&req, d, 16);
	KUNIT_ASSERT_EQ(test, ind_parse(&req, MAXI, &r), 0);
	c->mutate(&req);
	KUNIT_EXPECT_EQ(test, ind_parse(&req, MAXI, &r), -EINVAL);
}

/* The descriptors read from the pages obey the rules of direct ones. */
static void ind_descs_checked(struct kunit *test)
{
	struct xenusb_request_segment *d = descs_alloc(test);
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_indirect(&req, d, 16);
	KUNIT_ASSERT_EQ(test, ind_parse(&req, MAXI, &r), 0);
	KUNIT_ASSERT_EQ(test, usbback_req_check_indirect(d, &r), 0);

	d[5].offset = 100;	/* segment past its page */
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
	d[5].offset = 0;
	d[15].length = 0;	/* empty segment */
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
	d[15].length = XENUSB_PAGE_SIZE + 8;	/* longer than a page */
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
	d[15].length = XENUSB_PAGE_SIZE - 1;	/* sum one short */
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
	d[15].length = XENUSB_PAGE_SIZE;
	r.length += 1;		/* length one more than the segments */
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
	r.length -= 1;
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), 0);
	r.indirect = false;	/* only for requests parsed as indirect */
	KUNIT_EXPECT_EQ(test, usbback_req_check_indirect(d, &r), -EINVAL);
}

/* An unlink ignores stale flags, also the indirect one. */
static void ind_unlink_ignores_flag(struct kunit *test)
{
	struct xenusb_request_segment *d = descs_alloc(test);
	struct xenusb_urb_request req;
	struct usbback_req r;

	mk_indirect(&req, d, 16);
	req.pipe |= XENUSB_PIPE_UNLINK;
	req.nr_buffer_segs = 0;
	KUNIT_EXPECT_EQ(test, ind_parse(&req, 0, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.indirect);
}

static struct kunit_case usbback_req_check_cases[] = {
	KUNIT_CASE(req_ctrl_in_like_xenhcd),
	KUNIT_CASE(req_ctrl_out_like_xenhcd),
	KUNIT_CASE(req_ctrl_nodata_like_xenhcd),
	KUNIT_CASE(req_ctrl_nodata_on_in_pipe_is_out),
	KUNIT_CASE(req_ctrl_in_short_not_ok),
	KUNIT_CASE(req_bulk_64k_wrap_accepted),
	KUNIT_CASE(req_bulk_65535_unaligned),
	KUNIT_CASE(req_bulk_like_xenhcd),
	KUNIT_CASE(req_int_like_xenhcd),
	KUNIT_CASE(req_iso_like_xenhcd),
	KUNIT_CASE(req_iso_segment_budget_exactly_full),
	KUNIT_CASE(req_iso_17_segments),
	KUNIT_CASE(req_17_data_segments),
	KUNIT_CASE(req_unlink_like_xenhcd),
	KUNIT_CASE(req_port_limits),
	KUNIT_CASE(req_bad_nports),
	KUNIT_CASE(req_devnum_and_ep_limits),
	KUNIT_CASE(req_segment_edges),
	KUNIT_CASE_PARAM(req_rule_broken_alone, bad_req_gen_params),
	KUNIT_CASE(ep_view_reset_only_ep0),
	KUNIT_CASE(ep_check),
	KUNIT_CASE(ep_check_ep0_is_control_only),
	KUNIT_CASE(ep_check_control_on_other_ep),
	KUNIT_CASE(ep_check_unlink_always_passes),
	KUNIT_CASE_PARAM(ctrl_classify_case, classify_gen_params),
	KUNIT_CASE(iso_descs_fit),
	KUNIT_CASE_PARAM(iso_descs_overrun, iso_bad_gen_params),
	KUNIT_CASE(iso_descs_no_packets),
	KUNIT_CASE_PARAM(req_feat_flags, feat_req_gen_params),
	KUNIT_CASE(req_feat_base_unchanged),
	KUNIT_CASE(ind_one_mib),
	KUNIT_CASE(ind_not_negotiated),
	KUNIT_CASE(ind_count_over_max),
	KUNIT_CASE_PARAM(ind_rule_broken_alone, ind_bad_gen_params),
	KUNIT_CASE(ind_descs_checked),
	KUNIT_CASE(ind_unlink_ignores_flag),
	{}
};

static struct kunit_suite usbback_req_check_suite = {
	.name = "usbback_req_check",
	.test_cases = usbback_req_check_cases,
};

kunit_test_suite(usbback_req_check_suite);

MODULE_LICENSE("GPL");
