// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: validation of urb-ring requests.
 *
 * Everything here works on a private copy of the request (the ring page
 * is shared with the guest, which may rewrite it at any time) and decides
 * only from the copy. A request that passes usbback_req_parse() describes
 * a transfer the backend can map and submit without further checks on
 * the wire fields; usbback_req_check_ep() then matches it against the
 * device's current endpoints. Documentation/protocol.rst lists the rules
 * and why each exists.
 */

#include <linux/string.h>
#include <linux/usb/ch9.h>

#include "core.h"

/*
 * Largest interval usb core hands to a host controller driver for a
 * high-speed device (microframes); usbif.h names the same limit.
 */
#define USBBACK_MAX_INTERVAL	(1024 * 8)

/* The 64 KiB transfer whose length does not fit the u16 buffer_length. */
#define USBBACK_WRAPPED_LEN	65536u

static u16 setup_word(const u8 setup[8], unsigned int at)
{
	return (u16)(setup[at] | (setup[at + 1] << 8));
}

/*
 * Check that @nr segments starting at @seg each lie inside one 4 KiB
 * page and carry at least one byte, and add up their lengths.
 */
static int segs_check(const struct xenusb_request_segment *seg,
		      unsigned int nr, u32 *total)
{
	unsigned int i;
	u32 sum = 0;

	for (i = 0; i < nr; i++) {
		/* xen-hcd never grants a page it puts no byte of. */
		if (!seg[i].length)
			return -EINVAL;
		if ((u32)seg[i].offset + seg[i].length > XENUSB_PAGE_SIZE)
			return -EINVAL;
		sum += seg[i].length;
	}
	*total = sum;
	return 0;
}

static bool interval_valid(u16 interval)
{
	return interval >= 1 && interval <= USBBACK_MAX_INTERVAL;
}

static int parse_ctrl(const struct xenusb_urb_request *req,
		      struct usbback_req *out)
{
	u16 wlength;
	bool setup_in;

	memcpy(out->setup, req->u.ctrl, sizeof(out->setup));
	wlength = setup_word(out->setup, 6);
	setup_in = out->setup[0] & USB_DIR_IN;

	/* usb core refuses a control URB whose length differs (-EBADR). */
	if (wlength != out->length)
		return -EINVAL;
	if (wlength) {
		/*
		 * The data stage runs the way the setup packet says; a pipe
		 * disagreeing would have the backend write into a read-only
		 * grant or send a buffer the guest meant to receive.
		 */
		if (setup_in != out->pipe.in)
			return -EINVAL;
	} else {
		/*
		 * With no data stage the direction is OUT whatever the pipe
		 * says (usb core's own rule); drivers do send such requests
		 * on IN pipes, and passing that on would warn in the host.
		 */
		out->pipe.in = false;
	}
	/* SHORT_NOT_OK only means something for an IN data stage. */
	if (out->short_not_ok && !(wlength && setup_in))
		return -EINVAL;
	return 0;
}

static int parse_isoc(const struct xenusb_urb_request *req,
		      struct usbback_req *out)
{
	u32 desc_bytes;
	int ret;

	/* usb core warns about SHORT_NOT_OK on isochronous URBs. */
	if (out->short_not_ok)
		return -EINVAL;
	if (!req->u.isoc.number_of_packets)
		return -EINVAL;
	if (!interval_valid(req->u.isoc.interval))
		return -EINVAL;

	ret = segs_check(&req->seg[out->nr_data_segs], out->nr_desc_segs,
			 &desc_bytes);
	if (ret)
		return ret;
	/*
	 * The descriptor pages hold exactly one descriptor per packet: the
	 * backend reads them in and writes the results back, both within
	 * what the guest granted.
	 */
	if (desc_bytes != (u32)req->u.isoc.number_of_packets *
			  XENUSB_ISO_DESC_SIZE)
		return -EINVAL;

	out->nr_packets = req->u.isoc.number_of_packets;
	out->interval = req->u.isoc.interval;
	out->start_frame = req->u.isoc.start_frame;
	return 0;
}

