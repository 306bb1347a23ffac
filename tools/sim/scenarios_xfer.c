// SPDX-License-Identifier: GPL-2.0
/*
 * Simulator scenarios: the transfer types (control, bulk, interrupt,
 * isochronous), mass storage, configuration changes, the 64 KiB wrap.
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

static int ctrl_in_out(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, vdev_loop_new(XENUSB_SPEED_HIGH), 2);
	u8 *out = malloc(VDEV_LOOP_BUFLEN), *in = malloc(VDEV_LOOP_BUFLEN);
	static const u16 sizes[] = { 1, 8, 64, 300, 4000, VDEV_LOOP_BUFLEN };
	u32 actual, i, k;
	int ret, err;

	if (!w || !expect(&t, out && in, "out of memory"))
		goto out;
	for (k = 0; k < SIM_ARRAY_SIZE(sizes); k++) {
		u16 n = sizes[k];

		for (i = 0; i < n; i++)
			out[i] = (u8)(i * 7 + k);
		err = host_ctrl(w, 1, 2, USB_TYPE_VENDOR | USB_RECIP_DEVICE,
				VDEV_LOOP_REQ_WRITE, 0, 0, out, n, &actual);
		if (!expect(&t, !err && actual == n,
			    "control OUT %u bytes: %d, %u done", n, err, actual))
			goto out;
		memset(in, 0, n);
		err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_TYPE_VENDOR |
				USB_RECIP_DEVICE, VDEV_LOOP_REQ_READ, 0, 0, in,
				n, &actual);
		if (!expect(&t, !err && actual == n && !memcmp(in, out, n),
			    "control IN %u bytes: %d, %u done, data %s", n, err, actual,
			    memcmp(in, out, n) ? "differs" : "ok"))
			goto out;
	}
	/* Zero-length OUT, then a short IN (device has 0 bytes). */
	err = host_ctrl(w, 1, 2, USB_TYPE_VENDOR | USB_RECIP_DEVICE,
			VDEV_LOOP_REQ_WRITE, 0, 0, NULL, 0, &actual);
	if (!expect(&t, !err && actual == 0, "zero-length control OUT: %d", err))
		goto out;
	err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_TYPE_VENDOR |
			USB_RECIP_DEVICE, VDEV_LOOP_REQ_READ, 0, 0, in, 64,
			&actual);
	if (!expect(&t, !err && actual == 0,
		    "short control IN: %d, %u bytes", err, actual))
		goto out;
	/* Stalls: unknown vendor request, missing altsetting. */
	err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_TYPE_VENDOR |
			USB_RECIP_DEVICE, 0x77, 0, 0, in, 4, NULL);
	if (!expect(&t, err == -EPIPE, "unknown request: %d, want -EPIPE", err))
		goto out;
	err = host_ctrl(w, 1, 2, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE,
			7, 0, NULL, 0, NULL);
	if (!expect(&t, err == -EPIPE,
		    "SET_INTERFACE to a missing altsetting: %d", err))
		goto out;
	err = host_ctrl(w, 1, 2, USB_DIR_IN | USB_RECIP_DEVICE,
			USB_REQ_GET_CONFIGURATION, 0, 0, in, 1, &actual);
	expect(&t, !err && actual == 1 && in[0] == 1, "GET_CONFIGURATION: %d",
	       err);
out:
	ret = finish(&t, w, 0);
	free(out);
	free(in);
	return ret;
}

