// SPDX-License-Identifier: GPL-2.0
/*
 * HID boot mouse (full speed, interrupt IN 0x81, 4-byte reports every
 * 10 ms) whose pointer runs round a circle: report k moves from point
 * k-1 to point k of VDEV_MOUSE_STEPS points on a circle of radius
 * VDEV_MOUSE_RADIUS, so the deltas of one lap add up to zero and every
 * partial sum lies on the circle. A transfer completes at the device's
 * next report time, which keeps interrupt URBs in flight for a while.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"

#define MOUSE_REPORT	4
#define HID_DT_HID	0x21
#define HID_DT_REPORT	0x22
#define HID_REQ_GET_REPORT	0x01
#define HID_REQ_GET_PROTOCOL	0x03
#define HID_REQ_SET_IDLE	0x0a
#define HID_REQ_SET_PROTOCOL	0x0b

/* bmRequestType << 8 | bRequest of the class requests answered here. */
#define HID_IN		(USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE)
#define HID_OUT		(USB_TYPE_CLASS | USB_RECIP_INTERFACE)
#define HID_GET_PROTOCOL	(HID_IN << 8 | HID_REQ_GET_PROTOCOL)
#define HID_GET_REPORT		(HID_IN << 8 | HID_REQ_GET_REPORT)
#define HID_SET_IDLE		(HID_OUT << 8 | HID_REQ_SET_IDLE)
#define HID_SET_PROTOCOL	(HID_OUT << 8 | HID_REQ_SET_PROTOCOL)

/* Three buttons, X, Y, wheel: the usual boot-compatible layout. */
static const u8 mouse_report_desc[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00,
	0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01,
	0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05,
	0x81, 0x01, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09, 0x38,
	0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x03, 0x81, 0x06,
	0xc0, 0xc0,
};

#define MOUSE_CFG_LEN	(9 + 9 + 9 + 7)

static const u8 mouse_dev[USB_DT_DEVICE_SIZE] = {
	USB_DT_DEVICE_SIZE, USB_DT_DEVICE, 0x00, 0x02, 0, 0, 0, 8,
	0x09, 0x12, 0x01, 0x00,	/* 1209:0001, pid.codes test id */
	0x00, 0x01, 0, 0, 0, 1
};

static const u8 mouse_cfg[MOUSE_CFG_LEN] = {
	USB_DT_CONFIG_SIZE, USB_DT_CONFIG, MOUSE_CFG_LEN, 0, 1, 1, 0,
	USB_CONFIG_ATT_ONE, 50,
	USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE, 0, 0, 1, USB_CLASS_HID,
	1, 2, 0,
	9, HID_DT_HID, 0x11, 0x01, 0, 1, HID_DT_REPORT,
	sizeof(mouse_report_desc), 0,
	USB_DT_ENDPOINT_SIZE, USB_DT_ENDPOINT, USB_DIR_IN | 1,
	USB_ENDPOINT_XFER_INT, MOUSE_REPORT, 0, VDEV_MOUSE_INTERVAL,
};

struct vdev_mouse {
	struct vdev d;
	s8 x[VDEV_MOUSE_STEPS];
	s8 y[VDEV_MOUSE_STEPS];
	u32 step;
	u64 next_tick;
	u8 protocol;
};

static struct vdev_mouse *to_mouse(struct vdev *d)
{
	return d->priv;
}

static int mouse_control(struct vdev *d, const u8 *setup, u8 *buf, u32 len,
			 u32 *actual)
{
	struct vdev_mouse *m = to_mouse(d);
	const void *src = NULL;
	u32 n = 0;
	u8 zero[MOUSE_REPORT] = { 0 };

	switch (setup[0] << 8 | setup[1]) {
	case (USB_DIR_IN | USB_RECIP_INTERFACE) << 8 | USB_REQ_GET_DESCRIPTOR:
		if (setup[3] == HID_DT_REPORT) {
			src = mouse_report_desc;
			n = sizeof(mouse_report_desc);
		} else if (setup[3] == HID_DT_HID) {
			src = mouse_cfg + 18;
			n = 9;
		} else {
			return -EPIPE;
		}
		break;
	case HID_SET_IDLE:
		return 0;
	case HID_SET_PROTOCOL:
		m->protocol = setup[2];
		return 0;
	case HID_GET_PROTOCOL:
		src = &m->protocol;
		n = 1;
		break;
	case HID_GET_REPORT:
		src = zero;
		n = MOUSE_REPORT;
		break;
	default:
		return -EPIPE;
	}
	if (n > len)
		n = len;
	memcpy(buf, src, n);
	*actual = n;
	return 0;
}

static void mouse_xfer(struct vdev *d, struct vdev_xfer *x)
{
	struct vdev_mouse *m = to_mouse(d);
	u32 prev, cur;

	if (x->type != XENUSB_PIPE_TYPE_INT || !x->in || x->ep != 1) {
		x->status = -EPIPE;
		return;
	}
	if (x->len < MOUSE_REPORT) {
		/* The device sends its whole report: babble. */
		x->status = -EOVERFLOW;
		return;
	}
	prev = m->step % VDEV_MOUSE_STEPS;
	cur = ++m->step % VDEV_MOUSE_STEPS;
	x->buf[0] = 0;
	x->buf[1] = (u8)(m->x[cur] - m->x[prev]);
	x->buf[2] = (u8)(m->y[cur] - m->y[prev]);
	x->buf[3] = 0;
	x->actual = MOUSE_REPORT;
}

static u64 mouse_due(struct vdev *d, const struct vdev_xfer *x, u64 now)
{
	struct vdev_mouse *m = to_mouse(d);
	u64 due;

	if (x->type != XENUSB_PIPE_TYPE_INT)
		return now;
	/* One report per interval; queued URBs take successive ones. */
	due = m->next_tick > now ? m->next_tick : now;
	m->next_tick = due + VDEV_MOUSE_INTERVAL;
	return due;
}

static void mouse_reset(struct vdev *d)
{
	struct vdev_mouse *m = to_mouse(d);

	m->step = 0;
	m->protocol = 1;
}

static void mouse_destroy(struct vdev *d)
{
	free(to_mouse(d));
}

static const struct vdev_ops mouse_ops = {
	.control = mouse_control,
	.xfer = mouse_xfer,
	.due = mouse_due,
	.reset = mouse_reset,
	.destroy = mouse_destroy,
};

/**
 * vdev_mouse_new() - a HID boot mouse drawing a circle
 *
 * Return: the device, or NULL on allocation failure.
 */
struct vdev *vdev_mouse_new(void)
{
	struct vdev_mouse *m = calloc(1, sizeof(*m));
	u32 k;

	if (!m)
		return NULL;
	for (k = 0; k < VDEV_MOUSE_STEPS; k++) {
		double a = 2 * M_PI * k / VDEV_MOUSE_STEPS;

		m->x[k] = (s8)lround(VDEV_MOUSE_RADIUS * cos(a));
		m->y[k] = (s8)lround(VDEV_MOUSE_RADIUS * sin(a));
	}
	m->protocol = 1;
	m->d.name = "mouse";
	m->d.ops = &mouse_ops;
	m->d.speed = XENUSB_SPEED_FULL;
	m->d.dev_desc = mouse_dev;
	m->d.cfg_desc = mouse_cfg;
	m->d.cfg_len = MOUSE_CFG_LEN;
	m->d.priv = m;
	return &m->d;
}
