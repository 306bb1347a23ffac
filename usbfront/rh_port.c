// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront root hub: the port state machine of a USB 2.0 (or 1.1) hub
 * as usb core's hub driver drives it through hc_driver.hub_control, fed
 * by the backend's conn ring events. No timers and no locking here: the
 * caller passes the current time in milliseconds, holds its lock around
 * every call and arms its own timer for usbfront_rh_poll().
 *
 * Rules the hub driver (drivers/usb/core/hub.c) relies on:
 *  - a port shows nothing but POWER until the hub driver powers it, so a
 *    device that arrives earlier only appears (with C_CONNECTION) then;
 *  - a newly connected device is not enabled until a port reset
 *    completes, and the reset reports completion with C_RESET;
 *  - a device that leaves sets C_CONNECTION only: C_ENABLE means "the
 *    port disabled itself on an error" (USB 2.0 11.24.2.7.2.2), which
 *    never happens here.
 */

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/usb/ch9.h>
#include <linux/usb/ch11.h>

#include "core.h"

/* Change bits this hub can report, all in wPortChange. */
#define USBFRONT_RH_CHANGES	(USB_PORT_STAT_C_CONNECTION |		\
				 USB_PORT_STAT_C_ENABLE |		\
				 USB_PORT_STAT_C_SUSPEND |		\
				 USB_PORT_STAT_C_OVERCURRENT |		\
				 USB_PORT_STAT_C_RESET)

/* Status bits that only mean something while a device is attached. */
#define USBFRONT_RH_DEV_BITS	(USB_PORT_STAT_CONNECTION |		\
				 USB_PORT_STAT_ENABLE |			\
				 USB_PORT_STAT_SUSPEND |		\
				 USB_PORT_STAT_LOW_SPEED |		\
				 USB_PORT_STAT_HIGH_SPEED)

/* Power-on to power-good in 2 ms units: EHCI's 20 ms, cheap for a VM. */
#define USBFRONT_RH_PWRON2PWRGOOD	10

/* Largest descriptor: 7 fixed bytes and two bitmaps of 1 + 31 / 8. */
#define USBFRONT_RH_DESC_MAX	(USB_DT_HUB_NONVAR_SIZE + 2 * 4)

/* Wrap-safe "@now is at or after @deadline", like time_after_eq(). */
static bool usbfront_rh_due(unsigned long now, unsigned long deadline)
{
	return (long)(now - deadline) >= 0;
}

/* Bytes of each port bitmap: bit 0 (the hub) plus bits 1..nports. */
static u16 usbfront_rh_bitmap_bytes(const struct usbfront_rh *rh)
{
	return 1 + rh->nports / 8;
}

/* Port @index (1-based as on the wire), or NULL if there is none. */
static struct usbfront_rh_port *usbfront_rh_port(struct usbfront_rh *rh,
						 u16 index)
{
	if (index < 1 || index > rh->nports)
		return NULL;
	return &rh->port[index - 1];
}

/* Show the attached device (if any) on a powered port. */
static void usbfront_rh_show_device(struct usbfront_rh_port *p)
{
	p->status &= ~USBFRONT_RH_DEV_BITS;
	if (p->speed == XENUSB_SPEED_NONE)
		return;
	p->status |= USB_PORT_STAT_CONNECTION;
	/* LOW_SPEED is valid while attached; HIGH_SPEED only once enabled. */
	if (p->speed == XENUSB_SPEED_LOW)
		p->status |= USB_PORT_STAT_LOW_SPEED;
}

/* Finish a port reset whose signalling time is over. */
static void usbfront_rh_reset_done(struct usbfront_rh_port *p,
				   unsigned long now_ms)
{
	if (!(p->status & USB_PORT_STAT_RESET) || p->reset_remote ||
	    !usbfront_rh_due(now_ms, p->reset_end_ms))
		return;

	p->status &= ~USB_PORT_STAT_RESET;
	p->change |= USB_PORT_STAT_C_RESET;
	/*
	 * The device may have left while the reset ran, or the backend
	 * could not reset it: stay disabled.
	 */
	if (!(p->status & USB_PORT_STAT_CONNECTION) || p->reset_failed) {
		p->reset_failed = false;
		return;
	}
	p->status |= USB_PORT_STAT_ENABLE;
	p->was_enabled = true;
	if (p->speed == XENUSB_SPEED_LOW)
		p->status |= USB_PORT_STAT_LOW_SPEED;
	else if (p->speed == XENUSB_SPEED_HIGH)
		p->status |= USB_PORT_STAT_HIGH_SPEED;
}

