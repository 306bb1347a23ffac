/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbfront protocol core: the frontend's decisions on what the backend
 * sends and on how URBs become requests, written as plain C over plain
 * structs (no Xen, no USB core) so that the module, KUnit and the
 * user-space simulator all run the same code.
 *
 * Files: id_table.c (request ids in flight), rsp_check.c (responses and
 * conn events from an untrusted backend), rh_port.c (root-hub port state
 * and hub class requests), xfer_split.c (URB -> request segmentation and
 * what a split transfer does after each response), req_build.c (requests
 * onto the URB ring), rsp_ring.c (responses and conn events off the
 * rings, over the ops an implementer provides), feat.c (negotiated
 * extensions).
 */
#ifndef USBFRONT_CORE_H
#define USBFRONT_CORE_H

#include "xenusb_proto.h"
#include "xenusb_features.h"

/* ------------------------------------------------------------------ */
/* id_table.c: shadow ids of requests on the ring                      */

#define USBFRONT_MAX_IDS	256

/**
 * struct usbfront_id_table - which request ids are in flight
 * @cap: ids 0..cap-1 exist
 * @nfree: entries in @free
 * @free: stack of free ids
 * @in_use: in_use[id] is set while a request with that id is in flight
 *
 * A response naming an id not in flight is a protocol error (unknown or
 * duplicate response), never a lookup into stale state.
 */
struct usbfront_id_table {
	u16 cap;
	u16 nfree;
	u16 free[USBFRONT_MAX_IDS];
	bool in_use[USBFRONT_MAX_IDS];
};

int usbfront_ids_init(struct usbfront_id_table *t, u16 cap);
int usbfront_id_alloc(struct usbfront_id_table *t);
int usbfront_id_release(struct usbfront_id_table *t, u16 id);
int usbfront_ids_resize(struct usbfront_id_table *t, u16 cap);
bool usbfront_id_in_use(const struct usbfront_id_table *t, u16 id);

/* ------------------------------------------------------------------ */
/* rsp_check.c: responses and conn events from the backend             */

/**
 * struct usbfront_inflight - what the frontend remembers of a request
 * @type: XENUSB_PIPE_TYPE_*
 * @in: device-to-host
 * @unlink: the request was an unlink
 * @length: data bytes the request described
 * @nr_packets: isochronous only: frame descriptors sent
 * @reset_port: a port reset request (feature-port-reset) of this port;
 *	0 for every other request
 */
struct usbfront_inflight {
	u8 type;
	bool in;
	bool unlink;
	u32 length;
	u16 nr_packets;
	u8 reset_port;
};

/**
 * struct usbfront_rsp - a response after usbfront_rsp_check()
 * @id: request id
 * @status: URB status (0 or negative errno)
 * @actual_length: bytes transferred, never above the request's length
 * @error_count: isochronous only, never above the packet count
 * @start_frame: isochronous only
 * @clamped: a field was out of range and had to be clamped
 */
struct usbfront_rsp {
	u16 id;
	int status;
	u32 actual_length;
	u32 error_count;
	u16 start_frame;
	bool clamped;
};

void usbfront_rsp_check(const struct xenusb_urb_response *rsp,
			const struct usbfront_inflight *req,
			struct usbfront_rsp *out);
int usbfront_iso_rsp_check(struct xenusb_iso_desc *descs, u16 nr_packets,
			   u32 length);
int usbfront_conn_check(const struct xenusb_conn_response *ev, u8 nports,
			u8 usb_ver);

/* ------------------------------------------------------------------ */
/* feat.c: negotiated extensions                                        */

unsigned int usbfront_feat_choose(const struct xenusb_features *local,
				  const char *const offer[XENUSB_FEAT_NR],
				  struct xenusb_features *use,
				  enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR]);
unsigned int usbfront_ring_order_choose(const char *offer, unsigned int local,
					enum xenusb_feat_verdict *verdict);

/* ------------------------------------------------------------------ */
/* rh_port.c: root-hub ports                                            */

/* Hub class requests as usb core passes them to hub_control (hcd.h). */
#define USBFRONT_RH_CLEAR_HUB_FEATURE	0x2001
#define USBFRONT_RH_CLEAR_PORT_FEATURE	0x2301
#define USBFRONT_RH_GET_HUB_DESCRIPTOR	0xa006
#define USBFRONT_RH_GET_HUB_STATUS	0xa000
#define USBFRONT_RH_GET_PORT_STATUS	0xa300
#define USBFRONT_RH_SET_HUB_FEATURE	0x2003
#define USBFRONT_RH_SET_PORT_FEATURE	0x2303

/* How long a port reset lasts before the port reports enabled. */
#define USBFRONT_RH_RESET_MS	10

