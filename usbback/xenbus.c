// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the xenbus side of a virtual host controller.
 *
 * libxl creates backend/vusb/<domid>/<devid> with num-ports, usb-ver and
 * port/N and waits 10 s for state InitWait.  The frontend then publishes
 * its rings and event channel and (xen-hcd) goes straight to Connected.
 * At removal libxl writes online=0 and state=Closing and waits 10 s for
 * Closed, also when the guest is dead: we must get there alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>

#include "common.h"

/* Read a xenstore value of ours as a NUL-terminated string. */
static char *usbback_read_str(struct xenbus_device *xdev, const char *node)
{
	char *s = xenbus_read(XBT_NIL, xdev->nodename, node, NULL);

	return IS_ERR(s) ? NULL : s;
}

static int usbback_read_config(struct usbback_ctrlr *c)
{
	struct xenbus_device *xdev = c->xdev;
	const char *base;
	char *s;
	int err;

	s = usbback_read_str(xdev, "num-ports");
	err = s ? usbback_parse_num_ports(s, &c->nports) : -ENOENT;
	kfree(s);
	if (err) {
		xenbus_dev_fatal(xdev, err, "reading num-ports (1..%d)",
				 XENUSB_MAX_PORTNR);
		return err;
	}

	s = usbback_read_str(xdev, "usb-ver");
	err = s ? usbback_parse_usb_ver(s, &c->usb_ver) : -ENOENT;
	kfree(s);
	if (err) {
		xenbus_dev_fatal(xdev, err, "reading usb-ver (1 or 2)");
		return err;
	}

	/* The controller id only names the controller in logs and traces. */
	base = strrchr(xdev->nodename, '/');
	if (!base || kstrtouint(base + 1, 10, &c->devid))
		c->devid = 0;
	return 0;
}

/*
 * Offer our features: write the value of each one switched on, remove
 * the key of each one switched off (left by an earlier offer: this
 * controller's, or that of a usbback bound to the directory before, so
 * removed whether or not we wrote it). Before every switch to InitWait,
 * with the state mutex held or before the device is visible.
 */
static int usbback_feat_offer(struct usbback_ctrlr *c)
{
	struct xenbus_device *xdev = c->xdev;
	unsigned int f;
	int err;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		u32 v = READ_ONCE(usbback_feature_param[f]) ?
			xenusb_feat_max(f) : 0;

		if (v) {
			err = xenbus_printf(XBT_NIL, xdev->nodename,
					    xenusb_feat_key(f), "%u", v);
			if (err) {
				xenbus_dev_fatal(xdev, err, "writing %s",
						 xenusb_feat_key(f));
				return err;
			}
		} else {
			/* -ENOENT: nothing was offered before. */
			xenbus_rm(XBT_NIL, xdev->nodename, xenusb_feat_key(f));
		}
		c->feat_offered.val[f] = v;
	}
	/* A deeper urb ring (protocol.rst "Deeper ring"): blkif's key. */
	c->max_ring_order = min_t(unsigned int,
				  READ_ONCE(usbback_max_ring_page_order),
				  XENUSB_MAX_RING_PAGE_ORDER);
	if (c->max_ring_order) {
		err = xenbus_printf(XBT_NIL, xdev->nodename,
				    XENUSB_KEY_MAX_RING_PAGE_ORDER, "%u",
				    c->max_ring_order);
		if (err) {
			xenbus_dev_fatal(xdev, err, "writing %s",
					 XENUSB_KEY_MAX_RING_PAGE_ORDER);
			return err;
		}
	} else {
		xenbus_rm(XBT_NIL, xdev->nodename,
			  XENUSB_KEY_MAX_RING_PAGE_ORDER);
	}
	return 0;
}

/*
 * The urb ring's pages: ring-page-order (absent: 0) and the grant of
 * each page, "urb-ring-ref" for one page, "urb-ring-ref0".. otherwise.
 * Return: 0, or a negative errno (already reported).
 */
