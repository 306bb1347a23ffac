// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront isochronous transfers: the frame descriptors travel in pages
 * of their own, granted writable after the data segments. xen-hcd grants
 * the URB's own iso_frame_desc array, which lets the backend write into
 * the middle of a struct urb; here the backend only ever writes into a
 * page-aligned buffer this driver owns, and only the checked values
 * (actual length and status of each packet) are copied back into the
 * URB, after the grants have been ended.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <xen/page.h>

#include "common.h"

/**
 * usbfront_iso_prepare() - build the descriptor pages of an iso URB
 * @urbp: per-URB state of an isochronous URB
 * @mem_flags: allocation flags from urb_enqueue
 *
 * Return: 0, -EINVAL for an URB without packets, -EMSGSIZE if the
 * descriptors alone would use every segment of a request, -ENOMEM.
 */
int usbfront_iso_prepare(struct usbfront_urbp *urbp, gfp_t mem_flags)
{
	struct urb *urb = urbp->urb;
	u32 bytes, npages;
	int i;

	if (urb->number_of_packets <= 0)
		return -EINVAL;
	bytes = urb->number_of_packets * XENUSB_ISO_DESC_SIZE;
	npages = DIV_ROUND_UP(bytes, XEN_PAGE_SIZE);
	if (npages >= XENUSB_MAX_SEGMENTS_PER_REQUEST)
		return -EMSGSIZE;

	urbp->iso_descs = alloc_pages_exact(npages * XEN_PAGE_SIZE,
					    mem_flags | __GFP_ZERO);
	if (!urbp->iso_descs)
		return -ENOMEM;
	urbp->iso_npages = npages;
	for (i = 0; i < urb->number_of_packets; i++) {
		urbp->iso_descs[i].offset = urb->iso_frame_desc[i].offset;
		urbp->iso_descs[i].length = urb->iso_frame_desc[i].length;
	}
	return 0;
}

/**
 * usbfront_iso_free() - free the descriptor pages
 * @urbp: per-URB state; its descriptor grants must be ended
 */
void usbfront_iso_free(struct usbfront_urbp *urbp)
{
	if (!urbp->iso_descs)
		return;
	free_pages_exact(urbp->iso_descs, urbp->iso_npages * XEN_PAGE_SIZE);
	urbp->iso_descs = NULL;
	urbp->iso_npages = 0;
}

/**
 * usbfront_iso_complete() - copy checked packet results into the URB
 * @info: controller, lock held
 * @urbp: per-URB state whose grants have all been ended
 *
 * The descriptor pages are no longer shared, so the checks run on memory
 * the backend cannot change any more. Offsets and lengths stay the ones
 * the URB asked for; only actual_length (clamped to the packet) and the
 * status come from the backend. actual_length and error_count of the URB
 * are recomputed here rather than taken from the response.
 */
void usbfront_iso_complete(struct usbfront_info *info,
			   struct usbfront_urbp *urbp)
{
	struct urb *urb = urbp->urb;
	u32 total = 0, errors = 0;
	int fixed, i;

	fixed = usbfront_iso_rsp_check(urbp->iso_descs, urb->number_of_packets,
				       urb->transfer_buffer_length);
	if (fixed) {
		info->stats.iso_fixed += fixed;
		dev_warn_ratelimited(&info->xbdev->dev,
				     "%d isochronous frame descriptors out of range: fixed\n",
				     fixed);
	}
	for (i = 0; i < urb->number_of_packets; i++) {
		struct usb_iso_packet_descriptor *d = &urb->iso_frame_desc[i];
		const struct xenusb_iso_desc *x = &urbp->iso_descs[i];

		d->actual_length = min(x->actual_length, d->length);
		d->status = x->status;
		if (d->status)
			errors++;
		total += d->actual_length;
		if (usb_pipein(urb->pipe))
			info->stats.bytes_in += d->actual_length;
		else
			info->stats.bytes_out += d->actual_length;
	}
	urb->actual_length = min(total, urb->transfer_buffer_length);
	urb->error_count = errors;
}
