// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront xenbus side: the "vusb" frontend state machine.
 *
 * probe creates the host controller from the backend's num-ports and
 * usb-ver; the rings are set up when the backend waits for us and torn
 * down when it closes. A backend that closes and comes back (restart,
 * save/restore) gets new rings on the same controller: the ports go empty
 * at teardown and fill again from the backend's replay of its ports, so
 * the devices enumerate afresh.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xenbus.h>

#include "common.h"
#include "trace.h"

static void usbfront_link_set(struct usbfront_info *info,
			      enum usbfront_link link)
{
	info->link = link;
	trace_usbfront_link(dev_name(&info->xbdev->dev), link);
}

/*
 * Tear the rings down: no handler runs afterwards, every URB completes
 * with -ESHUTDOWN (those whose grants the backend still holds wait for
 * the reclaim work) and every port goes empty. Idempotent.
 */
static void usbfront_teardown(struct usbfront_info *info)
{
	unsigned long flags;
	LIST_HEAD(done);
	bool was_up;

	lockdep_assert_held(&info->conn_mutex);
	if (info->irq) {
		/* Also closes the event channel. */
		unbind_from_irqhandler(info->irq, info);
		info->irq = 0;
	}
	cancel_work_sync(&info->poll_work);

	spin_lock_irqsave(&info->lock, flags);
	was_up = info->link != USBFRONT_DOWN;
	usbfront_link_set(info, USBFRONT_DOWN);
	usbfront_fail_all(info, &done);
	usbfront_rh_disconnect_all(info);
	if (was_up) {
		info->gen++;
		info->stats.disconnects++;
	}
	spin_unlock_irqrestore(&info->lock, flags);

	usbfront_giveback_list(info, &done);
	usb_hcd_poll_rh_status(info->hcd);

	xenbus_teardown_ring((void **)&info->ring.urb.sring,
			     1u << info->ring_order, info->urb_ring_ref);
	xenbus_teardown_ring((void **)&info->ring.conn.sring, 1,
			     &info->conn_ring_ref);
	if (was_up)
		dev_info(&info->xbdev->dev, "disconnected from backend\n");
}

/*
 * What we use of the backend's offer (include/xenusb_features.h): read
 * at every connection, so that a new backend (restart, restore) is
 * negotiated with afresh.
 */
static void usbfront_feat_negotiate(struct usbfront_info *info,
				    struct xenusb_features *use)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	struct xenbus_device *dev = info->xbdev;
	struct xenusb_features local;
	char *offer[XENUSB_FEAT_NR];
	unsigned int f;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		local.val[f] = READ_ONCE(usbfront_feature_param[f]) ?
			       xenusb_feat_max(f) : 0;
		offer[f] = xenbus_read(XBT_NIL, dev->otherend,
				       xenusb_feat_key(f), NULL);
		if (IS_ERR(offer[f]))
			offer[f] = NULL;
	}
	usbfront_feat_choose(&local, (const char *const *)offer, use, verdict);
	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		if (verdict[f] == XENUSB_FEAT_GARBAGE)
			dev_warn(&dev->dev, "backend's %s \"%s\": %s\n",
				 xenusb_feat_key(f), offer[f],
				 xenusb_feat_verdict_str(verdict[f]));
		kfree(offer[f]);
	}
}

/*
 * The URB ring's order (protocol.rst "Deeper ring"): what the backend's
 * max-ring-page-order and ours allow, read at every connection.
 */
static unsigned int usbfront_ring_order(struct usbfront_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	enum xenusb_feat_verdict verdict;
	unsigned int order;
	char *offer;

	offer = xenbus_read(XBT_NIL, dev->otherend,
			    XENUSB_KEY_MAX_RING_PAGE_ORDER, NULL);
	if (IS_ERR(offer))
		offer = NULL;
	order = usbfront_ring_order_choose(offer,
					   READ_ONCE(usbfront_param_max_ring_page_order),
					   &verdict);
	if (verdict == XENUSB_FEAT_GARBAGE)
		dev_warn(&dev->dev, "backend's %s \"%s\": %s\n",
			 XENUSB_KEY_MAX_RING_PAGE_ORDER, offer,
			 xenusb_feat_verdict_str(verdict));
	kfree(offer);
	return order;
}