/**
 * struct usbfront_rh_port - one root-hub port
 * @status: wPortStatus bits (USB_PORT_STAT_*)
 * @change: wPortChange bits (USB_PORT_STAT_C_*)
 * @speed: XENUSB_SPEED_* of the attached device, 0 if none
 * @reset_end_ms: when a reset in progress completes
 * @reset_remote: the backend resets the device (feature-port-reset): the
 *	reset completes only once it answered
 * @reset_failed: the backend's reset failed: the reset completes without
 *	enabling the port
 * @addressed: the device has been sent a request at a non-zero address
 *	since it connected or was last reset (the guest gave it an address)
 * @reset_forward: the reset in progress began with @addressed set
 */
struct usbfront_rh_port {
	u16 status;
	u16 change;
	u8 speed;
	unsigned long reset_end_ms;
	bool reset_remote;
	bool reset_failed;
	bool addressed;
	bool reset_forward;
};

/**
 * struct usbfront_rh - the virtual root hub
 * @nports: 1..31
 * @usb_ver: 1 or 2
 * @port: port[0] is port 1
 */
struct usbfront_rh {
	u8 nports;
	u8 usb_ver;
	struct usbfront_rh_port port[XENUSB_MAX_PORTNR];
};

int usbfront_rh_init(struct usbfront_rh *rh, u8 nports, u8 usb_ver);
void usbfront_rh_connect(struct usbfront_rh *rh, u8 port, u8 speed);
int usbfront_rh_control(struct usbfront_rh *rh, u16 type_req, u16 value,
			u16 index, u8 *buf, u16 length, unsigned long now_ms);
int usbfront_rh_status_data(const struct usbfront_rh *rh, u8 *buf);
void usbfront_rh_poll(struct usbfront_rh *rh, unsigned long now_ms);
void usbfront_rh_addressed(struct usbfront_rh *rh, u8 port);
bool usbfront_rh_reset_remote(struct usbfront_rh *rh, u8 port);
void usbfront_rh_reset_answer(struct usbfront_rh *rh, u8 port, bool ok);

/* ------------------------------------------------------------------ */
/* xfer_split.c: URB buffer -> base-protocol requests                   */

/**
 * struct usbfront_frag - a piece of a URB buffer inside one 4 KiB page
 * @offset: offset in the page
 * @len: bytes, offset + len <= XENUSB_PAGE_SIZE
 */
struct usbfront_frag {
	u16 offset;
	u16 len;
};

u32 usbfront_frags_linear(u32 start, u32 len, struct usbfront_frag *out,
			  u32 max);
u32 usbfront_split_next(const struct usbfront_frag *frags, u32 nfrags,
			u32 pos, u32 maxp, u32 max_segs, u32 max_bytes);
u32 usbfront_split_segs(const struct usbfront_frag *frags, u32 nfrags,
			u32 pos, u32 len);

/**
 * struct usbfront_progress - how far a transfer has come
 * @total: bytes of the transfer's buffer
 * @done: bytes moved by requests that have completed
 * @cur_len: bytes of the request on the ring
 * @zlp: a zero-length OUT request still has to follow the data
 * @dequeued: the transfer was cancelled; no further request is sent
 * @short_not_ok: a short IN transfer is an error (-EREMOTEIO)
 * @in: device-to-host
 */
struct usbfront_progress {
	u32 total;
	u32 done;
	u32 cur_len;
	bool zlp;
	bool dequeued;
	bool short_not_ok;
	bool in;
};

/* What usbfront_xfer_next() decided. */
#define USBFRONT_XFER_DONE	0	/* give the transfer back */
#define USBFRONT_XFER_SEND	1	/* send its next request */

int usbfront_xfer_next(struct usbfront_progress *p,
		       const struct usbfront_rsp *rsp, int *status);
bool usbfront_xfer_hold(const struct usbfront_progress *p, u32 len,
			bool control);

/* ------------------------------------------------------------------ */
/* rsp_ring.c and req_build.c: the two rings of one controller          */

/* Ids of the deepest ring (ring-page-order 3); a ring uses RING_SIZE(). */
#define USBFRONT_RING_IDS	XENUSB_MAX_URB_RING_SIZE

/**
 * struct usbfront_ring_ops - what the core needs from its implementer
 * @end_grants: end every grant of request @id; false if the backend
 *	still holds one (the request's memory must then stay untouched)
 * @complete: request @id was answered; its id is free again, @inf is
 *	what was sent and @rsp the checked response (@raw only for logs)
 * @conn: a checked conn ring event was applied to the root hub
 * @notify: kick the backend's event channel
 * @fatal: the backend broke the protocol; called once, nothing more is
 *	read from the rings until usbfront_ring_attach()
 *
 * The module implements these with grant-table, event-channel and USB
 * core calls; the simulator and the fuzzers with their world. Every
 * callback is called with the implementer's lock held, as the core is.
 */
