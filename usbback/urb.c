// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the data path.  By default guest buffers are grant-copied into
 * a kernel buffer before an OUT transfer and back after an IN transfer;
 * the host URB only ever sees the kernel buffer.  With buffer_mode=map,
 * bulk data is grant-mapped instead (map.c) and the URB is scatter-gather.
 *
 * Why copy is the default: measured with make bench-e2e (2026-11-24, both
 * modes alternating in the same boot, usbback/xen-hcd and
 * usbback/usbfront), mapping was slower or equal on seq read, 4 KiB read
 * latency and 4 KiB bulk round trip: a map plus an unmap hypercall per
 * request cost more than one copy of at most 64 KiB.  Copy also keeps
 * "every grant of a request is released before its response" true by
 * construction (no grant outlives the hypercall that uses it, whatever
 * happens to the URB, the device or the guest), and the buffer is
 * ordinary lowmem any host controller can DMA to.  The numbers are in
 * Documentation/usbback.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>

#include "common.h"
#include "trace.h"

/* Grant copies being gathered into batches of USBBACK_MAX_COPY_OPS. */
struct usbback_copier {
	struct usbback_slot *s;
	unsigned int n;
	bool to_guest;
	bool atomic;
	int err;
};

/*
 * Issue the gathered operations in one GNTTABOP_copy hypercall.  With
 * @atomic the call does not sleep: a frame the hypervisor reports paged
 * out (GNTST_eagain) is not retried here but reported as -EAGAIN, and
 * the caller copies again from process context, where
 * gnttab_batch_copy() waits for it.  The first error sticks in cp->err.
 */
static void usbback_copy_flush(struct usbback_copier *cp)
{
	struct usbback_slot *s = cp->s;
	struct usbback_ctrlr *c = s->ctrlr;
	unsigned int n = cp->n, i;
	unsigned long flags;

	cp->n = 0;
	if (!n || cp->err)
		return;
	if (cp->atomic) {
		if (HYPERVISOR_grant_table_op(GNTTABOP_copy, s->ops, n)) {
			cp->err = -EFAULT;
			return;
		}
	} else {
		gnttab_batch_copy(s->ops, n);
	}
	spin_lock_irqsave(&c->rsp_lock, flags);
	c->stats[s->rq->port][USBBACK_ST_GRANT_COPIES] += n;
	c->stats[s->rq->port][USBBACK_ST_COPY_CALLS]++;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	for (i = 0; i < n; i++) {
		if (cp->atomic && s->ops[i].status == GNTST_eagain) {
			cp->err = -EAGAIN;
			return;
		}
		if (s->ops[i].status != GNTST_okay) {
			cp->err = -EFAULT;
			return;
		}
	}
}

/*
 * Gather the grant copies between @nr segments @seg and the kernel
 * buffer @base (@len bytes), in segment order, issuing a batch whenever
 * the slot's operations are used up.
 */
static void usbback_copy_add(struct usbback_copier *cp,
			     const struct xenusb_request_segment *seg,
			     unsigned int nr, void *base, u32 len)
{
	domid_t domid = cp->s->ctrlr->xdev->otherend_id;
	unsigned int i;
	u32 pos = 0;

	for (i = 0; i < nr && pos < len && !cp->err; i++) {
		u32 seg_len = min_t(u32, seg[i].length, len - pos);
		u32 done = 0;

		while (done < seg_len) {
			void *p = base + pos;
			u32 chunk = min_t(u32, seg_len - done,
					  XEN_PAGE_SIZE - xen_offset_in_page(p));
			struct gnttab_copy *op;
			struct gnttab_copy_ptr *guest, *local;

			if (cp->n == USBBACK_MAX_COPY_OPS)
				usbback_copy_flush(cp);
			op = &cp->s->ops[cp->n++];
			if (cp->to_guest) {
				guest = &op->dest;
				local = &op->source;
				op->flags = GNTCOPY_dest_gref;
			} else {
				guest = &op->source;
				local = &op->dest;
				op->flags = GNTCOPY_source_gref;
			}
			guest->u.ref = seg[i].gref;
			guest->domid = domid;
			guest->offset = seg[i].offset + done;
			local->u.gmfn = virt_to_gfn(p);
			local->domid = DOMID_SELF;
			local->offset = xen_offset_in_page(p);
			op->len = chunk;

			done += chunk;
			pos += chunk;
		}
	}
}

