// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios: unlink, unplug in mid-transfer and back-pressure
 * (a full ring, a backend out of memory).
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
#include <linux/usb/ch11.h>

#include "scenarios_lib.h"

static int unlink_before_completion(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sfront_urb *u = NULL;
	struct sim *w = slow_read_held(&t, &u);
	u64 rsp;
	int ret, err;

	if (!w)
		goto out;
	rsp = w->front.responses;
	err = sfront_unlink(w, u);
	if (!expect(&t, !err, "unlink: %d", err))
		goto out;
	if (!expect(&t, !host_wait(w, u, 20),
		    "unlinked URB did not complete in time"))
		goto out;
	if (!expect(&t, u->status == -ECONNRESET && u->actual == 0,
		    "unlinked URB: status %d actual %u, want -ECONNRESET and 0",
		    u->status, u->actual))
		goto out;
	sim_advance(w, 100);
	if (!expect(&t, w->front.responses - rsp == 2 && w->back.cancelled == 1,
		    "%llu responses (want victim + unlink), %llu cancelled",
		    (unsigned long long)(w->front.responses - rsp),
		    (unsigned long long)w->back.cancelled))
		goto out;
	expect(&t, w->gt.alive == 2, "%u grants alive after the unlink",
	       w->gt.alive);
out:
	ret = finish(&t, w, 0);
	bulk_urb_free(u);
	return ret;
}

static int unlink_after_completion(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, vdev_loop_new(XENUSB_SPEED_HIGH), 2);
	struct sfront_urb *u = bulk_urb(1, 2, true, 4096);
	u64 rsp;
	int ret, err;

	if (!w || !expect(&t, u, "out of memory"))
		goto out;
	if (!expect(&t, !sfront_submit(w, u), "submit failed"))
		goto out;
	/*
	 * Step by hand: the backend completes and pushes the response,
	 * and the frontend unlinks before its event handler has run.
	 */
	sfront_kick(w);
	if (!expect(&t, sim_evtchn_deliver(&w->ev, SIM_SIDE_BACK),
		    "no event to backend"))
		goto out;
	sback_irq(w);
	sback_work(w);
	if (!expect(&t, w->back.responses >= 1 && !u->done,
		    "response not pending at the frontend"))
		goto out;
	rsp = w->front.responses;
	err = sfront_unlink(w, u);
	if (!expect(&t, !err, "unlink: %d", err))
		goto out;
	if (!expect(&t, !host_wait(w, u, 20), "URB did not complete"))
		goto out;
	sim_advance(w, 5);
	if (!expect(&t, u->status == 0 && u->actual == 4096,
		    "URB done before unlink: status %d actual %u, want 0, 4096",
		    u->status, u->actual))
		goto out;
	expect(&t, w->front.responses - rsp == 2 && w->back.cancelled == 0,
	       "%llu responses, %llu cancelled; want 2 and 0",
	       (unsigned long long)(w->front.responses - rsp),
	       (unsigned long long)w->back.cancelled);
out:
	ret = finish(&t, w, 0);
	bulk_urb_free(u);
	return ret;
}

static int unlink_unknown_id(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = XENUSB_PIPE_TYPE_BULK, .in = true };
	struct sfront_raw res;
	int err;

	if (!w)
		return -1;
	err = sfront_raw_unlink(w, 11, xenusb_pipe_encode(&p), &res);
	if (!expect(&t, !err, "raw unlink: %d", err))
		goto out;
	sim_advance(w, 5);
	if (!expect(&t, res.done, "no response to the unlink of an unknown id"))
		goto out;
	if (!expect(&t, res.chk.actual_length == 0 && res.chk.error_count == 0,
		    "unlink response carried data"))
		goto out;
	if (!expect(&t, w->back.cancelled == 0, "backend cancelled something"))
		goto out;
	err = loop_in(w, &c, 1024, 0);
	expect(&t, !err, "transfer after the stray unlink: %d", err);
out:
	return finish(&t, w, 0);
}

