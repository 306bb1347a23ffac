/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space ring simulator: the usbfront and usbback protocol cores run
 * against each other over a real DEFINE_RING_TYPES shared ring, with a
 * simulated grant table and event channel in between and scriptable
 * virtual USB devices behind the backend.
 *
 * The backend is usbback's own ring code (usbback/urb_ring.c and
 * conn_ring.c) over the simulator's struct usbback_ring_ops (back.c); the
 * frontend runs usbfront's own ring code (usbfront/rsp_ring.c and
 * req_build.c: the response and conn loops, request building, the
 * split-transfer decisions) over ops implemented with the simulated
 * world; what stays in front.c is the part the module does with Xen and
 * USB core calls (grants, the URB queue, giveback). Every protocol DECISION
 * (request validation, routing, endpoint checks, response checks, ids,
 * port state, request splitting, hotplug queueing)
 * is taken by the core functions of usbback/core.h and usbfront/core.h,
 * compiled from their real files.
 *
 * Single-threaded and deterministic: a virtual millisecond clock and a
 * step loop that runs the frontend, the backend and the devices in turn.
 */
#ifndef XENUSB_SIM_H
#define XENUSB_SIM_H

#include <linux/types.h>
#include <linux/errno.h>
#include <xen/interface/io/usbif.h>

#include "xenusb_proto.h"
#include "../../usbback/core.h"
#include "../../usbfront/core.h"

#define SIM_PAGE	XENUSB_PAGE_SIZE
#ifndef READ_ONCE
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#define SIM_NEVER	((u64)-1)
#define SIM_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/*
 * Loops of the test harness over whole tables: their comparisons tell a
 * coverage-guided fuzzer nothing and, traced, took a third of its time.
 */
#if defined(__clang__)
#define SIM_NO_COVERAGE	__attribute__((no_sanitize("coverage")))
#else
#define SIM_NO_COVERAGE
#endif
#define SIM_MAX_ISO_PACKETS	(XENUSB_MAX_XFER / XENUSB_ISO_DESC_SIZE)

/* ------------------------------------------------------------------ */
/* gnttab.c: simulated grant table                                     */

#define SIM_DOM_BACK	0
#define SIM_DOM_FRONT	1
#define SIM_GNT_NR	4096

enum sim_gv {
	SIM_GV_USE_AFTER_END,	/* access through a grant already ended */
	SIM_GV_USE_AFTER_UNMAP,	/* access through a handle already unmapped */
	SIM_GV_WRITE_RO,	/* write through a read-only grant */
	SIM_GV_END_MAPPED,	/* end of access while the peer maps it */
	SIM_GV_DOUBLE_END,	/* end of a grant already ended */
	SIM_GV_BAD_END,		/* end of a grant never given or not owned */
	SIM_GV_BAD_UNMAP,	/* unmap of a handle not mapped */
	SIM_GV_OUT_OF_PAGE,	/* access beyond the 4 KiB page */
	SIM_GV_LEAK,		/* grant or mapping alive at teardown */
	SIM_GV_NR
};

struct sim_gnt {
	void *page;
	u64 serial;		/* lifetime id, 0 while free */
	u64 last_serial;	/* lifetime that ended last, for double end */
	u16 owner;
	u16 grantee;
	bool readonly;
	u32 map_count;
};

/* A mapping held by the grantee (the backend). */
struct sim_gnt_map {
	u32 gref;
	u64 serial;
	u16 dom;
	bool rw;
	bool mapped;
};

struct sim_gnttab {
	struct sim_gnt e[SIM_GNT_NR];
	u32 fifo[SIM_GNT_NR];	/* free grefs, oldest first (late reuse) */
	u32 fhead;
	u32 fcount;
	u64 next_serial;
	u32 alive;
	u32 peak_alive;
	u32 maps_alive;
	u64 grants;
	u64 maps;
	u32 nviol[SIM_GV_NR];
	u32 violations;
	char first[192];
};

void sim_gnt_init(struct sim_gnttab *gt);
int sim_gnt_grant(struct sim_gnttab *gt, u16 owner, u16 grantee, void *page,
		  bool readonly);
int sim_gnt_end(struct sim_gnttab *gt, u16 owner, u32 gref);
int sim_gnt_map(struct sim_gnttab *gt, u16 dom, u32 gref, bool rw,
		struct sim_gnt_map *m);
