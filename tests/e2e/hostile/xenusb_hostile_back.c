// SPDX-License-Identifier: GPL-2.0
/*
 * xenusb_hostile_back: a test-only "vusb" xenbus backend that breaks the
 * usbif protocol on purpose, to check end to end that a frontend (our
 * usbfront) survives a malicious backend (XSA-396).
 *
 * It takes the place of usbback in dom0 (same device type: only one of
 * the two may be loaded).  For each controller libxl creates it maps the
 * rings the frontend grants, plugs a fake high-speed device into port 1
 * through the conn ring and answers enumeration like a device would:
 * device, configuration and string descriptors of a vendor-specific
 * device with one bulk endpoint pair, under the ids of Linux's gadget
 * zero (0525:a4a0), so that usbtest binds in the guest and testusb can
 * put a bulk IN transfer on the ring.  That first bulk IN request is the
 * victim: it is left pending while the backend misbehaves in the one way
 * chosen with attack=NAME (see hb_attack_names), so the frontend's
 * handling of an URB in flight is visible from the guest.
 *
 * Each controller's directory also gets max-ring-page-order = ring_offer
 * (a writable parameter, read when the controller is created; empty: no
 * key) before InitWait, for offers a frontend must not believe
 * (Documentation/protocol.rst, "Deeper ring"): this backend maps one
 * ring page only, so a frontend that takes such an offer never connects.
 *
 * Nothing here is a model for a real backend: it trusts its own
 * frontend only as far as it must not crash dom0 (segment counts and
 * offsets are checked before any grant is touched).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/usb/ch9.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "xenusb_proto.h"
#include "xenusb_features.h"

enum hb_attack {
	HB_NONE,
	HB_UNKNOWN_ID,		/* response with an id not in flight */
	HB_DUP_ID,		/* two responses for the victim's id (on unlink) */
	HB_BIG_LEN,		/* actual_length beyond the request's length */
	HB_BAD_STATUS,		/* a status code usbif does not define */
	HB_URB_OVERFLOW,	/* urb ring rsp_prod more than a ring ahead */
	HB_CONN_PORT0,		/* conn event for port 0 */
	HB_CONN_PORT_BIG,	/* conn event for port num-ports + 1 */
	HB_CONN_SPEED,		/* conn event with speed 7 */
	HB_CONN_OVERFLOW,	/* conn ring rsp_prod more than a ring ahead */
	HB_STORM,		/* storm_ms of events that bring nothing */
	HB_HOLD_GRANT,		/* answer the victim with its grant mapped */
};

static const char * const hb_attack_names[] = {
	[HB_NONE] = "none",
	[HB_UNKNOWN_ID] = "unknown-id",
	[HB_DUP_ID] = "dup-id",
	[HB_BIG_LEN] = "big-len",
	[HB_BAD_STATUS] = "bad-status",
	[HB_URB_OVERFLOW] = "urb-overflow",
	[HB_CONN_PORT0] = "conn-port0",
	[HB_CONN_PORT_BIG] = "conn-port-big",
	[HB_CONN_SPEED] = "conn-speed",
	[HB_CONN_OVERFLOW] = "conn-overflow",
	[HB_STORM] = "storm",
	[HB_HOLD_GRANT] = "hold-grant",
};

static int hb_attack = HB_NONE;

static int hb_attack_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(hb_attack_names, val);

	if (i < 0)
		return -EINVAL;
	*(int *)kp->arg = i;
	return 0;
}

static int hb_attack_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", hb_attack_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops hb_attack_ops = {
	.set = hb_attack_set,
	.get = hb_attack_get,
};
module_param_cb(attack, &hb_attack_ops, &hb_attack, 0444);
MODULE_PARM_DESC(attack, "How to misbehave once the victim request is on the ring: none, unknown-id, dup-id, big-len, bad-status, urb-overflow, conn-port0, conn-port-big, conn-speed, conn-overflow, storm, hold-grant");

static unsigned int hb_storm_ms = 3000;