/**
 * usbback_copy_segs() - grant-copy between segments and a kernel buffer
 * @s: slot whose operations are used
 * @seg: the guest's segments, validated
 * @nr: number of segments
 * @base: kernel buffer in the linear map
 * @len: bytes to copy, at most what the segments describe
 * @to_guest: direction
 * @atomic: do not sleep (see usbback_copy_flush())
 *
 * Return: 0, -EAGAIN (only with @atomic), or -EFAULT if the hypervisor
 * refused a grant.
 */
int usbback_copy_segs(struct usbback_slot *s,
		      const struct xenusb_request_segment *seg,
		      unsigned int nr, void *base, u32 len, bool to_guest,
		      bool atomic)
{
	struct usbback_copier cp = {
		.s = s, .to_guest = to_guest, .atomic = atomic,
	};

	usbback_copy_add(&cp, seg, nr, base, len);
	usbback_copy_flush(&cp);
	return cp.err;
}

/*
 * Copy data (and iso descriptors) between the guest's grants and our
 * buffers; a request of at most 16 segments takes one GNTTABOP_copy
 * hypercall, an indirect one a hypercall per 16 segments.
 * Return: 0, -EAGAIN (only with @atomic), or -EFAULT if the hypervisor
 * refused a grant.
 */
static int usbback_copy(struct usbback_slot *s, u32 data_len, bool descs,
			bool to_guest, bool atomic)
{
	const struct usbback_req *r = &s->rq->req;
	struct usbback_copier cp = {
		.s = s, .to_guest = to_guest, .atomic = atomic,
	};

	if (data_len)
		usbback_copy_add(&cp, s->rq->seg, r->nr_data_segs, s->buf,
				 data_len);
	if (descs)
		usbback_copy_add(&cp, &s->rq->seg[r->nr_data_segs],
				 r->nr_desc_segs, s->iso,
				 r->nr_packets * XENUSB_ISO_DESC_SIZE);
	usbback_copy_flush(&cp);
	return cp.err;
}

/* Grow a cached buffer of a slot.  Return: 0 or -ENOMEM. */
static int usbback_grow(void **buf, u32 *size, u32 need)
{
	void *p;

	if (need <= *size)
		return 0;
	p = kmalloc(need, GFP_NOIO | __GFP_NOWARN);
	if (!p)
		return -ENOMEM;
	kfree(*buf);
	*buf = p;
	*size = need;
	return 0;
}

/**
 * usbback_slot_free_buffers() - drop the cached buffers of a slot
 * @s: slot not in use
 */
void usbback_slot_free_buffers(struct usbback_slot *s)
{
	kfree(s->buf);
	s->buf = NULL;
	s->buf_size = 0;
	kfree(s->iso);
	s->iso = NULL;
	s->iso_size = 0;
	usbback_map_free(s);
}

/*
 * Write the results of a completed URB back and respond.  With @atomic
 * (the URB's completion handler) nothing may sleep: a mapped request
 * (its unmap may sleep) and a copy that met a paged-out frame are left
 * for the done work.  USBBACK_RSP_NOTIFY is or-ed into @notify when the
 * frontend is to be notified.  Return: false if the request was left,
 * untouched apart from the idempotent fix-ups below; true once it is
 * answered.
 */
