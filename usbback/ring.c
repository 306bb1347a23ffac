// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the rings' glue.  Maps the frontend's rings, binds the event
 * channel and runs the protocol core's ring code (urb_ring.c,
 * conn_ring.c) in a work item, over the operations below: the core
 * decides, this file and the files it dispatches to (urb.c, ctrl.c) do
 * the Xen and usb-core calls.
 *
 * Requests are taken in process context, not in the interrupt handler
 * (submitting may sleep: memory, usb-core control calls): the handler
 * only records that an event needs its late EOI and wakes the consumer,
 * which EOIs once it has looked at both rings (spurious if it found
 * nothing to do, so that Xen can throttle an event storm).  The consumer
 * is, as the dispatch parameter says, the controller's ring work on
 * usbback_wq or the controller's own kernel thread, which exists while
 * the rings are connected and is woken straight from the handler (no
 * workqueue in between, as blkback does).  Both run usbback_ring_run()
 * under req_mutex; the back-pressure retry is always the delayed work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <xen/events.h>

#include "common.h"
#include "trace.h"

static inline struct usbback_ctrlr *usbback_ctrlr_of(struct usbback_ring *r)
{
	return container_of(r, struct usbback_ctrlr, ring);
}

static inline struct usbback_slot *usbback_slot_of(struct usbback_ring *r,
						   struct usbback_rq *rq)
{
	return &usbback_ctrlr_of(r)->slot[rq->index];
}

static unsigned long usbback_op_lock(struct usbback_ring *r)
	__acquires(&usbback_ctrlr_of(r)->rsp_lock)
{
	unsigned long flags;

	spin_lock_irqsave(&usbback_ctrlr_of(r)->rsp_lock, flags);
	return flags;
}

static void usbback_op_unlock(struct usbback_ring *r, unsigned long flags)
	__releases(&usbback_ctrlr_of(r)->rsp_lock)
{
	spin_unlock_irqrestore(&usbback_ctrlr_of(r)->rsp_lock, flags);
}

/* Under req_mutex (the work below). */
static const struct usbback_ep_view *
usbback_op_device(struct usbback_ring *r, u8 port)
{
	struct usbback_dev *dev = usbback_ctrlr_of(r)->port[port].dev;

	return dev ? &dev->view : NULL;
}

/* Route the slot's request to the port's device: a reference for it. */
static struct usbback_dev *usbback_slot_take_dev(struct usbback_slot *s)
{
	struct usbback_dev *dev = s->ctrlr->port[s->rq->port].dev;

	usbback_dev_get(dev);
	s->dev = dev;
	s->urb = NULL;
	s->mapped = false;
	dev->used = true;	/* see usbback_port_kill() */
	return dev;
}

static int usbback_op_submit(struct usbback_ring *r, struct usbback_rq *rq)
{
	struct usbback_ctrlr *c = usbback_ctrlr_of(r);
	struct usbback_slot *s = usbback_slot_of(r, rq);
	struct usbback_dev *dev;
	int err;

	trace_usbback_request(c->xdev->otherend_id, c->devid, rq->req.id,
			      xenusb_pipe_encode(&rq->req.pipe));
	dev = usbback_slot_take_dev(s);
	trace_usbback_submit(c->xdev->otherend_id, c->devid, rq->port,
			     rq->req.id, xenusb_pipe_encode(&rq->req.pipe),
			     rq->req.length);
	err = usbback_urb_submit(s);
	if (err == -ENOMEM) {
		s->dev = NULL;
		usbback_dev_put(dev);
	}
	return err;
}

/*
 * The descriptors of an indirect request, grant-copied once out of its
 * indirect pages into the slot's private segment array: the core checks
 * that copy, never the guest's pages.
 */
static int usbback_op_indirect(struct usbback_ring *r, struct usbback_rq *rq)
{
	return usbback_copy_segs(usbback_slot_of(r, rq), rq->ind,
				 rq->req.nr_ind_segs, rq->seg,
				 rq->req.nr_data_segs *
				 XENUSB_INDIRECT_DESC_SIZE, false, false);
}

static s32 usbback_op_control(struct usbback_ring *r, struct usbback_rq *rq,
			      enum usbback_ctrl_kind kind, u16 value, u16 index)
{
	struct usbback_slot *s = usbback_slot_of(r, rq);
	struct usbback_dev *dev = usbback_slot_take_dev(s);
	s32 status;