/**
 * usbfront_rh_reset_remote() - the backend resets the port's device
 * @rh: root hub
 * @port: 1..nports, a port in reset (SetPortFeature(RESET) just now)
 *
 * With feature-port-reset the reset of a port holding a device becomes
 * a request to the backend: the reset keeps running until its answer
 * (usbfront_rh_reset_answer()), however long the host's reset takes.
 * The first reset of a newly connected device stays local: the backend
 * presents every device fresh (reset if it was used), so only a reset
 * of a device the guest has already had enabled reaches the host.
 *
 * Return: true if the port is in reset and holds a device that was
 * enabled since it connected: the caller
 * sends the request, and must call usbfront_rh_reset_answer() with
 * false if it cannot.
 */
bool usbfront_rh_reset_remote(struct usbfront_rh *rh, u8 port)
{
	struct usbfront_rh_port *p;

	if (port < 1 || port > rh->nports)
		return false;
	p = usbfront_rh_port(rh, port);
	/* A repeated reset waits for the answer already awaited. */
	if (!(p->status & USB_PORT_STAT_RESET) ||
	    !(p->status & USB_PORT_STAT_CONNECTION) || !p->was_enabled ||
	    p->reset_remote)
		return false;
	p->reset_remote = true;
	p->reset_failed = false;
	return true;
}

/**
 * usbfront_rh_reset_answer() - the backend answered a port reset
 * @rh: root hub
 * @port: the port the request named
 * @ok: the device was reset; otherwise the reset completes without
 *	enabling the port (the hub driver then gives up on the device)
 *
 * The reset completes at the next status read once its local
 * signalling time is over too. An answer for a port not waiting for one
 * (a stale answer after the device left) changes nothing.
 */
void usbfront_rh_reset_answer(struct usbfront_rh *rh, u8 port, bool ok)
{
	struct usbfront_rh_port *p;

	if (port < 1 || port > rh->nports)
		return;
	p = usbfront_rh_port(rh, port);
	if (!p->reset_remote)
		return;
	p->reset_remote = false;
	p->reset_failed = !ok;
}

/**
 * usbfront_rh_init() - a root hub with every port unpowered and empty
 * @rh: root hub
 * @nports: number of ports, 1..XENUSB_MAX_PORTNR (the backend's num-ports)
 * @usb_ver: 1 (USB 1.1) or 2 (USB 2.0) (the backend's usb-ver)
 *
 * Return: 0, or -EINVAL if @nports or @usb_ver is out of range (the hub
 * then has no ports).
 */
int usbfront_rh_init(struct usbfront_rh *rh, u8 nports, u8 usb_ver)
{
	memset(rh, 0, sizeof(*rh));
	if (nports < 1 || nports > XENUSB_MAX_PORTNR)
		return -EINVAL;
	if (usb_ver != 1 && usb_ver != 2)
		return -EINVAL;
	rh->nports = nports;
	rh->usb_ver = usb_ver;
	return 0;
}

/**
 * usbfront_rh_connect() - apply a conn ring event to a port
 * @rh: root hub
 * @port: 1..nports
 * @speed: XENUSB_SPEED_NONE for an unplug, else the new device's speed
 *
 * The device's speed is recorded whether or not the port is powered
 * (xen-hcd does the same), but an unpowered port shows no connection:
 * the device appears when the hub driver powers the port. On a powered
 * port a new device sets CONNECTION and C_CONNECTION and leaves the port
 * disabled until a reset; a departing one clears every device bit and
 * sets C_CONNECTION. A reset in progress keeps running and completes
 * without enabling the port. An event repeating the port's current
 * state (the backend replays all ports when it reconnects) changes
 * nothing. Events that usbfront_conn_check() would reject are ignored.
 */
void usbfront_rh_connect(struct usbfront_rh *rh, u8 port, u8 speed)
{
	struct usbfront_rh_port *p = usbfront_rh_port(rh, port);

	if (!p)
		return;
	if (speed != XENUSB_SPEED_NONE && !xenusb_speed_valid(speed, rh->usb_ver))
		return;
	if (p->speed == speed)
		return;

	p->speed = speed;
	p->was_enabled = false;
	/* No answer to a reset request is awaited for a device gone. */
	if (speed == XENUSB_SPEED_NONE)
		p->reset_remote = false;
	if (!(p->status & USB_PORT_STAT_POWER))
		return;
	usbfront_rh_show_device(p);
	p->change |= USB_PORT_STAT_C_CONNECTION;
}

