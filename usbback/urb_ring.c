// SPDX-License-Identifier: GPL-2.0
/*
 * usbback protocol core: the urb ring.  Takes requests off the ring (each
 * copied exactly once per attempt, validated, given a slot), answers what
 * needs no device, dispatches the rest to the implementer, and pushes the
 * responses, freeing the slots.  No Xen or USB-core call: the module, the
 * simulator and the fuzzers run this file over their own
 * struct usbback_ring_ops (see core.h for the contract).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <asm/barrier.h>
#include <linux/string.h>

#include "core.h"

/**
 * usbback_ring_init() - set up the rings of a controller, not attached
 * @r: the rings, zeroed or detached
 * @ops: the implementer's operations, kept
 * @nports: ports of the controller, 1..31
 *
 * Return: 0, or -EINVAL for a bad @nports.
 */
int usbback_ring_init(struct usbback_ring *r,
		      const struct usbback_ring_ops *ops, u8 nports)
{
	int err;

	err = usbback_conn_init(&r->connq, nports);
	if (err)
		return err;
	r->ops = ops;
	r->nports = nports;
	r->mapped = false;
	r->fatal = false;
	r->slot_wait = false;
	r->nr_inflight = 0;
	r->urb.sring = NULL;
	r->conn.sring = NULL;
	r->max_inflight = 0;
	r->nr_slots = 0;
	r->rq = NULL;
	usbback_addr_init(&r->addr);
	return 0;
}

/**
 * usbback_ring_set_slots() - give the core its request slots
 * @r: the rings, detached, no request in flight
 * @rq: @nr slots, owned by the implementer until the next call or the
 *	end of the controller
 * @nr: one per request the urb ring to attach holds (its RING_SIZE()),
 *	1..USBBACK_MAX_SLOTS
 *
 * Consumer context. The implementer sizes its own per-slot state by the
 * same @nr, so that a one-page ring costs no more than it did before the
 * ring could grow.
 *
 * Return: 0, -EINVAL for a bad @nr, -EBUSY while attached or while a
 * request is in flight.
 */
int usbback_ring_set_slots(struct usbback_ring *r, struct usbback_rq *rq,
			   unsigned int nr)
{
	unsigned int i;

	if (!rq || !nr || nr > USBBACK_MAX_SLOTS)
		return -EINVAL;
	if (r->mapped || r->nr_inflight)
		return -EBUSY;
	for (i = 0; i < nr; i++) {
		rq[i].in_use = false;
		rq[i].dispatched = false;
		rq[i].index = i;
	}
	r->rq = rq;
	r->nr_slots = nr;
	return 0;
}

/**
 * usbback_ring_attach() - start serving the frontend's rings
 * @r: the rings, detached
 * @urb_sring: the mapped urb ring, 2^@order virtually contiguous pages
 * @conn_sring: the mapped conn ring page
 * @order: the negotiated ring-page-order (0: one page, the base protocol)
 *
 * Consumer context.  Forgets the guest's addresses and any latched fatal
 * error, and queues every occupied port for the conn ring: a frontend
 * that (re)connects knows nothing.  The caller then has
 * usbback_ring_consume() run.  The ring's size (its producer overflow
 * check, the number of requests in flight) follows from @order.
 *
 * Return: 0, or -EINVAL when @order is above XENUSB_MAX_RING_PAGE_ORDER
 * or the ring holds more requests than the slots given with
 * usbback_ring_set_slots() (nothing is attached then).
 */
int usbback_ring_attach(struct usbback_ring *r,
			struct xenusb_urb_sring *urb_sring,
			struct xenusb_conn_sring *conn_sring,
			unsigned int order)
{
	unsigned long flags;

	if (order > XENUSB_MAX_RING_PAGE_ORDER ||
	    XENUSB_URB_RING_SIZE_ORDER(order) > r->nr_slots)
		return -EINVAL;
	flags = r->ops->lock(r);
	BACK_RING_INIT(&r->urb, urb_sring, XENUSB_PAGE_SIZE << order);
	BACK_RING_INIT(&r->conn, conn_sring, XENUSB_PAGE_SIZE);
	usbback_conn_replay(&r->connq);
	r->mapped = true;
	r->ops->unlock(r, flags);
	usbback_addr_init(&r->addr);
	r->fatal = false;
	return 0;
}

/**
 * usbback_ring_detach() - stop pushing anything onto the rings
 * @r: the rings
 *
 * Consumer context, after the implementer stopped calling
 * usbback_ring_consume().  Requests still in flight may be answered
 * later: their responses are accounted for but not pushed.  The caller
 * unmaps the pages afterwards.
 *
 * Return: the number of requests still in flight.
 */
