// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront response side: the event channel handler runs the core's
 * ring processing (rsp_ring.c) and implements its ops with Xen and USB
 * core calls. A checked response finishes its URB or sends the next
 * piece of a split one (ring.c); a conn event reaches the root hub; a
 * protocol error stops all ring processing and hands the teardown to
 * the error work. Calls go one way: this file calls ring.c and the
 * core, neither calls back here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/workqueue.h>
#include <xen/events.h>

#include "common.h"
#include "trace.h"

/* Rounds of ring processing in the interrupt before a work item goes on. */
#define USBFRONT_IRQ_ROUNDS	8

/*
 * Ring processing state of one round: collected under info->lock, acted
 * on after it is dropped.
 */
struct usbfront_round {
	struct usbfront_info *info;
	struct list_head done;
	bool rh_changed;
};

static bool usbfront_op_end_grants(void *ctx, u16 id)
{
	return usbfront_end_grants(ctx, id);
}

/* A response for a data request of @urbp arrived; grants are ended. */
static void usbfront_complete(struct usbfront_info *info,
			      struct usbfront_urbp *urbp,
			      const struct usbfront_rsp *rsp,
			      struct list_head *done)
{
	struct urb *urb = urbp->urb;
	int status, err;

	urbp->req_id = -1;
	/* The victim is back: an unlink still waiting for a slot is moot. */
	if (urbp->unlink_wait) {
		list_del_init(&urbp->unlink_list);
		urbp->unlink_wait = false;
	}

	if (usb_pipeisoc(urb->pipe)) {
		urb->start_frame = rsp->start_frame;
		usbfront_iso_complete(info, urbp);
		usbfront_finish(info, urbp, rsp->status, done);
		return;
	}

	if (usb_pipein(urb->pipe))
		info->stats.bytes_in += rsp->actual_length;
	else
		info->stats.bytes_out += rsp->actual_length;

	if (usbfront_xfer_next(&urbp->prog, rsp, &status) ==
	    USBFRONT_XFER_SEND) {
		/* A full piece of a split URB: the next one follows. */
		err = usbfront_send(info, urbp);
		if (!err)
			return;
		if (err == -EBUSY) {
			/* Its endpoint stays held; go first when a slot frees. */
			list_add(&urbp->list, &info->pending);
			return;
		}
		status = err;
	}
	usbfront_finish(info, urbp, status, done);
}

static void usbfront_op_complete(void *ctx, const struct usbfront_inflight *inf,
				 const struct xenusb_urb_response *raw,
				 const struct usbfront_rsp *rsp)
{
	struct usbfront_info *info = ctx;
	struct usbfront_round *rd = info->round;
	struct usbfront_shadow *sh = &info->shadow[raw->id];
	struct usbfront_urbp *urbp = sh->urbp;

	/* An unlink's answer, or that of a cancelled request, is moot. */
	if (rsp->clamped && !inf->unlink && urbp && !urbp->prog.dequeued) {
		info->stats.clamped++;
		dev_warn_ratelimited(&info->xbdev->dev,
				     "response %u out of range (status %d, length %d, errors %d): clamped\n",
				     raw->id, raw->status, raw->actual_length,
				     raw->error_count);
	}
	info->stats.responses++;
	trace_usbfront_response(dev_name(&info->xbdev->dev), raw->id,
				rsp->status, rsp->actual_length);
	if (urbp) {
		sh->urbp = NULL;
		usbfront_complete(info, urbp, rsp, &rd->done);
	}
	/* The core ended the port's reset: let the hub driver see it. */
	if (inf->reset_port)
		rd->rh_changed = true;
}

static void usbfront_op_conn(void *ctx, u8 port, u8 speed)
{
	struct usbfront_info *info = ctx;

	trace_usbfront_conn(dev_name(&info->xbdev->dev), port, speed);
	info->stats.conn_events++;
	info->round->rh_changed = true;
}

static void usbfront_op_notify(void *ctx)
{
	struct usbfront_info *info = ctx;

	notify_remote_via_irq(info->irq);
}

/*
 * The backend broke the protocol: nothing more is read from the rings;
 * the error work fails every URB with -ESHUTDOWN, tears the rings down
 * and closes the device.
 */