static int hb_storm_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < 100 || v > 60000)
		return -EINVAL;
	*(unsigned int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops hb_storm_ms_ops = {
	.set = hb_storm_ms_set,
	.get = param_get_uint,
};
module_param_cb(storm_ms, &hb_storm_ms_ops, &hb_storm_ms, 0444);
MODULE_PARM_DESC(storm_ms, "Duration of the storm attack in ms, 100..60000 (default: 3000)");

static char hb_ring_offer[16];
module_param_string(ring_offer, hb_ring_offer, sizeof(hb_ring_offer), 0644);
MODULE_PARM_DESC(ring_offer, "Value of max-ring-page-order written for each new controller, as is (default: empty, no key)");

/* An unknown wire status: usbif defines 0 and six negative errnos. */
#define HB_BOGUS_STATUS		0x1234
/* The fake device's port (any port of 1..num-ports would do). */
#define HB_PORT			1

/**
 * struct hb_dev - one controller the toolstack created
 * @xdev: its xenbus device
 * @lock: serialises the rings, the victim and the connection state
 * @nports: num-ports
 * @usb_ver: usb-ver (1 or 2)
 * @urb: urb ring, back end
 * @conn: conn ring, back end
 * @urb_va: mapping of the urb ring page
 * @conn_va: mapping of the conn ring page
 * @held_va: mapping of the victim's grant (hold-grant), until disconnect
 * @irq: event channel irq, 0 while not bound
 * @connected: the rings are mapped and may be used
 * @quiet: the attack broke the rings: answer nothing any more
 * @fired: the attack was launched on this connection
 * @victim_pending: @victim waits for a response
 * @victim: the request the attack is aimed at
 * @page: bounce page for grant copies
 * @ring_work: processes requests (the irq handler only kicks it)
 * @storm_work: the storm attack
 */
struct hb_dev {
	struct xenbus_device *xdev;
	struct mutex lock;	/* rings, victim, connected/quiet/fired */
	unsigned int nports;
	unsigned int usb_ver;
	struct xenusb_urb_back_ring urb;
	struct xenusb_conn_back_ring conn;
	void *urb_va;
	void *conn_va;
	void *held_va;
	int irq;
	bool connected;
	bool quiet;
	bool fired;
	bool victim_pending;
	struct xenusb_urb_request victim;
	u8 *page;
	struct work_struct ring_work;
	struct work_struct storm_work;
};

/* ------------------------------------------------------------------ */
/* the fake device                                                     */

static const u8 hb_dev_desc[USB_DT_DEVICE_SIZE] = {
	USB_DT_DEVICE_SIZE, USB_DT_DEVICE,
	0x00, 0x02,		/* bcdUSB 2.00: no BOS descriptor asked */
	0, 0, 0,		/* class in the interface */
	64,			/* bMaxPacketSize0 */
	0x25, 0x05,		/* idVendor 0525 (NetChip) */
	0xa0, 0xa4,		/* idProduct a4a0 (gadget zero: usbtest binds) */
	0x01, 0x00,		/* bcdDevice */
	1, 2, 0,		/* iManufacturer, iProduct, iSerialNumber */
	1			/* bNumConfigurations */
};

#define HB_CFG_LEN	(USB_DT_CONFIG_SIZE + USB_DT_INTERFACE_SIZE + \
			 2 * USB_DT_ENDPOINT_SIZE)

static const u8 hb_cfg_desc[HB_CFG_LEN] = {
	USB_DT_CONFIG_SIZE, USB_DT_CONFIG, HB_CFG_LEN, 0,
	1, 1, 0,		/* one interface, value 1, no string */
	USB_CONFIG_ATT_ONE | USB_CONFIG_ATT_SELFPOWER, 1,
	USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE,
	0, 0, 2,		/* interface 0, altsetting 0, two endpoints */
	USB_CLASS_VENDOR_SPEC, 0, 0, 0,
	USB_DT_ENDPOINT_SIZE, USB_DT_ENDPOINT, USB_DIR_IN | 1,
	USB_ENDPOINT_XFER_BULK, 0x00, 0x02, 0,	/* 512: patched for USB 1.1 */
	USB_DT_ENDPOINT_SIZE, USB_DT_ENDPOINT, USB_DIR_OUT | 1,
	USB_ENDPOINT_XFER_BULK, 0x00, 0x02, 0,
};

