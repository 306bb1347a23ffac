// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios: hostile peers. A frontend that sends malformed
 * requests, overflows the ring or reuses an id; a backend that answers
 * wrongly; the fuzz corpus of the hostile-frontend harness.
 *
 * Each scenario builds a world, drives it, checks what it expects
 * (expect()) and shuts the world down with finish(): leaks, grant or
 * event channel violations, frontend protocol errors and a fatal backend
 * error fail it unless it provoked them on purpose and checked them
 * itself.
 */

#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "scenarios_lib.h"
#include "fuzz_ring_back.h"

enum bad_kind {
	BAD_PORT0, BAD_PORT_HIGH, BAD_RESERVED, BAD_NSEGS, BAD_SEG_PAGE,
	BAD_SEG_EMPTY, BAD_LENGTH, BAD_FLAGS, BAD_EP, BAD_TYPE, BAD_ISO_NPK,
	BAD_GREF, BAD_RO_IN, BAD_WLENGTH, BAD_INTERVAL, BAD_NR
};

static const char *const bad_names[BAD_NR] = {
	"port 0", "port above num-ports", "reserved pipe bit",
	"17 segments", "segment past its page", "empty segment",
	"buffer_length != segments", "unknown transfer flag",
	"endpoint not in the altsetting", "interrupt on a bulk endpoint",
	"iso packets != descriptor bytes", "unknown grant",
	"IN into a read-only grant", "control wLength != length",
	"interrupt interval 0",
};

static int hostile_frontend(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	u8 *buf = sim_pages_alloc(2 * SIM_PAGE, 0);
	struct xenusb_urb_request rq;
	struct sfront_raw res;
	u32 grefs[16];
	u64 rej;
	int ret, k, err;

	if (!w || !expect(&t, buf, "out of memory"))
		goto out;
	rej = w->back.rejected;
	for (k = 0; k < BAD_NR; k++) {
		struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
					 .type = XENUSB_PIPE_TYPE_BULK };
		u8 ng = 1;

		memset(&rq, 0, sizeof(rq));
		switch (k) {
		case BAD_PORT0:
			p.port = 0;
			break;
		case BAD_PORT_HIGH:
			p.port = 3;
			break;
		case BAD_EP:
			p.ep = 5;
			break;
		case BAD_TYPE:
			p.type = XENUSB_PIPE_TYPE_INT;
			rq.u.intr.interval = 1;
			break;
		case BAD_ISO_NPK:
			p.type = XENUSB_PIPE_TYPE_ISOC;
			p.ep = 3;
			break;
		case BAD_RO_IN:
			p.in = true;
			break;
		case BAD_WLENGTH:
			p.type = XENUSB_PIPE_TYPE_CTRL;
			p.ep = 0;
			break;
		case BAD_INTERVAL:
			p.type = XENUSB_PIPE_TYPE_INT;
			p.in = true;
			break;
		}
		rq.pipe = xenusb_pipe_encode(&p);
		grant_pages(w, &rq, grefs, buf, 1, !p.in || k == BAD_RO_IN);
		rq.buffer_length = SIM_PAGE;
		switch (k) {
		case BAD_RESERVED:
			rq.pipe |= 1u << 6;
			break;
		case BAD_NSEGS:
			/* 16 well-formed segments and a count of 17. */
			for (ng = 1; ng < 16; ng++)
				rq.seg[ng] = rq.seg[0];
			ng = 1;
			rq.buffer_length = 0;
			rq.nr_buffer_segs = 17;
			break;
		case BAD_SEG_PAGE:
			rq.seg[0].offset = 4000;
			rq.seg[0].length = 200;
			rq.buffer_length = 200;
			break;
		case BAD_SEG_EMPTY:
			grefs[1] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT,
						 SIM_DOM_BACK, buf + SIM_PAGE,
						 true);
			rq.seg[1].gref = grefs[1];
			rq.seg[1].length = 0;
			rq.nr_buffer_segs = 2;
			ng = 2;
			break;
		case BAD_LENGTH:
			rq.buffer_length = 100;
			break;
		case BAD_FLAGS:
			rq.transfer_flags = 0x8000;
			break;
		case BAD_ISO_NPK:
			/* 300 packets, but one page holds 256 descriptors. */
			grefs[1] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT,
						 SIM_DOM_BACK, buf + SIM_PAGE,
						 false);
			rq.seg[1].gref = grefs[1];
			rq.seg[1].length = SIM_PAGE;
			rq.u.isoc.interval = 1;
			rq.u.isoc.number_of_packets = 300;
			rq.u.isoc.nr_frame_desc_segs = 1;
			ng = 2;
			break;
		case BAD_GREF:
			sim_gnt_end(&w->gt, SIM_DOM_FRONT, grefs[0]);
			rq.seg[0].gref = SIM_GNT_NR - 2;
			ng = 0;
			break;
		case BAD_WLENGTH:
			rq.u.ctrl[0] = USB_DIR_OUT | USB_TYPE_VENDOR;
			rq.u.ctrl[1] = VDEV_LOOP_REQ_WRITE;
			rq.u.ctrl[6] = 16;	/* wLength 16, 4096 sent */
			break;
		}
		err = raw_wait(w, &rq, grefs, ng, SIM_PAGE, &res);
		if (!expect(&t, !err, "%s: no response (%d)", bad_names[k], err))
			goto out;
		if (!expect(&t, res.rsp.status == XENUSB_STATUS_INVAL &&
			    res.rsp.actual_length == 0,
			    "%s: status %d actual %d, want -EINVAL and 0",
			    bad_names[k], res.rsp.status, res.rsp.actual_length))
			goto out;
		if (!expect(&t, !w->back.fatal, "%s: backend went fatal: %s",
			    bad_names[k], w->back.fatal_msg))
			goto out;
	}
	if (!expect(&t, w->back.rejected - rej == BAD_NR,
		    "%llu rejected, want %u",
		    (unsigned long long)(w->back.rejected - rej), BAD_NR))
		goto out;
	/* The backend survived: a good transfer still works. */
	err = loop_out(w, &c, 4096, 0);
	if (!expect(&t, !err, "transfer after the malformed ones: %d", err))
		goto out;
	loop_verify(&t, w, &c);
