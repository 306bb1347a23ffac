/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbback: internal structures shared by the glue files of the module.
 *
 * Objects and their locks:
 *
 *  usbback_mutex (claim.c)  the list of controllers, the list of devices,
 *                           which device sits on which port, busids
 *  ctrlr->req_mutex         the request path (the core's consumer
 *                           context): port -> device lookups, the
 *                           address table, the endpoint views, and the
 *                           "connected" flag that admits new requests
 *  ctrlr->rsp_lock          the core's ring lock: the request slots, the
 *                           urb ring's response side, the conn ring, the
 *                           hotplug queue, the slots' completion state
 *                           and the counters
 *
 * Lock order: usbback_mutex, then req_mutex, then the spinlocks.  The
 * completion path (URB callback, done work) takes only rsp_lock.
 */
#ifndef USBBACK_COMMON_H
#define USBBACK_COMMON_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/usb.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "core.h"
#include "xenusb_compat.h"

/*
 * Grant-copy operations of one GNTTABOP_copy batch: each granted segment
 * is at most a page, so it crosses at most one page boundary of our
 * buffer.  Larger requests (indirect ones) are copied in several batches.
 */
#define USBBACK_MAX_COPY_OPS	(2 * XENUSB_MAX_SEGMENTS_PER_REQUEST)

/* Data segments of one request at most: an indirect one's. */
#define USBBACK_MAX_SEGS	XENUSB_MAX_INDIRECT_SEGS

/* usbback_buffer_mode: how the data of a bulk request reaches the device */
enum usbback_buf_mode {
	USBBACK_BUF_COPY,	/* grant copy into a kernel buffer (urb.c) */
	USBBACK_BUF_MAP,	/* grant map, scatter-gather URB (map.c) */
};

/* usbback_dispatch: who takes requests off the ring after an event */
enum usbback_dispatch_mode {
	USBBACK_DISPATCH_WQ,	/* ring_work on usbback_wq (ring.c) */
	USBBACK_DISPATCH_THREAD, /* the controller's ring thread (ring.c) */
};

/* Counters kept per port (index 0: requests naming no valid port). */
enum usbback_stat {
	USBBACK_ST_REQUESTS,
	USBBACK_ST_BYTES_IN,
	USBBACK_ST_BYTES_OUT,
	USBBACK_ST_UNLINKS,
	USBBACK_ST_ISO_FRAMES,
	USBBACK_ST_MAPPED,
	USBBACK_ST_INDIRECT,
	USBBACK_ST_GRANT_COPIES,
	USBBACK_ST_COPY_CALLS,
	USBBACK_ST_ERR_NODEV,
	USBBACK_ST_ERR_INVAL,
	USBBACK_ST_ERR_STALL,
	USBBACK_ST_ERR_IOERROR,
	USBBACK_ST_ERR_BABBLE,
	USBBACK_ST_ERR_SHUTDOWN,
	USBBACK_ST_ERR_OTHER,
	USBBACK_NR_STATS
};

struct usbback_ctrlr;

/**
 * struct usbback_dev - a host USB device whose interfaces we hold
 * @node: entry in the global device list
 * @kref: one for the list, one per port it sits on, one per request
 * @udev: the host device (referenced)
 * @busid: its busid, as libxl writes it into port/N
 * @nr_bound: interfaces of it bound to the usbback driver
 * @reconfig: configuration changes running for it: while one runs, the
 *	unbinding of its old interfaces does not take it off its port
 * @ctrlr: controller whose port it sits on, NULL if on none
 * @port: that port
 * @speed: XENUSB_SPEED_* the guest is told
 * @used: the guest sent it a request since it was last reset or
 *	presented (under the port's controller's req_mutex)
 * @ss_as_hs: a SuperSpeed device presented as high speed (the base
 *	protocol stops at USB 2.0); its ep0 max packet is patched
 * @view: endpoints of the active altsettings (under ctrlr->req_mutex)
 */
