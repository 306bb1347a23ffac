// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the "usbback" USB interface driver and the busid <-> port map.
 *
 * libxl writes backend/.../port/N = "<busid>" first, then unbinds every
 * interface of the device from its driver and writes it to
 * /sys/bus/usb/drivers/usbback/bind.  We accept an interface only if its
 * device's busid is in some controller's port/N (read again at probe
 * time: the xenstore watch may not have fired yet), keep one refcounted
 * usbback_dev per device across its interfaces, and present the device
 * on the port once every interface of its active configuration is ours.
 * Unbinding any interface, or clearing port/N, takes it off the port:
 * its URBs are killed and answered, and the guest is told speed 0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>

#include "common.h"

/* See common.h for what this protects. */
static DEFINE_MUTEX(usbback_mutex);
static LIST_HEAD(usbback_ctrlrs);
static LIST_HEAD(usbback_devs);

static u8 usbback_xen_type(const struct usb_endpoint_descriptor *epd)
{
	switch (usb_endpoint_type(epd)) {
	case USB_ENDPOINT_XFER_CONTROL:
		return XENUSB_PIPE_TYPE_CTRL;
	case USB_ENDPOINT_XFER_ISOC:
		return XENUSB_PIPE_TYPE_ISOC;
	case USB_ENDPOINT_XFER_BULK:
		return XENUSB_PIPE_TYPE_BULK;
	default:
		return XENUSB_PIPE_TYPE_INT;
	}
}

/**
 * usbback_dev_rebuild_view() - record the endpoints the device has now
 * @d: device
 *
 * From the current altsetting of every interface of the active
 * configuration.  Called under the port's controller's req_mutex (or
 * before the device is on a port).
 */
void usbback_dev_rebuild_view(struct usbback_dev *d)
{
	struct usb_host_config *cfg = d->udev->actconfig;
	unsigned int i, e;

	usbback_ep_view_reset(&d->view);
	d->view.maxp[0][0] = d->udev->descriptor.bMaxPacketSize0;
	d->view.maxp[1][0] = d->udev->descriptor.bMaxPacketSize0;
	if (!cfg)
		return;
	for (i = 0; i < cfg->desc.bNumInterfaces; i++) {
		struct usb_interface *intf = cfg->interface[i];
		struct usb_host_interface *alt;

		if (!intf || !intf->cur_altsetting)
			continue;
		alt = intf->cur_altsetting;
		for (e = 0; e < alt->desc.bNumEndpoints; e++) {
			const struct usb_endpoint_descriptor *epd =
				&alt->endpoint[e].desc;
			unsigned int num = usb_endpoint_num(epd);
			unsigned int in = usb_endpoint_dir_in(epd) ? 1 : 0;

			d->view.type[in][num] = usbback_xen_type(epd);
			d->view.maxp[in][num] = usb_endpoint_maxp(epd);
		}
	}
}

static u8 usbback_speed(const struct usb_device *udev)
{
	switch (udev->speed) {
	case USB_SPEED_LOW:
		return XENUSB_SPEED_LOW;
	case USB_SPEED_FULL:
		return XENUSB_SPEED_FULL;
	case USB_SPEED_HIGH:
		return XENUSB_SPEED_HIGH;
	case USB_SPEED_SUPER:
	case USB_SPEED_SUPER_PLUS:
		/* Shown as high speed: see usbback_ctrl_fixup_in(). */
		return XENUSB_SPEED_HIGH;
	default:
		return XENUSB_SPEED_NONE;	/* the base protocol stops at 2.0 */
	}
}

static bool usbback_dev_complete(const struct usbback_dev *d)
{
	const struct usb_host_config *cfg = d->udev->actconfig;

	return cfg && d->nr_bound >= cfg->desc.bNumInterfaces;
}

static struct usbback_dev *usbback_dev_find(const char *busid)
{
	struct usbback_dev *d;

	list_for_each_entry(d, &usbback_devs, node)
		if (!strcmp(d->busid, busid))
			return d;
	return NULL;
}

/* Present @d on @port of @c.  Under usbback_mutex. */
static void usbback_port_attach(struct usbback_ctrlr *c, u8 port,
				struct usbback_dev *d)
{
	struct usbback_port *p = &c->port[port];

