/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbback protocol core: the decisions the backend takes on guest input,
 * written as plain C over plain structs (no Xen, no USB core) so that the
 * module, KUnit and the user-space simulator all run the same code.
 *
 * Files: addr_table.c (SET_ADDRESS virtualisation), conn_queue.c (hotplug
 * events waiting for a conn-ring slot), req_check.c (request validation,
 * control classification, iso descriptors), xs_parse.c (xenstore values),
 * urb_ring.c (the urb ring: requests in, responses out, request slots,
 * unlinks) and conn_ring.c (the conn ring), the last two over the
 * implementer's struct usbback_ring_ops; feat.c (negotiated extensions).
 */
#ifndef USBBACK_CORE_H
#define USBBACK_CORE_H

#include "xenusb_proto.h"
#include "xenusb_features.h"

/* ------------------------------------------------------------------ */
/* addr_table.c: guest USB address -> root-hub port                    */

/**
 * struct usbback_addr_table - the addresses the guest has assigned
 * @port_of: port_of[devnum] is the port holding that address, 0 if none
 *
 * The host device already has a host address; SET_ADDRESS from the guest
 * is answered locally and only recorded here.
 */
struct usbback_addr_table {
	u8 port_of[XENUSB_MAX_DEVNUM + 1];
};

void usbback_addr_init(struct usbback_addr_table *t);
int usbback_addr_set(struct usbback_addr_table *t, u8 port, u8 devnum);
void usbback_addr_clear_port(struct usbback_addr_table *t, u8 port);
int usbback_addr_route(const struct usbback_addr_table *t, u8 port, u8 devnum);

/* ------------------------------------------------------------------ */
/* conn_queue.c: plug/unplug events waiting for a conn-ring request    */

/**
 * struct usbback_conn_queue - per-controller hotplug state to report
 * @nports: ports of the controller, 1..31
 * @wanted: speed each port should be reported at (0 = empty)
 * @told: speed the frontend was last told
 * @replug: a different device took the port: report 0 before @wanted
 * @queued: port is in @fifo
 * @fifo: ports with news, oldest first
 * @head: index of the oldest entry of @fifo
 * @count: entries in @fifo
 *
 * Only the latest state of a port matters, so the queue is bounded by the
 * number of ports and can never overflow, however fast devices come and go.
 */
struct usbback_conn_queue {
	u8 nports;
	u8 wanted[XENUSB_MAX_PORTNR + 1];
	u8 told[XENUSB_MAX_PORTNR + 1];
	bool replug[XENUSB_MAX_PORTNR + 1];
	bool queued[XENUSB_MAX_PORTNR + 1];
	u8 fifo[XENUSB_MAX_PORTNR];
	u8 head;
	u8 count;
};

int usbback_conn_init(struct usbback_conn_queue *q, u8 nports);
int usbback_conn_set(struct usbback_conn_queue *q, u8 port, u8 speed);
void usbback_conn_replay(struct usbback_conn_queue *q);
bool usbback_conn_pending(const struct usbback_conn_queue *q);
bool usbback_conn_pop(struct usbback_conn_queue *q, u8 *port, u8 *speed);

/* ------------------------------------------------------------------ */
/* req_check.c: validation of requests copied off the urb ring          */

/* Endpoint absent from the current configuration/altsettings. */
#define USBBACK_EP_NONE	0xff

/**
 * struct usbback_ep_view - endpoints the device exposes right now
 * @type: type[in][ep] is XENUSB_PIPE_TYPE_* or USBBACK_EP_NONE; [*][0] is
 *	always control
 * @maxp: wMaxPacketSize (payload bytes) of each endpoint
 *
 * Rebuilt by the glue from the active altsetting of every claimed
 * interface whenever the guest changes configuration or altsetting.
 */
struct usbback_ep_view {
	u8 type[2][XENUSB_NUM_EPS];
	u16 maxp[2][XENUSB_NUM_EPS];
};

