// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios of the negotiated extensions
 * (include/xenusb_features.h): both sides' negotiation code against a
 * xenstore of strings for every combination of switches and old peers,
 * then ZLP and port reset through the real ring code of both cores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"
#include "scen_features.h"

#define fail(why, len, ...)	(snprintf(why, len, __VA_ARGS__), -1)

#define LOOP_MAXP	512

/**
 * struct xs_dirs - the two xenstore directories, feature keys only
 * @back: the backend's values, "" for no key
 * @front: the frontend's values, "" for no key
 */
struct xs_dirs {
	char back[XENUSB_FEAT_NR][16];
	char front[XENUSB_FEAT_NR][16];
};

/*
 * The xenbus handshake of both modules, on strings: the backend offers
 * what @back_on has (none if @old_back: QEMU's qusb), the frontend picks
 * (nothing if @old_front: xen-hcd), the backend accepts. @bad, if not
 * NULL, replaces the backend's value of feature 0 (a garbage offer).
 * Return: 0, or the backend's refusal.
 */
static int handshake(struct sim *w, const struct xenusb_features *back_on,
		     const struct xenusb_features *front_on, bool old_back,
		     bool old_front, const char *bad, struct xs_dirs *xs)
{
	enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR];
	const char *offer[XENUSB_FEAT_NR], *used[XENUSB_FEAT_NR];
	struct xenusb_features offered = { 0 }, use = { 0 }, on = { 0 };
	unsigned int f;
	int err = 0;

	memset(xs, 0, sizeof(*xs));
	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		if (!old_back && back_on->val[f]) {
			offered.val[f] = xenusb_feat_max(f);
			snprintf(xs->back[f], sizeof(xs->back[f]), "%u",
				 offered.val[f]);
		}
		if (bad && !f)
			snprintf(xs->back[f], sizeof(xs->back[f]), "%s", bad);
		offer[f] = xs->back[f][0] ? xs->back[f] : NULL;
	}
	if (!old_front) {
		usbfront_feat_choose(front_on, offer, &use, verdict);
		for (f = 0; f < XENUSB_FEAT_NR; f++)
			if (use.val[f])
				snprintf(xs->front[f], sizeof(xs->front[f]),
					 "%u", use.val[f]);
	}
	for (f = 0; f < XENUSB_FEAT_NR; f++)
		used[f] = xs->front[f][0] ? xs->front[f] : NULL;
	if (!old_back)
		err = usbback_feat_accept(&offered, used, &on, verdict);
	if (w) {
		w->front.ring.feat = use;
		w->back.ring.feat = on;
	}
	return err;
}

static void both(struct xenusb_features *s, u32 zlp, u32 reset)
{
	memset(s, 0, sizeof(*s));
	s->val[XENUSB_FEAT_ZERO_PACKET] = zlp;
	s->val[XENUSB_FEAT_PORT_RESET] = reset;
}

/* Every combination: both switches of both sides, old peers, garbage. */
int sim_features_negotiate(char *why, size_t len)
{
	struct xenusb_features b, fr;
	struct xs_dirs xs;
	unsigned int m, f, peers;

	for (peers = 0; peers < 4; peers++) {
		bool old_back = peers & 1, old_front = peers & 2;

		for (m = 0; m < 16; m++) {
			both(&b, m & 1, !!(m & 2));
			both(&fr, !!(m & 4), !!(m & 8));
			if (handshake(NULL, &b, &fr, old_back, old_front, NULL,
				      &xs))
				return fail(why, len, "switches %#x peers %u: connection refused",
					    m, peers);
			for (f = 0; f < XENUSB_FEAT_NR; f++) {
				bool want = b.val[f] && fr.val[f] &&
					    !old_back && !old_front;
				bool fkey = xs.front[f][0];

				/* The frontend writes only what it uses. */
				if (fkey != want)
					return fail(why, len, "switches %#x peers %u feature %u: frontend key '%s', want %s",
						    m, peers, f, xs.front[f],
						    want ? "1" : "none");
				/* An old backend's directory stays clean. */
				if (old_back && xs.back[f][0])
					return fail(why, len, "old backend wrote %s",
						    xenusb_feat_key(f));
			}
		}
	}
	/* A garbage offer: that feature off on both sides, the other on. */
	both(&b, 1, 1);
	both(&fr, 1, 1);
	{
		struct sim *w = sim_new(1, 2);

		if (!w)
			return fail(why, len, "world setup failed");
		if (handshake(w, &b, &fr, false, false, "yes", &xs) ||
		    xs.front[0][0] || w->back.ring.feat.val[0] ||
		    w->front.ring.feat.val[0] ||
		    !w->back.ring.feat.val[1] || !w->front.ring.feat.val[1]) {
			sim_free(w);
			return fail(why, len, "garbage offer of %s: not off on both sides alone",
				    xenusb_feat_key(0));
		}
		sim_free(w);
	}
	return 0;
}

/* A world with @d on port 1 (address 2), negotiated before connecting. */
static struct sim *feat_world(struct vdev *d, bool back_on, bool front_on,
			      char *why, size_t len)
{
	struct xenusb_features b, fr;
	struct xs_dirs xs;
	struct sim *w = sim_new(2, 2);

	if (!w) {
		snprintf(why, len, "world setup failed");
		return NULL;
	}
	both(&b, back_on, back_on);
	both(&fr, front_on, front_on);
	sback_plug(w, 1, d);
	if (handshake(w, &b, &fr, false, false, NULL, &xs) ||
	    sim_connect(w) || host_power_ports(w) ||
	    host_enumerate(w, 1, 2, why, len)) {
		if (!why[0])
			snprintf(why, len, "connect or enumeration failed");
		sim_shutdown(w);
		sim_free(w);
		return NULL;
	}
	return w;
}

