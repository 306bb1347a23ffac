/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording implementer of struct usbback_ring_ops for the KUnit suites
 * of usbback/urb_ring.c and usbback/conn_ring.c, with a frontend's end of
 * both rings on pages of its own.  Not a copy of the module's glue: it
 * only records what the core asks for and answers what the case says.
 */
#ifndef USBBACK_RING_FAKE_H
#define USBBACK_RING_FAKE_H

#include <kunit/test.h>
#include <linux/slab.h>

#include "core.h"

struct fake {
	struct usbback_ring r;
	struct usbback_rq *rq;
	unsigned int order;
	struct kunit *test;
	struct xenusb_urb_front_ring urb;
	struct xenusb_conn_front_ring conn;
	void *urb_page;
	void *conn_page;
	bool locked;
	struct usbback_ep_view view;
	bool has_dev[XENUSB_MAX_PORTNR + 1];
	int submit_ret;		/* what ops->submit returns */
	s32 control_ret;	/* what ops->control returns */
	bool hold_ret;		/* what ops->unlink_hold returns */
	unsigned int submits, controls, holds, unlinks, responded;
	unsigned int notifies, kicks, retries, fatals, bads;
	struct usbback_rq *last_rq;
	enum usbback_ctrl_kind last_kind;
	u16 last_value;
	const char *last_fatal;
};

static struct fake *fake_of(struct usbback_ring *r)
{
	return container_of(r, struct fake, r);
}

static unsigned long fake_lock(struct usbback_ring *r)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_FALSE(f->test, f->locked);
	f->locked = true;
	return 0x5a;
}

static void fake_unlock(struct usbback_ring *r, unsigned long flags)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_TRUE(f->test, f->locked);
	KUNIT_EXPECT_EQ(f->test, flags, 0x5aUL);
	f->locked = false;
}

static const struct usbback_ep_view *fake_device(struct usbback_ring *r,
						 u8 port)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_FALSE(f->test, f->locked);
	return f->has_dev[port] ? &f->view : NULL;
}

static int fake_submit(struct usbback_ring *r, struct usbback_rq *rq)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_FALSE(f->test, f->locked);
	KUNIT_EXPECT_TRUE(f->test, rq->in_use && rq->dispatched);
	f->submits++;
	f->last_rq = rq;
	return f->submit_ret;
}

static s32 fake_control(struct usbback_ring *r, struct usbback_rq *rq,
			enum usbback_ctrl_kind kind, u16 value, u16 index)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_FALSE(f->test, f->locked);
	f->controls++;
	f->last_rq = rq;
	f->last_kind = kind;
	f->last_value = value;
	return f->control_ret;
}

static bool fake_unlink_hold(struct usbback_ring *r, struct usbback_rq *victim,
			     struct usbback_rq *by)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_TRUE(f->test, f->locked);
	KUNIT_EXPECT_EQ(f->test, victim->req.id, by->req.unlink_id);
	f->holds++;
	return f->hold_ret;
}

static void fake_unlink(struct usbback_ring *r, struct usbback_rq *by)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_FALSE(f->test, f->locked);
	f->unlinks++;
}

static void fake_responded(struct usbback_ring *r, struct usbback_rq *rq,
			   s32 status, u32 actual)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_TRUE(f->test, f->locked);
	KUNIT_EXPECT_TRUE(f->test, rq->in_use);
	f->responded++;
}

static void fake_notify(struct usbback_ring *r)
{
	struct fake *f = fake_of(r);

	KUNIT_EXPECT_FALSE(f->test, f->locked);
	f->notifies++;
}

static void fake_kick(struct usbback_ring *r)
{
	fake_of(r)->kicks++;
}

static void fake_retry(struct usbback_ring *r)
{
	fake_of(r)->retries++;
}

static void fake_fatal(struct usbback_ring *r, const char *what)
{
	struct fake *f = fake_of(r);

	f->fatals++;
	f->last_fatal = what;
}

static void fake_bad(struct usbback_ring *r, const struct usbback_rq *rq,
		     const char *why)
{
	fake_of(r)->bads++;
}

static const struct usbback_ring_ops fake_ops = {
	.lock = fake_lock,
	.unlock = fake_unlock,
	.device = fake_device,
	.submit = fake_submit,
	.control = fake_control,
	.unlink_hold = fake_unlink_hold,
	.unlink = fake_unlink,
	.responded = fake_responded,
	.notify = fake_notify,
	.kick = fake_kick,
	.retry = fake_retry,
	.fatal = fake_fatal,
	.bad = fake_bad,
};

