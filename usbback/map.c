// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the grant-mapping data path (buffer_mode=map).
 *
 * The data segments of a bulk request are mapped into pages of the slot
 * and handed to the host controller as a scatter-gather URB: the device
 * reads or writes the guest's memory directly, with no copy on either
 * side.  OUT buffers are mapped read-only, IN buffers writable.
 *
 * "Every grant of a request is released before its response": the
 * completion path unmaps every grant before usbback_respond(), and every
 * error path after a successful map does the same.  The pages come from
 * gnttab_alloc_pages() and stay with the slot between requests, grown on
 * demand, so a request in steady state allocates nothing.
 *
 * Control (the descriptor fixup reads the data), isochronous (packets and
 * their descriptors are post-processed) and interrupt requests (a few
 * bytes) stay on the copy path; so does any bulk request the host
 * controller cannot take as scatter-gather.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "common.h"

/* Kernel virtual address of a slot page, as the map hypercall wants it. */
static phys_addr_t usbback_map_addr(struct page *page)
{
	return (phys_addr_t)(unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/**
 * usbback_map_wanted() - is this request to be grant-mapped?
 * @s: slot with a validated request
 * @hep: host endpoint the URB goes to
 *
 * Only bulk requests with data, only with buffer_mode=map, only when the
 * host controller takes the request's segments as one scatter-gather
 * list: enough sg entries, and with no_sg_constraint unset, every
 * segment but the last a whole number of max packets (usb core refuses
 * anything else with -EINVAL).
 *
 * Return: true to map, false to copy.
 */
bool usbback_map_wanted(struct usbback_slot *s, struct usb_host_endpoint *hep)
{
	const struct usbback_req *r = &s->rq->req;
	struct usb_bus *bus = s->dev->udev->bus;
	unsigned int i, max;

	if (READ_ONCE(usbback_buffer_mode) != USBBACK_BUF_MAP)
		return false;
	if (r->pipe.type != XENUSB_PIPE_TYPE_BULK || !r->length ||
	    !r->nr_data_segs)
		return false;
	/* Not a page on this kernel = not a grant: nothing to map into. */
	if (PAGE_SIZE != XEN_PAGE_SIZE)
		return false;
	if (bus->sg_tablesize < r->nr_data_segs)
		return false;
	if (bus->no_sg_constraint)
		return true;
	max = usb_endpoint_maxp(&hep->desc);
	if (!max)
		return false;
	for (i = 0; i + 1 < r->nr_data_segs; i++)
		if (s->rq->seg[i].length % max)
			return false;
	return true;
}

/* Have at least @need pages in the slot's pool.  Return: 0 or -ENOMEM. */
static int usbback_map_grow(struct usbback_slot *s, unsigned int need)
{
	if (!s->m) {
		s->m = kvzalloc(sizeof(*s->m), GFP_NOIO);
		if (!s->m)
			return -ENOMEM;
	}
	if (need <= s->nr_pages)
		return 0;
	if (gnttab_alloc_pages(need - s->nr_pages, &s->m->pages[s->nr_pages]))
		return -ENOMEM;
	s->nr_pages = need;
	return 0;
}

/**
 * usbback_map_prepare() - set aside the pages a mapped request needs
 * @s: slot with a request usbback_map_wanted() accepted
 *
 * Called before anything of the request is answered, so that running
 * out of memory can leave the request on the ring.
 *
 * Return: 0 or -ENOMEM.
 */
int usbback_map_prepare(struct usbback_slot *s)
{
	return usbback_map_grow(s, s->rq->req.nr_data_segs);
}

/**
 * usbback_map() - map the data segments and point the URB at them
 * @s: slot, its pool grown by usbback_map_prepare()
 * @urb: host URB to fill in (sg, num_sgs; no transfer_buffer)
 *
 * On success s->nr_mapped grants are mapped and must be released with
 * usbback_unmap() before the response.  On failure nothing stays mapped.
 *
 * Return: 0, or -EFAULT if the hypervisor refused a grant.
 */
int usbback_map(struct usbback_slot *s, struct urb *urb)
{
	struct usbback_slot_map *m = s->m;
	struct usbback_req *r = &s->rq->req;
	domid_t domid = s->ctrlr->xdev->otherend_id;
	u32 flags = GNTMAP_host_map;
	unsigned int i, n = r->nr_data_segs;
	int err;

	/* The device only reads an OUT buffer. */
	if (!r->pipe.in)
		flags |= GNTMAP_readonly;
	for (i = 0; i < n; i++)
		gnttab_set_map_op(&m->map[i], usbback_map_addr(m->pages[i]),
				  flags, s->rq->seg[i].gref, domid);
	err = gnttab_map_refs(m->map, NULL, m->pages, n);

	/* Keep the handles of what did map: it must be unmapped. */
	bitmap_zero(m->mapped, USBBACK_MAX_SEGS);
	for (i = 0; i < n; i++) {
		m->handle[i] = m->map[i].handle;
		if (m->map[i].status == GNTST_okay)
			__set_bit(i, m->mapped);
		else
			err = -EFAULT;
	}
	s->nr_mapped = n;
	if (err) {
		usbback_unmap(s);
		return -EFAULT;
	}

	sg_init_table(m->sg, n);
	for (i = 0; i < n; i++)
		sg_set_page(&m->sg[i], m->pages[i], s->rq->seg[i].length,
			    s->rq->seg[i].offset);
	urb->sg = m->sg;
	urb->num_sgs = n;
	urb->transfer_buffer = NULL;
	return 0;
}

/**
 * usbback_unmap() - release every grant a request mapped
 * @s: slot; s->nr_mapped and s->m->mapped say what is mapped
 *
 * Process context (a hypercall).  A grant that cannot be unmapped keeps
 * its page: the page is taken out of the pool and never reused nor
 * freed, so no later request and no other user ever sees the guest's
 * frame through it.
 *
 * Return: 0, or -EIO if some grant stayed mapped.
 */
int usbback_unmap(struct usbback_slot *s)
{
	struct usbback_slot_map *m = s->m;
	unsigned int i, n = 0;
	bool failed = false;
	int err = 0;

	if (!m)
		return 0;
	for (i = 0; i < s->nr_mapped; i++) {
		if (!test_bit(i, m->mapped))
			continue;
		gnttab_set_unmap_op(&m->unmap[n],
				    usbback_map_addr(m->pages[i]),
				    GNTMAP_host_map, m->handle[i]);
		m->unmap_pages[n++] = m->pages[i];
	}
	/* A failed hypercall leaves every status unknown: retire them all. */
	if (n && gnttab_unmap_refs(m->unmap, NULL, m->unmap_pages, n))
		failed = true;
	for (i = 0, n = 0; i < s->nr_mapped; i++) {
		if (!test_bit(i, m->mapped))
			continue;
		if (failed || m->unmap[n].status != GNTST_okay) {
			/* Leak the page rather than hand it out again. */
			m->pages[i] = NULL;
			err = -EIO;
		}
		n++;
	}
	if (err) {
		dev_err_ratelimited(&s->ctrlr->xdev->dev,
				    "dom%d: request %u: a grant stayed mapped, its page is retired\n",
				    s->ctrlr->xdev->otherend_id, s->rq->req.id);
		usbback_map_compact(s);
	}
	s->nr_mapped = 0;
	bitmap_zero(m->mapped, USBBACK_MAX_SEGS);
	return err;
}

/**
 * usbback_map_compact() - drop retired (NULL) pages from a slot's pool
 * @s: slot
 */
void usbback_map_compact(struct usbback_slot *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_pages; i++)
		if (s->m->pages[i])
			s->m->pages[n++] = s->m->pages[i];
	s->nr_pages = n;
}

/**
 * usbback_map_free() - give the slot's pages back
 * @s: slot not in use, nothing mapped
 */
void usbback_map_free(struct usbback_slot *s)
{
	if (s->nr_pages)
		gnttab_free_pages(s->nr_pages, s->m->pages);
	s->nr_pages = 0;
	kvfree(s->m);
	s->m = NULL;
}
