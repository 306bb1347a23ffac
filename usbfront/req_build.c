// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront request building: a transfer description becomes a request
 * on the URB ring. The core takes the ring slot and the id, fills the
 * request from the description, remembers what was sent (the limits
 * usbfront_rsp_check() holds the answer to) and puts the request on the
 * ring once the implementer has granted its segments; granting memory is
 * the implementer's part.
 */

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "core.h"

/* Largest buffer_length the base protocol carries (the field is u16). */
#define USBFRONT_REQ_MAX_BYTES	65535u

/* The request with @id fills the next slot; published at the next push. */
static void usbfront_req_slot(struct usbfront_ring *r, u16 id)
{
	r->slot_id[r->urb.req_prod_pvt % USBFRONT_RING_IDS] = id;
	r->posted[id] = false;
	r->urb.req_prod_pvt++;
}

/*
 * A free ring slot and id for a request, remembering what it may be
 * answered with (@want). Return: the id, or -EBUSY.
 */
static int usbfront_req_take(struct usbfront_ring *r,
			     const struct usbfront_inflight *want)
{
	int id;

	if (RING_FULL(&r->urb))
		return -EBUSY;
	id = usbfront_id_alloc(&r->ids);
	if (id < 0)
		return -EBUSY;
	r->inf[id] = *want;
	return id;
}

/**
 * usbfront_req_start() - take a slot and an id for a data request
 * @r: rings
 * @x: what the request carries
 * @req: request to fill; its segments are the caller's
 *
 * A bulk request of more than 16 segments or 65535 bytes goes out as an
 * indirect request when large transfers were negotiated: XENUSB_INDIRECT,
 * buffer_length 0, its length in the union; its segments then go into an
 * indirect page (usbfront_req_queue_indirect()).
 *
 * Return: the id, -EBUSY when no ring slot or id is free (the caller
 * queues the transfer until a response frees one), -EINVAL for a
 * description the wire cannot carry (also a zero-packet flag on anything
 * but bulk OUT, or without feature-zero-packet).
 */
int usbfront_req_start(struct usbfront_ring *r, const struct usbfront_xfer *x,
		       struct xenusb_urb_request *req)
{
	u8 type = xenusb_pipetype(x->pipe);
	const struct usbfront_inflight want = {
		.type = type,
		.in = !!(x->pipe & XENUSB_PIPE_DIR),
		.length = x->length,
		.nr_packets = type == XENUSB_PIPE_TYPE_ISOC ? x->nr_packets : 0,
	};
	bool indirect = false;
	int id;

	if (x->length > USBFRONT_REQ_MAX_BYTES ||
	    x->nr_segs > XENUSB_MAX_SEGMENTS_PER_REQUEST) {
		if (type != XENUSB_PIPE_TYPE_BULK || !x->length ||
		    x->nr_segs > r->feat.val[XENUSB_FEAT_MAX_INDIRECT] ||
		    x->length > (u32)r->feat.val[XENUSB_FEAT_MAX_INDIRECT] * XENUSB_PAGE_SIZE)
			return -EINVAL;
		indirect = true;
	}
	if (x->pipe & (XENUSB_PIPE_UNLINK | XENUSB_PIPE_RESERVED))
		return -EINVAL;
	if (x->zero_packet &&
	    (!xenusb_feat_on(&r->feat, XENUSB_FEAT_ZERO_PACKET) ||
	     type != XENUSB_PIPE_TYPE_BULK || (x->pipe & XENUSB_PIPE_DIR)))
		return -EINVAL;
	id = usbfront_req_take(r, &want);
	if (id < 0)
		return id;

