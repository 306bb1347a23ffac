// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios. Each one builds a world, drives it, checks what
 * it expects and then shuts the world down: leaks, grant or event
 * channel violations, frontend protocol errors and a fatal backend
 * error fail the scenario unless it provoked them on purpose and
 * checked them itself.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>
#include <linux/usb/ch11.h>

#include "sim.h"
#include "scenarios.h"
#include "fuzz_ring_back.h"
#include "scen_features.h"

/* Record why a scenario failed; the value is the failure code. */
#define fail(why, len, ...)	(snprintf(why, len, __VA_ARGS__), -1)

#define LOOP_MAXP	512
#define MSC_BLOCKS	4096

/*
 * A connected world with @devs[i] plugged on port i + 1 beforehand; the
 * backend offers @ind_offer indirect segments, the frontend wants
 * @ind_want (0, 0: the base protocol).
 */
static struct sim *up_ind(u8 nports, u8 usb_ver, struct vdev *const *devs,
			  u16 ind_offer, u16 ind_want)
{
	struct sim *w = sim_new(nports, usb_ver);
	unsigned int i;

	if (!w)
		return NULL;
	w->indirect_offer = ind_offer;
	w->indirect_want = ind_want;
	for (i = 0; devs && i < nports; i++)
		if (devs[i])
			sback_plug(w, i + 1, devs[i]);
	if (sim_connect(w) || host_power_ports(w)) {
		sim_shutdown(w);
		sim_free(w);
		return NULL;
	}
	return w;
}

static struct sim *up(u8 nports, u8 usb_ver, struct vdev *const *devs)
{
	return up_ind(nports, usb_ver, devs, 0, 0);
}

/*
 * One device on port 1 of a 2-port USB 2.0 controller, enumerated; large
 * transfers as up_ind() says.
 */
static struct sim *up_one_ind(struct vdev *d, u8 devnum, u16 ind_offer,
			      u16 ind_want, char *why, size_t len)
{
	struct vdev *devs[2] = { d, NULL };
	struct sim *w = up_ind(2, 2, devs, ind_offer, ind_want);

	if (!w) {
		snprintf(why, len, "world setup failed");
		return NULL;
	}
	if (host_enumerate(w, 1, devnum, why, len)) {
		sim_shutdown(w);
		sim_free(w);
		return NULL;
	}
	return w;
}

static struct sim *up_one(struct vdev *d, u8 devnum, char *why, size_t len)
{
	return up_one_ind(d, devnum, 0, 0, why, len);
}

static int finish(struct sim *w, int ret, unsigned int expect, char *why,
		  size_t len)
{
	char buf[256];

	if (!w)
		return -1;
	sim_shutdown(w);
	if (sim_problems(w, expect, buf, sizeof(buf)) && !ret) {
		snprintf(why, len, "%s", buf);
		ret = -1;
	}
	sim_free(w);
	return ret;
}

/* ------------------------------------------------------------------ */
/* loopback helpers: the streams are pattern(offset) on both sides     */

struct loopctx {
	u8 port;
	u8 dev;
	u32 out_pos;
	u32 in_pos;
};

static int loop_out(struct sim *w, struct loopctx *c, u32 n, u32 offset)
{
	u8 *buf = malloc(n ? n : 1);
	u32 i, actual = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		buf[i] = vdev_loop_pattern(c->out_pos + i);
	err = host_xfer(w, c->port, c->dev, XENUSB_PIPE_TYPE_BULK, 0x01,
			LOOP_MAXP, buf, n, offset, &actual);
	free(buf);
	if (!err && actual != n)
		err = -EREMOTEIO;
	c->out_pos += actual;
	return err;
}

static int loop_in(struct sim *w, struct loopctx *c, u32 n, u32 offset)
{
	u8 *buf = malloc(n ? n : 1);
	u32 i, actual = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	err = host_xfer(w, c->port, c->dev, XENUSB_PIPE_TYPE_BULK,
			USB_DIR_IN | 0x01, LOOP_MAXP, buf, n, offset, &actual);
	for (i = 0; i < actual; i++)
		if (buf[i] != vdev_loop_pattern(c->in_pos + i))
			err = -EBADMSG;
	free(buf);
	if (!err && actual != n)
		err = -EREMOTEIO;
	c->in_pos += actual;
	return err;
}

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static int loop_stats(struct sim *w, struct loopctx *c,
		      struct vdev_loop_stats *st)
{
	u8 b[16];
	u32 actual;
	int err;

	err = host_ctrl(w, c->port, c->dev,
			USB_DIR_IN | USB_TYPE_VENDOR | USB_RECIP_DEVICE,
			VDEV_LOOP_REQ_STATS, 0, 0, b, sizeof(b), &actual);
	if (err)
		return err;
	if (actual != sizeof(b))
		return -EREMOTEIO;
	st->sink_bytes = le32(b);
	st->sink_errors = le32(b + 4);
	st->source_bytes = le32(b + 8);
	st->iso_packets = le32(b + 12);
	return 0;
}

/* Sink and source counters agree with what the host moved. */
static int loop_verify(struct sim *w, struct loopctx *c, char *why,
		       size_t len)
{
	struct vdev_loop_stats st;
	int err = loop_stats(w, c, &st);

	if (err) {
		snprintf(why, len, "stats request failed: %d", err);
		return -1;
	}
	if (st.sink_errors || st.sink_bytes != c->out_pos ||
	    st.source_bytes != c->in_pos) {
		snprintf(why, len, "device: %u out (%u bad), %u in; host: %u out, %u in",
			 st.sink_bytes, st.sink_errors, st.source_bytes,
			 c->out_pos, c->in_pos);
		return -1;
	}
	return 0;
}

static u64 fnv1a(const u8 *p, size_t n)
{
	u64 h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ------------------------------------------------------------------ */
/* the checkers' own self-tests                                        */

static int gnttab_selftest(char *why, size_t len)
{
	struct sim_gnttab *gt = malloc(sizeof(*gt));
	struct sim_evtchn ev;
	struct sim_gnt_map m, m2;
	u8 *page = sim_pages_alloc(SIM_PAGE, 0);
	u8 b[8] = { 0 };
	int ret = -1, ref, ref2;
	unsigned int k;
	static const u32 want[SIM_GV_NR] = {
		[SIM_GV_USE_AFTER_END] = 1, [SIM_GV_USE_AFTER_UNMAP] = 1,
		[SIM_GV_WRITE_RO] = 1, [SIM_GV_END_MAPPED] = 1,
		[SIM_GV_DOUBLE_END] = 1, [SIM_GV_BAD_END] = 1,
		[SIM_GV_BAD_UNMAP] = 1, [SIM_GV_OUT_OF_PAGE] = 1,
		[SIM_GV_LEAK] = 1,
	};

	if (!gt || !page) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	sim_gnt_init(gt);
	ref = sim_gnt_grant(gt, SIM_DOM_FRONT, SIM_DOM_BACK, page, true);
	if (!(ref > 0)) {
		ret = fail(why, len, "grant failed: %d", ref);
		goto out;
	}
	if (!(sim_gnt_map(gt, SIM_DOM_BACK, ref, true, &m) == -EPERM)) {
		ret = fail(why, len, "writable map of a read-only grant was allowed");
		goto out;
	}
	if (!(sim_gnt_map(gt, SIM_DOM_FRONT, ref, false, &m) == -ENOENT)) {
		ret = fail(why, len, "a domain the grant is not for could map it");
		goto out;
	}
	if (!(sim_gnt_map(gt, SIM_DOM_BACK, ref, false, &m) == 0)) {
		ret = fail(why, len, "map failed");
		goto out;
	}
	if (!(sim_gnt_read(gt, &m, 0, b, sizeof(b)) == 0)) {
		ret = fail(why, len, "good read refused");
		goto out;
	}
	sim_gnt_write(gt, &m, 0, b, sizeof(b));		/* WRITE_RO */
	sim_gnt_read(gt, &m, 4090, b, sizeof(b));	/* OUT_OF_PAGE */
	if (!(sim_gnt_end(gt, SIM_DOM_FRONT, ref) == -EBUSY)) {
		ret = fail(why, len, /* END_MAPPED */ "end of a mapped grant succeeded");
		goto out;
	}
	m2 = m;
	if (!(sim_gnt_unmap(gt, &m) == 0)) {
		ret = fail(why, len, "unmap failed");
		goto out;
	}
	sim_gnt_read(gt, &m, 0, b, 1);			/* USE_AFTER_UNMAP */
	if (!(sim_gnt_end(gt, SIM_DOM_FRONT, ref) == 0)) {
		ret = fail(why, len, "end failed");
		goto out;
	}
	sim_gnt_read(gt, &m2, 0, b, 1);			/* USE_AFTER_END */
	sim_gnt_end(gt, SIM_DOM_FRONT, ref);		/* DOUBLE_END */
	sim_gnt_unmap(gt, &m);				/* BAD_UNMAP */
	sim_gnt_end(gt, SIM_DOM_FRONT, SIM_GNT_NR - 1);	/* BAD_END */
	ref2 = sim_gnt_grant(gt, SIM_DOM_FRONT, SIM_DOM_BACK, page, false);
	if (!(ref2 > 0 && ref2 != ref)) {
		ret = fail(why, len, "a just-ended reference was reused at once (%d)", ref2);
		goto out;
	}
	if (!(sim_gnt_teardown(gt) == 1)) {
		ret = fail(why, len, "leak not found at teardown");
		goto out;
	}
	for (k = 0; k < SIM_GV_NR; k++)
		if (!(gt->nviol[k] == want[k])) {
			ret = fail(why, len, "%s: reported %u time(s), provoked %u", sim_gv_name(k),
				   gt->nviol[k], want[k]);
			goto out;
		}
	if (!(gt->alive == 0 && gt->maps_alive == 0)) {
		ret = fail(why, len, "counters off after teardown");
		goto out;
	}

	sim_evtchn_init(&ev);
	sim_evtchn_eoi(&ev, SIM_SIDE_BACK, false);
	if (!(ev.violations == 1)) {
		ret = fail(why, len, "EOI without an event went unnoticed");
		goto out;
	}
	sim_evtchn_notify(&ev, SIM_SIDE_FRONT);
	sim_evtchn_notify(&ev, SIM_SIDE_FRONT);
	if (!(sim_evtchn_deliver(&ev, SIM_SIDE_BACK))) {
		ret = fail(why, len, "event not delivered");
		goto out;
	}
	sim_evtchn_notify(&ev, SIM_SIDE_FRONT);
	if (!(!sim_evtchn_deliver(&ev, SIM_SIDE_BACK))) {
		ret = fail(why, len, "event delivered again before EOI (lateeoi broken)");
		goto out;
	}
	sim_evtchn_eoi(&ev, SIM_SIDE_BACK, true);
	if (!(sim_evtchn_deliver(&ev, SIM_SIDE_BACK))) {
		ret = fail(why, len, "event raised during the handler lost after EOI");
		goto out;
	}
	sim_evtchn_eoi(&ev, SIM_SIDE_BACK, false);
	if (!(ev.end[SIM_SIDE_BACK].spurious == 1 && ev.end[SIM_SIDE_BACK].delivered == 2)) {
		ret = fail(why, len, "spurious %llu delivered %llu, want 1 and 2",
			   (unsigned long long)ev.end[SIM_SIDE_BACK].spurious,
			   (unsigned long long)ev.end[SIM_SIDE_BACK].delivered);
		goto out;
	}
	ret = 0;
out:
	free(gt);
	sim_pages_free(page, 0);
	return ret;
}

/* The grant checker catches a backend that answers before it unmaps. */
static int grant_discipline_negative(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 3 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 3, why, len);
	int ret = 0, err;

	if (!w)
		return -1;
	w->back.evil = SBACK_EVIL_RSP_BEFORE_UNMAP;
	err = loop_out(w, &c, 2 * SIM_PAGE, 0);
	sim_advance(w, 1);
	if (!(w->gt.nviol[SIM_GV_END_MAPPED] >= 1)) {
		ret = fail(why, len, "answer before unmap unnoticed (status %d, %u violations)",
			   err, w->gt.violations);
		goto out;
	}
	if (!(w->front.dead && strstr(w->front.err, "still holds a grant"))) {
		ret = fail(why, len, "frontend did not treat the mapped grant as fatal: %s",
			   w->front.err);
		goto out;
	}
	if (!(w->gt.violations == w->gt.nviol[SIM_GV_END_MAPPED])) {
		ret = fail(why, len, "other violations too: %s", w->gt.first);
		goto out;
	}
out:
	return finish(w, ret, SIM_EXPECT_GNT | SIM_EXPECT_FRONT_ERR, why, len);
}