/*
 * The URB ring's keys: "urb-ring-ref" alone for one page (byte for byte
 * the base protocol), ring-page-order and "urb-ring-ref0".. otherwise.
 * The keys of the other form, left by an earlier connection, go.
 */
static int usbfront_ring_publish(struct usbfront_info *info,
				 struct xenbus_transaction xbt,
				 const char **what)
{
	struct xenbus_device *dev = info->xbdev;
	char node[sizeof(XENUSB_KEY_URB_RING_REF) + 4];
	unsigned int i, n = 1u << info->ring_order;
	int err;

	if (!info->ring_order) {
		*what = XENUSB_KEY_RING_PAGE_ORDER;
		err = xenbus_rm(xbt, dev->nodename, *what);
		if (err && err != -ENOENT)
			return err;
		/* *what names the key family: @node is ours alone. */
		*what = XENUSB_KEY_URB_RING_REF;
		for (i = 0; i < XENUSB_MAX_RING_PAGES; i++) {
			snprintf(node, sizeof(node), "%s%u",
				 XENUSB_KEY_URB_RING_REF, i);
			err = xenbus_rm(xbt, dev->nodename, node);
			if (err && err != -ENOENT)
				return err;
		}
		*what = XENUSB_KEY_URB_RING_REF;
		return xenbus_printf(xbt, dev->nodename, *what, "%u",
				     info->urb_ring_ref[0]);
	}
	*what = XENUSB_KEY_URB_RING_REF;
	err = xenbus_rm(xbt, dev->nodename, *what);
	if (err && err != -ENOENT)
		return err;
	for (i = n; i < XENUSB_MAX_RING_PAGES; i++) {
		snprintf(node, sizeof(node), "%s%u", XENUSB_KEY_URB_RING_REF,
			 i);
		err = xenbus_rm(xbt, dev->nodename, node);
		if (err && err != -ENOENT)
			return err;
	}
	*what = XENUSB_KEY_RING_PAGE_ORDER;
	err = xenbus_printf(xbt, dev->nodename, *what, "%u", info->ring_order);
	if (err)
		return err;
	*what = XENUSB_KEY_URB_RING_REF;
	for (i = 0; i < n; i++) {
		snprintf(node, sizeof(node), "%s%u", XENUSB_KEY_URB_RING_REF,
			 i);
		err = xenbus_printf(xbt, dev->nodename, node, "%u",
				    info->urb_ring_ref[i]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Write the features we use, remove the keys of those we do not use now
 * (left for an earlier backend, or by an earlier load of this module).
 * Nothing at all is written for a backend that offered nothing.
 */
static int usbfront_feat_publish(struct usbfront_info *info,
				 struct xenbus_transaction xbt,
				 const struct xenusb_features *use,
				 const char **what)
{
	struct xenbus_device *dev = info->xbdev;
	unsigned int f;
	int err;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		*what = xenusb_feat_key(f);
		if (use->val[f]) {
			err = xenbus_printf(xbt, dev->nodename, *what, "%u",
					    use->val[f]);
			if (err)
				return err;
		} else {
			err = xenbus_rm(xbt, dev->nodename, *what);
			if (err && err != -ENOENT)
				return err;
		}
	}
	return 0;
}

/*
 * Write the keys the backend needs in one transaction: the features we
 * use, then the rings and the event channel.
 */
static int usbfront_publish(struct usbfront_info *info,
			    const struct xenusb_features *use)
{
	struct xenbus_device *dev = info->xbdev;
	struct xenbus_transaction xbt;
	const char *what;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(dev, err, "starting transaction");
		return err;
	}
	err = usbfront_feat_publish(info, xbt, use, &what);
	if (err)
		goto abort;
	err = usbfront_ring_publish(info, xbt, &what);
	if (err)
		goto abort;
	what = "conn-ring-ref";
	err = xenbus_printf(xbt, dev->nodename, what, "%u",
			    info->conn_ring_ref);
	if (err)
		goto abort;
	what = "event-channel";
	err = xenbus_printf(xbt, dev->nodename, what, "%u", info->evtchn);
	if (err)
		goto abort;
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		xenbus_dev_fatal(dev, err, "completing transaction");
	return err;

abort:
	xenbus_transaction_end(xbt, 1);
	xenbus_dev_fatal(dev, err, "writing %s", what);
	return err;
}

/*
 * Large transfers (feature-max-indirect-segments): every id gets its
 * indirect page the first time they are used.  No page, no feature: the
 * choice is withdrawn before it is written.
 */
static void usbfront_indirect_pages(struct usbfront_info *info,
				    struct xenusb_features *use)
{
	unsigned int id;

	if (!use->val[XENUSB_FEAT_MAX_INDIRECT])
		return;
	for (id = 0; id < info->nr_shadow; id++) {
		if (info->shadow[id].ind)
			continue;
		info->shadow[id].ind = (void *)get_zeroed_page(GFP_NOIO);
		if (!info->shadow[id].ind) {
			use->val[XENUSB_FEAT_MAX_INDIRECT] = 0;
			return;
		}
	}
}

/*
 * Give back the indirect pages once the rings are down for good.  A page
 * whose grant the backend still holds is leaked, never reused.
 */
static void usbfront_indirect_free(struct usbfront_info *info)
{
	unsigned int id;

	for (id = 0; id < info->nr_shadow; id++) {
		if (!info->ring.held[id])
			free_page((unsigned long)info->shadow[id].ind);
		info->shadow[id].ind = NULL;
	}
}

/*
 * One shadow per id of a ring of 2^@order pages. Grown, never shrunk:
 * the shadow of a request whose grants a backend still holds stays.
 * Called with the rings down (conn_mutex).
 */
static int usbfront_shadow_size(struct usbfront_info *info,
				unsigned int order)
{
	unsigned int nr = XENUSB_URB_RING_SIZE_ORDER(order);
	struct usbfront_shadow *sh, *old;
	unsigned int noio;
	unsigned long flags;

	if (nr <= info->nr_shadow)
		return 0;
	/* No I/O to reclaim memory (a restore may wait on this disk). */
	noio = memalloc_noio_save();
	sh = kvcalloc(nr, sizeof(*sh), GFP_KERNEL);
	memalloc_noio_restore(noio);
	if (!sh)
		return -ENOMEM;
	spin_lock_irqsave(&info->lock, flags);
	old = info->shadow;
	if (old)
		memcpy(sh, old, info->nr_shadow * sizeof(*sh));
	info->shadow = sh;
	info->nr_shadow = nr;
	spin_unlock_irqrestore(&info->lock, flags);
	kvfree(old);
	return 0;
}

/* Grant both rings, bind the event channel, tell the backend. */
static int usbfront_connect(struct usbfront_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	struct xenusb_conn_sring *conn_sring;
	struct xenusb_urb_sring *urb_sring;
	struct xenusb_features use;
	unsigned long flags;
	unsigned int nports, usb_ver;
	int err;

	lockdep_assert_held(&info->conn_mutex);
	/* The controller was built for these; a new backend must agree. */
	nports = xenbus_read_unsigned(dev->otherend, "num-ports", 0);
	usb_ver = xenbus_read_unsigned(dev->otherend, "usb-ver", 0);
	if (nports != info->nports || usb_ver != info->usb_ver) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "backend now has num-ports %u usb-ver %u, controller was built for %u and %u",
				 nports, usb_ver, info->nports, info->usb_ver);
		return -EINVAL;
	}

	usbfront_feat_negotiate(info, &use);
	info->ring_order = usbfront_ring_order(info);
	err = usbfront_shadow_size(info, info->ring_order);
	if (err) {
		xenbus_dev_fatal(dev, err, "allocating %u request shadows",
				 XENUSB_URB_RING_SIZE_ORDER(info->ring_order));
		return err;
	}
	usbfront_indirect_pages(info, &use);

	/* 2^order pages, virtually contiguous, each granted. */
	err = xenbus_setup_ring(dev, GFP_NOIO | __GFP_HIGH, (void **)&urb_sring,
				1u << info->ring_order, info->urb_ring_ref);
	if (err) {
		xenbus_dev_fatal(dev, err, "granting the urb ring (%u pages)",
				 1u << info->ring_order);
		return err;
	}
	info->ring.urb.sring = urb_sring;

	err = xenbus_setup_ring(dev, GFP_NOIO | __GFP_HIGH,
				(void **)&conn_sring, 1, &info->conn_ring_ref);
	if (err) {
		xenbus_dev_fatal(dev, err, "granting the conn ring");
		goto fail;
	}
	info->ring.conn.sring = conn_sring;

	err = xenbus_alloc_evtchn(dev, &info->evtchn);
	if (err)
		goto fail;	/* xenbus_alloc_evtchn reported it */
	err = bind_evtchn_to_irqhandler_lateeoi(info->evtchn,
						usbfront_interrupt, 0,
						"usbfront", info);
	if (err < 0) {
		xenbus_free_evtchn(dev, info->evtchn);
		xenbus_dev_fatal(dev, err, "binding the event channel");
		goto fail;
	}
	info->irq = err;

	spin_lock_irqsave(&info->lock, flags);
	/* Fresh rings, every conn request posted under its slot index. */
	err = usbfront_ring_attach(&info->ring, urb_sring, conn_sring,
				   info->ring_order);
	info->ring.feat = use;
	if (!err)
		usbfront_link_set(info, USBFRONT_UP);
	spin_unlock_irqrestore(&info->lock, flags);
	if (err) {
		xenbus_dev_fatal(dev, err, "attaching a ring of order %u",
				 info->ring_order);
		goto fail;
	}

	err = usbfront_publish(info, &use);
	if (err)
		goto fail;

	info->failed = false;
	info->stats.connects++;
	dev_info(&dev->dev, "connected: %u ports, USB %s, backend domain %d, urb ring %u pages, zero-packet %s, port-reset %s, large transfers %u pages\n",
		 info->nports, info->usb_ver == 1 ? "1.1" : "2.0",
		 dev->otherend_id, 1u << info->ring_order,
		 xenusb_feat_on(&use, XENUSB_FEAT_ZERO_PACKET) ? "on" : "off",
		 xenusb_feat_on(&use, XENUSB_FEAT_PORT_RESET) ? "on" : "off",
		 use.val[XENUSB_FEAT_MAX_INDIRECT]);
	return 0;