int sim_gnt_unmap(struct sim_gnttab *gt, struct sim_gnt_map *m);
int sim_gnt_read(struct sim_gnttab *gt, const struct sim_gnt_map *m,
		 u32 off, void *dst, u32 len);
int sim_gnt_write(struct sim_gnttab *gt, const struct sim_gnt_map *m,
		  u32 off, const void *src, u32 len);
void *sim_gnt_ring_page(struct sim_gnttab *gt, const struct sim_gnt_map *m);
u32 sim_gnt_teardown(struct sim_gnttab *gt);
const char *sim_gv_name(enum sim_gv v);

/* ------------------------------------------------------------------ */
/* evtchn.c: one interdomain event channel, both ends lateeoi          */

#define SIM_SIDE_FRONT	0
#define SIM_SIDE_BACK	1

struct sim_evtchn_end {
	bool pending;
	bool in_handler;	/* delivered, EOI not yet given */
	u64 sent;
	u64 delivered;
	u64 spurious;
};

struct sim_evtchn {
	struct sim_evtchn_end end[2];
	u32 violations;
	char first[128];
};

void sim_evtchn_init(struct sim_evtchn *ch);
void sim_evtchn_notify(struct sim_evtchn *ch, int from);
bool sim_evtchn_deliver(struct sim_evtchn *ch, int to);
void sim_evtchn_eoi(struct sim_evtchn *ch, int to, bool spurious);

/* ------------------------------------------------------------------ */
/* vdev.c and vdev_*.c: virtual devices behind the backend             */

struct vdev;

/* One data transfer as the backend hands it to a device. */
struct vdev_xfer {
	u8 type;
	u8 ep;
	bool in;
	u16 maxp;	/* of the endpoint, filled in by vdev_xfer() */
	u8 *buf;
	u32 len;
	u16 nr_packets;
	struct xenusb_iso_desc *iso;
	bool zero_packet;	/* URB_ZERO_PACKET on the host URB */
	u32 actual;
	u32 error_count;
	int status;
};

struct vdev_ops {
	/* Class/vendor control requests (standard ones are common code). */
	int (*control)(struct vdev *d, const u8 *setup, u8 *buf, u32 len,
		       u32 *actual);
	/* Bulk, interrupt and isochronous transfers. */
	void (*xfer)(struct vdev *d, struct vdev_xfer *x);
	/* Virtual time at which a transfer submitted at @now completes. */
	u64 (*due)(struct vdev *d, const struct vdev_xfer *x, u64 now);
	/* Configuration or altsetting changed: reset data streams. */
	void (*reset)(struct vdev *d);
	void (*destroy)(struct vdev *d);
};

#define VDEV_MAX_INTF	4

struct vdev {
	const char *name;
	const struct vdev_ops *ops;
	u8 speed;
	const u8 *dev_desc;
	const u8 *cfg_desc;
	u16 cfg_len;
	u8 config;
	u8 alt[VDEV_MAX_INTF];
	bool halted[2][XENUSB_NUM_EPS];
	u64 ctrl_requests;
	/* what the bus saw: ZLPs after OUT data, empty OUT transfers, resets */
	u64 zlps;
	u64 empty_outs;
	u64 resets;
	void *priv;
};

int vdev_control(struct vdev *d, const u8 *setup, u8 *buf, u32 len,
		 u32 *actual);
int vdev_set_configuration(struct vdev *d, u8 value);
int vdev_set_interface(struct vdev *d, u8 intf, u8 alt);
int vdev_clear_halt(struct vdev *d, u8 epaddr);
void vdev_ep_view(const struct vdev *d, struct usbback_ep_view *view);
void vdev_xfer(struct vdev *d, struct vdev_xfer *x);
void vdev_destroy(struct vdev *d);

/* Source/sink loopback (g_zero-like) with an iso loopback altsetting. */
struct vdev *vdev_loop_new(u8 speed);
struct vdev_loop_stats {
	u32 sink_bytes;
	u32 sink_errors;
	u32 source_bytes;
	u32 iso_packets;
};