	status = usbback_ctrl(s, kind, value, index);
	if (status != USBBACK_CTRL_PENDING) {
		/* Answered by the core: nothing of it stays with us. */
		s->dev = NULL;
		usbback_dev_put(dev);
	}
	return status;
}

static bool usbback_op_unlink_hold(struct usbback_ring *r,
				   struct usbback_rq *victim,
				   struct usbback_rq *by)
{
	return usbback_urb_unlink_hold(usbback_slot_of(r, victim),
				       usbback_slot_of(r, by));
}

static void usbback_op_unlink(struct usbback_ring *r, struct usbback_rq *by)
{
	usbback_urb_unlink(usbback_slot_of(r, by));
}

static void usbback_op_notify(struct usbback_ring *r)
{
	notify_remote_via_irq(usbback_ctrlr_of(r)->irq);
}

static void usbback_op_kick(struct usbback_ring *r)
{
	usbback_ring_kick(usbback_ctrlr_of(r));
}

static void usbback_op_retry(struct usbback_ring *r)
{
	mod_delayed_work(usbback_wq, &usbback_ctrlr_of(r)->ring_work,
			 msecs_to_jiffies(usbback_retry_ms));
}

/*
 * The frontend broke the ring protocol: no request is taken any more, and
 * the device moves to Closing through xenbus_dev_fatal().
 */
static void usbback_op_fatal(struct usbback_ring *r, const char *what)
{
	struct usbback_ctrlr *c = usbback_ctrlr_of(r);

	dev_err_ratelimited(&c->xdev->dev,
			    "dom%d: %s (urb ring: consumer %u, responses %u)\n",
			    c->xdev->otherend_id, what, r->urb.req_cons,
			    r->urb.rsp_prod_pvt);
	xenbus_dev_fatal(c->xdev, -EPROTO, "dom%d: %s", c->xdev->otherend_id,
			 what);
}

static void usbback_op_bad(struct usbback_ring *r, const struct usbback_rq *rq,
			   const char *why)
{
	struct usbback_ctrlr *c = usbback_ctrlr_of(r);

	dev_warn_ratelimited(&c->xdev->dev,
			     "dom%d: request %u (pipe port %u dev %u ep %u type %u): %s\n",
			     c->xdev->otherend_id, rq->req.id, rq->req.pipe.port,
			     rq->req.pipe.devnum, rq->req.pipe.ep,
			     rq->req.pipe.type, why);
}

static const struct usbback_ring_ops usbback_ring_ops = {
	.lock = usbback_op_lock,
	.unlock = usbback_op_unlock,
	.device = usbback_op_device,
	.submit = usbback_op_submit,
	.indirect = usbback_op_indirect,
	.control = usbback_op_control,
	.unlink_hold = usbback_op_unlink_hold,
	.unlink = usbback_op_unlink,
	.responded = usbback_responded,
	.notify = usbback_op_notify,
	.kick = usbback_op_kick,
	.retry = usbback_op_retry,
	.fatal = usbback_op_fatal,
	.bad = usbback_op_bad,
};

static void usbback_ring_work(struct work_struct *work);

/**
 * usbback_ctrlr_init() - set up the request machinery of a new controller
 * @c: controller, zeroed, with its nports read
 *
 * Return: 0, or -EINVAL for a bad nports.
 */
int usbback_ctrlr_init(struct usbback_ctrlr *c)
{
	unsigned int i;

	mutex_init(&c->req_mutex);
	spin_lock_init(&c->rsp_lock);
	INIT_LIST_HEAD(&c->done);
	INIT_DELAYED_WORK(&c->ring_work, usbback_ring_work);
	init_waitqueue_head(&c->ring_wait);
	INIT_WORK(&c->done_work, usbback_urb_done_work);
	for (i = 0; i <= XENUSB_MAX_PORTNR; i++)
		init_usb_anchor(&c->port[i].anchor);
	return usbback_ring_init(&c->ring, &usbback_ring_ops, c->nports);
}

/**
 * usbback_slots_free() - give back the slot tables of a controller
 * @c: controller, disconnected, no request in flight
 */