/* ------------------------------------------------------------------ */
/* connection, hotplug, enumeration                                    */

static int connect_teardown(char *why, size_t len)
{
	struct vdev *devs[4] = { vdev_loop_new(XENUSB_SPEED_HIGH), NULL,
				 vdev_mouse_new(), NULL };
	struct sim *w = up(4, 2, devs);
	u64 spur;
	int ret = 0;

	if (!(w)) {
		ret = fail(why, len, "world setup failed");
		goto out;
	}
	if (!(!host_wait_port(w, 1, true) && !host_wait_port(w, 3, true))) {
		ret = fail(why, len, "replayed ports not seen connected");
		goto out;
	}
	sim_advance(w, 5);
	if (!(w->front.conn_events == 2 && w->front.port_events[1] == 1 &&
	      w->front.port_events[3] == 1)) {
		ret = fail(why, len, "%llu conn events (port 1: %u, port 3: %u), want 1 each",
			   (unsigned long long)w->front.conn_events, w->front.port_events[1],
			   w->front.port_events[3]);
		goto out;
	}
	if (!(w->front.rh.port[1].status == USB_PORT_STAT_POWER)) {
		ret = fail(why, len, "empty port 2 shows status %#x", w->front.rh.port[1].status);
		goto out;
	}
	/* A notification with no work is EOIed as spurious. */
	spur = w->ev.end[SIM_SIDE_BACK].spurious;
	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 1);
	if (!(w->ev.end[SIM_SIDE_BACK].spurious == spur + 1)) {
		ret = fail(why, len, "spurious event not EOIed as such (%llu -> %llu, %llu in)",
			   (unsigned long long)spur,
			   (unsigned long long)w->ev.end[SIM_SIDE_BACK].spurious,
			   (unsigned long long)w->ev.end[SIM_SIDE_BACK].delivered);
		goto out;
	}
	if (!(w->gt.alive == 2 && w->gt.maps_alive == 2)) {
		ret = fail(why, len, "%u grants, %u mappings alive; want the two rings only",
			   w->gt.alive, w->gt.maps_alive);
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

static int enumerate_one(struct vdev *d, char *why, size_t len)
{
	struct sim *w = up_one(d, 5, why, len);
	u8 st[2];
	int ret = 0, err;

	if (!w)
		return -1;
	if (!(usbback_addr_route(&w->back.ring.addr, 1, 5) == 1)) {
		ret = fail(why, len, "address 5 not recorded for port 1");
		goto out;
	}
	if (!(d->ctrl_requests >= 4)) {
		ret = fail(why, len, "device saw %llu control requests",
			   (unsigned long long)d->ctrl_requests);
		goto out;
	}
	err = host_ctrl(w, 1, 5, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!(err == 0)) {
		ret = fail(why, len, "GET_STATUS at the new address: %d", err);
		goto out;
	}
	err = host_ctrl(w, 1, 9, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!(err == -ENODEV)) {
		ret = fail(why, len, "request to an unassigned address: %d, want -ENODEV", err);
		goto out;
	}
	err = host_ctrl(w, 2, 0, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!(err == -ENODEV)) {
		ret = fail(why, len, "request to the empty port: %d, want -ENODEV", err);
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

static int enum_loopback(char *why, size_t len)
{
	return enumerate_one(vdev_loop_new(XENUSB_SPEED_HIGH), why, len);
}

static int enum_mouse(char *why, size_t len)
{
	return enumerate_one(vdev_mouse_new(), why, len);
}

static int enum_msc(char *why, size_t len)
{
	return enumerate_one(vdev_msc_new(MSC_BLOCKS), why, len);
}

/* A device replaced on its port: 0 then the new speed, re-enumerated. */
static int replug(char *why, size_t len)
{
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 4, why, len);
	u8 st[2];
	int ret = 0, err;

	if (!w)
		return -1;
	/*
	 * Replaced before the frontend hears of the unplug: the queue owes
	 * it 0 and then the new speed. A device that comes and goes on
	 * port 2 meanwhile is never reported at all.
	 */
	sback_unplug(w, 1);
	sback_plug(w, 1, vdev_mouse_new());
	sback_plug(w, 2, vdev_loop_new(XENUSB_SPEED_FULL));
	sback_unplug(w, 2);
	sim_advance(w, 5);
	if (!(w->front.port_events[1] == 3 && w->front.port_events[2] == 0)) {
		ret = fail(why, len, "port 1: %u events (want 3), port 2: %u (want 0)",
			   w->front.port_events[1], w->front.port_events[2]);
		goto out;
	}
	if (!(!host_wait_port(w, 1, true))) {
		ret = fail(why, len, "new device never shown");
		goto out;
	}
	if (!(w->front.rh.port[0].change & USB_PORT_STAT_C_CONNECTION)) {
		ret = fail(why, len, "no C_CONNECTION after the replacement");
		goto out;
	}
	err = host_ctrl(w, 1, 4, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!(err == -ENODEV)) {
		ret = fail(why, len, "old address still routed after the replacement: %d", err);
		goto out;
	}
	if (host_enumerate(w, 1, 6, why, len)) {
		ret = -1;
		goto out;
	}
	if (!(w->back.port[1].dev->speed == XENUSB_SPEED_FULL &&
	      w->back.port[1].dev->config == 1)) {
		ret = fail(why, len, "mouse not configured");
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

/*
 * 300 unplug/plug pairs, one at a time, so each is its own conn-ring event:
 * 600 events take both rings' indexes past 256 and 512 (one full lap of the
 * 512-slot conn ring). QEMU's qusb stops sending hotplug events after the
 * 256th, because its "ring full" test subtracts the consumer index from
 * the free count; both our cores must keep going.
 */
static int conn_ring_laps(char *why, size_t len)
{
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u32 before;
	int ret = 0, i;

	if (!w)
		return -1;
	before = w->front.port_events[1];
	for (i = 0; i < 300; i++) {
		sback_unplug(w, 1);
		sim_advance(w, 2);
		sback_plug(w, 1, vdev_loop_new(XENUSB_SPEED_HIGH));
		sim_advance(w, 2);
	}
	if (!(w->front.port_events[1] - before == 600)) {
		ret = fail(why, len, "port 1: %u events after 300 replugs, want 600",
			   w->front.port_events[1] - before);
		goto out;
	}
	if (host_wait_port(w, 1, true)) {
		ret = fail(why, len, "device not shown after the last plug");
		goto out;
	}
	if (host_enumerate(w, 1, 3, why, len))
		ret = -1;
out:
	return finish(w, ret, 0, why, len);
}

/* ------------------------------------------------------------------ */
/* transfer types                                                      */

static int ctrl_in_out(char *why, size_t len)
{
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u8 *out = malloc(VDEV_LOOP_BUFLEN), *in = malloc(VDEV_LOOP_BUFLEN);
	static const u16 sizes[] = { 1, 8, 64, 300, 4000, VDEV_LOOP_BUFLEN };
	u32 actual, i, k;
	int ret = 0, err;

	if (!w)
		goto out_free;
	if (!(out && in)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	for (k = 0; k < SIM_ARRAY_SIZE(sizes); k++) {
		u16 n = sizes[k];

		for (i = 0; i < n; i++)
			out[i] = (u8)(i * 7 + k);
		err = host_ctrl(w, 1, 2, USB_TYPE_VENDOR | USB_RECIP_DEVICE,
				VDEV_LOOP_REQ_WRITE, 0, 0, out, n, &actual);
		if (!(!err && actual == n)) {
			ret = fail(why, len, "control OUT %u bytes: %d, %u done", n, err, actual);
			goto out;
		}
		memset(in, 0, n);
		err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_TYPE_VENDOR |
				USB_RECIP_DEVICE, VDEV_LOOP_REQ_READ, 0, 0, in,
				n, &actual);
		if (!(!err && actual == n && !memcmp(in, out, n))) {
			ret = fail(why, len, "control IN %u bytes: %d, %u done, data %s", n, err,
				   actual, memcmp(in, out, n) ? "differs" : "ok");
			goto out;
		}
	}
	/* Zero-length OUT, then a short IN (device has 0 bytes). */
	err = host_ctrl(w, 1, 2, USB_TYPE_VENDOR | USB_RECIP_DEVICE,
			VDEV_LOOP_REQ_WRITE, 0, 0, NULL, 0, &actual);
	if (!(!err && actual == 0)) {
		ret = fail(why, len, "zero-length control OUT: %d", err);
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_TYPE_VENDOR |
			USB_RECIP_DEVICE, VDEV_LOOP_REQ_READ, 0, 0, in, 64,
			&actual);
	if (!(!err && actual == 0)) {
		ret = fail(why, len, "short control IN: %d, %u bytes", err, actual);
		goto out;
	}
	/* Stalls: unknown vendor request, missing altsetting. */
	err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_TYPE_VENDOR |
			USB_RECIP_DEVICE, 0x77, 0, 0, in, 4, NULL);
	if (!(err == -EPIPE)) {
		ret = fail(why, len, "unknown request: %d, want -EPIPE", err);
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE,
			7, 0, NULL, 0, NULL);
	if (!(err == -EPIPE)) {
		ret = fail(why, len, "SET_INTERFACE to a missing altsetting: %d", err);
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_RECIP_DEVICE,
			USB_REQ_GET_CONFIGURATION, 0, 0, in, 1, &actual);
	if (!(!err && actual == 1 && in[0] == 1)) {
		ret = fail(why, len, "GET_CONFIGURATION: %d", err);
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	free(out);
	free(in);
	return w ? ret : -1;
}

static int bulk_in_out(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	/* IN lengths are whole packets: the source never sends short. */
	static const struct { u32 n, off; bool in; } t[] = {
		{ 1, 0, false }, { 511, 0, false }, { 512, 0, false },
		{ 4096, 0, false }, { 5000, 100, false }, { 32768, 4000, false },
		{ 65536, 0, false }, { 65536, 1, false }, { 512, 0, true },
		{ 4096, 0, true }, { 5120, 100, true }, { 32768, 4000, true },
		{ 65536, 0, true }, { 65536, 1, true },
	};
	u64 reqs;
	u32 k;
	int ret = 0, err;

	if (!w)
		return -1;
	for (k = 0; k < SIM_ARRAY_SIZE(t); k++) {
		err = t[k].in ? loop_in(w, &c, t[k].n, t[k].off) :
				loop_out(w, &c, t[k].n, t[k].off);
		if (!(!err)) {
			ret = fail(why, len, "bulk %s %u bytes at offset %u: %d",
				   t[k].in ? "IN" : "OUT", t[k].n, t[k].off, err);
			goto out;
		}
	}
	/* 1000 bytes IN from a 512-byte source: babble on packet two. */
	err = loop_in(w, &c, 1000, 0);
	if (!(err == -EOVERFLOW)) {
		ret = fail(why, len, "bulk IN of 1000 bytes: %d, want -EOVERFLOW", err);
		goto out;
	}
	/* 64 KiB does not fit the u16 buffer_length: two requests. */
	reqs = w->front.requests;
	err = loop_in(w, &c, 65536, 0);
	if (!(!err && w->front.requests - reqs == 2)) {
		ret = fail(why, len, "64 KiB bulk IN: %d in %llu request(s), want 2", err,
			   (unsigned long long)(w->front.requests - reqs));
		goto out;
	}
	if (loop_verify(w, &c, why, len)) {
		ret = -1;
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

static int bulk_split_large(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u64 reqs, rej;
	u32 n = 300 * 1024 + 77;
	int ret = 0, err;

	if (!w)
		return -1;
	rej = w->back.rejected;
	reqs = w->front.requests;
	err = loop_out(w, &c, n, 123);
	if (!(!err)) {
		ret = fail(why, len, "bulk OUT of %u bytes: %d", n, err);
		goto out;
	}
	if (!(w->front.requests - reqs >= (n + SFRONT_MAX_BYTES - 1) / SFRONT_MAX_BYTES)) {
		ret = fail(why, len, "%llu requests for %u bytes",
			   (unsigned long long)(w->front.requests - reqs), n);
		goto out;
	}
	reqs = w->front.requests;
	n = 300 * 1024;
	err = loop_in(w, &c, n, 3000);
	if (!(!err)) {
		ret = fail(why, len, "bulk IN of %u bytes at offset 3000: %d", n, err);
		goto out;
	}
	if (!(w->front.requests - reqs >= 5)) {
		ret = fail(why, len, "IN went in %llu requests",
			   (unsigned long long)(w->front.requests - reqs));
		goto out;
	}
	if (!(w->back.rejected == rej)) {
		ret = fail(why, len, "backend rejected %llu part(s), last %d",
			   (unsigned long long)(w->back.rejected - rej), w->back.last_reject);
		goto out;
	}
	if (loop_verify(w, &c, why, len)) {
		ret = -1;
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

static int interrupt_mouse(char *why, size_t len)
{
	struct sim *w = up_one(vdev_mouse_new(), 7, why, len);
	u8 desc[128], rep[4];
	int x = VDEV_MOUSE_RADIUS, y = 0, ret = 0, err;
	u32 actual, k;
	u64 t0;

	if (!w)
		return -1;
	err = host_ctrl(w, 1, 7, USB_TYPE_CLASS | USB_RECIP_INTERFACE, 0x0a,
			0, 0, NULL, 0, NULL);
	if (!(!err)) {
		ret = fail(why, len, "SET_IDLE: %d", err);
		goto out;
	}
	err = host_ctrl(w, 1, 7, USB_DIR_IN | USB_RECIP_INTERFACE,
			USB_REQ_GET_DESCRIPTOR, 0x2200, 0, desc, sizeof(desc),
			&actual);
	if (!(!err && actual == 52 && desc[0] == 0x05)) {
		ret = fail(why, len, "report descriptor: %d, %u bytes", err, actual);
		goto out;
	}
	t0 = w->now;
	for (k = 1; k <= VDEV_MOUSE_STEPS; k++) {
		double r2;

		err = host_xfer(w, 1, 7, XENUSB_PIPE_TYPE_INT, USB_DIR_IN | 1,
				4, rep, sizeof(rep), 0, &actual);
		if (!(!err && actual == 4)) {
			ret = fail(why, len, "report %u: %d, %u bytes", k, err, actual);
			goto out;
		}
		x += (s8)rep[1];
		y += (s8)rep[2];
		r2 = (double)x * x + (double)y * y;
		if (!(r2 > (VDEV_MOUSE_RADIUS - 1.5) * (VDEV_MOUSE_RADIUS - 1.5) &&
		      r2 < (VDEV_MOUSE_RADIUS + 1.5) * (VDEV_MOUSE_RADIUS + 1.5))) {
			ret = fail(why, len, "report %u: pointer at (%d,%d), off the circle", k, x,
				   y);
			goto out;
		}
	}
	if (!(x == VDEV_MOUSE_RADIUS && y == 0)) {
		ret = fail(why, len, "a lap ends at (%d,%d), not where it started", x, y);
		goto out;
	}
	if (!(w->now - t0 >= (VDEV_MOUSE_STEPS - 1) * VDEV_MOUSE_INTERVAL)) {
		ret = fail(why, len, "%llu ms for %u reports at %u ms",
			   (unsigned long long)(w->now - t0), VDEV_MOUSE_STEPS,
			   VDEV_MOUSE_INTERVAL);
		goto out;
	}
	/* A buffer smaller than the report: babble. */
	err = host_xfer(w, 1, 7, XENUSB_PIPE_TYPE_INT, USB_DIR_IN | 1, 4, rep,
			3, 0, &actual);
	if (!(err == -EOVERFLOW)) {
		ret = fail(why, len, "3-byte interrupt read: %d, want -EOVERFLOW", err);
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

/* An iso URB on ep 3 of the loopback (altsetting 1). */
static int iso_run(struct sim *w, bool in, u16 npk, u16 pklen, u32 desc_off,
		   u8 seed, u32 *actual_out, u32 *errors, char *why, size_t len)
{
	struct sfront_urb *u = calloc(1, sizeof(*u));
	u32 blen = npk * 1024, i, k;
	u8 *buf = sim_pages_alloc(blen, 0);
	struct xenusb_iso_desc *d = sim_pages_alloc(npk * sizeof(*d), desc_off);
	int ret = -1, err;

	if (!u || !buf || !d) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	for (k = 0; k < npk; k++) {
		d[k].offset = k * 1024;
		d[k].length = in ? 1024 : pklen;
		d[k].actual_length = 0;
		d[k].status = -EXDEV;
		for (i = 0; !in && i < pklen; i++)
			buf[k * 1024 + i] = (u8)(seed + k * 3 + i);
	}
	u->port = 1;
	u->devnum = 2;
	u->ep = 3;
	u->type = XENUSB_PIPE_TYPE_ISOC;
	u->in = in;
	u->maxp = 1024;
	u->interval = 1;
	u->buf = buf;
	u->len = blen;
	u->nr_packets = npk;
	u->iso = d;
	err = sfront_submit(w, u);
	if (!err)
		err = host_wait(w, u, 1000);
	if (err || u->status) {
		snprintf(why, len, "iso %s: submit/wait %d, status %d",
			 in ? "IN" : "OUT", err, u->status);
		goto out;
	}
	*actual_out = u->actual;
	*errors = u->error_count;
	for (k = 0; k < npk; k++) {
		if (d[k].status || d[k].actual_length != pklen) {
			snprintf(why, len, "iso %s packet %u: status %d actual %u, want 0 and %u",
				 in ? "IN" : "OUT", k, d[k].status,
				 d[k].actual_length, pklen);
			goto out;
		}
		for (i = 0; in && i < pklen; i++) {
			if (buf[k * 1024 + i] != (u8)(seed + k * 3 + i)) {
				snprintf(why, len, "iso IN packet %u byte %u differs",
					 k, i);
				goto out;
			}
		}
	}
	ret = 0;
out:
	sim_pages_free(buf, 0);
	sim_pages_free(d, desc_off);
	free(u);
	return ret;
}

static int iso_loopback(char *why, size_t len)
{
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u32 actual = 0, errors = 0;
	u64 rej;
	int ret = 0, err;

	if (!w)
		return -1;
	/* Altsetting 0 has no iso endpoint: the backend must refuse. */
	rej = w->back.rejected;
	if (!iso_run(w, false, 4, 100, 0, 1, &actual, &errors, why, len)) {
		ret = fail(why, len, "iso OUT accepted before SET_INTERFACE");
		goto out;
	}
	if (!(w->back.rejected == rej + 1 && w->back.last_reject == XENUSB_STATUS_INVAL)) {
		ret = fail(why, len, "iso before SET_INTERFACE: %llu rejected, last status %d",
			   (unsigned long long)(w->back.rejected - rej), w->back.last_reject);
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE,
			1, 0, NULL, 0, NULL);
	if (!(!err && w->back.port[1].dev->alt[0] == 1)) {
		ret = fail(why, len, "SET_INTERFACE(0, 1): %d", err);
		goto out;
	}
	if (!(w->back.port[1].view.type[1][3] == XENUSB_PIPE_TYPE_ISOC)) {
		ret = fail(why, len, "endpoint view not rebuilt after SET_INTERFACE");
		goto out;
	}
	if (iso_run(w, false, 8, 1000, 0, 9, &actual, &errors, why, len)) {
		ret = -1;
		goto out;
	}
	if (!(actual == 8000 && !errors)) {
		ret = fail(why, len, "iso OUT: actual %u errors %u", actual, errors);
		goto out;
	}
	if (iso_run(w, true, 8, 1000, 0, 9, &actual, &errors, why, len)) {
		ret = -1;
		goto out;
	}
	if (!(actual == 8000 && !errors)) {
		ret = fail(why, len, "iso IN: actual %u errors %u", actual, errors);
		goto out;
	}
	/* Descriptors straddling a page boundary: two descriptor segments. */
	if (iso_run(w, false, 40, 200, 4000, 77, &actual, &errors, why, len)) {
		ret = -1;
		goto out;
	}
	if (iso_run(w, true, 40, 200, 4000, 77, &actual, &errors, why, len)) {
		ret = -1;
		goto out;
	}
	if (!(actual == 8000 && !errors)) {
		ret = fail(why, len, "40-packet iso IN: actual %u", actual);
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

/* ------------------------------------------------------------------ */
/* mass storage                                                        */

struct mscctx {
	u8 port;
	u8 dev;
	u32 tag;
};

static int msc_clear_halt(struct sim *w, struct mscctx *m, u8 ep)
{
	return host_ctrl(w, m->port, m->dev, USB_RECIP_ENDPOINT,
			 USB_REQ_CLEAR_FEATURE, USB_ENDPOINT_HALT, ep, NULL, 0,
			 NULL);
}

/* One BBB command; returns the CSW status (0..2) or a negative errno. */
static int msc_cmd(struct sim *w, struct mscctx *m, const u8 *cdb, u8 cdblen,
		   bool in, void *data, u32 dlen, u32 *residue, bool *stalled)
{
	u8 cbw[31] = { 0x55, 0x53, 0x42, 0x43 }, csw[13];
	u8 ep = in ? USB_DIR_IN | 1 : 2;
	u32 actual;
	int err;

	m->tag++;
	cbw[4] = m->tag;
	cbw[5] = m->tag >> 8;
	cbw[8] = dlen;
	cbw[9] = dlen >> 8;
	cbw[10] = dlen >> 16;
	cbw[11] = dlen >> 24;
	cbw[12] = in ? 0x80 : 0;
	cbw[14] = cdblen;
	memcpy(cbw + 15, cdb, cdblen);
	*stalled = false;
	err = host_xfer(w, m->port, m->dev, XENUSB_PIPE_TYPE_BULK, 2, 512,
			cbw, sizeof(cbw), 0, &actual);
	if (err)
		return err;
	if (dlen) {
		err = host_xfer(w, m->port, m->dev, XENUSB_PIPE_TYPE_BULK, ep,
				512, data, dlen, 0, &actual);
		if (err == -EPIPE) {
			*stalled = true;
			err = msc_clear_halt(w, m, ep);
		}
		if (err)
			return err;
	}
	err = host_xfer(w, m->port, m->dev, XENUSB_PIPE_TYPE_BULK,
			USB_DIR_IN | 1, 512, csw, sizeof(csw), 0, &actual);
	if (err)
		return err;
	if (actual != 13 || le32(csw) != 0x53425355 || le32(csw + 4) != m->tag)
		return -EBADMSG;
	*residue = le32(csw + 8);
	return csw[12];
}

static int msc_rw10(struct sim *w, struct mscctx *m, bool read, u32 lba,
		    u16 blocks, u8 *data, u32 *residue, bool *stalled)
{
	u8 cdb[10] = { read ? 0x28 : 0x2a, 0, lba >> 24, lba >> 16, lba >> 8,
		       lba, 0, blocks >> 8, blocks, 0 };

	return msc_cmd(w, m, cdb, sizeof(cdb), read, data,
		       blocks * VDEV_MSC_BLOCK, residue, stalled);
}

static int msc_write_read(char *why, size_t len)
{
	struct mscctx m = { .port = 1, .dev = 3 };
	struct sim *w = up_one(vdev_msc_new(MSC_BLOCKS), 3, why, len);
	u32 n = 256 * 1024, residue, i;
	u8 *wr = malloc(n), *rd = malloc(n), buf[64];
	u8 tur[6] = { 0 }, inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	u8 cap[10] = { 0x25 }, sense[6] = { 0x03, 0, 0, 0, 18, 0 };
	u64 h1, h2;
	bool stalled;
	int ret = 0, st;

	if (!w)
		goto out_free;
	if (!(wr && rd)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	st = host_ctrl(w, 1, 3, USB_DIR_IN | USB_TYPE_CLASS |
		       USB_RECIP_INTERFACE, 0xfe, 0, 0, buf, 1, &i);
	if (!(!st && i == 1 && buf[0] == 0)) {
		ret = fail(why, len, "GET_MAX_LUN: %d", st);
		goto out;
	}
	st = msc_cmd(w, &m, tur, 6, false, NULL, 0, &residue, &stalled);
	if (!(st == 0)) {
		ret = fail(why, len, "TEST UNIT READY: %d", st);
		goto out;
	}
	st = msc_cmd(w, &m, inq, 6, true, buf, 36, &residue, &stalled);
	if (!(st == 0 && residue == 0 && !memcmp(buf + 8, "XENSIM", 6))) {
		ret = fail(why, len, "INQUIRY: %d residue %u", st, residue);
		goto out;
	}
	st = msc_cmd(w, &m, cap, 10, true, buf, 8, &residue, &stalled);
	if (!(st == 0 && buf[0] << 24 ==  0 && (buf[2] << 8 | buf[3]) == MSC_BLOCKS - 1 &&
	      (buf[6] << 8 | buf[7]) == VDEV_MSC_BLOCK)) {
		ret = fail(why, len, "READ CAPACITY: %d, last LBA %u", st, buf[2] << 8 | buf[3]);
		goto out;
	}

	for (i = 0; i < n; i++)
		wr[i] = (u8)((i * 2654435761u) >> 13);
	h1 = fnv1a(wr, n);
	st = msc_rw10(w, &m, false, 100, n / VDEV_MSC_BLOCK, wr, &residue,
		      &stalled);
	if (!(st == 0 && residue == 0)) {
		ret = fail(why, len, "WRITE(10) 256 KiB: %d residue %u", st, residue);
		goto out;
	}
	memset(rd, 0, n);
	st = msc_rw10(w, &m, true, 100, n / VDEV_MSC_BLOCK, rd, &residue,
		      &stalled);
	if (!(st == 0 && residue == 0)) {
		ret = fail(why, len, "READ(10) 256 KiB: %d residue %u", st, residue);
		goto out;
	}
	h2 = fnv1a(rd, n);
	if (!(h1 == h2)) {
		ret = fail(why, len, "read back checksum %016llx, wrote %016llx",
			   (unsigned long long)h2, (unsigned long long)h1);
		goto out;
	}

	/* Past the end: CHECK CONDITION, data stage stalled, then sense. */
	st = msc_rw10(w, &m, true, MSC_BLOCKS - 1, 2, rd, &residue, &stalled);
	if (!(st == 1 && stalled && residue == 2 * VDEV_MSC_BLOCK)) {
		ret = fail(why, len, "READ(10) past the end: CSW %d, stalled %d, residue %u", st,
			   stalled, residue);
		goto out;
	}
	st = msc_cmd(w, &m, sense, 6, true, buf, 18, &residue, &stalled);
	if (!(st == 0 && buf[2] == 0x05 && buf[12] == 0x21)) {
		ret = fail(why, len, "REQUEST SENSE: %d key %#x asc %#x", st, buf[2], buf[12]);
		goto out;
	}
	st = msc_cmd(w, &m, tur, 6, false, NULL, 0, &residue, &stalled);
	if (!(st == 0)) {
		ret = fail(why, len, "TEST UNIT READY after the error: %d", st);
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	free(wr);
	free(rd);
	return w ? ret : -1;
}

/* ------------------------------------------------------------------ */
/* unlink, unplug, back-pressure, many ports                           */

static struct sfront_urb *bulk_urb(u8 port, u8 dev, bool in, u32 n)
{
	struct sfront_urb *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->buf = sim_pages_alloc(n, 0);
	if (!u->buf) {
		free(u);
		return NULL;
	}
	u->port = port;
	u->devnum = dev;
	u->ep = 1;
	u->type = XENUSB_PIPE_TYPE_BULK;
	u->in = in;
	u->maxp = LOOP_MAXP;
	u->len = n;
	return u;
}

static void bulk_urb_free(struct sfront_urb *u)
{
	if (u)
		sim_pages_free(u->buf, 0);
	free(u);
}

static bool back_holds(struct sim *w, void *arg)
{
	unsigned int i, n = 0;

	for (i = 0; i < SBACK_SLOTS; i++)
		n += w->back.ring.rq[i].in_use;
	return n >= *(unsigned int *)arg;
}

static int unlink_before_completion(char *why, size_t len)
{
	struct vdev *d = vdev_loop_new(XENUSB_SPEED_HIGH);
	struct sim *w = up_one(d, 2, why, len);
	struct sfront_urb *u = bulk_urb(1, 2, true, 4096);
	unsigned int one = 1;
	u64 rsp;
	int ret = 0, err;

	if (!w)
		goto out_free;
	if (!(u)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	vdev_loop_set_delay(d, 50);
	if (!(!sfront_submit(w, u))) {
		ret = fail(why, len, "submit failed");
		goto out;
	}
	if (!(!sim_run_until(w, back_holds, &one, 10))) {
		ret = fail(why, len, "request never reached the backend");
		goto out;
	}
	rsp = w->front.responses;
	err = sfront_unlink(w, u);
	if (!(!err)) {
		ret = fail(why, len, "unlink: %d", err);
		goto out;
	}
	if (!(!host_wait(w, u, 20))) {
		ret = fail(why, len, "unlinked URB did not complete in time");
		goto out;
	}
	if (!(u->status == -ECONNRESET && u->actual == 0)) {
		ret = fail(why, len, "unlinked URB: status %d actual %u, want -ECONNRESET and 0",
			   u->status, u->actual);
		goto out;
	}
	sim_advance(w, 100);
	if (!(w->front.responses - rsp == 2 && w->back.cancelled == 1)) {
		ret = fail(why, len, "%llu responses (want victim + unlink), %llu cancelled",
			   (unsigned long long)(w->front.responses - rsp),
			   (unsigned long long)w->back.cancelled);
		goto out;
	}
	if (!(w->gt.alive == 2)) {
		ret = fail(why, len, "%u grants alive after the unlink", w->gt.alive);
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	bulk_urb_free(u);
	return w ? ret : -1;
}

static int unlink_after_completion(char *why, size_t len)
{
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	struct sfront_urb *u = bulk_urb(1, 2, true, 4096);
	u64 rsp;
	int ret = 0, err;

	if (!w)
		goto out_free;
	if (!(u)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	if (!(!sfront_submit(w, u))) {
		ret = fail(why, len, "submit failed");
		goto out;
	}
	/*
	 * Step by hand: the backend completes and pushes the response,
	 * and the frontend unlinks before its event handler has run.
	 */
	sfront_kick(w);
	if (!(sim_evtchn_deliver(&w->ev, SIM_SIDE_BACK))) {
		ret = fail(why, len, "no event to backend");
		goto out;
	}
	sback_irq(w);
	sback_work(w);
	if (!(w->back.responses >= 1 && !u->done)) {
		ret = fail(why, len, "response not pending at the frontend");
		goto out;
	}
	rsp = w->front.responses;
	err = sfront_unlink(w, u);
	if (!(!err)) {
		ret = fail(why, len, "unlink: %d", err);
		goto out;
	}
	if (!(!host_wait(w, u, 20))) {
		ret = fail(why, len, "URB did not complete");
		goto out;
	}
	sim_advance(w, 5);
	if (!(u->status == 0 && u->actual == 4096)) {
		ret = fail(why, len, "URB done before unlink: status %d actual %u, want 0, 4096",
			   u->status, u->actual);
		goto out;
	}
	if (!(w->front.responses - rsp == 2 && w->back.cancelled == 0)) {
		ret = fail(why, len, "%llu responses, %llu cancelled; want 2 and 0",
			   (unsigned long long)(w->front.responses - rsp),
			   (unsigned long long)w->back.cancelled);
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	bulk_urb_free(u);
	return w ? ret : -1;
}

static int unlink_unknown_id(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = XENUSB_PIPE_TYPE_BULK, .in = true };
	struct sfront_raw res;
	int ret = 0, err;

	if (!w)
		return -1;
	err = sfront_raw_unlink(w, 11, xenusb_pipe_encode(&p), &res);
	if (!(!err)) {
		ret = fail(why, len, "raw unlink: %d", err);
		goto out;
	}
	sim_advance(w, 5);
	if (!(res.done)) {
		ret = fail(why, len, "no response to the unlink of an unknown id");
		goto out;
	}
	if (!(res.chk.actual_length == 0 && res.chk.error_count == 0)) {
		ret = fail(why, len, "unlink response carried data");
		goto out;
	}
	if (!(w->back.cancelled == 0)) {
		ret = fail(why, len, "backend cancelled something");
		goto out;
	}
	err = loop_in(w, &c, 1024, 0);
	if (!(!err)) {
		ret = fail(why, len, "transfer after the stray unlink: %d", err);
		goto out;
	}
out:
	return finish(w, ret, 0, why, len);
}

static int unplug_mid_transfer(char *why, size_t len)
{
	struct vdev *devs[2] = { vdev_loop_new(XENUSB_SPEED_HIGH),
				 vdev_mouse_new() };
	struct sim *w = up(2, 2, devs);
	struct sfront_urb *u[5] = { NULL };
	unsigned int i, three = 3;
	u8 st[2];
	int ret = 0, err;

	if (!(w)) {
		ret = fail(why, len, "world setup failed");
		goto out;
	}
	if (host_enumerate(w, 1, 2, why, len) ||
	    host_enumerate(w, 2, 3, why, len)) {
		ret = -1;
		goto out;
	}
	vdev_loop_set_delay(devs[0], 100);
	for (i = 0; i < 3; i++) {
		u[i] = bulk_urb(1, 2, true, 20480 + i * 8192);
		if (!(u[i] && !sfront_submit(w, u[i]))) {
			ret = fail(why, len, "submit %u failed", i);
			goto out;
		}
	}
	for (i = 3; i < 5; i++) {
		u[i] = bulk_urb(2, 3, true, 4);
		if (!(u[i])) {
			ret = fail(why, len, "out of memory");
			goto out;
		}
		u[i]->type = XENUSB_PIPE_TYPE_INT;
		u[i]->maxp = 4;
		u[i]->interval = 10;
		if (!(!sfront_submit(w, u[i]))) {
			ret = fail(why, len, "submit %u failed", i);
			goto out;
		}
	}
	if (!(!sim_run_until(w, back_holds, &three, 10))) {
		ret = fail(why, len, "transfers never reached the backend");
		goto out;
	}
	if (!(w->gt.maps_alive > 2)) {
		ret = fail(why, len, "no data grants mapped mid-transfer");
		goto out;
	}
	sback_unplug(w, 1);
	if (!(!host_wait_port(w, 1, false))) {
		ret = fail(why, len, "unplug never shown on port 1");
		goto out;
	}
	for (i = 0; i < 5; i++)
		if (!(!host_wait(w, u[i], 200))) {
			ret = fail(why, len, "URB %u never completed", i);
			goto out;
		}
	for (i = 0; i < 3; i++)
		if (!(u[i]->status == -ESHUTDOWN && u[i]->actual == 0)) {
			ret = fail(why, len, "URB %u on the unplugged port: status %d actual %u", i,
				   u[i]->status, u[i]->actual);
			goto out;
		}
	for (i = 3; i < 5; i++)
		if (!(u[i]->status == 0 && u[i]->actual == 4)) {
			ret = fail(why, len, "mouse URB %u: status %d", i, u[i]->status);
			goto out;
		}
	if (!(w->gt.alive == 2 && w->gt.maps_alive == 2)) {
		ret = fail(why, len, "%u grants, %u maps alive after the unplug; want 2, 2",
			   w->gt.alive, w->gt.maps_alive);
		goto out;
	}
	if (!(w->front.rh.port[0].change & USB_PORT_STAT_C_CONNECTION)) {
		ret = fail(why, len, "no C_CONNECTION on port 1");
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!(err == -ENODEV)) {
		ret = fail(why, len, "request to the unplugged device: %d", err);
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
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
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	struct sfront_urb *u[60] = { NULL };
	struct order o = { 0 };
	unsigned int i, k;
	int ret = 0;

	if (!w)
		return -1;
	w->front.peak_inflight = 0;
	for (i = 0; i < 60; i++) {
		bool in = i >= 50;

		u[i] = bulk_urb(1, 2, in, 8192);
		if (!(u[i])) {
			ret = fail(why, len, "out of memory");
			goto out;
		}
		for (k = 0; !in && k < 8192; k++)
			u[i]->buf[k] = vdev_loop_pattern(i * 8192 + k);
		u[i]->complete = record_completion;
		u[i]->ctx = &o;
		if (!(!sfront_submit(w, u[i]))) {
			ret = fail(why, len, "submit %u failed", i);
			goto out;
		}
	}
	for (i = 0; i < 60; i++)
		if (!(!host_wait(w, u[i], 1000))) {
			ret = fail(why, len, "URB %u never completed", i);
			goto out;
		}
	if (!(o.n == 60)) {
		ret = fail(why, len, "%u completions for 60 URBs", o.n);
		goto out;
	}
	for (i = 0; i < 60; i++) {
		if (!(o.seq[i] == u[i])) {
			ret = fail(why, len, "completion %u out of order", i);
			goto out;
		}
		if (!(u[i]->status == 0 && u[i]->actual == 8192)) {
			ret = fail(why, len, "URB %u: status %d actual %u", i, u[i]->status,
				   u[i]->actual);
			goto out;
		}
	}
	for (i = 50; i < 60; i++)
		for (k = 0; k < 8192; k++)
			if (!(u[i]->buf[k] == vdev_loop_pattern((i - 50) * 8192 + k))) {
				ret = fail(why, len, "IN URB %u byte %u wrong", i, k);
				goto out;
			}
	if (!(w->front.peak_inflight == XENUSB_URB_RING_SIZE)) {
		ret = fail(why, len, "peak %u requests in flight, want the ring's %u",
			   w->front.peak_inflight, (unsigned int)XENUSB_URB_RING_SIZE);
		goto out;
	}
	c.out_pos = 50 * 8192;
	c.in_pos = 10 * 8192;
	if (loop_verify(w, &c, why, len)) {
		ret = -1;
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
	for (i = 0; i < 60; i++)
		bulk_urb_free(u[i]);
	return ret;
}

static int ports_31(char *why, size_t len)
{
	struct vdev *devs[XENUSB_MAX_PORTNR];
	struct sim *w;
	u8 port, rep[4], cdb[6] = { 0 };
	u32 actual, residue;
	bool stalled;
	int ret = 0, err;

	for (port = 1; port <= XENUSB_MAX_PORTNR; port++) {
		switch (port % 3) {
		case 0:
			devs[port - 1] = vdev_msc_new(64);
			break;
		case 1:
			devs[port - 1] = vdev_loop_new(XENUSB_SPEED_HIGH);
			break;
		default:
			devs[port - 1] = vdev_mouse_new();
			break;
		}
	}
	w = up(XENUSB_MAX_PORTNR, 2, devs);
	if (!(w)) {
		ret = fail(why, len, "world setup failed");
		goto out;
	}
	for (port = 1; port <= XENUSB_MAX_PORTNR; port++)
		if (host_enumerate(w, port, port + 1, why, len)) {
			ret = -1;
			goto out;
		}
	if (!(w->front.conn_events == XENUSB_MAX_PORTNR)) {
		ret = fail(why, len, "%llu conn events for 31 devices",
			   (unsigned long long)w->front.conn_events);
		goto out;
	}
	/* An address is only good on its own port. */
	err = host_ctrl(w, 2, 2, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, rep, 2,
			NULL);
	if (!(err == -ENODEV)) {
		ret = fail(why, len, "port 2 reached with port 1's address: %d", err);
		goto out;
	}
	for (port = 1; port <= XENUSB_MAX_PORTNR; port++) {
		struct loopctx c = { .port = port, .dev = port + 1 };
		struct mscctx m = { .port = port, .dev = port + 1 };

		switch (port % 3) {
		case 0:
			err = msc_cmd(w, &m, cdb, 6, false, NULL, 0, &residue,
				      &stalled);
			break;
		case 1:
			err = loop_out(w, &c, 3000, 0);
			if (!err)
				err = loop_in(w, &c, 3072, 0);
			break;
		default:
			err = host_xfer(w, port, port + 1,
					XENUSB_PIPE_TYPE_INT, USB_DIR_IN | 1,
					4, rep, 4, 0, &actual);
			break;
		}
		if (!(!err)) {
			ret = fail(why, len, "port %u (%s): transfer %d", port,
				   w->back.port[port].dev->name, err);
			goto out;
		}
	}
out:
	return finish(w, ret, 0, why, len);
}

/* ------------------------------------------------------------------ */
/* wire-level cases with hand-made requests                            */

/* Grant @n pages of @buf (page aligned) and describe them in @rq. */
static u8 grant_pages(struct sim *w, struct xenusb_urb_request *rq, u32 *grefs,
		      u8 *buf, u8 n, bool ro)
{
	u8 i;

	for (i = 0; i < n; i++) {
		grefs[i] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
					 buf + i * SIM_PAGE, ro);
		rq->seg[i].gref = grefs[i];
		rq->seg[i].offset = 0;
		rq->seg[i].length = SIM_PAGE;
	}
	rq->nr_buffer_segs = n;
	return n;
}

static int raw_wait(struct sim *w, struct xenusb_urb_request *rq, u32 *grefs,
		    u8 ngref, u32 length, struct sfront_raw *res)
{
	int err = sfront_raw_submit(w, rq, grefs, ngref, length, res);

	if (err)
		return err;
	sim_advance(w, 2);
	return res->done ? 0 : -ETIMEDOUT;
}

static int wrap_64k(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = XENUSB_PIPE_TYPE_BULK };
	u8 *buf = sim_pages_alloc(65536, 0);
	struct xenusb_urb_request rq;
	struct sfront_raw res;
	u32 grefs[16], i;
	int ret = 0, err;

	if (!w)
		goto out_free;
	if (!(buf)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	/* As xen-hcd sends a 64 KiB URB: buffer_length 0, 16 full pages. */
	for (i = 0; i < 65536; i++)
		buf[i] = vdev_loop_pattern(i);
	memset(&rq, 0, sizeof(rq));
	rq.pipe = xenusb_pipe_encode(&p);
	rq.buffer_length = 0;
	grant_pages(w, &rq, grefs, buf, 16, true);
	err = raw_wait(w, &rq, grefs, 16, 65536, &res);
	if (!(!err && res.rsp.status == 0 && res.rsp.actual_length == 65536)) {
		ret = fail(why, len, "wrapped 64 KiB OUT: %d, status %d actual %d", err,
			   res.rsp.status, res.rsp.actual_length);
		goto out;
	}
	c.out_pos = 65536;

	p.in = true;
	memset(buf, 0, 65536);
	memset(&rq, 0, sizeof(rq));
	rq.pipe = xenusb_pipe_encode(&p);
	grant_pages(w, &rq, grefs, buf, 16, false);
	err = raw_wait(w, &rq, grefs, 16, 65536, &res);
	if (!(!err && res.rsp.status == 0 && res.rsp.actual_length == 65536)) {
		ret = fail(why, len, "wrapped 64 KiB IN: %d, status %d actual %d", err,
			   res.rsp.status, res.rsp.actual_length);
		goto out;
	}
	for (i = 0; i < 65536; i++)
		if (!(buf[i] == vdev_loop_pattern(i))) {
			ret = fail(why, len, "IN byte %u wrong", i);
			goto out;
		}
	c.in_pos = 65536;

	/* Only the exact wrap: 0 with 15 pages is a lie. */
	memset(&rq, 0, sizeof(rq));
	rq.pipe = xenusb_pipe_encode(&p);
	grant_pages(w, &rq, grefs, buf, 15, false);
	err = raw_wait(w, &rq, grefs, 15, 61440, &res);
	if (!(!err && res.rsp.status == XENUSB_STATUS_INVAL)) {
		ret = fail(why, len, "buffer_length 0 with 60 KiB of segments: %d, status %d", err,
			   res.rsp.status);
		goto out;
	}
	if (loop_verify(w, &c, why, len)) {
		ret = -1;
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	sim_pages_free(buf, 0);
	return w ? ret : -1;
}

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
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u8 *buf = sim_pages_alloc(2 * SIM_PAGE, 0);
	struct xenusb_urb_request rq;
	struct sfront_raw res;
	u32 grefs[16];
	u64 rej;
	int ret = 0, k, err;

	if (!w)
		goto out_free;
	if (!(buf)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
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
		if (!(!err)) {
			ret = fail(why, len, "%s: no response (%d)", bad_names[k], err);
			goto out;
		}
		if (!(res.rsp.status == XENUSB_STATUS_INVAL && res.rsp.actual_length == 0)) {
			ret = fail(why, len, "%s: status %d actual %d, want -EINVAL and 0",
				   bad_names[k], res.rsp.status, res.rsp.actual_length);
			goto out;
		}
		if (!(!w->back.fatal)) {
			ret = fail(why, len, "%s: backend went fatal: %s", bad_names[k],
				   w->back.fatal_msg);
			goto out;
		}
	}
	if (!(w->back.rejected - rej == BAD_NR)) {
		ret = fail(why, len, "%llu rejected, want %u",
			   (unsigned long long)(w->back.rejected - rej), BAD_NR);
		goto out;
	}
	/* The backend survived: a good transfer still works. */
	err = loop_out(w, &c, 4096, 0);
	if (!(!err)) {
		ret = fail(why, len, "transfer after the malformed ones: %d", err);
		goto out;
	}
	if (loop_verify(w, &c, why, len)) {
		ret = -1;
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	sim_pages_free(buf, 0);
	return w ? ret : -1;
}

static int hostile_frontend_overflow(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u64 reqs;
	int ret = 0, err;

	if (!w)
		return -1;
	/* Claim 40 requests on a 16-slot ring. */
	reqs = sback_requests(w);
	((struct xenusb_urb_sring *)w->urb_page)->req_prod =
		w->front.ring.urb.req_prod_pvt + 40;
	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 2);
	if (!(w->back.fatal && strstr(w->back.fatal_msg, "overflow"))) {
		ret = fail(why, len, "producer overflow not latched (fatal %d)", w->back.fatal);
		goto out;
	}
	if (!(sback_requests(w) == reqs)) {
		ret = fail(why, len, "%llu requests consumed from the bogus producer",
			   (unsigned long long)(sback_requests(w) - reqs));
		goto out;
	}
	/* Latched: nothing is served any more, nothing crashes. */
	w->front.ring.urb.req_prod_pvt += 40;
	err = loop_out(w, &c, 512, 0);
	if (!(err == -EDEADLK || err == -ETIMEDOUT)) {
		ret = fail(why, len, "transfer after the overflow: %d, want no answer", err);
		goto out;
	}
out:
	return finish(w, ret, SIM_EXPECT_BACK_FATAL, why, len);
}

static int hostile_frontend_dup_id(char *why, size_t len)
{
	struct vdev *d = vdev_loop_new(XENUSB_SPEED_HIGH);
	struct sim *w = up_one(d, 2, why, len);
	struct sfront_urb *u = bulk_urb(1, 2, true, 4096);
	struct xenusb_urb_request *slot;
	unsigned int one = 1;
	int ret = 0, notify;

	if (!w)
		goto out_free;
	if (!(u)) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	vdev_loop_set_delay(d, 50);
	if (!(!sfront_submit(w, u))) {
		ret = fail(why, len, "submit failed");
		goto out;
	}
	if (!(!sim_run_until(w, back_holds, &one, 10))) {
		ret = fail(why, len, "request never reached the backend");
		goto out;
	}
	/* The same id again while the first is in flight. */
	slot = RING_GET_REQUEST(&w->front.ring.urb, w->front.ring.urb.req_prod_pvt);
	*slot = *RING_GET_REQUEST(&w->front.ring.urb,
				  w->front.ring.urb.req_prod_pvt - 1);
	w->front.ring.urb.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&w->front.ring.urb, notify);
	if (notify)
		sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 2);
	if (!(w->back.fatal && strstr(w->back.fatal_msg, "duplicate request id"))) {
		ret = fail(why, len, "duplicate id not caught (fatal %d: %s)", w->back.fatal,
			   w->back.fatal_msg);
		goto out;
	}
out:
	ret = finish(w, ret, SIM_EXPECT_BACK_FATAL, why, len);
out_free:
	bulk_urb_free(u);
	return w ? ret : -1;
}

/* A deliberately wrong backend; the frontend must name the fault. */
static int hostile_backend(enum sback_evil evil, const char *want,
			   bool fatal, char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u32 actual, errors;
	int ret = 0, err = 0;

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
		if (!(!err)) {
			ret = fail(why, len, "SET_INTERFACE: %d", err);
			goto out;
		}
		iso_run(w, false, 4, 100, 0, 1, &actual, &errors, why, len);
		break;
	default:
		err = loop_in(w, &c, 2048, 0);
		sim_advance(w, 5);
		break;
	}
	if (!(w->back.evil_done)) {
		ret = fail(why, len, "the wrong behaviour never triggered");
		goto out;
	}
	if (!(w->front.proto_errors >= 1 && strstr(w->front.err, want))) {
		ret = fail(why, len, "frontend did not detect it (transfer %d, %u errors: %s)", err,
			   w->front.proto_errors, w->front.err);
		goto out;
	}
	if (!(w->front.dead == fatal)) {
		ret = fail(why, len, "frontend %s, want %s",
			   w->front.dead ? "stopped" : "kept going",
			   fatal ? "stopped" : "kept going");
		goto out;
	}
	if (evil == SBACK_EVIL_OVERSIZE)
		if (!(err == -EREMOTEIO || err == 0)) {
			ret = fail(why, len, "oversized response: transfer %d", err);
			goto out;
		}
	if (evil == SBACK_EVIL_ISO_DESC)
		if (!(w->front.iso_fixed == 2)) {
			ret = fail(why, len, "%u iso descriptors fixed, want 2",
				   w->front.iso_fixed);
			goto out;
		}
	if (evil == SBACK_EVIL_CONN_BAD_PORT)
		if (!(w->front.port_events[2] == 0)) {
			ret = fail(why, len, "the event for the bogus port was applied");
			goto out;
		}
out:
	return finish(w, ret, SIM_EXPECT_FRONT_ERR, why, len);
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

/*
 * usbback's control rules, now that the simulator runs its ring code:
 * SET_CONFIGURATION 0 and SET_CONFIGURATION of the active value are
 * answered by the backend and never reach the device (the host keeps its
 * configuration), a value the device lacks stalls, and traffic goes on.
 */
static int setconfig_local(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	struct vdev *d;
	u64 before;
	int ret = 0, err;

	if (!w)
		return -1;
	d = w->back.port[1].dev;
	before = w->back.configured;
	err = host_ctrl(w, 1, 2, USB_DIR_OUT | USB_TYPE_STANDARD |
			USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, 0, 0,
			NULL, 0, NULL);
	if (err || d->config != 1) {
		ret = fail(why, len, "SET_CONFIGURATION 0: %d, device config %u; want 0 and 1",
			   err, d->config);
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_DIR_OUT | USB_TYPE_STANDARD |
			USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, 1, 0,
			NULL, 0, NULL);
	if (err || w->back.configured != before) {
		ret = fail(why, len, "SET_CONFIGURATION 0, 1 (active): %d, %llu reached it",
			   err, (unsigned long long)(w->back.configured - before));
		goto out;
	}
	err = host_ctrl(w, 1, 2, USB_DIR_OUT | USB_TYPE_STANDARD |
			USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, 7, 0,
			NULL, 0, NULL);
	if (err != -EPIPE) {
		ret = fail(why, len, "SET_CONFIGURATION 7 (absent): %d, want -EPIPE", err);
		goto out;
	}
	err = loop_out(w, &c, 4096, 0);
	if (!err)
		err = loop_in(w, &c, 4096, 0);
	if (err) {
		ret = fail(why, len, "bulk after the local SET_CONFIGURATIONs: %d", err);
		goto out;
	}
	if (loop_verify(w, &c, why, len))
		ret = -1;
out:
	return finish(w, ret, 0, why, len);
}

/*
 * Back-pressure: a backend that finds no memory leaves the request on
 * the ring and retries it later (usbback's retry_ms); the transfer then
 * completes once, as if nothing happened.
 */
static int nomem_backpressure(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one(vdev_loop_new(XENUSB_SPEED_HIGH), 2, why, len);
	u64 reqs, rsps, t0;
	int ret = 0, err;

	if (!w)
		return -1;
	reqs = sback_requests(w);
	rsps = w->back.responses;
	t0 = w->now;
	w->back.nomem = 3;
	err = loop_out(w, &c, 8192, 0);
	if (err || w->back.nomem_hits != 3) {
		ret = fail(why, len, "bulk OUT under back-pressure: %d, %llu -ENOMEM; want 0 and 3",
			   err, (unsigned long long)w->back.nomem_hits);
		goto out;
	}
	if (sback_requests(w) - reqs != 1 || w->back.responses - rsps != 1 ||
	    w->now - t0 < 3 * SBACK_RETRY_MS) {
		ret = fail(why, len, "%llu taken, %llu answered in %llu ms; want 1, 1, >= %u",
			   (unsigned long long)(sback_requests(w) - reqs),
			   (unsigned long long)(w->back.responses - rsps),
			   (unsigned long long)(w->now - t0), 3 * SBACK_RETRY_MS);
		goto out;
	}
	if (loop_verify(w, &c, why, len))
		ret = -1;
out:
	return finish(w, ret, 0, why, len);
}

/* ------------------------------------------------------------------ */
/* large transfers: indirect requests                                  */

#define MIB	(1024u * 1024u)

/*
 * One bulk OUT and one bulk IN of @n bytes at buffer offset @offset;
 * @reqs receives the requests the frontend sent for the two.
 */
static int large_pair(struct sim *w, struct loopctx *c, u32 n, u32 offset,
		      u64 *reqs, char *why, size_t len)
{
	u64 r0 = w->front.requests;
	int err;

	err = loop_out(w, c, n, offset);
	if (err)
		return fail(why, len, "bulk OUT of %u bytes at %u: %d", n,
			    offset, err);
	err = loop_in(w, c, n, offset);
	if (err)
		return fail(why, len, "bulk IN of %u bytes at %u: %d", n,
			    offset, err);
	*reqs = w->front.requests - r0;
	return 0;
}

/* 1 MiB each way in one request per URB, through the real ring code. */
static int large_1mib(char *why, size_t len)
{
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one_ind(vdev_loop_new(XENUSB_SPEED_HIGH), 2,
				   XENUSB_MAX_INDIRECT_SEGS,
				   XENUSB_MAX_INDIRECT_SEGS, why, len);
	u64 reqs, ind, rej;
	int ret = 0;

	if (!w)
		return -1;
	rej = w->back.rejected;
	ind = w->back.indirect;
	if (large_pair(w, &c, MIB, 0, &reqs, why, len)) {
		ret = -1;
		goto out;
	}
	if (reqs != 2 || w->back.indirect - ind != 2) {
		ret = fail(why, len, "1 MiB each way took %llu requests, %llu indirect (want 2, 2)",
			   (unsigned long long)reqs,
			   (unsigned long long)(w->back.indirect - ind));
		goto out;
	}
	/* 257 pages at an odd offset: one full request and the rest. */
	if (large_pair(w, &c, MIB, 3000, &reqs, why, len)) {
		ret = -1;
		goto out;
	}
	if (reqs != 4) {
		ret = fail(why, len, "1 MiB at offset 3000 each way took %llu requests (want 4)",
			   (unsigned long long)reqs);
		goto out;
	}
	/* Small transfers stay direct: nothing for an old backend to see. */
	ind = w->back.indirect;
	if (large_pair(w, &c, 4096, 0, &reqs, why, len)) {
		ret = -1;
		goto out;
	}
	if (w->back.indirect != ind) {
		ret = fail(why, len, "a 4 KiB transfer went indirect");
		goto out;
	}
	if (w->back.rejected != rej) {
		ret = fail(why, len, "backend rejected %llu request(s), last %d",
			   (unsigned long long)(w->back.rejected - rej),
			   w->back.last_reject);
		goto out;
	}
	if (loop_verify(w, &c, why, len))
		ret = -1;
out:
	return finish(w, ret, 0, why, len);
}

/* Each side alone, and a smaller offer: the agreed size is what flows. */
static int large_negotiation(char *why, size_t len)
{
	static const struct { u16 offer, want, reqs, ind; } cases[] = {
		{ XENUSB_MAX_INDIRECT_SEGS, 0, 34, 0 },	/* old frontend */
		{ 0, XENUSB_MAX_INDIRECT_SEGS, 34, 0 },	/* old backend */
		{ 64, XENUSB_MAX_INDIRECT_SEGS, 8, 8 },	/* 256 KiB each */
		{ XENUSB_MAX_INDIRECT_SEGS, 128, 4, 4 },	/* 512 KiB each */
	};
	unsigned int k;

	for (k = 0; k < SIM_ARRAY_SIZE(cases); k++) {
		struct loopctx c = { .port = 1, .dev = 2 };
		struct sim *w = up_one_ind(vdev_loop_new(XENUSB_SPEED_HIGH), 2,
					   cases[k].offer, cases[k].want, why,
					   len);
		u64 reqs = 0, ind;
		bool bad;
		int ret = 0;

		if (!w)
			return -1;
		ind = w->back.indirect;
		if (large_pair(w, &c, MIB, 0, &reqs, why, len)) {
			ret = -1;
			goto next;
		}
		/* Base protocol: at least that many; indirect: exactly. */
		bad = reqs < cases[k].reqs ||
		      (cases[k].ind && reqs != cases[k].reqs) ||
		      w->back.indirect - ind != cases[k].ind;
		if (bad)
			ret = fail(why, len,
				   "offer %u want %u: %llu requests, %llu indirect (want %u, %u)",
				   cases[k].offer, cases[k].want,
				   (unsigned long long)reqs,
				   (unsigned long long)(w->back.indirect - ind),
				   cases[k].reqs, cases[k].ind);
		else if (loop_verify(w, &c, why, len))
			ret = -1;
next:
		if (finish(w, ret, 0, why, len))
			return -1;
	}
	return 0;
}

/*
 * A hand-made indirect bulk IN request of @n data pages of @data whose
 * descriptors sit in @descs (granted read-only as @grefs[@n]).
 */
static void raw_indirect(struct sim *w, struct xenusb_urb_request *rq,
			 u32 *grefs, u8 *data, u32 n,
			 struct xenusb_request_segment *descs)
{
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = XENUSB_PIPE_TYPE_BULK, .in = true };
	u32 i;

	memset(rq, 0, sizeof(*rq));
	rq->pipe = xenusb_pipe_encode(&p);
	rq->transfer_flags = XENUSB_INDIRECT;
	for (i = 0; i < n; i++) {
		grefs[i] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK,
					 data + i * SIM_PAGE, false);
		descs[i].gref = grefs[i];
		descs[i].offset = 0;
		descs[i].length = SIM_PAGE;
	}
	grefs[n] = sim_gnt_grant(&w->gt, SIM_DOM_FRONT, SIM_DOM_BACK, descs,
				 true);
	rq->nr_buffer_segs = 1;
	rq->seg[0].gref = grefs[n];
	rq->seg[0].offset = 0;
	rq->seg[0].length = n * XENUSB_INDIRECT_DESC_SIZE;
	xenusb_indirect_len_set(rq, n * SIM_PAGE);
}

/*
 * The hostile frontend's attacks on the indirect fields: each is
 * answered XENUSB_STATUS_INVAL and hurts nobody; a good indirect
 * request still works afterwards.
 */
static int hostile_frontend_indirect(char *why, size_t len)
{
	enum { GOOD, BAD_GREF, PAST_PAGE, OVER_MAX, LEN_OVER, LEN_UNDER,
	       DESC_EMPTY, NOT_NEGOTIATED, NR_ATTACKS };
	static const char * const names[] = {
		"good", "bad indirect gref", "segment past its page",
		"count over the max", "length above the segments",
		"length below the segments", "empty segment", "not negotiated",
	};
	struct loopctx c = { .port = 1, .dev = 2 };
	struct sim *w = up_one_ind(vdev_loop_new(XENUSB_SPEED_HIGH), 2, 8, 8,
				   why, len);
	u8 *data = sim_pages_alloc(9 * SIM_PAGE, 0);
	struct xenusb_request_segment *descs = sim_pages_alloc(SIM_PAGE, 0);
	struct xenusb_urb_request rq;
	struct sfront_raw res;
	u32 grefs[16], n, a;
	s32 want;
	int ret = 0, err;

	if (!w)
		goto out_free;
	if (!data || !descs) {
		ret = fail(why, len, "out of memory");
		goto out;
	}
	for (a = 0; a < NR_ATTACKS; a++) {
		n = a == OVER_MAX ? 9 : 8;
		raw_indirect(w, &rq, grefs, data, n, descs);
		switch (a) {
		case BAD_GREF:
			rq.seg[0].gref = 4000;	/* never granted */
			break;
		case PAST_PAGE:
			descs[3].offset = 100;
			break;
		case LEN_OVER:
			xenusb_indirect_len_set(&rq, n * SIM_PAGE + 1);
			break;
		case LEN_UNDER:
			xenusb_indirect_len_set(&rq, n * SIM_PAGE - 1);
			break;
		case DESC_EMPTY:
			descs[7].length = 0;
			xenusb_indirect_len_set(&rq, 7 * SIM_PAGE);
			break;
		case NOT_NEGOTIATED:
			w->back.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT] = 0;
			break;
		default:
			break;
		}
		err = raw_wait(w, &rq, grefs, n + 1, n * SIM_PAGE, &res);
		w->back.ring.feat.val[XENUSB_FEAT_MAX_INDIRECT] = 8;
		want = a == GOOD ? XENUSB_STATUS_OK : XENUSB_STATUS_INVAL;
		if (err || res.rsp.status != want ||
		    (a == GOOD && (u32)res.rsp.actual_length != n * SIM_PAGE)) {
			ret = fail(why, len, "%s: %d, status %d actual %d (want status %d)",
				   names[a], err, res.rsp.status,
				   res.rsp.actual_length, want);
			goto out;
		}
		if (a == GOOD) {
			for (n = 0; n < 8 * SIM_PAGE; n++)
				if (data[n] != vdev_loop_pattern(c.in_pos + n))
					break;
			if (n != 8 * SIM_PAGE) {
				ret = fail(why, len, "good: IN byte %u wrong", n);
				goto out;
			}
			c.in_pos += 8 * SIM_PAGE;
		}
	}
	/* The frontend's own path, after all that. */
	if (loop_in(w, &c, 8 * SIM_PAGE, 0)) {
		ret = fail(why, len, "indirect IN after the attacks failed");
		goto out;
	}
	if (w->back.fatal) {
		ret = fail(why, len, "the backend treated a bad request as fatal");
		goto out;
	}
out:
	ret = finish(w, ret, 0, why, len);
out_free:
	free(data);
	free(descs);
	return w ? ret : -1;
}

const struct sim_scenario sim_scenarios[] = {
	{ "gnttab_selftest", gnttab_selftest },
	{ "grant_discipline_negative", grant_discipline_negative },
	{ "connect_teardown", connect_teardown },
	{ "enum_loopback", enum_loopback },
	{ "enum_mouse", enum_mouse },
	{ "enum_msc", enum_msc },
	{ "replug", replug },
	{ "conn_ring_laps", conn_ring_laps },
	{ "ctrl_in_out", ctrl_in_out },
	{ "bulk_in_out", bulk_in_out },
	{ "bulk_split_large", bulk_split_large },
	{ "interrupt_mouse", interrupt_mouse },
	{ "iso_loopback", iso_loopback },
	{ "msc_write_read", msc_write_read },
	{ "unlink_before_completion", unlink_before_completion },
	{ "unlink_after_completion", unlink_after_completion },
	{ "unlink_unknown_id", unlink_unknown_id },
	{ "unplug_mid_transfer", unplug_mid_transfer },
	{ "ring_full_backpressure", ring_full_backpressure },
	{ "setconfig_local", setconfig_local },
	{ "nomem_backpressure", nomem_backpressure },
	{ "fuzz_corpus_back", sim_fuzz_corpus_back },
	{ "features_negotiate", sim_features_negotiate },
	{ "features_zlp", sim_features_zlp },
	{ "features_port_reset", sim_features_port_reset },
	{ "ports_31", ports_31 },
	{ "wrap_64k", wrap_64k },
	{ "large_1mib", large_1mib },
	{ "large_negotiation", large_negotiation },
	{ "hostile_frontend_indirect", hostile_frontend_indirect },
	{ "hostile_frontend", hostile_frontend },
	{ "hostile_frontend_overflow", hostile_frontend_overflow },
	{ "hostile_frontend_dup_id", hostile_frontend_dup_id },
	{ "hostile_backend_bad_id", hostile_backend_bad_id },
	{ "hostile_backend_dup_rsp", hostile_backend_dup_rsp },
	{ "hostile_backend_oversize", hostile_backend_oversize },
	{ "hostile_backend_rsp_overflow", hostile_backend_rsp_overflow },
	{ "hostile_backend_conn_port", hostile_backend_conn_port },
	{ "hostile_backend_iso_desc", hostile_backend_iso_desc },
	{ NULL, NULL },
};