/**
 * struct usbback_req - a request that passed usbback_req_parse()
 * @id: the frontend's request id, echoed in the response
 * @pipe: decoded pipe; for a control request without data stage @pipe.in
 *	is false whatever the wire said (the status stage decides)
 * @length: data bytes described by the data segments, 0..XENUSB_MAX_XFER,
 *	for an indirect request up to XENUSB_MAX_INDIRECT_SEGS pages
 * @nr_data_segs: segments seg[0..nr_data_segs) carry data; for an
 *	indirect request they are read from the indirect pages
 * @indirect: XENUSB_INDIRECT: the wire segments name indirect pages
 * @nr_ind_segs: indirect only: wire segments naming indirect pages
 * @nr_desc_segs: isochronous only: seg[nr_data_segs..+nr_desc_segs) carry
 *	@nr_packets frame descriptors
 * @nr_packets: isochronous only: number of frame descriptors
 * @interval: interrupt/isochronous interval from the guest (a hint only)
 * @start_frame: isochronous start frame from the guest
 * @short_not_ok: XENUSB_SHORT_NOT_OK was set (IN, non-iso only)
 * @zero_packet: XENUSB_ZERO_PACKET was set (feature-zero-packet; OUT
 *	bulk or interrupt only): the host URB gets URB_ZERO_PACKET
 * @port_reset: XENUSB_PORT_RESET (feature-port-reset): reset the port's
 *	device; no data, the device address is not used
 * @unlink_id: unlink only: id of the request to cancel
 * @setup: control only: the setup packet
 */
struct usbback_req {
	u16 id;
	struct xenusb_pipe pipe;
	u32 length;
	u16 nr_data_segs;
	bool indirect;
	u8 nr_ind_segs;
	u8 nr_desc_segs;
	u16 nr_packets;
	u16 interval;
	u16 start_frame;
	bool short_not_ok;
	bool zero_packet;
	bool port_reset;
	u16 unlink_id;
	u8 setup[8];
};

int usbback_req_parse(const struct xenusb_urb_request *req, u8 nports,
		      struct usbback_req *out);
int usbback_req_parse_feat(const struct xenusb_urb_request *req, u8 nports,
			   const struct xenusb_features *feat,
			   struct usbback_req *out);
int usbback_req_check_indirect(const struct xenusb_request_segment *seg,
			       const struct usbback_req *r);
int usbback_req_check_ep(const struct usbback_req *r,
			 const struct usbback_ep_view *view);
void usbback_ep_view_reset(struct usbback_ep_view *view);

/* What the backend must do with a control request. */
enum usbback_ctrl_kind {
	USBBACK_CTRL_PASS,		/* submit to the device as it is */
	USBBACK_CTRL_SET_ADDRESS,	/* answer locally, record address */
	USBBACK_CTRL_SET_CONFIGURATION,	/* usb_driver_set_configuration() */
	USBBACK_CTRL_SET_INTERFACE,	/* usb_set_interface() */
	USBBACK_CTRL_CLEAR_HALT,	/* usb_clear_halt() */
	USBBACK_CTRL_PORT_RESET,	/* usb_reset_device() (a port reset) */
};

enum usbback_ctrl_kind usbback_ctrl_classify(const u8 setup[8]);

int usbback_iso_descs_check(const struct xenusb_iso_desc *descs,
			    u16 nr_packets, u32 length);

/* ------------------------------------------------------------------ */
/* xs_parse.c: values read from xenstore (written by the toolstack)     */

int usbback_parse_num_ports(const char *s, u8 *nports);
int usbback_parse_usb_ver(const char *s, u8 *usb_ver);
bool usbback_busid_valid(const char *busid);
int usbback_parse_ring_order(const char *s, unsigned int max,
			     unsigned int *order);
int usbback_parse_ring_refs(unsigned int order, const char *const refs[],
			    u32 grefs[], unsigned int *bad);

/* Longest busid accepted ("b-p.p.p.p.p" with 3-digit fields, plus NUL). */
#define USBBACK_BUSID_LEN	32

/* ------------------------------------------------------------------ */
/* feat.c: negotiated extensions                                        */

int usbback_feat_accept(const struct xenusb_features *offered,
			const char *const used[XENUSB_FEAT_NR],
			struct xenusb_features *on,
			enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR]);

/* ------------------------------------------------------------------ */
/* urb_ring.c and conn_ring.c: the rings, over the implementer's ops    */

/*
 * Requests in flight per controller: the urb ring holds no more. The
 * implementer gives the core one slot per request the negotiated ring
 * holds (usbback_ring_set_slots()), at most this many.
 */
#define USBBACK_MAX_SLOTS	XENUSB_MAX_URB_RING_SIZE

/* Answered later by the implementer, not an XENUSB_STATUS_* value. */
#define USBBACK_CTRL_PENDING	1

/* What the caller of usbback_ring_respond_locked() does after unlocking. */
#define USBBACK_RSP_NOTIFY	1u	/* ops->notify(): the frontend waits */
#define USBBACK_RSP_KICK	2u	/* ops->kick(): a consumer waits */

