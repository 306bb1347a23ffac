// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the usbback core: a request as a hostile
 * frontend could write it goes through usbback_req_parse_feat() under a
 * random set of negotiated extensions (usbback_req_parse() when none);
 * whatever is accepted must satisfy the promises the backend relies on
 * (it maps and copies on their strength). Also drives usbback_req_check_ep(),
 * usbback_ctrl_classify(), usbback_iso_descs_check() and random
 * operation sequences on the address table and the conn queue, checking
 * their invariants. A broken promise traps.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../usbback/core.h"
#include "fuzz_input.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_parse(struct input *in)
{
	struct xenusb_urb_request req;
	struct usbback_ep_view view;
	struct xenusb_features feat = { { 0 } };
	struct usbback_req r;
	struct xenusb_request_segment ind[XENUSB_MAX_INDIRECT_SEGS];
	uint8_t nports = take8(in) % 33;
	uint8_t on = take8(in);
	uint16_t flags_ok = XENUSB_SHORT_NOT_OK;
	uint16_t max_indirect = on & 4 ? XENUSB_MAX_INDIRECT_SEGS : 0;
	unsigned int i, segs;
	uint32_t sum = 0, desc = 0;

	feat.val[XENUSB_FEAT_ZERO_PACKET] = on & 1;
	feat.val[XENUSB_FEAT_PORT_RESET] = !!(on & 2);
	if (on & 1)
		flags_ok |= XENUSB_ZERO_PACKET;
	if (on & 2)
		flags_ok |= XENUSB_PORT_RESET;
	feat.val[XENUSB_FEAT_MAX_INDIRECT] = max_indirect;
	take(in, &req, sizeof(req));
	/* Nothing negotiated: the base protocol's entry point, the same. */
	if (on & 7 ? usbback_req_parse_feat(&req, nports, &feat, &r) :
	    usbback_req_parse(&req, nports, &r)) {
		ASSERT(r.id == req.id);
		return;
	}
	ASSERT(nports >= 1 && nports <= XENUSB_MAX_PORTNR);
	ASSERT(r.id == req.id);
	ASSERT(r.pipe.port >= 1 && r.pipe.port <= nports);
	ASSERT(xenusb_pipe_reserved_clear(req.pipe));
	if (!r.pipe.unlink && r.indirect) {
		/* An indirect request: negotiated, bulk, descriptor pages. */
		ASSERT(max_indirect && r.pipe.type == XENUSB_PIPE_TYPE_BULK);
		ASSERT(r.nr_ind_segs >= 1 &&
		       r.nr_ind_segs <= XENUSB_MAX_SEGMENTS_PER_REQUEST);
		for (i = 0; i < r.nr_ind_segs; i++) {
			ASSERT(req.seg[i].length > 0 && req.seg[i].length %
			       XENUSB_INDIRECT_DESC_SIZE == 0);
			ASSERT(req.seg[i].offset + req.seg[i].length <=
			       XENUSB_PAGE_SIZE);
			desc += req.seg[i].length;
		}
		ASSERT(desc / XENUSB_INDIRECT_DESC_SIZE == r.nr_data_segs);
		ASSERT(r.nr_data_segs >= 1 && r.nr_data_segs <= max_indirect);
		/* Whatever the pages hold, only consistent data passes. */
		take(in, ind, sizeof(ind));
		if (!usbback_req_check_indirect(ind, &r)) {
			for (i = 0; i < r.nr_data_segs; i++) {
				ASSERT(ind[i].length > 0);
				ASSERT(ind[i].offset + ind[i].length <=
				       XENUSB_PAGE_SIZE);
				sum += ind[i].length;
			}
			ASSERT(sum == r.length);
		}
	} else if (!r.pipe.unlink) {
		segs = r.nr_data_segs + r.nr_desc_segs;
		ASSERT(segs <= XENUSB_MAX_SEGMENTS_PER_REQUEST);
		for (i = 0; i < segs; i++) {
			ASSERT(req.seg[i].length > 0);
			ASSERT(req.seg[i].offset + req.seg[i].length <=
			       XENUSB_PAGE_SIZE);
			if (i < r.nr_data_segs)
				sum += req.seg[i].length;
			else
				desc += req.seg[i].length;
		}
		ASSERT(sum == r.length && r.length <= XENUSB_MAX_XFER);
		ASSERT(r.length == req.buffer_length ||
		       (req.buffer_length == 0 && r.length == 65536));
		ASSERT(!(req.transfer_flags & ~flags_ok));
		ASSERT(!(req.transfer_flags & XENUSB_INDIRECT));
		ASSERT(usbback_req_check_indirect(req.seg, &r) == -EINVAL);
		if (r.zero_packet)
			ASSERT(!r.pipe.in && (r.pipe.type == XENUSB_PIPE_TYPE_BULK ||
					      r.pipe.type == XENUSB_PIPE_TYPE_INT));
		if (r.port_reset)
			ASSERT(req.transfer_flags == XENUSB_PORT_RESET &&
			       r.pipe.type == XENUSB_PIPE_TYPE_CTRL &&
			       !r.pipe.ep && !r.pipe.in && !r.length &&
			       !r.nr_data_segs);
		ASSERT(r.port_reset == !!(req.transfer_flags &
					  XENUSB_PORT_RESET));
		if (r.pipe.type == XENUSB_PIPE_TYPE_ISOC) {
			ASSERT(r.nr_packets && desc == r.nr_packets *
			       XENUSB_ISO_DESC_SIZE);
		} else {
			ASSERT(r.nr_desc_segs == 0);
		}
		if (r.pipe.type == XENUSB_PIPE_TYPE_CTRL)
			ASSERT((u32)(r.setup[6] | r.setup[7] << 8) == r.length);
		(void)usbback_ctrl_classify(r.setup);
	}

	/* The same request against a random endpoint view. */
	usbback_ep_view_reset(&view);
	for (i = 0; i < 2 * XENUSB_NUM_EPS; i++) {
		uint8_t t = take8(in);

		if (i % XENUSB_NUM_EPS)
			view.type[i / XENUSB_NUM_EPS][i % XENUSB_NUM_EPS] =
				t & 4 ? USBBACK_EP_NONE : t & 3;
	}
	if (!usbback_req_check_ep(&r, &view) && !r.pipe.unlink) {
		if (r.pipe.ep == 0)
			ASSERT(r.pipe.type == XENUSB_PIPE_TYPE_CTRL);
		else if (r.pipe.type != XENUSB_PIPE_TYPE_CTRL)
			ASSERT(view.type[r.pipe.in][r.pipe.ep] == r.pipe.type);
	}
}