static int bulk_in_out(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	/* IN lengths are whole packets: the source never sends short. */
	static const struct { u32 n, off; bool in; } xfers[] = {
		{ 1, 0, false }, { 511, 0, false }, { 512, 0, false },
		{ 4096, 0, false }, { 5000, 100, false }, { 32768, 4000, false },
		{ 65536, 0, false }, { 65536, 1, false }, { 512, 0, true },
		{ 4096, 0, true }, { 5120, 100, true }, { 32768, 4000, true },
		{ 65536, 0, true }, { 65536, 1, true },
	};
	u64 reqs;
	u32 k;
	int err;

	if (!w)
		return -1;
	for (k = 0; k < SIM_ARRAY_SIZE(xfers); k++) {
		if (xfers[k].in)
			err = loop_in(w, &c, xfers[k].n, xfers[k].off);
		else
			err = loop_out(w, &c, xfers[k].n, xfers[k].off);
		if (!expect(&t, !err, "bulk %s %u bytes at offset %u: %d",
			    xfers[k].in ? "IN" : "OUT", xfers[k].n,
			    xfers[k].off, err))
			goto out;
	}
	/* 1000 bytes IN from a 512-byte source: babble on packet two. */
	err = loop_in(w, &c, 1000, 0);
	if (!expect(&t, err == -EOVERFLOW,
		    "bulk IN of 1000 bytes: %d, want -EOVERFLOW", err))
		goto out;
	/* 64 KiB does not fit the u16 buffer_length: two requests. */
	reqs = w->front.requests;
	err = loop_in(w, &c, 65536, 0);
	if (!expect(&t, !err && w->front.requests - reqs == 2,
		    "64 KiB bulk IN: %d in %llu request(s), want 2", err,
		    (unsigned long long)(w->front.requests - reqs)))
		goto out;
	if (!loop_verify(&t, w, &c))
		goto out;
out:
	return finish(&t, w, 0);
}

static int bulk_split_large(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	u64 reqs, rej;
	u32 n = 300 * 1024 + 77;
	int err;

	if (!w)
		return -1;
	rej = w->back.rejected;
	reqs = w->front.requests;
	err = loop_out(w, &c, n, 123);
	if (!expect(&t, !err, "bulk OUT of %u bytes: %d", n, err))
		goto out;
	if (!expect(&t, w->front.requests - reqs >=
		    (n + SFRONT_MAX_BYTES - 1) / SFRONT_MAX_BYTES,
		    "%llu requests for %u bytes",
		    (unsigned long long)(w->front.requests - reqs), n))
		goto out;
	reqs = w->front.requests;
	n = 300 * 1024;
	err = loop_in(w, &c, n, 3000);
	if (!expect(&t, !err, "bulk IN of %u bytes at offset 3000: %d", n, err))
		goto out;
	if (!expect(&t, w->front.requests - reqs >= 5, "IN went in %llu requests",
		    (unsigned long long)(w->front.requests - reqs)))
		goto out;
	if (!expect(&t, w->back.rejected == rej,
		    "backend rejected %llu part(s), last %d",
		    (unsigned long long)(w->back.rejected - rej),
		    w->back.last_reject))
		goto out;
	if (!loop_verify(&t, w, &c))
		goto out;
out:
	return finish(&t, w, 0);
}

static int interrupt_mouse(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, vdev_mouse_new(), 7);
	u8 desc[128], rep[4];
	int x = VDEV_MOUSE_RADIUS, y = 0, err;
	u32 actual, k;
	u64 t0;

	if (!w)
		return -1;
	err = host_ctrl(w, 1, 7, USB_TYPE_CLASS | USB_RECIP_INTERFACE, 0x0a,
			0, 0, NULL, 0, NULL);
	if (!expect(&t, !err, "SET_IDLE: %d", err))
		goto out;
	err = host_ctrl(w, 1, 7, USB_DIR_IN | USB_RECIP_INTERFACE,
			USB_REQ_GET_DESCRIPTOR, 0x2200, 0, desc, sizeof(desc),
			&actual);
	if (!expect(&t, !err && actual == 52 && desc[0] == 0x05,
		    "report descriptor: %d, %u bytes", err, actual))
		goto out;
	t0 = w->now;
	for (k = 1; k <= VDEV_MOUSE_STEPS; k++) {
		double r2;

		err = host_xfer(w, 1, 7, XENUSB_PIPE_TYPE_INT, USB_DIR_IN | 1,
				4, rep, sizeof(rep), 0, &actual);
		if (!expect(&t, !err && actual == 4, "report %u: %d, %u bytes",
			    k, err, actual))
			goto out;
		x += (s8)rep[1];
		y += (s8)rep[2];
		r2 = (double)x * x + (double)y * y;
		if (!expect(&t, r2 > (VDEV_MOUSE_RADIUS - 1.5) * (VDEV_MOUSE_RADIUS - 1.5) &&
			    r2 < (VDEV_MOUSE_RADIUS + 1.5) * (VDEV_MOUSE_RADIUS + 1.5),
			    "report %u: pointer at (%d,%d), off the circle", k, x, y))
			goto out;
	}
	if (!expect(&t, x == VDEV_MOUSE_RADIUS && y == 0,
		    "a lap ends at (%d,%d), not where it started", x, y))
		goto out;
	if (!expect(&t, w->now - t0 >= (VDEV_MOUSE_STEPS - 1) * VDEV_MOUSE_INTERVAL,
		    "%llu ms for %u reports at %u ms",
		    (unsigned long long)(w->now - t0), VDEV_MOUSE_STEPS,
		    VDEV_MOUSE_INTERVAL))
		goto out;
	/* A buffer smaller than the report: babble. */
	err = host_xfer(w, 1, 7, XENUSB_PIPE_TYPE_INT, USB_DIR_IN | 1, 4, rep,
			3, 0, &actual);
	if (!expect(&t, err == -EOVERFLOW,
		    "3-byte interrupt read: %d, want -EOVERFLOW", err))
		goto out;
