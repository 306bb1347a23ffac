/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the simulator's scenario files share: the check recorder
 * (expect()), the world fixtures and the device helpers (loopback
 * streams, mass-storage commands, hand-made requests). scenarios_lib.c
 * implements them; each scenarios_<theme>.c holds one theme's scenarios,
 * and scenarios.c lists them all.
 */
#ifndef XENUSB_SIM_SCENARIOS_LIB_H
#define XENUSB_SIM_SCENARIOS_LIB_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"
#include "scenarios.h"

#define LOOP_MAXP	512
#define MSC_BLOCKS	4096

/**
 * struct check - the outcome of one scenario
 * @why: where the first failure's reason goes (the PASS/FAIL line)
 * @len: size of @why
 * @failed: failed checks so far
 */
struct check {
	char *why;
	size_t len;
	unsigned int failed;
};

#define CHECK_INIT(why, len)	{ (why), (len), 0 }

bool check_that(struct check *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * expect(t, cond, fmt, ...) - one check: true when @cond holds; else the
 * failure is counted and, if it is the scenario's first, the formatted
 * reason is kept. The usual use: if (!expect(...)) goto out;
 */
#define expect(t, cond, ...)	check_that(t, !!(cond), __VA_ARGS__)

bool expect_ok(struct check *t, int err);
int finish(struct check *t, struct sim *w, unsigned int allowed);

/* World fixtures; a failed setup is a failed check of @t. */
struct sim *world_up(struct check *t, u8 nports, u8 usb_ver,
		     struct vdev *const *devs);
struct sim *world_one(struct check *t, struct vdev *d, u8 devnum);

/* The loopback device's two bulk streams, pattern(offset) on both sides. */
struct loopctx {
	u8 port;
	u8 dev;
	u32 out_pos;
	u32 in_pos;
};

struct sim *loop_up(struct check *t, struct loopctx *c);
int loop_out(struct sim *w, struct loopctx *c, u32 n, u32 offset);
int loop_in(struct sim *w, struct loopctx *c, u32 n, u32 offset);
bool loop_verify(struct check *t, struct sim *w, struct loopctx *c);

struct sfront_urb *bulk_urb(u8 port, u8 dev, bool in, u32 n);
void bulk_urb_free(struct sfront_urb *u);
bool back_holds(struct sim *w, void *arg);
struct sim *slow_read_held(struct check *t, struct sfront_urb **u);

int iso_run(struct sim *w, bool in, u16 npk, u16 pklen, u32 desc_off,
	    u8 seed, u32 *actual_out, u32 *errors, char *why, size_t len);

/* usb-storage Bulk-Only Transport */
struct mscctx {
	u8 port;
	u8 dev;
	u32 tag;
};

int msc_cmd(struct sim *w, struct mscctx *m, const u8 *cdb, u8 cdblen,
	    bool in, void *data, u32 dlen, u32 *residue, bool *stalled);
int msc_rw10(struct sim *w, struct mscctx *m, bool read, u32 lba,
	     u16 blocks, u8 *data, u32 *residue, bool *stalled);

u64 fnv1a(const u8 *p, size_t n);

/* Hand-made requests */
u8 grant_pages(struct sim *w, struct xenusb_urb_request *rq, u32 *grefs,
	       u8 *buf, u8 n, bool ro);
int raw_wait(struct sim *w, struct xenusb_urb_request *rq, u32 *grefs,
	     u8 ngref, u32 length, struct sfront_raw *res);

#endif /* XENUSB_SIM_SCENARIOS_LIB_H */
