// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront root hub glue: conn ring events and the hub driver's requests
 * go to the port state machine in rh_port.c; a timer completes port
 * resets so the hub driver sees C_RESET without polling for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <xen/events.h>

#include "common.h"
#include "trace.h"

/**
 * usbfront_now_ms() - monotonic milliseconds for the rh_port core
 *
 * Return: milliseconds since boot; wraps only on 32-bit, which the core
 * handles.
 */
unsigned long usbfront_now_ms(void)
{
	return (unsigned long)ktime_to_ms(ktime_get());
}

/* Does any port have a change bit the hub driver has not seen? */
static bool usbfront_rh_changed(struct usbfront_info *info)
{
	u8 map[4];

	return usbfront_rh_status_data(&info->rh, map) > 0;
}

static void usbfront_rh_timer(struct timer_list *t)
{
	struct usbfront_info *info = timer_container_of(info, t, rh_timer);
	unsigned long flags;
	bool changed;

	spin_lock_irqsave(&info->lock, flags);
	usbfront_rh_poll(&info->rh, usbfront_now_ms());
	changed = usbfront_rh_changed(info);
	spin_unlock_irqrestore(&info->lock, flags);
	if (changed)
		usb_hcd_poll_rh_status(info->hcd);
}

/**
 * usbfront_rh_setup() - root hub state for a new controller
 * @info: controller with nports and usb_ver set
 */
void usbfront_rh_setup(struct usbfront_info *info)
{
	usbfront_rh_init(&info->rh, info->nports, info->usb_ver);
	timer_setup(&info->rh_timer, usbfront_rh_timer, 0);
}

/**
 * usbfront_hub_status_data() - hc_driver.hub_status_data
 * @hcd: controller
 * @buf: change bitmap (usb core passes at least 4 bytes)
 *
 * Return: bitmap length if a port changed, else 0.
 */
int usbfront_hub_status_data(struct usb_hcd *hcd, char *buf)
{
	struct usbfront_info *info = usbfront_hcd_info(hcd);
	unsigned long flags;
	bool wake;
	int len;

	spin_lock_irqsave(&info->lock, flags);
	usbfront_rh_poll(&info->rh, usbfront_now_ms());
	len = usbfront_rh_status_data(&info->rh, (u8 *)buf);
	wake = len && hcd->state == HC_STATE_SUSPENDED;
	spin_unlock_irqrestore(&info->lock, flags);
	if (wake)
		usb_hcd_resume_root_hub(hcd);
	return len;
}

/**
 * usbfront_hub_control() - hc_driver.hub_control
 * @hcd: controller
 * @type_req: request type and request
 * @value: wValue
 * @index: wIndex
 * @buf: data stage
 * @length: wLength
 *
 * Return: 0 or -EPIPE, as the rh_port core decides.
 */
int usbfront_hub_control(struct usb_hcd *hcd, u16 type_req, u16 value,
			 u16 index, char *buf, u16 length)
{
	struct usbfront_info *info = usbfront_hcd_info(hcd);
	unsigned long flags;
	bool changed;
	int ret;

	spin_lock_irqsave(&info->lock, flags);
	ret = usbfront_rh_control(&info->rh, type_req, value, index, (u8 *)buf,
				  length, usbfront_now_ms());
	if (!ret && type_req == USBFRONT_RH_SET_PORT_FEATURE &&
	    value == USB_PORT_FEAT_RESET)
		mod_timer(&info->rh_timer, jiffies +
			  msecs_to_jiffies(USBFRONT_RH_RESET_MS) + 1);
	changed = usbfront_rh_changed(info);
	spin_unlock_irqrestore(&info->lock, flags);
	if (changed)
		usb_hcd_poll_rh_status(hcd);
	return ret;
}

/**
 * usbfront_rh_disconnect_all() - every port loses its device
 * @info: controller, lock held
 *
 * Used when the backend goes away: the hub driver disconnects the
 * devices, and after a reconnect the replayed conn events enumerate them
 * afresh (their addresses on the host side may have changed).
 */