void vdev_loop_set_delay(struct vdev *d, u32 in_delay_ms);
void vdev_loop_set_bench(struct vdev *d, bool on);
#define VDEV_LOOP_REQ_WRITE	0x5b
#define VDEV_LOOP_REQ_READ	0x5c
#define VDEV_LOOP_REQ_STATS	0x5d
#define VDEV_LOOP_BUFLEN	4096
/* Byte @pos of the source/sink streams. */
static inline u8 vdev_loop_pattern(u32 pos)
{
	return pos % 63;
}

/* HID boot mouse whose reports draw a circle. */
struct vdev *vdev_mouse_new(void);
#define VDEV_MOUSE_STEPS	36
#define VDEV_MOUSE_RADIUS	40
#define VDEV_MOUSE_INTERVAL	10

/* Bulk-only mass storage on a RAM image. */
struct vdev *vdev_msc_new(u32 blocks);
#define VDEV_MSC_BLOCK	512

/* ------------------------------------------------------------------ */
/* front.c: usbfront's ring core (rsp_ring.c, req_build.c) on the world */

#define SFRONT_NR_IDS		USBFRONT_RING_IDS
#define SFRONT_MAX_FRAGS	260	/* 1 MiB + one unaligned page */
#define SFRONT_MAX_BYTES	65535	/* base protocol, no 0 = 64 KiB wrap */

struct sim;
struct sfront_urb;

typedef void (*sfront_complete_t)(struct sim *w, struct sfront_urb *u);

/* What a test submits: the sim's stand-in for struct urb. */
struct sfront_urb {
	u8 port;
	u8 devnum;
	u8 ep;
	u8 type;
	bool in;
	u16 maxp;
	u8 setup[8];
	u8 *buf;
	u32 len;
	bool short_not_ok;
	bool zero_packet;	/* URB_ZERO_PACKET: a ZLP follows OUT data */
	u16 interval;
	u16 nr_packets;
	struct xenusb_iso_desc *iso;	/* page-aligned, nr_packets entries */
	sfront_complete_t complete;
	void *ctx;

	/* results */
	bool done;
	int status;
	u32 actual;
	u32 error_count;
	u16 start_frame;

	/* frontend private, as usbfront's struct usbfront_urbp */
	struct usbfront_frag frags[SFRONT_MAX_FRAGS];
	u32 nfrags;
	struct usbfront_progress prog;
	/* isochronous: the descriptor pages the backend writes (ours) */
	struct xenusb_iso_desc *wire;
	u32 wire_pages;
	int req_id;		/* request on the ring, -1 if none */
	bool holds_ep;		/* the endpoint waits for this URB */
	bool unlinking;
	bool unlink_wait;	/* its unlink waits for a ring slot */
	bool queued;		/* on the pending queue */
	struct sfront_urb *next;
};

/* Result slot of a hand-made request (hostile-frontend tests). */
struct sfront_raw {
	bool done;
	struct xenusb_urb_response rsp;
	struct usbfront_rsp chk;
};

/* The simulator's half of a request in flight (grants, owner). */
struct sfront_shadow {
	struct sfront_urb *urb;
	struct sfront_raw *raw;
	u32 gref[XENUSB_MAX_INDIRECT_SEGS + 1];
	u16 ngref;
	/* the id's indirect page (large transfers), allocated on first use */
	struct xenusb_request_segment *ind;
};

struct sfront {
	struct usbfront_ring ring;
	u32 urb_gref;		/* urb-ring-ref, or urb-ring-ref0 */
	u32 urb_grefs[XENUSB_MAX_RING_PAGES];	/* all 2^order pages */
	u32 conn_gref;
	u8 nports;
	u8 usb_ver;
	bool connected;
	struct sfront_shadow sh[SFRONT_NR_IDS];
	struct usbfront_rh rh;
	struct sfront_urb *qhead;
	struct sfront_urb *qtail;
	struct sfront_urb *unlink_q[SFRONT_NR_IDS];
	u32 nunlink;
	/* URB holding each endpoint: [port][ep][in] */
	struct sfront_urb *ep_owner[XENUSB_MAX_PORTNR + 1][XENUSB_NUM_EPS][2];

	/* a latched protocol error: the frontend stops trusting the ring */
	bool dead;
	u32 proto_errors;
	char err[192];

