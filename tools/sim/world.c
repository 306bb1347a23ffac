// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated machine: two domains sharing a grant table and an event
 * channel, a virtual millisecond clock, and the step loop. A step runs
 * the frontend's submission path, the backend's event handler, the
 * backend's completions and the frontend's event handler, in that order;
 * when a step changes nothing the clock jumps to the next timer (a
 * device completion or the end of a port reset). Same input, same run.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch11.h>

#include "sim.h"

/**
 * sim_new() - a world with a controller of @nports ports
 * @nports: num-ports, 1..31
 * @usb_ver: usb-ver, 1 or 2
 *
 * Return: the world, or NULL on allocation failure.
 */
/*
 * The last world freed, kept for the next sim_new(): a fuzzer makes a world
 * per input, and a fresh ~440 KiB block is a new mapping whose page faults
 * and unmapping (a TLB shootdown each) took most of every execution.
 */
static struct sim *sim_spare;

struct sim *sim_new(u8 nports, u8 usb_ver)
{
	struct sim *w = sim_spare;

	if (w) {
		sim_spare = NULL;
		memset(w, 0, sizeof(*w));
	} else {
		w = calloc(1, sizeof(*w));
	}
	if (!w)
		return NULL;
	sim_gnt_init(&w->gt);
	sim_evtchn_init(&w->ev);
	w->urb_page = aligned_alloc(SIM_PAGE, XENUSB_MAX_RING_PAGES * SIM_PAGE);
	w->conn_page = aligned_alloc(SIM_PAGE, SIM_PAGE);
	if (!w->urb_page || !w->conn_page) {
		sim_free(w);
		return NULL;
	}
	memset(w->urb_page, 0, XENUSB_MAX_RING_PAGES * SIM_PAGE);
	memset(w->conn_page, 0, SIM_PAGE);
	sfront_init(w, nports, usb_ver);
	sback_init(w, nports, usb_ver);
	return w;
}

/**
 * sim_connect() - the xenbus handshake: frontend grants, backend maps
 * @w: world
 *
 * Return: 0 or a negative errno.
 */
int sim_connect(struct sim *w)
{
	u16 ind = w->indirect_offer < w->indirect_want ? w->indirect_offer :
		  w->indirect_want;
	int err = sfront_connect(w);

	if (err)
		return err;
	/* Both sides know the agreed maximum before any request flows. */
	w->front.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT] = ind;
	w->back.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT] = ind;
	return sback_connect(w, w->front.urb_grefs, w->ring_order,
			     w->front.conn_gref);
}

/**
 * sim_step() - run every actor once
 * @w: world
 *
 * Return: true if any of them did something.
 */
bool sim_step(struct sim *w)
{
	bool did = false;

	w->steps++;
	did |= sfront_kick(w);
	if (sim_evtchn_deliver(&w->ev, SIM_SIDE_BACK)) {
		sback_irq(w);
		did = true;
	}
	did |= sback_work(w);
	if (sim_evtchn_deliver(&w->ev, SIM_SIDE_FRONT)) {
		sfront_irq(w);
		did = true;
	}
	return did;
}

/* The next time something is scheduled to happen, or SIM_NEVER. */
static u64 sim_next_timer(const struct sim *w)
{
	u64 next = sback_next_due(w);
	unsigned int i;

	for (i = 0; i < w->front.rh.nports; i++) {
		const struct usbfront_rh_port *p = &w->front.rh.port[i];

		if ((p->status & USB_PORT_STAT_RESET) &&
		    p->reset_end_ms < next)
			next = p->reset_end_ms;
	}
	return next;
}

/* Jump the clock to @t and fire the frontend's root-hub timer. */
static void sim_set_time(struct sim *w, u64 t)
{
	if (t > w->now)
		w->now = t;
	usbfront_rh_poll(&w->front.rh, w->now);
}

/**
 * sim_run_until() - step and advance the clock until @cond holds
 * @w: world
 * @cond: condition, checked before every step
 * @arg: its argument
 * @timeout_ms: virtual time allowed
 *
 * Return: 0 once @cond holds, -ETIMEDOUT if the time ran out, -EDEADLK
 * if nothing is left that could ever make it hold (a hang).
 */