struct usbfront_ring_ops {
	bool (*end_grants)(void *ctx, u16 id);
	void (*complete)(void *ctx, const struct usbfront_inflight *inf,
			 const struct xenusb_urb_response *raw,
			 const struct usbfront_rsp *rsp);
	void (*conn)(void *ctx, u8 port, u8 speed);
	void (*notify)(void *ctx);
	void (*fatal)(void *ctx, const char *what);
};

/**
 * struct usbfront_ring - the frontend halves of both rings
 * @urb: URB ring, front half
 * @conn: conn ring, front half
 * @ids: request ids in flight
 * @inf: what was sent under each id
 * @held: the backend still held a grant of the request when it answered
 *	or at teardown: the id stays in use until the grants end
 * @nheld: entries of @held set
 * @posted: the request is published (a response to it can be genuine)
 * @slot_id: id of the request queued in each ring slot, our own copy
 * @pushed: req_prod_pvt at the last push: what the backend may answer
 * @broken: a protocol error was latched
 * @error: what the backend did, once @broken
 * @rh: root hub the conn events go to
 * @ops: the implementer's callbacks
 * @ctx: their argument
 * @feat: the negotiated extensions of the current connection
 */
struct usbfront_ring {
	struct xenusb_urb_front_ring urb;
	struct xenusb_conn_front_ring conn;
	struct usbfront_id_table ids;
	struct usbfront_inflight inf[USBFRONT_RING_IDS];
	bool held[USBFRONT_RING_IDS];
	unsigned int nheld;
	bool posted[USBFRONT_RING_IDS];
	u16 slot_id[USBFRONT_RING_IDS];
	RING_IDX pushed;
	bool broken;
	const char *error;
	struct usbfront_rh *rh;
	const struct usbfront_ring_ops *ops;
	void *ctx;
	struct xenusb_features feat;
};

/**
 * struct usbfront_xfer - what a data request carries
 * @pipe: wire pipe (xenusb_pipe_encode()), without the unlink bit
 * @length: data bytes, at most 65535 (buffer_length is u16), or for an
 *	indirect bulk request feat.val[XENUSB_FEAT_MAX_INDIRECT] pages
 * @nr_segs: data segments the request will have; above 16, or a length
 *	above 65535, makes it indirect (0: not known, direct)
 * @setup: control only: the setup packet
 * @interval: interrupt and isochronous only
 * @start_frame: isochronous only
 * @nr_packets: isochronous only: frame descriptors
 * @zero_packet: bulk OUT only: the request carries XENUSB_ZERO_PACKET
 *	(feature-zero-packet must be on)
 */
struct usbfront_xfer {
	u32 pipe;
	u32 length;
	u16 nr_segs;
	u8 setup[8];
	u16 interval;
	u16 start_frame;
	u16 nr_packets;
	bool zero_packet;
};

void usbfront_ring_init(struct usbfront_ring *r, struct usbfront_rh *rh,
			const struct usbfront_ring_ops *ops, void *ctx);
int usbfront_ring_attach(struct usbfront_ring *r, void *urb_page,
			 void *conn_page, unsigned int order);
void usbfront_ring_error(struct usbfront_ring *r, const char *what);
int usbfront_ring_responses(struct usbfront_ring *r, bool *more);
int usbfront_ring_conn(struct usbfront_ring *r, bool *more);
int usbfront_ring_release(struct usbfront_ring *r, u16 id);

int usbfront_req_start(struct usbfront_ring *r, const struct usbfront_xfer *x,
		       struct xenusb_urb_request *req);
int usbfront_req_unlink(struct usbfront_ring *r, u16 victim, u32 pipe);
int usbfront_req_port_reset(struct usbfront_ring *r, u8 port,
			    struct xenusb_urb_request *req);
void usbfront_req_abort(struct usbfront_ring *r, u16 id);
int usbfront_req_queue(struct usbfront_ring *r,
		       struct xenusb_urb_request *req, u8 nr_data,
		       u8 nr_desc);
bool usbfront_req_push(struct usbfront_ring *r);
void usbfront_req_limits(const struct usbfront_ring *r, u8 type,
			 u32 iso_pages, u32 *max_segs, u32 *max_bytes);
int usbfront_req_queue_indirect(struct usbfront_ring *r,
				struct xenusb_urb_request *req, u16 nr_data,
				u32 ind_gref);

#endif /* USBFRONT_CORE_H */
