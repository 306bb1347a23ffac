// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for usbback/urb_ring.c: requests off the urb ring, the
 * answers the core gives itself, dispatch, back-pressure, unlinks, the
 * fatal latch and the responses, over a recording ops table.
 */
#include <kunit/test.h>
#include <linux/usb/ch9.h>

#include "urb_ring.c"
#include "usbback_ring_fake.h"

/* One data segment of @len bytes on grant 5. */
static void one_seg(struct xenusb_urb_request *req, u16 len)
{
	req->nr_buffer_segs = 1;
	req->buffer_length = len;
	req->seg[0].gref = 5;
	req->seg[0].offset = 0;
	req->seg[0].length = len;
}

static void expect_rsp(struct kunit *test, struct fake *f, u16 id, s32 status)
{
	struct xenusb_urb_response rsp;

	KUNIT_ASSERT_TRUE(test, fake_rsp(f, &rsp));
	KUNIT_EXPECT_EQ(test, rsp.id, id);
	KUNIT_EXPECT_EQ(test, rsp.status, status);
}

static void expect_no_rsp(struct kunit *test, struct fake *f)
{
	struct xenusb_urb_response rsp;

	KUNIT_EXPECT_FALSE(test, fake_rsp(f, &rsp));
}

static void ring_init_bad_nports(struct kunit *test)
{
	/* Too big for the stack (3 KiB): allocated. */
	struct usbback_ring *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, usbback_ring_init(r, &fake_ops, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_ring_init(r, &fake_ops, 32), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_ring_init(r, &fake_ops, 31), 0);
	/* No slots until the implementer gives them. */
	KUNIT_EXPECT_EQ(test, r->nr_slots, 0u);
	KUNIT_EXPECT_NULL(test, r->rq);
}