unsigned int usbback_ring_detach(struct usbback_ring *r)
{
	unsigned long flags = r->ops->lock(r);
	unsigned int n = r->nr_inflight;

	r->mapped = false;
	r->urb.sring = NULL;
	r->conn.sring = NULL;
	r->ops->unlock(r, flags);
	return n;
}

/**
 * usbback_ring_fatal() - latch a ring protocol violation of the frontend
 * @r: the rings
 * @what: what the frontend did
 *
 * Consumer context.  Only the first violation reaches ops->fatal(); no
 * request is taken any more until the next usbback_ring_attach().
 */
void usbback_ring_fatal(struct usbback_ring *r, const char *what)
{
	if (r->fatal)
		return;
	r->fatal = true;
	r->ops->fatal(r, what);
}

/**
 * usbback_ring_respond_locked() - push a response and free its slot
 * @r: the rings, ring lock held
 * @rq: the request, in use; every grant of it is already released
 * @status: XENUSB_STATUS_* (or -ENOENT for an unlink that found nothing)
 * @actual: bytes transferred
 * @start_frame: isochronous start frame
 * @error_count: isochronous packets that failed
 *
 * Nothing is pushed while the rings are detached.  A slot already free
 * is left alone: a request is answered at most once.
 *
 * Return: USBBACK_RSP_* actions for the caller once it has unlocked.
 */
unsigned int usbback_ring_respond_locked(struct usbback_ring *r,
					 struct usbback_rq *rq, s32 status,
					 u32 actual, u16 start_frame,
					 u32 error_count)
{
	struct xenusb_urb_response *rsp;
	unsigned int act = 0;
	int notify = 0;

	if (!rq->in_use)
		return 0;
	if (r->mapped) {
		rsp = RING_GET_RESPONSE(&r->urb, r->urb.rsp_prod_pvt);
		rsp->id = rq->req.id;
		rsp->start_frame = start_frame;
		rsp->status = status;
		rsp->actual_length = actual;
		rsp->error_count = error_count;
		r->urb.rsp_prod_pvt++;
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&r->urb, notify);
		if (notify)
			act |= USBBACK_RSP_NOTIFY;
	}
	if (r->ops->responded)
		r->ops->responded(r, rq, status, actual);
	rq->in_use = false;
	rq->dispatched = false;
	r->nr_inflight--;
	/* A slot is free again: the consumer may be waiting for one. */
	if (r->slot_wait) {
		r->slot_wait = false;
		act |= USBBACK_RSP_KICK;
	}
	return act;
}

/**
 * usbback_ring_act() - do what usbback_ring_respond_locked() asked for
 * @r: the rings, ring lock not held
 * @act: USBBACK_RSP_* bits
 */
void usbback_ring_act(struct usbback_ring *r, unsigned int act)
{
	if (act & USBBACK_RSP_NOTIFY)
		r->ops->notify(r);
	if (act & USBBACK_RSP_KICK)
		r->ops->kick(r);
}

/**
 * usbback_ring_respond() - push a response, free its slot, notify
 * @r: the rings, ring lock not held
 * @rq: the request, in use; every grant of it is already released
 * @status: XENUSB_STATUS_* (or -ENOENT for an unlink that found nothing)
 * @actual: bytes transferred
 * @start_frame: isochronous start frame
 * @error_count: isochronous packets that failed
 *
 * Any context the ring lock may be taken in.
 */
void usbback_ring_respond(struct usbback_ring *r, struct usbback_rq *rq,
			  s32 status, u32 actual, u16 start_frame,
			  u32 error_count)
{
	unsigned long flags = r->ops->lock(r);
	unsigned int act;

	act = usbback_ring_respond_locked(r, rq, status, actual, start_frame,
					  error_count);
	r->ops->unlock(r, flags);
	usbback_ring_act(r, act);
}

/*
 * A free slot for the request at @rc, or NULL (then the consumer waits
 * for a response to free one: slot_wait).  *@busy is set, and no slot
 * taken, when another request in flight has the same id.
 */
static struct usbback_rq *usbback_slot_get(struct usbback_ring *r, RING_IDX rc,
					   u16 id, bool *busy)
{
	struct usbback_rq *rq = NULL;
	unsigned long flags;
	unsigned int i;

	*busy = false;
	flags = r->ops->lock(r);
	for (i = 0; i < r->nr_slots; i++) {
		if (r->rq[i].in_use && r->rq[i].req.id == id) {
			*busy = true;
			goto out;
		}
	}
	/* No more in flight than the ring has room for responses. */
	if (!RING_REQUEST_CONS_OVERFLOW(&r->urb, rc)) {
		for (i = 0; i < r->nr_slots && !rq; i++)
			if (!r->rq[i].in_use)
				rq = &r->rq[i];
	}
	if (rq) {
		rq->in_use = true;
		rq->dispatched = false;
		rq->port = 0;
		if (++r->nr_inflight > r->max_inflight)
			r->max_inflight = r->nr_inflight;
	} else {
		r->slot_wait = true;
	}
out:
	r->ops->unlock(r, flags);
	return rq;
}