static int unplug_mid_transfer(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct vdev *devs[2] = { vdev_loop_new(XENUSB_SPEED_HIGH),
				 vdev_mouse_new() };
	struct sim *w = world_up(&t, 2, 2, devs);
	struct sfront_urb *u[5] = { NULL };
	unsigned int i, three = 3;
	u8 st[2];
	int ret, err;

	if (!w)
		goto out;
	if (!expect_ok(&t, host_enumerate(w, 1, 2, t.why, t.len)) ||
	    !expect_ok(&t, host_enumerate(w, 2, 3, t.why, t.len)))
		goto out;
	vdev_loop_set_delay(devs[0], 100);
	for (i = 0; i < 3; i++) {
		u[i] = bulk_urb(1, 2, true, 20480 + i * 8192);
		if (!expect(&t, u[i] && !sfront_submit(w, u[i]),
			    "submit %u failed", i))
			goto out;
	}
	for (i = 3; i < 5; i++) {
		u[i] = bulk_urb(2, 3, true, 4);
		if (!expect(&t, u[i], "out of memory"))
			goto out;
		u[i]->type = XENUSB_PIPE_TYPE_INT;
		u[i]->maxp = 4;
		u[i]->interval = 10;
		if (!expect(&t, !sfront_submit(w, u[i]), "submit %u failed", i))
			goto out;
	}
	if (!expect(&t, !sim_run_until(w, back_holds, &three, 10),
		    "transfers never reached the backend"))
		goto out;
	if (!expect(&t, w->gt.maps_alive > 2,
		    "no data grants mapped mid-transfer"))
		goto out;
	sback_unplug(w, 1);
	if (!expect(&t, !host_wait_port(w, 1, false),
		    "unplug never shown on port 1"))
		goto out;
	for (i = 0; i < 5; i++)
		if (!expect(&t, !host_wait(w, u[i], 200),
			    "URB %u never completed", i))
			goto out;
	for (i = 0; i < 3; i++)
		if (!expect(&t, u[i]->status == -ESHUTDOWN && u[i]->actual == 0,
			    "URB %u on the unplugged port: status %d actual %u",
			    i, u[i]->status, u[i]->actual))
			goto out;
	for (i = 3; i < 5; i++)
		if (!expect(&t, u[i]->status == 0 && u[i]->actual == 4,
			    "mouse URB %u: status %d", i, u[i]->status))
			goto out;
	if (!expect(&t, w->gt.alive == 2 && w->gt.maps_alive == 2,
		    "%u grants, %u maps alive after the unplug; want 2, 2",
		    w->gt.alive, w->gt.maps_alive))
		goto out;
	if (!expect(&t, w->front.rh.port[0].change & USB_PORT_STAT_C_CONNECTION,
		    "no C_CONNECTION on port 1"))
		goto out;
	err = host_ctrl(w, 1, 2, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	expect(&t, err == -ENODEV, "request to the unplugged device: %d", err);
out:
	ret = finish(&t, w, 0);
	for (i = 0; i < 5; i++)
		bulk_urb_free(u[i]);
	return ret;
}

struct order {
	unsigned int n;
	struct sfront_urb *seq[64];
};

static void record_completion(struct sim *w, struct sfront_urb *u)
{
	struct order *o = u->ctx;

	(void)w;
	if (o->n < SIM_ARRAY_SIZE(o->seq))
		o->seq[o->n++] = u;
}

static int ring_full_backpressure(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	struct sfront_urb *u[60] = { NULL };
	struct order o = { 0 };
	unsigned int i, k;
	int ret;

	if (!w)
		return -1;
	w->front.peak_inflight = 0;
	for (i = 0; i < 60; i++) {
		bool in = i >= 50;

		u[i] = bulk_urb(1, 2, in, 8192);
		if (!expect(&t, u[i], "out of memory"))
			goto out;
		for (k = 0; !in && k < 8192; k++)
			u[i]->buf[k] = vdev_loop_pattern(i * 8192 + k);
		u[i]->complete = record_completion;
		u[i]->ctx = &o;
		if (!expect(&t, !sfront_submit(w, u[i]), "submit %u failed", i))
			goto out;
	}
	for (i = 0; i < 60; i++)
		if (!expect(&t, !host_wait(w, u[i], 1000),
			    "URB %u never completed", i))
			goto out;
	if (!expect(&t, o.n == 60, "%u completions for 60 URBs", o.n))
		goto out;
	for (i = 0; i < 60; i++) {
		if (!expect(&t, o.seq[i] == u[i], "completion %u out of order", i))
			goto out;
		if (!expect(&t, u[i]->status == 0 && u[i]->actual == 8192,
			    "URB %u: status %d actual %u", i, u[i]->status,
			    u[i]->actual))
			goto out;
	}
	for (i = 50; i < 60; i++)
		for (k = 0; k < 8192; k++)
			if (!expect(&t, u[i]->buf[k] ==
				    vdev_loop_pattern((i - 50) * 8192 + k),
				    "IN URB %u byte %u wrong", i, k))
				goto out;
	if (!expect(&t, w->front.peak_inflight == XENUSB_URB_RING_SIZE,
		    "peak %u requests in flight, want the ring's %u",
		    w->front.peak_inflight, (unsigned int)XENUSB_URB_RING_SIZE))
		goto out;
	c.out_pos = 50 * 8192;
	c.in_pos = 10 * 8192;
	loop_verify(&t, w, &c);
out:
	ret = finish(&t, w, 0);
	for (i = 0; i < 60; i++)
		bulk_urb_free(u[i]);
	return ret;
}

/*
 * Back-pressure: a backend that finds no memory leaves the request on
 * the ring and retries it later (usbback's retry_ms); the transfer then
 * completes once, as if nothing happened.
 */
static int nomem_backpressure(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	u64 reqs, rsps, t0;
	int err;

	if (!w)
		return -1;
	reqs = sback_requests(w);
	rsps = w->back.responses;
	t0 = w->now;
	w->back.nomem = 3;
	err = loop_out(w, &c, 8192, 0);
	if (!expect(&t, !err && w->back.nomem_hits == 3,
		    "bulk OUT under back-pressure: %d, %llu -ENOMEM; want 0 and 3",
		    err, (unsigned long long)w->back.nomem_hits))
		goto out;
	if (!expect(&t, sback_requests(w) - reqs == 1 &&
		    w->back.responses - rsps == 1 &&
		    w->now - t0 >= 3 * SBACK_RETRY_MS,
		    "%llu taken, %llu answered in %llu ms; want 1, 1, >= %u",
		    (unsigned long long)(sback_requests(w) - reqs),
		    (unsigned long long)(w->back.responses - rsps),
		    (unsigned long long)(w->now - t0), 3 * SBACK_RETRY_MS))
		goto out;
	loop_verify(&t, w, &c);
out:
	return finish(&t, w, 0);
}

const struct sim_scenario sim_scenarios_flow[] = {
	{ "unlink_before_completion", unlink_before_completion },
	{ "unlink_after_completion", unlink_after_completion },
	{ "unlink_unknown_id", unlink_unknown_id },
	{ "unplug_mid_transfer", unplug_mid_transfer },
	{ "ring_full_backpressure", ring_full_backpressure },
	{ "nomem_backpressure", nomem_backpressure },
	{ NULL, NULL },
};