	memset(req, 0, sizeof(*req));
	req->id = id;
	req->pipe = x->pipe;
	/*
	 * SHORT_NOT_OK stays off the wire: the frontend turns a short
	 * transfer into -EREMOTEIO itself (usbfront_xfer_next()), also
	 * across split requests.
	 */
	req->transfer_flags = x->zero_packet ? XENUSB_ZERO_PACKET : 0;
	req->buffer_length = x->length;
	if (indirect) {
		req->transfer_flags |= XENUSB_INDIRECT;
		req->buffer_length = 0;
		xenusb_indirect_len_set(req, x->length);
	}
	switch (type) {
	case XENUSB_PIPE_TYPE_ISOC:
		req->u.isoc.interval = x->interval;
		req->u.isoc.start_frame = x->start_frame;
		req->u.isoc.number_of_packets = x->nr_packets;
		break;
	case XENUSB_PIPE_TYPE_INT:
		req->u.intr.interval = x->interval;
		break;
	case XENUSB_PIPE_TYPE_CTRL:
		memcpy(req->u.ctrl, x->setup, sizeof(req->u.ctrl));
		break;
	default:
		break;
	}
	return id;
}

/**
 * usbfront_req_port_reset() - queue a port reset (feature-port-reset)
 * @r: rings
 * @port: root-hub port whose device the backend is to reset, 1..31
 * @req: filled with the request as queued (for traces)
 *
 * The request: XENUSB_PORT_RESET alone in transfer_flags, a control pipe
 * to endpoint 0 of @port, OUT, device address 0, no segment. Its answer
 * ends the port's reset (usbfront_rh_reset_answer()). Visible to the
 * backend after usbfront_req_push().
 *
 * Return: the id, -EBUSY when no ring slot or id is free, -EINVAL when
 * the feature is off or @port is not a port.
 */
int usbfront_req_port_reset(struct usbfront_ring *r, u8 port,
			    struct xenusb_urb_request *req)
{
	struct xenusb_pipe p = {
		.port = port,
		.type = XENUSB_PIPE_TYPE_CTRL,
	};
	const struct usbfront_inflight want = {
		.type = XENUSB_PIPE_TYPE_CTRL,
		.reset_port = port,
	};
	int id;

	if (!xenusb_feat_on(&r->feat, XENUSB_FEAT_PORT_RESET) ||
	    port < 1 || port > XENUSB_MAX_PORTNR)
		return -EINVAL;
	id = usbfront_req_take(r, &want);
	if (id < 0)
		return id;

	memset(req, 0, sizeof(*req));
	req->id = id;
	req->pipe = xenusb_pipe_encode(&p);
	req->transfer_flags = XENUSB_PORT_RESET;
	*RING_GET_REQUEST(&r->urb, r->urb.req_prod_pvt) = *req;
	usbfront_req_slot(r, id);
	return id;
}

/**
 * usbfront_req_abort() - give back the id of a request never queued
 * @r: rings
 * @id: id from usbfront_req_start()
 */
void usbfront_req_abort(struct usbfront_ring *r, u16 id)
{
	usbfront_id_release(&r->ids, id);
}

/**
 * usbfront_req_queue() - put a filled request on the ring
 * @r: rings
 * @req: request from usbfront_req_start() with its segments filled:
 *	@nr_data data segments, then @nr_desc isochronous descriptor ones
 * @nr_data: data segments
 * @nr_desc: descriptor segments (isochronous only)
 *
 * The request is visible to the backend after usbfront_req_push().
 *
 * Return: 0, or -EINVAL when the segments do not fit one request or an
 * isochronous request has no descriptor segment (the id is then
 * released and nothing is queued).
 */
int usbfront_req_queue(struct usbfront_ring *r,
		       struct xenusb_urb_request *req, u8 nr_data,
		       u8 nr_desc)
{
	bool iso = xenusb_pipetype(req->pipe) == XENUSB_PIPE_TYPE_ISOC;

	if (nr_data + nr_desc > XENUSB_MAX_SEGMENTS_PER_REQUEST ||
	    (iso && !nr_desc) || (!iso && nr_desc)) {
		usbfront_req_abort(r, req->id);
		return -EINVAL;
	}
	req->nr_buffer_segs = nr_data;
	if (iso)
		req->u.isoc.nr_frame_desc_segs = nr_desc;
	*RING_GET_REQUEST(&r->urb, r->urb.req_prod_pvt) = *req;
	usbfront_req_slot(r, req->id);
	return 0;
}

