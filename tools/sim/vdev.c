// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual USB devices: the chapter 9 part every device shares (standard
 * requests answered from the device's descriptors, configuration and
 * altsetting state, endpoint halt) and the endpoint view the backend
 * checks requests against, rebuilt from the active altsettings the way
 * usbback's glue rebuilds it from the host device's.
 */

#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"

static u16 vdev_le16(const u8 *p)
{
	return p[0] | (p[1] << 8);
}

static u32 vdev_reply(u8 *buf, u32 len, const void *src, u32 n)
{
	if (n > len)
		n = len;
	memcpy(buf, src, n);
	return n;
}

/* Does the configuration descriptor describe interface @intf alt @alt? */
static bool vdev_has_alt(const struct vdev *d, u8 intf, u8 alt)
{
	u32 i;

	for (i = 0; i + 2 <= d->cfg_len && d->cfg_desc[i]; i += d->cfg_desc[i])
		if (d->cfg_desc[i + 1] == USB_DT_INTERFACE &&
		    d->cfg_desc[i + 2] == intf && d->cfg_desc[i + 3] == alt)
			return true;
	return false;
}

/**
 * vdev_set_configuration() - SET_CONFIGURATION as the host core does it
 * @d: device
 * @value: bConfigurationValue, 0 to unconfigure
 *
 * Return: 0, or -EINVAL for a configuration the device does not have.
 */
int vdev_set_configuration(struct vdev *d, u8 value)
{
	if (value != 0 && value != d->cfg_desc[5])
		return -EINVAL;
	d->config = value;
	memset(d->alt, 0, sizeof(d->alt));
	memset(d->halted, 0, sizeof(d->halted));
	if (d->ops->reset)
		d->ops->reset(d);
	return 0;
}

/**
 * vdev_set_interface() - SET_INTERFACE as the host core does it
 * @d: device
 * @intf: bInterfaceNumber
 * @alt: bAlternateSetting
 *
 * Return: 0, or -EINVAL if unconfigured or no such altsetting.
 */
int vdev_set_interface(struct vdev *d, u8 intf, u8 alt)
{
	if (!d->config || intf >= VDEV_MAX_INTF || !vdev_has_alt(d, intf, alt))
		return -EINVAL;
	d->alt[intf] = alt;
	memset(d->halted, 0, sizeof(d->halted));
	if (d->ops->reset)
		d->ops->reset(d);
	return 0;
}

/**
 * vdev_clear_halt() - CLEAR_FEATURE(ENDPOINT_HALT)
 * @d: device
 * @epaddr: endpoint address (direction bit and number)
 *
 * Return: 0.
 */
int vdev_clear_halt(struct vdev *d, u8 epaddr)
{
	d->halted[!!(epaddr & USB_DIR_IN)][epaddr & 0xf] = false;
	return 0;
}

static int vdev_get_descriptor(struct vdev *d, const u8 *setup, u8 *buf,
			       u32 len, u32 *actual)
{
	static const u8 langids[4] = { 4, USB_DT_STRING, 0x09, 0x04 };
	u16 value = vdev_le16(setup + 2);

	switch (value >> 8) {
	case USB_DT_DEVICE:
		*actual = vdev_reply(buf, len, d->dev_desc, USB_DT_DEVICE_SIZE);
		return 0;
	case USB_DT_CONFIG:
		if ((value & 0xff) != 0)
			return -EPIPE;
		*actual = vdev_reply(buf, len, d->cfg_desc, d->cfg_len);
		return 0;
	case USB_DT_STRING:
		if ((value & 0xff) != 0)
			return -EPIPE;
		*actual = vdev_reply(buf, len, langids, sizeof(langids));
		return 0;
	default:
		return -EPIPE;
	}
}

/**
 * vdev_control() - a control transfer the backend passes to the device
 * @d: device
 * @setup: setup packet
 * @buf: data stage (in or out)
 * @len: data stage length the request carries
 * @actual: bytes transferred
 *
 * SET_ADDRESS, SET_CONFIGURATION and SET_INTERFACE never get here: the
 * backend's control classification must turn them into local handling
 * or core calls. If one arrives anyway, the device stalls it, so a wrong
 * classification fails the scenario instead of going unnoticed.
 *
 * Return: 0, or -EPIPE for a stall.
 */