	if (!xenusb_speed_valid(d->speed, c->usb_ver)) {
		dev_warn(&c->xdev->dev,
			 "%s: speed %u does not fit a USB %u.x controller\n",
			 d->busid, d->speed, c->usb_ver);
		return;
	}
	usbback_dev_get(d);
	mutex_lock(&c->req_mutex);
	usbback_dev_rebuild_view(d);
	usbback_addr_clear_port(&c->ring.addr, port);
	p->dev = d;
	d->ctrlr = c;
	d->port = port;
	d->used = false;
	mutex_unlock(&c->req_mutex);

	dev_info(&c->xdev->dev, "dom%d port %u: %s attached\n",
		 c->xdev->otherend_id, port, d->busid);
	usbback_conn_event(c, port, d->speed);
}

/* Take whatever device is on @port off it.  Under usbback_mutex. */
static void usbback_port_detach(struct usbback_ctrlr *c, u8 port)
{
	struct usbback_port *p = &c->port[port];
	struct usbback_dev *d;

	mutex_lock(&c->req_mutex);
	d = p->dev;
	p->dev = NULL;	/* no new URB goes out for it */
	usbback_addr_clear_port(&c->ring.addr, port);
	mutex_unlock(&c->req_mutex);
	if (!d)
		return;

	/* Their completions answer the guest (done work). */
	usb_kill_anchored_urbs(&p->anchor);
	d->ctrlr = NULL;
	d->port = 0;
	dev_info(&c->xdev->dev, "dom%d port %u: %s detached\n",
		 c->xdev->otherend_id, port, d->busid);
	usbback_conn_event(c, port, XENUSB_SPEED_NONE);
	usbback_dev_put(d);
}

/* Re-read port/N of @c and attach or detach.  Under usbback_mutex. */
static void usbback_ports_refresh(struct usbback_ctrlr *c)
{
	struct usbback_dev *d;
	char node[16];
	unsigned int i;
	char *s;

	for (i = 1; i <= c->nports; i++) {
		struct usbback_port *p = &c->port[i];
		const char *busid = "";
		bool changed = false;

		snprintf(node, sizeof(node), "port/%u", i);
		s = xenbus_read(XBT_NIL, c->xdev->nodename, node, NULL);
		if (IS_ERR(s))
			s = NULL;
		if (s && *s) {
			if (usbback_busid_valid(s))
				busid = s;
			else
				dev_warn_ratelimited(&c->xdev->dev,
						     "port/%u: bad busid\n", i);
		}

		if (strcmp(busid, p->busid)) {
			if (p->dev)
				usbback_port_detach(c, i);
			mutex_lock(&c->req_mutex);
			strscpy(p->busid, busid, sizeof(p->busid));
			mutex_unlock(&c->req_mutex);
			changed = true;
		}
		kfree(s);

		if (!p->busid[0] || p->dev)
			continue;
		d = usbback_dev_find(p->busid);
		if (d && !d->ctrlr && usbback_dev_complete(d)) {
			usbback_port_attach(c, i, d);
		} else if (d && d->ctrlr && changed) {
			/* A device sits on one port of one guest at a time. */
			dev_warn(&c->xdev->dev,
				 "port/%u: %s is already on dom%d port %u\n", i,
				 d->busid, d->ctrlr->xdev->otherend_id, d->port);
		}
	}
}

/**
 * usbback_claim_sync_ports() - port/N changed in xenstore
 * @c: controller
 */
void usbback_claim_sync_ports(struct usbback_ctrlr *c)
{
	mutex_lock(&usbback_mutex);
	usbback_ports_refresh(c);
	mutex_unlock(&usbback_mutex);
}

/**
 * usbback_claim_add_ctrlr() - a controller appeared
 * @c: controller, nports known
 */
void usbback_claim_add_ctrlr(struct usbback_ctrlr *c)
{
	mutex_lock(&usbback_mutex);
	list_add_tail(&c->node, &usbback_ctrlrs);
	usbback_ports_refresh(c);
	mutex_unlock(&usbback_mutex);
}

