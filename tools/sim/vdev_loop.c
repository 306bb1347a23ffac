// SPDX-License-Identifier: GPL-2.0
/*
 * Source/sink loopback device, after g_zero's SourceSink function:
 * bulk OUT 0x01 is a sink that checks the byte pattern (stream offset
 * modulo 63), bulk IN 0x81 a source of the same pattern. Altsetting 1
 * adds isochronous 0x03 OUT / 0x83 IN, a packet loopback: packets sent
 * OUT come back, in order, on IN. Vendor requests: 0x5b writes and 0x5c
 * reads back a 4 KiB control buffer (as g_zero), 0x5d returns counters.
 */

#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"

#define LOOP_ISO_FIFO	64
#define LOOP_ISO_MAXP	1024
#define LOOP_CFG_LEN	(9 + 9 + 7 + 7 + 9 + 4 * 7)

struct vdev_loop {
	struct vdev d;
	u8 dev_desc[USB_DT_DEVICE_SIZE];
	u8 cfg[LOOP_CFG_LEN];
	u8 ctrl[VDEV_LOOP_BUFLEN];
	u32 ctrl_len;
	u32 sink_pos;
	u32 sink_errors;
	u32 source_pos;
	u32 iso_packets;
	u32 in_delay_ms;
	bool bench;
	u8 iso[LOOP_ISO_FIFO][LOOP_ISO_MAXP];
	u16 iso_len[LOOP_ISO_FIFO];
	u32 iso_head;
	u32 iso_count;
};

static struct vdev_loop *to_loop(struct vdev *d)
{
	return d->priv;
}

static u8 *put_ep(u8 *p, u8 addr, u8 attr, u16 maxp, u8 interval)
{
	p[0] = USB_DT_ENDPOINT_SIZE;
	p[1] = USB_DT_ENDPOINT;
	p[2] = addr;
	p[3] = attr;
	p[4] = maxp & 0xff;
	p[5] = maxp >> 8;
	p[6] = interval;
	return p + USB_DT_ENDPOINT_SIZE;
}

static u8 *put_intf(u8 *p, u8 alt, u8 neps)
{
	static const u8 intf[USB_DT_INTERFACE_SIZE] = {
		USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE, 0, 0, 0,
		USB_CLASS_VENDOR_SPEC, 0, 0, 0
	};

	memcpy(p, intf, sizeof(intf));
	p[3] = alt;
	p[4] = neps;
	return p + USB_DT_INTERFACE_SIZE;
}

static void loop_reset(struct vdev *d)
{
	struct vdev_loop *lp = to_loop(d);

	lp->sink_pos = 0;
	lp->source_pos = 0;
	lp->iso_head = 0;
	lp->iso_count = 0;
}

static void put32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static int loop_control(struct vdev *d, const u8 *setup, u8 *buf, u32 len,
			u32 *actual)
{
	struct vdev_loop *lp = to_loop(d);
	u8 stats[16];
	u32 n;

	switch (setup[0] << 8 | setup[1]) {
	case (USB_TYPE_VENDOR | USB_DIR_OUT) << 8 | VDEV_LOOP_REQ_WRITE:
		if (len > sizeof(lp->ctrl))
			return -EPIPE;
		memcpy(lp->ctrl, buf, len);
		lp->ctrl_len = len;
		*actual = len;
		return 0;
	case (USB_TYPE_VENDOR | USB_DIR_IN) << 8 | VDEV_LOOP_REQ_READ:
		n = len < lp->ctrl_len ? len : lp->ctrl_len;
		memcpy(buf, lp->ctrl, n);
		*actual = n;
		return 0;
	case (USB_TYPE_VENDOR | USB_DIR_IN) << 8 | VDEV_LOOP_REQ_STATS:
		put32(stats, lp->sink_pos);
		put32(stats + 4, lp->sink_errors);
		put32(stats + 8, lp->source_pos);
		put32(stats + 12, lp->iso_packets);
		n = len < sizeof(stats) ? len : sizeof(stats);
		memcpy(buf, stats, n);
		*actual = n;
		return 0;
	default:
		return -EPIPE;
	}
}

static void loop_iso(struct vdev_loop *lp, struct vdev_xfer *x)
{
	u16 i;

	for (i = 0; i < x->nr_packets; i++) {
		struct xenusb_iso_desc *p = &x->iso[i];
		u32 slot, n;

		p->actual_length = 0;
		p->status = 0;
		if (x->in) {
			if (!lp->iso_count)
				continue;
			slot = lp->iso_head;
			n = lp->iso_len[slot];
			if (n > p->length) {
				n = p->length;
				p->status = -EOVERFLOW;
				x->error_count++;
			}
			memcpy(x->buf + p->offset, lp->iso[slot], n);
			lp->iso_head = (slot + 1) % LOOP_ISO_FIFO;
			lp->iso_count--;
		} else {
			n = p->length;
			if (n > LOOP_ISO_MAXP || lp->iso_count == LOOP_ISO_FIFO) {
				p->status = -ENOSR;
				x->error_count++;
				continue;
			}
			slot = (lp->iso_head + lp->iso_count) % LOOP_ISO_FIFO;
			memcpy(lp->iso[slot], x->buf + p->offset, n);
			lp->iso_len[slot] = n;
			lp->iso_count++;
		}
		p->actual_length = n;
		x->actual += n;
		lp->iso_packets++;
	}
}