void usbback_slots_free(struct usbback_ctrlr *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_slots; i++)
		usbback_slot_free_buffers(&c->slot[i]);
	kvfree(c->slot);
	kvfree(c->rq);
	c->slot = NULL;
	c->rq = NULL;
	c->nr_slots = 0;
}

/*
 * One slot per request the urb ring of 2^@order pages holds, for the
 * core (struct usbback_rq) and for us (struct usbback_slot): a one-page
 * ring keeps the 16 slots it always had. Kept across reconnects of the
 * same size; their copy buffers and map pages grow lazily per slot.
 */
static int usbback_slots_size(struct usbback_ctrlr *c, unsigned int order)
{
	unsigned int i, nr = XENUSB_URB_RING_SIZE_ORDER(order);
	struct usbback_slot *slot;
	struct usbback_rq *rq;
	int err;

	BUILD_BUG_ON(USBBACK_MAX_SLOTS > U16_MAX);
	if (nr == c->nr_slots)
		return 0;
	if (c->ring.nr_inflight)
		return -EBUSY;
	slot = kvcalloc(nr, sizeof(*slot), GFP_KERNEL);
	rq = kvcalloc(nr, sizeof(*rq), GFP_KERNEL);
	if (!slot || !rq) {
		kvfree(slot);
		kvfree(rq);
		return -ENOMEM;
	}
	mutex_lock(&c->req_mutex);
	err = usbback_ring_set_slots(&c->ring, rq, nr);
	mutex_unlock(&c->req_mutex);
	if (err) {
		kvfree(slot);
		kvfree(rq);
		return err;
	}
	usbback_slots_free(c);
	for (i = 0; i < nr; i++) {
		slot[i].ctrlr = c;
		slot[i].rq = &rq[i];
		INIT_LIST_HEAD(&slot[i].node);
		INIT_WORK(&slot[i].cfg_work, usbback_claim_cfg_work);
		INIT_WORK(&slot[i].reset_work, usbback_claim_reset_work);
	}
	c->slot = slot;
	c->rq = rq;
	c->nr_slots = nr;
	return 0;
}

/**
 * usbback_ring_kick() - have the consumer look at the rings soon
 * @c: controller
 *
 * Any context.  With dispatch=thread the ring thread is woken while it
 * runs; otherwise (and while the rings are not connected) the ring work
 * is queued.  The wake bit is set before the wake-up and cleared by the
 * thread before it looks at the rings, so a kick during a pass makes
 * another pass: none is lost.
 */
void usbback_ring_kick(struct usbback_ctrlr *c)
{
	if (READ_ONCE(usbback_dispatch) == USBBACK_DISPATCH_THREAD &&
	    READ_ONCE(c->thread_on)) {
		set_bit(USBBACK_RING_WAKE, &c->flags);
		wake_up(&c->ring_wait);
		return;
	}
	mod_delayed_work(usbback_wq, &c->ring_work, 0);
}

static irqreturn_t usbback_irq(int irq, void *data)
{
	struct usbback_ctrlr *c = data;

	/*
	 * The handler can run inside the bind call, before c->irq is
	 * assigned (an event the frontend sent earlier is pending): the EOI
	 * uses the number it was called with.
	 */
	WRITE_ONCE(c->eoi_irq, irq);
	trace_usbback_event(c->xdev->otherend_id, c->devid);
	set_bit(USBBACK_EOI_PENDING, &c->flags);
	usbback_ring_kick(c);
	return IRQ_HANDLED;
}

/*
 * One pass of the consumer: conn events and requests, then the late EOI
 * of the event that woke it, if one is pending.
 */
static void usbback_ring_run(struct usbback_ctrlr *c)
{
	bool did = false;

	mutex_lock(&c->req_mutex);
	if (c->connected)
		did = usbback_ring_consume(&c->ring);
	mutex_unlock(&c->req_mutex);

	if (test_and_clear_bit(USBBACK_EOI_PENDING, &c->flags))
		xen_irq_lateeoi(READ_ONCE(c->eoi_irq),
				did ? 0 : XEN_EOI_FLAG_SPURIOUS);
}

static void usbback_ring_work(struct work_struct *work)
{
	usbback_ring_run(container_of(to_delayed_work(work),
				      struct usbback_ctrlr, ring_work));
}