out:
	return finish(&t, w, 0);
}

static int iso_loopback(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct sim *w = world_one(&t, vdev_loop_new(XENUSB_SPEED_HIGH), 2);
	u32 actual = 0, errors = 0;
	u64 rej;
	int err;

	if (!w)
		return -1;
	/* Altsetting 0 has no iso endpoint: the backend must refuse. */
	rej = w->back.rejected;
	if (!expect(&t, iso_run(w, false, 4, 100, 0, 1, &actual, &errors,
				t.why, t.len),
		    "iso OUT accepted before SET_INTERFACE"))
		goto out;
	if (!expect(&t, w->back.rejected == rej + 1 &&
		    w->back.last_reject == XENUSB_STATUS_INVAL,
		    "iso before SET_INTERFACE: %llu rejected, last status %d",
		    (unsigned long long)(w->back.rejected - rej), w->back.last_reject))
		goto out;
	err = host_ctrl(w, 1, 2, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE,
			1, 0, NULL, 0, NULL);
	if (!expect(&t, !err && w->back.port[1].dev->alt[0] == 1,
		    "SET_INTERFACE(0, 1): %d", err))
		goto out;
	if (!expect(&t, w->back.port[1].view.type[1][3] == XENUSB_PIPE_TYPE_ISOC,
		    "endpoint view not rebuilt after SET_INTERFACE"))
		goto out;
	if (!expect_ok(&t, iso_run(w, false, 8, 1000, 0, 9, &actual, &errors,
				   t.why, t.len)))
		goto out;
	if (!expect(&t, actual == 8000 && !errors,
		    "iso OUT: actual %u errors %u", actual, errors))
		goto out;
	if (!expect_ok(&t, iso_run(w, true, 8, 1000, 0, 9, &actual, &errors,
				   t.why, t.len)))
		goto out;
	if (!expect(&t, actual == 8000 && !errors,
		    "iso IN: actual %u errors %u", actual, errors))
		goto out;
	/* Descriptors straddling a page boundary: two descriptor segments. */
	if (!expect_ok(&t, iso_run(w, false, 40, 200, 4000, 77, &actual,
				   &errors, t.why, t.len)))
		goto out;
	if (!expect_ok(&t, iso_run(w, true, 40, 200, 4000, 77, &actual,
				   &errors, t.why, t.len)))
		goto out;
	expect(&t, actual == 8000 && !errors, "40-packet iso IN: actual %u",
	       actual);
out:
	return finish(&t, w, 0);
}