static bool usbback_urb_finish(struct usbback_slot *s, bool atomic,
			       unsigned int *notify)
{
	struct urb *urb = s->urb;
	bool iso = s->rq->req.pipe.type == XENUSB_PIPE_TYPE_ISOC;
	u32 actual = urb->actual_length;
	u32 back = 0;
	s32 status;
	unsigned int i;
	int err = 0;

	if (atomic && s->mapped)
		return false;
	/*
	 * A short read with SHORT_NOT_OK: usbif has no code for it, and
	 * xen-hcd turns unknown codes into -ESHUTDOWN, which usb-storage
	 * takes for a dead device.  Report success with the short length, as
	 * QEMU's backend does; the guest sees the transfer came up short.
	 */
	if (urb->status == -EREMOTEIO)
		status = XENUSB_STATUS_OK;
	else
		status = xenusb_status_from_errno(urb->status);
	if (actual > s->rq->req.length)
		actual = s->rq->req.length;

	if (iso) {
		for (i = 0; i < s->rq->req.nr_packets; i++) {
			s->iso[i].actual_length =
				urb->iso_frame_desc[i].actual_length;
			s->iso[i].status = urb->iso_frame_desc[i].status;
		}
		/* Packets sit at their offsets: the whole buffer goes back. */
		if (s->rq->req.pipe.in)
			back = s->rq->req.length;
	} else if (s->rq->req.pipe.in) {
		back = actual;
		if (s->rq->req.pipe.type == XENUSB_PIPE_TYPE_CTRL)
			usbback_ctrl_fixup_in(s, actual);
	}

	if (s->mapped) {
		/* The data is already in the guest's pages: release them. */
		if (usbback_unmap(s)) {
			status = XENUSB_STATUS_IOERROR;
			actual = 0;
		}
	} else if (back || iso) {
		err = usbback_copy(s, back, iso, true, atomic);
		if (err == -EAGAIN)
			return false;
	}
	if (err) {
		dev_warn_ratelimited(&s->ctrlr->xdev->dev,
				     "dom%d: request %u: cannot copy the result into the guest's grants\n",
				     s->ctrlr->xdev->otherend_id, s->rq->req.id);
		status = XENUSB_STATUS_INVAL;
		actual = 0;
	}
	usbback_respond_batch(s, status, actual, iso ? urb->start_frame : 0,
			      iso ? urb->error_count : 0, notify);
	return true;
}

/*
 * A host URB completed.  With respond_in_completion, a request on the
 * copy path is answered right here, in the completion's context: the copy
 * to the guest does not sleep, so it needs no hop on its way back.
 * Everything else (and what cannot be done without sleeping) is answered
 * by the ring thread when one runs (dispatch=thread: the same pass that
 * then looks at the ring, often the pass that submitted the URB), else by
 * the done work.
 */
static void usbback_urb_complete(struct urb *urb)
{
	struct usbback_slot *s = urb->context;
	struct usbback_ctrlr *c = s->ctrlr;
	unsigned int notify = 0;
	unsigned long flags;
	bool thread;

	trace_usbback_urb_done(c->xdev->otherend_id, c->devid, s->rq->req.id,
			       urb->status, urb->actual_length);
	spin_lock_irqsave(&c->rsp_lock, flags);
	s->completed = true;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	if (READ_ONCE(usbback_respond_in_completion) &&
	    usbback_urb_finish(s, true, &notify)) {
		usbback_ring_act(&c->ring, notify);
		return;
	}

	spin_lock_irqsave(&c->rsp_lock, flags);
	list_add_tail(&s->node, &c->done);
	thread = c->thread_on &&
		 READ_ONCE(usbback_dispatch) == USBBACK_DISPATCH_THREAD;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	if (thread)
		usbback_ring_wake(c);
	else
		queue_work(usbback_wq, &c->done_work);
}

/**
 * usbback_urb_done() - respond to every completed host URB
 * @c: controller
 *
 * Process context.  The responses are pushed one by one and the frontend
 * is notified once, after the last (if it waits for an event at all).
 */
void usbback_urb_done(struct usbback_ctrlr *c)
{
	unsigned int notify = 0;
	struct usbback_slot *s;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&c->rsp_lock, flags);
		s = list_first_entry_or_null(&c->done, struct usbback_slot,
					     node);
		if (s)
			list_del_init(&s->node);
		spin_unlock_irqrestore(&c->rsp_lock, flags);
		if (!s)
			break;
		usbback_urb_finish(s, false, &notify);
	}
	usbback_ring_act(&c->ring, notify);
}

/**
 * usbback_urb_done_work() - respond to every completed host URB
 * @work: the controller's done_work
 */
void usbback_urb_done_work(struct work_struct *work)
{
	usbback_urb_done(container_of(work, struct usbback_ctrlr, done_work));
}

