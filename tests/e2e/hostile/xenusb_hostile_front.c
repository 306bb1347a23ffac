// SPDX-License-Identifier: GPL-2.0
/*
 * xenusb_hostile_front: a test-only "vusb" frontend that attacks the
 * backend (tests/e2e/guest/scenarios/hostile-frontend.sh).
 *
 * It connects like a real frontend (urb ring, conn ring, one event
 * channel, conn requests posted), waits for the device the toolstack
 * attached, then on "echo run > hostile" in its sysfs directory sends a
 * scripted series of malformed requests and checks every answer against
 * what usbback must say (Documentation/usbback.rst, "Hardening"); "echo
 * <attack> > hostile" runs one step of the script (setup first).  Each
 * attack prints one line "hostile-fe: <attack>: ok|FAIL <why>"; reading
 * "hostile" returns the same lines.  It first connects with one ring page,
 * as the base protocol does.  ring-overflow breaks the ring protocol
 * (request producer more than a ring ahead), after which the backend must
 * close the controller: this frontend follows it to Closed.  The attacks
 * after it come back from Closed (Initialising, the backend's InitWait)
 * once per connection attempt, with bad deeper-ring keys
 * (Documentation/protocol.rst, "Deeper ring") that the backend must refuse
 * before it maps anything; then a good 8-page ring, served, whose request
 * producer runs more than its 128 slots ahead.
 *
 * Never load it in a guest that matters: it has no host controller and
 * talks nonsense to the backend on purpose.  It has no module alias, so
 * nothing loads it but an explicit modprobe.
 */
#define pr_fmt(fmt) "hostile-fe: " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/usb/ch9.h>
#include <linux/wait.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "xenusb_proto.h"
#include "xenusb_features.h"
#include "xenusb_compat.h"

/* Request ids this module uses; more than can be in flight. */
#define HF_IDS		256
/* Read-write data pages: one per slot of a one-page ring. */
#define HF_PAGES	XENUSB_URB_RING_SIZE
/* Flood request n lands in page n % HF_PAGES, at this many bytes per lap. */
#define HF_FLOOD_STRIDE	32
/* All the result lines of a whole run; reading returns the last page. */
#define HF_REPORT_SIZE	(4 * PAGE_SIZE)
/* How long the backend may take to answer one request. */
#define HF_ANSWER_MS	10000
/* How long the backend may take to change its xenbus state. */
#define HF_STATE_MS	10000
/* A devnum the guest never assigned with SET_ADDRESS. */
#define HF_BAD_DEVNUM	77
/* Data segments this frontend chooses for large (indirect) requests. */
#define HF_INDIRECT	8
/* The page holding the indirect descriptors; data pages follow it. */
#define HF_IND_PAGE	4
/* A grant reference far beyond any grant table. */
#define HF_WILD_GREF	0x0ffffff0u

/*
 * The 32-bit length of an indirect request, little-endian in the first
 * four bytes of the union (written byte by byte: the header that declares
 * the unaligned helpers moved in Linux 6.12).
 */
static void hf_put_le32(u32 v, u8 *p)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static unsigned int storm = 20000;
module_param(storm, uint, 0644);
MODULE_PARM_DESC(storm, "Event notifications sent by the evtchn-storm attack (default: 20000)");

static unsigned int flood_rounds = 16;
module_param(flood_rounds, uint, 0644);
MODULE_PARM_DESC(flood_rounds, "Full rings of requests sent by each flood attack (default: 16)");

/**
 * struct hf_result - the answer to one request id
 * @pending: sent, no response yet
 * @done: a response arrived
 * @status: its status
 * @actual: its actual_length
 */
struct hf_result {
	bool pending;
	bool done;
	s32 status;
	s32 actual;
};

/**
 * struct hf_target - what the attacks aim at
 * @port: port holding the device
 * @bulk_in: a bulk IN endpoint of its active configuration, 0 if none
 * @bulk_out: a bulk OUT endpoint, 0 if none
 * @absent: an endpoint number the device does not have
 */
struct hf_target {
	u8 port;
	u8 bulk_in;
	u8 bulk_out;
	u8 absent;
};

/**
 * struct hf_keys - the urb ring's keys of one connection attempt
 *	(Documentation/protocol.rst, "Deeper ring")
 * @order: the value written to ring-page-order, NULL for none
 * @pages: the urb ring spans 2^@pages granted pages
 * @base: page 0's grant goes to urb-ring-ref (the base protocol's key);
 *	otherwise page i's to urb-ring-ref<i>, but for those below
 * @skip: urb-ring-ref<i> is left out for each bit i
 * @dup: urb-ring-ref<i> names page 0's grant for each bit i
 * @junk: urb-ring-ref<i> is "x" for each bit i
 * @above_offer: ring-page-order is one above the backend's
 *	max-ring-page-order, with that many pages (at most 8) granted;
 *	@order and @pages are ignored
 */
struct hf_keys {
	const char *order;
	unsigned int pages;
	bool base;
	u8 skip;
	u8 dup;
	u8 junk;
	bool above_offer;
};

/**
 * struct hf_info - one attacked controller
 * @xdev: our xenbus device
 * @lock: the rings' consumer side and @res
 * @wq: woken on every response and backend state change
 * @run_mutex: one attack run at a time; held while the rings are used
 * @connected: rings and event channel are up
 * @close_pending: the backend closed while a run held @run_mutex (acted
 *	on only before @manual)
 * @nports: num-ports of the backend
 * @manual: the attack steps drive the xenbus state from now on (set by
 *	the first one that comes back from Closed): no connection of our
 *	own when the backend offers again
 * @urb_ring: front end of the urb ring
 * @conn_ring: front end of the conn ring
 * @order: the urb ring spans 2^@order pages
 * @urb_ref: grants of the urb ring pages
 * @conn_ref: grant of the conn ring page
 * @offer: the backend's max-ring-page-order at the last InitWait
 * @evtchn: our event channel
 * @irq: its irq
 * @speed: speed last reported on the conn ring for each port
 * @res: answers, by request id
 * @next_id: next request id to hand out
 * @unexpected: responses with an id we did not send
 * @rsp_overflow: the backend's response producer ran past our requests
 * @page: read-write data pages
 * @ref: their grants
 * @ro_page: page granted read-only
 * @ro_ref: its grant
 * @unused_ref: a grant reference claimed but never granted
 * @indirect: the backend offered large transfers and we chose
 *	HF_INDIRECT data segments
 * @bad_sent: malformed requests sent in this run
 * @t: the target, found by the setup step
 * @inflight: requests left in flight for the ring violation
 * @report: result lines of the last run
 * @report_len: bytes in @report
 */
struct hf_info {
	struct xenbus_device *xdev;
	spinlock_t lock;		/* rings' consumer side, @res */
	wait_queue_head_t wq;
	struct mutex run_mutex;		/* one run; rings in use */
	bool connected;
	bool close_pending;
	bool manual;
	unsigned int nports;
	struct xenusb_urb_front_ring urb_ring;
	struct xenusb_conn_front_ring conn_ring;
	unsigned int order;
	grant_ref_t urb_ref[XENUSB_MAX_RING_PAGES];
	grant_ref_t conn_ref;
	unsigned int offer;
	evtchn_port_t evtchn;
	int irq;
	u8 speed[XENUSB_MAX_PORTNR + 1];
	struct hf_result res[HF_IDS];
	unsigned int next_id;
	unsigned int unexpected;
	bool rsp_overflow;
	struct page *page[HF_PAGES];
	grant_ref_t ref[HF_PAGES];
	struct page *ro_page;
	grant_ref_t ro_ref;
	grant_ref_t unused_ref;
	bool indirect;
	unsigned int bad_sent;
	struct hf_target t;
	unsigned int inflight;
	char *report;
	size_t report_len;
};

/* ---------------------------------------------------------------- rings */

/*
 * Take every response off the urb ring.  RING_FINAL_CHECK_FOR_RESPONSES
 * moves rsp_event past what was taken: without it the backend notifies
 * only for the first response ever.  Called with @hf->lock held.
 */
static void hf_poll_urb_locked(struct hf_info *hf)
{
	struct xenusb_urb_front_ring *ring = &hf->urb_ring;
	struct xenusb_urb_response rsp;
	RING_IDX i, rp;
	int more;

	do {
		rp = READ_ONCE(ring->sring->rsp_prod);
		virt_rmb();	/* responses up to rp are visible */
		if (rp - ring->rsp_cons > ring->req_prod_pvt - ring->rsp_cons) {
			hf->rsp_overflow = true;
			return;
		}
		for (i = ring->rsp_cons; i != rp; i++) {
			RING_COPY_RESPONSE(ring, i, &rsp);
			if (rsp.id < HF_IDS && hf->res[rsp.id].pending) {
				hf->res[rsp.id].pending = false;
				hf->res[rsp.id].done = true;
				hf->res[rsp.id].status = rsp.status;
				hf->res[rsp.id].actual = rsp.actual_length;
			} else {
				hf->unexpected++;
			}
		}
		ring->rsp_cons = rp;
		RING_FINAL_CHECK_FOR_RESPONSES(ring, more);
	} while (more);
}

