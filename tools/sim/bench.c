// SPDX-License-Identifier: GPL-2.0
/*
 * sim-bench: throughput of the simulated ring, single-threaded, built
 * with -O2 and no sanitizers. Ring round trips per second for
 * zero-length control transfers, MB/s (10^6 bytes) for 64 KiB bulk
 * URBs in each direction, and memcpy of 64 KiB blocks in the same run
 * as the ceiling: a bulk transfer through the simulator copies its data
 * once (frontend page <-> backend bounce buffer through the grant
 * table), so memcpy speed is the most it could reach. No thresholds:
 * it prints numbers, it does not judge them.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/usb/ch9.h>

#include "sim.h"

#define BENCH_SECONDS	1.0
#define BLOCK		65536u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct result {
	unsigned long n;
	double secs;
	u64 requests;
};

/* Resubmit @u until BENCH_SECONDS have passed; -1 on any failure. */
static int bench_urb(struct sim *w, struct sfront_urb *u, struct result *r)
{
	u64 req0 = w->front.requests;
	double t0 = now_s(), t;

	r->n = 0;
	do {
		unsigned int i;

		for (i = 0; i < 256; i++) {
			if (sfront_submit(w, u) || host_wait(w, u, 1000) ||
			    u->status) {
				fprintf(stderr, "sim-bench: transfer failed: status %d\n",
					u->status);
				return -1;
			}
		}
		r->n += 256;
		t = now_s() - t0;
	} while (t < BENCH_SECONDS);
	r->secs = t;
	r->requests = w->front.requests - req0;
	return 0;
}

static double bench_memcpy(void)
{
	u8 *a = aligned_alloc(SIM_PAGE, BLOCK), *b = aligned_alloc(SIM_PAGE, BLOCK);
	unsigned long n = 0;
	double t0, t;

	if (!a || !b)
		return 0;
	memset(a, 1, BLOCK);
	memset(b, 2, BLOCK);
	t0 = now_s();
	do {
		unsigned int i;

		for (i = 0; i < 4096; i++) {
			memcpy((n + i) & 1 ? a : b, (n + i) & 1 ? b : a, BLOCK);
			/* Keep the copy: the compiler may not drop it. */
			__asm__ __volatile__("" : : "r"(a), "r"(b) : "memory");
		}
		n += 4096;
		t = now_s() - t0;
	} while (t < BENCH_SECONDS);
	free(a);
	free(b);
	return n * (double)BLOCK / t / 1e6;
}

static void fill(struct sfront_urb *u, u8 type, bool in, u32 len, u8 *buf)
{
	memset(u, 0, sizeof(*u));
	u->port = 1;
	u->devnum = 2;
	u->type = type;
	u->in = in;
	u->buf = buf;
	u->len = len;
	if (type == XENUSB_PIPE_TYPE_BULK) {
		u->ep = 1;
		u->maxp = 512;
	} else {
		u->maxp = 64;
		u->setup[0] = USB_TYPE_VENDOR | USB_RECIP_DEVICE;
		u->setup[1] = VDEV_LOOP_REQ_WRITE;	/* wLength 0 */
	}
}

int main(void)
{
	struct vdev *d = vdev_loop_new(XENUSB_SPEED_HIGH);
	struct sim *w = NULL;
	struct sfront_urb *u = calloc(1, sizeof(*u));
	u8 *buf = aligned_alloc(SIM_PAGE, BLOCK);
	struct result ctrl, in, out;
	char why[256];
	double mc, in_mbs, out_mbs;
	int ret = 1;

	if (!d || !u || !buf)
		goto out;
	memset(buf, 0x5a, BLOCK);
	w = sim_new(1, 2);
	if (!w)
		goto out;
	sback_plug(w, 1, d);
	if (sim_connect(w) || host_power_ports(w) ||
	    host_enumerate(w, 1, 2, why, sizeof(why))) {
		fprintf(stderr, "sim-bench: setup failed: %s\n", why);
		goto out;
	}
	vdev_loop_set_bench(d, true);

	fill(u, XENUSB_PIPE_TYPE_CTRL, false, 0, buf);
	if (bench_urb(w, u, &ctrl))
		goto out;
	fill(u, XENUSB_PIPE_TYPE_BULK, true, BLOCK, buf);
	if (bench_urb(w, u, &in))
		goto out;
	fill(u, XENUSB_PIPE_TYPE_BULK, false, BLOCK, buf);
	if (bench_urb(w, u, &out))
		goto out;
	mc = bench_memcpy();
	in_mbs = in.n * (double)BLOCK / in.secs / 1e6;
	out_mbs = out.n * (double)BLOCK / out.secs / 1e6;

	printf("sim bench: single-threaded event loop, -O2, no sanitizers; MB = 10^6 bytes\n");
	printf("control 0-byte  %9.0f round trips/s  (%lu in %.2f s)\n",
	       ctrl.n / ctrl.secs, ctrl.n, ctrl.secs);
	printf("bulk IN  64 KiB %9.1f MB/s  %8.0f URBs/s  (%.1f requests per URB)\n",
	       in_mbs, in.n / in.secs, (double)in.requests / in.n);
	printf("bulk OUT 64 KiB %9.1f MB/s  %8.0f URBs/s  (%.1f requests per URB)\n",
	       out_mbs, out.n / out.secs, (double)out.requests / out.n);
	printf("memcpy   64 KiB %9.1f MB/s  (reference ceiling)\n", mc);
	printf("ratio to memcpy: bulk IN %.3f, bulk OUT %.3f\n",
	       mc ? in_mbs / mc : 0, mc ? out_mbs / mc : 0);
	ret = 0;
out:
	if (w) {
		sim_shutdown(w);
		if (!ret && sim_problems(w, 0, why, sizeof(why))) {
			fprintf(stderr, "sim-bench: %s\n", why);
			ret = 1;
		}
		sim_free(w);
	} else {
		vdev_destroy(d);
	}
	free(u);
	free(buf);
	return ret;
}