/* Host pipe for a validated request on @udev. */
static unsigned int usbback_host_pipe(struct usb_device *udev,
				      const struct usbback_req *r)
{
	unsigned int ep = r->pipe.ep;

	switch (r->pipe.type) {
	case XENUSB_PIPE_TYPE_CTRL:
		return r->pipe.in ? usb_rcvctrlpipe(udev, ep) :
				    usb_sndctrlpipe(udev, ep);
	case XENUSB_PIPE_TYPE_ISOC:
		return r->pipe.in ? usb_rcvisocpipe(udev, ep) :
				    usb_sndisocpipe(udev, ep);
	case XENUSB_PIPE_TYPE_INT:
		return r->pipe.in ? usb_rcvintpipe(udev, ep) :
				    usb_sndintpipe(udev, ep);
	default:
		return r->pipe.in ? usb_rcvbulkpipe(udev, ep) :
				    usb_sndbulkpipe(udev, ep);
	}
}

/*
 * Interval in the unit usb core expects, from the host's own endpoint
 * descriptor: the guest's value is only a hint and is not trusted.
 */
static int usbback_interval(struct usb_device *udev,
			    struct usb_host_endpoint *hep)
{
	int b = clamp_t(int, hep->desc.bInterval, 1, 16);

	if (usb_endpoint_xfer_int(&hep->desc) &&
	    (udev->speed == USB_SPEED_LOW || udev->speed == USB_SPEED_FULL))
		return max_t(int, hep->desc.bInterval, 1);
	return 1 << (b - 1);
}

/* Fill in the iso frame descriptors of @urb from the guest's copy. */
static int usbback_iso_prepare(struct usbback_slot *s, struct urb *urb)
{
	unsigned int i;

	if (usbback_iso_descs_check(s->iso, s->rq->req.nr_packets, s->rq->req.length))
		return -EINVAL;
	for (i = 0; i < s->rq->req.nr_packets; i++) {
		urb->iso_frame_desc[i].offset = s->iso[i].offset;
		urb->iso_frame_desc[i].length = s->iso[i].length;
		urb->iso_frame_desc[i].actual_length = 0;
		urb->iso_frame_desc[i].status = 0;
	}
	urb->number_of_packets = s->rq->req.nr_packets;
	urb->start_frame = s->rq->req.start_frame;
	urb->transfer_flags |= URB_ISO_ASAP;
	return 0;
}

/*
 * Answer a request that did not reach the device, after releasing the
 * grants it mapped.
 */
static void usbback_urb_fail(struct usbback_slot *s, s32 status)
{
	if (s->mapped)
		usbback_unmap(s);
	usbback_respond(s, status, 0, 0, 0);
}

/**
 * usbback_urb_submit() - copy in, build and submit the host URB
 * @s: slot with a validated request routed to s->dev
 *
 * Called with req_mutex held.  Failures other than memory are answered
 * here.
 *
 * Return: 0 (submitted or answered), or -ENOMEM: nothing was answered,
 * the caller retries the request later.
 */
