// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny stand-in for the guest's usb core and hub driver on top of the
 * simulated frontend: synchronous control and data transfers, port power
 * and reset through the root hub (usbfront_rh_control()), and device
 * enumeration in the order Linux's hub driver does it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>
#include <linux/usb/ch11.h>

#include "sim.h"

#define HOST_TIMEOUT_MS	10000

/**
 * sim_pages_alloc() - a zeroed buffer starting @offset bytes into a page
 * @len: bytes
 * @offset: offset of the buffer in its first page, below 4096
 *
 * Return: the buffer, or NULL.
 */
void *sim_pages_alloc(u32 len, u32 offset)
{
	size_t size = ((size_t)len + offset + SIM_PAGE - 1) & ~(size_t)(SIM_PAGE - 1);
	u8 *p;

	if (!size)
		size = SIM_PAGE;
	p = aligned_alloc(SIM_PAGE, size);
	if (!p)
		return NULL;
	memset(p, 0, size);
	return p + offset;
}

/**
 * sim_pages_free() - free a buffer from sim_pages_alloc()
 * @buf: buffer, may be NULL
 * @offset: the offset it was allocated with
 */
void sim_pages_free(void *buf, u32 offset)
{
	if (buf)
		free((u8 *)buf - offset);
}

static bool host_urb_done(struct sim *w, void *arg)
{
	(void)w;
	return ((struct sfront_urb *)arg)->done;
}

/**
 * host_wait() - run the world until @u completes
 * @w: world
 * @u: submitted URB
 * @timeout_ms: virtual time allowed
 *
 * Return: 0 when completed, else -ETIMEDOUT or -EDEADLK (a hang).
 */
int host_wait(struct sim *w, struct sfront_urb *u, u64 timeout_ms)
{
	return sim_run_until(w, host_urb_done, u, timeout_ms);
}

/*
 * Submit and wait. On a hang, try an unlink as usb_kill_urb() would;
 * if even that gets no answer, abandon the URB and tell the caller to
 * hand its memory to the world (*keep) instead of freeing it.
 */
static int host_run(struct sim *w, struct sfront_urb *u, bool *keep)
{
	int err = sfront_submit(w, u);

	*keep = false;
	if (err)
		return err;
	err = host_wait(w, u, HOST_TIMEOUT_MS);
	if (!err)
		return u->status;
	if (!sfront_unlink(w, u) && !host_wait(w, u, 100))
		return err;
	sfront_abandon(w, u);
	*keep = true;
	return err;
}

/* Free an URB and its buffer, or leave both to the world after a hang. */
static void host_release(struct sim *w, struct sfront_urb *u, u8 *buf,
			 u32 offset, bool keep)
{
	if (keep) {
		sim_keep(w, u);
		if (buf)
			sim_keep(w, buf - offset);
		return;
	}
	sim_pages_free(buf, offset);
	free(u);
}

/**
 * host_ctrl() - a synchronous control transfer (usb_control_msg)
 * @w: world
 * @port: root-hub port
 * @devnum: device address
 * @type: bmRequestType
 * @request: bRequest
 * @value: wValue
 * @index: wIndex
 * @data: data stage buffer (in or out), may be NULL if @length is 0
 * @length: wLength
 * @actual: bytes transferred, may be NULL
 *
 * Return: the URB status (0 or a negative errno), -EDEADLK if the
 * simulation hung, -ETIMEDOUT if it took too long.
 */