/* The slots follow the ring: every rule of usbback_ring_set_slots(). */
static void ring_set_slots_rules(struct kunit *test)
{
	struct fake *f = fake_new(test);
	struct usbback_rq *rq = kunit_kcalloc(test, USBBACK_MAX_SLOTS,
					      sizeof(*rq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rq);
	KUNIT_EXPECT_EQ(test, USBBACK_MAX_SLOTS, 128u);
	/* Attached: the slots in use cannot change under the ring. */
	KUNIT_EXPECT_EQ(test, usbback_ring_set_slots(&f->r, rq, 16), -EBUSY);
	usbback_ring_detach(&f->r);
	KUNIT_EXPECT_EQ(test, usbback_ring_set_slots(&f->r, NULL, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_ring_set_slots(&f->r, rq, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbback_ring_set_slots(&f->r, rq,
						     USBBACK_MAX_SLOTS + 1),
			-EINVAL);
	/* A request in flight keeps its slot: no new table. */
	f->r.nr_inflight = 1;
	KUNIT_EXPECT_EQ(test, usbback_ring_set_slots(&f->r, rq, 32), -EBUSY);
	f->r.nr_inflight = 0;
	KUNIT_EXPECT_EQ(test, usbback_ring_set_slots(&f->r, rq,
						     USBBACK_MAX_SLOTS), 0);
	KUNIT_EXPECT_EQ(test, f->r.nr_slots, USBBACK_MAX_SLOTS);
	KUNIT_EXPECT_EQ(test, rq[USBBACK_MAX_SLOTS - 1].index,
			USBBACK_MAX_SLOTS - 1);
}

/* A ring bigger than the slots, or of an order beyond 3, is refused. */
static void ring_attach_order_rules(struct kunit *test)
{
	struct fake *f = fake_new(test);

	usbback_ring_detach(&f->r);
	/* 16 slots: an 8-page ring's 128 requests would not fit. */
	KUNIT_EXPECT_EQ(test, usbback_ring_attach(&f->r, f->urb_page,
						  f->conn_page, 3), -EINVAL);
	KUNIT_EXPECT_FALSE(test, f->r.mapped);
	KUNIT_EXPECT_EQ(test, usbback_ring_attach(&f->r, f->urb_page,
						  f->conn_page,
						  XENUSB_MAX_RING_PAGE_ORDER + 1),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, f->r.mapped);
	KUNIT_EXPECT_EQ(test, usbback_ring_attach(&f->r, f->urb_page,
						  f->conn_page, 0), 0);
	KUNIT_EXPECT_EQ(test, RING_SIZE(&f->r.urb), 16u);
}

/*
 * The producer overflow check of an 8-page ring uses its size, 128: 17
 * requests (more than one page holds) are no overflow, 129 are.
 */
static void ring_deep_producer_overflow(struct kunit *test)
{
	struct fake *f = fake_new_order(test, 3);

	KUNIT_EXPECT_EQ(test, RING_SIZE(&f->r.urb), 128u);
	KUNIT_EXPECT_EQ(test, XENUSB_URB_RING_SIZE_ORDER(3), 128u);
	/* 17 empty (malformed) requests: each answered, none fatal. */
	f->urb.sring->req_prod = 17;
	usbback_ring_consume(&f->r);
	KUNIT_EXPECT_EQ(test, f->fatals, 0u);
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 17u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);

	f = fake_new_order(test, 3);
	f->urb.sring->req_prod = RING_SIZE(&f->urb) + 1;
	KUNIT_EXPECT_FALSE(test, usbback_ring_consume(&f->r));
	KUNIT_EXPECT_EQ(test, f->fatals, 1u);
	KUNIT_EXPECT_STREQ(test, f->last_fatal, "urb ring producer overflow");
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 0u);
}

/*
 * A full 8-page ring: 128 requests, ids 0..127, all held by the device at
 * once (the high-water mark says so); all answered, every slot free.
 */
static void ring_deep_full(struct kunit *test)
{
	struct fake *f = fake_new_order(test, 3);
	struct xenusb_urb_response rsp;
	unsigned int i, n = 0;

	for (i = 0; i < 128; i++)
		one_seg(fake_post(f, i, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	KUNIT_EXPECT_TRUE(test, RING_FULL(&f->urb));
	fake_push(f);
	usbback_ring_consume(&f->r);
	KUNIT_EXPECT_EQ(test, f->fatals, 0u);
	KUNIT_ASSERT_EQ(test, f->submits, 128u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 128u);
	KUNIT_EXPECT_EQ(test, f->r.max_inflight, 128u);
	for (i = 0; i < f->r.nr_slots; i++) {
		KUNIT_EXPECT_TRUE(test, f->r.rq[i].in_use);
		usbback_ring_respond(&f->r, &f->r.rq[i], XENUSB_STATUS_OK, 512,
				     0, 0);
	}
	while (fake_rsp(f, &rsp)) {
		KUNIT_EXPECT_EQ(test, rsp.status, XENUSB_STATUS_OK);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 128u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);
	KUNIT_EXPECT_EQ(test, f->r.max_inflight, 128u);
}

static void ring_empty_consumes_nothing(struct kunit *test)
{
	struct fake *f = fake_new(test);

	KUNIT_EXPECT_FALSE(test, usbback_ring_consume(&f->r));
	KUNIT_EXPECT_EQ(test, f->submits + f->notifies + f->fatals, 0u);
}

static void ring_malformed_answered_inval(struct kunit *test)
{
	struct fake *f = fake_new(test);

	fake_post(f, 7, 0, 1, XENUSB_PIPE_TYPE_BULK, true);	/* port 0 */
	fake_push(f);
	KUNIT_EXPECT_TRUE(test, usbback_ring_consume(&f->r));
	expect_rsp(test, f, 7, XENUSB_STATUS_INVAL);
	KUNIT_EXPECT_EQ(test, f->bads, 1u);
	KUNIT_EXPECT_EQ(test, f->submits, 0u);
	KUNIT_EXPECT_EQ(test, f->notifies, 1u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 1u);
}

static void ring_no_device_answered_nodev(struct kunit *test)
{
	struct fake *f = fake_new(test);

	one_seg(fake_post(f, 3, 2, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	/* devnum 9 was never assigned on port 1 */
	one_seg(fake_post(f, 4, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	RING_GET_REQUEST(&f->urb, 1)->pipe |= 9 << XENUSB_PIPE_DEV_SHIFT;
	fake_push(f);
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 3, XENUSB_STATUS_NODEV);
	expect_rsp(test, f, 4, XENUSB_STATUS_NODEV);
	KUNIT_EXPECT_EQ(test, f->submits, 0u);
	KUNIT_EXPECT_EQ(test, f->bads, 0u);
}

static void ring_endpoint_not_in_view(struct kunit *test)
{
	struct fake *f = fake_new(test);

	one_seg(fake_post(f, 3, 1, 3, XENUSB_PIPE_TYPE_BULK, true), 512);
	fake_push(f);
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 3, XENUSB_STATUS_INVAL);
	KUNIT_EXPECT_EQ(test, f->bads, 1u);
	KUNIT_EXPECT_EQ(test, f->submits, 0u);
}

static void ring_submit_then_respond(struct kunit *test)
{
	struct fake *f = fake_new(test);
	struct xenusb_urb_response rsp;
	struct usbback_rq *rq;

	one_seg(fake_post(f, 11, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	fake_push(f);
	KUNIT_EXPECT_TRUE(test, usbback_ring_consume(&f->r));
	KUNIT_ASSERT_EQ(test, f->submits, 1u);
	rq = f->last_rq;
	KUNIT_EXPECT_EQ(test, rq->req.id, 11);
	KUNIT_EXPECT_EQ(test, rq->port, 1);
	KUNIT_EXPECT_EQ(test, rq->req.length, 512u);
	KUNIT_EXPECT_EQ(test, rq->seg[0].gref, 5u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 1u);
	expect_no_rsp(test, f);

	usbback_ring_respond(&f->r, rq, XENUSB_STATUS_OK, 100, 0, 0);
	KUNIT_ASSERT_TRUE(test, fake_rsp(f, &rsp));
	KUNIT_EXPECT_EQ(test, rsp.id, 11);
	KUNIT_EXPECT_EQ(test, rsp.status, XENUSB_STATUS_OK);
	KUNIT_EXPECT_EQ(test, rsp.actual_length, 100);
	KUNIT_EXPECT_FALSE(test, rq->in_use);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);
	KUNIT_EXPECT_EQ(test, f->responded, 1u);

	/* Answered once: a second response is not pushed. */
	usbback_ring_respond(&f->r, rq, XENUSB_STATUS_OK, 100, 0, 0);
	expect_no_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->responded, 1u);
}

static void ring_duplicate_id_is_fatal(struct kunit *test)
{
	struct fake *f = fake_new(test);

	one_seg(fake_post(f, 9, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	one_seg(fake_post(f, 9, 1, 2, XENUSB_PIPE_TYPE_BULK, false), 512);
	one_seg(fake_post(f, 10, 1, 2, XENUSB_PIPE_TYPE_BULK, false), 512);
	fake_push(f);
	usbback_ring_consume(&f->r);
	KUNIT_EXPECT_EQ(test, f->fatals, 1u);
	KUNIT_EXPECT_STREQ(test, f->last_fatal, "duplicate request id");
	KUNIT_EXPECT_TRUE(test, f->r.fatal);
	/* The duplicate stays on the ring, nothing after it is taken. */
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 1u);
	KUNIT_EXPECT_EQ(test, f->submits, 1u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 1u);
	/* Latched: the consumer takes nothing more. */
	KUNIT_EXPECT_FALSE(test, usbback_ring_consume(&f->r));
	KUNIT_EXPECT_EQ(test, f->fatals, 1u);
}

static void ring_producer_overflow_is_fatal(struct kunit *test)
{
	struct fake *f = fake_new(test);

	f->urb.sring->req_prod = RING_SIZE(&f->urb) + 1;
	KUNIT_EXPECT_FALSE(test, usbback_ring_consume(&f->r));
	KUNIT_EXPECT_EQ(test, f->fatals, 1u);
	KUNIT_EXPECT_STREQ(test, f->last_fatal, "urb ring producer overflow");
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 0u);
	KUNIT_EXPECT_EQ(test, f->submits, 0u);
	/* A new attach forgets the latch. */
	f->urb.sring->req_prod = 0;
	fake_attach(f);
	KUNIT_EXPECT_FALSE(test, f->r.fatal);
}

static void ring_nomem_leaves_request_on_ring(struct kunit *test)
{
	struct fake *f = fake_new(test);

	one_seg(fake_post(f, 1, 1, 2, XENUSB_PIPE_TYPE_BULK, false), 512);
	fake_push(f);
	f->submit_ret = -ENOMEM;
	KUNIT_EXPECT_FALSE(test, usbback_ring_consume(&f->r));
	KUNIT_EXPECT_EQ(test, f->retries, 1u);
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 0u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);
	expect_no_rsp(test, f);
	/* The retry takes the same request. */
	f->submit_ret = 0;
	KUNIT_EXPECT_TRUE(test, usbback_ring_consume(&f->r));
	KUNIT_EXPECT_EQ(test, f->submits, 2u);
	KUNIT_EXPECT_EQ(test, f->r.urb.req_cons, 1u);
	KUNIT_EXPECT_EQ(test, f->last_rq->req.id, 1);
}

static void ring_unlink_found_and_not(struct kunit *test)
{
	struct fake *f = fake_new(test);
	struct xenusb_urb_request *req;

	one_seg(fake_post(f, 20, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	req = fake_post(f, 21, 1, 0, XENUSB_PIPE_TYPE_BULK, false);
	req->pipe |= XENUSB_PIPE_UNLINK;
	req->u.unlink.unlink_id = 20;
	req = fake_post(f, 22, 1, 0, XENUSB_PIPE_TYPE_BULK, false);
	req->pipe |= XENUSB_PIPE_UNLINK;
	req->u.unlink.unlink_id = 99;
	fake_push(f);
	f->hold_ret = true;
	usbback_ring_consume(&f->r);
	KUNIT_EXPECT_EQ(test, f->holds, 1u);
	KUNIT_EXPECT_EQ(test, f->unlinks, 1u);
	expect_rsp(test, f, 21, XENUSB_STATUS_OK);
	expect_rsp(test, f, 22, -ENOENT);
	/* The victim answers for itself. */
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 1u);
}

static void ring_unlink_of_victim_without_transfer(struct kunit *test)
{
	struct fake *f = fake_new(test);
	struct xenusb_urb_request *req;

	one_seg(fake_post(f, 20, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	req = fake_post(f, 21, 1, 0, XENUSB_PIPE_TYPE_BULK, false);
	req->pipe |= XENUSB_PIPE_UNLINK;
	req->u.unlink.unlink_id = 20;
	fake_push(f);
	f->hold_ret = false;
	usbback_ring_consume(&f->r);
	KUNIT_EXPECT_EQ(test, f->holds, 1u);
	KUNIT_EXPECT_EQ(test, f->unlinks, 0u);
	expect_rsp(test, f, 21, -ENOENT);
}

static void ring_set_address_local(struct kunit *test)
{
	struct fake *f = fake_new(test);

	fake_post_ctrl(f, 1, USB_DIR_OUT, USB_REQ_SET_ADDRESS, 5, 0);
	fake_post_ctrl(f, 2, USB_DIR_OUT, USB_REQ_SET_ADDRESS, 200, 0);
	fake_push(f);
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 1, XENUSB_STATUS_OK);
	expect_rsp(test, f, 2, XENUSB_STATUS_INVAL);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&f->r.addr, 1, 5), 1);
	KUNIT_EXPECT_EQ(test, f->controls + f->submits, 0u);
}

static void ring_set_configuration(struct kunit *test)
{
	struct fake *f = fake_new(test);

	/* 0 stays in the guest; 1 goes to the implementer, answered later */
	fake_post_ctrl(f, 1, USB_DIR_OUT, USB_REQ_SET_CONFIGURATION, 0, 0);
	fake_post_ctrl(f, 2, USB_DIR_OUT, USB_REQ_SET_CONFIGURATION, 1, 0);
	fake_push(f);
	f->control_ret = USBBACK_CTRL_PENDING;
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 1, XENUSB_STATUS_OK);
	expect_no_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->controls, 1u);
	KUNIT_EXPECT_EQ(test, f->last_kind, USBBACK_CTRL_SET_CONFIGURATION);
	KUNIT_EXPECT_EQ(test, f->last_value, 1);
	KUNIT_EXPECT_TRUE(test, f->last_rq->dispatched);
	usbback_ring_respond(&f->r, f->last_rq, XENUSB_STATUS_OK, 0, 0, 0);
	expect_rsp(test, f, 2, XENUSB_STATUS_OK);
}

static void ring_control_status_answered(struct kunit *test)
{
	struct fake *f = fake_new(test);

	fake_post_ctrl(f, 4, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, 1, 0);
	fake_push(f);
	f->control_ret = XENUSB_STATUS_STALL;
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 4, XENUSB_STATUS_STALL);
	KUNIT_EXPECT_EQ(test, f->last_kind, USBBACK_CTRL_SET_INTERFACE);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);
}