	u64 requests;
	u64 responses;
	u64 conn_events;
	u64 zlp_requests;	/* extra zero-length requests (base protocol) */
	u64 zlp_flags;		/* requests with XENUSB_ZERO_PACKET */
	u64 port_resets;	/* port reset requests (feature-port-reset) */
	u32 port_events[XENUSB_MAX_PORTNR + 1];
	u32 inflight;
	u32 peak_inflight;
	u32 iso_fixed;
	u32 clamped_ignored;
};

void sfront_init(struct sim *w, u8 nports, u8 usb_ver);
int sfront_connect(struct sim *w);
void sfront_disconnect(struct sim *w);
void sfront_port_reset(struct sim *w, u8 port);
unsigned int sfront_reclaim(struct sim *w);
int sfront_submit(struct sim *w, struct sfront_urb *u);
int sfront_unlink(struct sim *w, struct sfront_urb *u);
void sfront_abandon(struct sim *w, struct sfront_urb *u);
int sfront_raw_submit(struct sim *w, struct xenusb_urb_request *req,
		      const u32 *grefs, u8 ngref, u32 length,
		      struct sfront_raw *res);
int sfront_raw_unlink(struct sim *w, u16 victim, u32 pipe,
		      struct sfront_raw *res);
bool sfront_kick(struct sim *w);
void sfront_irq(struct sim *w);

/* ------------------------------------------------------------------ */
/* back.c: usbback's ring code (usbback/urb_ring.c, conn_ring.c) over   */
/* the simulator's implementation of struct usbback_ring_ops            */

#define SBACK_SLOTS	USBBACK_MAX_SLOTS
#define SBACK_LAZY_MAX	(XENUSB_MAX_INDIRECT_SEGS * SBACK_SLOTS)
/* Largest transfer of one request: an indirect one of 256 pages. */
#define SBACK_RETRY_MS	10	/* usbback's retry_ms default */

/* Deliberately wrong backends, to prove the frontend's checks. */
enum sback_evil {
	SBACK_GOOD,
	SBACK_EVIL_BAD_ID,		/* answers with an id never sent */
	SBACK_EVIL_DUP_RSP,		/* answers one request twice */
	SBACK_EVIL_OVERSIZE,		/* actual_length above the request */
	SBACK_EVIL_RSP_BEFORE_UNMAP,	/* pushes, then unmaps later */
	SBACK_EVIL_CONN_BAD_PORT,	/* conn event for port nports + 1 */
	SBACK_EVIL_RSP_PROD_OVERFLOW,	/* rsp_prod far past the requests */
	SBACK_EVIL_ISO_DESC,		/* iso descriptor beyond the buffer */
};

struct sback_port {
	struct vdev *dev;
	struct usbback_ep_view view;
};

/* The simulator's side of the core's slot of the same index. */
struct sback_xfer {
	bool scheduled;		/* on the device, completes at @due */
	bool cancelled;		/* unlinked: completes -ECONNRESET */
	bool cfg_pending;	/* SET_CONFIGURATION answered at @due */
	bool reached;		/* got to the device (else: rejected) */
	u8 cfg_value;
	s16 victim;		/* an unlink: slot of its victim, or -1 */
	u64 seq;
	u64 due;
	struct sim_gnt_map map[XENUSB_MAX_INDIRECT_SEGS];
	u16 nmap;
	u8 *bounce;
	struct xenusb_iso_desc *descs;
	struct vdev_xfer vx;
};

struct sback {
	struct usbback_ring ring;
	struct usbback_rq rq[SBACK_SLOTS];	/* the core's slots */
	struct sim_gnt_map urb_map;		/* ring page 0 */
	struct sim_gnt_map urb_more[XENUSB_MAX_RING_PAGES - 1];
	unsigned int ring_order;
	struct sim_gnt_map conn_map;
	bool connected;
	u8 nports;
	u8 usb_ver;
	struct sback_port port[XENUSB_MAX_PORTNR + 1];
	struct sback_xfer x[SBACK_SLOTS];
	u64 seq;

	/* scheduling: what usbback's work items would do next */
	bool locked;		/* the ring lock (checked, never nested) */
	bool kicked;		/* ops->kick(): consume at the next work */
	u64 retry_at;		/* ops->retry(): consume then, or SIM_NEVER */
	u32 nomem;		/* answer -ENOMEM to that many submits */

