/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire helpers over Xen's io/usbif.h shared by usbback and usbfront.
 *
 * Pure code: no Xen or USB-core calls, so the modules, KUnit and the
 * user-space simulator compile exactly this header.
 */
#ifndef XENUSB_PROTO_H
#define XENUSB_PROTO_H

#include <linux/types.h>
#include <linux/errno.h>
#include <xen/interface/io/usbif.h>

/* Grants always cover 4 KiB Xen pages, whatever the kernel's PAGE_SIZE. */
#define XENUSB_PAGE_SIZE	4096u

/* Largest transfer one base-protocol request can describe. */
#define XENUSB_MAX_XFER	(XENUSB_MAX_SEGMENTS_PER_REQUEST * XENUSB_PAGE_SIZE)

#define XENUSB_MAX_DEVNUM	127
#define XENUSB_NUM_EPS		16

/* Speeds on the conn ring (XENUSB_SPEED_* in usbif.h). */
#define XENUSB_SPEED_MAX	XENUSB_SPEED_HIGH

/*
 * Isochronous frame descriptor as it travels in the granted descriptor
 * pages: the layout of Linux's struct usb_iso_packet_descriptor, which
 * xen-hcd grants directly from the URB.
 */
struct xenusb_iso_desc {
	u32 offset;
	u32 length;
	u32 actual_length;
	s32 status;
};

#define XENUSB_ISO_DESC_SIZE	16u

/*
 * Large transfers (negotiated: feature-max-indirect-segments in
 * xenusb_features.h, see
 * Documentation/protocol.rst "Large transfers"). A bulk request with
 * XENUSB_INDIRECT in transfer_flags names in seg[0..nr_buffer_segs)
 * granted pages that hold its data segments: arrays of
 * struct xenusb_request_segment, in order. Its length travels as a
 * little-endian u32 in the first four bytes of the union (ctrl[0..3]);
 * buffer_length is 0.
 */
#define XENUSB_INDIRECT			0x8000u
/* Bytes of one data segment descriptor in an indirect page. */
#define XENUSB_INDIRECT_DESC_SIZE	8u
/* Descriptors one 4 KiB indirect page holds. */
#define XENUSB_INDIRECT_PER_PAGE	(XENUSB_PAGE_SIZE / XENUSB_INDIRECT_DESC_SIZE)
/* Most data segments either driver ever uses in one request (1 MiB). */
#define XENUSB_MAX_INDIRECT_SEGS	256u