/* Offsets of the two wMaxPacketSize fields in hb_cfg_desc. */
#define HB_EP1_MAXP	(USB_DT_CONFIG_SIZE + USB_DT_INTERFACE_SIZE + 4)
#define HB_EP2_MAXP	(HB_EP1_MAXP + USB_DT_ENDPOINT_SIZE)

static const char * const hb_strings[] = { NULL, "xen-pvusb", "e2e hostile" };

/*
 * The answer to GET_DESCRIPTOR(@value) in @buf (at least 64 bytes).
 * Return: its length, 0 for a descriptor the device does not have.
 */
static size_t hb_descriptor(const struct hb_dev *d, u16 value, u8 *buf)
{
	u8 index = value & 0xff;
	const char *s;
	size_t i, n;

	switch (value >> 8) {
	case USB_DT_DEVICE:
		memcpy(buf, hb_dev_desc, sizeof(hb_dev_desc));
		return sizeof(hb_dev_desc);
	case USB_DT_CONFIG:
		if (index)
			return 0;
		memcpy(buf, hb_cfg_desc, sizeof(hb_cfg_desc));
		if (d->usb_ver == XENUSB_VER_USB11) {
			/* Full speed bulk endpoints have 64-byte packets. */
			buf[HB_EP1_MAXP] = 64;
			buf[HB_EP1_MAXP + 1] = 0;
			buf[HB_EP2_MAXP] = 64;
			buf[HB_EP2_MAXP + 1] = 0;
		}
		return sizeof(hb_cfg_desc);
	case USB_DT_STRING:
		if (index == 0) {
			buf[0] = 4;
			buf[1] = USB_DT_STRING;
			buf[2] = 0x09;	/* LANGID 0x0409, English (US) */
			buf[3] = 0x04;
			return 4;
		}
		if (index >= ARRAY_SIZE(hb_strings))
			return 0;
		s = hb_strings[index];
		n = strlen(s);
		buf[0] = 2 + 2 * n;
		buf[1] = USB_DT_STRING;
		for (i = 0; i < n; i++) {
			buf[2 + 2 * i] = s[i];
			buf[3 + 2 * i] = 0;
		}
		return 2 + 2 * n;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* rings                                                               */

/* Queue a response (published by hb_push()). */
static void hb_queue_rsp(struct hb_dev *d, u16 id, s32 status, s32 len)
{
	struct xenusb_urb_response *rsp;

	rsp = RING_GET_RESPONSE(&d->urb, d->urb.rsp_prod_pvt);
	rsp->id = id;
	rsp->start_frame = 0;
	rsp->status = status;
	rsp->actual_length = len;
	rsp->error_count = 0;
	d->urb.rsp_prod_pvt++;
}

static void hb_push(struct hb_dev *d)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&d->urb, notify);
	if (notify)
		notify_remote_via_irq(d->irq);
}

static void hb_respond(struct hb_dev *d, u16 id, s32 status, s32 len)
{
	hb_queue_rsp(d, id, status, len);
	hb_push(d);
}