static void check_iso(struct input *in)
{
	struct xenusb_iso_desc d[64];
	uint16_t n = take8(in) % 65;
	uint32_t length, i;

	take(in, &length, sizeof(length));
	take(in, d, sizeof(d));
	if (usbback_iso_descs_check(d, n, length))
		return;
	ASSERT(n > 0);
	for (i = 0; i < n; i++)
		ASSERT((uint64_t)d[i].offset + d[i].length <= length);
}

static void check_addr(struct input *in)
{
	struct usbback_addr_table t;
	unsigned int k, i;

	usbback_addr_init(&t);
	for (k = 0; k < 32 && in->n; k++) {
		uint8_t op = take8(in), port = take8(in) % 34;
		uint8_t dev = take8(in);
		int r;

		switch (op % 3) {
		case 0:
			r = usbback_addr_set(&t, port, dev);
			if (!r && dev)
				ASSERT(usbback_addr_route(&t, port, dev) == port);
			break;
		case 1:
			usbback_addr_clear_port(&t, port);
			for (i = 1; i <= XENUSB_MAX_DEVNUM; i++)
				ASSERT(t.port_of[i] != port || port == 0 ||
				       port > XENUSB_MAX_PORTNR);
			break;
		default:
			r = usbback_addr_route(&t, port, dev);
			ASSERT(r < 0 || r == port);
			break;
		}
	}
	/* At most one address per port. */
	for (i = 1; i <= XENUSB_MAX_DEVNUM; i++) {
		unsigned int j;

		for (j = i + 1; j <= XENUSB_MAX_DEVNUM; j++)
			ASSERT(!t.port_of[i] || t.port_of[i] != t.port_of[j]);
	}
}

static void check_conn(struct input *in)
{
	struct usbback_conn_queue q;
	uint8_t nports = take8(in) % 33, port, speed;
	unsigned int k;

	if (usbback_conn_init(&q, nports))
		return;
	for (k = 0; k < 64 && in->n; k++) {
		uint8_t op = take8(in);

		switch (op % 4) {
		case 0:
		case 1:
			usbback_conn_set(&q, take8(in) % 33, take8(in) % 5);
			break;
		case 2:
			if (usbback_conn_pop(&q, &port, &speed)) {
				ASSERT(port >= 1 && port <= nports);
				ASSERT(speed <= XENUSB_SPEED_MAX);
			}
			break;
		default:
			usbback_conn_replay(&q);
			break;
		}
		ASSERT(q.count <= nports);
		ASSERT(usbback_conn_pending(&q) == (q.count != 0));
	}
	/* Draining terminates: at most two events per port. */
	for (k = 0; usbback_conn_pop(&q, &port, &speed); k++)
		ASSERT(k < 2u * nports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	switch (take8(&in) % 4) {
	case 0:
		check_parse(&in);
		break;
	case 1:
		check_iso(&in);
		break;
	case 2:
		check_addr(&in);
		break;
	default:
		check_conn(&in);
		break;
	}
	return 0;
}
