// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront URB ring: URBs become requests, responses become URB
 * completions.
 *
 * Buffers are granted page by page from their struct pages (scatterlist,
 * vmalloc or linear memory), so a request carries up to 16 pages and a
 * bulk URB that does not fit one request is cut into several, one after
 * the other, on whole max-packet boundaries (usbfront_split_next()).
 * While such an URB is on its way its endpoint is held, so no later URB
 * of the same endpoint overtakes it; control endpoints are held for
 * every transfer, so their queue runs one transfer at a time.
 *
 * The backend is not trusted: each response is copied off the ring once,
 * its id must be in flight, every grant of the request is ended before
 * the data is looked at (a grant still held is a protocol error: the URB
 * is then kept, never given back, until the grant can be ended), and the
 * lengths are clamped by usbfront_rsp_check(). Any protocol error stops
 * all ring processing and hands the teardown to a work item.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "common.h"
#include "trace.h"

/* Rounds of ring processing in the interrupt before a work item goes on. */
#define USBFRONT_IRQ_ROUNDS	8

/* Xen frame of the 4 KiB page that holds byte @off of @page onwards. */
static unsigned long usbfront_gfn(struct page *page, unsigned long off)
{
	return pfn_to_gfn(page_to_xen_pfn(page) + off / XEN_PAGE_SIZE);
}

/*
 * Frame of a kernel virtual address: the linear map, or anything mapped
 * through page tables (vmalloc, vmap'ed stacks, module data), for which
 * virt_to_page() would be wrong. Return: false if nothing is mapped.
 */
static bool usbfront_virt_gfn(const void *p, unsigned long *gfn)
{
	struct page *page;

	if (virt_addr_valid(p))
		page = virt_to_page(p);
	else
		page = vmalloc_to_page(p);
	if (!page)
		return false;
	*gfn = usbfront_gfn(page, offset_in_page(p));
	return true;
}

/* Fragments a scatterlist of @len bytes needs; 0 if it is too short. */
static u32 usbfront_sg_count(struct urb *urb, u32 len)
{
	struct scatterlist *sg;
	u32 n = 0;
	int i;

	for_each_sg(urb->sg, sg, urb->num_sgs, i) {
		u32 l = min(sg->length, len);

		n += xenusb_pages_spanned(sg->offset, l);
		len -= l;
		if (!len)
			break;
	}
	return len ? 0 : n;
}

static void usbfront_sg_fill(struct usbfront_urbp *urbp, struct urb *urb)
{
	struct scatterlist *sg;
	u32 len = urbp->total;
	u32 n = 0;
	int i;

	for_each_sg(urb->sg, sg, urb->num_sgs, i) {
		u32 l = min(sg->length, len);
		unsigned long off = sg->offset;

		len -= l;
		while (l) {
			u32 xoff = off % XEN_PAGE_SIZE;
			u32 piece = min_t(u32, l, XEN_PAGE_SIZE - xoff);

			urbp->frags[n].offset = xoff;
			urbp->frags[n].len = piece;
			urbp->gfns[n] = usbfront_gfn(sg_page(sg), off);
			n++;
			off += piece;
			l -= piece;
		}
		if (!len)
			break;
	}
}

static int usbfront_linear_fill(struct usbfront_urbp *urbp, struct urb *urb)
{
	unsigned long base = (unsigned long)urb->transfer_buffer;
	const u8 *page0 = (const u8 *)(base & ~(unsigned long)(XEN_PAGE_SIZE - 1));
	u32 i;

	usbfront_frags_linear(base % XEN_PAGE_SIZE, urbp->total, urbp->frags,
			      urbp->nfrags);
	for (i = 0; i < urbp->nfrags; i++)
		if (!usbfront_virt_gfn(page0 + i * XEN_PAGE_SIZE,
				       &urbp->gfns[i]))
			return -EFAULT;
	return 0;
}

/**
 * usbfront_urbp_alloc() - per-URB state, with the buffer cut into pages
 * @info: controller
 * @urb: URB being enqueued
 * @mem_flags: allocation flags usb core passed to urb_enqueue
 *
 * Bulk URBs of any size are accepted (they are split when sent); any
 * other URB must fit one request, else it is refused with -EMSGSIZE:
 * never truncated, never sent with a wrapped buffer_length.
 *
 * Return: the new state, or an ERR_PTR.
 */