/* GetHubDescriptor: the USB 2.0 hub descriptor (11.23.2.1). */
static void usbfront_rh_hub_desc(const struct usbfront_rh *rh, u8 *buf,
				 u16 length)
{
	u8 d[USBFRONT_RH_DESC_MAX];
	u16 n = usbfront_rh_bitmap_bytes(rh);
	u16 chars = HUB_CHAR_INDV_PORT_LPSM | HUB_CHAR_NO_OCPM;
	u16 dlen = USB_DT_HUB_NONVAR_SIZE + 2 * n;

	d[0] = dlen;				/* bDescLength */
	d[1] = USB_DT_HUB;			/* bDescriptorType */
	d[2] = rh->nports;			/* bNbrPorts */
	d[3] = chars & 0xff;			/* wHubCharacteristics */
	d[4] = chars >> 8;
	d[5] = USBFRONT_RH_PWRON2PWRGOOD;	/* bPwrOn2PwrGood */
	d[6] = 0;				/* bHubContrCurrent */
	/* DeviceRemovable: 0 = removable, every virtual port is. */
	memset(&d[7], 0, n);
	/* PortPwrCtrlMask: USB 2.0 wants all ones for USB 1.0 compat. */
	memset(&d[7 + n], 0xff, n);

	memcpy(buf, d, length < dlen ? length : dlen);
}

/* Write a little-endian wStatus/wChange pair, cut to @length bytes. */
static void usbfront_rh_put_status(u8 *buf, u16 length, u16 status,
				   u16 change)
{
	u8 s[4];

	s[0] = status & 0xff;
	s[1] = status >> 8;
	s[2] = change & 0xff;
	s[3] = change >> 8;
	memcpy(buf, s, length < sizeof(s) ? length : sizeof(s));
}

/* SetPortFeature on a valid port. */
static int usbfront_rh_set_port(struct usbfront_rh_port *p, u16 feature,
				unsigned long now_ms)
{
	switch (feature) {
	case USB_PORT_FEAT_POWER:
		if (p->status & USB_PORT_STAT_POWER)
			return 0;
		p->status |= USB_PORT_STAT_POWER;
		usbfront_rh_show_device(p);
		if (p->speed != XENUSB_SPEED_NONE)
			p->change |= USB_PORT_STAT_C_CONNECTION;
		return 0;
	case USB_PORT_FEAT_RESET:
		/* A powered-off port ignores everything but power-on. */
		if (!(p->status & USB_PORT_STAT_POWER))
			return 0;
		/*
		 * Like EHCI, reset an empty port too: it completes without
		 * enabling, which hub_port_wait_reset() reads as -ENOTCONN.
		 */
		p->status &= ~(USB_PORT_STAT_ENABLE | USB_PORT_STAT_SUSPEND |
			       USB_PORT_STAT_HIGH_SPEED);
		p->status |= USB_PORT_STAT_RESET;
		p->reset_end_ms = now_ms + USBFRONT_RH_RESET_MS;
		return 0;
	case USB_PORT_FEAT_SUSPEND:
		/* As EHCI: only an enabled port not in reset can suspend. */
		if (!(p->status & USB_PORT_STAT_ENABLE) ||
		    (p->status & USB_PORT_STAT_RESET))
			return -EPIPE;
		p->status |= USB_PORT_STAT_SUSPEND;
		return 0;
	default:
		return -EPIPE;
	}
}

/* ClearPortFeature on a valid port. */
static int usbfront_rh_clear_port(struct usbfront_rh_port *p, u16 feature)
{
	switch (feature) {
	case USB_PORT_FEAT_ENABLE:
		p->status &= ~(USB_PORT_STAT_ENABLE | USB_PORT_STAT_SUSPEND |
			       USB_PORT_STAT_HIGH_SPEED);
		return 0;
	case USB_PORT_FEAT_SUSPEND:
		/*
		 * No resume signalling to drive on a virtual port: the
		 * resume is over at once and reported with C_SUSPEND, which
		 * usb_port_resume() reads after its own USB_RESUME_TIMEOUT.
		 */
		if (p->status & USB_PORT_STAT_SUSPEND) {
			p->status &= ~USB_PORT_STAT_SUSPEND;
			p->change |= USB_PORT_STAT_C_SUSPEND;
		}
		return 0;
	case USB_PORT_FEAT_POWER:
		/* Powered off, a port reports nothing; the device stays. */
		p->status = 0;
		p->change = 0;
		return 0;
	case USB_PORT_FEAT_C_CONNECTION:
	case USB_PORT_FEAT_C_ENABLE:
	case USB_PORT_FEAT_C_SUSPEND:
	case USB_PORT_FEAT_C_OVER_CURRENT:
	case USB_PORT_FEAT_C_RESET:
		/* C_* feature n clears wPortChange bit n - 16. */
		p->change &= ~(1u << (feature - USB_PORT_FEAT_C_CONNECTION));
		return 0;
	default:
		return -EPIPE;
	}
}