static void usbfront_op_fatal(void *ctx, const char *what)
{
	struct usbfront_info *info = ctx;

	if (info->link != USBFRONT_UP)
		return;
	info->link = USBFRONT_BROKEN;
	info->error_what = what;
	info->stats.protocol_errors++;
	dev_err_ratelimited(&info->xbdev->dev,
			    "backend protocol error: %s; disconnecting\n", what);
	trace_usbfront_error(dev_name(&info->xbdev->dev), what);
	schedule_work(&info->error_work);
}

static const struct usbfront_ring_ops usbfront_ring_ops = {
	.end_grants = usbfront_op_end_grants,
	.complete = usbfront_op_complete,
	.conn = usbfront_op_conn,
	.notify = usbfront_op_notify,
	.fatal = usbfront_op_fatal,
};

/*
 * One round over both rings, info->lock held. Return: events seen
 * (negative after a protocol error); *more when some are left.
 */
static int usbfront_process(struct usbfront_round *rd, bool *more)
{
	struct usbfront_info *info = rd->info;
	bool more_urb, more_conn;
	int n, c;

	/* complete and conn collect into this round. */
	info->round = rd;
	n = usbfront_ring_responses(&info->ring, &more_urb);
	if (n >= 0) {
		c = usbfront_ring_conn(&info->ring, &more_conn);
		n = c < 0 ? c : n + c;
	}
	info->round = NULL;
	if (n < 0)
		return n;
	usbfront_kick(info, &rd->done);
	usbfront_push(info);
	*more = more_urb || more_conn;
	return n;
}

/* After a round, without info->lock: giveback and root-hub poll. */
static void usbfront_round_end(struct usbfront_round *rd)
{
	usbfront_giveback_list(rd->info, &rd->done);
	if (rd->rh_changed)
		usb_hcd_poll_rh_status(rd->info->hcd);
}

/**
 * usbfront_interrupt() - event channel handler (lateeoi)
 * @irq: the irq
 * @dev_id: struct usbfront_info
 *
 * An event that brought nothing is signalled as spurious, so a backend
 * that floods the channel gets throttled by the event core.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t usbfront_interrupt(int irq, void *dev_id)
{
	struct usbfront_info *info = dev_id;
	unsigned int eoi = XEN_EOI_FLAG_SPURIOUS;
	struct usbfront_round rd = { .info = info };
	unsigned long flags;
	bool more = false;
	int round, n;

	INIT_LIST_HEAD(&rd.done);
	spin_lock_irqsave(&info->lock, flags);
	for (round = 0; round < USBFRONT_IRQ_ROUNDS; round++) {
		if (info->link != USBFRONT_UP)
			break;
		n = usbfront_process(&rd, &more);
		if (n > 0)
			eoi = 0;
		if (n < 0 || !more)
			break;
	}
	/* A busy backend: go on from process context. */
	if (more && info->link == USBFRONT_UP)
		schedule_work(&info->poll_work);
	spin_unlock_irqrestore(&info->lock, flags);

	usbfront_round_end(&rd);
	xen_irq_lateeoi(irq, eoi);
	return IRQ_HANDLED;
}

static void usbfront_poll_work(struct work_struct *work)
{
	struct usbfront_info *info = container_of(work, struct usbfront_info,
						  poll_work);
	struct usbfront_round rd = { .info = info };
	unsigned long flags;
	bool more;
	int n;

	do {
		INIT_LIST_HEAD(&rd.done);
		rd.rh_changed = false;
		more = false;
		spin_lock_irqsave(&info->lock, flags);
		n = info->link == USBFRONT_UP ? usbfront_process(&rd, &more) : -1;
		spin_unlock_irqrestore(&info->lock, flags);
		usbfront_round_end(&rd);
		cond_resched();
	} while (n >= 0 && more);
}

/**
 * usbfront_rsp_init() - set up the response side of a controller once
 * @info: controller with its root hub set up
 */
void usbfront_rsp_init(struct usbfront_info *info)
{
	usbfront_ring_init(&info->ring, &info->rh, &usbfront_ring_ops, info);
	INIT_WORK(&info->poll_work, usbfront_poll_work);
}