struct usbfront_urbp *usbfront_urbp_alloc(struct usbfront_info *info,
					  struct urb *urb, gfp_t mem_flags)
{
	u32 len = urb->transfer_buffer_length;
	u32 max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST;
	struct usbfront_urbp *urbp;
	u32 n = 0;
	int err;

	if (len) {
		if (urb->num_sgs)
			n = usbfront_sg_count(urb, len);
		else if (urb->transfer_buffer)
			n = xenusb_pages_spanned((unsigned long)urb->transfer_buffer %
						 XEN_PAGE_SIZE, len);
		if (!n)
			return ERR_PTR(-EINVAL);
	}
	if (usb_pipecontrol(urb->pipe) && !urb->setup_packet)
		return ERR_PTR(-EINVAL);

	urbp = kzalloc(sizeof(*urbp), mem_flags);
	if (!urbp)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&urbp->list);
	INIT_LIST_HEAD(&urbp->unlink_list);
	urbp->urb = urb;
	urbp->total = len;
	urbp->nfrags = n;
	urbp->req_id = -1;
	if (n) {
		urbp->frags = kmalloc_array(n, sizeof(*urbp->frags), mem_flags);
		urbp->gfns = kmalloc_array(n, sizeof(*urbp->gfns), mem_flags);
		if (!urbp->frags || !urbp->gfns) {
			err = -ENOMEM;
			goto fail;
		}
		err = 0;
		if (urb->num_sgs)
			usbfront_sg_fill(urbp, urb);
		else
			err = usbfront_linear_fill(urbp, urb);
		if (err)
			goto fail;
	}

	if (usb_pipeisoc(urb->pipe)) {
		err = usbfront_iso_prepare(urbp, mem_flags);
		if (err)
			goto fail;
		max_segs -= urbp->iso_npages;
	}

	if (usb_pipebulk(urb->pipe)) {
		urbp->maxp = usb_endpoint_maxp(&urb->ep->desc);
		if (!urbp->maxp) {
			err = -EINVAL;
			goto fail;
		}
		/* URB_ZERO_PACKET is not on the wire: send the ZLP ourselves. */
		urbp->zlp = usbfront_param_zlp && usb_pipeout(urb->pipe) &&
			    (urb->transfer_flags & URB_ZERO_PACKET) && len &&
			    len % urbp->maxp == 0;
	} else if (n > max_segs || len > USBFRONT_MAX_BYTES) {
		dev_warn_ratelimited(&info->xbdev->dev,
				     "%s URB of %u bytes in %u pages does not fit one request (%u pages, %u bytes): refused\n",
				     usb_pipeisoc(urb->pipe) ? "isochronous" :
				     usb_pipeint(urb->pipe) ? "interrupt" :
				     "control", len, n, max_segs,
				     USBFRONT_MAX_BYTES);
		err = -EMSGSIZE;
		goto fail;
	}
	return urbp;

fail:
	usbfront_urbp_free(urbp);
	return ERR_PTR(err);
}

/**
 * usbfront_urbp_free() - release what usbfront_urbp_alloc() allocated
 * @urbp: per-URB state, no longer referenced by any request
 */
void usbfront_urbp_free(struct usbfront_urbp *urbp)
{
	usbfront_iso_free(urbp);
	kfree(urbp->frags);
	kfree(urbp->gfns);
	kfree(urbp);
}

/* The root port a device hangs off (hubs are refused by libxl anyway). */
static u8 usbfront_root_port(struct usb_device *udev)
{
	while (udev->parent && udev->parent->parent)
		udev = udev->parent;
	return udev->portnum;
}

static u32 usbfront_pipe(const struct urb *urb)
{
	struct xenusb_pipe p = {
		.port = usbfront_root_port(urb->dev),
		.devnum = usb_pipedevice(urb->pipe),
		.ep = usb_pipeendpoint(urb->pipe),
		.in = usb_pipein(urb->pipe),
	};

	switch (usb_pipetype(urb->pipe)) {
	case PIPE_ISOCHRONOUS:
		p.type = XENUSB_PIPE_TYPE_ISOC;
		break;
	case PIPE_INTERRUPT:
		p.type = XENUSB_PIPE_TYPE_INT;
		break;
	case PIPE_CONTROL:
		p.type = XENUSB_PIPE_TYPE_CTRL;
		break;
	default:
		p.type = XENUSB_PIPE_TYPE_BULK;
		break;
	}
	return xenusb_pipe_encode(&p);
}

