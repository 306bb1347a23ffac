// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront root hub glue: the hub driver's requests go to the port state
 * machine in rh_port.c (conn ring events reach it through the core's
 * rsp_ring.c); a timer completes port resets so the hub driver sees
 * C_RESET without polling for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/ktime.h>

#include "common.h"

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
	    value == USB_PORT_FEAT_RESET) {
		usbfront_send_port_reset(info, index & 0xff);
		mod_timer(&info->rh_timer, jiffies +
			  msecs_to_jiffies(USBFRONT_RH_RESET_MS) + 1);
	}
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
