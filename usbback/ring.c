// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the urb ring.  Maps the frontend's rings, binds the event
 * channel, copies each request off the ring exactly once, validates it
 * with the protocol core and hands it to urb.c or ctrl.c; pushes the
 * responses.
 *
 * Requests are taken in a work item, not in the interrupt handler: the
 * handler only records that an event needs its late EOI and queues the
 * work, which EOIs once it has looked at both rings (spurious if it found
 * nothing to do, so that Xen can throttle an event storm).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/ratelimit.h>
#include <xen/events.h>

#include "common.h"
#include "trace.h"

static void usbback_ring_work(struct work_struct *work);

/**
 * usbback_ring_init() - set up the request machinery of a new controller
 * @c: controller, zeroed
 */
void usbback_ring_init(struct usbback_ctrlr *c)
{
	unsigned int i;

	mutex_init(&c->req_mutex);
	spin_lock_init(&c->rsp_lock);
	spin_lock_init(&c->conn_lock);
	INIT_LIST_HEAD(&c->done);
	INIT_DELAYED_WORK(&c->ring_work, usbback_ring_work);
	INIT_WORK(&c->done_work, usbback_urb_done_work);
	for (i = 0; i < USBBACK_NR_SLOTS; i++) {
		c->slot[i].ctrlr = c;
		INIT_LIST_HEAD(&c->slot[i].node);
		INIT_WORK(&c->slot[i].cfg_work, usbback_claim_cfg_work);
	}
	for (i = 0; i <= XENUSB_MAX_PORTNR; i++)
		init_usb_anchor(&c->port[i].anchor);
	usbback_addr_init(&c->addr);
}

/**
 * usbback_ring_kick() - have the ring work look at the rings soon
 * @c: controller
 *
 * Any context.
 */
void usbback_ring_kick(struct usbback_ctrlr *c)
{
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

/**
 * usbback_respond() - push the response of a request and free its slot
 * @s: slot of the request; every grant of it is already released
 * @status: XENUSB_STATUS_* (or -ENOENT for an unlink that found nothing)
 * @actual: bytes transferred
 * @start_frame: isochronous start frame
 * @error_count: isochronous packets that failed
 *
 * Any context.  Nothing is pushed once the rings are unmapped.
 */
void usbback_respond(struct usbback_slot *s, s32 status, u32 actual,
		     u16 start_frame, u32 error_count)
{
	struct usbback_ctrlr *c = s->ctrlr;
	struct xenusb_urb_response *rsp;
	struct usbback_dev *dev;
	struct urb *urb;
	unsigned long flags;
	bool in = s->req.pipe.in;
	int notify = 0;

	spin_lock_irqsave(&c->rsp_lock, flags);
	if (c->ring_mapped) {
		rsp = RING_GET_RESPONSE(&c->urb_ring, c->urb_ring.rsp_prod_pvt);
		rsp->id = s->req.id;
		rsp->start_frame = start_frame;
		rsp->status = status;
		rsp->actual_length = actual;
		rsp->error_count = error_count;
		c->urb_ring.rsp_prod_pvt++;
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&c->urb_ring, notify);
	}
	usbback_stats_account(c, s->port, s->req.pipe.unlink, status,
			      in ? actual : 0, in ? 0 : actual,
			      s->req.pipe.type == XENUSB_PIPE_TYPE_ISOC ?
			      s->req.nr_packets : 0, s->mapped);
	trace_usbback_complete(c->xdev->otherend_id, c->devid, s->port,
			       s->req.id, status, actual);

	dev = s->dev;
	urb = s->urb;
	s->dev = NULL;
	s->urb = NULL;
	s->in_use = false;
	s->completed = false;
	c->nr_inflight--;
	spin_unlock_irqrestore(&c->rsp_lock, flags);

	if (notify)
		notify_remote_via_irq(c->irq);
	usb_free_urb(urb);
	if (dev)
		usbback_dev_put(dev);
	/* A slot is free again: the ring work may be waiting for one. */
	if (test_and_clear_bit(USBBACK_SLOT_WAIT, &c->flags))
		usbback_ring_kick(c);
}