/*
 * End every grant of a request. Grants that end are forgotten, so a
 * later retry only looks at the ones the backend still holds.
 */
static bool usbfront_end_grants(struct usbfront_shadow *sh)
{
	bool all = true;
	u8 i;

	for (i = 0; i < sh->ngrefs; i++) {
		if (sh->gref[i] == INVALID_GRANT_REF)
			continue;
		if (gnttab_try_end_foreign_access(sh->gref[i]))
			sh->gref[i] = INVALID_GRANT_REF;
		else
			all = false;
	}
	return all;
}

/* Grant @gfn to the backend; the segment goes to @req and @sh. */
static int usbfront_grant_seg(struct usbfront_info *info,
			      struct usbfront_shadow *sh,
			      struct xenusb_urb_request *req, unsigned long gfn,
			      u16 offset, u16 len, bool readonly)
{
	int ref;

	ref = gnttab_grant_foreign_access(info->xbdev->otherend_id, gfn,
					  readonly);
	if (ref < 0)
		return ref;
	req->seg[sh->ngrefs].gref = ref;
	req->seg[sh->ngrefs].offset = offset;
	req->seg[sh->ngrefs].length = len;
	sh->gref[sh->ngrefs++] = ref;
	return 0;
}

/* Grant bytes @pos..@pos+@len of the URB buffer, one segment per piece. */
static int usbfront_grant_data(struct usbfront_info *info,
			       struct usbfront_urbp *urbp,
			       struct usbfront_shadow *sh,
			       struct xenusb_urb_request *req, u32 pos,
			       u32 len, u32 max_segs, bool readonly)
{
	u32 i = 0, skip = pos;
	int err;

	while (i < urbp->nfrags && skip >= urbp->frags[i].len) {
		skip -= urbp->frags[i].len;
		i++;
	}
	for (; len && i < urbp->nfrags; i++, skip = 0) {
		u32 avail = urbp->frags[i].len - skip;
		u32 piece = min(avail, len);

		if (!avail)
			continue;
		if (sh->ngrefs >= max_segs)
			return -EMSGSIZE;
		err = usbfront_grant_seg(info, sh, req, urbp->gfns[i],
					 urbp->frags[i].offset + skip, piece,
					 readonly);
		if (err)
			return err;
		len -= piece;
	}
	return len ? -EINVAL : 0;
}

/* Give back grants of a request that never reached the ring. */
static void usbfront_ungrant(struct usbfront_shadow *sh)
{
	u8 i;

	for (i = 0; i < sh->ngrefs; i++)
		gnttab_end_foreign_access(sh->gref[i], NULL);
	sh->ngrefs = 0;
}

/* Is @urbp's endpoint held by another URB that is being split? */
static bool usbfront_ep_busy(const struct usbfront_urbp *urbp)
{
	void *owner = urbp->urb->ep->hcpriv;

	return owner && owner != urbp;
}

/* Put a fully built request on the ring (pushed later). */
static void usbfront_queue_req(struct usbfront_info *info,
			       const struct xenusb_urb_request *req)
{
	struct xenusb_urb_front_ring *ring = &info->urb_ring;

	*RING_GET_REQUEST(ring, ring->req_prod_pvt) = *req;
	ring->req_prod_pvt++;
	info->stats.requests++;
	trace_usbfront_request(dev_name(&info->xbdev->dev), req->id, req->pipe,
			       req->nr_buffer_segs, req->buffer_length);
}

/*
 * Send the next request of @urbp: the first one, the next piece of a
 * split bulk URB, or the zero-length packet after its data.
 *
 * Return: 0 when sent, -EBUSY when no ring slot is free (the caller
 * queues the URB), another negative errno when the URB must fail.
 */