/**
 * usbfront_req_queue_indirect() - put a filled indirect request on the ring
 * @r: rings
 * @req: request from usbfront_req_start() marked XENUSB_INDIRECT
 * @nr_data: data segments the implementer wrote into the indirect page
 * @ind_gref: grant of that page (read-only for the backend)
 *
 * The descriptors start at offset 0 of the one indirect page; 256 of
 * them take half of it.
 *
 * Return: 0, or -EINVAL when @req is not indirect or @nr_data is 0 or
 * above the negotiated maximum (the id is then released, nothing queued).
 */
int usbfront_req_queue_indirect(struct usbfront_ring *r,
				struct xenusb_urb_request *req, u16 nr_data,
				u32 ind_gref)
{
	if (!(req->transfer_flags & XENUSB_INDIRECT) || !nr_data ||
	    nr_data > r->feat.val[XENUSB_FEAT_MAX_INDIRECT] ||
	    nr_data > XENUSB_INDIRECT_PER_PAGE) {
		usbfront_req_abort(r, req->id);
		return -EINVAL;
	}
	req->seg[0].gref = ind_gref;
	req->seg[0].offset = 0;
	req->seg[0].length = nr_data * XENUSB_INDIRECT_DESC_SIZE;
	return usbfront_req_queue(r, req, 1, 0);
}

/**
 * usbfront_req_limits() - what one request of a transfer may carry
 * @r: rings
 * @type: XENUSB_PIPE_TYPE_* of the transfer
 * @iso_pages: isochronous descriptor pages each request needs
 * @max_segs: receives the data segments one request may have
 * @max_bytes: receives the bytes one request may carry
 *
 * A bulk transfer takes the negotiated indirect maximum (one request per
 * URB up to that size); everything else the base protocol's 16 segments
 * and 65535 bytes.
 */
void usbfront_req_limits(const struct usbfront_ring *r, u8 type,
			 u32 iso_pages, u32 *max_segs, u32 *max_bytes)
{
	if (type == XENUSB_PIPE_TYPE_BULK && r->feat.val[XENUSB_FEAT_MAX_INDIRECT]) {
		*max_segs = r->feat.val[XENUSB_FEAT_MAX_INDIRECT];
		*max_bytes = (u32)r->feat.val[XENUSB_FEAT_MAX_INDIRECT] * XENUSB_PAGE_SIZE;
		return;
	}
	*max_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST - iso_pages;
	*max_bytes = USBFRONT_REQ_MAX_BYTES;
}

/**
 * usbfront_req_unlink() - queue an unlink request
 * @r: rings
 * @victim: id of the request to cancel (in flight)
 * @pipe: its pipe; the unlink bit is added
 *
 * Both the unlink and its victim get a response; the victim keeps its
 * id until its own response.
 *
 * Return: the unlink's id, -EBUSY when no ring slot or id is free,
 * -EINVAL when @victim is not in flight.
 */
int usbfront_req_unlink(struct usbfront_ring *r, u16 victim, u32 pipe)
{
	const struct usbfront_inflight want = {
		.type = xenusb_pipetype(pipe),
		.unlink = true,
	};
	struct xenusb_urb_request *req;
	int id;

	if (!usbfront_id_in_use(&r->ids, victim) || r->inf[victim].unlink)
		return -EINVAL;
	id = usbfront_req_take(r, &want);
	if (id < 0)
		return id;

	req = RING_GET_REQUEST(&r->urb, r->urb.req_prod_pvt);
	memset(req, 0, sizeof(*req));
	req->id = id;
	req->pipe = (pipe & ~XENUSB_PIPE_RESERVED) | XENUSB_PIPE_UNLINK;
	req->u.unlink.unlink_id = victim;
	usbfront_req_slot(r, id);
	return id;
}

/**
 * usbfront_req_push() - publish queued requests
 * @r: rings
 *
 * From here on the backend may answer them: a response naming a request
 * still unpublished is one the backend could only have guessed.
 *
 * Return: true if the backend asked to be notified.
 */
bool usbfront_req_push(struct usbfront_ring *r)
{
	int notify;

	if (r->broken)
		return false;
	for (; r->pushed != r->urb.req_prod_pvt; r->pushed++)
		r->posted[r->slot_id[r->pushed % USBFRONT_RING_IDS]] = true;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->urb, notify);
	return notify;
}