static inline u32 xenusb_indirect_len_get(const struct xenusb_urb_request *req)
{
	const u8 *b = req->u.ctrl;

	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline void xenusb_indirect_len_set(struct xenusb_urb_request *req,
					   u32 len)
{
	u8 *b = req->u.ctrl;

	b[0] = len & 0xff;
	b[1] = (len >> 8) & 0xff;
	b[2] = (len >> 16) & 0xff;
	b[3] = (len >> 24) & 0xff;
}

/* Bits of the pipe field that usbif.h leaves undefined (must be zero). */
#define XENUSB_PIPE_RESERVED						\
	(~(u32)(XENUSB_PIPE_PORT_MASK | XENUSB_PIPE_UNLINK |		\
		XENUSB_PIPE_DIR |					\
		(XENUSB_PIPE_DEV_MASK << XENUSB_PIPE_DEV_SHIFT) |	\
		(XENUSB_PIPE_EP_MASK << XENUSB_PIPE_EP_SHIFT) |		\
		((u32)XENUSB_PIPE_TYPE_MASK << XENUSB_PIPE_TYPE_SHIFT)))

/**
 * struct xenusb_pipe - decoded form of the usbif pipe field
 * @port: root-hub port, 1..31 (0 is never valid on the wire)
 * @devnum: USB device address as the guest sees it, 0..127
 * @ep: endpoint number, 0..15
 * @type: XENUSB_PIPE_TYPE_{ISOC,INT,CTRL,BULK}
 * @in: direction is device-to-host
 * @unlink: the request cancels an earlier one
 */
struct xenusb_pipe {
	u8 port;
	u8 devnum;
	u8 ep;
	u8 type;
	bool in;
	bool unlink;
};

static inline u32 xenusb_pipe_encode(const struct xenusb_pipe *p)
{
	u32 pipe;

	pipe = (u32)(p->port & XENUSB_PIPE_PORT_MASK);
	pipe |= (u32)(p->devnum & XENUSB_PIPE_DEV_MASK) << XENUSB_PIPE_DEV_SHIFT;
	pipe |= (u32)(p->ep & XENUSB_PIPE_EP_MASK) << XENUSB_PIPE_EP_SHIFT;
	pipe |= (u32)(p->type & XENUSB_PIPE_TYPE_MASK) << XENUSB_PIPE_TYPE_SHIFT;
	if (p->in)
		pipe |= XENUSB_PIPE_DIR;
	if (p->unlink)
		pipe |= XENUSB_PIPE_UNLINK;
	return pipe;
}

static inline void xenusb_pipe_decode(u32 pipe, struct xenusb_pipe *p)
{
	p->port = xenusb_pipeportnum(pipe);
	p->devnum = xenusb_pipedevice(pipe);
	p->ep = xenusb_pipeendpoint(pipe);
	p->type = xenusb_pipetype(pipe);
	p->in = !!xenusb_pipein(pipe);
	p->unlink = !!xenusb_pipeunlink(pipe);
}

static inline bool xenusb_pipe_reserved_clear(u32 pipe)
{
	return !(pipe & XENUSB_PIPE_RESERVED);
}

/**
 * xenusb_status_from_errno() - wire status for a host URB completion code
 * @err: 0 or a negative errno from usb core
 *
 * The base protocol carries only seven codes; xen-hcd maps anything it
 * does not know to -ESHUTDOWN, so every cancellation code becomes that.
 */
static inline s32 xenusb_status_from_errno(int err)
{
	switch (err) {
	case 0:
		return XENUSB_STATUS_OK;
	case -ENODEV:
		return XENUSB_STATUS_NODEV;
	case -EINVAL:
	case -EMSGSIZE:
	case -EBADR:
		return XENUSB_STATUS_INVAL;
	case -EPIPE:
		return XENUSB_STATUS_STALL;
	case -EPROTO:
	case -EILSEQ:
	case -ETIME:
	case -ETIMEDOUT:
	case -ECOMM:
	case -ENOSR:
	case -EREMOTEIO:
		return XENUSB_STATUS_IOERROR;
	case -EOVERFLOW:
		return XENUSB_STATUS_BABBLE;
	default:
		return XENUSB_STATUS_SHUTDOWN;
	}
}

/**
 * xenusb_status_to_errno() - URB status for a wire status from the backend
 * @status: status as read from a response (untrusted)
 *
 * Unknown values become -ESHUTDOWN, as in xen-hcd.
 */
static inline int xenusb_status_to_errno(s32 status)
{
	switch (status) {
	case XENUSB_STATUS_OK:
		return 0;
	case XENUSB_STATUS_NODEV:
		return -ENODEV;
	case XENUSB_STATUS_INVAL:
		return -EINVAL;
	case XENUSB_STATUS_STALL:
		return -EPIPE;
	case XENUSB_STATUS_IOERROR:
		return -EPROTO;
	case XENUSB_STATUS_BABBLE:
		return -EOVERFLOW;
	default:
		return -ESHUTDOWN;
	}
}

/**
 * xenusb_speed_valid() - may a device of @speed sit on a @usb_ver controller
 * @speed: XENUSB_SPEED_{LOW,FULL,HIGH} (NONE is an unplug, not a speed)
 * @usb_ver: 1 (USB 1.1) or 2 (USB 2.0), as in the backend's usb-ver key
 */
static inline bool xenusb_speed_valid(u8 speed, u8 usb_ver)
{
	if (speed == XENUSB_SPEED_LOW || speed == XENUSB_SPEED_FULL)
		return usb_ver == 1 || usb_ver == 2;
	if (speed == XENUSB_SPEED_HIGH)
		return usb_ver == 2;
	return false;
}

/* Number of 4 KiB pages that @len bytes starting at @offset touch. */
static inline u32 xenusb_pages_spanned(u32 offset, u32 len)
{
	if (!len)
		return 0;
	offset %= XENUSB_PAGE_SIZE;
	return (offset + len + XENUSB_PAGE_SIZE - 1) / XENUSB_PAGE_SIZE;
}

#endif /* XENUSB_PROTO_H */