int vdev_control(struct vdev *d, const u8 *setup, u8 *buf, u32 len,
		 u32 *actual)
{
	u8 type = setup[0], req = setup[1];
	u16 value = vdev_le16(setup + 2), index = vdev_le16(setup + 4);
	u16 wlength = vdev_le16(setup + 6);
	u8 two[2] = { 0, 0 };

	d->ctrl_requests++;
	*actual = 0;
	if (len > wlength)
		len = wlength;
	if ((type & USB_TYPE_MASK) != USB_TYPE_STANDARD)
		return d->ops->control ? d->ops->control(d, setup, buf, len,
							 actual) : -EPIPE;

	switch (type << 8 | req) {
	case (USB_DIR_IN | USB_RECIP_DEVICE) << 8 | USB_REQ_GET_DESCRIPTOR:
		return vdev_get_descriptor(d, setup, buf, len, actual);
	case (USB_DIR_IN | USB_RECIP_DEVICE) << 8 | USB_REQ_GET_STATUS:
	case (USB_DIR_IN | USB_RECIP_INTERFACE) << 8 | USB_REQ_GET_STATUS:
		*actual = vdev_reply(buf, len, two, 2);
		return 0;
	case (USB_DIR_IN | USB_RECIP_ENDPOINT) << 8 | USB_REQ_GET_STATUS:
		two[0] = d->halted[!!(index & USB_DIR_IN)][index & 0xf];
		*actual = vdev_reply(buf, len, two, 2);
		return 0;
	case (USB_DIR_IN | USB_RECIP_DEVICE) << 8 | USB_REQ_GET_CONFIGURATION:
		*actual = vdev_reply(buf, len, &d->config, 1);
		return 0;
	case (USB_DIR_IN | USB_RECIP_INTERFACE) << 8 | USB_REQ_GET_INTERFACE:
		if (!d->config || index >= VDEV_MAX_INTF)
			return -EPIPE;
		*actual = vdev_reply(buf, len, &d->alt[index], 1);
		return 0;
	case USB_RECIP_ENDPOINT << 8 | USB_REQ_SET_FEATURE:
		if (value != USB_ENDPOINT_HALT || !(index & 0xf))
			return -EPIPE;
		d->halted[!!(index & USB_DIR_IN)][index & 0xf] = true;
		return 0;
	case USB_RECIP_ENDPOINT << 8 | USB_REQ_CLEAR_FEATURE:
		/* Should have been classified as CLEAR_HALT: see above. */
	default:
		if ((type & USB_RECIP_MASK) == USB_RECIP_INTERFACE &&
		    d->ops->control)
			return d->ops->control(d, setup, buf, len, actual);
		return -EPIPE;
	}
}

/* usb_endpoint_type() -> XENUSB_PIPE_TYPE_* */
static u8 vdev_pipe_type(u8 attr)
{
	switch (attr & USB_ENDPOINT_XFERTYPE_MASK) {
	case USB_ENDPOINT_XFER_ISOC:
		return XENUSB_PIPE_TYPE_ISOC;
	case USB_ENDPOINT_XFER_BULK:
		return XENUSB_PIPE_TYPE_BULK;
	case USB_ENDPOINT_XFER_INT:
		return XENUSB_PIPE_TYPE_INT;
	default:
		return XENUSB_PIPE_TYPE_CTRL;
	}
}

/**
 * vdev_ep_view() - the endpoints of the active altsettings
 * @d: device
 * @view: filled from usbback_ep_view_reset() plus every endpoint of each
 *	interface's current altsetting (none while unconfigured)
 */
void vdev_ep_view(const struct vdev *d, struct usbback_ep_view *view)
{
	bool active = false;
	u32 i;

	usbback_ep_view_reset(view);
	if (!d->config)
		return;
	for (i = 0; i + 2 <= d->cfg_len && d->cfg_desc[i]; i += d->cfg_desc[i]) {
		const u8 *p = d->cfg_desc + i;

		if (p[1] == USB_DT_INTERFACE) {
			active = p[2] < VDEV_MAX_INTF && d->alt[p[2]] == p[3];
		} else if (p[1] == USB_DT_ENDPOINT && active) {
			bool in = p[2] & USB_DIR_IN;
			u8 num = p[2] & 0xf;

			view->type[in][num] = vdev_pipe_type(p[3]);
			view->maxp[in][num] = vdev_le16(p + 4) & 0x7ff;
		}
	}
}

/* wMaxPacketSize of an endpoint of the active altsettings, 0 if none. */
static u16 vdev_ep_maxp(const struct vdev *d, bool in, u8 ep)
{
	struct usbback_ep_view view;

	vdev_ep_view(d, &view);
	return view.type[in][ep] == USBBACK_EP_NONE ? 0 : view.maxp[in][ep];
}

/**
 * vdev_xfer() - a bulk, interrupt or isochronous transfer
 * @d: device
 * @x: transfer; status, actual and error_count are filled in
 *
 * Devices see the bus the way a real one does: a transfer is a run of
 * max-packet-size packets, and a shorter packet ends it. The device
 * models use @x->maxp to tell a short packet from a full one.
 */
void vdev_xfer(struct vdev *d, struct vdev_xfer *x)
{
	x->maxp = vdev_ep_maxp(d, x->in, x->ep);
	x->actual = 0;
	x->error_count = 0;
	x->status = 0;
	if (!d->config) {
		x->status = -EPROTO;
		return;
	}
	if (d->halted[x->in][x->ep]) {
		x->status = -EPIPE;
		return;
	}
	d->ops->xfer(d, x);
	if (x->type != XENUSB_PIPE_TYPE_BULK || x->in || x->status)
		return;
	/* What a host controller puts on the bus after the data. */
	if (!x->len)
		d->empty_outs++;
	else if (x->zero_packet && x->maxp && x->len % x->maxp == 0)
		d->zlps++;
}

/**
 * vdev_destroy() - free a device
 * @d: device, may be NULL
 */
void vdev_destroy(struct vdev *d)
{
	if (d)
		d->ops->destroy(d);
}