struct usbback_dev {
	struct list_head node;
	struct kref kref;
	struct usb_device *udev;
	char busid[USBBACK_BUSID_LEN];
	unsigned int nr_bound;
	unsigned int reconfig;
	struct usbback_ctrlr *ctrlr;
	u8 port;
	u8 speed;
	bool ss_as_hs;
	bool used;
	struct usbback_ep_view view;
};

/**
 * struct usbback_port - one root-hub port of a virtual controller
 * @busid: host busid from port/N, empty when the port is free
 * @dev: device presented on the port, NULL if none
 * @anchor: host URBs in flight for the port, killed on unplug
 * @kobj: sysfs directory of the port's counters
 */
struct usbback_port {
	char busid[USBBACK_BUSID_LEN];
	struct usbback_dev *dev;
	struct usb_anchor anchor;
	struct kobject *kobj;
};

/**
 * struct usbback_slot_map - what the map path of one slot needs (map.c)
 * @pages: pages the grants are mapped into (gnttab_alloc_pages()), kept
 *	between requests
 * @unmap_pages: the pages of one unmap call
 * @handle: grant handles of the mapped segments
 * @mapped: which of the segments are mapped and wait for their unmap
 * @sg: scatter-gather list of the mapped segments for the host URB
 * @map: grant-map operations
 * @unmap: grant-unmap operations
 *
 * Allocated on the slot's first mapped request: sized for an indirect
 * request of USBBACK_MAX_SEGS segments, and never needed in copy mode.
 */
struct usbback_slot_map {
	struct page *pages[USBBACK_MAX_SEGS];
	struct page *unmap_pages[USBBACK_MAX_SEGS];
	grant_handle_t handle[USBBACK_MAX_SEGS];
	DECLARE_BITMAP(mapped, USBBACK_MAX_SEGS);
	struct scatterlist sg[USBBACK_MAX_SEGS];
	struct gnttab_map_grant_ref map[USBBACK_MAX_SEGS];
	struct gnttab_unmap_grant_ref unmap[USBBACK_MAX_SEGS];
};

/**
 * struct usbback_slot - the module's side of a request slot of the core
 * @ctrlr: owner
 * @rq: the core's slot (request, segments, port), ctrlr->ring.rq[i]
 * @node: entry in ctrlr->done after the host URB completed
 * @completed: its URB completed (its response is being prepared)
 * @dev: device the URB went to (referenced while in use)
 * @urb: the host URB
 * @unlink_urb: an unlink request: the victim's URB to cancel (referenced)
 * @setup: control setup packet handed to the host
 * @buf: data buffer, kept between requests, @buf_size bytes
 * @buf_size: allocated size of @buf
 * @iso: isochronous frame descriptors, kept between requests
 * @iso_size: allocated size of @iso
 * @mapped: the request's data goes through the map path (map.c); what
 *	is still mapped is in @nr_mapped and @m->mapped
 * @nr_mapped: data segments usbback_map() tried to map
 * @nr_pages: pages in @m->pages, kept between requests
 * @m: the map path's arrays, NULL until the slot first maps
 * @ops: grant-copy operations of one batch (copy path, indirect pages)
 * @cfg_work: changes the device's configuration (claim.c), then answers
 * @cfg_value: the configuration it asked for
 * @reset_work: resets the device for a port reset request (claim.c),
 *	then answers
 */
struct usbback_slot {
	struct usbback_ctrlr *ctrlr;
	struct usbback_rq *rq;
	struct list_head node;
	bool completed;
	struct usbback_dev *dev;
	struct urb *urb;
	struct urb *unlink_urb;
	struct usb_ctrlrequest setup;
	void *buf;
	u32 buf_size;
	struct xenusb_iso_desc *iso;
	u32 iso_size;
	bool mapped;
	unsigned int nr_mapped;
	unsigned int nr_pages;
	struct usbback_slot_map *m;
	struct gnttab_copy ops[USBBACK_MAX_COPY_OPS];
	struct work_struct cfg_work;
	u8 cfg_value;
	struct work_struct reset_work;
};

