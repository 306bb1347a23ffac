// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios: connection, hotplug and enumeration, up to 31 ports.
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

static int connect_teardown(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct vdev *devs[4] = { vdev_loop_new(XENUSB_SPEED_HIGH), NULL,
				 vdev_mouse_new(), NULL };
	struct sim *w = world_up(&t, 4, 2, devs);
	u64 spur;

	if (!w)
		goto out;
	if (!expect(&t, !host_wait_port(w, 1, true) && !host_wait_port(w, 3, true),
		    "replayed ports not seen connected"))
		goto out;
	sim_advance(w, 5);
	if (!expect(&t,
		    w->front.conn_events == 2 && w->front.port_events[1] == 1 &&
		    w->front.port_events[3] == 1,
		    "%llu conn events (port 1: %u, port 3: %u), want 1 each",
		    (unsigned long long)w->front.conn_events, w->front.port_events[1],
		    w->front.port_events[3]))
		goto out;
	if (!expect(&t, w->front.rh.port[1].status == USB_PORT_STAT_POWER,
		    "empty port 2 shows status %#x", w->front.rh.port[1].status))
		goto out;
	/* A notification with no work is EOIed as spurious. */
	spur = w->ev.end[SIM_SIDE_BACK].spurious;
	sim_evtchn_notify(&w->ev, SIM_SIDE_FRONT);
	sim_advance(w, 1);
	if (!expect(&t, w->ev.end[SIM_SIDE_BACK].spurious == spur + 1,
		    "spurious event not EOIed as such (%llu -> %llu, %llu in)",
		    (unsigned long long)spur, (unsigned long long)w->ev.end[SIM_SIDE_BACK].spurious,
		    (unsigned long long)w->ev.end[SIM_SIDE_BACK].delivered))
		goto out;
	if (!expect(&t, w->gt.alive == 2 && w->gt.maps_alive == 2,
		    "%u grants, %u mappings alive; want the two rings only", w->gt.alive,
		    w->gt.maps_alive))
		goto out;
out:
	return finish(&t, w, 0);
}

static int enumerate_one(struct vdev *d, char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, d, 5);
	u8 st[2];
	int err;

	if (!w)
		return -1;
	if (!expect(&t, usbback_addr_route(&w->back.ring.addr, 1, 5) == 1,
		    "address 5 not recorded for port 1"))
		goto out;
	if (!expect(&t, d->ctrl_requests >= 4, "device saw %llu control requests",
		    (unsigned long long)d->ctrl_requests))
		goto out;
	err = host_ctrl(w, 1, 5, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!expect(&t, err == 0, "GET_STATUS at the new address: %d", err))
		goto out;
	err = host_ctrl(w, 1, 9, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!expect(&t, err == -ENODEV,
		    "request to an unassigned address: %d, want -ENODEV", err))
		goto out;
	err = host_ctrl(w, 2, 0, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!expect(&t, err == -ENODEV,
		    "request to the empty port: %d, want -ENODEV", err))
		goto out;
out:
	return finish(&t, w, 0);
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
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, vdev_loop_new(XENUSB_SPEED_HIGH), 4);
	u8 st[2];
	int err;

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
	if (!expect(&t, w->front.port_events[1] == 3 && w->front.port_events[2] == 0,
		    "port 1: %u events (want 3), port 2: %u (want 0)", w->front.port_events[1],
		    w->front.port_events[2]))
		goto out;
	if (!expect(&t, !host_wait_port(w, 1, true), "new device never shown"))
		goto out;
	if (!expect(&t, w->front.rh.port[0].change & USB_PORT_STAT_C_CONNECTION,
		    "no C_CONNECTION after the replacement"))
		goto out;
	err = host_ctrl(w, 1, 4, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, st, 2,
			NULL);
	if (!expect(&t, err == -ENODEV,
		    "old address still routed after the replacement: %d", err))
		goto out;
	if (!expect_ok(&t, host_enumerate(w, 1, 6, t.why, t.len)))
		goto out;
	if (!expect(&t, w->back.port[1].dev->speed == XENUSB_SPEED_FULL &&
		    w->back.port[1].dev->config == 1, "mouse not configured"))
		goto out;
out:
	return finish(&t, w, 0);
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
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, vdev_loop_new(XENUSB_SPEED_HIGH), 2);
	u32 before;
	int i;

	if (!w)
		return -1;
	before = w->front.port_events[1];
	for (i = 0; i < 300; i++) {
		sback_unplug(w, 1);
		sim_advance(w, 2);
		sback_plug(w, 1, vdev_loop_new(XENUSB_SPEED_HIGH));
		sim_advance(w, 2);
	}
	if (!expect(&t, w->front.port_events[1] - before == 600,
		    "port 1: %u events after 300 replugs, want 600",
		    w->front.port_events[1] - before))
		goto out;
	if (!expect(&t, !host_wait_port(w, 1, true),
		    "device not shown after the last plug"))
		goto out;
	expect_ok(&t, host_enumerate(w, 1, 3, t.why, t.len));
out:
	return finish(&t, w, 0);
}

static int ports_31(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct vdev *devs[XENUSB_MAX_PORTNR];
	struct sim *w;
	u8 port, rep[4], cdb[6] = { 0 };
	u32 actual, residue;
	bool stalled;
	int err;

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
	w = world_up(&t, XENUSB_MAX_PORTNR, 2, devs);
	if (!w)
		goto out;
	for (port = 1; port <= XENUSB_MAX_PORTNR; port++)
		if (!expect_ok(&t, host_enumerate(w, port, port + 1, t.why, t.len)))
			goto out;
	if (!expect(&t, w->front.conn_events == XENUSB_MAX_PORTNR,
		    "%llu conn events for 31 devices", (unsigned long long)w->front.conn_events))
		goto out;
	/* An address is only good on its own port. */
	err = host_ctrl(w, 2, 2, USB_DIR_IN, USB_REQ_GET_STATUS, 0, 0, rep, 2,
			NULL);
	if (!expect(&t, err == -ENODEV,
		    "port 2 reached with port 1's address: %d", err))
		goto out;
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
		if (!expect(&t, !err, "port %u (%s): transfer %d", port,
			    w->back.port[port].dev->name, err))
			goto out;
	}
out:
	return finish(&t, w, 0);
}

const struct sim_scenario sim_scenarios_conn[] = {
	{ "connect_teardown", connect_teardown },
	{ "enum_loopback", enum_loopback },
	{ "enum_mouse", enum_mouse },
	{ "enum_msc", enum_msc },
	{ "replug", replug },
	{ "conn_ring_laps", conn_ring_laps },
	{ "ports_31", ports_31 },
	{ NULL, NULL },
};