int host_ctrl(struct sim *w, u8 port, u8 devnum, u8 type, u8 request,
	      u16 value, u16 index, void *data, u16 length, u32 *actual)
{
	struct sfront_urb *u = calloc(1, sizeof(*u));
	u8 *buf = sim_pages_alloc(length, 0);
	int ret = -ENOMEM;
	bool keep = false;

	if (!u || !buf)
		goto out;
	u->port = port;
	u->devnum = devnum;
	u->ep = 0;
	u->type = XENUSB_PIPE_TYPE_CTRL;
	u->in = type & USB_DIR_IN;
	u->maxp = 64;
	u->setup[0] = type;
	u->setup[1] = request;
	u->setup[2] = value & 0xff;
	u->setup[3] = value >> 8;
	u->setup[4] = index & 0xff;
	u->setup[5] = index >> 8;
	u->setup[6] = length & 0xff;
	u->setup[7] = length >> 8;
	u->buf = buf;
	u->len = length;
	if (!u->in && length)
		memcpy(buf, data, length);
	ret = host_run(w, u, &keep);
	if (u->done && u->in && data)
		memcpy(data, buf, u->actual);
	if (actual)
		*actual = u->actual;
out:
	if (u)
		host_release(w, u, buf, 0, keep);
	else
		sim_pages_free(buf, 0);
	return ret;
}

/**
 * host_xfer_flags() - a synchronous bulk or interrupt transfer
 * @w: world
 * @port: root-hub port
 * @devnum: device address
 * @type: XENUSB_PIPE_TYPE_BULK or XENUSB_PIPE_TYPE_INT
 * @epaddr: endpoint address with direction bit
 * @maxp: the endpoint's wMaxPacketSize
 * @data: data (in or out)
 * @len: bytes
 * @offset: where the URB buffer starts in its first page
 * @actual: bytes transferred, may be NULL
 * @zero_packet: URB_ZERO_PACKET (bulk OUT)
 *
 * Return: as host_ctrl().
 */
static int host_xfer_flags(struct sim *w, u8 port, u8 devnum, u8 type,
			   u8 epaddr, u16 maxp, void *data, u32 len, u32 offset,
			   u32 *actual, bool zero_packet)
{
	struct sfront_urb *u = calloc(1, sizeof(*u));
	u8 *buf = sim_pages_alloc(len, offset);
	int ret = -ENOMEM;
	bool keep = false;

	if (!u || !buf)
		goto out;
	u->port = port;
	u->devnum = devnum;
	u->ep = epaddr & 0xf;
	u->type = type;
	u->in = epaddr & USB_DIR_IN;
	u->maxp = maxp;
	u->interval = 1;
	u->buf = buf;
	u->len = len;
	u->zero_packet = zero_packet;
	if (!u->in)
		memcpy(buf, data, len);
	ret = host_run(w, u, &keep);
	if (u->done && u->in)
		memcpy(data, buf, u->actual);
	if (actual)
		*actual = u->actual;
out:
	if (u)
		host_release(w, u, buf, offset, keep);
	else
		sim_pages_free(buf, offset);
	return ret;
}

/**
 * host_xfer() - one bulk or interrupt URB, as usb_bulk_msg() waits for it
 * (see host_xfer_flags() for the arguments)
 *
 * Return: as host_ctrl().
 */
int host_xfer(struct sim *w, u8 port, u8 devnum, u8 type, u8 epaddr,
	      u16 maxp, void *data, u32 len, u32 offset, u32 *actual)
{
	return host_xfer_flags(w, port, devnum, type, epaddr, maxp, data, len,
			       offset, actual, false);
}

/**
 * host_xfer_zlp() - a bulk OUT URB with URB_ZERO_PACKET, page-aligned
 * @w: world
 * @port: port
 * @devnum: device address
 * @epaddr: OUT endpoint address
 * @maxp: its wMaxPacketSize
 * @data: @len bytes to send
 * @len: bytes
 *
 * Return: as host_ctrl().
 */
int host_xfer_zlp(struct sim *w, u8 port, u8 devnum, u8 epaddr, u16 maxp,
		  void *data, u32 len)
{
	return host_xfer_flags(w, port, devnum, XENUSB_PIPE_TYPE_BULK, epaddr,
			       maxp, data, len, 0, NULL, true);
}

static int host_port_status(struct sim *w, u8 port, u16 *status, u16 *change)
{
	u8 buf[4];
	int err;

	err = usbfront_rh_control(&w->front.rh, USBFRONT_RH_GET_PORT_STATUS,
				  HUB_PORT_STATUS, port, buf, sizeof(buf),
				  w->now);
	*status = buf[0] | buf[1] << 8;
	*change = buf[2] | buf[3] << 8;
	return err;
}