static int usbback_ring_thread(void *data)
{
	struct usbback_ctrlr *c = data;

	for (;;) {
		wait_event_interruptible(c->ring_wait,
					 test_and_clear_bit(USBBACK_RING_WAKE,
							    &c->flags) ||
					 kthread_should_stop());
		if (kthread_should_stop())
			return 0;
		/* Responses first: they free slots the requests may need. */
		usbback_urb_done(c);
		usbback_ring_run(c);
	}
}

/* Set thread_on under rsp_lock, where completions read it. */
static void usbback_ring_thread_on(struct usbback_ctrlr *c, bool on)
{
	unsigned long flags;

	spin_lock_irqsave(&c->rsp_lock, flags);
	WRITE_ONCE(c->thread_on, on);
	spin_unlock_irqrestore(&c->rsp_lock, flags);
}

/*
 * Stop the ring thread: kicks go to the ring work and completions to the
 * done work from now on.  Completions the thread was woken for but did
 * not answer are answered here.
 */
static void usbback_ring_thread_stop(struct usbback_ctrlr *c)
{
	if (!c->ring_thread)
		return;
	usbback_ring_thread_on(c, false);
	kthread_stop(c->ring_thread);
	c->ring_thread = NULL;
	clear_bit(USBBACK_RING_WAKE, &c->flags);
	usbback_urb_done(c);
}

/**
 * usbback_ring_connect() - map the frontend's rings and bind its event
 * channel
 * @c: controller
 * @urb_refs: grants of the urb ring's 2^@order pages
 * @order: the negotiated ring-page-order, already checked against our
 *	max-ring-page-order
 * @conn_ref: grant of the conn ring page
 * @evtchn: the frontend's event channel port
 *
 * Every port that holds a device is then reported on the conn ring.
 *
 * Return: 0 or a negative errno (already reported with xenbus_dev_fatal).
 */
int usbback_ring_connect(struct usbback_ctrlr *c, grant_ref_t *urb_refs,
			 unsigned int order, grant_ref_t conn_ref,
			 evtchn_port_t evtchn)
{
	struct xenbus_device *xdev = c->xdev;
	void *urb_va, *conn_va;
	int err;

	err = usbback_slots_size(c, order);
	if (err) {
		xenbus_dev_fatal(xdev, err, "allocating %u request slots",
				 XENUSB_URB_RING_SIZE_ORDER(order));
		return err;
	}
	/* The 2^order pages are mapped as one virtually contiguous ring. */
	err = xenbus_map_ring_valloc(xdev, urb_refs, 1u << order, &urb_va);
	if (err)
		return err;	/* xenbus reported it */
	err = xenbus_map_ring_valloc(xdev, &conn_ref, 1, &conn_va);
	if (err)
		goto err_urb;

	/* Not yet connected: the ring work leaves the rings alone. */
	mutex_lock(&c->req_mutex);
	err = usbback_ring_attach(&c->ring, urb_va, conn_va, order);
	mutex_unlock(&c->req_mutex);
	if (err) {
		xenbus_dev_fatal(xdev, err, "attaching a ring of order %u",
				 order);
		goto err_conn_unmap;
	}
	c->ring_order = order;

	/* The handler may wake it as soon as the event channel is bound. */
	c->ring_thread = kthread_run(usbback_ring_thread, c, "usbback.%d.%u",
				     xdev->otherend_id, c->devid);
	if (IS_ERR(c->ring_thread)) {
		err = PTR_ERR(c->ring_thread);
		c->ring_thread = NULL;
		xenbus_dev_fatal(xdev, err, "starting the ring thread");
		goto err_conn;
	}
	usbback_ring_thread_on(c, true);

	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, evtchn,
							    usbback_irq, 0,
							    "usbback", c);
	if (err < 0) {
		xenbus_dev_fatal(xdev, err, "binding event channel %u", evtchn);
		goto err_thread;
	}
	c->irq = err;

	mutex_lock(&c->req_mutex);
	c->connected = true;
	mutex_unlock(&c->req_mutex);

	dev_info(&xdev->dev, "dom%d controller %u connected (evtchn %u, urb ring %u pages, %u slots)\n",
		 xdev->otherend_id, c->devid, evtchn, 1u << order,
		 c->nr_slots);
	/* Replay the ports and pick up requests posted before the bind. */
	usbback_ring_kick(c);
	return 0;