/* Give back a slot whose request stays on the ring. */
static void usbback_slot_unget(struct usbback_ring *r, struct usbback_rq *rq)
{
	unsigned long flags = r->ops->lock(r);

	rq->in_use = false;
	rq->dispatched = false;
	r->nr_inflight--;
	r->ops->unlock(r, flags);
}

static void usbback_refuse(struct usbback_ring *r, struct usbback_rq *rq,
			   s32 status, const char *why)
{
	if (why && r->ops->bad)
		r->ops->bad(r, rq, why);
	usbback_ring_respond(r, rq, status, 0, 0, 0);
}

static void usbback_unlink(struct usbback_ring *r, struct usbback_rq *by)
{
	bool found = false;
	unsigned long flags;
	unsigned int i;

	flags = r->ops->lock(r);
	for (i = 0; i < r->nr_slots; i++) {
		struct usbback_rq *v = &r->rq[i];

		if (v->in_use && v->dispatched && !v->req.pipe.unlink &&
		    v->req.id == by->req.unlink_id && v->port == by->port) {
			if (r->ops->unlink_hold)
				found = r->ops->unlink_hold(r, v, by);
			break;
		}
	}
	r->ops->unlock(r, flags);
	if (found)
		r->ops->unlink(r, by);
	/*
	 * The victim answers for itself when its transfer comes back; this
	 * response only frees the unlink's own ring slot in the frontend.
	 */
	usbback_ring_respond(r, by, found ? XENUSB_STATUS_OK : -ENOENT, 0, 0, 0);
}

static u16 usbback_setup_word(const u8 *setup, unsigned int at)
{
	return (u16)(setup[at] | (setup[at + 1] << 8));
}

/*
 * A control request the backend answers itself or through ops->control().
 * Return: true if handled (answered or owned by the implementer).
 */
static bool usbback_control(struct usbback_ring *r, struct usbback_rq *rq)
{
	const u8 *setup = rq->req.setup;
	u16 value = usbback_setup_word(setup, 2);
	u16 index = usbback_setup_word(setup, 4);
	enum usbback_ctrl_kind kind = usbback_ctrl_classify(setup);
	s32 status;

	if (kind == USBBACK_CTRL_PASS)
		return false;
	if (kind == USBBACK_CTRL_SET_ADDRESS) {
		/*
		 * The host device keeps its host address; the guest's only
		 * routes its later requests.
		 */
		status = value <= XENUSB_MAX_DEVNUM &&
			 !usbback_addr_set(&r->addr, rq->port, value) ?
			 XENUSB_STATUS_OK : XENUSB_STATUS_INVAL;
	} else if (kind == USBBACK_CTRL_SET_CONFIGURATION && !(value & 0xff)) {
		/*
		 * Unconfiguring stays in the guest, like its address: the
		 * host device keeps its configuration and our interfaces, so
		 * that a physical unplug still reaches us, and the guest may
		 * configure it again.  A guest that sends traffic meanwhile
		 * reaches only the endpoints it had.
		 */
		status = XENUSB_STATUS_OK;
	} else {
		rq->dispatched = true;
		status = r->ops->control(r, rq, kind, value, index);
		if (status == USBBACK_CTRL_PENDING)
			return true;
	}
	usbback_ring_respond(r, rq, status, 0, 0, 0);
	return true;
}

/*
 * A port reset (feature-port-reset) of the device on the request's port:
 * the guest re-addresses it afterwards, so its address goes now, as on a
 * real port.
 */
static void usbback_port_reset(struct usbback_ring *r, struct usbback_rq *rq)
{
	s32 status;

	if (!r->ops->device(r, rq->port)) {
		usbback_refuse(r, rq, XENUSB_STATUS_NODEV, NULL);
		return;
	}
	usbback_addr_clear_port(&r->addr, rq->port);
	rq->dispatched = true;
	status = r->ops->control(r, rq, USBBACK_CTRL_PORT_RESET, 0, 0);
	if (status != USBBACK_CTRL_PENDING)
		usbback_ring_respond(r, rq, status, 0, 0, 0);
}

/*
 * One request, copied off the ring into @raw.  Consumer context.
 * Return: 0, or -ENOMEM to retry the same request later (nothing has been
 * answered then).
 */
