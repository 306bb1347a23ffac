// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios: the checkers' own self-tests (the grant table and
 * event channel model find what they must).
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

static int gnttab_selftest(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sim_gnttab *gt = malloc(sizeof(*gt));
	struct sim_evtchn ev;
	struct sim_gnt_map m, m2;
	u8 *page = sim_pages_alloc(SIM_PAGE, 0);
	u8 b[8] = { 0 };
	int ref, ref2;
	unsigned int k;
	static const u32 want[SIM_GV_NR] = {
		[SIM_GV_USE_AFTER_END] = 1, [SIM_GV_USE_AFTER_UNMAP] = 1,
		[SIM_GV_WRITE_RO] = 1, [SIM_GV_END_MAPPED] = 1,
		[SIM_GV_DOUBLE_END] = 1, [SIM_GV_BAD_END] = 1,
		[SIM_GV_BAD_UNMAP] = 1, [SIM_GV_OUT_OF_PAGE] = 1,
		[SIM_GV_LEAK] = 1,
	};

	if (!expect(&t, gt && page, "out of memory"))
		goto out;
	sim_gnt_init(gt);
	ref = sim_gnt_grant(gt, SIM_DOM_FRONT, SIM_DOM_BACK, page, true);
	if (!expect(&t, ref > 0, "grant failed: %d", ref))
		goto out;
	if (!expect(&t, sim_gnt_map(gt, SIM_DOM_BACK, ref, true, &m) == -EPERM,
		    "writable map of a read-only grant was allowed"))
		goto out;
	if (!expect(&t, sim_gnt_map(gt, SIM_DOM_FRONT, ref, false, &m) == -ENOENT,
		    "a domain the grant is not for could map it"))
		goto out;
	if (!expect(&t, sim_gnt_map(gt, SIM_DOM_BACK, ref, false, &m) == 0, "map failed"))
		goto out;
	if (!expect(&t, sim_gnt_read(gt, &m, 0, b, sizeof(b)) == 0, "good read refused"))
		goto out;
	sim_gnt_write(gt, &m, 0, b, sizeof(b));		/* WRITE_RO */
	sim_gnt_read(gt, &m, 4090, b, sizeof(b));	/* OUT_OF_PAGE */
	if (!expect(&t, sim_gnt_end(gt, SIM_DOM_FRONT, ref) == -EBUSY,
		    /* END_MAPPED */ "end of a mapped grant succeeded"))
		goto out;
	m2 = m;
	if (!expect(&t, sim_gnt_unmap(gt, &m) == 0, "unmap failed"))
		goto out;
	sim_gnt_read(gt, &m, 0, b, 1);			/* USE_AFTER_UNMAP */
	if (!expect(&t, sim_gnt_end(gt, SIM_DOM_FRONT, ref) == 0, "end failed"))
		goto out;
	sim_gnt_read(gt, &m2, 0, b, 1);			/* USE_AFTER_END */
	sim_gnt_end(gt, SIM_DOM_FRONT, ref);		/* DOUBLE_END */
	sim_gnt_unmap(gt, &m);				/* BAD_UNMAP */
	sim_gnt_end(gt, SIM_DOM_FRONT, SIM_GNT_NR - 1);	/* BAD_END */
	ref2 = sim_gnt_grant(gt, SIM_DOM_FRONT, SIM_DOM_BACK, page, false);
	if (!expect(&t, ref2 > 0 && ref2 != ref, "a just-ended reference was reused at once (%d)",
		    ref2))
		goto out;
	if (!expect(&t, sim_gnt_teardown(gt) == 1, "leak not found at teardown"))
		goto out;
	for (k = 0; k < SIM_GV_NR; k++)
		if (!expect(&t, gt->nviol[k] == want[k], "%s: reported %u time(s), provoked %u",
			    sim_gv_name(k), gt->nviol[k], want[k]))
			goto out;
	if (!expect(&t, gt->alive == 0 && gt->maps_alive == 0, "counters off after teardown"))
		goto out;

	sim_evtchn_init(&ev);
	sim_evtchn_eoi(&ev, SIM_SIDE_BACK, false);
	if (!expect(&t, ev.violations == 1, "EOI without an event went unnoticed"))
		goto out;
	sim_evtchn_notify(&ev, SIM_SIDE_FRONT);
	sim_evtchn_notify(&ev, SIM_SIDE_FRONT);
	if (!expect(&t, sim_evtchn_deliver(&ev, SIM_SIDE_BACK), "event not delivered"))
		goto out;
	sim_evtchn_notify(&ev, SIM_SIDE_FRONT);
	if (!expect(&t, !sim_evtchn_deliver(&ev, SIM_SIDE_BACK),
		    "event delivered again before EOI (lateeoi broken)"))
		goto out;
	sim_evtchn_eoi(&ev, SIM_SIDE_BACK, true);
	if (!expect(&t, sim_evtchn_deliver(&ev, SIM_SIDE_BACK),
		    "event raised during the handler lost after EOI"))
		goto out;
	sim_evtchn_eoi(&ev, SIM_SIDE_BACK, false);
	if (!expect(&t, ev.end[SIM_SIDE_BACK].spurious == 1 &&
		    ev.end[SIM_SIDE_BACK].delivered == 2,
		    "spurious %llu delivered %llu, want 1 and 2",
		    (unsigned long long)ev.end[SIM_SIDE_BACK].spurious,
		    (unsigned long long)ev.end[SIM_SIDE_BACK].delivered))
		goto out;
out:
	free(gt);
	sim_pages_free(page, 0);
	return finish(&t, NULL, 0);
}

/* The grant checker catches a backend that answers before it unmaps. */
static int grant_discipline_negative(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c = { .port = 1, .dev = 3 };
	struct sim *w = world_one(&t, vdev_loop_new(XENUSB_SPEED_HIGH), 3);
	int err;

	if (!w)
		return -1;
	w->back.evil = SBACK_EVIL_RSP_BEFORE_UNMAP;
	err = loop_out(w, &c, 2 * SIM_PAGE, 0);
	sim_advance(w, 1);
	if (!expect(&t, w->gt.nviol[SIM_GV_END_MAPPED] >= 1,
		    "answer before unmap unnoticed (status %d, %u violations)", err,
		    w->gt.violations))
		goto out;
	if (!expect(&t, w->front.dead && strstr(w->front.err, "still holds a grant"),
		    "frontend did not treat the mapped grant as fatal: %s", w->front.err))
		goto out;
	if (!expect(&t, w->gt.violations == w->gt.nviol[SIM_GV_END_MAPPED],
		    "other violations too: %s", w->gt.first))
		goto out;
out:
	return finish(&t, w, SIM_EXPECT_GNT | SIM_EXPECT_FRONT_ERR);
}

const struct sim_scenario sim_scenarios_checker[] = {
	{ "gnttab_selftest", gnttab_selftest },
	{ "grant_discipline_negative", grant_discipline_negative },
	{ NULL, NULL },
};