static int msc_write_read(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct mscctx m = { .port = 1, .dev = 3 };
	struct sim *w = world_one(&t, vdev_msc_new(MSC_BLOCKS), 3);
	u32 n = 256 * 1024, residue, i;
	u8 *wr = malloc(n), *rd = malloc(n), buf[64];
	u8 tur[6] = { 0 }, inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	u8 cap[10] = { 0x25 }, sense[6] = { 0x03, 0, 0, 0, 18, 0 };
	u64 h1, h2;
	bool stalled;
	int ret, st;

	if (!w || !expect(&t, wr && rd, "out of memory"))
		goto out;
	st = host_ctrl(w, 1, 3, USB_DIR_IN | USB_TYPE_CLASS |
		       USB_RECIP_INTERFACE, 0xfe, 0, 0, buf, 1, &i);
	if (!expect(&t, !st && i == 1 && buf[0] == 0, "GET_MAX_LUN: %d", st))
		goto out;
	st = msc_cmd(w, &m, tur, 6, false, NULL, 0, &residue, &stalled);
	if (!expect(&t, st == 0, "TEST UNIT READY: %d", st))
		goto out;
	st = msc_cmd(w, &m, inq, 6, true, buf, 36, &residue, &stalled);
	if (!expect(&t, st == 0 && residue == 0 && !memcmp(buf + 8, "XENSIM", 6),
		    "INQUIRY: %d residue %u", st, residue))
		goto out;
	st = msc_cmd(w, &m, cap, 10, true, buf, 8, &residue, &stalled);
	if (!expect(&t, st == 0 && buf[0] << 24 == 0 &&
		    (buf[2] << 8 | buf[3]) == MSC_BLOCKS - 1 &&
		    (buf[6] << 8 | buf[7]) == VDEV_MSC_BLOCK,
		    "READ CAPACITY: %d, last LBA %u", st, buf[2] << 8 | buf[3]))
		goto out;

	for (i = 0; i < n; i++)
		wr[i] = (u8)((i * 2654435761u) >> 13);
	h1 = fnv1a(wr, n);
	st = msc_rw10(w, &m, false, 100, n / VDEV_MSC_BLOCK, wr, &residue,
		      &stalled);
	if (!expect(&t, st == 0 && residue == 0,
		    "WRITE(10) 256 KiB: %d residue %u", st, residue))
		goto out;
	memset(rd, 0, n);
	st = msc_rw10(w, &m, true, 100, n / VDEV_MSC_BLOCK, rd, &residue,
		      &stalled);
	if (!expect(&t, st == 0 && residue == 0,
		    "READ(10) 256 KiB: %d residue %u", st, residue))
		goto out;
	h2 = fnv1a(rd, n);
	if (!expect(&t, h1 == h2, "read back checksum %016llx, wrote %016llx",
		    (unsigned long long)h2, (unsigned long long)h1))
		goto out;

	/* Past the end: CHECK CONDITION, data stage stalled, then sense. */
	st = msc_rw10(w, &m, true, MSC_BLOCKS - 1, 2, rd, &residue, &stalled);
	if (!expect(&t, st == 1 && stalled && residue == 2 * VDEV_MSC_BLOCK,
		    "READ(10) past the end: CSW %d, stalled %d, residue %u",
		    st, stalled, residue))
		goto out;
	st = msc_cmd(w, &m, sense, 6, true, buf, 18, &residue, &stalled);
	if (!expect(&t, st == 0 && buf[2] == 0x05 && buf[12] == 0x21,
		    "REQUEST SENSE: %d key %#x asc %#x", st, buf[2], buf[12]))
		goto out;
	st = msc_cmd(w, &m, tur, 6, false, NULL, 0, &residue, &stalled);
	expect(&t, st == 0, "TEST UNIT READY after the error: %d", st);
out:
	ret = finish(&t, w, 0);
	free(wr);
	free(rd);
	return ret;
}

/*
 * usbback's control rules, now that the simulator runs its ring code:
 * SET_CONFIGURATION 0 and SET_CONFIGURATION of the active value are
 * answered by the backend and never reach the device (the host keeps its
 * configuration), a value the device lacks stalls, and traffic goes on.
 */