static int usbback_read_ring_refs(struct usbback_ctrlr *c,
				  grant_ref_t refs[XENUSB_MAX_RING_PAGES],
				  unsigned int *order)
{
	struct xenbus_device *xdev = c->xdev;
	char *val[XENUSB_MAX_RING_PAGES] = { };
	char node[sizeof(XENUSB_KEY_URB_RING_REF) + 4];
	unsigned int i, n, bad;
	char *s;
	int err;

	s = xenbus_read(XBT_NIL, xdev->otherend, XENUSB_KEY_RING_PAGE_ORDER,
			NULL);
	if (IS_ERR(s))
		s = NULL;
	err = usbback_parse_ring_order(s, c->max_ring_order, order);
	if (err) {
		xenbus_dev_fatal(xdev, err, "frontend's %s \"%s\" (0..%u)",
				 XENUSB_KEY_RING_PAGE_ORDER, s,
				 c->max_ring_order);
		kfree(s);
		return err;
	}
	kfree(s);

	n = 1u << *order;
	for (i = 0; i < n; i++) {
		if (*order)
			snprintf(node, sizeof(node), "%s%u",
				 XENUSB_KEY_URB_RING_REF, i);
		else
			strscpy(node, XENUSB_KEY_URB_RING_REF, sizeof(node));
		val[i] = xenbus_read(XBT_NIL, xdev->otherend, node, NULL);
		if (IS_ERR(val[i]))
			val[i] = NULL;
	}
	BUILD_BUG_ON(sizeof(grant_ref_t) != sizeof(u32));
	err = usbback_parse_ring_refs(*order, (const char *const *)val,
				      (u32 *)refs, &bad);
	if (err) {
		if (*order)
			xenbus_dev_fatal(xdev, err, "frontend's %s%u: %s",
					 XENUSB_KEY_URB_RING_REF, bad,
					 err == -ENOENT ? "missing" :
					 err == -EEXIST ? "names a page twice" :
					 "not a grant reference");
		else
			xenbus_dev_fatal(xdev, err, "reading %s/%s",
					 xdev->otherend,
					 XENUSB_KEY_URB_RING_REF);
	}
	for (i = 0; i < n; i++)
		kfree(val[i]);
	return err;
}

/*
 * Read the frontend's choice of features. Return: 0, or -EINVAL when it
 * uses more than we offered (already reported).
 */
static int usbback_feat_read(struct usbback_ctrlr *c,
			     struct xenusb_features *on)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	struct xenbus_device *xdev = c->xdev;
	char *used[XENUSB_FEAT_NR];
	unsigned int f;
	int err;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		used[f] = xenbus_read(XBT_NIL, xdev->otherend,
				      xenusb_feat_key(f), NULL);
		if (IS_ERR(used[f]))
			used[f] = NULL;
	}
	err = usbback_feat_accept(&c->feat_offered,
				  (const char *const *)used, on, verdict);
	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		if (verdict[f] != XENUSB_FEAT_OK &&
		    verdict[f] != XENUSB_FEAT_ABSENT)
			dev_warn(&xdev->dev, "frontend's %s \"%s\": %s\n",
				 xenusb_feat_key(f), used[f],
				 xenusb_feat_verdict_str(verdict[f]));
		kfree(used[f]);
	}
	if (err) {
		xenbus_dev_fatal(xdev, err,
				 "frontend uses features beyond our offer");
		return err;
	}
	dev_info(&xdev->dev, "features: zero-packet %s, port-reset %s, large transfers %u pages\n",
		 xenusb_feat_on(on, XENUSB_FEAT_ZERO_PACKET) ? "on" : "off",
		 xenusb_feat_on(on, XENUSB_FEAT_PORT_RESET) ? "on" : "off",
		 on->val[XENUSB_FEAT_MAX_INDIRECT]);
	return 0;
}

