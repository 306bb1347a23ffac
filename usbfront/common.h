/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbfront internals shared by the glue files: the per-controller state
 * (one struct usbfront_info per xenbus "vusb" device, living in the
 * usb_hcd's private area), the per-URB state and the shadow of every
 * request on the ring. The protocol decisions themselves are in core.h.
 */
#ifndef USBFRONT_COMMON_H
#define USBFRONT_COMMON_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/usb.h>
#include <linux/usb/hcd.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include <xen/interface/io/usbif.h>

#include "core.h"
#include "xenusb_compat.h"

#define USBFRONT_MAX_BYTES	65535u	/* buffer_length is u16 */

/* Module parameters (main.c). */
extern bool usbfront_param_sg;
extern bool usbfront_param_zlp;
extern bool usbfront_param_reconnect;
extern unsigned int usbfront_param_reclaim_ms;
extern bool usbfront_feature_param[XENUSB_FEAT_NR];
extern unsigned int usbfront_param_max_ring_page_order;

/**
 * enum usbfront_link - state of the rings
 * @USBFRONT_DOWN: no rings; URBs are refused with -ESHUTDOWN
 * @USBFRONT_UP: rings granted and the backend may answer
 * @USBFRONT_BROKEN: the backend broke the protocol; nothing more is read
 *	from the rings until the teardown work has run
 */
enum usbfront_link {
	USBFRONT_DOWN,
	USBFRONT_UP,
	USBFRONT_BROKEN,
};

/**
 * struct usbfront_urbp - what the frontend keeps per URB
 * @list: on info->pending (waiting for a ring slot) or on a local
 *	giveback list
 * @urb: the URB
 * @frags: the data buffer as 4 KiB page fragments (core view)
 * @gfns: frame of each fragment, same index as @frags
 * @nfrags: entries in @frags and @gfns
 * @prog: bytes of the buffer, bytes moved, the request on the ring, the
 *	ZLP still to send, dequeued (core view, usbfront_xfer_next())
 * @req_id: id of the request on the ring, -1 if none
 * @maxp: max packet size of a bulk endpoint (0: never split)
 * @unlink_sent: the unlink request is on the ring
 * @unlink_wait: waiting on info->unlinks for a ring slot
 * @unlink_list: entry on info->unlinks
 * @split: the URB holds its endpoint (ep->hcpriv): it needs more than one
 *	request, or it is a control transfer
 * @status: status for the giveback
 * @iso_descs: isochronous only: page-aligned descriptor buffer
 * @iso_npages: 4 KiB pages of @iso_descs
 */
struct usbfront_urbp {
	struct list_head list;
	struct urb *urb;
	struct usbfront_frag *frags;
	unsigned long *gfns;
	u32 nfrags;
	struct usbfront_progress prog;
	int req_id;
	u16 maxp;
	bool unlink_sent;
	bool unlink_wait;
	struct list_head unlink_list;
	bool split;
	int status;
	struct xenusb_iso_desc *iso_descs;
	u16 iso_npages;
};

/**
 * struct usbfront_shadow - the module's half of a request in flight (the
 * core's half, what was sent and whether the backend still holds a
 * grant, is in struct usbfront_ring)
 * @urbp: the URB it moves data for; NULL for an unlink request
 * @ngrefs: grants in @gref (data pages first, then iso descriptors or
 *	the indirect page)
 * @gref: grant references to end before the pages are touched again
 * @ind: the id's indirect page (descriptors of a large request), NULL
 *	until large transfers are first negotiated
 */
struct usbfront_shadow {
	struct usbfront_urbp *urbp;
	u16 ngrefs;
	grant_ref_t gref[XENUSB_MAX_INDIRECT_SEGS + 1];
	struct xenusb_request_segment *ind;
};

/**
 * struct usbfront_stats - counters shown in sysfs (stats.c)
 *
 * Updated under info->lock, read without it: a torn read of a counter
 * is harmless.
 */
struct usbfront_stats {
	u64 urbs;
	u64 requests;
	u64 responses;
	u64 bytes_in;
	u64 bytes_out;
	u64 split_urbs;
	u64 zlp_requests;
	u64 indirect_requests;
	u64 zlp_flags;
	u64 port_resets;
	u64 ring_full;
	u64 unlinks;
	u64 emsgsize;
	u64 clamped;
	u64 iso_fixed;
	u64 conn_events;
	u64 protocol_errors;
	u64 grants_held;
	u64 connects;
	u64 disconnects;
};

/**
 * struct usbfront_info - one virtual host controller
 * @lock: protects everything below except @xbdev and the work items
 * @xbdev: the xenbus "vusb" device
 * @hcd: the usb_hcd whose hcd_priv this is
 * @nports: root ports (backend's num-ports)
 * @usb_ver: 1 or 2 (backend's usb-ver)
 * @rh: root hub port state (rh_port.c core)
 * @rh_timer: fires when a port reset is due to complete
 * @link: ring state
 * @ring: both rings, the ids in flight and what was sent under them
 *	(rsp_ring.c and req_build.c core)
 * @round: the ring processing round running under @lock (rsp.c)
 * @ring_order: ring-page-order of the URB ring (0: one page)
 * @urb_ring_ref: grants of the URB ring's 2^@ring_order pages
 * @conn_ring_ref: grant of the conn ring page
 * @evtchn: event channel shared by both rings
 * @irq: irq bound to @evtchn, 0 if none
 * @shadow: per-id state of requests on the ring, @nr_shadow entries:
 *	grown (never shrunk) at connect to the ids of the negotiated ring
 * @nr_shadow: entries of @shadow
 * @pending: URBs waiting for a ring slot or for their endpoint
 * @unlinks: dequeued URBs whose unlink request waits for a ring slot
 * @conn_mutex: serialises connect and teardown (xenbus thread, error
 *	work, remove, resume)
 * @error_work: tears the connection down after a protocol error
 * @error_what: what the backend did wrong, for xenbus_dev_fatal()
 * @failed: the last connection ended in a protocol error; do not invite
 *	the backend to reconnect, wait for it to come back by itself
 * @poll_work: goes on with ring processing the interrupt handler left
 * @reclaim_work: retries ending grants the backend still held
 * @gen: connection generation, bumped at every teardown
 * @stats: counters
 *
 * The negotiated extensions of the connection live in @ring (ring.feat).
 */
struct usbfront_round;

struct usbfront_info {
	spinlock_t lock;	/* rings, ports, URB lists, stats */
	struct xenbus_device *xbdev;
	struct usb_hcd *hcd;
	u8 nports;
	u8 usb_ver;
	struct usbfront_rh rh;
	struct timer_list rh_timer;

	enum usbfront_link link;
	struct usbfront_ring ring;
	struct usbfront_round *round;
	unsigned int ring_order;
	grant_ref_t urb_ring_ref[XENUSB_MAX_RING_PAGES];
	grant_ref_t conn_ring_ref;
	evtchn_port_t evtchn;
	unsigned int irq;

	struct usbfront_shadow *shadow;
	unsigned int nr_shadow;
	struct list_head pending;
	struct list_head unlinks;

	struct mutex conn_mutex;	/* connect vs teardown */
	struct work_struct error_work;
	const char *error_what;
	bool failed;
	struct work_struct poll_work;
	struct delayed_work reclaim_work;
	unsigned int gen;
	struct usbfront_stats stats;
};

static inline struct usbfront_info *usbfront_hcd_info(struct usb_hcd *hcd)
{
	return (struct usbfront_info *)hcd->hcd_priv;
}

/* hcd.c */
struct usb_hcd *usbfront_hcd_create(struct xenbus_device *dev, u8 nports,
				    u8 usb_ver);

/* ring.c (port reset) */
void usbfront_send_port_reset(struct usbfront_info *info, u8 port);

/* rh.c */
unsigned long usbfront_now_ms(void);
void usbfront_rh_setup(struct usbfront_info *info);
int usbfront_hub_status_data(struct usb_hcd *hcd, char *buf);
int usbfront_hub_control(struct usb_hcd *hcd, u16 type_req, u16 value,
			 u16 index, char *buf, u16 length);
void usbfront_rh_disconnect_all(struct usbfront_info *info);
int usbfront_bus_suspend(struct usb_hcd *hcd);
int usbfront_bus_resume(struct usb_hcd *hcd);

/* ring.c: submission, grants, giveback */
struct usbfront_urbp *usbfront_urbp_alloc(struct usbfront_info *info,
					  struct urb *urb, gfp_t mem_flags);
void usbfront_urbp_free(struct usbfront_urbp *urbp);
int usbfront_submit(struct usbfront_info *info, struct usbfront_urbp *urbp);
int usbfront_send(struct usbfront_info *info, struct usbfront_urbp *urbp);
bool usbfront_end_grants(struct usbfront_info *info, u16 id);
void usbfront_unlink(struct usbfront_info *info, struct usbfront_urbp *urbp,
		     int status, struct list_head *done);
void usbfront_kick(struct usbfront_info *info, struct list_head *done);
void usbfront_push(struct usbfront_info *info);
void usbfront_finish(struct usbfront_info *info, struct usbfront_urbp *urbp,
		     int status, struct list_head *done);
void usbfront_giveback_list(struct usbfront_info *info,
			    struct list_head *done);
void usbfront_fail_all(struct usbfront_info *info, struct list_head *done);
void usbfront_reclaim(struct work_struct *work);
void usbfront_queue_init(struct usbfront_info *info);

/* rsp.c: event channel handler, responses and conn events */
irqreturn_t usbfront_interrupt(int irq, void *dev_id);
void usbfront_rsp_init(struct usbfront_info *info);

/* iso.c */
int usbfront_iso_prepare(struct usbfront_urbp *urbp, gfp_t mem_flags);
void usbfront_iso_free(struct usbfront_urbp *urbp);
void usbfront_iso_complete(struct usbfront_info *info,
			   struct usbfront_urbp *urbp);

/* xenbus.c */
int usbfront_xenbus_register(void);
void usbfront_xenbus_unregister(void);

/* stats.c */
int usbfront_stats_register(struct usbfront_info *info);
void usbfront_stats_unregister(struct usbfront_info *info);

#endif /* USBFRONT_COMMON_H */