/* The same for the conn ring; every event's slot is posted again. */
static void hf_poll_conn_locked(struct hf_info *hf)
{
	struct xenusb_conn_front_ring *ring = &hf->conn_ring;
	struct xenusb_conn_response ev;
	RING_IDX i, rp;
	int notify, more, n = 0;

	do {
		rp = READ_ONCE(ring->sring->rsp_prod);
		virt_rmb();	/* events up to rp are visible */
		if (rp - ring->rsp_cons > ring->req_prod_pvt - ring->rsp_cons) {
			hf->rsp_overflow = true;
			return;
		}
		for (i = ring->rsp_cons; i != rp; i++) {
			RING_COPY_RESPONSE(ring, i, &ev);
			if (ev.portnum >= 1 && ev.portnum <= hf->nports)
				hf->speed[ev.portnum] = ev.speed;
			RING_GET_REQUEST(ring, ring->req_prod_pvt)->id =
				ring->req_prod_pvt % RING_SIZE(ring);
			ring->req_prod_pvt++;
			n++;
		}
		ring->rsp_cons = rp;
		RING_FINAL_CHECK_FOR_RESPONSES(ring, more);
	} while (more);
	if (n) {
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(ring, notify);
		if (notify)
			notify_remote_via_irq(hf->irq);
	}
}

/* Take every response off both rings.  Called with @hf->lock held. */
static void hf_poll_locked(struct hf_info *hf)
{
	if (!hf->connected)
		return;
	hf_poll_urb_locked(hf);
	hf_poll_conn_locked(hf);
}

static irqreturn_t hf_interrupt(int irq, void *data)
{
	struct hf_info *hf = data;
	unsigned long flags;

	spin_lock_irqsave(&hf->lock, flags);
	hf_poll_locked(hf);
	spin_unlock_irqrestore(&hf->lock, flags);
	wake_up(&hf->wq);
	return IRQ_HANDLED;
}

/*
 * Put @req on the urb ring under a fresh id (written into @req) without
 * notifying; hf_kick() publishes.  Return: the id, or -EBUSY if the ring
 * is full.
 */
static int hf_queue(struct hf_info *hf, struct xenusb_urb_request *req)
{
	unsigned long flags;
	unsigned int i;
	int id = -EBUSY;

	spin_lock_irqsave(&hf->lock, flags);
	if (!hf->connected || RING_FULL(&hf->urb_ring))
		goto out;
	for (i = 0; i < HF_IDS; i++) {
		unsigned int cand = (hf->next_id + i) % HF_IDS;

		if (!hf->res[cand].pending) {
			id = cand;
			break;
		}
	}
	if (id < 0)
		goto out;
	hf->next_id = id + 1;
	hf->res[id].pending = true;
	hf->res[id].done = false;
	req->id = id;
	*RING_GET_REQUEST(&hf->urb_ring, hf->urb_ring.req_prod_pvt) = *req;
	hf->urb_ring.req_prod_pvt++;
out:
	spin_unlock_irqrestore(&hf->lock, flags);
	return id;
}

static void hf_kick(struct hf_info *hf)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&hf->urb_ring, notify);
	if (notify)
		notify_remote_via_irq(hf->irq);
}

static bool hf_answered(struct hf_info *hf, int id)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&hf->lock, flags);
	hf_poll_locked(hf);
	done = hf->res[id].done;
	spin_unlock_irqrestore(&hf->lock, flags);
	return done;
}

/* Wait for the answer to @id.  Return: 0, or -ETIMEDOUT. */
static int hf_wait(struct hf_info *hf, int id, unsigned int ms)
{
	if (!wait_event_timeout(hf->wq, hf_answered(hf, id),
				msecs_to_jiffies(ms)))
		return -ETIMEDOUT;
	return 0;
}

/* Send @req, wait for its answer.  Return: 0, or a negative errno. */
static int hf_xfer(struct hf_info *hf, struct xenusb_urb_request *req)
{
	int id = hf_queue(hf, req);

	if (id < 0)
		return id;
	hf_kick(hf);
	return hf_wait(hf, id, HF_ANSWER_MS);
}

/* -------------------------------------------------------------- reports */

static __printf(4, 5) void hf_result(struct hf_info *hf, const char *attack,
				     bool ok, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* KERN_WARNING: the bed's guests print only that far to the console. */
	pr_warn("%s: %s %s\n", attack, ok ? "ok" : "FAIL", why);
	hf->report_len += scnprintf(hf->report + hf->report_len,
				    HF_REPORT_SIZE - hf->report_len,
				    "%s: %s %s\n", attack, ok ? "ok" : "FAIL",
				    why);
}

/* ------------------------------------------------------------- requests */

static u32 hf_pipe(u8 port, u8 devnum, u8 ep, u8 type, bool in)
{
	struct xenusb_pipe p = {
		.port = port, .devnum = devnum, .ep = ep, .type = type, .in = in,
	};

	return xenusb_pipe_encode(&p);
}

/* A well-formed GET_DESCRIPTOR(@dtype) of @len bytes into data page @pg. */
static void hf_get_desc(struct hf_info *hf, struct xenusb_urb_request *r,
			u8 port, u8 devnum, u8 dtype, u16 len, unsigned int pg)
{
	memset(r, 0, sizeof(*r));
	r->pipe = hf_pipe(port, devnum, 0, XENUSB_PIPE_TYPE_CTRL, true);
	r->u.ctrl[0] = USB_DIR_IN;
	r->u.ctrl[1] = USB_REQ_GET_DESCRIPTOR;
	r->u.ctrl[3] = dtype;
	r->u.ctrl[6] = len & 0xff;
	r->u.ctrl[7] = len >> 8;
	r->nr_buffer_segs = 1;
	r->buffer_length = len;
	r->seg[0].gref = hf->ref[pg];
	r->seg[0].offset = 0;
	r->seg[0].length = len;
}

/* A well-formed bulk transfer of @len bytes on @ep into/from page @pg. */
static void hf_bulk(struct hf_info *hf, struct xenusb_urb_request *r,
		    u8 port, u8 ep, bool in, u16 len, unsigned int pg)
{
	memset(r, 0, sizeof(*r));
	r->pipe = hf_pipe(port, 0, ep, XENUSB_PIPE_TYPE_BULK, in);
	r->nr_buffer_segs = 1;
	r->buffer_length = len;
	r->seg[0].gref = hf->ref[pg];
	r->seg[0].length = len;
}

/*
 * Send one request that must be refused with @want (and no data).
 * Return: true if it was; otherwise @why says what happened.
 */
static bool hf_expect(struct hf_info *hf, struct xenusb_urb_request *r,
		      s32 want, char *why, size_t len)
{
	int err = hf_xfer(hf, r);
	struct hf_result *res;

	hf->bad_sent++;
	if (err) {
		scnprintf(why, len, "%s (pipe %#x)",
			  err == -ETIMEDOUT ? "no answer in 10 s" : "ring full",
			  r->pipe);
		return false;
	}
	res = &hf->res[r->id];
	if (res->status != want || res->actual) {
		scnprintf(why, len, "pipe %#x: status %d actual %d, want %d",
			  r->pipe, res->status, res->actual, want);
		return false;
	}
	return true;
}

/* Device descriptor of the attacked device: is it still served? */
static bool hf_alive(struct hf_info *hf, u8 port, char *why, size_t len)
{
	struct xenusb_urb_request r;
	const u8 *d = page_address(hf->page[0]);
	struct hf_result *res;
	int err;

	memset(page_address(hf->page[0]), 0, USB_DT_DEVICE_SIZE);
	hf_get_desc(hf, &r, port, 0, USB_DT_DEVICE, USB_DT_DEVICE_SIZE, 0);
	err = hf_xfer(hf, &r);
	if (err) {
		scnprintf(why, len, "GET_DESCRIPTOR(device): %s",
			  err == -ETIMEDOUT ? "no answer in 10 s" : "ring full");
		return false;
	}
	res = &hf->res[r.id];
	if (res->status || res->actual != USB_DT_DEVICE_SIZE ||
	    d[1] != USB_DT_DEVICE) {
		scnprintf(why, len,
			  "GET_DESCRIPTOR(device): status %d actual %d type %u",
			  res->status, res->actual, d[1]);
		return false;
	}
	return true;
}