static int usbback_connect(struct usbback_ctrlr *c)
{
	grant_ref_t urb_refs[XENUSB_MAX_RING_PAGES];
	struct xenusb_features on;
	struct xenbus_device *xdev = c->xdev;
	unsigned int conn_ref, evtchn, order;
	int err;

	err = usbback_read_ring_refs(c, urb_refs, &order);
	if (err)
		return err;
	err = xenbus_gather(XBT_NIL, xdev->otherend,
			    "conn-ring-ref", "%u", &conn_ref,
			    "event-channel", "%u", &evtchn, NULL);
	if (err) {
		xenbus_dev_fatal(xdev, err,
				 "reading %s/{conn-ring-ref,event-channel}",
				 xdev->otherend);
		return err;
	}
	err = usbback_feat_read(c, &on);
	if (err)
		return err;
	/* The ring is detached: the consumer leaves it alone. */
	mutex_lock(&c->req_mutex);
	c->ring.feat = on;
	mutex_unlock(&c->req_mutex);
	/*
	 * "protocol" needs no check: request and response layouts are the
	 * same for the x86_32 and x86_64 ABIs (no 64-bit fields).
	 */
	return usbback_ring_connect(c, urb_refs, order, conn_ref, evtchn);
}

static void usbback_set_state(struct usbback_ctrlr *c, enum xenbus_state s)
{
	int err = xenbus_switch_state(c->xdev, s);

	if (err)
		dev_warn(&c->xdev->dev, "cannot switch to %s: %d\n",
			 xenbus_strstate(s), err);
}

static void usbback_frontend_changed(struct xenbus_device *xdev,
				     enum xenbus_state fe_state)
{
	struct usbback_ctrlr *c = dev_get_drvdata(&xdev->dev);

	dev_dbg(&xdev->dev, "frontend %s, backend %s\n",
		xenbus_strstate(fe_state), xenbus_strstate(xdev->state));

	mutex_lock(&c->state_mutex);
	switch (fe_state) {
	case XenbusStateInitialising:
		/*
		 * A frontend that closed and comes back starts afresh: offer
		 * again, and forget a ring violation of its last connection
		 * (the latch only kept that connection from being used again;
		 * the rings are unmapped since we went Closed).
		 */
		if (xdev->state == XenbusStateClosed &&
		    !usbback_feat_offer(c)) {
			mutex_lock(&c->req_mutex);
			c->ring.fatal = false;
			mutex_unlock(&c->req_mutex);
			usbback_set_state(c, XenbusStateInitWait);
		}
		break;

	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (xdev->state == XenbusStateConnected ||
		    xdev->state == XenbusStateClosing || c->ring.fatal)
			break;
		if (!xenbus_dev_is_online(xdev))
			break;
		if (!usbback_connect(c))
			usbback_set_state(c, XenbusStateConnected);
		break;

	case XenbusStateClosing:
		usbback_ring_disconnect(c);
		usbback_set_state(c, XenbusStateClosing);
		break;

	case XenbusStateClosed:
		usbback_ring_disconnect(c);
		usbback_set_state(c, XenbusStateClosed);
		if (xenbus_dev_is_online(xdev))
			break;
		mutex_unlock(&c->state_mutex);
		device_unregister(&xdev->dev);
		return;

	case XenbusStateUnknown:
	default:
		/* The frontend is gone (domain destroyed): nothing to wait for. */
		usbback_ring_disconnect(c);
		usbback_set_state(c, XenbusStateClosed);
		mutex_unlock(&c->state_mutex);
		device_unregister(&xdev->dev);
		return;
	}
	mutex_unlock(&c->state_mutex);
}

static void usbback_port_watch(struct xenbus_watch *w, const char *path,
			       const char *token)
{
	struct usbback_ctrlr *c = container_of(w, struct usbback_ctrlr,
					       port_watch);

	usbback_claim_sync_ports(c);
}

/*
 * online=0 with a frontend that will never close by itself (it never
 * connected, or is stuck): close now, so that libxl sees Closed in time.
 * A connected frontend sees the Closing that libxl writes and closes; we
 * follow in usbback_frontend_changed().
 */
static void usbback_online_watch(struct xenbus_watch *w, const char *path,
				 const char *token)
{
	struct usbback_ctrlr *c = container_of(w, struct usbback_ctrlr,
					       online_watch);
	struct xenbus_device *xdev = c->xdev;
	enum xenbus_state fe;

	if (xenbus_dev_is_online(xdev))
		return;
	fe = xenusb_otherend_state(xdev);
	if (fe == XenbusStateInitialised || fe == XenbusStateConnected ||
	    fe == XenbusStateClosing)
		return;

	mutex_lock(&c->state_mutex);
	usbback_ring_disconnect(c);
	usbback_set_state(c, XenbusStateClosed);
	mutex_unlock(&c->state_mutex);
}