static int usbfront_send(struct usbfront_info *info,
			 struct usbfront_urbp *urbp)
{
	struct urb *urb = urbp->urb;
	u32 max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST - urbp->iso_npages;
	bool in = usb_pipein(urb->pipe);
	struct xenusb_urb_request req = {};
	struct usbfront_shadow *sh;
	struct usbfront_frag desc[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	u32 len = 0, nd;
	bool zlp = false;
	int id, err;
	u16 i;

	if (RING_FULL(&info->urb_ring))
		return -EBUSY;

	if (urbp->done < urbp->total) {
		len = usbfront_split_next(urbp->frags, urbp->nfrags, urbp->done,
					  urbp->maxp, max_segs,
					  USBFRONT_MAX_BYTES);
		if (!len)
			return -EMSGSIZE;
	} else if (urbp->zlp) {
		zlp = true;
	}

	id = usbfront_id_alloc(&info->ids);
	if (id < 0)
		return -EBUSY;
	sh = &info->shadow[id];
	sh->ngrefs = 0;
	sh->held = false;

	err = usbfront_grant_data(info, urbp, sh, &req, urbp->done, len,
				  max_segs, !in);
	if (err)
		goto fail;

	req.id = id;
	req.nr_buffer_segs = sh->ngrefs;
	req.pipe = usbfront_pipe(urb);
	/*
	 * URB_SHORT_NOT_OK stays off the wire: this frontend turns a short
	 * transfer into -EREMOTEIO itself, also across split requests.
	 */
	req.transfer_flags = 0;
	req.buffer_length = len;

	switch (usb_pipetype(urb->pipe)) {
	case PIPE_ISOCHRONOUS:
		req.u.isoc.interval = urb->interval;
		req.u.isoc.start_frame = urb->start_frame;
		req.u.isoc.number_of_packets = urb->number_of_packets;
		/*
		 * Descriptor pages are ours: the backend writes them back.
		 * The segments name exactly the descriptors, not whole
		 * pages: the protocol (and usbback) wants their lengths to
		 * add up to number_of_packets * XENUSB_ISO_DESC_SIZE.  The
		 * core cuts them, as it does for the simulator's frontend.
		 */
		nd = usbfront_frags_linear(0, urb->number_of_packets *
					   XENUSB_ISO_DESC_SIZE, desc,
					   urbp->iso_npages);
		if (!nd) {
			err = -EMSGSIZE;
			goto fail;
		}
		req.u.isoc.nr_frame_desc_segs = nd;
		for (i = 0; i < nd; i++) {
			err = usbfront_grant_seg(info, sh, &req,
						 virt_to_gfn((u8 *)urbp->iso_descs +
							     i * XEN_PAGE_SIZE),
						 desc[i].offset, desc[i].len,
						 false);
			if (err)
				goto fail;
		}
		break;
	case PIPE_INTERRUPT:
		req.u.intr.interval = urb->interval;
		break;
	case PIPE_CONTROL:
		memcpy(req.u.ctrl, urb->setup_packet, sizeof(req.u.ctrl));
		break;
	default:
		break;
	}

	sh->urbp = urbp;
	sh->inf.type = xenusb_pipetype(req.pipe);
	sh->inf.in = in;
	sh->inf.unlink = false;
	sh->inf.length = len;
	sh->inf.nr_packets = usb_pipeisoc(urb->pipe) ?
			     urb->number_of_packets : 0;
	usbfront_queue_req(info, &req);

	urbp->req_id = id;
	urbp->cur_len = len;
	if (zlp) {
		urbp->zlp = false;
		info->stats.zlp_requests++;
	}
	if (!urbp->split && urbp->done + len < urbp->total)
		info->stats.split_urbs++;
	/*
	 * Hold the endpoint while more requests of this URB follow, and for
	 * control transfers always: a real controller runs ep0's queue one
	 * transfer at a time, and QEMU's qusb loses answers when several
	 * control requests of one device are queued and one of them stalls.
	 */
	if (!urbp->split && (urbp->done + len < urbp->total || urbp->zlp ||
			     usb_pipecontrol(urb->pipe))) {
		urbp->split = true;
		urb->ep->hcpriv = urbp;
	}
	return 0;

fail:
	usbfront_ungrant(sh);
	usbfront_id_release(&info->ids, id);
	if (err == -ENOSPC)
		err = -ENOMEM;
	dev_warn_ratelimited(&info->xbdev->dev,
			     "cannot grant URB buffer: %d\n", err);
	return err;
}

/* Take @urbp off the ring's books and put it on @done for giveback. */
static void usbfront_finish(struct usbfront_info *info,
			    struct usbfront_urbp *urbp, int status,
			    struct list_head *done)
{
	struct urb *urb = urbp->urb;

