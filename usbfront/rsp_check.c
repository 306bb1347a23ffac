// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront response checks: every field the backend writes (urb ring
 * responses, isochronous frame descriptors, conn ring events) is
 * brought into the range the frontend's own request allows before any
 * of it reaches an URB. The backend is not trusted (XSA-396).
 */

#include <linux/types.h>
#include <linux/errno.h>

#include "core.h"

/* Is @status one of the seven codes the base protocol defines? */
static bool usbfront_wire_status_known(s32 status)
{
	switch (status) {
	case XENUSB_STATUS_OK:
	case XENUSB_STATUS_NODEV:
	case XENUSB_STATUS_INVAL:
	case XENUSB_STATUS_STALL:
	case XENUSB_STATUS_IOERROR:
	case XENUSB_STATUS_BABBLE:
	case XENUSB_STATUS_SHUTDOWN:
		return true;
	default:
		return false;
	}
}

/* Clamp a signed wire count into 0..@max; true if it had to move. */
static bool usbfront_clamp_count(s32 val, u32 max, u32 *out)
{
	if (val < 0) {
		*out = 0;
		return true;
	}
	if ((u32)val > max) {
		*out = max;
		return true;
	}
	*out = (u32)val;
	return false;
}

/**
 * usbfront_rsp_check() - bring a response into the range of its request
 * @rsp: response, already copied off the ring (untrusted)
 * @req: what the frontend sent under that id
 * @out: checked response
 *
 * The status becomes a URB status with xenusb_status_to_errno(), so an
 * unknown code reads as -ESHUTDOWN. actual_length is clamped to the
 * request's length for both directions: an OUT transfer cannot move more
 * than it offered either. error_count only means something for
 * isochronous requests and is clamped to the packets sent; elsewhere it
 * is 0. An unlink response describes no transfer: its length and error
 * count are 0. @out->clamped reports any field that was out of range, so
 * the caller can log the misbehaving backend; the values in @out are
 * safe to use either way.
 */
void usbfront_rsp_check(const struct xenusb_urb_response *rsp,
			const struct usbfront_inflight *req,
			struct usbfront_rsp *out)
{
	bool iso = !req->unlink && req->type == XENUSB_PIPE_TYPE_ISOC;
	bool bad = false;

	out->id = rsp->id;
	out->status = xenusb_status_to_errno(rsp->status);
	if (!usbfront_wire_status_known(rsp->status))
		bad = true;

	if (req->unlink) {
		out->actual_length = 0;
		out->error_count = 0;
		out->start_frame = 0;
		if (rsp->actual_length || rsp->error_count)
			bad = true;
		out->clamped = bad;
		return;
	}

	if (usbfront_clamp_count(rsp->actual_length, req->length,
				 &out->actual_length))
		bad = true;

	if (iso) {
		if (usbfront_clamp_count(rsp->error_count, req->nr_packets,
					 &out->error_count))
			bad = true;
		out->start_frame = rsp->start_frame;
	} else {
		out->error_count = 0;
		if (rsp->error_count)
			bad = true;
		out->start_frame = 0;
	}
	out->clamped = bad;
}

/*
 * Frame status codes a host controller driver leaves in an iso packet
 * descriptor (Documentation/driver-api/usb/error-codes.rst). -EXDEV is
 * what usb core preloads, so a packet the host never got to keeps it.
 */
static bool usbfront_iso_status_known(s32 status)
{
	switch (status) {
	case 0:
	case -EXDEV:
	case -EPROTO:
	case -EILSEQ:
	case -ETIME:
	case -EPIPE:
	case -ECOMM:
	case -ENOSR:
	case -EOVERFLOW:
	case -EREMOTEIO:
	case -ENODEV:
	case -ESHUTDOWN:
		return true;
	default:
		return false;
	}
}

/**
 * usbfront_iso_rsp_check() - bring frame descriptors back into range
 * @descs: @nr_packets descriptors as the backend left them (untrusted;
 *	the caller works on its own copy, not on the granted page)
 * @nr_packets: descriptors the request carried
 * @length: bytes of the URB's data buffer
 *
 * For each descriptor: offset + length must lie within @length (a
 * descriptor starting past the end is cut to length 0 at @length),
 * actual_length may not exceed the descriptor's length, and the status
 * must be one a host controller uses for iso packets. Anything else
 * becomes -EPROTO: the packet is reported as a transfer error, which
 * class drivers (audio, video) already handle by dropping it, and its
 * data is not trusted.
 *
 * Return: the number of descriptors that needed a fix, 0 if the backend
 * behaved.
 */
int usbfront_iso_rsp_check(struct xenusb_iso_desc *descs, u16 nr_packets,
			   u32 length)
{
	int fixed = 0;
	u16 i;

	for (i = 0; i < nr_packets; i++) {
		struct xenusb_iso_desc *d = &descs[i];
		bool bad = false;

		if (d->offset > length) {
			d->offset = length;
			d->length = 0;
			bad = true;
		} else if (d->length > length - d->offset) {
			d->length = length - d->offset;
			bad = true;
		}
		if (d->actual_length > d->length) {
			d->actual_length = d->length;
			bad = true;
		}
		if (!usbfront_iso_status_known(d->status)) {
			d->status = -EPROTO;
			bad = true;
		}
		if (bad)
			fixed++;
	}
	return fixed;
}

/**
 * usbfront_conn_check() - is a conn ring event one the frontend can apply
 * @ev: event, already copied off the ring (untrusted)
 * @nports: ports of this controller (num-ports), at most XENUSB_MAX_PORTNR
 * @usb_ver: 1 or 2 (usb-ver)
 *
 * The port must exist and the speed must be XENUSB_SPEED_NONE (unplug)
 * or a speed a controller of @usb_ver can carry: a high-speed device on
 * a USB 1.1 controller is as wrong as a speed of 4.
 *
 * Return: 0, or -EINVAL for an event the backend had no business sending.
 */
int usbfront_conn_check(const struct xenusb_conn_response *ev, u8 nports,
			u8 usb_ver)
{
	if (ev->portnum < 1 || ev->portnum > nports ||
	    ev->portnum > XENUSB_MAX_PORTNR)
		return -EINVAL;
	if (ev->speed == XENUSB_SPEED_NONE)
		return 0;
	return xenusb_speed_valid(ev->speed, usb_ver) ? 0 : -EINVAL;
}