static void ring_control_pass_is_submitted(struct kunit *test)
{
	struct fake *f = fake_new(test);

	fake_post_ctrl(f, 4, USB_DIR_OUT | USB_TYPE_VENDOR, 0x5b, 0, 0);
	fake_push(f);
	usbback_ring_consume(&f->r);
	KUNIT_EXPECT_EQ(test, f->controls, 0u);
	KUNIT_EXPECT_EQ(test, f->submits, 1u);
}

static void ring_respond_detached_not_pushed(struct kunit *test)
{
	struct fake *f = fake_new(test);
	struct usbback_rq *rq;

	one_seg(fake_post(f, 11, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	fake_push(f);
	usbback_ring_consume(&f->r);
	rq = f->last_rq;
	KUNIT_EXPECT_EQ(test, usbback_ring_detach(&f->r), 1u);
	KUNIT_EXPECT_FALSE(test, usbback_ring_consume(&f->r));
	usbback_ring_respond(&f->r, rq, XENUSB_STATUS_OK, 0, 0, 0);
	expect_no_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->responded, 1u);
	KUNIT_EXPECT_EQ(test, f->r.nr_inflight, 0u);
	KUNIT_EXPECT_EQ(test, f->notifies, 0u);
}

static void ring_slot_wait_kicks_on_response(struct kunit *test)
{
	struct fake *f = fake_new(test);
	struct usbback_rq *rq;
	unsigned int act;

	one_seg(fake_post(f, 11, 1, 1, XENUSB_PIPE_TYPE_BULK, true), 512);
	fake_push(f);
	usbback_ring_consume(&f->r);
	rq = f->last_rq;
	/* As the consumer does when it finds no slot free. */
	f->r.slot_wait = true;
	fake_lock(&f->r);
	act = usbback_ring_respond_locked(&f->r, rq, XENUSB_STATUS_OK, 0, 0,
					  0);
	fake_unlock(&f->r, 0x5a);
	KUNIT_EXPECT_TRUE(test, act & USBBACK_RSP_KICK);
	KUNIT_EXPECT_FALSE(test, f->r.slot_wait);
	usbback_ring_act(&f->r, act);
	KUNIT_EXPECT_EQ(test, f->kicks, 1u);
}

/* A port reset as usbfront sends it (feature-port-reset). */
static void fake_post_reset(struct fake *f, u16 id, u8 port)
{
	fake_post(f, id, port, 0, XENUSB_PIPE_TYPE_CTRL, false)
		->transfer_flags = XENUSB_PORT_RESET;
}

static void ring_port_reset(struct kunit *test)
{
	struct fake *f = fake_new(test);

	f->r.feat.val[XENUSB_FEAT_PORT_RESET] = 1;
	fake_post_ctrl(f, 1, USB_DIR_OUT, USB_REQ_SET_ADDRESS, 5, 0);
	fake_post_reset(f, 2, 1);
	fake_post_reset(f, 3, 2);	/* no device on port 2 */
	fake_push(f);
	f->control_ret = USBBACK_CTRL_PENDING;
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 1, XENUSB_STATUS_OK);
	expect_rsp(test, f, 3, XENUSB_STATUS_NODEV);
	expect_no_rsp(test, f);
	KUNIT_ASSERT_EQ(test, f->controls, 1u);
	KUNIT_EXPECT_EQ(test, f->last_kind, USBBACK_CTRL_PORT_RESET);
	KUNIT_EXPECT_EQ(test, f->last_rq->port, 1);
	KUNIT_EXPECT_TRUE(test, f->last_rq->dispatched);
	/* The guest addresses the device again after the reset. */
	KUNIT_EXPECT_LT(test, usbback_addr_route(&f->r.addr, 1, 5), 0);
	KUNIT_EXPECT_EQ(test, usbback_addr_route(&f->r.addr, 1, 0), 1);
	usbback_ring_respond(&f->r, f->last_rq, XENUSB_STATUS_OK, 0, 0, 0);
	expect_rsp(test, f, 2, XENUSB_STATUS_OK);
	KUNIT_EXPECT_EQ(test, f->submits, 0u);
}