	if (urbp->unlink_wait) {
		list_del_init(&urbp->unlink_list);
		urbp->unlink_wait = false;
	}
	if (urb->ep->hcpriv == urbp)
		urb->ep->hcpriv = NULL;
	if (!usb_pipeisoc(urb->pipe))
		urb->actual_length = min(urbp->done,
					 urb->transfer_buffer_length);
	urbp->status = status;
	urb->hcpriv = NULL;
	usb_hcd_unlink_urb_from_ep(info->hcd, urb);
	list_add_tail(&urbp->list, done);
}

/**
 * usbfront_giveback_list() - complete URBs collected under the lock
 * @info: controller
 * @done: list of struct usbfront_urbp; emptied
 *
 * Called without info->lock. With HCD_BH the completions run later in
 * usb core's tasklet; usb_hcd_giveback_urb() only queues them, under a
 * lock it takes without disabling interrupts, hence the irq-off section
 * (this runs both in the interrupt handler and in process context).
 */
void usbfront_giveback_list(struct usbfront_info *info,
			    struct list_head *done)
{
	struct usbfront_urbp *urbp, *tmp;
	unsigned long flags;

	list_for_each_entry_safe(urbp, tmp, done, list) {
		struct urb *urb = urbp->urb;
		int status = urbp->status;

		list_del(&urbp->list);
		usbfront_urbp_free(urbp);
		local_irq_save(flags);
		usb_hcd_giveback_urb(info->hcd, urb, status);
		local_irq_restore(flags);
	}
}

/**
 * usbfront_submit() - send a new URB or queue it behind others
 * @info: controller, lock held, link up
 * @urbp: URB state, linked to its endpoint
 *
 * Return: 0 when sent or queued, else a negative errno (nothing was
 * sent; the caller unlinks the URB and fails the enqueue).
 */
int usbfront_submit(struct usbfront_info *info, struct usbfront_urbp *urbp)
{
	int err;

	if (list_empty(&info->pending) && !usbfront_ep_busy(urbp)) {
		err = usbfront_send(info, urbp);
		if (err != -EBUSY)
			return err;
		info->stats.ring_full++;
	}
	list_add_tail(&urbp->list, &info->pending);
	return 0;
}

/* Send the unlink request for @urbp's request on the ring. */
static int usbfront_send_unlink(struct usbfront_info *info,
				struct usbfront_urbp *urbp)
{
	struct xenusb_urb_request req = {};
	struct usbfront_shadow *sh;
	int id;

	if (RING_FULL(&info->urb_ring))
		return -EBUSY;
	id = usbfront_id_alloc(&info->ids);
	if (id < 0)
		return -EBUSY;
	sh = &info->shadow[id];
	sh->urbp = NULL;
	sh->ngrefs = 0;
	sh->held = false;
	sh->inf.type = xenusb_pipetype(usbfront_pipe(urbp->urb));
	sh->inf.in = false;
	sh->inf.unlink = true;
	sh->inf.length = 0;
	sh->inf.nr_packets = 0;