	/* xenbus_dev_fatal: the backend stops serving the ring */
	bool fatal;
	char fatal_msg[160];

	enum sback_evil evil;
	u32 evil_done;
	struct sim_gnt_map lazy[SBACK_LAZY_MAX];
	u32 nlazy;
	RING_IDX conn_seen;

	u64 responses;
	u64 rejected;
	u64 indirect;		/* indirect requests whose descriptors were read */
	u64 unlinks;
	u64 cancelled;
	u64 nomem_hits;
	u64 configured;		/* configuration changes on a device */
	u64 refused;		/* requests ops->bad() was told of */
	int last_reject;
};

u64 sback_requests(const struct sim *w);
u64 sback_conn_sent(const struct sim *w);
void sback_init(struct sim *w, u8 nports, u8 usb_ver);
int sback_connect(struct sim *w, const u32 *urb_grefs, unsigned int order,
		  u32 conn_gref);
void sback_disconnect(struct sim *w);
void sback_plug(struct sim *w, u8 port, struct vdev *d);
void sback_unplug(struct sim *w, u8 port);
void sback_irq(struct sim *w);
bool sback_work(struct sim *w);
u64 sback_next_due(const struct sim *w);
void sback_free(struct sim *w);

/* ------------------------------------------------------------------ */
/* world.c: the two domains, the clock and the step loop               */

struct sim {
	u64 now;
	u64 steps;
	struct sim_gnttab gt;
	struct sim_evtchn ev;
	void *urb_page;		/* frontend memory shared as the rings */
	void *conn_page;
	struct sfront front;
	struct sback back;
	/*
	 * Large transfers: what the backend offers (its
	 * feature-max-indirect-segments) and what the frontend would use;
	 * sim_connect() agrees on the smaller. 0 (the default): base
	 * protocol only.
	 */
	u16 indirect_offer;
	u16 indirect_want;
	/*
	 * The urb ring's ring-page-order both sides agreed on (scenarios
	 * negotiate it with the cores' functions): sim_connect() grants and
	 * maps 2^ring_order pages. 0 (the default): one page.
	 */
	unsigned int ring_order;
	/* memory of abandoned URBs, freed with the world */
	void *orphan[64];
	u32 norphan;
};

struct sim *sim_new(u8 nports, u8 usb_ver);
int sim_connect(struct sim *w);
bool sim_step(struct sim *w);
int sim_run_until(struct sim *w, bool (*cond)(struct sim *w, void *arg),
		  void *arg, u64 timeout_ms);
int sim_advance(struct sim *w, u64 ms);
void sim_shutdown(struct sim *w);
#define SIM_EXPECT_GNT		1u	/* grant violations (not leaks) */
#define SIM_EXPECT_FRONT_ERR	2u	/* frontend protocol errors */
#define SIM_EXPECT_BACK_FATAL	4u	/* backend fatal error */
int sim_problems(struct sim *w, unsigned int expect, char *why, size_t len);
void sim_free(struct sim *w);
void sim_keep(struct sim *w, void *mem);

/* ------------------------------------------------------------------ */
/* host.c: a tiny "usb core + hub driver" on the frontend side         */

void *sim_pages_alloc(u32 len, u32 offset);
void sim_pages_free(void *buf, u32 offset);
int host_wait(struct sim *w, struct sfront_urb *u, u64 timeout_ms);
int host_ctrl(struct sim *w, u8 port, u8 devnum, u8 type, u8 request,
	      u16 value, u16 index, void *data, u16 length, u32 *actual);
int host_xfer_zlp(struct sim *w, u8 port, u8 devnum, u8 epaddr, u16 maxp,
		  void *data, u32 len);
int host_xfer(struct sim *w, u8 port, u8 devnum, u8 type, u8 epaddr,
	      u16 maxp, void *data, u32 len, u32 offset, u32 *actual);
int host_port_reset(struct sim *w, u8 port, u8 *speed);
int host_wait_port(struct sim *w, u8 port, bool connected);
int host_power_ports(struct sim *w);
int host_enumerate(struct sim *w, u8 port, u8 devnum, char *why,
		   size_t len);

#endif /* XENUSB_SIM_H */