/*
 * An indirect bulk request (XENUSB_INDIRECT, negotiated): its wire
 * segments name pages of data segment descriptors, its length is the u32
 * in the union. The descriptors themselves are checked once they are
 * copied in (usbback_req_check_indirect()).
 */
static int parse_indirect(const struct xenusb_urb_request *req,
			  u32 max_indirect, struct usbback_req *out)
{
	u32 desc_bytes, count, len;
	unsigned int i;
	int ret;

	/* Interrupt, control and iso transfers fit the base protocol. */
	if (out->pipe.type != XENUSB_PIPE_TYPE_BULK)
		return -EINVAL;
	if (out->short_not_ok && !out->pipe.in)
		return -EINVAL;
	if (!req->nr_buffer_segs ||
	    req->nr_buffer_segs > XENUSB_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	/* The length lives in the union; the u16 field must not disagree. */
	if (req->buffer_length)
		return -EINVAL;
	ret = segs_check(req->seg, req->nr_buffer_segs, &desc_bytes);
	if (ret)
		return ret;
	/* Whole, aligned descriptors only: none straddles two segments. */
	for (i = 0; i < req->nr_buffer_segs; i++)
		if (req->seg[i].offset % XENUSB_INDIRECT_DESC_SIZE ||
		    req->seg[i].length % XENUSB_INDIRECT_DESC_SIZE)
			return -EINVAL;
	count = desc_bytes / XENUSB_INDIRECT_DESC_SIZE;
	if (count > max_indirect || count > XENUSB_MAX_INDIRECT_SEGS)
		return -EINVAL;
	len = xenusb_indirect_len_get(req);
	/* Every data segment carries 1..4096 bytes. */
	if (len < count || len > count * XENUSB_PAGE_SIZE)
		return -EINVAL;

	out->indirect = true;
	out->nr_ind_segs = (u8)req->nr_buffer_segs;
	out->nr_data_segs = (u16)count;
	out->length = len;
	return 0;
}

/**
 * usbback_req_check_indirect() - check the data segments of an indirect request
 * @seg: the backend's private copy of the descriptors read from the
 *	indirect pages (the guest may rewrite the pages at any time)
 * @r: the request, accepted by usbback_req_parse() as indirect
 *
 * Every data segment obeys the rules of a direct one (1..4096 bytes
 * inside its 4 KiB page), and together they carry exactly the request's
 * length.
 *
 * Return: 0 or -EINVAL.
 */
int usbback_req_check_indirect(const struct xenusb_request_segment *seg,
			       const struct usbback_req *r)
{
	u32 sum;

	if (!r->indirect || !r->nr_data_segs ||
	    r->nr_data_segs > XENUSB_MAX_INDIRECT_SEGS)
		return -EINVAL;
	if (segs_check(seg, r->nr_data_segs, &sum))
		return -EINVAL;
	return sum == r->length ? 0 : -EINVAL;
}

/**
 * usbback_req_parse() - validate a request copied off the urb ring
 * @req: the backend's private copy of the request
 * @nports: number of ports of the controller, 1..XENUSB_MAX_PORTNR
 * @out: the checked request, filled in on success
 *
 * Checks every field the backend will act on:
 *  - pipe: no bit outside those usbif.h defines, port 1..@nports;
 *  - unlink requests: no segments; only @id, the pipe and unlink_id are
 *    used. xen-hcd builds an unlink in a reused request slot and leaves
 *    the previous request's buffer_length, transfer_flags and segments
 *    there, so those are ignored rather than required to be zero;
 *  - transfer_flags: only XENUSB_SHORT_NOT_OK, and only on an IN
 *    transfer that is not isochronous (for control: an IN data stage);
 *  - segments: at most XENUSB_MAX_SEGMENTS_PER_REQUEST data segments,
 *    and for isochronous data plus descriptor segments at most that;
 *    each segment 1..4096 bytes inside its 4 KiB page;
 *  - buffer_length equals the sum of the data segment lengths. The one
 *    exception is a 64 KiB transfer: xen-hcd truncates its length to the
 *    u16 field, so buffer_length 0 with segments summing to exactly 65536
 *    is accepted with @out->length 65536;
 *  - control: setup wLength equals the length; with a data stage the
 *    setup direction equals the pipe direction. Without one,
 *    @out->pipe.in is cleared: the status stage decides, as in usb core;
 *  - interrupt: interval 1..8192;
 *  - isochronous: at least one packet, interval 1..8192, descriptor
 *    segments holding exactly number_of_packets descriptors of
 *    XENUSB_ISO_DESC_SIZE bytes (the packets themselves are checked by
 *    usbback_iso_descs_check() once the descriptors are copied in).
 * Fields usbif.h marks as zero padding are not checked: xen-hcd leaves
 * stale values in them. The request id is echoed, never interpreted.
 *
 * Only malformed requests are refused here; whether the addressed port
 * holds a device, and whether the device has that endpoint, is for
 * usbback_addr_route() and usbback_req_check_ep() (-ENODEV comes from
 * there, never from this function).
 *
 * Return: 0 with @out filled in, or -EINVAL (then @out holds no valid
 * request, but @out->id and @out->pipe are set for the error response).
 */
int usbback_req_parse(const struct xenusb_urb_request *req, u8 nports,
		      struct usbback_req *out)
{
	return usbback_req_parse_feat(req, nports, NULL, out);
}

/*
 * A port reset (feature-port-reset): a control request to endpoint 0,
 * OUT, with no data and no other flag; the device address and the setup
 * packet are not used.
 */
static int parse_port_reset(const struct xenusb_urb_request *req,
			    struct usbback_req *out)
{
	if (req->transfer_flags != XENUSB_PORT_RESET)
		return -EINVAL;
	if (out->pipe.type != XENUSB_PIPE_TYPE_CTRL || out->pipe.ep ||
	    out->pipe.in)
		return -EINVAL;
	if (req->nr_buffer_segs || req->buffer_length)
		return -EINVAL;
	out->port_reset = true;
	return 0;
}

/**
 * usbback_req_parse_feat() - validate a request under negotiated features
 * @req: the backend's private copy of the request
 * @nports: number of ports of the controller, 1..XENUSB_MAX_PORTNR
 * @feat: the extensions negotiated with the frontend; NULL for none
 * @out: the checked request, filled in on success
 *
 * usbback_req_parse()'s rules, and the transfer flags of the negotiated
 * extensions (include/xenusb_features.h), each refused like any unknown
 * flag unless its feature is on:
 *  - XENUSB_ZERO_PACKET (feature-zero-packet): only on an OUT bulk or
 *    interrupt transfer, where usb core takes URB_ZERO_PACKET;
 *  - XENUSB_PORT_RESET (feature-port-reset): alone, on a control request
 *    to endpoint 0, OUT, with no segment and buffer_length 0. Only @id
 *    and the port are used; the device address and setup packet are not
 *    (the guest may no longer know the address of a device it resets);
 *  - XENUSB_INDIRECT (feature-max-indirect-segments): only on bulk, then
 *    1..16 wire segments of whole, aligned 8-byte descriptors, at most
 *    the negotiated number of them, buffer_length 0 and the u32 length in
 *    the union 1..4096 bytes per descriptor (the descriptors are checked
 *    by usbback_req_check_indirect() once copied in).
 *
 * Return: as usbback_req_parse().
 */
int usbback_req_parse_feat(const struct xenusb_urb_request *req, u8 nports,
			   const struct xenusb_features *feat,
			   struct usbback_req *out)
{
	u32 max_indirect = feat ? feat->val[XENUSB_FEAT_MAX_INDIRECT] : 0;
	u16 flags_ok = XENUSB_SHORT_NOT_OK;
	u32 data_bytes;
	int ret;

	memset(out, 0, sizeof(*out));
	out->id = req->id;
	xenusb_pipe_decode(req->pipe, &out->pipe);

	if (nports < 1 || nports > XENUSB_MAX_PORTNR)
		return -EINVAL;
	if (!xenusb_pipe_reserved_clear(req->pipe))
		return -EINVAL;
	if (out->pipe.port < 1 || out->pipe.port > nports)
		return -EINVAL;

	if (out->pipe.unlink) {
		/* An unlink transfers nothing: no page may come with it. */
		if (req->nr_buffer_segs)
			return -EINVAL;
		out->unlink_id = req->u.unlink.unlink_id;
		return 0;
	}

	if (feat && xenusb_feat_on(feat, XENUSB_FEAT_ZERO_PACKET))
		flags_ok |= XENUSB_ZERO_PACKET;
	if (feat && xenusb_feat_on(feat, XENUSB_FEAT_PORT_RESET))
		flags_ok |= XENUSB_PORT_RESET;
	if (max_indirect)
		flags_ok |= XENUSB_INDIRECT;
	if (req->transfer_flags & ~flags_ok)
		return -EINVAL;
	if (req->transfer_flags & XENUSB_PORT_RESET)
		return parse_port_reset(req, out);
	out->short_not_ok = req->transfer_flags & XENUSB_SHORT_NOT_OK;
	out->zero_packet = req->transfer_flags & XENUSB_ZERO_PACKET;
	if (out->zero_packet && (out->pipe.in ||
				 (out->pipe.type != XENUSB_PIPE_TYPE_BULK &&
				  out->pipe.type != XENUSB_PIPE_TYPE_INT)))
		return -EINVAL;
	if (req->transfer_flags & XENUSB_INDIRECT)
		return parse_indirect(req, max_indirect, out);

	if (req->nr_buffer_segs > XENUSB_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	out->nr_data_segs = (u8)req->nr_buffer_segs;
	if (out->pipe.type == XENUSB_PIPE_TYPE_ISOC) {
		if (req->u.isoc.nr_frame_desc_segs >
		    XENUSB_MAX_SEGMENTS_PER_REQUEST - req->nr_buffer_segs)
			return -EINVAL;
		out->nr_desc_segs = (u8)req->u.isoc.nr_frame_desc_segs;
	}

	ret = segs_check(req->seg, out->nr_data_segs, &data_bytes);
	if (ret)
		return ret;
	if (data_bytes == req->buffer_length)
		out->length = data_bytes;
	else if (!req->buffer_length && data_bytes == USBBACK_WRAPPED_LEN)
		out->length = data_bytes;
	else
		return -EINVAL;

	switch (out->pipe.type) {
	case XENUSB_PIPE_TYPE_CTRL:
		return parse_ctrl(req, out);
	case XENUSB_PIPE_TYPE_ISOC:
		return parse_isoc(req, out);
	case XENUSB_PIPE_TYPE_INT:
		if (out->short_not_ok && !out->pipe.in)
			return -EINVAL;
		if (!interval_valid(req->u.intr.interval))
			return -EINVAL;
		out->interval = req->u.intr.interval;
		return 0;
	default: /* XENUSB_PIPE_TYPE_BULK: the type field has two bits */
		if (out->short_not_ok && !out->pipe.in)
			return -EINVAL;
		return 0;
	}
}

/**
 * usbback_req_check_ep() - does the device have the endpoint a request uses
 * @r: request that passed usbback_req_parse()
 * @view: the device's current endpoints
 *
 * Endpoint 0 is the default control pipe of every device, in both
 * directions, and takes control transfers only. Any other endpoint must
 * exist in the request's direction with the request's transfer type;
 * control endpoints have no direction, so either entry of the view counts
 * for them. An unlink names no transfer of its own and always passes.
 *
 * The answer for a missing endpoint is -EINVAL, not -EPIPE: a stall tells
 * the guest the endpoint exists and halted, inviting a CLEAR_FEATURE for
 * an endpoint that is not there. Submitting instead would have the host's
 * usb core fail it or warn about a pipe/endpoint type mismatch on behalf
 * of the guest.
 *
 * Return: 0 or -EINVAL.
 */
int usbback_req_check_ep(const struct usbback_req *r,
			 const struct usbback_ep_view *view)
{
	u8 ep = r->pipe.ep;

	if (r->pipe.unlink)
		return 0;
	if (ep >= XENUSB_NUM_EPS)
		return -EINVAL;
	if (ep == 0)
		return r->pipe.type == XENUSB_PIPE_TYPE_CTRL ? 0 : -EINVAL;
	if (r->pipe.type == XENUSB_PIPE_TYPE_CTRL)
		return view->type[0][ep] == XENUSB_PIPE_TYPE_CTRL ||
		       view->type[1][ep] == XENUSB_PIPE_TYPE_CTRL ? 0 : -EINVAL;
	return view->type[r->pipe.in][ep] == r->pipe.type ? 0 : -EINVAL;
}

/**
 * usbback_ep_view_reset() - the endpoints of a device before configuration
 * @view: view to reset
 *
 * Only endpoint 0 exists, as a control endpoint in both directions; its
 * maxp is left 0 for the caller to fill in from bMaxPacketSize0.
 */
void usbback_ep_view_reset(struct usbback_ep_view *view)
{
	unsigned int dir, ep;

	for (dir = 0; dir < 2; dir++) {
		for (ep = 0; ep < XENUSB_NUM_EPS; ep++) {
			view->type[dir][ep] = USBBACK_EP_NONE;
			view->maxp[dir][ep] = 0;
		}
		view->type[dir][0] = XENUSB_PIPE_TYPE_CTRL;
	}
}

/**
 * usbback_ctrl_classify() - what the backend must do with a control request
 * @setup: the 8-byte setup packet
 *
 * Only standard requests that change device state usb core keeps track of
 * are taken out of the stream:
 *  - SET_ADDRESS: the device already has a host address;
 *  - SET_CONFIGURATION, SET_INTERFACE: usb core must make the change,
 *    or its endpoint state and bound drivers diverge from the device;
 *  - CLEAR_FEATURE(ENDPOINT_HALT) to an endpoint: usb core must reset
 *    the endpoint's data toggle along with the device's.
 * The first three are recognised by request code alone, whatever the
 * recipient and direction bits say: the standard defines them for one
 * recipient only, and a device that decodes only bRequest would act on a
 * malformed variant behind usb core's back; handling it like the
 * well-formed request gives the guest nothing it could not ask for
 * anyway. CLEAR_FEATURE with another recipient or feature (e.g. remote
 * wakeup) is passed through, as is every class and vendor request.
 *
 * Return: the kind of handling; USBBACK_CTRL_PASS for everything else.
 */
enum usbback_ctrl_kind usbback_ctrl_classify(const u8 setup[8])
{
	u8 type = setup[0] & USB_TYPE_MASK;
	u8 recip = setup[0] & USB_RECIP_MASK;

	if (type != USB_TYPE_STANDARD)
		return USBBACK_CTRL_PASS;

	switch (setup[1]) {
	case USB_REQ_SET_ADDRESS:
		return USBBACK_CTRL_SET_ADDRESS;
	case USB_REQ_SET_CONFIGURATION:
		return USBBACK_CTRL_SET_CONFIGURATION;
	case USB_REQ_SET_INTERFACE:
		return USBBACK_CTRL_SET_INTERFACE;
	case USB_REQ_CLEAR_FEATURE:
		if (recip == USB_RECIP_ENDPOINT &&
		    setup_word(setup, 2) == USB_ENDPOINT_HALT)
			return USBBACK_CTRL_CLEAR_HALT;
		return USBBACK_CTRL_PASS;
	default:
		return USBBACK_CTRL_PASS;
	}
}

/**
 * usbback_iso_descs_check() - do the packets of an iso request fit its buffer
 * @descs: the backend's private copy of the frame descriptors (the granted
 *	pages stay writable by the guest, so never check them in place)
 * @nr_packets: number of descriptors, as accepted by usbback_req_parse()
 * @length: length of the transfer buffer (&struct usbback_req.length)
 *
 * Each packet's [offset, offset + length) must lie inside the buffer;
 * the sum is formed in 64 bits so that no value of the two u32 fields can
 * wrap past the check. Per-packet limits that depend on the endpoint
 * (maxp times mult) are enforced by the host's usb core at submission.
 *
 * Return: 0, or -EINVAL if @nr_packets is 0 or a packet overruns.
 */
int usbback_iso_descs_check(const struct xenusb_iso_desc *descs,
			    u16 nr_packets, u32 length)
{
	unsigned int i;

	if (!nr_packets)
		return -EINVAL;
	for (i = 0; i < nr_packets; i++)
		if ((u64)descs[i].offset + descs[i].length > length)
			return -EINVAL;
	return 0;
}
