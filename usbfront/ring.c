// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront URB ring, submission side: URBs become requests, and URBs
 * leave the ring's books (giveback, teardown, reclaim). The responses
 * come in through rsp.c, which calls into this file, never the reverse.
 *
 * Buffers are granted page by page from their struct pages (scatterlist,
 * vmalloc or linear memory), so a request carries up to 16 pages and a
 * bulk URB that does not fit one request is cut into several, one after
 * the other, on whole max-packet boundaries (usbfront_split_next()).
 * While such an URB is on its way its endpoint is held, so no later URB
 * of the same endpoint overtakes it; control endpoints are held for
 * every transfer, so their queue runs one transfer at a time.
 *
 * The ring slot, the id and the request's fields come from the core
 * (req_build.c); this file grants the pages and keeps the URB state.
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
	u32 len = urbp->prog.total;
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

	usbfront_frags_linear(base % XEN_PAGE_SIZE, urbp->prog.total, urbp->frags,
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
	urbp->prog.total = len;
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
		urbp->prog.zlp = usbfront_param_zlp && usb_pipeout(urb->pipe) &&
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

/**
 * usbfront_end_grants() - end every grant of a request
 * @info: controller, lock held
 * @id: request id
 *
 * Grants that end are forgotten, so a later retry only looks at the
 * ones the backend still holds; each one still held is counted.
 *
 * Return: true if no grant of the request is left.
 */
bool usbfront_end_grants(struct usbfront_info *info, u16 id)
{
	struct usbfront_shadow *sh = &info->shadow[id];
	bool all = true;
	u16 i;

	for (i = 0; i < sh->ngrefs; i++) {
		if (sh->gref[i] == INVALID_GRANT_REF)
			continue;
		if (gnttab_try_end_foreign_access(sh->gref[i]))
			sh->gref[i] = INVALID_GRANT_REF;
		else
			all = false;
	}
	if (!all)
		info->stats.grants_held++;
	return all;
}

/*
 * Grant @gfn to the backend; the segment goes to @seg (the request's
 * segments, or the indirect page) at the index of the grant in @sh.
 */
static int usbfront_grant_seg(struct usbfront_info *info,
			      struct usbfront_shadow *sh,
			      struct xenusb_request_segment *seg,
			      unsigned long gfn, u16 offset, u16 len,
			      bool readonly)
{
	int ref;

	ref = gnttab_grant_foreign_access(info->xbdev->otherend_id, gfn,
					  readonly);
	if (ref < 0)
		return ref;
	seg[sh->ngrefs].gref = ref;
	seg[sh->ngrefs].offset = offset;
	seg[sh->ngrefs].length = len;
	sh->gref[sh->ngrefs++] = ref;
	return 0;
}

/* Grant bytes @pos..@pos+@len of the URB buffer, one segment per piece. */
static int usbfront_grant_data(struct usbfront_info *info,
			       struct usbfront_urbp *urbp,
			       struct usbfront_shadow *sh,
			       struct xenusb_request_segment *seg, u32 pos,
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
		err = usbfront_grant_seg(info, sh, seg, urbp->gfns[i],
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
	u16 i;

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

/* Account a request the core has put on the ring (pushed later). */
static void usbfront_queued(struct usbfront_info *info,
			    const struct xenusb_urb_request *req)
{
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
int usbfront_send(struct usbfront_info *info, struct usbfront_urbp *urbp)
{
	struct urb *urb = urbp->urb;
	bool in = usb_pipein(urb->pipe);
	struct xenusb_request_segment *seg;
	u32 max_segs, max_bytes, ind_ref;
	struct usbfront_xfer x = {};
	struct xenusb_urb_request req;
	struct usbfront_shadow *sh;
	struct usbfront_frag desc[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	u32 len = 0, nd = 0;
	u16 ndata;
	bool zlp = false, zero_flag;
	int id, err;
	u16 i;

	/*
	 * feature-zero-packet: URB_ZERO_PACKET travels as a flag on the
	 * last request instead of an extra zero-length request.
	 */
	zero_flag = usb_pipebulk(urb->pipe) && !in &&
		    (urb->transfer_flags & URB_ZERO_PACKET) &&
		    xenusb_feat_on(&info->ring.feat, XENUSB_FEAT_ZERO_PACKET);
	if (zero_flag)
		urbp->prog.zlp = false;

	x.pipe = usbfront_pipe(urb);
	usbfront_req_limits(&info->ring, xenusb_pipetype(x.pipe),
			    urbp->iso_npages, &max_segs, &max_bytes);
	if (urbp->prog.done < urbp->prog.total) {
		len = usbfront_split_next(urbp->frags, urbp->nfrags,
					  urbp->prog.done, urbp->maxp, max_segs,
					  max_bytes);
		if (!len)
			return -EMSGSIZE;
		x.nr_segs = usbfront_split_segs(urbp->frags, urbp->nfrags,
						urbp->prog.done, len);
	} else if (urbp->prog.zlp) {
		zlp = true;
	}

	if (usb_pipedevice(urb->pipe))
		usbfront_rh_addressed(&info->rh, xenusb_pipeportnum(x.pipe));
	x.length = len;
	x.zero_packet = zero_flag && urbp->prog.done + len == urbp->prog.total;
	switch (usb_pipetype(urb->pipe)) {
	case PIPE_ISOCHRONOUS:
		x.interval = urb->interval;
		x.start_frame = urb->start_frame;
		x.nr_packets = urb->number_of_packets;
		break;
	case PIPE_INTERRUPT:
		x.interval = urb->interval;
		break;
	case PIPE_CONTROL:
		memcpy(x.setup, urb->setup_packet, sizeof(x.setup));
		break;
	default:
		break;
	}
	id = usbfront_req_start(&info->ring, &x, &req);
	if (id < 0)
		return id;
	sh = &info->shadow[id];
	sh->ngrefs = 0;
	seg = req.seg;
	if (req.transfer_flags & XENUSB_INDIRECT) {
		/* usbfront_connect() gave every id its page. */
		seg = sh->ind;
		max_segs = XENUSB_MAX_INDIRECT_SEGS;
	} else {
		max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST - urbp->iso_npages;
	}

	err = usbfront_grant_data(info, urbp, sh, seg, urbp->prog.done, len,
				  max_segs, !in);
	if (err)
		goto fail;
	ndata = sh->ngrefs;

	if (usb_pipeisoc(urb->pipe)) {
		/*
		 * Descriptor pages are ours: the backend writes them back.
		 * The segments name exactly the descriptors, not whole
		 * pages: the protocol (and usbback) wants their lengths to
		 * add up to number_of_packets * XENUSB_ISO_DESC_SIZE.
		 */
		nd = usbfront_frags_linear(0, urb->number_of_packets *
					   XENUSB_ISO_DESC_SIZE, desc,
					   urbp->iso_npages);
		if (!nd) {
			err = -EMSGSIZE;
			goto fail;
		}
		for (i = 0; i < nd; i++) {
			err = usbfront_grant_seg(info, sh, req.seg,
						 virt_to_gfn((u8 *)urbp->iso_descs +
							     i * XEN_PAGE_SIZE),
						 desc[i].offset, desc[i].len,
						 false);
			if (err)
				goto fail;
		}
	}

	if (req.transfer_flags & XENUSB_INDIRECT) {
		/* The backend only reads the descriptors. */
		ind_ref = gnttab_grant_foreign_access(info->xbdev->otherend_id,
						      virt_to_gfn(sh->ind), 1);
		if ((int)ind_ref < 0) {
			err = (int)ind_ref;
			goto fail;
		}
		sh->gref[sh->ngrefs++] = ind_ref;
	}

	sh->urbp = urbp;
	if (req.transfer_flags & XENUSB_INDIRECT)
		err = usbfront_req_queue_indirect(&info->ring, &req, ndata,
						  ind_ref);
	else
		err = usbfront_req_queue(&info->ring, &req, (u8)ndata, nd);
	if (err) {
		/* The core released the id: only the grants are left. */
		sh->urbp = NULL;
		usbfront_ungrant(sh);
		return err;
	}
	usbfront_queued(info, &req);
	if (req.transfer_flags & XENUSB_INDIRECT)
		info->stats.indirect_requests++;

	urbp->req_id = id;
	urbp->prog.cur_len = len;
	if (zlp) {
		urbp->prog.zlp = false;
		info->stats.zlp_requests++;
	}
	if (x.zero_packet)
		info->stats.zlp_flags++;
	if (!urbp->split && urbp->prog.done + len < urbp->prog.total)
		info->stats.split_urbs++;
	/* Hold the endpoint while more requests of this URB follow. */
	if (!urbp->split && usbfront_xfer_hold(&urbp->prog, len,
					       usb_pipecontrol(urb->pipe))) {
		urbp->split = true;
		urb->ep->hcpriv = urbp;
	}
	return 0;

fail:
	usbfront_ungrant(sh);
	usbfront_req_abort(&info->ring, id);
	if (err == -ENOSPC)
		err = -ENOMEM;
	dev_warn_ratelimited(&info->xbdev->dev,
			     "cannot grant URB buffer: %d\n", err);
	return err;
}

/**
 * usbfront_finish() - take an URB off the ring's books
 * @info: controller, lock held
 * @urbp: URB with no request on the ring
 * @status: status for its giveback
 * @done: giveback list it goes on
 */
void usbfront_finish(struct usbfront_info *info, struct usbfront_urbp *urbp,
		     int status, struct list_head *done)
{
	struct urb *urb = urbp->urb;

	if (urbp->unlink_wait) {
		list_del_init(&urbp->unlink_list);
		urbp->unlink_wait = false;
	}
	if (urb->ep->hcpriv == urbp)
		urb->ep->hcpriv = NULL;
	if (!usb_pipeisoc(urb->pipe))
		urb->actual_length = min(urbp->prog.done,
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
	u32 pipe = usbfront_pipe(urbp->urb);
	int id;

	id = usbfront_req_unlink(&info->ring, urbp->req_id, pipe);
	if (id < 0)
		return id;
	info->shadow[id].urbp = NULL;
	info->shadow[id].ngrefs = 0;
	info->stats.requests++;
	trace_usbfront_request(dev_name(&info->xbdev->dev), id,
			       pipe | XENUSB_PIPE_UNLINK, 0, 0);
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
	if (urbp->prog.dequeued)
		return;
	urbp->prog.dequeued = true;
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
 * usbfront_send_port_reset() - have the backend reset a port's device
 * @info: controller, lock held
 * @port: port the hub driver just put into reset
 *
 * With feature-port-reset, the reset of a port holding a device is a
 * request to the backend, which resets the host device; the port's
 * reset ends with the answer. Without the feature, or when no ring slot
 * is free, the reset stays local as in the base protocol.
 */
void usbfront_send_port_reset(struct usbfront_info *info, u8 port)
{
	struct xenusb_urb_request req;
	int id;

	if (info->link != USBFRONT_UP ||
	    !xenusb_feat_on(&info->ring.feat, XENUSB_FEAT_PORT_RESET) ||
	    !usbfront_rh_reset_remote(&info->rh, port))
		return;
	id = usbfront_req_port_reset(&info->ring, port, &req);
	if (id < 0) {
		usbfront_rh_reset_answer(&info->rh, port, true);
		dev_warn_ratelimited(&info->xbdev->dev,
				     "port %u: no ring slot for a port reset request (%d): reset locally\n",
				     port, id);
		return;
	}
	info->shadow[id].urbp = NULL;
	info->shadow[id].ngrefs = 0;
	usbfront_queued(info, &req);
	info->stats.port_resets++;
	usbfront_push(info);
}

/**
 * usbfront_push() - publish queued requests and notify the backend
 * @info: controller, lock held
 */
void usbfront_push(struct usbfront_info *info)
{
	if (info->link != USBFRONT_UP)
		return;
	if (usbfront_req_push(&info->ring))
		notify_remote_via_irq(info->irq);
}

/* Retry the grants of one request; give its URB back once all ended. */
static void usbfront_release_shadow(struct usbfront_info *info, u16 id,
				    struct list_head *done)
{
	struct usbfront_shadow *sh = &info->shadow[id];
	struct usbfront_urbp *urbp;

	if (usbfront_ring_release(&info->ring, id))
		return;
	urbp = sh->urbp;
	sh->urbp = NULL;
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
	for (id = 0; id < info->nr_shadow; id++)
		if (usbfront_id_in_use(&info->ring.ids, id))
			usbfront_release_shadow(info, id, done);
	if (info->ring.nheld) {
		dev_warn_ratelimited(&info->xbdev->dev,
				     "backend still holds grants of %u requests: their URBs wait\n",
				     info->ring.nheld);
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
	for (id = 0; id < info->nr_shadow; id++)
		if (info->ring.held[id])
			usbfront_release_shadow(info, id, &done);
	if (info->ring.nheld)
		schedule_delayed_work(&info->reclaim_work,
				      msecs_to_jiffies(usbfront_param_reclaim_ms));
	spin_unlock_irqrestore(&info->lock, flags);
	usbfront_giveback_list(info, &done);
}

/**
 * usbfront_queue_init() - set up the per-controller URB queues once
 * @info: controller
 */
void usbfront_queue_init(struct usbfront_info *info)
{
	INIT_LIST_HEAD(&info->pending);
	INIT_LIST_HEAD(&info->unlinks);
	INIT_DELAYED_WORK(&info->reclaim_work, usbfront_reclaim);
}