/* Read the configuration descriptor and pick endpoints. */
static bool hf_find_eps(struct hf_info *hf, struct hf_target *t, char *why,
			size_t len)
{
	struct xenusb_urb_request r;
	const u8 *d = page_address(hf->page[1]);
	bool used[XENUSB_NUM_EPS] = { true };
	struct hf_result *res;
	unsigned int at, n;
	int err;

	hf_get_desc(hf, &r, t->port, 0, USB_DT_CONFIG, 255, 1);
	err = hf_xfer(hf, &r);
	res = &hf->res[r.id];
	if (err || res->status || res->actual < USB_DT_CONFIG_SIZE) {
		scnprintf(why, len, "GET_DESCRIPTOR(config): err %d status %d actual %d",
			  err, err ? 0 : res->status, err ? 0 : res->actual);
		return false;
	}
	n = min_t(unsigned int, res->actual, 255);
	for (at = 0; at + 2 <= n && d[at] >= 2; at += d[at]) {
		const struct usb_endpoint_descriptor *ep = (const void *)&d[at];

		if (d[at + 1] != USB_DT_ENDPOINT || at + USB_DT_ENDPOINT_SIZE > n)
			continue;
		used[usb_endpoint_num(ep)] = true;
		if (!usb_endpoint_xfer_bulk(ep))
			continue;
		if (usb_endpoint_dir_in(ep) && !t->bulk_in)
			t->bulk_in = usb_endpoint_num(ep);
		if (usb_endpoint_dir_out(ep) && !t->bulk_out)
			t->bulk_out = usb_endpoint_num(ep);
	}
	for (at = XENUSB_NUM_EPS - 1; at > 0 && used[at]; at--)
		;
	t->absent = at;
	if (!t->absent) {
		scnprintf(why, len, "the device uses all 15 endpoint numbers");
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- attacks */

#define HF_WHY	160

static void hf_attack_ports(struct hf_info *hf, struct hf_target *t)
{
	u8 ports[] = { 0, hf->nports + 1, XENUSB_MAX_PORTNR };
	struct xenusb_urb_request r;
	char why[HF_WHY];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		if (i && ports[i] <= hf->nports)
			continue;	/* 31 ports: nothing beyond */
		hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE, 18, 2);
		r.pipe = (r.pipe & ~XENUSB_PIPE_PORT_MASK) | ports[i];
		if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why))) {
			hf_result(hf, "bad-port", false, "port %u: %s", ports[i], why);
			return;
		}
	}
	hf_result(hf, "bad-port", true, "ports 0, %u and %u refused with -EINVAL",
		  hf->nports + 1, XENUSB_MAX_PORTNR);
}

static void hf_attack_devnum(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	hf_get_desc(hf, &r, t->port, HF_BAD_DEVNUM, USB_DT_DEVICE, 18, 2);
	if (!hf_expect(hf, &r, XENUSB_STATUS_NODEV, why, sizeof(why)))
		hf_result(hf, "bad-devnum", false, "%s", why);
	else
		hf_result(hf, "bad-devnum", true,
			  "devnum %u never assigned: -ENODEV", HF_BAD_DEVNUM);
}

static void hf_attack_eps(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	/* A bulk endpoint the device does not have. */
	hf_bulk(hf, &r, t->port, t->absent, true, 64, 2);
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/* Endpoint 0 used as a bulk endpoint. */
	hf_bulk(hf, &r, t->port, 0, true, 64, 2);
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/* An existing bulk endpoint used as an interrupt endpoint. */
	if (t->bulk_in) {
		hf_bulk(hf, &r, t->port, t->bulk_in, true, 64, 2);
		r.pipe = (r.pipe & ~(XENUSB_PIPE_TYPE_MASK << XENUSB_PIPE_TYPE_SHIFT)) |
			 (XENUSB_PIPE_TYPE_INT << XENUSB_PIPE_TYPE_SHIFT);
		r.u.intr.interval = 1;
		if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
			goto fail;
	}
	hf_result(hf, "ep-absent", true,
		  "bulk ep %u (absent), bulk ep 0, interrupt on bulk ep %u: -EINVAL",
		  t->absent, t->bulk_in);
	return;
fail:
	hf_result(hf, "ep-absent", false, "%s", why);
}

static void hf_attack_segs(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];
	unsigned int i;

	/* 17 segments, each well-formed, adding up to buffer_length. */
	hf_bulk(hf, &r, t->port, t->bulk_in, true, 17 * 8, 2);
	r.nr_buffer_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST + 1;
	for (i = 0; i < XENUSB_MAX_SEGMENTS_PER_REQUEST; i++) {
		r.seg[i].gref = hf->ref[2];
		r.seg[i].offset = i * 8;
		r.seg[i].length = 8;
	}
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	r.nr_buffer_segs = 0xffff;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	hf_result(hf, "too-many-segs", true, "nr_buffer_segs 17 and 65535: -EINVAL");
	return;
fail:
	hf_result(hf, "too-many-segs", false, "%s", why);
}

static void hf_attack_seg_bounds(struct hf_info *hf, struct hf_target *t)
{
	static const struct { u16 offset, length; } bad[] = {
		{ 4000, 200 }, { 4095, 4096 }, { 0, 4097 }, { 0xffff, 1 },
		{ 0, 0 },
	};
	struct xenusb_urb_request r;
	char why[HF_WHY];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hf_bulk(hf, &r, t->port, t->bulk_in, true, bad[i].length, 2);
		r.seg[0].offset = bad[i].offset;
		if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why))) {
			hf_result(hf, "seg-past-page", false, "offset %u length %u: %s",
				  bad[i].offset, bad[i].length, why);
			return;
		}
	}
	hf_result(hf, "seg-past-page", true,
		  "offset+length past 4096 and empty segments: -EINVAL");
}

static void hf_attack_length(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	/* More than the segments hold. */
	hf_bulk(hf, &r, t->port, t->bulk_in, true, 256, 2);
	r.buffer_length = 4096;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/* Less than the segments hold. */
	r.buffer_length = 100;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/* 0 (the 64 KiB wrap) with segments that are not 64 KiB. */
	r.buffer_length = 0;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/* A control request whose wLength differs from buffer_length. */
	hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE, 18, 2);
	r.u.ctrl[6] = 64;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	hf_result(hf, "buffer-length", true,
		  "buffer_length 4096, 100 and 0 for 256 bytes, wLength 64 for 18: -EINVAL");
	return;
fail:
	hf_result(hf, "buffer-length", false, "%s", why);
}

static void hf_attack_ungranted(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	/*
	 * A vendor OUT request: the backend must fail to read the data and
	 * answer without submitting (a device would stall it: -EPIPE).
	 */
	memset(&r, 0, sizeof(r));
	r.pipe = hf_pipe(t->port, 0, 0, XENUSB_PIPE_TYPE_CTRL, false);
	r.u.ctrl[0] = USB_TYPE_VENDOR | USB_RECIP_DEVICE;
	r.u.ctrl[1] = 0x5a;
	r.u.ctrl[6] = 8;
	r.nr_buffer_segs = 1;
	r.buffer_length = 8;
	r.seg[0].gref = hf->unused_ref;
	r.seg[0].length = 8;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why))) {
		hf_result(hf, "ungranted-gref", false, "claimed, never granted: %s", why);
		return;
	}
	r.seg[0].gref = HF_WILD_GREF;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why))) {
		hf_result(hf, "ungranted-gref", false, "gref %#x: %s", HF_WILD_GREF, why);
		return;
	}
	hf_result(hf, "ungranted-gref", true,
		  "gref never granted (%u) and out of range (%#x): -EINVAL",
		  hf->unused_ref, HF_WILD_GREF);
}

/* The device answers, the backend cannot write the read-only grant. */
static void hf_attack_readonly(struct hf_info *hf, struct hf_target *t)
{
	u8 *ro = page_address(hf->ro_page);
	struct xenusb_urb_request r;
	char why[HF_WHY];
	unsigned int i;

	memset(ro, 0xa5, XENUSB_PAGE_SIZE);
	hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE, 18, 0);
	r.seg[0].gref = hf->ro_ref;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why))) {
		hf_result(hf, "readonly-gref", false, "%s", why);
		return;
	}
	for (i = 0; i < XENUSB_PAGE_SIZE; i++) {
		if (ro[i] != 0xa5) {
			hf_result(hf, "readonly-gref", false,
				  "read-only page changed at byte %u", i);
			return;
		}
	}
	hf_result(hf, "readonly-gref", true,
		  "IN into a read-only grant: -EINVAL, page untouched");
}

static void hf_attack_iso(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];
	const char *what;

	memset(&r, 0, sizeof(r));
	r.pipe = hf_pipe(t->port, 0, 1, XENUSB_PIPE_TYPE_ISOC, true);
	r.nr_buffer_segs = 1;
	r.buffer_length = 192;
	r.seg[0].gref = hf->ref[2];
	r.seg[0].length = 192;
	r.seg[1].gref = hf->ref[3];
	r.seg[1].length = 2 * XENUSB_ISO_DESC_SIZE;
	r.u.isoc.interval = 1;
	r.u.isoc.number_of_packets = 2;
	r.u.isoc.nr_frame_desc_segs = 1;

	what = "0 packets";
	r.u.isoc.number_of_packets = 0;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "3 packets in 2 descriptors";
	r.u.isoc.number_of_packets = 3;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "1 data + 16 descriptor segments";
	r.u.isoc.number_of_packets = 2;
	r.u.isoc.nr_frame_desc_segs = XENUSB_MAX_SEGMENTS_PER_REQUEST;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "descriptor segment past its page";
	r.u.isoc.nr_frame_desc_segs = 1;
	r.seg[1].offset = XENUSB_PAGE_SIZE - XENUSB_ISO_DESC_SIZE;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "interval 0";
	r.seg[1].offset = 0;
	r.u.isoc.interval = 0;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "SHORT_NOT_OK on iso";
	r.u.isoc.interval = 1;
	r.transfer_flags = XENUSB_SHORT_NOT_OK;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "well-formed iso on a device without iso endpoint";
	r.transfer_flags = 0;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	hf_result(hf, "iso-counts", true,
		  "0 packets, count/descriptor mismatch, 17 segments, descriptor past page, interval 0, SHORT_NOT_OK, no iso ep: -EINVAL");
	return;