/* Bits of ctrlr->flags. */
#define USBBACK_EOI_PENDING	0	/* an event waits for its late EOI */
#define USBBACK_RING_WAKE	1	/* the ring thread has work */

/**
 * struct usbback_ctrlr - one virtual host controller (xenbus device)
 * @xdev: the xenbus backend device
 * @node: entry in the global controller list
 * @devid: controller id (last component of the backend path)
 * @nports: root-hub ports, 1..31
 * @usb_ver: 1 (USB 1.1) or 2 (USB 2.0)
 * @port: ports, index 1..@nports
 * @port_watch: watch on the backend's port/ directory
 * @online_watch: watch on the backend's online key
 * @watches: the watches are registered
 * @state_mutex: serialises connect and disconnect
 * @req_mutex: the request path (see the top of this file)
 * @connected: rings mapped and requests admitted (under req_mutex)
 * @irq: bound event channel
 * @eoi_irq: irq whose late EOI is pending (set by the handler)
 * @flags: USBBACK_EOI_PENDING, USBBACK_RING_WAKE
 * @ring_work: takes requests off the rings (dispatch=wq, and the
 *	back-pressure retry)
 * @ring_thread: takes requests off the rings (dispatch=thread), running
 *	while the rings are connected
 * @ring_wait: where @ring_thread waits for USBBACK_RING_WAKE
 * @thread_on: @ring_thread runs and may be woken (kicks read it; set
 *	and cleared under @rsp_lock, where completions read it)
 * @done_work: turns completed URBs into responses (while no ring
 *	thread takes them)
 * @rsp_lock: the core's ring lock (see the top of this file)
 * @done: completed slots waiting for @done_work or the ring thread
 * @ring: the protocol core's rings, slots, address table and hotplug
 *	queue (usbback/core.h)
 * @slot: the module's side of each slot of @ring, @nr_slots of them,
 *	allocated for the negotiated ring size at connect (ring.c)
 * @rq: the core's slots, @nr_slots of them, allocated with @slot
 * @nr_slots: slots allocated: one per request the urb ring holds
 * @ring_order: the ring-page-order of the connection (state mutex)
 * @stats: counters per port (index 0: requests with no valid port)
 * @feat_offered: the feature values written into our directory (state
 *	mutex); the negotiated set lives in @ring (ring.feat)
 * @max_ring_order: the max-ring-page-order written into our directory,
 *	0 for none (state mutex)
 */
struct usbback_ctrlr {
	struct xenbus_device *xdev;
	struct list_head node;
	unsigned int devid;
	u8 nports;
	u8 usb_ver;
	struct usbback_port port[XENUSB_MAX_PORTNR + 1];
	struct xenbus_watch port_watch;
	struct xenbus_watch online_watch;
	bool watches;

	struct mutex state_mutex;	/* connect vs disconnect */
	struct mutex req_mutex;		/* request path, see above */
	bool connected;
	unsigned int irq;
	unsigned int eoi_irq;
	unsigned long flags;
	struct delayed_work ring_work;
	struct task_struct *ring_thread;
	wait_queue_head_t ring_wait;
	bool thread_on;
	struct work_struct done_work;

	spinlock_t rsp_lock;		/* the core's ring lock */
	struct list_head done;
	struct usbback_ring ring;
	struct usbback_slot *slot;
	struct usbback_rq *rq;
	unsigned int nr_slots;
	unsigned int ring_order;

	u64 stats[XENUSB_MAX_PORTNR + 1][USBBACK_NR_STATS];
	struct xenusb_features feat_offered;
	unsigned int max_ring_order;
};

/**
 * usbback_ring_wake() - have the ring thread make another pass
 * @c: controller whose ring thread runs (dispatch=thread)
 *
 * Any context.  The bit is set before the wake-up and cleared by the
 * thread before its pass, so a wake-up during a pass is not lost.
 */
static inline void usbback_ring_wake(struct usbback_ctrlr *c)
{
	set_bit(USBBACK_RING_WAKE, &c->flags);
	wake_up(&c->ring_wait);
}