/* Attach both rings of @f again, the urb ring of 2^f->order pages. */
static __maybe_unused void fake_attach(struct fake *f)
{
	KUNIT_ASSERT_EQ(f->test,
			usbback_ring_attach(&f->r, f->urb_page, f->conn_page,
					    f->order), 0);
}

/*
 * A controller of 2 ports, a device on port 1 with bulk endpoints 1 IN
 * and 2 OUT, both rings attached and empty; the urb ring has 2^@order
 * pages and as many slots as it holds requests.
 */
static struct fake *fake_new_order(struct kunit *test, unsigned int order)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int nr = XENUSB_URB_RING_SIZE_ORDER(order);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->order = order;
	f->urb_page = kunit_kzalloc(test, XENUSB_PAGE_SIZE << order,
				    GFP_KERNEL);
	f->conn_page = kunit_kzalloc(test, XENUSB_PAGE_SIZE, GFP_KERNEL);
	f->rq = kunit_kcalloc(test, nr, sizeof(*f->rq), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->urb_page);
	KUNIT_ASSERT_NOT_NULL(test, f->conn_page);
	KUNIT_ASSERT_NOT_NULL(test, f->rq);
	usbback_ep_view_reset(&f->view);
	f->view.type[1][1] = XENUSB_PIPE_TYPE_BULK;
	f->view.maxp[1][1] = 512;
	f->view.type[0][2] = XENUSB_PIPE_TYPE_BULK;
	f->view.maxp[0][2] = 512;
	f->view.maxp[0][0] = 64;
	f->view.maxp[1][0] = 64;
	f->has_dev[1] = true;
	KUNIT_ASSERT_EQ(test, usbback_ring_init(&f->r, &fake_ops, 2), 0);
	KUNIT_ASSERT_EQ(test, usbback_ring_set_slots(&f->r, f->rq, nr), 0);
	SHARED_RING_INIT((struct xenusb_urb_sring *)f->urb_page);
	FRONT_RING_INIT(&f->urb, (struct xenusb_urb_sring *)f->urb_page,
			XENUSB_PAGE_SIZE << order);
	SHARED_RING_INIT((struct xenusb_conn_sring *)f->conn_page);
	FRONT_RING_INIT(&f->conn, (struct xenusb_conn_sring *)f->conn_page,
			XENUSB_PAGE_SIZE);
	fake_attach(f);
	return f;
}

static struct fake *fake_new(struct kunit *test)
{
	return fake_new_order(test, 0);
}

/* Post (not push) a request of @type to @port, endpoint @ep. */
static __maybe_unused struct xenusb_urb_request *
fake_post(struct fake *f, u16 id, u8 port, u8 ep, u8 type, bool in)
{
	struct xenusb_urb_request *req;
	struct xenusb_pipe p = {
		.port = port, .devnum = 0, .ep = ep, .type = type, .in = in,
	};

	req = RING_GET_REQUEST(&f->urb, f->urb.req_prod_pvt++);
	memset(req, 0, sizeof(*req));
	req->id = id;
	req->pipe = xenusb_pipe_encode(&p);
	return req;
}

/* A control request with no data stage. */
static __maybe_unused void fake_post_ctrl(struct fake *f, u16 id, u8 rtype,
					  u8 request, u16 value, u16 index)
{
	struct xenusb_urb_request *req = fake_post(f, id, 1, 0,
						   XENUSB_PIPE_TYPE_CTRL,
						   false);

	req->u.ctrl[0] = rtype;
	req->u.ctrl[1] = request;
	req->u.ctrl[2] = value & 0xff;
	req->u.ctrl[3] = value >> 8;
	req->u.ctrl[4] = index & 0xff;
	req->u.ctrl[5] = index >> 8;
}

static __maybe_unused void fake_push(struct fake *f)
{
	RING_PUSH_REQUESTS(&f->urb);
}

/* The next response the frontend sees; false if there is none. */
static __maybe_unused bool fake_rsp(struct fake *f, struct xenusb_urb_response *out)
{
	if (f->urb.rsp_cons == f->urb.sring->rsp_prod)
		return false;
	*out = *RING_GET_RESPONSE(&f->urb, f->urb.rsp_cons++);
	return true;
}

#endif /* USBBACK_RING_FAKE_H */