fail:
	hf_result(hf, "iso-counts", false, "%s: %s", what, why);
}

static void hf_attack_unlink(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	memset(&r, 0, sizeof(r));
	r.pipe = hf_pipe(t->port, 0, 0, XENUSB_PIPE_TYPE_CTRL, false) |
		 XENUSB_PIPE_UNLINK;
	r.u.unlink.unlink_id = 0xbeef;
	if (!hf_expect(hf, &r, -ENOENT, why, sizeof(why))) {
		hf_result(hf, "unlink-unknown", false, "id 0xbeef: %s", why);
		return;
	}
	/* An unlink carrying a page. */
	r.nr_buffer_segs = 1;
	r.seg[0].gref = hf->ref[2];
	r.seg[0].length = 8;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why))) {
		hf_result(hf, "unlink-unknown", false, "unlink with a segment: %s", why);
		return;
	}
	hf_result(hf, "unlink-unknown", true,
		  "unknown id: -ENOENT; unlink with a segment: -EINVAL");
}

static void hf_attack_flags(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE, 18, 2);
	r.transfer_flags = 0x8000;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE, 18, 2);
	r.pipe |= BIT(20);	/* no field of usbif.h */
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/* IN setup packet on an OUT pipe. */
	hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE, 18, 2);
	r.pipe &= ~XENUSB_PIPE_DIR;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	hf_result(hf, "bad-flags", true,
		  "unknown transfer flag, reserved pipe bit, setup/pipe direction mismatch: -EINVAL");
	return;
fail:
	hf_result(hf, "bad-flags", false, "%s", why);
}

/*
 * An indirect bulk IN request (Documentation/protocol.rst, "Large
 * transfers") of @n data pages following HF_IND_PAGE, their descriptors
 * written into HF_IND_PAGE.
 */
static void hf_indirect(struct hf_info *hf, struct xenusb_urb_request *r,
			struct hf_target *t, unsigned int n)
{
	struct xenusb_request_segment *d = page_address(hf->page[HF_IND_PAGE]);
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->pipe = hf_pipe(t->port, 0, t->bulk_in, XENUSB_PIPE_TYPE_BULK, true);
	r->transfer_flags = XENUSB_INDIRECT;
	for (i = 0; i < n; i++) {
		d[i].gref = hf->ref[HF_IND_PAGE + 1 + i];
		d[i].offset = 0;
		d[i].length = XENUSB_PAGE_SIZE;
	}
	r->nr_buffer_segs = 1;
	r->seg[0].gref = hf->ref[HF_IND_PAGE];
	r->seg[0].offset = 0;
	r->seg[0].length = n * XENUSB_INDIRECT_DESC_SIZE;
	/* The u32 length in the first bytes of the union, little-endian. */
	hf_put_le32(n * XENUSB_PAGE_SIZE, r->u.ctrl);
}

static void hf_attack_indirect(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_request_segment *d = page_address(hf->page[HF_IND_PAGE]);
	struct xenusb_urb_request r;
	const char *what;
	char why[HF_WHY];

	if (!t->bulk_in) {
		hf_result(hf, "indirect", false, "the device has no bulk IN endpoint");
		return;
	}
	what = hf->indirect ? "good request on a control pipe" :
			      "indirect flag not negotiated";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	if (hf->indirect)
		r.pipe = hf_pipe(t->port, 0, 0, XENUSB_PIPE_TYPE_CTRL, true);
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	if (!hf->indirect) {
		hf_result(hf, "indirect", true,
			  "backend offered no large transfers; XENUSB_INDIRECT: -EINVAL");
		return;
	}
	what = "ungranted indirect page";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	r.seg[0].gref = hf->unused_ref;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "wild indirect gref";
	r.seg[0].gref = HF_WILD_GREF;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "indirect segment past its page";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	r.seg[0].offset = XENUSB_PAGE_SIZE - 8;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "partial descriptor";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	r.seg[0].length -= 4;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "data segment past its page";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	d[3].offset = 100;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	/*
	 * OUT, so that the backend must read the data before it submits
	 * anything (an IN transfer would reach the device first).
	 */
	what = "data segment granted by nobody";
	if (t->bulk_out) {
		hf_indirect(hf, &r, t, HF_INDIRECT);
		r.pipe = hf_pipe(t->port, 0, t->bulk_out,
				 XENUSB_PIPE_TYPE_BULK, false);
		d[5].gref = HF_WILD_GREF;
		if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
			goto fail;
	}
	what = "more descriptors than chosen";
	hf_indirect(hf, &r, t, HF_INDIRECT + 1);
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "length one above the segments";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	hf_put_le32(HF_INDIRECT * XENUSB_PAGE_SIZE + 1, r.u.ctrl);
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "length one below the segments";
	hf_put_le32(HF_INDIRECT * XENUSB_PAGE_SIZE - 1, r.u.ctrl);
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	what = "buffer_length set";
	hf_indirect(hf, &r, t, HF_INDIRECT);
	r.buffer_length = 4096;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	hf_result(hf, "indirect", true,
		  "bad indirect grefs, segments past the page, partial descriptor, count over %u, length mismatch, buffer_length set, control pipe: -EINVAL",
		  HF_INDIRECT);
	return;
fail:
	hf_result(hf, "indirect", false, "%s: %s", what, why);
}

/*
 * The transfer flags of the negotiated extensions, never negotiated: this
 * frontend wrote no feature-zero-packet key and an invalid
 * feature-port-reset ("yes"), so usbback must refuse both flags like any
 * unknown flag, and the device must never see the requests (a ZLP bulk
 * OUT to a mass-storage device would be taken as a bogus command block).
 */
static void hf_attack_unnegotiated(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r;
	char why[HF_WHY];

	if (!t->bulk_out) {
		hf_result(hf, "unnegotiated-flags", false,
			  "the device has no bulk OUT endpoint");
		return;
	}
	hf_bulk(hf, &r, t->port, t->bulk_out, false, 512, 3);
	r.transfer_flags = XENUSB_ZERO_PACKET;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	memset(&r, 0, sizeof(r));
	r.pipe = hf_pipe(t->port, 0, 0, XENUSB_PIPE_TYPE_CTRL, false);
	r.transfer_flags = XENUSB_PORT_RESET;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	r.transfer_flags = XENUSB_PORT_RESET | XENUSB_ZERO_PACKET;
	if (!hf_expect(hf, &r, XENUSB_STATUS_INVAL, why, sizeof(why)))
		goto fail;
	if (!hf_alive(hf, t->port, why, sizeof(why)))
		goto fail;
	hf_result(hf, "unnegotiated-flags", true,
		  "zero-packet bulk OUT and port reset without negotiation: -EINVAL, device still served");
	return;
fail:
	hf_result(hf, "unnegotiated-flags", false, "%s", why);
}

static void hf_attack_storm(struct hf_info *hf, struct hf_target *t)
{
	unsigned long t0 = jiffies;
	char why[HF_WHY];
	unsigned int i;

	for (i = 0; i < storm; i++) {
		notify_remote_via_irq(hf->irq);
		if (!(i % 1024))
			cond_resched();
	}
	if (!hf_alive(hf, t->port, why, sizeof(why)))
		hf_result(hf, "evtchn-storm", false, "after %u events: %s", storm, why);
	else
		hf_result(hf, "evtchn-storm", true,
			  "%u events, then a request answered; %u ms in all",
			  storm, jiffies_to_msecs(jiffies - t0));
}

/*
 * Fill the ring with @rounds bursts of RING_SIZE GET_DESCRIPTOR requests
 * (with port 0 if @bad), each burst published with one notification.
 * Return: true if every one was answered in time, 18 bytes or -EINVAL.
 */