/**
 * usbback_claim_del_ctrlr() - a controller goes: free its ports
 * @c: controller
 *
 * The devices stay bound to usbback (libxl unbinds and rebinds them).
 */
void usbback_claim_del_ctrlr(struct usbback_ctrlr *c)
{
	unsigned int i;

	mutex_lock(&usbback_mutex);
	for (i = 1; i <= c->nports; i++)
		usbback_port_detach(c, i);
	list_del_init(&c->node);
	mutex_unlock(&usbback_mutex);
}

static struct usb_driver usbback_usb_driver;

/*
 * Bind every interface of @d's new configuration to usbback.  Drivers of
 * the host may have probed them first (usb core offers a new interface to
 * every driver, in the order they registered): take the interface back
 * from them, as libxl does at attach.  Under @d's device lock.
 */
static void usbback_claim_config_interfaces(struct usbback_dev *d)
{
	struct usb_host_config *cfg = d->udev->actconfig;
	unsigned int i;

	for (i = 0; cfg && i < cfg->desc.bNumInterfaces; i++) {
		struct usb_interface *intf = cfg->interface[i];
		struct device_driver *drv = intf ? intf->dev.driver : NULL;

		if (!intf || (drv && to_usb_driver(drv) == &usbback_usb_driver))
			continue;
		if (drv) {
			dev_info(&intf->dev, "taken back from %s for the guest\n",
				 drv->name);
			usb_driver_release_interface(to_usb_driver(drv), intf);
		}
		if (usb_driver_claim_interface(&usbback_usb_driver, intf, d)) {
			dev_warn(&intf->dev, "cannot bind it to usbback\n");
			continue;
		}
		mutex_lock(&usbback_mutex);
		d->nr_bound++;
		mutex_unlock(&usbback_mutex);
	}
}

/**
 * usbback_claim_cfg_work() - change a device's configuration for a guest
 * @work: the cfg_work of a slot holding a SET_CONFIGURATION request
 *
 * usb core unbinds the interfaces of the old configuration and creates
 * those of the new one.  Meanwhile the device stays on its port (the guest
 * asked for the change: it must not see an unplug), and the new
 * interfaces are bound to usbback before the guest gets its answer.  If
 * the device ends up not wholly ours (the change failed, or an interface
 * could not be bound), it leaves the port: the guest sees an unplug
 * rather than a device it cannot drive.
 */
void usbback_claim_cfg_work(struct work_struct *work)
{
	struct usbback_slot *s = container_of(work, struct usbback_slot,
					      cfg_work);
	struct usbback_dev *d = s->dev;
	struct usb_device *udev = d->udev;
	struct usbback_ctrlr *c;
	int err;

	usb_lock_device(udev);
	mutex_lock(&usbback_mutex);
	d->reconfig++;
	mutex_unlock(&usbback_mutex);

	err = usb_set_configuration(udev, s->cfg_value);
	if (!err && d->ctrlr)
		usbback_claim_config_interfaces(d);

	mutex_lock(&usbback_mutex);
	d->reconfig--;
	c = d->ctrlr;
	if (c && !err) {
		mutex_lock(&c->req_mutex);
		usbback_dev_rebuild_view(d);
		mutex_unlock(&c->req_mutex);
	}
	if (c && !usbback_dev_complete(d)) {
		dev_warn(&c->xdev->dev,
			 "dom%d port %u: %s not usable in configuration %u (%d)\n",
			 c->xdev->otherend_id, d->port, d->busid,
			 s->cfg_value, err);
		usbback_port_detach(c, d->port);
		if (!err)
			err = -ENODEV;
	}
	if (!d->nr_bound && !d->reconfig && !d->ctrlr &&
	    !list_empty(&d->node)) {
		list_del_init(&d->node);
		usbback_dev_put(d);
	}
	mutex_unlock(&usbback_mutex);
	usb_unlock_device(udev);

	usbback_respond(s, xenusb_status_from_errno(err), 0, 0, 0);
}

