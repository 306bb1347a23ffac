// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: plug/unplug events waiting for a conn-ring request.
 *
 * The frontend pre-posts conn-ring requests; each event consumes one, and
 * there may be none free when a device comes or goes. Only the latest
 * state of a port matters to the frontend, so instead of a list of events
 * the queue keeps, per port, what the frontend should see (@wanted) and
 * what it was last told (@told), plus a FIFO of ports whose two differ.
 *
 * Replacing a device needs two events, 0 then the new speed: xen-hcd
 * ignores an event whose speed equals the one it has, and a connect event
 * that is not preceded by a disconnect leaves the port enabled, so the
 * guest's hub driver would keep talking to the old device's state.
 */

#include <linux/string.h>

#include "core.h"

/* Position @i of the FIFO, counted from its oldest entry. */
static unsigned int conn_slot(const struct usbback_conn_queue *q,
			      unsigned int i)
{
	return (q->head + i) % XENUSB_MAX_PORTNR;
}

static void conn_enqueue(struct usbback_conn_queue *q, u8 port)
{
	if (q->queued[port])
		return;
	q->fifo[conn_slot(q, q->count)] = port;
	q->count++;
	q->queued[port] = true;
}

/* Remove @port wherever it sits, keeping the others in order. */
static void conn_dequeue(struct usbback_conn_queue *q, u8 port)
{
	unsigned int i, j;

	if (!q->queued[port])
		return;
	for (i = 0; i < q->count; i++)
		if (q->fifo[conn_slot(q, i)] == port)
			break;
	for (j = i; j + 1 < q->count; j++)
		q->fifo[conn_slot(q, j)] = q->fifo[conn_slot(q, j + 1)];
	q->count--;
	q->queued[port] = false;
}

/**
 * usbback_conn_init() - an empty queue for a controller
 * @q: queue to initialise
 * @nports: number of ports of the controller, 1..XENUSB_MAX_PORTNR
 *
 * Every port starts empty, as a freshly connected frontend assumes.
 *
 * Return: 0, or -EINVAL for a bad @nports (then @q accepts no event).
 */
int usbback_conn_init(struct usbback_conn_queue *q, u8 nports)
{
	memset(q, 0, sizeof(*q));
	if (nports < 1 || nports > XENUSB_MAX_PORTNR)
		return -EINVAL;
	q->nports = nports;
	return 0;
}

/**
 * usbback_conn_set() - a device appeared on or left a port
 * @q: queue
 * @port: port, 1..@q->nports
 * @speed: XENUSB_SPEED_NONE for an unplug, else the new device's speed
 *
 * The caller reports real transitions only, so a nonzero @speed always
 * means a new device, even if the port already holds one at the same
 * speed. If the frontend was told about a device on this port, it is then
 * told 0 before @speed. An unplug of a device the frontend has not been
 * told about yet cancels that plug: the frontend sees nothing.
 *
 * Return: 0, or -EINVAL for a bad @port or @speed.
 */
int usbback_conn_set(struct usbback_conn_queue *q, u8 port, u8 speed)
{
	if (port < 1 || port > q->nports || speed > XENUSB_SPEED_MAX)
		return -EINVAL;

	q->wanted[port] = speed;
	if (speed) {
		q->replug[port] = q->told[port] != XENUSB_SPEED_NONE;
		conn_enqueue(q, port);
		return 0;
	}

	q->replug[port] = false;
	if (q->told[port] != XENUSB_SPEED_NONE)
		conn_enqueue(q, port);
	else
		conn_dequeue(q, port);
	return 0;
}

/**
 * usbback_conn_replay() - the frontend (re)connected and knows nothing
 * @q: queue
 *
 * A new frontend believes every port empty: forget what the previous one
 * was told and queue every occupied port, in port order. Pending events
 * for the old frontend are dropped with it.
 */
void usbback_conn_replay(struct usbback_conn_queue *q)
{
	unsigned int port;

	q->head = 0;
	q->count = 0;
	for (port = 0; port <= XENUSB_MAX_PORTNR; port++) {
		q->told[port] = XENUSB_SPEED_NONE;
		q->replug[port] = false;
		q->queued[port] = false;
	}
	for (port = 1; port <= q->nports; port++)
		if (q->wanted[port] != XENUSB_SPEED_NONE)
			conn_enqueue(q, (u8)port);
}

/**
 * usbback_conn_pending() - is there an event to send
 * @q: queue
 *
 * Return: true if usbback_conn_pop() would return an event.
 */
bool usbback_conn_pending(const struct usbback_conn_queue *q)
{
	return q->count != 0;
}

/**
 * usbback_conn_pop() - the next event to put on the conn ring
 * @q: queue
 * @port: set to the event's port
 * @speed: set to the event's speed (XENUSB_SPEED_NONE for an unplug)
 *
 * The oldest port with news goes first. A replaced device yields two
 * events for its port, 0 and then the new speed, on consecutive calls.
 * Call it only when a conn-ring request is available: the event counts as
 * told once returned.
 *
 * Return: false if there is nothing to send (@port and @speed untouched).
 */
bool usbback_conn_pop(struct usbback_conn_queue *q, u8 *port, u8 *speed)
{
	u8 p;

	if (!q->count)
		return false;
	p = q->fifo[q->head];

	if (q->replug[p]) {
		/* The port stays at the head for the new device's event. */
		q->replug[p] = false;
		q->told[p] = XENUSB_SPEED_NONE;
		*port = p;
		*speed = XENUSB_SPEED_NONE;
		return true;
	}

	q->told[p] = q->wanted[p];
	q->queued[p] = false;
	q->head = conn_slot(q, 1);
	q->count--;
	*port = p;
	*speed = q->told[p];
	return true;
}