fail:
	usbfront_teardown(info);
	return err;
}

/* After a protocol error: fail everything, close the device. */
static void usbfront_error_work(struct work_struct *work)
{
	struct usbfront_info *info = container_of(work, struct usbfront_info,
						  error_work);

	mutex_lock(&info->conn_mutex);
	if (info->link == USBFRONT_BROKEN) {
		info->failed = true;
		usbfront_teardown(info);
		xenbus_dev_fatal(info->xbdev, -EPROTO, "backend protocol error: %s",
				 info->error_what);
	}
	mutex_unlock(&info->conn_mutex);
}

/*
 * The backend closed while it stays online (a restart rather than a
 * removal by the toolstack, which sets online to 0 first): go back to
 * Initialising, which is how a backend learns it may offer a new
 * connection (QEMU's qusb resets on it).
 */
static void usbfront_invite(struct usbfront_info *info)
{
	struct xenbus_device *dev = info->xbdev;

	if (!usbfront_param_reconnect || info->failed ||
	    dev->state != XenbusStateClosed ||
	    !xenbus_read_unsigned(dev->otherend, "online", 0))
		return;
	dev_info(&dev->dev, "backend closed but online: waiting for it to reconnect\n");
	xenbus_switch_state(dev, XenbusStateInitialising);
}