/**
 * usbback_claim_set_config() - answer a SET_CONFIGURATION later
 * @s: slot of the request, routed to s->dev (referenced)
 * @value: configuration value, one the device has
 *
 * Called from the ring work with req_mutex held, which the unbinding of
 * the old interfaces takes: the change runs in its own work.
 */
void usbback_claim_set_config(struct usbback_slot *s, u8 value)
{
	s->cfg_value = value;
	queue_work(system_long_wq, &s->cfg_work);
}

/**
 * usbback_claim_reset_work() - reset a device for its guest's port reset
 * @work: the reset_work of a slot holding a port reset request
 *
 * usb_reset_device() keeps the device on its port and bound to usbback
 * (pre_reset kills the port's URBs, post_reset rebuilds the endpoint
 * view); the guest then enumerates it again on the same port. A device
 * that does not come back from the reset is logically disconnected by
 * usb core, and its port empties as for an unplug.
 */
void usbback_claim_reset_work(struct work_struct *work)
{
	struct usbback_slot *s = container_of(work, struct usbback_slot,
					      reset_work);
	struct usb_device *udev = s->dev->udev;
	int err;

	err = usb_lock_device_for_reset(udev, NULL);
	if (!err) {
		err = usb_reset_device(udev);
		usb_unlock_device(udev);
	}
	dev_info(&s->ctrlr->xdev->dev, "dom%d port %u: %s reset: %d\n",
		 s->ctrlr->xdev->otherend_id, s->rq->port, s->dev->busid, err);
	usbback_respond(s, xenusb_status_from_errno(err), 0, 0, 0);
}

/**
 * usbback_claim_reset() - answer a port reset later
 * @s: slot of the request, routed to s->dev (referenced)
 *
 * Called from the ring work with req_mutex held, which post_reset takes:
 * the reset runs in its own work.
 */
void usbback_claim_reset(struct usbback_slot *s)
{
	queue_work(system_long_wq, &s->reset_work);
}

static int usbback_usb_probe(struct usb_interface *intf,
			     const struct usb_device_id *id)
{
	struct usb_device *udev = interface_to_usbdev(intf);
	const char *busid = dev_name(&udev->dev);
	struct usbback_ctrlr *c, *owner = NULL;
	struct usbback_dev *d;
	unsigned int i, port = 0;
	u8 speed;
	int err = 0;

	if (!udev->parent)
		return -ENODEV;	/* a root hub */
	if (udev->descriptor.bDeviceClass == USB_CLASS_HUB) {
		dev_info(&intf->dev, "hubs cannot be passed through\n");
		return -ENODEV;
	}
	if (strlen(busid) >= USBBACK_BUSID_LEN)
		return -ENODEV;

	mutex_lock(&usbback_mutex);
	list_for_each_entry(c, &usbback_ctrlrs, node) {
		usbback_ports_refresh(c);
		for (i = 1; i <= c->nports && !owner; i++) {
			if (!strcmp(c->port[i].busid, busid)) {
				owner = c;
				port = i;
			}
		}
	}
	if (!owner) {
		/* Not assigned to any guest: leave it to other drivers. */
		err = -ENODEV;
		goto out;
	}

	speed = usbback_speed(udev);
	if (!xenusb_speed_valid(speed, owner->usb_ver)) {
		dev_warn(&intf->dev,
			 "device speed not supported by dom%d controller %u (USB %s)\n",
			 owner->xdev->otherend_id, owner->devid,
			 owner->usb_ver == 2 ? "2.0" : "1.1");
		err = -EINVAL;
		goto out;
	}

	d = usbback_dev_find(busid);
	if (!d) {
		d = kzalloc(sizeof(*d), GFP_KERNEL);
		if (!d) {
			err = -ENOMEM;
			goto out;
		}
		kref_init(&d->kref);
		d->udev = usb_get_dev(udev);
		strscpy(d->busid, busid, sizeof(d->busid));
		d->speed = speed;
		d->ss_as_hs = udev->speed >= USB_SPEED_SUPER;
		list_add_tail(&d->node, &usbback_devs);
	}
	d->nr_bound++;
	usb_set_intfdata(intf, d);
	dev_dbg(&intf->dev, "claimed for dom%d port %u\n",
		owner->xdev->otherend_id, port);

	/* The last interface makes the device visible to the guest. */
	if (!d->ctrlr && usbback_dev_complete(d) && !owner->port[port].dev)
		usbback_port_attach(owner, port, d);
out:
	mutex_unlock(&usbback_mutex);
	return err;
}

