// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the usbfront core: responses, iso frame
 * descriptors and conn events as a hostile backend could write them go
 * through usbfront_rsp_check(), usbfront_iso_rsp_check() and
 * usbfront_conn_check(); what comes out must be in range of the request
 * the frontend sent. Also drives usbfront_split_next() over random
 * buffers and limits, and the root hub with random request sequences.
 * A broken promise traps.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/usb/ch11.h>

#include "../../usbfront/core.h"
#include "fuzz_input.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static bool known_errno(int e)
{
	return e == 0 || e == -ENODEV || e == -EINVAL || e == -EPIPE ||
	       e == -EPROTO || e == -EOVERFLOW || e == -ESHUTDOWN;
}

static void check_rsp(struct input *in)
{
	struct xenusb_urb_response rsp;
	struct usbfront_inflight req;
	struct usbfront_rsp out;
	uint8_t b = take8(in);

	take(in, &rsp, sizeof(rsp));
	memset(&req, 0, sizeof(req));
	req.type = b & 3;
	req.in = b & 4;
	req.unlink = b & 8;
	take(in, &req.length, sizeof(req.length));
	req.length %= XENUSB_MAX_XFER + 1;
	take(in, &req.nr_packets, sizeof(req.nr_packets));
	usbfront_rsp_check(&rsp, &req, &out);
	ASSERT(out.id == rsp.id);
	ASSERT(known_errno(out.status));
	ASSERT(out.actual_length <= req.length);
	if (req.unlink)
		ASSERT(out.actual_length == 0 && out.error_count == 0);
	else if (req.type == XENUSB_PIPE_TYPE_ISOC)
		ASSERT(out.error_count <= req.nr_packets);
	else
		ASSERT(out.error_count == 0);
	if (!out.clamped) {
		ASSERT((uint32_t)rsp.actual_length == out.actual_length);
		ASSERT(out.status == xenusb_status_to_errno(rsp.status));
	}
}

static void check_iso(struct input *in)
{
	struct xenusb_iso_desc d[64];
	uint16_t n = take8(in) % 65, i;
	uint32_t length;

	take(in, &length, sizeof(length));
	take(in, d, sizeof(d));
	usbfront_iso_rsp_check(d, n, length);
	for (i = 0; i < n; i++) {
		ASSERT(d[i].offset <= length);
		ASSERT(d[i].length <= length - d[i].offset);
		ASSERT(d[i].actual_length <= d[i].length);
	}
	/* A second pass finds nothing left to fix. */
	ASSERT(usbfront_iso_rsp_check(d, n, length) == 0);
}

static void check_conn(struct input *in)
{
	struct xenusb_conn_response ev;
	uint8_t nports = take8(in) % 33, ver = take8(in) % 4;

	take(in, &ev, sizeof(ev));
	if (usbfront_conn_check(&ev, nports, ver))
		return;
	ASSERT(ev.portnum >= 1 && ev.portnum <= nports);
	ASSERT(ev.speed == XENUSB_SPEED_NONE ||
	       xenusb_speed_valid(ev.speed, ver));
}

static void check_split(struct input *in)
{
	struct usbfront_frag frags[40];
	uint32_t start, len, nfrags, pos = 0, total = 0, maxp, segs, bytes;
	unsigned int k;

	take(in, &start, sizeof(start));
	take(in, &len, sizeof(len));
	len %= 40 * XENUSB_PAGE_SIZE;
	maxp = 8u << (take8(in) % 8);		/* 8..1024 */
	if (take8(in) & 1)
		maxp = 0;
	segs = 1 + take8(in) % XENUSB_MAX_SEGMENTS_PER_REQUEST;
	bytes = 1 + (take8(in) << 8 | take8(in));	/* 1..65536 */
	nfrags = usbfront_frags_linear(start, len, frags, 40);
	if (!nfrags)
		return;
	for (k = 0; k < nfrags; k++) {
		ASSERT(frags[k].offset + frags[k].len <= XENUSB_PAGE_SIZE);
		total += frags[k].len;
	}
	ASSERT(total == len);
	for (k = 0; k < 1000; k++) {
		uint32_t c = usbfront_split_next(frags, nfrags, pos, maxp,
						 segs, bytes);

		if (!c)
			break;
		ASSERT(c <= len - pos && c <= bytes);
		if (c < len - pos)
			ASSERT(maxp && c % maxp == 0);
		pos += c;
	}
	ASSERT(pos <= len);
}

static void check_rh(struct input *in)
{
	static const uint16_t reqs[] = {
		USBFRONT_RH_CLEAR_HUB_FEATURE, USBFRONT_RH_CLEAR_PORT_FEATURE,
		USBFRONT_RH_GET_HUB_DESCRIPTOR, USBFRONT_RH_GET_HUB_STATUS,
		USBFRONT_RH_GET_PORT_STATUS, USBFRONT_RH_SET_HUB_FEATURE,
		USBFRONT_RH_SET_PORT_FEATURE,
	};
	struct usbfront_rh rh;
	unsigned long now = 0;
	uint8_t buf[64], bitmap[4];
	unsigned int k, i;

	if (usbfront_rh_init(&rh, take8(in) % 33, take8(in) % 4))
		return;
	for (k = 0; k < 64 && in->n; k++) {
		uint8_t op = take8(in);

		now += take8(in);
		if (op & 0x80) {
			usbfront_rh_connect(&rh, take8(in) % 34, take8(in) % 5);
		} else if (op & 0x40) {
			usbfront_rh_poll(&rh, now);
		} else {
			uint16_t value = take8(in) % 32, index = take8(in) % 34;
			uint16_t length = take8(in) % (sizeof(buf) + 1);

			usbfront_rh_control(&rh, reqs[op % 7], value, index,
					    buf, length, now);
		}
		ASSERT(usbfront_rh_status_data(&rh, bitmap) >= 0);
		for (i = 0; i < rh.nports; i++) {
			const struct usbfront_rh_port *p = &rh.port[i];

			/* Nothing is shown on a port that has no power. */
			if (!(p->status & USB_PORT_STAT_POWER))
				ASSERT(!(p->status & USB_PORT_STAT_CONNECTION));
			/* An enabled port has a device. */
			if (p->status & USB_PORT_STAT_ENABLE)
				ASSERT(p->speed != XENUSB_SPEED_NONE);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	switch (take8(&in) % 5) {
	case 0:
		check_rsp(&in);
		break;
	case 1:
		check_iso(&in);
		break;
	case 2:
		check_conn(&in);
		break;
	case 3:
		check_split(&in);
		break;
	default:
		check_rh(&in);
		break;
	}
	return 0;
}