int usbback_urb_submit(struct usbback_slot *s)
{
	struct usbback_ctrlr *c = s->ctrlr;
	struct usbback_req *r = &s->rq->req;
	struct usb_device *udev = s->dev->udev;
	bool iso = r->pipe.type == XENUSB_PIPE_TYPE_ISOC;
	struct usb_host_endpoint *hep;
	unsigned int pipe;
	struct urb *urb;
	bool map;
	int err;

	if (iso && r->nr_packets > usbback_max_iso_packets) {
		dev_warn_ratelimited(&c->xdev->dev,
				     "dom%d: request %u: %u iso packets (max_iso_packets=%u)\n",
				     c->xdev->otherend_id, r->id,
				     r->nr_packets, usbback_max_iso_packets);
		usbback_respond(s, XENUSB_STATUS_INVAL, 0, 0, 0);
		return 0;
	}

	pipe = usbback_host_pipe(udev, r);
	hep = usb_pipe_endpoint(udev, pipe);
	if (!hep) {
		usbback_respond(s, XENUSB_STATUS_INVAL, 0, 0, 0);
		return 0;
	}

	/* Memory first: -ENOMEM must leave nothing answered. */
	map = usbback_map_wanted(s, hep);
	if (map ? usbback_map_prepare(s) :
		  usbback_grow(&s->buf, &s->buf_size, r->length))
		return -ENOMEM;
	if (iso && usbback_grow((void **)&s->iso, &s->iso_size,
				r->nr_packets * XENUSB_ISO_DESC_SIZE))
		return -ENOMEM;
	urb = usb_alloc_urb(iso ? r->nr_packets : 0, GFP_NOIO);
	if (!urb)
		return -ENOMEM;
	s->urb = urb;

	/*
	 * Map the data, or read what the device is to receive and the iso
	 * descriptors.  A bad grant gets the same answer either way.
	 */
	if (map)
		err = usbback_map(s, urb);
	else
		err = usbback_copy(s, r->pipe.in ? 0 : r->length, iso, false,
				   false);
	if (err) {
		dev_warn_ratelimited(&c->xdev->dev,
				     "dom%d: request %u: bad grant\n",
				     c->xdev->otherend_id, r->id);
		usbback_respond(s, XENUSB_STATUS_INVAL, 0, 0, 0);
		return 0;
	}
	s->mapped = map;

	urb->dev = udev;
	urb->pipe = pipe;
	urb->ep = hep;
	if (!map)
		urb->transfer_buffer = r->length ? s->buf : NULL;
	urb->transfer_buffer_length = r->length;
	urb->complete = usbback_urb_complete;
	urb->context = s;
	if (r->short_not_ok)
		urb->transfer_flags |= URB_SHORT_NOT_OK;
	if (r->zero_packet)
		urb->transfer_flags |= URB_ZERO_PACKET;

	switch (r->pipe.type) {
	case XENUSB_PIPE_TYPE_CTRL:
		memcpy(&s->setup, r->setup, sizeof(s->setup));
		urb->setup_packet = (unsigned char *)&s->setup;
		break;
	case XENUSB_PIPE_TYPE_ISOC:
		if (usbback_iso_prepare(s, urb)) {
			dev_warn_ratelimited(&c->xdev->dev,
					     "dom%d: request %u: iso packet outside the buffer\n",
					     c->xdev->otherend_id, r->id);
			usbback_urb_fail(s, XENUSB_STATUS_INVAL);
			return 0;
		}
		urb->interval = usbback_interval(udev, hep);
		break;
	case XENUSB_PIPE_TYPE_INT:
		urb->interval = usbback_interval(udev, hep);
		break;
	default:
		break;
	}

	/* Belt and braces: never let the host warn on the guest's behalf. */
	if (usb_urb_ep_type_check(urb)) {
		usbback_urb_fail(s, XENUSB_STATUS_INVAL);
		return 0;
	}

	usb_anchor_urb(urb, &c->port[s->rq->port].anchor);
	err = usb_submit_urb(urb, GFP_NOIO);
	if (err) {
		usb_unanchor_urb(urb);
		dev_dbg(&c->xdev->dev, "request %u: submit failed: %d\n",
			r->id, err);
		usbback_urb_fail(s, xenusb_status_from_errno(err));
	}
	return 0;
}

/**
 * usbback_urb_unlink_hold() - take the URB of an unlink's victim
 * @victim: slot of the request to cancel (dispatched, same id and port)
 * @by: slot of the unlink request
 *
 * Under rsp_lock (ops->unlink_hold).  A victim whose URB completed is
 * found but left alone: its response is on the way.
 *
 * Return: whether the victim has an URB (submitted or completing).
 */
bool usbback_urb_unlink_hold(struct usbback_slot *victim,
			     struct usbback_slot *by)
{
	if (!victim->urb)
		return false;
	if (!victim->completed)
		by->unlink_urb = usb_get_urb(victim->urb);
	return true;
}

/**
 * usbback_urb_unlink() - cancel the URB usbback_urb_unlink_hold() took
 * @by: slot of the unlink request
 *
 * Asynchronous: the victim is answered when its URB comes back.  Called
 * without rsp_lock: the URB may complete inside usb_unlink_urb().
 */
void usbback_urb_unlink(struct usbback_slot *by)
{
	struct urb *urb = by->unlink_urb;

	by->unlink_urb = NULL;
	if (urb) {
		usb_unlink_urb(urb);
		usb_put_urb(urb);
	}
}
