/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbfront protocol core: the frontend's decisions on what the backend
 * sends and on how URBs become requests, written as plain C over plain
 * structs (no Xen, no USB core) so that the module, KUnit and the
 * user-space simulator all run the same code.
 *
 * Files: id_table.c (request ids in flight), rsp_check.c (responses and
 * conn events from an untrusted backend), rh_port.c (root-hub port state
 * and hub class requests), xfer_split.c (URB -> request segmentation).
 */
#ifndef USBFRONT_CORE_H
#define USBFRONT_CORE_H

#include "xenusb_proto.h"

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
 */
struct usbfront_inflight {
	u8 type;
	bool in;
	bool unlink;
	u32 length;
	u16 nr_packets;
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
 */
struct usbfront_rh_port {
	u16 status;
	u16 change;
	u8 speed;
	unsigned long reset_end_ms;
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

#endif /* USBFRONT_CORE_H */