/**
 * struct usbback_rq - one request taken off the urb ring (a slot)
 * @in_use: holds a request whose response is not pushed yet
 * @dispatched: handed to ops->submit() or ops->control(): from then on
 *	the implementer owns it until it calls usbback_ring_respond()
 * @index: position in usbback_ring.rq[], fixed at usbback_ring_set_slots()
 * @port: port the request names, 0 when it names none
 * @req: the validated request; for a malformed one only @req.id and
 *	@req.pipe are meaningful
 * @ind: indirect requests only: the wire segments naming the indirect
 *	pages, copied off the ring with it
 * @seg: the request's data (and iso descriptor) segments, copied off the
 *	ring with it, or for an indirect request read from its indirect
 *	pages by ops->indirect() and then checked
 *
 * The fields are written by the core while it takes the request and stay
 * unchanged until its response; the implementer reads them, and keeps its
 * own per-slot state in an array indexed by @index.
 */
struct usbback_rq {
	bool in_use;
	bool dispatched;
	u8 port;
	u16 index;
	struct usbback_req req;
	struct xenusb_request_segment ind[XENUSB_MAX_SEGMENTS_PER_REQUEST];
	struct xenusb_request_segment seg[XENUSB_MAX_INDIRECT_SEGS];
};

struct usbback_ring;

/**
 * struct usbback_ring_ops - what the core needs from its implementer
 *
 * The core takes no lock of its own and calls no Xen or USB function;
 * these operations are its only way out.  Two contexts matter:
 *
 * - the *consumer context*: usbback_ring_consume(), usbback_ring_attach()
 *   and everything that changes routing (a device on a port, its endpoint
 *   view, the address table) are serialised by the implementer (the
 *   module: ctrlr->req_mutex, in process context).  It may sleep.
 * - the *ring lock*: @lock/@unlock guard the request slots, the urb
 *   ring's response side, the conn ring and the conn queue.  It is taken
 *   from any context the implementer responds in (the module: a spinlock
 *   taken with interrupts off).  Ops marked "under the ring lock" must
 *   not sleep nor take the ring lock again.
 *
 * @lock: take the ring lock; the return value goes back to @unlock.
 * @unlock: release it.
 * @device: consumer context: the endpoint view of the device on @port
 *	(1..nports), NULL when the port holds none.  The view stays valid
 *	until the consumer context is left.
 * @submit: consumer context: a checked request (not an unlink, routed to
 *	a device, endpoint in its view, not a control request the core or
 *	@control handles) goes to the device.  The implementer copies or
 *	maps the segments it needs, and answers with usbback_ring_respond()
 *	now or later (any context), after releasing every grant of it.
 *	Return 0 once it owns the request (answered or not), or -ENOMEM if
 *	it cannot take it now: nothing may be answered then; the request
 *	stays on the ring and @retry is called.
 * @indirect: consumer context: read the @rq->req.nr_data_segs segment
 *	descriptors of an indirect request from the pages @rq->ind[0..
 *	@rq->req.nr_ind_segs) names (each whole, in order) into @rq->seg;
 *	the core checks them afterwards.  Return 0, -EFAULT for a grant
 *	that cannot be read (the core answers XENUSB_STATUS_INVAL), or
 *	-ENOMEM to leave the request on the ring (@retry follows).  May be
 *	NULL: no request is ever taken as indirect.
 * @control: consumer context: SET_CONFIGURATION (to a non-zero value),
 *	SET_INTERFACE or CLEAR_FEATURE(ENDPOINT_HALT), which need the
 *	device's stack, or a port reset (USBBACK_CTRL_PORT_RESET, @value
 *	and @index 0) of the device on the port.  Return an XENUSB_STATUS_* to have the core answer,
 *	or USBBACK_CTRL_PENDING after taking the request: the implementer
 *	answers it later with usbback_ring_respond().
 * @unlink_hold: under the ring lock: @victim (in use, dispatched, same id
 *	and port as the unlink @by) is to be cancelled.  Take what
 *	@unlink needs (a reference), store it with @by, and return whether
 *	the victim has a transfer to cancel.  May be NULL: nothing is ever
 *	cancelled.
 * @unlink: consumer context, ring lock not held: cancel what
 *	@unlink_hold stored with @by.  Asynchronous: the victim answers for
 *	itself when its transfer comes back.
 * @responded: under the ring lock, for every response, pushed or not
 *	(statistics, traces).  May be NULL.
 * @notify: ring lock not held: signal the frontend's event channel.
 * @kick: any context: run usbback_ring_consume() soon (a slot became
 *	free, a hotplug event was queued).
 * @retry: consumer context: run usbback_ring_consume() again after a
 *	while (back-pressure: @submit found no memory).
 * @fatal: consumer context, called once per attach: the frontend broke
 *	the ring protocol (@what says how); stop serving it and report.  No
 *	request is taken any more until the next usbback_ring_attach().
 * @bad: consumer context: request @rq is refused for the reason @why
 *	(for a rate-limited log line).  May be NULL.
 */