/* Data bytes a request describes, from its segments; -EINVAL if broken. */
static int hb_req_bytes(const struct xenusb_urb_request *req)
{
	unsigned int i, total = 0;

	if (req->nr_buffer_segs > XENUSB_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	for (i = 0; i < req->nr_buffer_segs; i++) {
		if (req->seg[i].offset >= XENUSB_PAGE_SIZE ||
		    req->seg[i].length > XENUSB_PAGE_SIZE - req->seg[i].offset)
			return -EINVAL;
		total += req->seg[i].length;
	}
	return total;
}

/*
 * Copy @len bytes into the guest's buffer of @req with grant copies:
 * d->page's first @len bytes, or zeros if @zeros.  Return: bytes copied
 * or a negative errno.
 */
static int hb_copy_in(struct hb_dev *d, const struct xenusb_urb_request *req,
		      unsigned int len, bool zeros)
{
	unsigned int i, done = 0;

	if (zeros)
		memset(d->page, 0, XENUSB_PAGE_SIZE);
	for (i = 0; i < req->nr_buffer_segs && done < len; i++) {
		struct gnttab_copy op = {};
		unsigned int n = min_t(unsigned int, req->seg[i].length,
				       len - done);

		op.source.u.gmfn = virt_to_gfn(d->page);
		op.source.domid = DOMID_SELF;
		op.source.offset = zeros ? 0 : done;
		op.dest.u.ref = req->seg[i].gref;
		op.dest.domid = d->xdev->otherend_id;
		op.dest.offset = req->seg[i].offset;
		op.len = n;
		op.flags = GNTCOPY_dest_gref;
		gnttab_batch_copy(&op, 1);
		if (op.status != GNTST_okay) {
			dev_warn(&d->xdev->dev, "grant copy to ref %u: %d\n",
				 req->seg[i].gref, op.status);
			return -EFAULT;
		}
		done += n;
	}
	return done;
}

static void hb_control(struct hb_dev *d, const struct xenusb_urb_request *req,
		       int bytes)
{
	const struct usb_ctrlrequest *setup = (const void *)req->u.ctrl;
	u16 value = le16_to_cpu(setup->wValue);
	u16 wlength = le16_to_cpu(setup->wLength);
	size_t n = 0;
	int copied;

	if (!(setup->bRequestType & USB_DIR_IN)) {
		/* SET_ADDRESS, SET_CONFIGURATION and the rest: done. */
		hb_respond(d, req->id, XENUSB_STATUS_OK, bytes);
		return;
	}

	memset(d->page, 0, 64);
	switch (setup->bRequest) {
	case USB_REQ_GET_DESCRIPTOR:
		n = hb_descriptor(d, value, d->page);
		break;
	case USB_REQ_GET_STATUS:
		n = 2;	/* zeros: bus powered bit aside, nothing to report */
		break;
	case USB_REQ_GET_CONFIGURATION:
		d->page[0] = 1;
		n = 1;
		break;
	case USB_REQ_GET_INTERFACE:
		n = 1;
		break;
	}
	if (!n) {
		hb_respond(d, req->id, XENUSB_STATUS_STALL, 0);
		return;
	}
	n = min3(n, (size_t)wlength, (size_t)bytes);
	copied = hb_copy_in(d, req, n, false);
	if (copied < 0)
		hb_respond(d, req->id, XENUSB_STATUS_IOERROR, 0);
	else
		hb_respond(d, req->id, XENUSB_STATUS_OK, copied);
}

/* Send a conn event with the next request slot the frontend posted. */
static void hb_conn_event(struct hb_dev *d, u8 port, u8 speed)
{
	struct xenusb_conn_back_ring *ring = &d->conn;
	struct xenusb_conn_response *rsp;
	struct xenusb_conn_request creq;
	RING_IDX prod = READ_ONCE(ring->sring->req_prod);
	int notify;

	virt_rmb();	/* the posted request slots are visible */
	if (prod == ring->req_cons || prod - ring->req_cons > RING_SIZE(ring)) {
		dev_warn(&d->xdev->dev, "no usable conn request slot\n");
		return;
	}
	RING_COPY_REQUEST(ring, ring->req_cons, &creq);
	ring->req_cons++;
	rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);
	rsp->id = creq.id;
	rsp->portnum = port;
	rsp->speed = speed;
	ring->rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
	if (notify)
		notify_remote_via_irq(d->irq);
}

/* Publish a response producer @ahead slots past what was written. */
static void hb_bump_prod(RING_IDX *prod, RING_IDX pvt, unsigned int ahead)
{
	virt_wmb();	/* responses written so far go first */
	WRITE_ONCE(*prod, pvt + ahead);
}

/* ------------------------------------------------------------------ */
/* attacks                                                             */