	req.id = id;
	req.pipe = usbfront_pipe(urbp->urb) | XENUSB_PIPE_UNLINK;
	req.u.unlink.unlink_id = urbp->req_id;
	usbfront_queue_req(info, &req);
	urbp->unlink_sent = true;
	info->stats.unlinks++;
	return 0;
}

/**
 * usbfront_unlink() - cancel an URB usb core dequeued
 * @info: controller, lock held
 * @urbp: the URB's state
 * @status: status for its giveback
 * @done: giveback list
 *
 * An URB not on the ring is given back at once; one on the ring gets an
 * unlink request (queued if the ring is full) and is given back when the
 * backend answers its request.
 */
void usbfront_unlink(struct usbfront_info *info, struct usbfront_urbp *urbp,
		     int status, struct list_head *done)
{
	if (urbp->dequeued)
		return;
	urbp->dequeued = true;
	if (urbp->req_id < 0) {
		list_del_init(&urbp->list);
		usbfront_finish(info, urbp, status, done);
		return;
	}
	/* With the rings down, teardown or reclaim gives the URB back. */
	if (info->link != USBFRONT_UP)
		return;
	if (usbfront_send_unlink(info, urbp) == -EBUSY) {
		urbp->unlink_wait = true;
		list_add_tail(&urbp->unlink_list, &info->unlinks);
		info->stats.ring_full++;
	}
}

/**
 * usbfront_kick() - send what waits for ring slots, unlinks first
 * @info: controller, lock held
 * @done: giveback list for URBs that fail to be sent
 */
void usbfront_kick(struct usbfront_info *info, struct list_head *done)
{
	struct usbfront_urbp *urbp, *tmp;
	int err;

	if (info->link != USBFRONT_UP)
		return;
	list_for_each_entry_safe(urbp, tmp, &info->unlinks, unlink_list) {
		if (usbfront_send_unlink(info, urbp))
			return;
		list_del_init(&urbp->unlink_list);
		urbp->unlink_wait = false;
	}
	list_for_each_entry_safe(urbp, tmp, &info->pending, list) {
		/* Later URBs of a held endpoint stay behind it, in order. */
		if (usbfront_ep_busy(urbp))
			continue;
		err = usbfront_send(info, urbp);
		if (err == -EBUSY)
			return;
		list_del_init(&urbp->list);
		if (err)
			usbfront_finish(info, urbp, err, done);
	}
}

/**
 * usbfront_push() - publish queued requests and notify the backend
 * @info: controller, lock held
 */
void usbfront_push(struct usbfront_info *info)
{
	int notify;

	if (info->link != USBFRONT_UP)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&info->urb_ring, notify);
	if (notify)
		notify_remote_via_irq(info->irq);
}

/* A response for a data request of @urbp arrived; grants are ended. */
static void usbfront_complete(struct usbfront_info *info,
			      struct usbfront_urbp *urbp,
			      const struct usbfront_rsp *rsp,
			      struct list_head *done)
{
	struct urb *urb = urbp->urb;
	int status = rsp->status;
	int err;

	urbp->req_id = -1;
	/* The victim is back: an unlink still waiting for a slot is moot. */
	if (urbp->unlink_wait) {
		list_del_init(&urbp->unlink_list);
		urbp->unlink_wait = false;
	}

	if (usb_pipeisoc(urb->pipe)) {
		urb->start_frame = rsp->start_frame;
		usbfront_iso_complete(info, urbp);
		usbfront_finish(info, urbp, status, done);
		return;
	}

	if (usb_pipein(urb->pipe))
		info->stats.bytes_in += rsp->actual_length;
	else
		info->stats.bytes_out += rsp->actual_length;
	urbp->done += rsp->actual_length;

	if (!status && !urbp->dequeued &&
	    rsp->actual_length == urbp->cur_len &&
	    (urbp->done < urbp->total || urbp->zlp)) {
		/* A full piece of a split URB: the next one follows. */
		err = usbfront_send(info, urbp);
		if (!err)
			return;
		if (err == -EBUSY) {
			/* Its endpoint stays held; go first when a slot frees. */
			list_add(&urbp->list, &info->pending);
			return;
		}
		status = err;
	}

	if (!status && usb_pipein(urb->pipe) &&
	    (urb->transfer_flags & URB_SHORT_NOT_OK) &&
	    urbp->done < urbp->total)
		status = -EREMOTEIO;
	usbfront_finish(info, urbp, status, done);
}

/**
 * usbfront_protocol_error() - the backend broke the protocol
 * @info: controller, lock held
 * @what: what it did, for the log and xenstore
 *
 * Nothing more is read from the rings; the error work fails every URB
 * with -ESHUTDOWN, tears the rings down and closes the device.
 */
void usbfront_protocol_error(struct usbfront_info *info, const char *what)
{
	if (info->link != USBFRONT_UP)
		return;
	info->link = USBFRONT_BROKEN;
	info->error_what = what;
	info->stats.protocol_errors++;
	dev_err_ratelimited(&info->xbdev->dev,
			    "backend protocol error: %s; disconnecting\n", what);
	trace_usbfront_error(dev_name(&info->xbdev->dev), what);
	schedule_work(&info->error_work);
}

