// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront host controller: the hc_driver usb core sees. URBs go to the
 * ring (ring.c), the root hub to rh.c. The controller lives as long as
 * the xenbus device; the rings come and go with the backend, and while
 * they are down every URB is refused with -ESHUTDOWN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/slab.h>

#include "common.h"

/*
 * Scatterlist entries offered to class drivers: splitting takes any.
 * 256 pages hold a 1 MiB usb-storage command (2048 sectors, what the
 * package's udev rule sets) even when no two pages of it are contiguous;
 * the SCSI midlayer chains scatterlists beyond 128 entries.
 */
#define USBFRONT_SG_TABLESIZE	256

static int usbfront_reset(struct usb_hcd *hcd)
{
	/* A USB 2.0 root port takes full- and low-speed devices directly. */
	hcd->has_tt = (hcd->driver->flags & HCD_MASK) == HCD_USB2;
	hcd->self.sg_tablesize = usbfront_param_sg ? USBFRONT_SG_TABLESIZE : 0;
	/*
	 * Requests are cut from the URB's byte stream on max-packet
	 * boundaries whatever the scatterlist looks like, so its entries
	 * need not be max-packet multiples.
	 */
	hcd->self.no_sg_constraint = 1;
	return 0;
}

static int usbfront_start(struct usb_hcd *hcd)
{
	hcd->uses_new_polling = 1;
	hcd->state = HC_STATE_RUNNING;
	return 0;
}

static void usbfront_stop(struct usb_hcd *hcd)
{
	struct usbfront_info *info = usbfront_hcd_info(hcd);

	timer_delete_sync(&info->rh_timer);
}

static int usbfront_urb_enqueue(struct usb_hcd *hcd, struct urb *urb,
				gfp_t mem_flags)
{
	struct usbfront_info *info = usbfront_hcd_info(hcd);
	struct usbfront_urbp *urbp;
	unsigned long flags;
	int ret;

	urbp = usbfront_urbp_alloc(info, urb, mem_flags);
	if (IS_ERR(urbp)) {
		ret = PTR_ERR(urbp);
		if (ret == -EMSGSIZE) {
			spin_lock_irqsave(&info->lock, flags);
			info->stats.emsgsize++;
			spin_unlock_irqrestore(&info->lock, flags);
		}
		return ret;
	}

	spin_lock_irqsave(&info->lock, flags);
	if (info->link != USBFRONT_UP) {
		ret = -ESHUTDOWN;
		goto fail;
	}
	ret = usb_hcd_link_urb_to_ep(hcd, urb);
	if (ret)
		goto fail;
	urb->hcpriv = urbp;
	ret = usbfront_submit(info, urbp);
	if (ret) {
		urb->hcpriv = NULL;
		usb_hcd_unlink_urb_from_ep(hcd, urb);
		goto fail;
	}
	info->stats.urbs++;
	usbfront_push(info);
	spin_unlock_irqrestore(&info->lock, flags);
	return 0;

fail:
	spin_unlock_irqrestore(&info->lock, flags);
	usbfront_urbp_free(urbp);
	return ret;
}

static int usbfront_urb_dequeue(struct usb_hcd *hcd, struct urb *urb,
				int status)
{
	struct usbfront_info *info = usbfront_hcd_info(hcd);
	unsigned long flags;
	LIST_HEAD(done);
	int ret;

	spin_lock_irqsave(&info->lock, flags);
	ret = usb_hcd_check_unlink_urb(hcd, urb, status);
	if (!ret && urb->hcpriv) {
		usbfront_unlink(info, urb->hcpriv, status, &done);
		/* A held endpoint may have been released. */
		usbfront_kick(info, &done);
		usbfront_push(info);
	}
	spin_unlock_irqrestore(&info->lock, flags);
	usbfront_giveback_list(info, &done);
	return ret;
}

/*
 * There is no bus clock to read: the backend schedules isochronous
 * packets on its own controller. A millisecond count modulo the USB frame
 * counter's 11 bits moves like a frame number, which is what drivers that
 * ask (usbfs, audio) expect.
 */
static int usbfront_get_frame_number(struct usb_hcd *hcd)
{
	return (int)(ktime_to_ms(ktime_get()) & 0x7ff);
}

static void usbfront_endpoint_disable(struct usb_hcd *hcd,
				      struct usb_host_endpoint *ep)
{
	struct usbfront_info *info = usbfront_hcd_info(hcd);
	unsigned long flags;

	/* usb core gave back every URB of @ep already: no owner is left. */
	spin_lock_irqsave(&info->lock, flags);
	ep->hcpriv = NULL;
	spin_unlock_irqrestore(&info->lock, flags);
}

#define USBFRONT_HC_DRIVER(_flags, _desc)				\
{									\
	.description = "usbfront",					\
	.product_desc = _desc,						\
	.hcd_priv_size = sizeof(struct usbfront_info),			\
	.flags = (_flags) | HCD_BH,					\
	.reset = usbfront_reset,					\
	.start = usbfront_start,					\
	.stop = usbfront_stop,						\
	.urb_enqueue = usbfront_urb_enqueue,				\
	.urb_dequeue = usbfront_urb_dequeue,				\
	.endpoint_disable = usbfront_endpoint_disable,			\
	.get_frame_number = usbfront_get_frame_number,			\
	.hub_status_data = usbfront_hub_status_data,			\
	.hub_control = usbfront_hub_control,				\
	USBFRONT_HC_PM							\
}

#ifdef CONFIG_PM
#define USBFRONT_HC_PM	.bus_suspend = usbfront_bus_suspend,		\
			.bus_resume = usbfront_bus_resume,
#else
#define USBFRONT_HC_PM
#endif

static const struct hc_driver usbfront_hc_usb2 =
	USBFRONT_HC_DRIVER(HCD_USB2, "Xen PV USB 2.0 host controller (usbfront)");
static const struct hc_driver usbfront_hc_usb11 =
	USBFRONT_HC_DRIVER(HCD_USB11, "Xen PV USB 1.1 host controller (usbfront)");

/**
 * usbfront_hcd_create() - allocate the controller for a vusb device
 * @dev: xenbus device
 * @nports: root ports, 1..31
 * @usb_ver: 1 or 2
 *
 * The controller's private area is the struct usbfront_info; it is set
 * up here, the rings are not (that waits for the backend).
 *
 * Return: the hcd, or NULL when out of memory.
 */
struct usb_hcd *usbfront_hcd_create(struct xenbus_device *dev, u8 nports,
				    u8 usb_ver)
{
	struct usbfront_info *info;
	struct usb_hcd *hcd;
	unsigned int i;

	hcd = usb_create_hcd(usb_ver == 1 ? &usbfront_hc_usb11 :
			     &usbfront_hc_usb2, &dev->dev, dev_name(&dev->dev));
	if (!hcd)
		return NULL;
	info = usbfront_hcd_info(hcd);
	spin_lock_init(&info->lock);
	mutex_init(&info->conn_mutex);
	info->xbdev = dev;
	info->hcd = hcd;
	info->nports = nports;
	info->usb_ver = usb_ver;
	info->link = USBFRONT_DOWN;
	for (i = 0; i < XENUSB_MAX_RING_PAGES; i++)
		info->urb_ring_ref[i] = INVALID_GRANT_REF;
	info->conn_ring_ref = INVALID_GRANT_REF;
	usbfront_rh_setup(info);
	usbfront_queue_init(info);
	usbfront_rsp_init(info);
	return hcd;
}
