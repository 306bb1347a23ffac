// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: large transfers (indirect segments), the module's part.
 *
 * The backend offers feature-max-indirect-segments in its xenstore
 * directory before InitWait; a frontend that wants large transfers
 * writes the number it will use, at most that, as max-indirect-segments
 * in its own directory before it connects.  The core (req_check.c,
 * urb_ring.c) validates indirect requests; this file reads the frontend's
 * choice and copies the descriptor pages of each indirect request into
 * the slot's private segment array.  Documentation/protocol.rst,
 * "Large transfers", is the wire document.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "common.h"

/**
 * usbback_indirect_advertise() - offer large transfers to the frontend
 * @c: controller being probed, before InitWait
 *
 * Nothing is written when the max_indirect_segments parameter is 0: the
 * frontend then sees the base protocol's directory.
 *
 * Return: 0 or the xenstore error.
 */
int usbback_indirect_advertise(struct usbback_ctrlr *c)
{
	unsigned int max = READ_ONCE(usbback_max_indirect_segs);
	int err;

	c->ind_offered = max;
	if (!max)
		return 0;
	err = xenbus_printf(XBT_NIL, c->xdev->nodename,
			    XENUSB_KEY_MAX_INDIRECT_BACK, "%u", max);
	if (err)
		xenbus_dev_fatal(c->xdev, err, "writing %s",
				 XENUSB_KEY_MAX_INDIRECT_BACK);
	return err;
}

/**
 * usbback_indirect_connect() - what the connecting frontend chose
 * @c: controller, not connected
 *
 * No key (any old frontend): large transfers are off.  A value that is
 * not a number in 0..what was offered is a broken frontend: the
 * connection is refused.  Sets c->ring.max_indirect.
 *
 * Return: 0 or -EINVAL (reported with xenbus_dev_fatal()).
 */
int usbback_indirect_connect(struct usbback_ctrlr *c)
{
	struct xenbus_device *xdev = c->xdev;
	unsigned int v;
	char *s;
	int err;

	c->ring.max_indirect = 0;
	s = xenbus_read(XBT_NIL, xdev->otherend, XENUSB_KEY_MAX_INDIRECT_FRONT,
			NULL);
	if (IS_ERR(s))
		return 0;
	err = usbback_parse_max_indirect(s, c->ind_offered, &v);
	kfree(s);
	if (err) {
		xenbus_dev_fatal(xdev, err, "%s/%s is not a number in 0..%u",
				 xdev->otherend, XENUSB_KEY_MAX_INDIRECT_FRONT,
				 c->ind_offered);
		return err;
	}
	c->ring.max_indirect = v;
	if (v)
		dev_info(&xdev->dev, "dom%d: large transfers, %u pages\n",
			 xdev->otherend_id, v);
	return 0;
}

/**
 * usbback_indirect_read() - copy an indirect request's descriptors in
 * @s: slot whose request the core accepted as indirect
 *
 * ops->indirect: the descriptor pages are grant-copied once into
 * s->rq->seg; the core checks that copy, never the guest's pages.
 *
 * Return: 0 or -EFAULT (a grant the hypervisor refused).
 */
int usbback_indirect_read(struct usbback_slot *s)
{
	struct usbback_rq *rq = s->rq;

	return usbback_copy_segs(s, rq->ind, rq->req.nr_ind_segs, rq->seg,
				 rq->req.nr_data_segs *
				 XENUSB_INDIRECT_DESC_SIZE, false, false);
}