static int setconfig_local(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	struct vdev *d;
	u64 before;
	int err;

	if (!w)
		return -1;
	d = w->back.port[1].dev;
	before = w->back.configured;
	err = host_ctrl(w, 1, 2, USB_DIR_OUT | USB_TYPE_STANDARD |
			USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, 0, 0,
			NULL, 0, NULL);
	if (!expect(&t, !err && d->config == 1,
		    "SET_CONFIGURATION 0: %d, device config %u; want 0 and 1",
		    err, d->config))
		goto out;
	err = host_ctrl(w, 1, 2, USB_DIR_OUT | USB_TYPE_STANDARD |
			USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, 1, 0,
			NULL, 0, NULL);
	if (!expect(&t, !err && w->back.configured == before,
		    "SET_CONFIGURATION 0, 1 (active): %d, %llu reached it", err,
		    (unsigned long long)(w->back.configured - before)))
		goto out;
	err = host_ctrl(w, 1, 2, USB_DIR_OUT | USB_TYPE_STANDARD |
			USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION, 7, 0,
			NULL, 0, NULL);
	if (!expect(&t, err == -EPIPE,
		    "SET_CONFIGURATION 7 (absent): %d, want -EPIPE", err))
		goto out;
	err = loop_out(w, &c, 4096, 0);
	if (!err)
		err = loop_in(w, &c, 4096, 0);
	if (!expect(&t, !err, "bulk after the local SET_CONFIGURATIONs: %d",
		    err))
		goto out;
	loop_verify(&t, w, &c);
out:
	return finish(&t, w, 0);
}

static int wrap_64k(char *why, size_t len)
{
	struct check t = CHECK_INIT(why, len);
	struct loopctx c;
	struct sim *w = loop_up(&t, &c);
	struct xenusb_pipe p = { .port = 1, .devnum = 2, .ep = 1,
				 .type = XENUSB_PIPE_TYPE_BULK };
	u8 *buf = sim_pages_alloc(65536, 0);
	struct xenusb_urb_request rq;
	struct sfront_raw res;
	u32 grefs[16], i;
	int ret, err;

	if (!w || !expect(&t, buf, "out of memory"))
		goto out;
	/* As xen-hcd sends a 64 KiB URB: buffer_length 0, 16 full pages. */
	for (i = 0; i < 65536; i++)
		buf[i] = vdev_loop_pattern(i);
	memset(&rq, 0, sizeof(rq));
	rq.pipe = xenusb_pipe_encode(&p);
	rq.buffer_length = 0;
	grant_pages(w, &rq, grefs, buf, 16, true);
	err = raw_wait(w, &rq, grefs, 16, 65536, &res);
	if (!expect(&t, !err && res.rsp.status == 0 &&
		    res.rsp.actual_length == 65536,
		    "wrapped 64 KiB OUT: %d, status %d actual %d", err,
		    res.rsp.status, res.rsp.actual_length))
		goto out;
	c.out_pos = 65536;

	p.in = true;
	memset(buf, 0, 65536);
	memset(&rq, 0, sizeof(rq));
	rq.pipe = xenusb_pipe_encode(&p);
	grant_pages(w, &rq, grefs, buf, 16, false);
	err = raw_wait(w, &rq, grefs, 16, 65536, &res);
	if (!expect(&t, !err && res.rsp.status == 0 &&
		    res.rsp.actual_length == 65536,
		    "wrapped 64 KiB IN: %d, status %d actual %d", err,
		    res.rsp.status, res.rsp.actual_length))
		goto out;
	for (i = 0; i < 65536; i++)
		if (!expect(&t, buf[i] == vdev_loop_pattern(i), "IN byte %u wrong", i))
			goto out;
	c.in_pos = 65536;

	/* Only the exact wrap: 0 with 15 pages is a lie. */
	memset(&rq, 0, sizeof(rq));
	rq.pipe = xenusb_pipe_encode(&p);
	grant_pages(w, &rq, grefs, buf, 15, false);
	err = raw_wait(w, &rq, grefs, 15, 61440, &res);
	if (!expect(&t, !err && res.rsp.status == XENUSB_STATUS_INVAL,
		    "buffer_length 0 with 60 KiB of segments: %d, status %d",
		    err, res.rsp.status))
		goto out;
	loop_verify(&t, w, &c);
out:
	ret = finish(&t, w, 0);
	sim_pages_free(buf, 0);
	return ret;
}

const struct sim_scenario sim_scenarios_xfer[] = {
	{ "ctrl_in_out", ctrl_in_out },
	{ "bulk_in_out", bulk_in_out },
	{ "bulk_split_large", bulk_split_large },
	{ "interrupt_mouse", interrupt_mouse },
	{ "iso_loopback", iso_loopback },
	{ "msc_write_read", msc_write_read },
	{ "setconfig_local", setconfig_local },
	{ "wrap_64k", wrap_64k },
	{ NULL, NULL },
};