static void usbfront_backend_changed(struct xenbus_device *dev,
				     enum xenbus_state backend_state)
{
	struct usbfront_info *info = dev_get_drvdata(&dev->dev);
	int err;

	dev_dbg(&dev->dev, "backend %s, frontend %s\n",
		xenbus_strstate(backend_state), xenbus_strstate(dev->state));

	switch (backend_state) {
	case XenbusStateInitWait:
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/* A backend that restarted offers a new connection. */
		if (dev->state == XenbusStateClosed &&
		    backend_state != XenbusStateConnected &&
		    usbfront_param_reconnect)
			xenbus_switch_state(dev, XenbusStateInitialising);
		if (dev->state != XenbusStateInitialising)
			break;
		mutex_lock(&info->conn_mutex);
		err = usbfront_connect(info);
		mutex_unlock(&info->conn_mutex);
		if (!err)
			xenbus_switch_state(dev, XenbusStateConnected);
		break;

	case XenbusStateClosed:
		if (dev->state == XenbusStateClosed) {
			usbfront_invite(info);
			break;
		}
		fallthrough;	/* the backend skipped Closing */
	case XenbusStateClosing:
		mutex_lock(&info->conn_mutex);
		usbfront_teardown(info);
		mutex_unlock(&info->conn_mutex);
		xenbus_frontend_closed(dev);
		if (backend_state == XenbusStateClosed)
			usbfront_invite(info);
		break;

	default:
		break;
	}
}