static bool hf_flood(struct hf_info *hf, struct hf_target *t, bool bad,
		     unsigned int rounds, char *why, size_t len)
{
	unsigned int size = RING_SIZE(&hf->urb_ring);
	u16 ids[XENUSB_MAX_URB_RING_SIZE];
	struct xenusb_urb_request r;
	unsigned int round, i, n;
	struct hf_result *res;
	int id;

	BUILD_BUG_ON((XENUSB_MAX_URB_RING_SIZE / HF_PAGES - 1) * HF_FLOOD_STRIDE +
		     USB_DT_DEVICE_SIZE > XENUSB_PAGE_SIZE);
	for (round = 0; round < rounds; round++) {
		for (n = 0; n < size; n++) {
			hf_get_desc(hf, &r, t->port, 0, USB_DT_DEVICE,
				    USB_DT_DEVICE_SIZE, n % HF_PAGES);
			r.seg[0].offset = n / HF_PAGES * HF_FLOOD_STRIDE;
			if (bad) {
				r.pipe &= ~XENUSB_PIPE_PORT_MASK;
				hf->bad_sent++;
			}
			id = hf_queue(hf, &r);
			if (id < 0) {
				scnprintf(why, len, "round %u: ring full after %u requests",
					  round, n);
				return false;
			}
			ids[n] = id;
		}
		/* One notification for a full ring. */
		hf_kick(hf);
		for (i = 0; i < n; i++) {
			if (hf_wait(hf, ids[i], HF_ANSWER_MS)) {
				scnprintf(why, len, "round %u: request %u unanswered after 10 s",
					  round, i);
				return false;
			}
			res = &hf->res[ids[i]];
			if (bad ? res->status != XENUSB_STATUS_INVAL || res->actual :
				  res->status || res->actual != USB_DT_DEVICE_SIZE) {
				scnprintf(why, len, "round %u request %u: status %d actual %d",
					  round, i, res->status, res->actual);
				return false;
			}
		}
	}
	return true;
}

static void hf_attack_malformed_flood(struct hf_info *hf, struct hf_target *t)
{
	unsigned long t0 = jiffies;
	char why[HF_WHY];

	if (!hf_flood(hf, t, true, flood_rounds, why, sizeof(why)))
		hf_result(hf, "malformed-flood", false, "%s", why);
	else
		hf_result(hf, "malformed-flood", true,
			  "%u full rings of port-0 requests, all -EINVAL, in %u ms",
			  flood_rounds, jiffies_to_msecs(jiffies - t0));
}

static void hf_attack_ring_flood(struct hf_info *hf, struct hf_target *t)
{
	unsigned long t0 = jiffies;
	char why[HF_WHY];

	if (!hf_flood(hf, t, false, flood_rounds, why, sizeof(why)))
		hf_result(hf, "ring-flood", false, "%s", why);
	else
		hf_result(hf, "ring-flood", true,
			  "%u full rings of GET_DESCRIPTOR, all answered with 18 bytes, in %u ms",
			  flood_rounds, jiffies_to_msecs(jiffies - t0));
}

/*
 * Bulk IN requests that the device has no data for stay in flight; one
 * is unlinked, the others are left for the ring violation to find
 * (counted in hf->inflight).
 */
static void hf_attack_pending(struct hf_info *hf, struct hf_target *t)
{
	struct xenusb_urb_request r, u;
	int id[3], uid;
	char why[HF_WHY];
	unsigned int i;

	if (!t->bulk_in) {
		hf_result(hf, "unlink-inflight", false, "the device has no bulk IN endpoint");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(id); i++) {
		hf_bulk(hf, &r, t->port, t->bulk_in, true, 512, 4 + i);
		id[i] = hf_queue(hf, &r);
		if (id[i] < 0) {
			hf_result(hf, "unlink-inflight", false, "ring full");
			return;
		}
	}
	hf_kick(hf);
	msleep(500);
	if (hf_answered(hf, id[0])) {
		hf_result(hf, "unlink-inflight", false,
			  "bulk IN ep %u answered at once (status %d): nothing to unlink",
			  t->bulk_in, hf->res[id[0]].status);
		return;
	}
	memset(&u, 0, sizeof(u));
	u.pipe = hf_pipe(t->port, 0, t->bulk_in, XENUSB_PIPE_TYPE_BULK, true) |
		 XENUSB_PIPE_UNLINK;
	u.u.unlink.unlink_id = id[0];
	uid = hf_queue(hf, &u);
	if (uid < 0) {
		hf_result(hf, "unlink-inflight", false, "ring full");
		return;
	}
	hf_kick(hf);
	if (hf_wait(hf, uid, HF_ANSWER_MS) || hf_wait(hf, id[0], HF_ANSWER_MS)) {
		hf_result(hf, "unlink-inflight", false,
			  "unlink or its victim unanswered after 10 s");
		return;
	}
	if (hf->res[uid].status || !hf->res[id[0]].status) {
		hf_result(hf, "unlink-inflight", false,
			  "unlink status %d, victim status %d (want 0 and an error)",
			  hf->res[uid].status, hf->res[id[0]].status);
		return;
	}
	if (!hf_alive(hf, t->port, why, sizeof(why))) {
		hf_result(hf, "unlink-inflight", false, "%s", why);
		return;
	}
	hf->inflight = ARRAY_SIZE(id) - 1;
	hf_result(hf, "unlink-inflight", true,
		  "victim answered %d, unlink 0; %u bulk IN left in flight",
		  hf->res[id[0]].status, hf->inflight);
}

static enum xenbus_state hf_backend_state(struct hf_info *hf)
{
	return xenusb_otherend_state(hf->xdev);
}

/*
 * Poll the backend's state (a xenstore read sleeps, so it cannot be a
 * wait_event() condition) until it is @s or beyond.  Return: the state
 * last read.
 */
static enum xenbus_state hf_backend_wait(struct hf_info *hf,
					 enum xenbus_state s, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	enum xenbus_state st;

	while ((st = hf_backend_state(hf)) < s && time_before(jiffies, end))
		msleep(20);
	return st;
}

/* The same until the backend leaves @from.  Return: the state last read. */
static enum xenbus_state hf_backend_leave(struct hf_info *hf,
					  enum xenbus_state from,
					  unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	enum xenbus_state st;

	while ((st = hf_backend_state(hf)) == from &&
	       time_before(jiffies, end))
		msleep(20);
	return st;
}

/* First port the backend reported a device on, 0 if none. */
static unsigned int hf_device_port(struct hf_info *hf)
{
	unsigned long flags;
	unsigned int p;

	spin_lock_irqsave(&hf->lock, flags);
	hf_poll_locked(hf);
	for (p = 1; p <= hf->nports && !hf->speed[p]; p++)
		;
	spin_unlock_irqrestore(&hf->lock, flags);
	return p <= hf->nports ? p : 0;
}

static void hf_teardown(struct hf_info *hf);
static int hf_publish(struct hf_info *hf, const struct hf_keys *k, bool data);

/*
 * The request producer runs a whole ring ahead: the backend must close.
 * We follow it to Closed and free the rings.
 */
static void hf_overflow(struct hf_info *hf, const char *name)
{
	unsigned int inflight = hf->inflight, size = RING_SIZE(&hf->urb_ring);
	struct xenusb_urb_sring *sring = hf->urb_ring.sring;
	enum xenbus_state st;
	unsigned long t0;
	unsigned int ms_closing, ms_closed;
	RING_IDX prod;

	t0 = jiffies;
	prod = READ_ONCE(sring->rsp_prod) + size + 1;
	virt_wmb();	/* nothing to publish: the slots are stale on purpose */
	WRITE_ONCE(sring->req_prod, prod);
	notify_remote_via_irq(hf->irq);

	st = hf_backend_wait(hf, XenbusStateClosing, HF_STATE_MS);
	ms_closing = jiffies_to_msecs(jiffies - t0);
	if (st < XenbusStateClosing) {
		hf_result(hf, name, false,
			  "backend still %s 10 s after req_prod ran %u ahead of a %u-slot ring",
			  xenbus_strstate(st), size + 1, size);
		return;
	}
	/* Follow the backend down as a frontend should. */
	xenbus_switch_state(hf->xdev, XenbusStateClosed);
	st = hf_backend_wait(hf, XenbusStateClosed, HF_STATE_MS);
	ms_closed = jiffies_to_msecs(jiffies - t0);
	hf_teardown(hf);
	if (st != XenbusStateClosed) {
		hf_result(hf, name, false,
			  "backend %s 10 s after we closed", xenbus_strstate(st));
		return;
	}
	hf_result(hf, name, true,
		  "req_prod %u ahead of a %u-slot ring: backend Closing after %u ms, Closed after %u ms (%u requests were in flight)",
		  size + 1, size, ms_closing, ms_closed, inflight);
}

/* The one-page ring's violation, with requests left in flight. */
static void hf_attack_overflow(struct hf_info *hf, struct hf_target *t)
{
	hf_overflow(hf, "ring-overflow");
}

/* ------------------------------------------------ deeper-ring keys */

/*
 * Close our end and wait for the backend to follow; the rings go.
 * Return: true if the backend reached Closed.
 */
static bool hf_close(struct hf_info *hf)
{
	enum xenbus_state st;

	xenbus_switch_state(hf->xdev, XenbusStateClosed);
	st = hf_backend_wait(hf, XenbusStateClosed, HF_STATE_MS);
	hf_teardown(hf);
	return st == XenbusStateClosed;
}

/*
 * Come back from Closed (closing first if an earlier attempt stopped
 * half way): Initialising, and the backend must offer again (InitWait).
 * Sets @hf->offer.  Return: true if it did; otherwise @why says what
 * happened.
 */
