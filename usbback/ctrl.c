// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: control requests that must not reach the device as they are
 * (ops->control of the core).
 *
 * The host device is addressed, configured and driven by the host's usb
 * core.  The core answers SET_ADDRESS and SET_CONFIGURATION 0 itself
 * (both stay in the guest); SET_CONFIGURATION, SET_INTERFACE and
 * CLEAR_FEATURE(ENDPOINT_HALT) are performed here through usb core, which
 * then updates its own endpoint state (toggles, bandwidth, altsettings)
 * along with the device's; a port reset (feature-port-reset) is
 * usb_reset_device() in claim.c's reset work.  All of it runs in the ring work, process
 * context, except a change of configuration: that takes the device lock
 * and binds the new interfaces, so the configuration work of claim.c
 * answers it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/usb/ch9.h>

#include "common.h"

static u16 usbback_setup_word(const u8 *setup, unsigned int at)
{
	return (u16)(setup[at] | (setup[at + 1] << 8));
}

/* usb core exports no lookup of a configuration by its value. */
static bool usbback_has_config(struct usb_device *udev, u8 value)
{
	unsigned int i;

	if (!udev->config)
		return false;
	for (i = 0; i < udev->descriptor.bNumConfigurations; i++)
		if (udev->config[i].desc.bConfigurationValue == value)
			return true;
	return false;
}

/*
 * Return: a status, or USBBACK_CTRL_PENDING when the answer comes later
 * from the configuration work (claim.c).
 */
static s32 usbback_set_configuration(struct usbback_slot *s, u16 value)
{
	struct usb_device *udev = s->dev->udev;
	u8 cfg = value & 0xff;

	/*
	 * The configuration the host already runs: nothing to do.  Skipping
	 * it keeps host and device in step (neither resets its toggles) and
	 * keeps our interfaces bound.  This is what every guest enumeration
	 * asks for.
	 */
	if (udev->actconfig && udev->actconfig->desc.bConfigurationValue == cfg)
		return XENUSB_STATUS_OK;
	if (!usbback_has_config(udev, cfg))
		return XENUSB_STATUS_STALL;	/* what a device would do */

	dev_info(&s->ctrlr->xdev->dev,
		 "dom%d port %u: configuration %u requested\n",
		 s->ctrlr->xdev->otherend_id, s->rq->port, cfg);
	usbback_claim_set_config(s, cfg);
	return USBBACK_CTRL_PENDING;
}

static s32 usbback_set_interface(struct usbback_slot *s, u16 ifnum, u16 alt)
{
	struct usbback_dev *dev = s->dev;
	struct usb_interface *intf;
	int err;

	intf = usb_ifnum_to_if(dev->udev, ifnum);
	if (!intf || !usb_altnum_to_altsetting(intf, alt))
		return XENUSB_STATUS_STALL;	/* what a device would do */
	err = usb_set_interface(dev->udev, ifnum, alt);
	usbback_dev_rebuild_view(dev);
	return xenusb_status_from_errno(err);
}

static s32 usbback_clear_halt(struct usbback_slot *s, u16 windex)
{
	struct usbback_dev *dev = s->dev;
	unsigned int epnum = windex & USB_ENDPOINT_NUMBER_MASK;
	bool in = windex & USB_DIR_IN;
	unsigned int pipe;
	u8 type;
	int err;

	if (epnum == 0)
		return xenusb_status_from_errno(usb_clear_halt(dev->udev,
				in ? usb_rcvctrlpipe(dev->udev, 0) :
				     usb_sndctrlpipe(dev->udev, 0)));
	type = dev->view.type[in][epnum];
	if (type == USBBACK_EP_NONE)
		return XENUSB_STATUS_STALL;
	/* usb_clear_halt() only needs the endpoint number and direction. */
	pipe = in ? usb_rcvbulkpipe(dev->udev, epnum) :
		    usb_sndbulkpipe(dev->udev, epnum);
	err = usb_clear_halt(dev->udev, pipe);
	return xenusb_status_from_errno(err);
}

/**
 * usbback_ctrl_fixup_in() - adjust what a device returned to the guest
 * @s: slot of a completed control IN request, data in s->buf
 * @actual: bytes the device returned
 *
 * A SuperSpeed device is shown as high speed (usbif has no SuperSpeed).
 * Its device descriptor gives ep0's max packet as an exponent (9, i.e.
 * 512 bytes), which a USB 2.0 guest stack refuses; report 64, a valid
 * high-speed value.  The guest's max packet for ep0 only shapes its own
 * requests: the host transfers with the real one.  QEMU's usb-host does
 * the same for SuperSpeed devices on USB 2.0 ports.
 */
void usbback_ctrl_fixup_in(struct usbback_slot *s, u32 actual)
{
	const u8 *setup = s->rq->req.setup;
	u8 *desc = s->buf;

	if (!s->dev || !s->dev->ss_as_hs || actual < 8)
		return;
	if (setup[0] != (USB_DIR_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE) ||
	    setup[1] != USB_REQ_GET_DESCRIPTOR ||
	    usbback_setup_word(setup, 2) != (USB_DT_DEVICE << 8))
		return;
	if (desc[1] == USB_DT_DEVICE && desc[7] == 9)
		desc[7] = 64;
}

/**
 * usbback_ctrl() - perform a control request through usb core
 * @s: slot of a checked control request, routed to s->dev (referenced)
 * @kind: what usbback_ctrl_classify() made of it: SET_CONFIGURATION (to
 *	a non-zero value), SET_INTERFACE or CLEAR_HALT; or PORT_RESET for
 *	a port reset request (feature-port-reset)
 * @value: its wValue
 * @index: its wIndex
 *
 * Called with req_mutex held, in process context (ops->control).
 *
 * Return: an XENUSB_STATUS_* for the core to answer with, or
 * USBBACK_CTRL_PENDING when claim.c's configuration or reset work
 * answers later.
 */
s32 usbback_ctrl(struct usbback_slot *s, enum usbback_ctrl_kind kind,
		 u16 value, u16 index)
{
	switch (kind) {
	case USBBACK_CTRL_SET_CONFIGURATION:
		return usbback_set_configuration(s, value);
	case USBBACK_CTRL_SET_INTERFACE:
		return usbback_set_interface(s, index, value);
	case USBBACK_CTRL_CLEAR_HALT:
		return usbback_clear_halt(s, index);
	case USBBACK_CTRL_PORT_RESET:
		dev_info(&s->ctrlr->xdev->dev,
			 "dom%d port %u: port reset requested\n",
			 s->ctrlr->xdev->otherend_id, s->rq->port);
		usbback_claim_reset(s);
		return USBBACK_CTRL_PENDING;
	default:
		return XENUSB_STATUS_INVAL;
	}
}
