/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbback protocol core: the decisions the backend takes on guest input,
 * written as plain C over plain structs (no Xen, no USB core) so that the
 * module, KUnit and the user-space simulator all run the same code.
 *
 * Files: addr_table.c (SET_ADDRESS virtualisation), conn_queue.c (hotplug
 * events waiting for a conn-ring slot), req_check.c (request validation,
 * control classification, iso descriptors), xs_parse.c (xenstore values).
 */
#ifndef USBBACK_CORE_H
#define USBBACK_CORE_H

#include "xenusb_proto.h"

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
 * @length: data bytes described by the data segments, 0..XENUSB_MAX_XFER
 * @nr_data_segs: segments seg[0..nr_data_segs) carry data
 * @nr_desc_segs: isochronous only: seg[nr_data_segs..+nr_desc_segs) carry
 *	@nr_packets frame descriptors
 * @nr_packets: isochronous only: number of frame descriptors
 * @interval: interrupt/isochronous interval from the guest (a hint only)
 * @start_frame: isochronous start frame from the guest
 * @short_not_ok: XENUSB_SHORT_NOT_OK was set (IN, non-iso only)
 * @unlink_id: unlink only: id of the request to cancel
 * @setup: control only: the setup packet
 */
struct usbback_req {
	u16 id;
	struct xenusb_pipe pipe;
	u32 length;
	u8 nr_data_segs;
	u8 nr_desc_segs;
	u16 nr_packets;
	u16 interval;
	u16 start_frame;
	bool short_not_ok;
	u16 unlink_id;
	u8 setup[8];
};

int usbback_req_parse(const struct xenusb_urb_request *req, u8 nports,
		      struct usbback_req *out);
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
};

enum usbback_ctrl_kind usbback_ctrl_classify(const u8 setup[8]);

int usbback_iso_descs_check(const struct xenusb_iso_desc *descs,
			    u16 nr_packets, u32 length);

/* ------------------------------------------------------------------ */
/* xs_parse.c: values read from xenstore (written by the toolstack)     */

int usbback_parse_num_ports(const char *s, u8 *nports);
int usbback_parse_usb_ver(const char *s, u8 *usb_ver);
bool usbback_busid_valid(const char *busid);

/* Longest busid accepted ("b-p.p.p.p.p" with 3-digit fields, plus NUL). */
#define USBBACK_BUSID_LEN	32

#endif /* USBBACK_CORE_H */