static int usbfront_probe(struct xenbus_device *dev,
			  const struct xenbus_device_id *id)
{
	struct usbfront_info *info;
	unsigned int nports, usb_ver;
	struct usb_hcd *hcd;
	int err;

	if (usb_disabled())
		return -ENODEV;

	nports = xenbus_read_unsigned(dev->otherend, "num-ports", 0);
	if (nports < 1 || nports > XENUSB_MAX_PORTNR) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "backend num-ports %u out of range 1..%u",
				 nports, XENUSB_MAX_PORTNR);
		return -EINVAL;
	}
	usb_ver = xenbus_read_unsigned(dev->otherend, "usb-ver", 0);
	if (usb_ver != XENUSB_VER_USB11 && usb_ver != XENUSB_VER_USB20) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "backend usb-ver %u not supported (1 = USB 1.1, 2 = USB 2.0)",
				 usb_ver);
		return -EINVAL;
	}

	hcd = usbfront_hcd_create(dev, nports, usb_ver);
	if (!hcd) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating the host controller");
		return -ENOMEM;
	}
	info = usbfront_hcd_info(hcd);
	INIT_WORK(&info->error_work, usbfront_error_work);
	dev_set_drvdata(&dev->dev, info);

	err = usb_add_hcd(hcd, 0, 0);
	if (err) {
		xenbus_dev_fatal(dev, err, "adding the host controller");
		goto fail;
	}
	err = usbfront_stats_register(info);
	if (err) {
		usb_remove_hcd(hcd);
		goto fail;
	}
	return 0;

fail:
	dev_set_drvdata(&dev->dev, NULL);
	usb_put_hcd(hcd);
	return err;
}

static void usbfront_remove(struct xenbus_device *dev)
{
	struct usbfront_info *info = dev_get_drvdata(&dev->dev);
	struct usb_hcd *hcd = info->hcd;

	usbfront_stats_unregister(info);
	/* With the rings still up, URBs are unlinked through the backend. */
	usb_remove_hcd(hcd);
	cancel_work_sync(&info->error_work);
	mutex_lock(&info->conn_mutex);
	usbfront_teardown(info);
	mutex_unlock(&info->conn_mutex);
	cancel_delayed_work_sync(&info->reclaim_work);
	usbfront_indirect_free(info);
	kvfree(info->shadow);
	info->shadow = NULL;
	info->nr_shadow = 0;
	dev_set_drvdata(&dev->dev, NULL);
	usb_put_hcd(hcd);
}

/*
 * Restore after save (or migration): the old backend, its event channel
 * and its grant mappings are gone. Drop the rings; xenbus puts the device
 * back to Initialising and the new backend's InitWait connects it again.
 */
static int usbfront_resume(struct xenbus_device *dev)
{
	struct usbfront_info *info = dev_get_drvdata(&dev->dev);

	dev_info(&dev->dev, "resuming: reconnecting to the backend\n");
	cancel_work_sync(&info->error_work);
	mutex_lock(&info->conn_mutex);
	usbfront_teardown(info);
	info->failed = false;
	mutex_unlock(&info->conn_mutex);
	return 0;
}

static const struct xenbus_device_id usbfront_ids[] = {
	{ "vusb" },
	{ "" }
};

static struct xenbus_driver usbfront_driver = {
	.name = "usbfront",
	.ids = usbfront_ids,
	.probe = usbfront_probe,
	.remove = usbfront_remove,
	.resume = usbfront_resume,
	.otherend_changed = usbfront_backend_changed,
	.not_essential = true,
};

/**
 * usbfront_xenbus_register() - register the "vusb" frontend driver
 *
 * Return: 0 or a negative errno.
 */
int usbfront_xenbus_register(void)
{
	return xenbus_register_frontend(&usbfront_driver);
}

/**
 * usbfront_xenbus_unregister() - unregister it (removes every device)
 */
void usbfront_xenbus_unregister(void)
{
	xenbus_unregister_driver(&usbfront_driver);
}