static int usbback_handle(struct usbback_ring *r, struct usbback_rq *rq,
			  const struct xenusb_urb_request *raw)
{
	const struct usbback_ep_view *view;
	struct xenusb_features feat;
	int err;

	/* No way to read indirect pages: large transfers stay off. */
	feat = r->feat;
	if (!r->ops->indirect)
		feat.val[XENUSB_FEAT_MAX_INDIRECT] = 0;
	err = usbback_req_parse_feat(raw, r->nports, &feat, &rq->req);
	if (err) {
		/* Keep what the response and the log line need. */
		memset(&rq->req, 0, sizeof(rq->req));
		rq->req.id = raw->id;
		xenusb_pipe_decode(raw->pipe, &rq->req.pipe);
		if (rq->req.pipe.port > r->nports)
			rq->req.pipe.port = 0;
		rq->port = rq->req.pipe.port;
		usbback_refuse(r, rq, XENUSB_STATUS_INVAL, "malformed");
		return 0;
	}
	rq->port = rq->req.pipe.port;
	if (rq->req.indirect) {
		memcpy(rq->ind, raw->seg, sizeof(rq->ind));
		err = r->ops->indirect(r, rq);
		if (err == -ENOMEM)
			return err;
		if (err || usbback_req_check_indirect(rq->seg, &rq->req)) {
			usbback_refuse(r, rq, XENUSB_STATUS_INVAL,
				       "bad indirect segment");
			return 0;
		}
	} else {
		memcpy(rq->seg, raw->seg, sizeof(raw->seg));
	}

	if (rq->req.pipe.unlink) {
		usbback_unlink(r, rq);
		return 0;
	}
	if (rq->req.port_reset) {
		usbback_port_reset(r, rq);
		return 0;
	}
	view = r->ops->device(r, rq->port);
	if (!view ||
	    usbback_addr_route(&r->addr, rq->port, rq->req.pipe.devnum) < 0) {
		usbback_refuse(r, rq, XENUSB_STATUS_NODEV, NULL);
		return 0;
	}
	if (usbback_req_check_ep(&rq->req, view)) {
		usbback_refuse(r, rq, XENUSB_STATUS_INVAL,
			       "endpoint not in the active altsetting");
		return 0;
	}
	if (rq->req.pipe.type == XENUSB_PIPE_TYPE_CTRL &&
	    usbback_control(r, rq))
		return 0;

	rq->dispatched = true;
	err = r->ops->submit(r, rq);
	if (err == -ENOMEM) {
		rq->dispatched = false;
		return err;
	}
	return 0;
}

/* Take requests off the urb ring.  Return: whether any was taken. */
static bool usbback_urb_consume(struct usbback_ring *r)
{
	struct xenusb_urb_back_ring *ring = &r->urb;
	struct xenusb_urb_request raw;
	struct usbback_rq *rq;
	bool did = false, busy;
	RING_IDX rc, rp;
	int more;

	do {
		rc = ring->req_cons;
		rp = READ_ONCE(ring->sring->req_prod);
		virt_rmb(); /* requests up to rp are visible */
		if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
			usbback_ring_fatal(r, "urb ring producer overflow");
			return did;
		}

		while (rc != rp) {
			RING_COPY_REQUEST(ring, rc, &raw);
			rq = usbback_slot_get(r, rc, raw.id, &busy);
			if (busy) {
				usbback_ring_fatal(r, "duplicate request id");
				return did;
			}
			/* All slots busy: the next response kicks us. */
			if (!rq)
				return did;
			if (usbback_handle(r, rq, &raw) == -ENOMEM) {
				/* Back-pressure: the request stays on the ring. */
				usbback_slot_unget(r, rq);
				r->ops->retry(r);
				return did;
			}
			ring->req_cons = ++rc;
			did = true;
			if (r->fatal)
				return did;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(ring, more);
	} while (more);
	return did;
}

/**
 * usbback_ring_consume() - serve the rings: conn events, then requests
 * @r: the rings
 *
 * Consumer context.  Does nothing while detached or after a fatal error.
 * Returns when the urb ring is empty, when no slot is free (a response
 * calls ops->kick()), or when the implementer found no memory (it called
 * ops->retry()).
 *
 * Return: whether anything was taken off a ring (for the late EOI: an
 * event that found nothing is spurious).
 */
bool usbback_ring_consume(struct usbback_ring *r)
{
	int conn;

	if (!r->urb.sring || r->fatal)
		return false;
	conn = usbback_ring_conn_flush(r);
	if (conn < 0) {
		usbback_ring_fatal(r, "conn ring producer overflow");
		return false;
	}
	return usbback_urb_consume(r) || conn;
}