static void loop_xfer(struct vdev *d, struct vdev_xfer *x)
{
	struct vdev_loop *lp = to_loop(d);
	u32 i;

	if (x->type == XENUSB_PIPE_TYPE_ISOC && x->ep == 3 && d->alt[0] == 1) {
		loop_iso(lp, x);
		return;
	}
	if (x->type != XENUSB_PIPE_TYPE_BULK || x->ep != 1) {
		x->status = -EPIPE;
		return;
	}
	if (lp->bench) {
		/* Benchmark: the bus moves the bytes, nobody looks at them. */
		x->actual = x->len;
		return;
	}
	if (x->in) {
		u32 n = x->len;

		/*
		 * The source always has data and sends full packets: a
		 * buffer that is not a whole number of packets overflows
		 * on the last one (babble), as with g_zero and usbtest.
		 */
		if (x->maxp && n % x->maxp) {
			n -= n % x->maxp;
			x->status = -EOVERFLOW;
		}
		for (i = 0; i < n; i++)
			x->buf[i] = vdev_loop_pattern(lp->source_pos + i);
		lp->source_pos += n;
		x->actual = n;
		return;
	}
	for (i = 0; i < x->len; i++)
		if (x->buf[i] != vdev_loop_pattern(lp->sink_pos + i))
			lp->sink_errors++;
	lp->sink_pos += x->len;
	x->actual = x->len;
}

static u64 loop_due(struct vdev *d, const struct vdev_xfer *x, u64 now)
{
	struct vdev_loop *lp = to_loop(d);

	if (x->type == XENUSB_PIPE_TYPE_BULK && x->in)
		return now + lp->in_delay_ms;
	return now;
}

static void loop_destroy(struct vdev *d)
{
	free(to_loop(d));
}

static const struct vdev_ops loop_ops = {
	.control = loop_control,
	.xfer = loop_xfer,
	.due = loop_due,
	.reset = loop_reset,
	.destroy = loop_destroy,
};

/**
 * vdev_loop_set_delay() - make bulk IN transfers take @in_delay_ms
 * @d: a loopback device
 * @in_delay_ms: virtual milliseconds from submission to completion
 *
 * Keeps transfers in flight long enough to unlink them or unplug the
 * device under them.
 */
void vdev_loop_set_delay(struct vdev *d, u32 in_delay_ms)
{
	to_loop(d)->in_delay_ms = in_delay_ms;
}

/**
 * vdev_loop_set_bench() - stop generating and checking the pattern
 * @d: a loopback device
 * @on: bulk transfers complete in full without touching the data
 *
 * For the benchmark, so that it measures the ring and the grant copies
 * rather than the device model's per-byte work.
 */
void vdev_loop_set_bench(struct vdev *d, bool on)
{
	to_loop(d)->bench = on;
}

/**
 * vdev_loop_new() - a source/sink + iso loopback device
 * @speed: XENUSB_SPEED_FULL or XENUSB_SPEED_HIGH (sets bulk maxp)
 *
 * Return: the device, or NULL on allocation failure.
 */
struct vdev *vdev_loop_new(u8 speed)
{
	static const u8 dev[USB_DT_DEVICE_SIZE] = {
		USB_DT_DEVICE_SIZE, USB_DT_DEVICE, 0x00, 0x02,
		USB_CLASS_VENDOR_SPEC, 0, 0, 64,
		0x25, 0x05, 0xa0, 0xa4,	/* 0525:a4a0, Gadget Zero */
		0x00, 0x01, 0, 0, 0, 1
	};
	struct vdev_loop *lp = calloc(1, sizeof(*lp));
	u16 bulk = speed == XENUSB_SPEED_HIGH ? 512 : 64;
	u16 iso = speed == XENUSB_SPEED_HIGH ? LOOP_ISO_MAXP : 1023;
	u8 *p;

	if (!lp)
		return NULL;
	memcpy(lp->dev_desc, dev, sizeof(dev));
	p = lp->cfg;
	p[0] = USB_DT_CONFIG_SIZE;
	p[1] = USB_DT_CONFIG;
	p[2] = LOOP_CFG_LEN;
	p[3] = 0;
	p[4] = 1;		/* bNumInterfaces */
	p[5] = 1;		/* bConfigurationValue */
	p[6] = 0;
	p[7] = USB_CONFIG_ATT_ONE;
	p[8] = 50;
	p += USB_DT_CONFIG_SIZE;
	p = put_intf(p, 0, 2);
	p = put_ep(p, USB_DIR_IN | 1, USB_ENDPOINT_XFER_BULK, bulk, 0);
	p = put_ep(p, 1, USB_ENDPOINT_XFER_BULK, bulk, 0);
	p = put_intf(p, 1, 4);
	p = put_ep(p, USB_DIR_IN | 1, USB_ENDPOINT_XFER_BULK, bulk, 0);
	p = put_ep(p, 1, USB_ENDPOINT_XFER_BULK, bulk, 0);
	p = put_ep(p, USB_DIR_IN | 3, USB_ENDPOINT_XFER_ISOC, iso, 1);
	put_ep(p, 3, USB_ENDPOINT_XFER_ISOC, iso, 1);

	lp->d.name = "loopback";
	lp->d.ops = &loop_ops;
	lp->d.speed = speed;
	lp->d.dev_desc = lp->dev_desc;
	lp->d.cfg_desc = lp->cfg;
	lp->d.cfg_len = LOOP_CFG_LEN;
	lp->d.priv = lp;
	return &lp->d;
}