static int host_port_feature(struct sim *w, bool set, u16 feature, u8 port)
{
	return usbfront_rh_control(&w->front.rh,
				   set ? USBFRONT_RH_SET_PORT_FEATURE :
					 USBFRONT_RH_CLEAR_PORT_FEATURE,
				   feature, port, NULL, 0, w->now);
}

/**
 * host_power_ports() - what the hub driver does first: read the hub
 * descriptor and power every port
 * @w: world
 *
 * Return: 0, or -EPROTO if the root hub misbehaves.
 */
int host_power_ports(struct sim *w)
{
	u8 desc[16];
	u8 port;

	if (usbfront_rh_control(&w->front.rh, USBFRONT_RH_GET_HUB_DESCRIPTOR,
				USB_DT_HUB << 8, 0, desc, sizeof(desc), w->now))
		return -EPROTO;
	if (desc[1] != USB_DT_HUB || desc[2] != w->front.nports)
		return -EPROTO;
	for (port = 1; port <= desc[2]; port++)
		if (host_port_feature(w, true, USB_PORT_FEAT_POWER, port))
			return -EPROTO;
	return 0;
}

/**
 * host_port_reset() - reset a connected port as hub_port_reset() does
 * @w: world
 * @port: port
 * @speed: XENUSB_SPEED_* the port reports once enabled
 *
 * Return: 0, -ENOTCONN if nothing is connected, -EPROTO if the port does
 * not come out of reset enabled with C_RESET set or a port reset request
 * was not published at once.
 */
int host_port_reset(struct sim *w, u8 port, u8 *speed)
{
	u16 status, change;
	u64 before;
	int tries;

	if (host_port_status(w, port, &status, &change))
		return -EPROTO;
	if (!(status & USB_PORT_STAT_CONNECTION))
		return -ENOTCONN;
	if (change & USB_PORT_STAT_C_CONNECTION)
		host_port_feature(w, false, USB_PORT_FEAT_C_CONNECTION, port);
	if (host_port_feature(w, true, USB_PORT_FEAT_RESET, port))
		return -EPROTO;
	/* usbfront_hub_control(): maybe a request to the backend. */
	before = w->front.port_resets;
	sfront_port_reset(w, port);
	/* usbfront_send_port_reset() publishes its request at once. */
	if (w->front.port_resets != before &&
	    w->front.ring.pushed != w->front.ring.urb.req_prod_pvt)
		return -EPROTO;
	for (tries = 0; tries < 5; tries++) {
		sim_advance(w, USBFRONT_RH_RESET_MS);
		if (host_port_status(w, port, &status, &change))
			return -EPROTO;
		if (!(status & USB_PORT_STAT_RESET))
			break;
	}
	if ((status & USB_PORT_STAT_RESET) ||
	    !(change & USB_PORT_STAT_C_RESET))
		return -EPROTO;
	host_port_feature(w, false, USB_PORT_FEAT_C_RESET, port);
	if (!(status & USB_PORT_STAT_ENABLE))
		return -ENOTCONN;
	if (status & USB_PORT_STAT_LOW_SPEED)
		*speed = XENUSB_SPEED_LOW;
	else if (status & USB_PORT_STAT_HIGH_SPEED)
		*speed = XENUSB_SPEED_HIGH;
	else
		*speed = XENUSB_SPEED_FULL;
	return 0;
}

struct host_port_arg {
	u8 port;
	bool connected;
};

static bool host_port_is(struct sim *w, void *arg)
{
	struct host_port_arg *a = arg;
	const struct usbfront_rh_port *p = &w->front.rh.port[a->port - 1];

	return !!(p->status & USB_PORT_STAT_CONNECTION) == a->connected;
}

/**
 * host_wait_port() - run until the root hub shows @port (dis)connected
 * @w: world
 * @port: port
 * @connected: state to wait for
 *
 * Return: 0 or as sim_run_until().
 */
int host_wait_port(struct sim *w, u8 port, bool connected)
{
	struct host_port_arg a = { .port = port, .connected = connected };

	return sim_run_until(w, host_port_is, &a, HOST_TIMEOUT_MS);
}