/* Consume URB ring responses. Return: responses seen, or -EPROTO. */
static int usbfront_urb_responses(struct usbfront_info *info,
				  struct list_head *done, bool *more)
{
	struct xenusb_urb_front_ring *ring = &info->urb_ring;
	struct xenusb_urb_response raw;
	struct usbfront_shadow *sh;
	struct usbfront_rsp rsp;
	RING_IDX i, rp;
	int n = 0;

	rp = READ_ONCE(ring->sring->rsp_prod);
	/* More responses than requests outstanding: producer overflow. */
	if (rp - ring->rsp_cons > ring->req_prod_pvt - ring->rsp_cons) {
		usbfront_protocol_error(info, "urb ring response producer overflow");
		return -EPROTO;
	}
	virt_rmb();	/* responses up to rp are visible */

	for (i = ring->rsp_cons; i != rp; i++) {
		RING_COPY_RESPONSE(ring, i, &raw);
		ring->rsp_cons = i + 1;
		n++;
		if (!usbfront_id_in_use(&info->ids, raw.id) ||
		    info->shadow[raw.id].held) {
			usbfront_protocol_error(info, "response with an unknown or duplicate id");
			return -EPROTO;
		}
		sh = &info->shadow[raw.id];
		if (!usbfront_end_grants(sh)) {
			/* The URB can never be given back while mapped. */
			sh->held = true;
			info->nheld++;
			info->stats.grants_held++;
			usbfront_protocol_error(info,
						"backend still holds a grant of an answered request");
			return -EPROTO;
		}
		usbfront_rsp_check(&raw, &sh->inf, &rsp);
		if (rsp.clamped && !(sh->inf.unlink || !sh->urbp ||
				     sh->urbp->dequeued)) {
			info->stats.clamped++;
			dev_warn_ratelimited(&info->xbdev->dev,
					     "response %u out of range (status %d, length %d, errors %d): clamped\n",
					     raw.id, raw.status,
					     raw.actual_length,
					     raw.error_count);
		}
		usbfront_id_release(&info->ids, raw.id);
		info->stats.responses++;
		trace_usbfront_response(dev_name(&info->xbdev->dev), raw.id,
					rsp.status, rsp.actual_length);
		if (sh->urbp) {
			struct usbfront_urbp *urbp = sh->urbp;

			sh->urbp = NULL;
			usbfront_complete(info, urbp, &rsp, done);
		}
	}
	RING_FINAL_CHECK_FOR_RESPONSES(ring, *more);
	return n;
}

/*
 * One round over both rings. Return: events seen (negative after a
 * protocol error); *more when responses are left.
 */
static int usbfront_process(struct usbfront_info *info,
			    struct list_head *done, bool *rh_changed,
			    bool *more)
{
	bool more_urb = false, more_conn = false;
	int n, c;

	n = usbfront_urb_responses(info, done, &more_urb);
	if (n < 0)
		return n;
	c = usbfront_conn_process(info, rh_changed, &more_conn);
	if (c < 0)
		return c;
	usbfront_kick(info, done);
	usbfront_push(info);
	*more = more_urb || more_conn;
	return n + c;
}

/**
 * usbfront_interrupt() - event channel handler (lateeoi)
 * @irq: the irq
 * @dev_id: struct usbfront_info
 *
 * An event that brought nothing is signalled as spurious, so a backend
 * that floods the channel gets throttled by the event core.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t usbfront_interrupt(int irq, void *dev_id)
{
	struct usbfront_info *info = dev_id;
	unsigned int eoi = XEN_EOI_FLAG_SPURIOUS;
	bool rh_changed = false, more = false;
	unsigned long flags;
	LIST_HEAD(done);
	int round, n;

	spin_lock_irqsave(&info->lock, flags);
	for (round = 0; round < USBFRONT_IRQ_ROUNDS; round++) {
		if (info->link != USBFRONT_UP)
			break;
		n = usbfront_process(info, &done, &rh_changed, &more);
		if (n > 0)
			eoi = 0;
		if (n < 0 || !more)
			break;
	}
	/* A busy backend: go on from process context. */
	if (more && info->link == USBFRONT_UP)
		schedule_work(&info->poll_work);
	spin_unlock_irqrestore(&info->lock, flags);

	usbfront_giveback_list(info, &done);
	if (rh_changed)
		usb_hcd_poll_rh_status(info->hcd);
	xen_irq_lateeoi(irq, eoi);
	return IRQ_HANDLED;
}