/* Launch the attack on d->victim (a bulk or interrupt IN request). */
static void hb_launch(struct hb_dev *d, int bytes)
{
	const struct xenusb_urb_request *v = &d->victim;
	struct xenbus_device *xdev = d->xdev;
	grant_ref_t gref;
	int err, n;

	dev_info(&xdev->dev, "attack %s launched on dom%d: victim id %u, %d bytes\n",
		 hb_attack_names[hb_attack], xdev->otherend_id, v->id, bytes);

	switch (hb_attack) {
	case HB_UNKNOWN_ID:
		/* The neighbour of the only id in flight. */
		hb_respond(d, v->id ^ 1, XENUSB_STATUS_OK, 0);
		d->quiet = true;
		break;
	case HB_DUP_ID:
		/*
		 * Armed only: with one request in flight two responses are
		 * a producer overflow, which the frontend must catch first.
		 * The duplicate goes out with the unlink of the victim, when
		 * two requests are in flight (hb_dup_on_unlink()).
		 */
		break;
	case HB_BIG_LEN:
		n = hb_copy_in(d, v, bytes, true);
		hb_respond(d, v->id, XENUSB_STATUS_OK,
			   n < 0 ? 0 : n + XENUSB_PAGE_SIZE);
		d->victim_pending = false;
		break;
	case HB_BAD_STATUS:
		hb_respond(d, v->id, HB_BOGUS_STATUS, 0);
		d->victim_pending = false;
		break;
	case HB_URB_OVERFLOW:
		hb_bump_prod(&d->urb.sring->rsp_prod, d->urb.rsp_prod_pvt,
			     RING_SIZE(&d->urb) + 1);
		notify_remote_via_irq(d->irq);
		d->quiet = true;
		break;
	case HB_CONN_PORT0:
		hb_conn_event(d, 0, XENUSB_SPEED_HIGH);
		d->quiet = true;
		break;
	case HB_CONN_PORT_BIG:
		hb_conn_event(d, d->nports + 1, XENUSB_SPEED_FULL);
		d->quiet = true;
		break;
	case HB_CONN_SPEED:
		hb_conn_event(d, HB_PORT, 7);
		d->quiet = true;
		break;
	case HB_CONN_OVERFLOW:
		hb_bump_prod(&d->conn.sring->rsp_prod, d->conn.rsp_prod_pvt,
			     RING_SIZE(&d->conn) + 1);
		notify_remote_via_irq(d->irq);
		d->quiet = true;
		break;
	case HB_STORM:
		/* The victim is answered when the storm is over. */
		schedule_work(&d->storm_work);
		break;
	case HB_HOLD_GRANT:
		gref = v->seg[0].gref;
		err = xenbus_map_ring_valloc(xdev, &gref, 1, &d->held_va);
		if (err) {
			dev_warn(&xdev->dev, "mapping the victim's grant %u: %d\n",
				 gref, err);
			d->held_va = NULL;
		}
		n = hb_copy_in(d, v, bytes, true);
		hb_respond(d, v->id, XENUSB_STATUS_OK, max(n, 0));
		d->victim_pending = false;
		d->quiet = true;
		break;
	default:
		break;
	}
}

static void hb_storm_work(struct work_struct *work)
{
	struct hb_dev *d = container_of(work, struct hb_dev, storm_work);
	unsigned long end = jiffies + msecs_to_jiffies(hb_storm_ms);
	unsigned long sent = 0;
	int n;

	while (time_before(jiffies, end)) {
		mutex_lock(&d->lock);
		if (!d->connected) {
			mutex_unlock(&d->lock);
			break;
		}
		notify_remote_via_irq(d->irq);
		mutex_unlock(&d->lock);
		/* Leave dom0 some CPU: its toolstack must run meanwhile. */
		if (++sent % 64 == 0)
			usleep_range(1000, 1100);
	}

	mutex_lock(&d->lock);
	if (d->connected && d->victim_pending) {
		n = hb_copy_in(d, &d->victim, hb_req_bytes(&d->victim), true);
		hb_respond(d, d->victim.id, XENUSB_STATUS_OK, max(n, 0));
		d->victim_pending = false;
	}
	mutex_unlock(&d->lock);
	dev_info(&d->xdev->dev, "storm over: %lu events in %u ms, victim answered\n",
		 sent, hb_storm_ms);
}