static bool hf_reopen(struct hf_info *hf, char *why, size_t len)
{
	struct xenbus_device *dev = hf->xdev;
	enum xenbus_state st;

	WRITE_ONCE(hf->manual, true);
	if (!hf_close(hf)) {
		scnprintf(why, len, "backend %s, not Closed, before we came back",
			  xenbus_strstate(hf_backend_state(hf)));
		return false;
	}
	xenbus_switch_state(dev, XenbusStateInitialising);
	st = hf_backend_leave(hf, XenbusStateClosed, HF_STATE_MS);
	if (st != XenbusStateInitWait) {
		scnprintf(why, len, "backend %s, not InitWait, after we came back to Initialising",
			  xenbus_strstate(st));
		return false;
	}
	hf->offer = xenbus_read_unsigned(dev->otherend,
					 XENUSB_KEY_MAX_RING_PAGE_ORDER, 0);
	return true;
}

/*
 * One connection attempt with the bad keys @k, which the backend must
 * refuse: from InitWait straight to Closing, no ring page mapped (each
 * ring grant can be revoked), then Closed after us.  @ms is set to how
 * long the refusal took.  Return: true if so, otherwise @why says why.
 */
static bool hf_refused(struct hf_info *hf, const struct hf_keys *k,
		       unsigned int *ms, char *why, size_t len)
{
	struct hf_keys above = *k;
	char order[12];
	enum xenbus_state st;
	unsigned int i, mapped = 0;
	unsigned long t0;
	bool ok = false;
	int err;

	if (!hf_reopen(hf, why, len))
		return false;
	if (k->above_offer) {
		if (!hf->offer) {
			scnprintf(why, len, "the backend offers no %s: nothing to exceed",
				  XENUSB_KEY_MAX_RING_PAGE_ORDER);
			hf_close(hf);
			return false;
		}
		snprintf(order, sizeof(order), "%u", hf->offer + 1);
		above.order = order;
		above.pages = min(hf->offer + 1, XENUSB_MAX_RING_PAGE_ORDER);
		k = &above;
	}
	t0 = jiffies;
	err = hf_publish(hf, k, false);
	if (err) {
		scnprintf(why, len, "publishing our keys: %d", err);
		goto close;
	}
	st = hf_backend_leave(hf, XenbusStateInitWait, HF_STATE_MS);
	*ms = jiffies_to_msecs(jiffies - t0);
	if (st != XenbusStateClosing && st != XenbusStateClosed) {
		scnprintf(why, len, "ring-page-order \"%s\": backend %s after %u ms, want Closing",
			  k->order ?: "", xenbus_strstate(st), *ms);
		goto close;
	}
	/* Revoking a grant fails while the backend maps its page. */
	for (i = 0; i < (1u << hf->order); i++)
		if (!gnttab_end_foreign_access_ref(hf->urb_ref[i]))
			mapped++;
	if (!gnttab_end_foreign_access_ref(hf->conn_ref))
		mapped++;
	if (mapped) {
		scnprintf(why, len,
			  "ring-page-order \"%s\": refused, but %u ring pages still mapped",
			  k->order ?: "", mapped);
		goto close;
	}
	ok = true;
close:
	if (!hf_close(hf) && ok) {
		scnprintf(why, len,
			  "ring-page-order \"%s\": refused, but the backend did not follow us to Closed",
			  k->order ?: "");
		ok = false;
	}
	return ok;
}

/* Each of the @n attempts @k must be refused; one result line. */
static void hf_refuse_all(struct hf_info *hf, const char *name,
			  const struct hf_keys *k, unsigned int n,
			  const char *what)
{
	unsigned int i, ms, ms_max = 0;
	char why[HF_WHY];

	for (i = 0; i < n; i++) {
		if (!hf_refused(hf, &k[i], &ms, why, sizeof(why))) {
			hf_result(hf, name, false, "%s", why);
			return;
		}
		ms_max = max(ms, ms_max);
	}
	hf_result(hf, name, true,
		  "%s (offer %u): refused, backend Closing within %u ms, no ring page mapped, Closed after us",
		  what, hf->offer, ms_max);
}

static void hf_attack_ring_range(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k[] = {
		{ .order = "9", .base = true },
		{ .order = "-1", .base = true },
	};

	hf_refuse_all(hf, "ring-order-range", k, ARRAY_SIZE(k),
		      "ring-page-order \"9\" and \"-1\" with urb-ring-ref");
}

static void hf_attack_ring_garbage(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k = { .order = "x", .base = true };

	hf_refuse_all(hf, "ring-order-garbage", &k, 1,
		      "ring-page-order \"x\" with urb-ring-ref");
}

static void hf_attack_ring_offer(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k = { .above_offer = true };

	hf_refuse_all(hf, "ring-order-offer", &k, 1,
		      "ring-page-order one above the offer, its pages granted");
}

static void hf_attack_ring_missing(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k = { .order = "2", .pages = 2, .skip = BIT(3) };

	hf_refuse_all(hf, "ring-ref-missing", &k, 1,
		      "ring-page-order 2 without urb-ring-ref3");
}

static void hf_attack_ring_dup(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k = { .order = "2", .pages = 2, .dup = BIT(3) };

	hf_refuse_all(hf, "ring-ref-dup", &k, 1,
		      "ring-page-order 2, urb-ring-ref3 = urb-ring-ref0");
}

static void hf_attack_ring_junk(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k = { .order = "2", .pages = 2, .junk = BIT(2) };

	hf_refuse_all(hf, "ring-ref-garbage", &k, 1,
		      "ring-page-order 2, urb-ring-ref2 \"x\"");
}

/*
 * After all the refusals a good 8-page ring must connect and be served:
 * the device comes back on the conn ring, and a whole ring of requests,
 * published with one notification, is answered.
 */
static void hf_attack_ring_connect(struct hf_info *hf, struct hf_target *t)
{
	static const struct hf_keys k = { .order = "3", .pages = 3 };
	enum xenbus_state st;
	char why[HF_WHY];
	unsigned long t0;
	unsigned int p;
	int err;

	hf->inflight = 0;
	if (!hf_reopen(hf, why, sizeof(why)))
		goto fail;
	if (hf->offer < XENUSB_MAX_RING_PAGE_ORDER) {
		scnprintf(why, sizeof(why), "the backend offers %s %u, want %u",
			  XENUSB_KEY_MAX_RING_PAGE_ORDER, hf->offer,
			  XENUSB_MAX_RING_PAGE_ORDER);
		goto close;
	}
	err = hf_publish(hf, &k, true);
	if (err) {
		scnprintf(why, sizeof(why), "publishing our keys: %d", err);
		goto close;
	}
	st = hf_backend_leave(hf, XenbusStateInitWait, HF_STATE_MS);
	if (st != XenbusStateConnected) {
		scnprintf(why, sizeof(why), "backend %s with an 8-page ring, want Connected",
			  xenbus_strstate(st));
		goto close;
	}
	/* Every occupied port is reported again to a new connection. */
	wait_event_timeout(hf->wq, (p = hf_device_port(hf)) != 0,
			   msecs_to_jiffies(HF_STATE_MS));
	if (!p) {
		scnprintf(why, sizeof(why), "no device on the conn ring 10 s after Connected");
		goto close;
	}
	t->port = p;
	if (!hf_alive(hf, t->port, why, sizeof(why)))
		goto close;
	t0 = jiffies;
	if (!hf_flood(hf, t, false, 1, why, sizeof(why)))
		goto close;
	hf_result(hf, "ring-connect", true,
		  "order 3 (8 pages, %u slots): device on port %u served, %u GET_DESCRIPTOR published with one notification all answered in %u ms",
		  RING_SIZE(&hf->urb_ring), t->port, RING_SIZE(&hf->urb_ring),
		  jiffies_to_msecs(jiffies - t0));
	return;
close:
	hf_close(hf);
fail:
	hf_result(hf, "ring-connect", false, "%s", why);
}

/* The last attack: the 8-page ring's violation. */
static void hf_attack_overflow8(struct hf_info *hf, struct hf_target *t)
{
	if (hf->order != XENUSB_MAX_RING_PAGE_ORDER) {
		hf_result(hf, "ring-overflow-order3", false,
			  "the ring has 2^%u pages, want 8 (ring-connect failed?)",
			  hf->order);
		return;
	}
	hf_overflow(hf, "ring-overflow-order3");
}