static int usbback_probe(struct xenbus_device *xdev,
			 const struct xenbus_device_id *id)
{
	struct usbback_ctrlr *c;
	int err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating controller");
		return -ENOMEM;
	}
	c->xdev = xdev;
	mutex_init(&c->state_mutex);
	dev_set_drvdata(&xdev->dev, c);

	err = usbback_read_config(c);
	if (err)
		goto err_free;
	err = usbback_ctrlr_init(c);
	if (err)
		goto err_free;

	err = usbback_stats_add(c);
	if (err) {
		xenbus_dev_fatal(xdev, err, "creating sysfs counters");
		goto err_free;
	}

	usbback_claim_add_ctrlr(c);

	err = xenbus_watch_pathfmt(xdev, &c->port_watch, NULL,
				   usbback_port_watch, "%s/port",
				   xdev->nodename);
	if (err)
		goto err_claim;
	err = xenbus_watch_pathfmt(xdev, &c->online_watch, NULL,
				   usbback_online_watch, "%s/online",
				   xdev->nodename);
	if (err) {
		unregister_xenbus_watch(&c->port_watch);
		kfree(c->port_watch.node);
		goto err_claim;
	}
	c->watches = true;

	err = usbback_feat_offer(c);
	if (err)
		goto err_watch;
	err = xenbus_switch_state(xdev, XenbusStateInitWait);
	if (err)
		goto err_watch;

	dev_info(&xdev->dev, "dom%d controller %u: %u ports, USB %s\n",
		 xdev->otherend_id, c->devid, c->nports,
		 c->usb_ver == 2 ? "2.0" : "1.1");
	return 0;

err_watch:
	c->watches = false;
	unregister_xenbus_watch(&c->online_watch);
	kfree(c->online_watch.node);
	unregister_xenbus_watch(&c->port_watch);
	kfree(c->port_watch.node);
err_claim:
	usbback_claim_del_ctrlr(c);
	cancel_delayed_work_sync(&c->ring_work);
	usbback_stats_del(c);
err_free:
	dev_set_drvdata(&xdev->dev, NULL);
	kfree(c);
	return err;
}

static void usbback_remove(struct xenbus_device *xdev)
{
	struct usbback_ctrlr *c = dev_get_drvdata(&xdev->dev);

	if (!c)
		return;
	if (c->watches) {
		unregister_xenbus_watch(&c->online_watch);
		kfree(c->online_watch.node);
		unregister_xenbus_watch(&c->port_watch);
		kfree(c->port_watch.node);
		c->watches = false;
	}

	mutex_lock(&c->state_mutex);
	usbback_ring_disconnect(c);
	mutex_unlock(&c->state_mutex);

	usbback_claim_del_ctrlr(c);
	/* The unplug events of the ports above kicked the ring work. */
	cancel_delayed_work_sync(&c->ring_work);
	usbback_stats_del(c);
	usbback_slots_free(c);
	dev_set_drvdata(&xdev->dev, NULL);
	kfree(c);
}

static const struct xenbus_device_id usbback_ids[] = {
	{ "vusb" },
	{ "" }
};

static struct xenbus_driver usbback_xenbus_driver = {
	.ids = usbback_ids,
	.probe = usbback_probe,
	.remove = usbback_remove,
	.otherend_changed = usbback_frontend_changed,
};

/**
 * usbback_xenbus_init() - register the "vusb" xenbus backend
 *
 * Return: 0 or a negative errno from xenbus.
 */
int usbback_xenbus_init(void)
{
	return xenbus_register_backend(&usbback_xenbus_driver);
}

/**
 * usbback_xenbus_exit() - unregister it; every controller is removed
 */
void usbback_xenbus_exit(void)
{
	xenbus_unregister_driver(&usbback_xenbus_driver);
}