/*
 * dup-id: the victim's unlink is in flight too, so two responses fit the
 * requests outstanding; both name the victim and the unlink is never
 * answered.  The second one names an id no longer in flight.
 */
static void hb_dup_on_unlink(struct hb_dev *d)
{
	const struct xenusb_urb_request *v = &d->victim;
	int n = hb_copy_in(d, v, hb_req_bytes(v), true);

	hb_queue_rsp(d, v->id, XENUSB_STATUS_OK, max(n, 0));
	hb_queue_rsp(d, v->id, XENUSB_STATUS_OK, max(n, 0));
	hb_push(d);
	d->victim_pending = false;
	d->quiet = true;
	dev_info(&d->xdev->dev, "dup-id: two responses for id %u sent\n", v->id);
}

/* One request off the ring. */
static void hb_request(struct hb_dev *d, const struct xenusb_urb_request *req)
{
	struct xenusb_pipe p;
	int bytes, n;

	xenusb_pipe_decode(req->pipe, &p);
	bytes = hb_req_bytes(req);
	if (bytes < 0) {
		hb_respond(d, req->id, XENUSB_STATUS_INVAL, 0);
		return;
	}

	if (p.unlink) {
		if (hb_attack == HB_DUP_ID && d->victim_pending &&
		    req->u.unlink.unlink_id == d->victim.id) {
			hb_dup_on_unlink(d);
			return;
		}
		if (d->victim_pending && req->u.unlink.unlink_id == d->victim.id) {
			hb_respond(d, d->victim.id, XENUSB_STATUS_SHUTDOWN, 0);
			d->victim_pending = false;
		}
		hb_respond(d, req->id, XENUSB_STATUS_OK, 0);
		return;
	}
	if (p.type == XENUSB_PIPE_TYPE_CTRL) {
		hb_control(d, req, bytes);
		return;
	}
	if (p.in && bytes && p.type != XENUSB_PIPE_TYPE_ISOC &&
	    !d->fired && hb_attack != HB_NONE) {
		d->fired = true;
		d->victim = *req;
		d->victim_pending = true;
		hb_launch(d, bytes);
		return;
	}
	/* Everything else succeeds; IN data is zeros. */
	n = p.in ? hb_copy_in(d, req, bytes, true) : bytes;
	if (n < 0)
		hb_respond(d, req->id, XENUSB_STATUS_IOERROR, 0);
	else
		hb_respond(d, req->id, XENUSB_STATUS_OK, n);
}

static void hb_ring_work(struct work_struct *work)
{
	struct hb_dev *d = container_of(work, struct hb_dev, ring_work);
	struct xenusb_urb_back_ring *ring = &d->urb;
	struct xenusb_urb_request req;
	RING_IDX rc, rp;
	int more;

	mutex_lock(&d->lock);
	do {
		if (!d->connected || d->quiet)
			break;
		rc = ring->req_cons;
		rp = READ_ONCE(ring->sring->req_prod);
		virt_rmb();	/* requests up to rp are visible */
		if (rp - rc > RING_SIZE(ring)) {
			dev_warn(&d->xdev->dev, "frontend request producer overflow\n");
			d->quiet = true;
			break;
		}
		while (rc != rp && !d->quiet) {
			RING_COPY_REQUEST(ring, rc, &req);
			ring->req_cons = ++rc;
			hb_request(d, &req);
		}
		if (d->quiet)
			break;
		RING_FINAL_CHECK_FOR_REQUESTS(ring, more);
	} while (more);
	mutex_unlock(&d->lock);
}

static irqreturn_t hb_interrupt(int irq, void *dev_id)
{
	struct hb_dev *d = dev_id;

	schedule_work(&d->ring_work);
	xen_irq_lateeoi(irq, 0);
	return IRQ_HANDLED;
}

/* ------------------------------------------------------------------ */
/* xenbus                                                              */