/* Find the device and its endpoints; starts a new report. */
static void hf_setup(struct hf_info *hf, struct hf_target *t)
{
	char why[HF_WHY];
	unsigned int p;

	hf->report_len = 0;
	hf->bad_sent = 0;
	hf->unexpected = 0;
	hf->inflight = 0;
	memset(t, 0, sizeof(*t));
	/* The toolstack attached a device: the conn ring says where. */
	wait_event_timeout(hf->wq, (p = hf_device_port(hf)) != 0,
			   msecs_to_jiffies(30000));
	if (!p) {
		hf_result(hf, "setup", false, "no device on any of %u ports after 30 s",
			  hf->nports);
		return;
	}
	t->port = p;
	if (!hf_alive(hf, t->port, why, sizeof(why)) ||
	    !hf_find_eps(hf, t, why, sizeof(why))) {
		hf_result(hf, "setup", false, "port %u: %s", t->port, why);
		t->port = 0;
		return;
	}
	hf_result(hf, "setup", true,
		  "device on port %u (speed %u), bulk in %u out %u, ep %u absent",
		  t->port, hf->speed[t->port], t->bulk_in, t->bulk_out, t->absent);
}

static void hf_still_served(struct hf_info *hf, struct hf_target *t)
{
	char why[HF_WHY];

	if (hf_alive(hf, t->port, why, sizeof(why)))
		hf_result(hf, "still-served", true,
			  "the device answers after %u malformed requests", hf->bad_sent);
	else
		hf_result(hf, "still-served", false, "%s", why);
}

/*
 * The script, in order.  The attacks marked @closed start from the Closed
 * state that ring-overflow leaves; ring-overflow-order3 must stay last.
 */
static const struct {
	const char *name;
	void (*fn)(struct hf_info *hf, struct hf_target *t);
	bool closed;
} hf_attacks[] = {
	{ "setup", hf_setup },
	{ "bad-port", hf_attack_ports },
	{ "bad-devnum", hf_attack_devnum },
	{ "ep-absent", hf_attack_eps },
	{ "too-many-segs", hf_attack_segs },
	{ "seg-past-page", hf_attack_seg_bounds },
	{ "buffer-length", hf_attack_length },
	{ "ungranted-gref", hf_attack_ungranted },
	{ "readonly-gref", hf_attack_readonly },
	{ "iso-counts", hf_attack_iso },
	{ "unlink-unknown", hf_attack_unlink },
	{ "bad-flags", hf_attack_flags },
	{ "indirect", hf_attack_indirect },
	{ "unnegotiated-flags", hf_attack_unnegotiated },
	{ "evtchn-storm", hf_attack_storm },
	{ "malformed-flood", hf_attack_malformed_flood },
	{ "ring-flood", hf_attack_ring_flood },
	{ "unlink-inflight", hf_attack_pending },
	{ "still-served", hf_still_served },
	{ "ring-overflow", hf_attack_overflow },
	{ "ring-order-range", hf_attack_ring_range, true },
	{ "ring-order-garbage", hf_attack_ring_garbage, true },
	{ "ring-order-offer", hf_attack_ring_offer, true },
	{ "ring-ref-missing", hf_attack_ring_missing, true },
	{ "ring-ref-dup", hf_attack_ring_dup, true },
	{ "ring-ref-garbage", hf_attack_ring_junk, true },
	{ "ring-connect", hf_attack_ring_connect, true },
	{ "ring-overflow-order3", hf_attack_overflow8 },
};

/* One step of the script.  Called with run_mutex held. */
static void hf_step(struct hf_info *hf, unsigned int i)
{
	const char *name = hf_attacks[i].name;

	if (hf_attacks[i].closed) {
		if (hf->connected) {
			hf_result(hf, name, false,
				  "connected: runs once ring-overflow closed the controller");
			return;
		}
	} else if (!hf->connected) {
		hf_result(hf, name, false, "not connected (after ring-overflow?)");
		return;
	}
	if (i && !hf->t.port) {
		hf_result(hf, name, false, "no target: setup failed or did not run");
		return;
	}
	hf_attacks[i].fn(hf, &hf->t);
	if (i == ARRAY_SIZE(hf_attacks) - 1) {
		hf->report_len += scnprintf(hf->report + hf->report_len,
					    HF_REPORT_SIZE - hf->report_len,
					    "summary: malformed %u unexpected %u rsp_overflow %u\n",
					    hf->bad_sent, hf->unexpected,
					    hf->rsp_overflow);
		pr_warn("summary: malformed %u unexpected %u rsp_overflow %u\n",
			hf->bad_sent, hf->unexpected, hf->rsp_overflow);
	}
}

/* --------------------------------------------------------- xenbus glue */

static void hf_free_pages(struct hf_info *hf)
{
	unsigned int i;

	for (i = 0; i < HF_PAGES; i++) {
		if (hf->page[i]) {
			/* Frees the page once the backend holds no mapping. */
			gnttab_end_foreign_access(hf->ref[i], hf->page[i]);
			hf->page[i] = NULL;
		}
	}
	if (hf->ro_page) {
		gnttab_end_foreign_access(hf->ro_ref, hf->ro_page);
		hf->ro_page = NULL;
	}
	if (hf->unused_ref != INVALID_GRANT_REF) {
		gnttab_free_grant_reference(hf->unused_ref);
		hf->unused_ref = INVALID_GRANT_REF;
	}
}

static void hf_teardown(struct hf_info *hf)
{
	unsigned long flags;

	if (hf->irq > 0) {
		unbind_from_irqhandler(hf->irq, hf);	/* closes the port */
		hf->irq = 0;
	}
	spin_lock_irqsave(&hf->lock, flags);
	hf->connected = false;
	spin_unlock_irqrestore(&hf->lock, flags);
	hf_free_pages(hf);
	xenbus_teardown_ring((void **)&hf->urb_ring.sring, 1u << hf->order,
			     hf->urb_ref);
	xenbus_teardown_ring((void **)&hf->conn_ring.sring, 1, &hf->conn_ref);
}

static int hf_grant_pages(struct hf_info *hf)
{
	domid_t be = hf->xdev->otherend_id;
	grant_ref_t head;
	unsigned int i;
	int ref;

	for (i = 0; i < HF_PAGES; i++) {
		hf->page[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!hf->page[i])
			return -ENOMEM;
		ref = gnttab_grant_foreign_access(be, xen_page_to_gfn(hf->page[i]), 0);
		if (ref < 0) {
			__free_page(hf->page[i]);
			hf->page[i] = NULL;
			return ref;
		}
		hf->ref[i] = ref;
	}
	hf->ro_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!hf->ro_page)
		return -ENOMEM;
	ref = gnttab_grant_foreign_access(be, xen_page_to_gfn(hf->ro_page), 1);
	if (ref < 0) {
		__free_page(hf->ro_page);
		hf->ro_page = NULL;
		return ref;
	}
	hf->ro_ref = ref;
	/* A reference of ours whose grant entry stays empty. */
	ref = gnttab_alloc_grant_references(1, &head);
	if (ref < 0)
		return ref;
	hf->unused_ref = gnttab_claim_grant_reference(&head);
	return 0;
}

/*
 * Rings for a connection: an urb ring of 2^@order pages, the conn ring
 * with every slot posted, the data pages if @data, an event channel.
 * Return: 0, or a negative errno (nothing left set up).
 */
static int hf_rings_up(struct hf_info *hf, unsigned int order, bool data)
{
	struct xenbus_device *dev = hf->xdev;
	struct xenusb_urb_sring *urb_sring;
	struct xenusb_conn_sring *conn_sring;
	unsigned long flags;
	RING_IDX i;
	int err;

	/* A new connection knows nothing of the last one's answers. */
	memset(hf->speed, 0, sizeof(hf->speed));
	memset(hf->res, 0, sizeof(hf->res));
	hf->next_id = 0;
	hf->order = order;
	err = xenbus_setup_ring(dev, GFP_KERNEL, (void **)&urb_sring,
				1u << order, hf->urb_ref);
	if (err)
		return err;
	XEN_FRONT_RING_INIT(&hf->urb_ring, urb_sring, XEN_PAGE_SIZE << order);
	err = xenbus_setup_ring(dev, GFP_KERNEL, (void **)&conn_sring, 1,
				&hf->conn_ref);
	if (err)
		goto fail;
	XEN_FRONT_RING_INIT(&hf->conn_ring, conn_sring, XEN_PAGE_SIZE);
	if (data) {
		err = hf_grant_pages(hf);
		if (err)
			goto fail;
	}

	err = xenbus_alloc_evtchn(dev, &hf->evtchn);
	if (err)
		goto fail;
	err = bind_evtchn_to_irqhandler(hf->evtchn, hf_interrupt, 0,
					"xenusb-hostile", hf);
	if (err < 0) {
		xenbus_free_evtchn(dev, hf->evtchn);
		goto fail;
	}
	hf->irq = err;

	for (i = 0; i < RING_SIZE(&hf->conn_ring); i++)
		RING_GET_REQUEST(&hf->conn_ring, i)->id = i;
	hf->conn_ring.req_prod_pvt = i;
	RING_PUSH_REQUESTS(&hf->conn_ring);
	spin_lock_irqsave(&hf->lock, flags);
	hf->connected = true;
	spin_unlock_irqrestore(&hf->lock, flags);
	return 0;

fail:
	hf_teardown(hf);
	return err;
}

/* Remove @node of our directory; absent is fine. */
static int hf_rm(struct xenbus_transaction xbt, struct xenbus_device *dev,
		 const char *node)
{
	int err = xenbus_rm(xbt, dev->nodename, node);

	return err == -ENOENT ? 0 : err;
}

