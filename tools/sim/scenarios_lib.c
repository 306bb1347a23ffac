// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios' shared part: the check recorder behind expect(), the
 * world fixtures (build, connect, enumerate; shut down and look for
 * leaks and violations) and the device helpers.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "scenarios_lib.h"

/**
 * check_that() - record one check (use expect())
 * @t: the scenario's outcome
 * @ok: whether the check held
 * @fmt: why it failed, printf style
 *
 * Return: @ok.
 */
bool check_that(struct check *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	if (!t->failed++) {
		va_start(ap, fmt);
		vsnprintf(t->why, t->len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/**
 * expect_ok() - record the result of a helper that explains itself
 * @t: the scenario's outcome
 * @err: the helper's status; it wrote its reason into @t->why
 *
 * Return: true when @err is 0.
 */
bool expect_ok(struct check *t, int err)
{
	if (!err)
		return true;
	t->failed++;
	return false;
}

/**
 * finish() - end a scenario
 * @t: its outcome
 * @w: its world (NULL if the setup failed, which @t has counted)
 * @allowed: SIM_EXPECT_* problems the scenario provoked and checked itself
 *
 * Shuts @w down; leaks, grant or event channel violations, frontend
 * protocol errors and a fatal backend error that @allowed does not name
 * are one more failed check.
 *
 * Return: 0 if every check held, else -1.
 */
int finish(struct check *t, struct sim *w, unsigned int allowed)
{
	char buf[256];

	if (w) {
		sim_shutdown(w);
		expect(t, !sim_problems(w, allowed, buf, sizeof(buf)), "%s", buf);
		sim_free(w);
	}
	return t->failed ? -1 : 0;
}

/**
 * world_up() - a connected world, @devs[i] plugged on port i + 1 first
 * @t: the scenario's outcome; a failed setup is a failed check
 * @nports: root hub ports
 * @usb_ver: 1 or 2
 * @devs: @nports devices or NULLs, or NULL for none
 *
 * Return: the world, or NULL.
 */
struct sim *world_up(struct check *t, u8 nports, u8 usb_ver,
		     struct vdev *const *devs)
{
	struct sim *w = sim_new(nports, usb_ver);
	unsigned int i;

	if (w) {
		for (i = 0; devs && i < nports; i++)
			if (devs[i])
				sback_plug(w, i + 1, devs[i]);
		if (sim_connect(w) || host_power_ports(w)) {
			sim_shutdown(w);
			sim_free(w);
			w = NULL;
		}
	}
	expect(t, w, "world setup failed");
	return w;
}

/**
 * world_one() - @d alone on port 1 of a 2-port USB 2.0 controller,
 * enumerated at address @devnum
 * @t: the scenario's outcome
 * @d: the device
 * @devnum: its address
 *
 * Return: the world, or NULL.
 */
struct sim *world_one(struct check *t, struct vdev *d, u8 devnum)
{
	struct vdev *devs[2] = { d, NULL };
	struct sim *w = world_up(t, 2, 2, devs);

	if (w && !expect_ok(t, host_enumerate(w, 1, devnum, t->why, t->len))) {
		sim_shutdown(w);
		sim_free(w);
		return NULL;
	}
	return w;
}

/**
 * loop_up() - world_one() with a high-speed loopback device at address 2
 * @t: the scenario's outcome
 * @c: its stream positions, reset to port 1, address 2
 *
 * Return: the world, or NULL.
 */
struct sim *loop_up(struct check *t, struct loopctx *c)
{
	*c = (struct loopctx){ .port = 1, .dev = 2 };
	return world_one(t, vdev_loop_new(XENUSB_SPEED_HIGH), 2);
}

/**
 * loop_out() - @n bytes of the pattern stream to the loopback's bulk OUT
 * @w: world
 * @c: the streams; out_pos advances by what the device took
 * @n: bytes
 * @offset: where the buffer starts in its first page
 *
 * Return: 0, -EREMOTEIO for a short transfer, or the transfer's error.
 */
int loop_out(struct sim *w, struct loopctx *c, u32 n, u32 offset)
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

/**
 * loop_in() - @n bytes from the loopback's bulk IN, checked against the
 * pattern stream
 * @w: world
 * @c: the streams; in_pos advances by what the device sent
 * @n: bytes
 * @offset: where the buffer starts in its first page
 *
 * Return: 0, -EBADMSG for wrong data, -EREMOTEIO for a short transfer,
 * or the transfer's error.
 */
int loop_in(struct sim *w, struct loopctx *c, u32 n, u32 offset)
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

/**
 * loop_verify() - the device's sink and source counters agree with what
 * the host moved
 * @t: the scenario's outcome
 * @w: world
 * @c: the streams
 *
 * Return: true if they agree.
 */
bool loop_verify(struct check *t, struct sim *w, struct loopctx *c)
{
	struct vdev_loop_stats st;
	int err = loop_stats(w, c, &st);

	if (!expect(t, !err, "stats request failed: %d", err))
		return false;
	return expect(t, !st.sink_errors && st.sink_bytes == c->out_pos &&
		      st.source_bytes == c->in_pos,
		      "device: %u out (%u bad), %u in; host: %u out, %u in",
		      st.sink_bytes, st.sink_errors, st.source_bytes,
		      c->out_pos, c->in_pos);
}

/**
 * fnv1a() - FNV-1a hash of @n bytes at @p
 * @p: data
 * @n: its length
 *
 * Return: the 64-bit hash.
 */
u64 fnv1a(const u8 *p, size_t n)
{
	u64 h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/**
 * iso_run() - an isochronous URB on endpoint 3 of the loopback (altsetting 1)
 * @w: world
 * @in: direction
 * @npk: packets, 1024 bytes apart in the buffer
 * @pklen: bytes per packet (OUT: sent; IN: expected back)
 * @desc_off: offset of the descriptor array in its first page
 * @seed: first byte of the data pattern
 * @actual_out: the URB's actual length
 * @errors: its error count
 * @why: where the reason goes when it fails
 * @len: size of @why
 *
 * Return: 0 when every packet moved @pklen bytes (IN: the pattern), else -1.
 */
int iso_run(struct sim *w, bool in, u16 npk, u16 pklen, u32 desc_off,
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

static int msc_clear_halt(struct sim *w, struct mscctx *m, u8 ep)
{
	return host_ctrl(w, m->port, m->dev, USB_RECIP_ENDPOINT,
			 USB_REQ_CLEAR_FEATURE, USB_ENDPOINT_HALT, ep, NULL, 0,
			 NULL);
}

/**
 * msc_cmd() - one Bulk-Only Transport command: CBW, data stage, CSW
 * @w: world
 * @m: device and tag
 * @cdb: SCSI command block
 * @cdblen: its length
 * @in: data stage direction
 * @data: data stage buffer
 * @dlen: its length (0: no data stage)
 * @residue: the CSW's residue
 * @stalled: whether the data stage stalled (then cleared)
 *
 * Return: the CSW status (0..2) or a negative errno.
 */
int msc_cmd(struct sim *w, struct mscctx *m, const u8 *cdb, u8 cdblen,
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

/**
 * msc_rw10() - READ(10) or WRITE(10) of @blocks blocks at @lba
 * @w: world
 * @m: device and tag
 * @read: READ(10), else WRITE(10)
 * @lba: first block
 * @blocks: block count
 * @data: data stage buffer
 * @residue: the CSW's residue
 * @stalled: whether the data stage stalled
 *
 * Return: as msc_cmd().
 */
int msc_rw10(struct sim *w, struct mscctx *m, bool read, u32 lba,
	     u16 blocks, u8 *data, u32 *residue, bool *stalled)
{
	u8 cdb[10] = { read ? 0x28 : 0x2a, 0, lba >> 24, lba >> 16, lba >> 8,
		       lba, 0, blocks >> 8, blocks, 0 };

	return msc_cmd(w, m, cdb, sizeof(cdb), read, data,
		       blocks * VDEV_MSC_BLOCK, residue, stalled);
}

/**
 * bulk_urb() - a bulk URB on endpoint 1 with an @n-byte page-aligned buffer
 * @port: root hub port
 * @dev: device address
 * @in: direction
 * @n: buffer length
 *
 * Return: the URB (free with bulk_urb_free()), or NULL.
 */
struct sfront_urb *bulk_urb(u8 port, u8 dev, bool in, u32 n)
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

/**
 * bulk_urb_free() - free a bulk_urb() URB and its buffer
 * @u: the URB, or NULL
 */
void bulk_urb_free(struct sfront_urb *u)
{
	if (u)
		sim_pages_free(u->buf, 0);
	free(u);
}

/**
 * back_holds() - sim_run_until() condition: the backend holds requests
 * @w: world
 * @arg: unsigned int, how many
 *
 * Return: true when at least that many ring slots are in use.
 */
bool back_holds(struct sim *w, void *arg)
{
	unsigned int i, n = 0;

	for (i = 0; i < SBACK_SLOTS; i++)
		n += w->back.ring.rq[i].in_use;
	return n >= *(unsigned int *)arg;
}

/**
 * grant_pages() - grant @n pages of @buf and describe them in @rq
 * @w: world
 * @rq: the hand-made request
 * @grefs: the grant references
 * @buf: page-aligned buffer
 * @n: pages
 * @ro: read-only grants
 *
 * Return: @n.
 */
u8 grant_pages(struct sim *w, struct xenusb_urb_request *rq, u32 *grefs,
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

/**
 * raw_wait() - put a hand-made request on the ring and run until answered
 * @w: world
 * @rq: the request
 * @grefs: its grants, ended when the answer comes
 * @ngref: how many
 * @length: the buffer length the frontend checks the answer against
 * @res: the answer
 *
 * Return: 0, -ETIMEDOUT without an answer, or the submit's error.
 */
int raw_wait(struct sim *w, struct xenusb_urb_request *rq, u32 *grefs,
	     u8 ngref, u32 length, struct sfront_raw *res)
{
	int err = sfront_raw_submit(w, rq, grefs, ngref, length, res);

	if (err)
		return err;
	sim_advance(w, 2);
	return res->done ? 0 : -ETIMEDOUT;
}

/**
 * slow_read_held() - world_one() with a loopback device at address 2
 * that answers after 50 ms, and a 4 KiB bulk IN URB submitted to it and
 * held by the backend
 * @t: the scenario's outcome
 * @u: the URB, for the caller to free after finish() (also on failure)
 *
 * Return: the world, or NULL.
 */
struct sim *slow_read_held(struct check *t, struct sfront_urb **u)
{
	struct vdev *d = vdev_loop_new(XENUSB_SPEED_HIGH);
	struct sim *w = world_one(t, d, 2);
	unsigned int one = 1;

	*u = bulk_urb(1, 2, true, 4096);
	if (!w)
		return NULL;
	vdev_loop_set_delay(d, 50);
	if (expect(t, *u, "out of memory") &&
	    expect(t, !sfront_submit(w, *u), "submit failed") &&
	    expect(t, !sim_run_until(w, back_holds, &one, 10),
		   "request never reached the backend"))
		return w;
	sim_shutdown(w);
	sim_free(w);
	return NULL;
}