/* Stop using the rings, then unmap them and any held grant. */
static void hb_disconnect(struct hb_dev *d)
{
	struct xenbus_device *xdev = d->xdev;
	bool held;

	mutex_lock(&d->lock);
	d->connected = false;
	mutex_unlock(&d->lock);
	if (d->irq) {
		unbind_from_irqhandler(d->irq, d);
		d->irq = 0;
	}
	cancel_work_sync(&d->ring_work);
	cancel_work_sync(&d->storm_work);

	held = !!d->held_va;
	if (d->held_va)
		xenbus_unmap_ring_vfree(xdev, d->held_va);
	d->held_va = NULL;
	if (d->urb_va)
		xenbus_unmap_ring_vfree(xdev, d->urb_va);
	d->urb_va = NULL;
	if (d->conn_va)
		xenbus_unmap_ring_vfree(xdev, d->conn_va);
	d->conn_va = NULL;
	if (held)
		dev_info(&xdev->dev, "held grant released at disconnect\n");
}

static int hb_connect(struct hb_dev *d)
{
	struct xenbus_device *xdev = d->xdev;
	unsigned int urb_ref, conn_ref, evtchn;
	grant_ref_t ref;
	int err;

	err = xenbus_gather(XBT_NIL, xdev->otherend,
			    "urb-ring-ref", "%u", &urb_ref,
			    "conn-ring-ref", "%u", &conn_ref,
			    "event-channel", "%u", &evtchn, NULL);
	if (err) {
		xenbus_dev_fatal(xdev, err, "reading the frontend's ring refs");
		return err;
	}
	ref = urb_ref;
	err = xenbus_map_ring_valloc(xdev, &ref, 1, &d->urb_va);
	if (err)
		goto fail;
	BACK_RING_INIT(&d->urb, (struct xenusb_urb_sring *)d->urb_va,
		       XEN_PAGE_SIZE);
	ref = conn_ref;
	err = xenbus_map_ring_valloc(xdev, &ref, 1, &d->conn_va);
	if (err)
		goto fail;
	BACK_RING_INIT(&d->conn, (struct xenusb_conn_sring *)d->conn_va,
		       XEN_PAGE_SIZE);

	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, evtchn,
							    hb_interrupt, 0,
							    KBUILD_MODNAME, d);
	if (err < 0) {
		xenbus_dev_fatal(xdev, err, "binding event channel %u", evtchn);
		goto fail;
	}

	mutex_lock(&d->lock);
	d->irq = err;
	d->connected = true;
	d->quiet = false;
	d->fired = false;
	d->victim_pending = false;
	/* The fake device: plugged from the start. */
	hb_conn_event(d, HB_PORT, d->usb_ver == XENUSB_VER_USB11 ?
		      XENUSB_SPEED_FULL : XENUSB_SPEED_HIGH);
	mutex_unlock(&d->lock);
	schedule_work(&d->ring_work);
	dev_info(&xdev->dev, "dom%d connected, attack %s\n",
		 xdev->otherend_id, hb_attack_names[hb_attack]);
	return 0;

fail:
	hb_disconnect(d);
	return err;
}

static void hb_set_state(struct hb_dev *d, enum xenbus_state s)
{
	int err = xenbus_switch_state(d->xdev, s);

	if (err)
		dev_warn(&d->xdev->dev, "cannot switch to %s: %d\n",
			 xenbus_strstate(s), err);
}

static void hb_frontend_changed(struct xenbus_device *xdev,
				enum xenbus_state fe_state)
{
	struct hb_dev *d = dev_get_drvdata(&xdev->dev);