out:
	ret = finish(&t, w, 0);
	sim_pages_free(buf, 0);
	return ret;
}

static int hostile_frontend_overflow(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	u64 reqs;
	int err;

	if (!w)
		return -1;
	/* Claim 40 requests on a 16-slot ring. */
	reqs = sback_requests(w);
	((struct xenusb_urb_sring *)w->urb_page)->req_prod =
		w->front.ring.urb.req_prod_pvt + 40;
	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 2);
	if (!expect(&t, w->back.fatal && strstr(w->back.fatal_msg, "overflow"),
		    "producer overflow not latched (fatal %d)", w->back.fatal))
		goto out;
	if (!expect(&t, sback_requests(w) == reqs,
		    "%llu requests consumed from the bogus producer",
		    (unsigned long long)(sback_requests(w) - reqs)))
		goto out;
	/* Latched: nothing is served any more, nothing crashes. */
	w->front.ring.urb.req_prod_pvt += 40;
	err = loop_out(w, &c, 512, 0);
	expect(&t, err == -EDEADLK || err == -ETIMEDOUT,
	       "transfer after the overflow: %d, want no answer", err);
out:
	return finish(&t, w, SIM_EXPECT_BACK_FATAL);
}

static int hostile_frontend_dup_id(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sfront_urb *u = NULL;
	struct sim *w = slow_read_held(&t, &u);
	struct xenusb_urb_request *slot;
	int ret, notify;

	if (!w)
		goto out;
	/* The same id again while the first is in flight. */
	slot = RING_GET_REQUEST(&w->front.ring.urb, w->front.ring.urb.req_prod_pvt);
	*slot = *RING_GET_REQUEST(&w->front.ring.urb,
				  w->front.ring.urb.req_prod_pvt - 1);
	w->front.ring.urb.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&w->front.ring.urb, notify);
	if (notify)
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 2);
	expect(&t, w->back.fatal &&
	       strstr(w->back.fatal_msg, "duplicate request id"),
	       "duplicate id not caught (fatal %d: %s)", w->back.fatal,
	       w->back.fatal_msg);
out:
	ret = finish(&t, w, SIM_EXPECT_BACK_FATAL);
	bulk_urb_free(u);
	return ret;
}