static int finish(struct sim *w, int ret, char *why, size_t len)
{
	char buf[256];

	sim_shutdown(w);
	if (sim_problems(w, 0, buf, sizeof(buf)) && !ret)
		ret = fail(why, len, "%s", buf);
	sim_free(w);
	return ret;
}

/*
 * A bulk OUT URB with URB_ZERO_PACKET, one request and one split across
 * two: negotiated, the flag rides on the last request and the device
 * sees one ZLP; not negotiated, an extra empty request as before.
 */
int sim_features_zlp(char *why, size_t len)
{
	static const u32 sizes[] = { 4 * LOOP_MAXP, 65536 + 4 * LOOP_MAXP };
	u8 *buf = calloc(1, sizes[1]);
	unsigned int on, k;
	int ret = 0, err;

	if (!buf)
		return fail(why, len, "out of memory");
	for (on = 0; on < 2 && !ret; on++) {
		struct vdev *d = vdev_loop_new(XENUSB_SPEED_HIGH);
		struct sim *w = feat_world(d, true, on, why, len);

		if (!w) {
			free(buf);
			return -1;
		}
		for (k = 0; k < SIM_ARRAY_SIZE(sizes) && !ret; k++) {
			u64 z = d->zlps, e = d->empty_outs;
			u64 fl = w->front.zlp_flags, rq = w->front.zlp_requests;

			err = host_xfer_zlp(w, 1, 2, 0x01, LOOP_MAXP, buf,
					    sizes[k]);
			if (err)
				ret = fail(why, len, "%u-byte ZLP URB (feature %s): %d",
					   sizes[k], on ? "on" : "off", err);
			else if (on && (d->zlps - z != 1 || d->empty_outs != e ||
					w->front.zlp_flags - fl != 1 ||
					w->front.zlp_requests != rq))
				ret = fail(why, len, "%u bytes, feature on: device ZLPs +%llu empty +%llu, flags +%llu extra requests +%llu; want 1 0 1 0",
					   sizes[k],
					   (unsigned long long)(d->zlps - z),
					   (unsigned long long)(d->empty_outs - e),
					   (unsigned long long)(w->front.zlp_flags - fl),
					   (unsigned long long)(w->front.zlp_requests - rq));
			else if (!on && (d->zlps != z || d->empty_outs - e != 1 ||
					 w->front.zlp_flags != fl ||
					 w->front.zlp_requests - rq != 1))
				ret = fail(why, len, "%u bytes, feature off: device ZLPs +%llu empty +%llu, flags +%llu extra requests +%llu; want 0 1 0 1",
					   sizes[k],
					   (unsigned long long)(d->zlps - z),
					   (unsigned long long)(d->empty_outs - e),
					   (unsigned long long)(w->front.zlp_flags - fl),
					   (unsigned long long)(w->front.zlp_requests - rq));
		}
		ret = finish(w, ret, why, len);
	}
	free(buf);
	return ret;
}

/*
 * The device is enumerated (its first reset stays in the frontend), then
 * its port is reset and the device addressed afresh, as usb_reset_device()
 * in the guest does: negotiated, the backend resets the device once and
 * drops its address with the reset; not negotiated, the reset never leaves
 * the frontend. Either way the device answers afterwards.
 */
int sim_features_port_reset(char *why, size_t len)
{
	u8 buf[LOOP_MAXP] = { 0 };
	unsigned int on;
	int ret = 0, err;
	u8 speed;

	for (on = 0; on < 2 && !ret; on++) {
		struct vdev *d = vdev_loop_new(XENUSB_SPEED_HIGH);
		struct sim *w = feat_world(d, on, true, why, len);
		const u8 *port_of;

		if (!w)
			return -1;
		port_of = w->back.ring.addr.port_of;
		if (d->resets || w->front.port_resets) {
			ret = fail(why, len, "the first reset of a new device reached the backend");
			goto next;
		}
		err = host_port_reset(w, 1, &speed);
		if (err || speed != XENUSB_SPEED_HIGH) {
			ret = fail(why, len, "feature %s: port reset %d, speed %u",
				   on ? "on" : "off", err, speed);
			goto next;
		}
		if (d->resets != on || w->front.port_resets != on ||
		    port_of[2] != (on ? 0 : 1)) {
			ret = fail(why, len, "feature %s: device resets %llu, requests %llu, address 2 on port %u",
				   on ? "on" : "off",
				   (unsigned long long)d->resets,
				   (unsigned long long)w->front.port_resets,
				   port_of[2]);
			goto next;
		}
		err = host_ctrl(w, 1, 0, USB_DIR_OUT, USB_REQ_SET_ADDRESS, 3, 0,
				NULL, 0, NULL);
		if (!err)
			err = host_ctrl(w, 1, 3, USB_DIR_OUT,
					USB_REQ_SET_CONFIGURATION,
					d->cfg_desc[5], 0, NULL, 0, NULL);
		if (!err)
			err = host_xfer(w, 1, 3, XENUSB_PIPE_TYPE_BULK, 0x01,
					LOOP_MAXP, buf, sizeof(buf), 0, NULL);
		if (err || port_of[2] || port_of[3] != 1)
			ret = fail(why, len, "feature %s: after the reset: %d, address 3 on port %u",
				   on ? "on" : "off", err, port_of[3]);
next:
		ret = finish(w, ret, why, len);
	}
	return ret;
}