/* Not negotiated: refused as malformed, the device never sees it. */
static void ring_new_flags_not_negotiated(struct kunit *test)
{
	struct fake *f = fake_new(test);

	fake_post_reset(f, 1, 1);
	one_seg(fake_post(f, 2, 1, 2, XENUSB_PIPE_TYPE_BULK, false), 512);
	RING_GET_REQUEST(&f->urb, 1)->transfer_flags = XENUSB_ZERO_PACKET;
	fake_push(f);
	usbback_ring_consume(&f->r);
	expect_rsp(test, f, 1, XENUSB_STATUS_INVAL);
	expect_rsp(test, f, 2, XENUSB_STATUS_INVAL);
	KUNIT_EXPECT_EQ(test, f->bads, 2u);
	KUNIT_EXPECT_EQ(test, f->controls + f->submits + f->fatals, 0u);

	/* The same ZLP request once negotiated reaches the device. */
	f->r.feat.val[XENUSB_FEAT_ZERO_PACKET] = 1;
	one_seg(fake_post(f, 3, 1, 2, XENUSB_PIPE_TYPE_BULK, false), 512);
	RING_GET_REQUEST(&f->urb, 2)->transfer_flags = XENUSB_ZERO_PACKET;
	fake_push(f);
	usbback_ring_consume(&f->r);
	KUNIT_ASSERT_EQ(test, f->submits, 1u);
	KUNIT_EXPECT_TRUE(test, f->last_rq->req.zero_packet);
}