/**
 * usbfront_rh_control() - a hub class request to the root hub
 * @rh: root hub
 * @type_req: bmRequestType << 8 | bRequest (USBFRONT_RH_*, as usb core's
 *	hcd.h defines GetPortStatus and friends)
 * @value: wValue (the feature selector for Set/Clear*Feature)
 * @index: wIndex (the port, 1..nports, for port requests)
 * @buf: reply buffer for Get* requests
 * @length: bytes @buf holds; a reply is cut to it as on the bus
 * @now_ms: current time in milliseconds, any origin, may wrap
 *
 * Implements GetHubDescriptor, GetHubStatus (always zero: local power is
 * good and there is no over-current), GetPortStatus (which first
 * completes a reset whose USBFRONT_RH_RESET_MS are over),
 * SetPortFeature(POWER, RESET, SUSPEND), ClearPortFeature(ENABLE,
 * SUSPEND, POWER and every change bit), and Set/ClearHubFeature of the
 * two hub change bits, which never get set. Replies are little-endian
 * byte by byte.
 *
 * Return: 0, or -EPIPE (a stall, which the hub driver expects) for an
 * unknown request or feature, a port that does not exist, or a suspend
 * of a port that is not enabled.
 */
int usbfront_rh_control(struct usbfront_rh *rh, u16 type_req, u16 value,
			u16 index, u8 *buf, u16 length, unsigned long now_ms)
{
	struct usbfront_rh_port *p;

	if (!buf)
		length = 0;

	switch (type_req) {
	case USBFRONT_RH_GET_HUB_DESCRIPTOR:
		/* The hub driver asks with USB_DT_HUB << 8; 0 is legacy. */
		if (value != USB_DT_HUB << 8 && value != 0)
			return -EPIPE;
		usbfront_rh_hub_desc(rh, buf, length);
		return 0;
	case USBFRONT_RH_GET_HUB_STATUS:
		usbfront_rh_put_status(buf, length, 0, 0);
		return 0;
	case USBFRONT_RH_SET_HUB_FEATURE:
	case USBFRONT_RH_CLEAR_HUB_FEATURE:
		if (value != C_HUB_LOCAL_POWER && value != C_HUB_OVER_CURRENT)
			return -EPIPE;
		return 0;
	case USBFRONT_RH_GET_PORT_STATUS:
		/* Extended (SuperSpeedPlus) status does not exist here. */
		p = usbfront_rh_port(rh, index);
		if (!p || value != HUB_PORT_STATUS)
			return -EPIPE;
		usbfront_rh_reset_done(p, now_ms);
		usbfront_rh_put_status(buf, length, p->status, p->change);
		return 0;
	case USBFRONT_RH_SET_PORT_FEATURE:
		p = usbfront_rh_port(rh, index);
		if (!p)
			return -EPIPE;
		return usbfront_rh_set_port(p, value, now_ms);
	case USBFRONT_RH_CLEAR_PORT_FEATURE:
		p = usbfront_rh_port(rh, index);
		if (!p)
			return -EPIPE;
		return usbfront_rh_clear_port(p, value);
	default:
		return -EPIPE;
	}
}

/**
 * usbfront_rh_status_data() - the hub's status change bitmap
 * @rh: root hub
 * @buf: at least 1 + nports / 8 bytes (4 for 31 ports)
 *
 * Bit N is set when port N has a change bit pending; bit 0, the hub
 * itself, never is. This is what hc_driver.hub_status_data returns to
 * the hub driver's interrupt endpoint. Call usbfront_rh_poll() first so
 * that finished resets count.
 *
 * Return: the bitmap's length in bytes if any port changed, else 0 (the
 * bitmap is zeroed either way).
 */
int usbfront_rh_status_data(const struct usbfront_rh *rh, u8 *buf)
{
	u16 n = usbfront_rh_bitmap_bytes(rh);
	bool changed = false;
	u16 i;

	memset(buf, 0, n);
	for (i = 1; i <= rh->nports; i++) {
		if (!(rh->port[i - 1].change & USBFRONT_RH_CHANGES))
			continue;
		buf[i / 8] |= 1u << (i % 8);
		changed = true;
	}
	return changed ? n : 0;
}

/**
 * usbfront_rh_poll() - complete every port reset that is due
 * @rh: root hub
 * @now_ms: current time in milliseconds, as for usbfront_rh_control()
 *
 * Called from the frontend's timer, so that C_RESET shows in
 * usbfront_rh_status_data() without waiting for a GetPortStatus.
 */
void usbfront_rh_poll(struct usbfront_rh *rh, unsigned long now_ms)
{
	u8 i;

	for (i = 0; i < rh->nports; i++)
		usbfront_rh_reset_done(&rh->port[i], now_ms);
}