void usbfront_rh_disconnect_all(struct usbfront_info *info)
{
	u8 port;

	for (port = 1; port <= info->nports; port++)
		usbfront_rh_connect(&info->rh, port, XENUSB_SPEED_NONE);
}

/**
 * usbfront_conn_prepost() - fill the conn ring with requests
 * @info: controller with a freshly initialised conn ring
 *
 * The backend answers one request per plug or unplug event.
 */
void usbfront_conn_prepost(struct usbfront_info *info)
{
	struct xenusb_conn_front_ring *ring = &info->conn_ring;
	RING_IDX i;

	for (i = 0; i < RING_SIZE(ring); i++)
		RING_GET_REQUEST(ring, i)->id = i;
	ring->req_prod_pvt = i;
	RING_PUSH_REQUESTS(ring);
}

/**
 * usbfront_conn_process() - apply conn ring events to the root hub
 * @info: controller, lock held, link up
 * @rh_changed: set when a port changed
 * @more: set when events are left
 *
 * Every event is checked (port in range, speed possible on this
 * controller) before it reaches the port state; its slot is posted
 * again at once.
 *
 * Return: events seen, or -EPROTO after a protocol error.
 */
int usbfront_conn_process(struct usbfront_info *info, bool *rh_changed,
			  bool *more)
{
	struct xenusb_conn_front_ring *ring = &info->conn_ring;
	struct xenusb_conn_response ev;
	RING_IDX i, rp;
	int notify, n = 0;

	rp = READ_ONCE(ring->sring->rsp_prod);
	if (rp - ring->rsp_cons > ring->req_prod_pvt - ring->rsp_cons) {
		usbfront_protocol_error(info, "conn ring response producer overflow");
		return -EPROTO;
	}
	virt_rmb();	/* events up to rp are visible */

	for (i = ring->rsp_cons; i != rp; i++) {
		RING_COPY_RESPONSE(ring, i, &ev);
		ring->rsp_cons = i + 1;
		if (usbfront_conn_check(&ev, info->nports, info->usb_ver)) {
			dev_err_ratelimited(&info->xbdev->dev,
					    "conn event port %u speed %u invalid for %u ports, USB %s\n",
					    ev.portnum, ev.speed, info->nports,
					    info->usb_ver == 1 ? "1.1" : "2.0");
			usbfront_protocol_error(info, "invalid conn ring event");
			return -EPROTO;
		}
		trace_usbfront_conn(dev_name(&info->xbdev->dev), ev.portnum,
				    ev.speed);
		usbfront_rh_connect(&info->rh, ev.portnum, ev.speed);
		info->stats.conn_events++;
		*rh_changed = true;
		/* Ids are ours: the slot index, not the backend's echo. */
		RING_GET_REQUEST(ring, ring->req_prod_pvt)->id =
			ring->req_prod_pvt % RING_SIZE(ring);
		ring->req_prod_pvt++;
		n++;
	}
	if (n) {
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(ring, notify);
		if (notify)
			notify_remote_via_irq(info->irq);
	}
	RING_FINAL_CHECK_FOR_RESPONSES(ring, *more);
	return n;
}

#ifdef CONFIG_PM
/**
 * usbfront_bus_suspend() - hc_driver.bus_suspend
 * @hcd: controller
 *
 * Nothing to stop on a virtual bus: ports were suspended one by one by
 * the hub driver, and conn events keep arriving (they wake the root hub
 * through hub_status_data).
 *
 * Return: 0.
 */
int usbfront_bus_suspend(struct usb_hcd *hcd)
{
	return 0;
}

/**
 * usbfront_bus_resume() - hc_driver.bus_resume
 * @hcd: controller
 *
 * Return: 0.
 */
int usbfront_bus_resume(struct usb_hcd *hcd)
{
	return 0;
}
#endif