static struct kunit_case usbback_urb_ring_cases[] = {
	KUNIT_CASE(ring_init_bad_nports),
	KUNIT_CASE(ring_set_slots_rules),
	KUNIT_CASE(ring_attach_order_rules),
	KUNIT_CASE(ring_deep_producer_overflow),
	KUNIT_CASE(ring_deep_full),
	KUNIT_CASE(ring_empty_consumes_nothing),
	KUNIT_CASE(ring_malformed_answered_inval),
	KUNIT_CASE(ring_no_device_answered_nodev),
	KUNIT_CASE(ring_endpoint_not_in_view),
	KUNIT_CASE(ring_submit_then_respond),
	KUNIT_CASE(ring_duplicate_id_is_fatal),
	KUNIT_CASE(ring_producer_overflow_is_fatal),
	KUNIT_CASE(ring_nomem_leaves_request_on_ring),
	KUNIT_CASE(ring_unlink_found_and_not),
	KUNIT_CASE(ring_unlink_of_victim_without_transfer),
	KUNIT_CASE(ring_set_address_local),
	KUNIT_CASE(ring_set_configuration),
	KUNIT_CASE(ring_port_reset),
	KUNIT_CASE(ring_new_flags_not_negotiated),
	KUNIT_CASE(ring_control_status_answered),
	KUNIT_CASE(ring_control_pass_is_submitted),
	KUNIT_CASE(ring_respond_detached_not_pushed),
	KUNIT_CASE(ring_slot_wait_kicks_on_response),
	{}
};

static struct kunit_suite usbback_urb_ring_suite = {
	.name = "usbback_urb_ring",
	.test_cases = usbback_urb_ring_cases,
};

kunit_test_suite(usbback_urb_ring_suite);

MODULE_LICENSE("GPL");