static void usbback_usb_disconnect(struct usb_interface *intf)
{
	struct usbback_dev *d = usb_get_intfdata(intf);

	if (!d)
		return;
	mutex_lock(&usbback_mutex);
	/* A change of configuration the guest asked for is not an unplug. */
	if (d->ctrlr && !d->reconfig)
		usbback_port_detach(d->ctrlr, d->port);
	usb_set_intfdata(intf, NULL);
	if (!--d->nr_bound && !d->reconfig) {
		list_del_init(&d->node);
		usbback_dev_put(d);
	}
	mutex_unlock(&usbback_mutex);
}

/**
 * usbback_dev_queue_reset() - reset a device we hold, soon
 * @d: device (referenced by the caller)
 *
 * For a device whose transfers were killed behind its guest's back (see
 * usbback_port_kill()).  The reset runs from usbcore's work item, because
 * the device lock ranks above our locks; usbcore skips it if the
 * interface has left usbback by then (its new driver copes on its own).
 * The device keeps its address, configuration and altsettings; usbback
 * stays bound through it (pre_reset/post_reset).  Process context.
 */
void usbback_dev_queue_reset(struct usbback_dev *d)
{
	struct usb_host_config *cfg;
	unsigned int i;

	mutex_lock(&usbback_mutex);
	cfg = d->udev->actconfig;
	for (i = 0; cfg && i < cfg->desc.bNumInterfaces; i++) {
		struct usb_interface *intf = cfg->interface[i];

		if (intf && usb_get_intfdata(intf) == d) {
			dev_info(&d->udev->dev,
				 "transfers cut short: resetting the device\n");
			usb_queue_reset_device(intf);
			break;
		}
	}
	mutex_unlock(&usbback_mutex);
}

/*
 * A reset of a device we hold (ours from usbback_dev_queue_reset(), or
 * anyone's through usbfs): its URBs go, and the interfaces stay bound.
 */
static int usbback_usb_pre_reset(struct usb_interface *intf)
{
	struct usbback_dev *d;

	mutex_lock(&usbback_mutex);
	d = usb_get_intfdata(intf);
	if (d && d->ctrlr)
		usb_kill_anchored_urbs(&d->ctrlr->port[d->port].anchor);
	mutex_unlock(&usbback_mutex);
	return 0;
}

/* usbcore restored configuration and altsettings: refresh the view. */
static int usbback_usb_post_reset(struct usb_interface *intf)
{
	struct usbback_dev *d;

	mutex_lock(&usbback_mutex);
	d = usb_get_intfdata(intf);
	if (d && d->ctrlr) {
		mutex_lock(&d->ctrlr->req_mutex);
		usbback_dev_rebuild_view(d);
		mutex_unlock(&d->ctrlr->req_mutex);
	}
	mutex_unlock(&usbback_mutex);
	return 0;
}

/*
 * Matches every interface (match_flags 0, driver_info non-zero): usbcore
 * accepts a bind through sysfs only for a driver whose table matches.
 * No MODULE_DEVICE_TABLE, so that plugging a device never loads us.
 */
static const struct usb_device_id usbback_usb_ids[] = {
	{ .driver_info = 1 },
	{ }
};

static struct usb_driver usbback_usb_driver = {
	.name = "usbback",
	.probe = usbback_usb_probe,
	.disconnect = usbback_usb_disconnect,
	.pre_reset = usbback_usb_pre_reset,
	.post_reset = usbback_usb_post_reset,
	.id_table = usbback_usb_ids,
};

/**
 * usbback_claim_init() - register the "usbback" USB driver
 *
 * Return: 0 or a negative errno.
 */
int usbback_claim_init(void)
{
	return usb_register(&usbback_usb_driver);
}

/**
 * usbback_claim_exit() - unregister it; every interface is released
 */
void usbback_claim_exit(void)
{
	usb_deregister(&usbback_usb_driver);
}