	switch (fe_state) {
	case XenbusStateInitialising:
		if (xdev->state == XenbusStateClosed)
			hb_set_state(d, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (xdev->state == XenbusStateConnected ||
		    xdev->state == XenbusStateClosing ||
		    !xenbus_dev_is_online(xdev))
			break;
		if (!hb_connect(d))
			hb_set_state(d, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		hb_disconnect(d);
		hb_set_state(d, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		hb_disconnect(d);
		hb_set_state(d, XenbusStateClosed);
		if (xenbus_dev_is_online(xdev))
			break;
		device_unregister(&xdev->dev);
		break;
	default:
		/* The frontend is gone with its domain. */
		hb_disconnect(d);
		hb_set_state(d, XenbusStateClosed);
		device_unregister(&xdev->dev);
		break;
	}
}

static int hb_probe(struct xenbus_device *xdev,
		    const struct xenbus_device_id *id)
{
	char offer[sizeof(hb_ring_offer)];
	struct hb_dev *d;
	int err;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->page = (u8 *)__get_free_page(GFP_KERNEL);
	if (!d->page) {
		kfree(d);
		return -ENOMEM;
	}
	d->xdev = xdev;
	mutex_init(&d->lock);
	INIT_WORK(&d->ring_work, hb_ring_work);
	INIT_WORK(&d->storm_work, hb_storm_work);
	dev_set_drvdata(&xdev->dev, d);

	d->nports = xenbus_read_unsigned(xdev->nodename, "num-ports", 0);
	d->usb_ver = xenbus_read_unsigned(xdev->nodename, "usb-ver", 0);
	if (d->nports < 1 || d->nports > XENUSB_MAX_PORTNR ||
	    (d->usb_ver != XENUSB_VER_USB11 &&
	     d->usb_ver != XENUSB_VER_USB20)) {
		err = -EINVAL;
		xenbus_dev_fatal(xdev, err, "num-ports %u usb-ver %u",
				 d->nports, d->usb_ver);
		goto fail;
	}
	kernel_param_lock(THIS_MODULE);
	strscpy(offer, hb_ring_offer, sizeof(offer));
	kernel_param_unlock(THIS_MODULE);
	strim(offer);	/* a value written to sysfs ends with a newline */
	if (*offer)
		err = xenbus_printf(XBT_NIL, xdev->nodename,
				    XENUSB_KEY_MAX_RING_PAGE_ORDER, "%s", offer);
	else
		err = xenbus_rm(XBT_NIL, xdev->nodename,
				XENUSB_KEY_MAX_RING_PAGE_ORDER);
	if (err && err != -ENOENT) {
		xenbus_dev_fatal(xdev, err, "writing %s",
				 XENUSB_KEY_MAX_RING_PAGE_ORDER);
		goto fail;
	}
	err = xenbus_switch_state(xdev, XenbusStateInitWait);
	if (err)
		goto fail;
	dev_info(&xdev->dev, "dom%d controller: %u ports, attack %s, %s \"%s\"\n",
		 xdev->otherend_id, d->nports, hb_attack_names[hb_attack],
		 XENUSB_KEY_MAX_RING_PAGE_ORDER, offer);
	return 0;

fail:
	dev_set_drvdata(&xdev->dev, NULL);
	free_page((unsigned long)d->page);
	kfree(d);
	return err;
}

static void hb_remove(struct xenbus_device *xdev)
{
	struct hb_dev *d = dev_get_drvdata(&xdev->dev);

	if (!d)
		return;
	hb_disconnect(d);
	dev_set_drvdata(&xdev->dev, NULL);
	free_page((unsigned long)d->page);
	kfree(d);
}

static const struct xenbus_device_id hb_ids[] = {
	{ "vusb" },
	{ "" }
};

static struct xenbus_driver hb_driver = {
	.ids = hb_ids,
	.probe = hb_probe,
	.remove = hb_remove,
	.otherend_changed = hb_frontend_changed,
};

static int __init hb_init(void)
{
	if (!xen_initial_domain())
		return -ENODEV;
	pr_info("loaded, attack %s\n", hb_attack_names[hb_attack]);
	return xenbus_register_backend(&hb_driver);
}
module_init(hb_init);

static void __exit hb_exit(void)
{
	xenbus_unregister_driver(&hb_driver);
}
module_exit(hb_exit);

MODULE_DESCRIPTION("Test-only hostile Xen PV USB backend (e2e bed)");
MODULE_LICENSE("GPL");