static struct usbback_slot *usbback_slot_get(struct usbback_ctrlr *c)
{
	struct usbback_slot *s = NULL;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&c->rsp_lock, flags);
	for (i = 0; i < USBBACK_NR_SLOTS; i++) {
		if (!c->slot[i].in_use) {
			s = &c->slot[i];
			s->in_use = true;
			s->completed = false;
			s->port = 0;
			s->dev = NULL;
			s->urb = NULL;
			s->mapped = false;
			c->nr_inflight++;
			break;
		}
	}
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	return s;
}

/* Give back a slot that was taken but whose request stays on the ring. */
static void usbback_slot_unget(struct usbback_slot *s)
{
	struct usbback_ctrlr *c = s->ctrlr;
	unsigned long flags;

	spin_lock_irqsave(&c->rsp_lock, flags);
	s->in_use = false;
	c->nr_inflight--;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
}

/* Is @id already in flight?  Called with the new slot already taken. */
static bool usbback_id_busy(struct usbback_ctrlr *c,
			    const struct usbback_slot *self, u16 id)
{
	unsigned long flags;
	bool busy = false;
	unsigned int i;

	spin_lock_irqsave(&c->rsp_lock, flags);
	for (i = 0; i < USBBACK_NR_SLOTS; i++) {
		const struct usbback_slot *s = &c->slot[i];

		if (s != self && s->in_use && s->req.id == id) {
			busy = true;
			break;
		}
	}
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	return busy;
}

static void usbback_bad_request(struct usbback_slot *s, s32 status,
				const char *why)
{
	struct usbback_ctrlr *c = s->ctrlr;

	dev_warn_ratelimited(&c->xdev->dev,
			     "dom%d: request %u (pipe port %u dev %u ep %u type %u): %s\n",
			     c->xdev->otherend_id, s->req.id, s->req.pipe.port,
			     s->req.pipe.devnum, s->req.pipe.ep,
			     s->req.pipe.type, why);
	usbback_respond(s, status, 0, 0, 0);
}

static void usbback_handle_unlink(struct usbback_slot *s)
{
	struct usbback_ctrlr *c = s->ctrlr;
	bool found;

	found = usbback_urb_unlink(c, s->req.pipe.port, s->req.unlink_id);
	trace_usbback_unlink(c->xdev->otherend_id, c->devid, s->req.pipe.port,
			     s->req.id, s->req.unlink_id, found);
	/*
	 * The victim answers for itself when its URB comes back; this
	 * response only frees the unlink's own ring slot in the frontend.
	 */
	usbback_respond(s, found ? XENUSB_STATUS_OK : -ENOENT, 0, 0, 0);
}

/*
 * One request, copied off the ring into @raw.  Called with req_mutex
 * held.  Return: 0, or -ENOMEM to retry the same request later (nothing
 * has been answered then).
 */
