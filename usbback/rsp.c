// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the response step.  Every path of a request ends here: the
 * host URB's completion (urb.c), a control request performed through usb
 * core (ctrl.c, claim.c), a request that never reached the device.  The
 * core pushes the response and frees the slot; this file drops what the
 * module held for the request (the URB, the device reference) and counts
 * it.  It calls only dev.c, stats.c and the core, so that the files that
 * respond never call each other back through it (see tests/callgraph.sh).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "common.h"
#include "trace.h"

/**
 * usbback_respond_batch() - answer a request, leaving the notification
 * @s: slot of the request; every grant of it is already released
 * @status: XENUSB_STATUS_*
 * @actual: bytes transferred
 * @start_frame: isochronous start frame
 * @error_count: isochronous packets that failed
 * @notify: USBBACK_RSP_NOTIFY is or-ed in when the frontend waits for an
 *	event; the caller sends one (usbback_ring_act()) after the last
 *	response of its batch
 *
 * Any context.  Nothing is pushed once the rings are detached.
 */
void usbback_respond_batch(struct usbback_slot *s, s32 status, u32 actual,
			   u16 start_frame, u32 error_count,
			   unsigned int *notify)
{
	struct usbback_ctrlr *c = s->ctrlr;
	struct usbback_dev *dev;
	struct urb *urb;
	unsigned long flags;
	unsigned int act;

	spin_lock_irqsave(&c->rsp_lock, flags);
	dev = s->dev;
	urb = s->urb;
	s->dev = NULL;
	s->urb = NULL;
	s->completed = false;
	act = usbback_ring_respond_locked(&c->ring, s->rq, status, actual,
					  start_frame, error_count);
	s->mapped = false;
	spin_unlock_irqrestore(&c->rsp_lock, flags);

	*notify |= act & USBBACK_RSP_NOTIFY;
	usb_free_urb(urb);
	if (dev)
		usbback_dev_put(dev);
	usbback_ring_act(&c->ring, act & USBBACK_RSP_KICK);
}

/**
 * usbback_respond() - answer a request the module took from the core
 * @s: slot of the request; every grant of it is already released
 * @status: XENUSB_STATUS_*
 * @actual: bytes transferred
 * @start_frame: isochronous start frame
 * @error_count: isochronous packets that failed
 *
 * Any context.  Nothing is pushed once the rings are detached.
 */
void usbback_respond(struct usbback_slot *s, s32 status, u32 actual,
		     u16 start_frame, u32 error_count)
{
	unsigned int notify = 0;

	usbback_respond_batch(s, status, actual, start_frame, error_count,
			      &notify);
	usbback_ring_act(&s->ctrlr->ring, notify);
}

/**
 * usbback_responded() - count and trace a response (ops->responded)
 * @r: the controller's rings, ring lock (rsp_lock) held
 * @rq: the request answered
 * @status: its status
 * @actual: bytes transferred
 */
void usbback_responded(struct usbback_ring *r, struct usbback_rq *rq,
		       s32 status, u32 actual)
{
	struct usbback_ctrlr *c = container_of(r, struct usbback_ctrlr, ring);
	const struct usbback_slot *s = &c->slot[rq->index];
	bool in = rq->req.pipe.in;

	usbback_stats_account(c, rq->port, rq->req.pipe.unlink, status,
			      in ? actual : 0, in ? 0 : actual,
			      rq->req.pipe.type == XENUSB_PIPE_TYPE_ISOC ?
			      rq->req.nr_packets : 0, s->mapped,
			      rq->req.indirect);
	if (rq->req.pipe.unlink && status != XENUSB_STATUS_INVAL)
		trace_usbback_unlink(c->xdev->otherend_id, c->devid, rq->port,
				     rq->req.id, rq->req.unlink_id,
				     status == XENUSB_STATUS_OK);
	trace_usbback_complete(c->xdev->otherend_id, c->devid, rq->port,
			       rq->req.id, status, actual);
}