/* main.c */
extern struct workqueue_struct *usbback_wq;
extern unsigned int usbback_max_iso_packets;
extern unsigned int usbback_retry_ms;
extern int usbback_buffer_mode;
extern int usbback_dispatch;
extern bool usbback_respond_in_completion;
extern bool usbback_feature_param[XENUSB_FEAT_NR];
extern unsigned int usbback_max_ring_page_order;

/* xenbus.c */
int usbback_xenbus_init(void);
void usbback_xenbus_exit(void);

/* dev.c */
void usbback_dev_get(struct usbback_dev *d);
void usbback_dev_put(struct usbback_dev *d);

/* rsp.c */
void usbback_respond(struct usbback_slot *s, s32 status, u32 actual,
		     u16 start_frame, u32 error_count);
void usbback_respond_batch(struct usbback_slot *s, s32 status, u32 actual,
			   u16 start_frame, u32 error_count,
			   unsigned int *notify);
void usbback_responded(struct usbback_ring *r, struct usbback_rq *rq,
		       s32 status, u32 actual);

/* claim.c */
int usbback_claim_init(void);
void usbback_claim_exit(void);
void usbback_claim_add_ctrlr(struct usbback_ctrlr *c);
void usbback_claim_del_ctrlr(struct usbback_ctrlr *c);
void usbback_claim_sync_ports(struct usbback_ctrlr *c);
void usbback_dev_rebuild_view(struct usbback_dev *d);
void usbback_claim_set_config(struct usbback_slot *s, u8 value);
void usbback_claim_cfg_work(struct work_struct *work);
void usbback_claim_reset_work(struct work_struct *work);
void usbback_claim_reset(struct usbback_slot *s);
void usbback_dev_queue_reset(struct usbback_dev *d);

/* ring.c */
int usbback_ctrlr_init(struct usbback_ctrlr *c);
int usbback_ring_connect(struct usbback_ctrlr *c, grant_ref_t *urb_refs,
			 unsigned int order,
			 grant_ref_t conn_ref, evtchn_port_t evtchn);
void usbback_ring_disconnect(struct usbback_ctrlr *c);
void usbback_slots_free(struct usbback_ctrlr *c);
void usbback_ring_kick(struct usbback_ctrlr *c);

/* urb.c */
int usbback_urb_submit(struct usbback_slot *s);
int usbback_copy_segs(struct usbback_slot *s,
		      const struct xenusb_request_segment *seg,
		      unsigned int nr, void *base, u32 len, bool to_guest,
		      bool atomic);
void usbback_urb_done(struct usbback_ctrlr *c);
void usbback_urb_done_work(struct work_struct *work);
void usbback_slot_free_buffers(struct usbback_slot *s);
bool usbback_urb_unlink_hold(struct usbback_slot *victim,
			     struct usbback_slot *by);
void usbback_urb_unlink(struct usbback_slot *by);

/* map.c */
bool usbback_map_wanted(struct usbback_slot *s, struct usb_host_endpoint *hep);
int usbback_map_prepare(struct usbback_slot *s);
int usbback_map(struct usbback_slot *s, struct urb *urb);
int usbback_unmap(struct usbback_slot *s);
void usbback_map_compact(struct usbback_slot *s);
void usbback_map_free(struct usbback_slot *s);

/* ctrl.c */
s32 usbback_ctrl(struct usbback_slot *s, enum usbback_ctrl_kind kind,
		 u16 value, u16 index);
void usbback_ctrl_fixup_in(struct usbback_slot *s, u32 actual);

/* conn.c */
void usbback_conn_event(struct usbback_ctrlr *c, u8 port, u8 speed);

/* stats.c */
int usbback_stats_add(struct usbback_ctrlr *c);
void usbback_stats_del(struct usbback_ctrlr *c);
void usbback_stats_account(struct usbback_ctrlr *c, u8 port, bool unlink,
			   s32 status, u32 bytes_in, u32 bytes_out,
			   u32 iso_frames, bool mapped, bool indirect);

#endif /* USBBACK_COMMON_H */