static int usbback_handle(struct usbback_slot *s,
			  const struct xenusb_urb_request *raw)
{
	struct usbback_ctrlr *c = s->ctrlr;
	struct usbback_dev *dev;
	int err;

	trace_usbback_request(c->xdev->otherend_id, c->devid, raw->id,
			      raw->pipe);
	err = usbback_req_parse(raw, c->nports, &s->req);
	if (err) {
		/* Keep what the response and the log line need. */
		memset(&s->req, 0, sizeof(s->req));
		s->req.id = raw->id;
		xenusb_pipe_decode(raw->pipe, &s->req.pipe);
		s->req.length = 0;
		if (s->req.pipe.port > c->nports)
			s->req.pipe.port = 0;
		s->port = s->req.pipe.port;
		usbback_bad_request(s, XENUSB_STATUS_INVAL, "malformed");
		return 0;
	}
	memcpy(s->seg, raw->seg, sizeof(s->seg));
	s->port = s->req.pipe.port;

	if (s->req.pipe.unlink) {
		usbback_handle_unlink(s);
		return 0;
	}

	dev = c->port[s->port].dev;
	if (!dev) {
		usbback_respond(s, XENUSB_STATUS_NODEV, 0, 0, 0);
		return 0;
	}
	if (usbback_addr_route(&c->addr, s->port, s->req.pipe.devnum) < 0) {
		usbback_respond(s, XENUSB_STATUS_NODEV, 0, 0, 0);
		return 0;
	}
	if (usbback_req_check_ep(&s->req, &dev->view)) {
		usbback_bad_request(s, XENUSB_STATUS_INVAL,
				    "endpoint not in the active altsetting");
		return 0;
	}
	usbback_dev_get(dev);
	s->dev = dev;
	dev->used = true;	/* see usbback_port_kill() */

	if (s->req.pipe.type == XENUSB_PIPE_TYPE_CTRL &&
	    usbback_ctrl_special(s))
		return 0;

	trace_usbback_submit(c->xdev->otherend_id, c->devid, s->port,
			     s->req.id, raw->pipe, s->req.length);
	err = usbback_urb_submit(s);
	if (err == -ENOMEM) {
		s->dev = NULL;
		usbback_dev_put(dev);
	}
	return err;
}

/* Take requests off the urb ring.  Return: whether any was taken. */
static bool usbback_urb_ring_poll(struct usbback_ctrlr *c)
{
	struct xenusb_urb_back_ring *ring = &c->urb_ring;
	struct xenusb_urb_request raw;
	struct usbback_slot *s;
	bool did = false;
	RING_IDX rc, rp;
	int more;

	do {
		rc = ring->req_cons;
		rp = READ_ONCE(ring->sring->req_prod);
		virt_rmb(); /* requests up to rp are visible */
		if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
			dev_err_ratelimited(&c->xdev->dev,
					    "dom%d: urb ring producer %u overflows (consumer %u, responses %u)\n",
					    c->xdev->otherend_id, rp, rc,
					    ring->rsp_prod_pvt);
			usbback_fatal(c, "urb ring producer overflow");
			return did;
		}

		while (rc != rp) {
			s = NULL;
			if (!RING_REQUEST_CONS_OVERFLOW(ring, rc))
				s = usbback_slot_get(c);
			if (!s) {
				/* All slots busy: the next response kicks us. */
				set_bit(USBBACK_SLOT_WAIT, &c->flags);
				/* ...unless the last one came in between. */
				if (!READ_ONCE(c->nr_inflight))
					usbback_ring_kick(c);
				return did;
			}
			RING_COPY_REQUEST(ring, rc, &raw);
			if (usbback_id_busy(c, s, raw.id)) {
				usbback_slot_unget(s);
				dev_err_ratelimited(&c->xdev->dev,
						    "dom%d: request id %u already in flight\n",
						    c->xdev->otherend_id, raw.id);
				usbback_fatal(c, "duplicate request id");
				return did;
			}
			if (usbback_handle(s, &raw) == -ENOMEM) {
				/* Back-pressure: the request stays on the ring. */
				usbback_slot_unget(s);
				mod_delayed_work(usbback_wq, &c->ring_work,
						 msecs_to_jiffies(usbback_retry_ms));
				return did;
			}
			ring->req_cons = ++rc;
			did = true;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(ring, more);
	} while (more);
	return did;
}

static void usbback_ring_work(struct work_struct *work)
{
	struct usbback_ctrlr *c = container_of(to_delayed_work(work),
					       struct usbback_ctrlr, ring_work);
	bool did = false;

	mutex_lock(&c->req_mutex);
	if (c->connected && !c->fatal) {
		did |= usbback_conn_flush(c);
		if (!c->fatal)
			did |= usbback_urb_ring_poll(c);
	}
	mutex_unlock(&c->req_mutex);

	if (test_and_clear_bit(USBBACK_EOI_PENDING, &c->flags))
		xen_irq_lateeoi(READ_ONCE(c->eoi_irq),
				did ? 0 : XEN_EOI_FLAG_SPURIOUS);
}