/*
 * The urb ring's keys as @k says, after removing those an earlier
 * attempt left.
 */
static int hf_ring_keys(struct hf_info *hf, struct xenbus_transaction xbt,
			const struct hf_keys *k)
{
	struct xenbus_device *dev = hf->xdev;
	char node[sizeof(XENUSB_KEY_URB_RING_REF) + 10];	/* any u32 */
	unsigned int i;
	int err;

	err = hf_rm(xbt, dev, XENUSB_KEY_RING_PAGE_ORDER);
	if (!err)
		err = hf_rm(xbt, dev, XENUSB_KEY_URB_RING_REF);
	for (i = 0; !err && i < XENUSB_MAX_RING_PAGES; i++) {
		snprintf(node, sizeof(node), "%s%u", XENUSB_KEY_URB_RING_REF, i);
		err = hf_rm(xbt, dev, node);
	}
	if (!err && k->order)
		err = xenbus_printf(xbt, dev->nodename,
				    XENUSB_KEY_RING_PAGE_ORDER, "%s", k->order);
	if (k->base)
		return err ?: xenbus_printf(xbt, dev->nodename,
					    XENUSB_KEY_URB_RING_REF, "%u",
					    hf->urb_ref[0]);
	for (i = 0; !err && i < (1u << hf->order); i++) {
		snprintf(node, sizeof(node), "%s%u", XENUSB_KEY_URB_RING_REF, i);
		if (k->skip & BIT(i))
			continue;
		if (k->junk & BIT(i))
			err = xenbus_printf(xbt, dev->nodename, node, "%s", "x");
		else
			err = xenbus_printf(xbt, dev->nodename, node, "%u",
					    hf->urb_ref[k->dup & BIT(i) ? 0 : i]);
	}
	return err;
}

/* Write every key of a connection in one transaction. */
static int hf_keys_write(struct hf_info *hf, const struct hf_keys *k)
{
	struct xenbus_device *dev = hf->xdev;
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = hf_ring_keys(hf, xbt, k);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "conn-ring-ref", "%u",
				    hf->conn_ref);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "event-channel", "%u",
				    hf->evtchn);
	/* Garbage for an offered feature: usbback must leave it off. */
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "feature-port-reset",
				    "%s", "yes");
	/* Large transfers, when offered: a small choice to exceed. */
	hf->indirect = xenbus_read_unsigned(dev->otherend,
					    "feature-max-indirect-segments",
					    0) >= HF_INDIRECT;
	if (!err && hf->indirect)
		err = xenbus_printf(xbt, dev->nodename,
				    "feature-max-indirect-segments", "%u",
				    HF_INDIRECT);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

/*
 * Set up rings for @k, publish @k and switch to Connected.  Return: 0, or
 * a negative errno (nothing left set up).
 */
static int hf_publish(struct hf_info *hf, const struct hf_keys *k, bool data)
{
	int err = hf_rings_up(hf, k->pages, data);

	if (err)
		return err;
	err = hf_keys_write(hf, k);
	if (!err)
		err = xenbus_switch_state(hf->xdev, XenbusStateConnected);
	if (err)
		hf_teardown(hf);
	return err;
}

/* The first connection: one page, urb-ring-ref, as the base protocol. */
static int hf_connect(struct hf_info *hf)
{
	static const struct hf_keys base = { .base = true };
	struct xenbus_device *dev = hf->xdev;
	int err;

	hf->nports = xenbus_read_unsigned(dev->otherend, "num-ports", 0);
	if (hf->nports < 1 || hf->nports > XENUSB_MAX_PORTNR) {
		xenbus_dev_fatal(dev, -EINVAL, "num-ports %u", hf->nports);
		return -EINVAL;
	}
	err = hf_publish(hf, &base, true);
	if (err) {
		xenbus_dev_fatal(dev, err, "connecting");
		return err;
	}
	dev_info(&dev->dev, "connected, %u ports, grants rw %u..%u ro %u unused %u\n",
		 hf->nports, hf->ref[0], hf->ref[HF_PAGES - 1], hf->ro_ref,
		 hf->unused_ref);
	return 0;
}

static void hf_backend_changed(struct xenbus_device *dev,
			       enum xenbus_state backend_state)
{
	struct hf_info *hf = dev_get_drvdata(&dev->dev);

	switch (backend_state) {
	case XenbusStateInitWait:
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/* Once the steps drive the state, they connect themselves. */
		if (READ_ONCE(hf->manual) ||
		    dev->state != XenbusStateInitialising)
			break;
		mutex_lock(&hf->run_mutex);
		hf_connect(hf);
		mutex_unlock(&hf->run_mutex);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		/* A run in progress watches the backend and closes itself. */
		if (!mutex_trylock(&hf->run_mutex)) {
			hf->close_pending = true;
			break;
		}
		hf_teardown(hf);
		if (dev->state != XenbusStateClosed)
			xenbus_frontend_closed(dev);
		mutex_unlock(&hf->run_mutex);
		break;
	default:
		break;
	}
	wake_up(&hf->wq);
}

static ssize_t hostile_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct hf_info *hf = dev_get_drvdata(d);
	size_t from = 0;
	ssize_t n;

	mutex_lock(&hf->run_mutex);
	/* The last lines that fit in a page. */
	if (hf->report_len >= PAGE_SIZE) {
		from = hf->report_len - (PAGE_SIZE - 1);
		while (from < hf->report_len && hf->report[from - 1] != '\n')
			from++;
	}
	n = sysfs_emit(buf, "%.*s", (int)(hf->report_len - from),
		       hf->report + from);
	mutex_unlock(&hf->run_mutex);
	return n;
}

/*
 * "run": the whole script; an attack's name: that step alone (setup
 * first), so that the scenario can log its progress between steps.
 */
static ssize_t hostile_store(struct device *d, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct hf_info *hf = dev_get_drvdata(d);
	bool all = sysfs_streq(buf, "run");
	unsigned int i;
	bool found = false;

	mutex_lock(&hf->run_mutex);
	for (i = 0; i < ARRAY_SIZE(hf_attacks); i++) {
		if (all || sysfs_streq(buf, hf_attacks[i].name)) {
			found = true;
			hf_step(hf, i);
		}
	}
	/*
	 * Once the steps drive the state they close themselves; a backend
	 * event seen during one of their attempts is no reason to close.
	 */
	if (hf->close_pending && hf->connected && !hf->manual) {
		hf_teardown(hf);
		xenbus_frontend_closed(hf->xdev);
	}
	mutex_unlock(&hf->run_mutex);
	return found ? count : -EINVAL;
}
static DEVICE_ATTR_RW(hostile);

static int hf_probe(struct xenbus_device *dev, const struct xenbus_device_id *id)
{
	struct hf_info *hf;
	unsigned int i;
	int err;

	hf = kzalloc(sizeof(*hf), GFP_KERNEL);
	if (!hf)
		return -ENOMEM;
	hf->report = kzalloc(HF_REPORT_SIZE, GFP_KERNEL);
	if (!hf->report) {
		kfree(hf);
		return -ENOMEM;
	}
	hf->xdev = dev;
	for (i = 0; i < XENUSB_MAX_RING_PAGES; i++)
		hf->urb_ref[i] = INVALID_GRANT_REF;
	hf->conn_ref = INVALID_GRANT_REF;
	hf->unused_ref = INVALID_GRANT_REF;
	spin_lock_init(&hf->lock);
	init_waitqueue_head(&hf->wq);
	mutex_init(&hf->run_mutex);
	dev_set_drvdata(&dev->dev, hf);
	err = device_create_file(&dev->dev, &dev_attr_hostile);
	if (err) {
		dev_set_drvdata(&dev->dev, NULL);
		kfree(hf->report);
		kfree(hf);
	}
	return err;
}

static void hf_remove(struct xenbus_device *dev)
{
	struct hf_info *hf = dev_get_drvdata(&dev->dev);

	device_remove_file(&dev->dev, &dev_attr_hostile);
	mutex_lock(&hf->run_mutex);
	hf_teardown(hf);
	mutex_unlock(&hf->run_mutex);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(hf->report);
	kfree(hf);
}

static const struct xenbus_device_id hf_ids[] = {
	{ "vusb" },
	{ "" }
};

static struct xenbus_driver hf_driver = {
	.name = "xenusb-hostile",
	.ids = hf_ids,
	.probe = hf_probe,
	.remove = hf_remove,
	.otherend_changed = hf_backend_changed,
};

static int __init hf_init(void)
{
	if (!xen_domain() || xen_initial_domain())
		return -ENODEV;
	return xenbus_register_frontend(&hf_driver);
}
module_init(hf_init);

static void __exit hf_exit(void)
{
	xenbus_unregister_driver(&hf_driver);
}
module_exit(hf_exit);

MODULE_DESCRIPTION("Test only: a hostile Xen PV USB frontend that attacks usbback");
MODULE_LICENSE("GPL");