/**
 * host_enumerate() - enumerate the device on @port and configure it
 * @w: world
 * @port: port, powered, with the conn event delivered
 * @devnum: address to give the device
 * @why: receives what went wrong
 * @len: size of @why
 *
 * Port reset through the root hub, GET_DESCRIPTOR(DEVICE, 8) at address
 * 0, SET_ADDRESS, GET_DESCRIPTOR(DEVICE) and (CONFIG) at the new
 * address, SET_CONFIGURATION.
 *
 * Return: 0 or -1 with @why filled in.
 */
int host_enumerate(struct sim *w, u8 port, u8 devnum, char *why, size_t len)
{
	u8 dev[USB_DT_DEVICE_SIZE], cfg[512], speed, bitmap[4];
	struct vdev *d = w->back.port[port].dev;
	u32 actual;
	u16 total;
	int err;

	if (host_wait_port(w, port, true)) {
		snprintf(why, len, "port %u: no connection seen", port);
		return -1;
	}
	if (!usbfront_rh_status_data(&w->front.rh, bitmap) ||
	    !(bitmap[port / 8] & 1u << (port % 8))) {
		snprintf(why, len, "port %u: no change in the hub status bitmap",
			 port);
		return -1;
	}
	err = host_port_reset(w, port, &speed);
	if (err) {
		snprintf(why, len, "port %u: reset failed (%d)", port, err);
		return -1;
	}
	if (d && speed != d->speed) {
		snprintf(why, len, "port %u: speed %u after reset, device is %u",
			 port, speed, d->speed);
		return -1;
	}
	err = host_ctrl(w, port, 0, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR,
			USB_DT_DEVICE << 8, 0, dev, 8, &actual);
	if (err || actual != 8 || dev[1] != USB_DT_DEVICE) {
		snprintf(why, len, "port %u: GET_DESCRIPTOR(8) at address 0: status %d, %u bytes",
			 port, err, actual);
		return -1;
	}
	err = host_ctrl(w, port, 0, USB_DIR_OUT, USB_REQ_SET_ADDRESS, devnum,
			0, NULL, 0, NULL);
	if (err) {
		snprintf(why, len, "port %u: SET_ADDRESS(%u): status %d", port,
			 devnum, err);
		return -1;
	}
	err = host_ctrl(w, port, devnum, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR,
			USB_DT_DEVICE << 8, 0, dev, sizeof(dev), &actual);
	if (err || actual != sizeof(dev) || dev[0] != sizeof(dev)) {
		snprintf(why, len, "port %u: GET_DESCRIPTOR(DEVICE) at %u: status %d, %u bytes",
			 port, devnum, err, actual);
		return -1;
	}
	err = host_ctrl(w, port, devnum, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR,
			USB_DT_CONFIG << 8, 0, cfg, USB_DT_CONFIG_SIZE, &actual);
	total = cfg[2] | cfg[3] << 8;
	if (err || actual != USB_DT_CONFIG_SIZE || total > sizeof(cfg)) {
		snprintf(why, len, "port %u: GET_DESCRIPTOR(CONFIG, 9): status %d",
			 port, err);
		return -1;
	}
	err = host_ctrl(w, port, devnum, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR,
			USB_DT_CONFIG << 8, 0, cfg, total, &actual);
	if (err || actual != total ||
	    (d && memcmp(cfg, d->cfg_desc, total))) {
		snprintf(why, len, "port %u: GET_DESCRIPTOR(CONFIG, %u): status %d, %u bytes",
			 port, total, err, actual);
		return -1;
	}
	err = host_ctrl(w, port, devnum, USB_DIR_OUT,
			USB_REQ_SET_CONFIGURATION, cfg[5], 0, NULL, 0, NULL);
	if (err) {
		snprintf(why, len, "port %u: SET_CONFIGURATION(%u): status %d",
			 port, cfg[5], err);
		return -1;
	}
	if (d && d->config != cfg[5]) {
		snprintf(why, len, "port %u: device not configured after SET_CONFIGURATION",
			 port);
		return -1;
	}
	return 0;
}