err_thread:
	usbback_ring_thread_stop(c);
	cancel_delayed_work_sync(&c->ring_work);
	clear_bit(USBBACK_EOI_PENDING, &c->flags);
err_conn:
	mutex_lock(&c->req_mutex);
	usbback_ring_detach(&c->ring);
	mutex_unlock(&c->req_mutex);
err_conn_unmap:
	xenbus_unmap_ring_vfree(xdev, conn_va);
err_urb:
	xenbus_unmap_ring_vfree(xdev, urb_va);
	return err;
}

/*
 * Kill the URBs of a port at disconnect.  Transfers cut short this way
 * leave the device mid-transfer (a mass-storage device expects the rest
 * of a command, and stalls the next one), while the next frontend sees it
 * as newly plugged and expects it fresh from a port reset, which the
 * protocol cannot carry to the device.  So a device the guest used is
 * reset here.
 * No new URB is submitted: the controller no longer admits requests.
 */
static void usbback_port_kill(struct usbback_ctrlr *c, unsigned int port)
{
	struct usbback_port *p = &c->port[port];
	struct usbback_dev *d;
	bool reset = false;

	mutex_lock(&c->req_mutex);
	d = p->dev;
	if (d) {
		/*
		 * Not only when URBs are in flight: a mass-storage command
		 * spans several URBs, and the disconnect may fall between
		 * two of them (seen in e2e reconnect-restart).  Any device
		 * the guest drove since it was presented is reset.
		 */
		reset = d->used || !usb_anchor_empty(&p->anchor);
		d->used = false;
		usbback_dev_get(d);
	}
	mutex_unlock(&c->req_mutex);
	usb_kill_anchored_urbs(&p->anchor);
	if (!d)
		return;
	if (reset)
		usbback_dev_queue_reset(d);
	usbback_dev_put(d);
}

/**
 * usbback_ring_disconnect() - stop, cancel everything, unmap
 * @c: controller
 *
 * Needs no help from the frontend: every host URB is killed, its
 * response pushed (harmless if nobody reads it), then the rings are
 * unmapped and the event channel closed.  Idempotent.  Called under
 * state_mutex.
 */
void usbback_ring_disconnect(struct usbback_ctrlr *c)
{
	struct xenbus_device *xdev = c->xdev;
	void *urb_va, *conn_va;
	unsigned int i, n;

	mutex_lock(&c->req_mutex);
	if (!c->connected && !c->ring.mapped) {
		mutex_unlock(&c->req_mutex);
		return;
	}
	c->connected = false;	/* no new request is admitted */
	mutex_unlock(&c->req_mutex);

	if (c->irq)
		disable_irq(c->irq);
	/* Waits for a pass in progress; later kicks queue the ring work. */
	usbback_ring_thread_stop(c);
	cancel_delayed_work_sync(&c->ring_work);
	clear_bit(USBBACK_EOI_PENDING, &c->flags);

	for (i = 1; i <= c->nports; i++)
		usbback_port_kill(c, i);
	flush_work(&c->done_work);
	/*
	 * A configuration change answers once the device is configured, a
	 * port reset once the device is back.
	 */
	for (i = 0; i < c->nr_slots; i++) {
		flush_work(&c->slot[i].cfg_work);
		flush_work(&c->slot[i].reset_work);
	}

	mutex_lock(&c->req_mutex);
	urb_va = c->ring.urb.sring;
	conn_va = c->ring.conn.sring;
	n = usbback_ring_detach(&c->ring);
	mutex_unlock(&c->req_mutex);
	if (n)
		dev_err(&xdev->dev, "%u requests still in flight\n", n);

	if (c->irq) {
		unbind_from_irqhandler(c->irq, c);
		c->irq = 0;
	}
	/* A ring work queued by the last response must not see the rings. */
	cancel_delayed_work_sync(&c->ring_work);

	if (conn_va)
		xenbus_unmap_ring_vfree(xdev, conn_va);
	if (urb_va)
		xenbus_unmap_ring_vfree(xdev, urb_va);

	for (i = 0; i < c->nr_slots; i++)
		usbback_slot_free_buffers(&c->slot[i]);
	dev_info(&xdev->dev, "dom%d controller %u disconnected\n",
		 xdev->otherend_id, c->devid);
}