static void usbfront_poll_work(struct work_struct *work)
{
	struct usbfront_info *info = container_of(work, struct usbfront_info,
						  poll_work);
	bool rh_changed, more;
	unsigned long flags;
	LIST_HEAD(done);
	int n;

	do {
		rh_changed = false;
		more = false;
		spin_lock_irqsave(&info->lock, flags);
		n = info->link == USBFRONT_UP ?
		    usbfront_process(info, &done, &rh_changed, &more) : -1;
		spin_unlock_irqrestore(&info->lock, flags);
		usbfront_giveback_list(info, &done);
		if (rh_changed)
			usb_hcd_poll_rh_status(info->hcd);
		cond_resched();
	} while (n >= 0 && more);
}

/* Retry the grants of one shadow; give its URB back once all ended. */
static void usbfront_release_shadow(struct usbfront_info *info, u16 id,
				    struct list_head *done)
{
	struct usbfront_shadow *sh = &info->shadow[id];
	struct usbfront_urbp *urbp;

	if (!usbfront_end_grants(sh)) {
		if (!sh->held) {
			sh->held = true;
			info->nheld++;
			info->stats.grants_held++;
		}
		return;
	}
	if (sh->held) {
		sh->held = false;
		info->nheld--;
	}
	urbp = sh->urbp;
	sh->urbp = NULL;
	usbfront_id_release(&info->ids, id);
	if (urbp) {
		urbp->req_id = -1;
		usbfront_finish(info, urbp, -ESHUTDOWN, done);
	}
}

/**
 * usbfront_fail_all() - complete every URB with -ESHUTDOWN
 * @info: controller, lock held, link no longer up
 * @done: giveback list
 *
 * URBs whose grants the backend still holds stay behind; the reclaim
 * work retries them.
 */
void usbfront_fail_all(struct usbfront_info *info, struct list_head *done)
{
	struct usbfront_urbp *urbp, *tmp;
	u16 id;

	list_for_each_entry_safe(urbp, tmp, &info->unlinks, unlink_list) {
		list_del_init(&urbp->unlink_list);
		urbp->unlink_wait = false;
	}
	list_for_each_entry_safe(urbp, tmp, &info->pending, list) {
		list_del_init(&urbp->list);
		usbfront_finish(info, urbp, -ESHUTDOWN, done);
	}
	for (id = 0; id < USBFRONT_NR_IDS; id++)
		if (usbfront_id_in_use(&info->ids, id))
			usbfront_release_shadow(info, id, done);
	if (info->nheld) {
		dev_warn_ratelimited(&info->xbdev->dev,
				     "backend still holds grants of %u requests: their URBs wait\n",
				     info->nheld);
		schedule_delayed_work(&info->reclaim_work,
				      msecs_to_jiffies(usbfront_param_reclaim_ms));
	}
}

/**
 * usbfront_reclaim() - retry grants a backend still held at teardown
 * @work: info->reclaim_work
 */
void usbfront_reclaim(struct work_struct *work)
{
	struct usbfront_info *info = container_of(to_delayed_work(work),
						  struct usbfront_info,
						  reclaim_work);
	unsigned long flags;
	LIST_HEAD(done);
	u16 id;

	spin_lock_irqsave(&info->lock, flags);
	for (id = 0; id < USBFRONT_NR_IDS; id++)
		if (info->shadow[id].held)
			usbfront_release_shadow(info, id, &done);
	if (info->nheld)
		schedule_delayed_work(&info->reclaim_work,
				      msecs_to_jiffies(usbfront_param_reclaim_ms));
	spin_unlock_irqrestore(&info->lock, flags);
	usbfront_giveback_list(info, &done);
}

/**
 * usbfront_ring_init() - set up the per-controller ring state once
 * @info: controller
 */
void usbfront_ring_init(struct usbfront_info *info)
{
	usbfront_ids_init(&info->ids, USBFRONT_NR_IDS);
	INIT_LIST_HEAD(&info->pending);
	INIT_LIST_HEAD(&info->unlinks);
	INIT_WORK(&info->poll_work, usbfront_poll_work);
	INIT_DELAYED_WORK(&info->reclaim_work, usbfront_reclaim);
}