int sim_run_until(struct sim *w, bool (*cond)(struct sim *w, void *arg),
		  void *arg, u64 timeout_ms)
{
	u64 deadline = w->now + timeout_ms;
	u64 next;

	for (;;) {
		if (cond(w, arg))
			return 0;
		if (sim_step(w))
			continue;
		next = sim_next_timer(w);
		if (next == SIM_NEVER)
			return -EDEADLK;
		if (next > deadline)
			return -ETIMEDOUT;
		sim_set_time(w, next);
	}
}

/**
 * sim_advance() - let @ms of virtual time pass, running everything due
 * @w: world
 * @ms: milliseconds
 *
 * Return: 0.
 */
int sim_advance(struct sim *w, u64 ms)
{
	u64 end = w->now + ms;

	for (;;) {
		u64 next;

		while (sim_step(w))
			;
		next = sim_next_timer(w);
		if (next > end)
			break;
		sim_set_time(w, next);
	}
	sim_set_time(w, end);
	while (sim_step(w))
		;
	return 0;
}

/**
 * sim_shutdown() - close both ends, then look for leftover grants
 * @w: world
 *
 * The backend disconnects first and needs nothing from the frontend;
 * then the frontend ends its grants. Whatever is still granted after
 * that is reported as a leak by the grant table.
 */
void sim_shutdown(struct sim *w)
{
	sback_disconnect(w);
	sfront_disconnect(w);
	sim_gnt_teardown(&w->gt);
}

/**
 * sim_problems() - anything wrong that the scenario did not provoke
 * @w: world, after sim_shutdown()
 * @expect: SIM_EXPECT_* problems the scenario provoked and checked itself
 * @why: receives the first problem found
 * @len: size of @why
 *
 * Leaks and mappings alive at the end always count, whatever @expect.
 *
 * Return: 0 if clean, -1 with @why filled in otherwise.
 */
int sim_problems(struct sim *w, unsigned int expect, char *why, size_t len)
{
	const struct sim_gnttab *gt = &w->gt;

	if (gt->nviol[SIM_GV_LEAK]) {
		snprintf(why, len, "grant table: %u grant(s) leaked%s%s",
			 gt->nviol[SIM_GV_LEAK],
			 gt->violations == gt->nviol[SIM_GV_LEAK] ?
			 ", first: " : "", gt->violations ==
			 gt->nviol[SIM_GV_LEAK] ? gt->first : "");
		return -1;
	}
	if (gt->maps_alive) {
		snprintf(why, len, "grant table: %u mapping(s) alive",
			 gt->maps_alive);
		return -1;
	}
	if (gt->violations && !(expect & SIM_EXPECT_GNT)) {
		snprintf(why, len, "grant table: %u violation(s), first: %s",
			 gt->violations, gt->first);
		return -1;
	}
	if (w->ev.violations) {
		snprintf(why, len, "event channel: %s", w->ev.first);
		return -1;
	}
	if (w->front.proto_errors && !(expect & SIM_EXPECT_FRONT_ERR)) {
		snprintf(why, len, "frontend: %u protocol error(s), first: %s",
			 w->front.proto_errors, w->front.err);
		return -1;
	}
	if (w->back.fatal && !(expect & SIM_EXPECT_BACK_FATAL)) {
		snprintf(why, len, "backend fatal error: %s",
			 w->back.fatal_msg);
		return -1;
	}
	return 0;
}

/**
 * sim_keep() - free @mem with the world, not before
 * @w: world
 * @mem: malloc'd memory that granted pages may still point into
 *
 * For the buffers of URBs abandoned after a hang. If the list is full
 * the memory is leaked on purpose rather than freed under the backend.
 */
void sim_keep(struct sim *w, void *mem)
{
	if (w->norphan < SIM_ARRAY_SIZE(w->orphan))
		w->orphan[w->norphan++] = mem;
}

/**
 * sim_free() - free a world (after sim_shutdown())
 * @w: world, may be NULL
 */
void sim_free(struct sim *w)
{
	unsigned int i;

	if (!w)
		return;
	while (w->norphan)
		free(w->orphan[--w->norphan]);
	sback_free(w);
	for (i = 0; i < SFRONT_NR_IDS; i++)
		free(w->front.sh[i].ind);
	free(w->urb_page);
	free(w->conn_page);
	if (sim_spare)
		free(w);
	else
		sim_spare = w;
}