/**
 * usbback_ring_connect() - map the frontend's rings and bind its event
 * channel
 * @c: controller
 * @urb_ref: grant of the urb ring page
 * @conn_ref: grant of the conn ring page
 * @evtchn: the frontend's event channel port
 *
 * Every port that holds a device is then reported on the conn ring.
 *
 * Return: 0 or a negative errno (already reported with xenbus_dev_fatal).
 */
int usbback_ring_connect(struct usbback_ctrlr *c, grant_ref_t urb_ref,
			 grant_ref_t conn_ref, evtchn_port_t evtchn)
{
	struct xenbus_device *xdev = c->xdev;
	void *urb_va, *conn_va;
	unsigned long flags;
	int err;

	err = xenbus_map_ring_valloc(xdev, &urb_ref, 1, &urb_va);
	if (err)
		return err;	/* xenbus reported it */
	err = xenbus_map_ring_valloc(xdev, &conn_ref, 1, &conn_va);
	if (err)
		goto err_urb;

	spin_lock_irqsave(&c->rsp_lock, flags);
	BACK_RING_INIT(&c->urb_ring, (struct xenusb_urb_sring *)urb_va,
		       XEN_PAGE_SIZE);
	c->ring_mapped = true;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	spin_lock_irqsave(&c->conn_lock, flags);
	BACK_RING_INIT(&c->conn_ring, (struct xenusb_conn_sring *)conn_va,
		       XEN_PAGE_SIZE);
	usbback_conn_replay(&c->conn);
	spin_unlock_irqrestore(&c->conn_lock, flags);

	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, evtchn,
							    usbback_irq, 0,
							    "usbback", c);
	if (err < 0) {
		xenbus_dev_fatal(xdev, err, "binding event channel %u", evtchn);
		goto err_conn;
	}
	c->irq = err;

	mutex_lock(&c->req_mutex);
	usbback_addr_init(&c->addr);
	c->fatal = false;
	c->connected = true;
	mutex_unlock(&c->req_mutex);

	dev_info(&xdev->dev, "dom%d controller %u connected (evtchn %u)\n",
		 xdev->otherend_id, c->devid, evtchn);
	/* Replay the ports and pick up requests posted before the bind. */
	usbback_ring_kick(c);
	return 0;

err_conn:
	spin_lock_irqsave(&c->rsp_lock, flags);
	c->ring_mapped = false;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
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
	unsigned long flags;
	unsigned int i;

	mutex_lock(&c->req_mutex);
	if (!c->connected && !c->ring_mapped) {
		mutex_unlock(&c->req_mutex);
		return;
	}
	c->connected = false;	/* no new request is admitted */
	mutex_unlock(&c->req_mutex);

	if (c->irq)
		disable_irq(c->irq);
	cancel_delayed_work_sync(&c->ring_work);
	clear_bit(USBBACK_EOI_PENDING, &c->flags);

	for (i = 1; i <= c->nports; i++)
		usbback_port_kill(c, i);
	flush_work(&c->done_work);
	/* A configuration change answers once the device is configured. */
	for (i = 0; i < USBBACK_NR_SLOTS; i++)
		flush_work(&c->slot[i].cfg_work);

	spin_lock_irqsave(&c->rsp_lock, flags);
	c->ring_mapped = false;
	if (c->nr_inflight)
		dev_err(&xdev->dev, "%u requests still in flight\n",
			c->nr_inflight);
	urb_va = c->urb_ring.sring;
	c->urb_ring.sring = NULL;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	spin_lock_irqsave(&c->conn_lock, flags);
	conn_va = c->conn_ring.sring;
	c->conn_ring.sring = NULL;
	spin_unlock_irqrestore(&c->conn_lock, flags);

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

	for (i = 0; i < USBBACK_NR_SLOTS; i++)
		usbback_slot_free_buffers(&c->slot[i]);
	dev_info(&xdev->dev, "dom%d controller %u disconnected\n",
		 xdev->otherend_id, c->devid);
}