struct usbback_ring_ops {
	unsigned long (*lock)(struct usbback_ring *r);
	void (*unlock)(struct usbback_ring *r, unsigned long flags);
	const struct usbback_ep_view *(*device)(struct usbback_ring *r,
						u8 port);
	int (*submit)(struct usbback_ring *r, struct usbback_rq *rq);
	int (*indirect)(struct usbback_ring *r, struct usbback_rq *rq);
	s32 (*control)(struct usbback_ring *r, struct usbback_rq *rq,
		       enum usbback_ctrl_kind kind, u16 value, u16 index);
	bool (*unlink_hold)(struct usbback_ring *r, struct usbback_rq *victim,
			    struct usbback_rq *by);
	void (*unlink)(struct usbback_ring *r, struct usbback_rq *by);
	void (*responded)(struct usbback_ring *r, struct usbback_rq *rq,
			  s32 status, u32 actual);
	void (*notify)(struct usbback_ring *r);
	void (*kick)(struct usbback_ring *r);
	void (*retry)(struct usbback_ring *r);
	void (*fatal)(struct usbback_ring *r, const char *what);
	void (*bad)(struct usbback_ring *r, const struct usbback_rq *rq,
		    const char *why);
};

/**
 * struct usbback_ring - the rings of one virtual host controller
 * @ops: the implementer's operations
 * @nports: ports of the controller, 1..31
 * @mapped: the rings are attached: responses are pushed (ring lock)
 * @fatal: a ring protocol violation was latched (consumer context)
 * @slot_wait: a request waits for a free slot (ring lock)
 * @nr_inflight: slots in use (ring lock)
 * @max_inflight: the most slots ever in use at once (ring lock)
 * @urb: back end of the urb ring (requests: consumer context;
 *	responses: ring lock)
 * @conn: back end of the conn ring (ring lock)
 * @addr: guest-assigned USB addresses (consumer context)
 * @connq: hotplug events not yet on the conn ring (ring lock)
 * @feat: the negotiated extensions (set before attach, consumer context)
 * @nr_slots: entries of @rq, as many as the attached urb ring holds
 * @rq: request slots, the implementer's array (usbback_ring_set_slots())
 */
struct usbback_ring {
	const struct usbback_ring_ops *ops;
	u8 nports;
	bool mapped;
	bool fatal;
	bool slot_wait;
	unsigned int nr_inflight;
	unsigned int max_inflight;
	struct xenusb_urb_back_ring urb;
	struct xenusb_conn_back_ring conn;
	struct usbback_addr_table addr;
	struct usbback_conn_queue connq;
	struct xenusb_features feat;
	unsigned int nr_slots;
	struct usbback_rq *rq;
};

int usbback_ring_init(struct usbback_ring *r,
		      const struct usbback_ring_ops *ops, u8 nports);
int usbback_ring_set_slots(struct usbback_ring *r, struct usbback_rq *rq,
			   unsigned int nr);
int usbback_ring_attach(struct usbback_ring *r,
			struct xenusb_urb_sring *urb_sring,
			struct xenusb_conn_sring *conn_sring,
			unsigned int order);
unsigned int usbback_ring_detach(struct usbback_ring *r);
bool usbback_ring_consume(struct usbback_ring *r);
void usbback_ring_fatal(struct usbback_ring *r, const char *what);
unsigned int usbback_ring_respond_locked(struct usbback_ring *r,
					 struct usbback_rq *rq, s32 status,
					 u32 actual, u16 start_frame,
					 u32 error_count);
void usbback_ring_act(struct usbback_ring *r, unsigned int act);
void usbback_ring_respond(struct usbback_ring *r, struct usbback_rq *rq,
			  s32 status, u32 actual, u16 start_frame,
			  u32 error_count);

int usbback_ring_conn_event(struct usbback_ring *r, u8 port, u8 speed);
int usbback_ring_conn_flush(struct usbback_ring *r);

#endif /* USBBACK_CORE_H */