/* A deliberately wrong backend; the frontend must name the fault. */
static int hostile_backend(enum sback_evil evil, const char *want,
			   bool fatal, char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	u32 actual, errors;
	int err = 0;

	if (!w)
		return -1;
	w->back.evil = evil;
	switch (evil) {
	case SBACK_EVIL_CONN_BAD_PORT:
		sback_plug(w, 2, vdev_mouse_new());
		sim_advance(w, 5);
		break;
	case SBACK_EVIL_ISO_DESC:
		err = host_ctrl(w, 1, 2, USB_RECIP_INTERFACE,
				USB_REQ_SET_INTERFACE, 1, 0, NULL, 0, NULL);
		if (!expect(&t, !err, "SET_INTERFACE: %d", err))
			goto out;
		/* the evil backend's answer may fail it: not a check here */
		iso_run(w, false, 4, 100, 0, 1, &actual, &errors, t.why, t.len);
		break;
	default:
		err = loop_in(w, &c, 2048, 0);
		sim_advance(w, 5);
		break;
	}
	if (!expect(&t, w->back.evil_done,
		    "the wrong behaviour never triggered"))
		goto out;
	if (!expect(&t, w->front.proto_errors >= 1 && strstr(w->front.err, want),
		    "frontend did not detect it (transfer %d, %u errors: %s)", err,
		    w->front.proto_errors, w->front.err))
		goto out;
	if (!expect(&t, w->front.dead == fatal, "frontend %s, want %s",
		    w->front.dead ? "stopped" : "kept going",
		    fatal ? "stopped" : "kept going"))
		goto out;
	/* what each kind leaves behind */
	if (evil == SBACK_EVIL_OVERSIZE)
		expect(&t, err == -EREMOTEIO || err == 0,
		       "oversized response: transfer %d", err);
	if (evil == SBACK_EVIL_ISO_DESC)
		expect(&t, w->front.iso_fixed == 2,
		       "%u iso descriptors fixed, want 2", w->front.iso_fixed);
	if (evil == SBACK_EVIL_CONN_BAD_PORT)
		expect(&t, w->front.port_events[2] == 0,
		       "the event for the bogus port was applied");
out:
	return finish(&t, w, SIM_EXPECT_FRONT_ERR);
}

static int hostile_backend_bad_id(char *why, size_t len)
{
	return hostile_backend(SBACK_EVIL_BAD_ID, "unknown or duplicate id", true,
			       why, len);
}

static int hostile_backend_dup_rsp(char *why, size_t len)
{
	/*
	 * The second answer makes more responses than requests outstanding:
	 * usbfront's check against the requests sent catches it before the
	 * id lookup would.
	 */
	return hostile_backend(SBACK_EVIL_DUP_RSP, "response producer overflow",
			       true, why, len);
}

static int hostile_backend_oversize(char *why, size_t len)
{
	return hostile_backend(SBACK_EVIL_OVERSIZE, "out of range", false,
			       why, len);
}

static int hostile_backend_rsp_overflow(char *why, size_t len)
{
	return hostile_backend(SBACK_EVIL_RSP_PROD_OVERFLOW,
			       "response producer overflow", true, why, len);
}

static int hostile_backend_conn_port(char *why, size_t len)
{
	return hostile_backend(SBACK_EVIL_CONN_BAD_PORT,
			       "invalid conn ring event", true, why, len);
}

static int hostile_backend_iso_desc(char *why, size_t len)
{
	return hostile_backend(SBACK_EVIL_ISO_DESC, "iso descriptor", false,
			       why, len);
}

const struct sim_scenario sim_scenarios_hostile[] = {
	{ "hostile_frontend", hostile_frontend },
	{ "hostile_frontend_overflow", hostile_frontend_overflow },
	{ "hostile_frontend_dup_id", hostile_frontend_dup_id },
	{ "hostile_backend_bad_id", hostile_backend_bad_id },
	{ "hostile_backend_dup_rsp", hostile_backend_dup_rsp },
	{ "hostile_backend_oversize", hostile_backend_oversize },
	{ "hostile_backend_rsp_overflow", hostile_backend_rsp_overflow },
	{ "hostile_backend_conn_port", hostile_backend_conn_port },
	{ "hostile_backend_iso_desc", hostile_backend_iso_desc },
	{ "fuzz_corpus_back", sim_fuzz_corpus_back },
	{ NULL, NULL },
};
