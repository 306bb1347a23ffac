// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk-only mass storage (USB MSC BBB) on a RAM image: CBW on bulk OUT
 * 0x02, data phase, CSW on bulk IN 0x81. SCSI: TEST UNIT READY, REQUEST
 * SENSE, INQUIRY, READ CAPACITY(10), READ(10), WRITE(10), MODE SENSE(6),
 * PREVENT ALLOW MEDIUM REMOVAL. A failing command that expected data
 * halts the data endpoint, as the BBB spec wants, so the host has to
 * CLEAR_FEATURE(ENDPOINT_HALT) before it reads the CSW.
 */

#include <stdlib.h>
#include <string.h>
#include <linux/usb/ch9.h>

#include "sim.h"

#define MSC_CBW_LEN	31
#define MSC_CSW_LEN	13
#define MSC_CBW_SIG	0x43425355
#define MSC_CSW_SIG	0x53425355
#define MSC_REQ_RESET	0xff
#define MSC_REQ_MAXLUN	0xfe
#define MSC_CFG_LEN	(9 + 9 + 7 + 7)
#define MSC_GET_MAX_LUN	\
	((USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE) << 8 | MSC_REQ_MAXLUN)
#define MSC_BOT_RESET	\
	((USB_TYPE_CLASS | USB_RECIP_INTERFACE) << 8 | MSC_REQ_RESET)

enum msc_state { MSC_IDLE, MSC_DATA_IN, MSC_DATA_OUT, MSC_STATUS };

static const u8 msc_dev[USB_DT_DEVICE_SIZE] = {
	USB_DT_DEVICE_SIZE, USB_DT_DEVICE, 0x00, 0x02, 0, 0, 0, 64,
	0x25, 0x05, 0xa5, 0xa4,	/* 0525:a4a5, g_mass_storage */
	0x00, 0x01, 0, 0, 0, 1
};

static const u8 msc_cfg[MSC_CFG_LEN] = {
	USB_DT_CONFIG_SIZE, USB_DT_CONFIG, MSC_CFG_LEN, 0, 1, 1, 0,
	USB_CONFIG_ATT_ONE, 50,
	USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE, 0, 0, 2,
	USB_CLASS_MASS_STORAGE, 6, 0x50, 0,
	USB_DT_ENDPOINT_SIZE, USB_DT_ENDPOINT, USB_DIR_IN | 1,
	USB_ENDPOINT_XFER_BULK, 0x00, 0x02, 0,
	USB_DT_ENDPOINT_SIZE, USB_DT_ENDPOINT, 2,
	USB_ENDPOINT_XFER_BULK, 0x00, 0x02, 0,
};

struct vdev_msc {
	struct vdev d;
	u8 *image;
	u32 blocks;
	enum msc_state state;
	u32 tag;
	u32 residue;
	u8 csw_status;
	u8 sense_key;
	u8 asc;
	u8 *data;		/* data phase source/destination */
	u32 left;		/* data phase bytes left */
	u8 reply[36];
};

static struct vdev_msc *to_msc(struct vdev *d)
{
	return d->priv;
}

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u32 get_le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void put_le32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* The command failed: remember the sense, halt a data phase. */
static void msc_fail(struct vdev_msc *m, bool in, u32 dlen, u8 key, u8 asc)
{
	m->sense_key = key;
	m->asc = asc;
	m->csw_status = 1;
	m->residue = dlen;
	m->state = MSC_STATUS;
	if (dlen)
		m->d.halted[in][in ? 1 : 2] = true;
}

/* Start the data phase of a command that moves @n bytes at @data. */
static void msc_data(struct vdev_msc *m, bool in, u32 dlen, u8 *data, u32 n)
{
	m->csw_status = 0;
	if (!in && n > dlen) {
		/* Host offers less than the command needs: phase error. */
		m->csw_status = 2;
		m->residue = dlen;
		m->state = MSC_STATUS;
		return;
	}
	if (in && n > dlen)
		n = dlen;
	m->data = data;
	m->left = n;
	m->residue = dlen - n;
	m->state = n ? (in ? MSC_DATA_IN : MSC_DATA_OUT) : MSC_STATUS;
}

static void msc_command(struct vdev_msc *m, const u8 *cbw)
{
	u32 dlen = get_le32(cbw + 8);
	bool in = cbw[12] & 0x80;
	const u8 *cb = cbw + 15;
	u32 lba, count;

	m->tag = get_le32(cbw + 4);
	memset(m->reply, 0, sizeof(m->reply));
	switch (cb[0]) {
	case 0x00:		/* TEST UNIT READY */
	case 0x1e:		/* PREVENT ALLOW MEDIUM REMOVAL */
		msc_data(m, in, dlen, NULL, 0);
		break;
	case 0x03:		/* REQUEST SENSE, fixed format */
		m->reply[0] = 0x70;
		m->reply[2] = m->sense_key;
		m->reply[7] = 10;
		m->reply[12] = m->asc;
		m->sense_key = 0;
		m->asc = 0;
		msc_data(m, in, dlen, m->reply, 18);
		break;
	case 0x12:		/* INQUIRY */
		m->reply[1] = 0x80;	/* removable */
		m->reply[2] = 0x04;	/* SPC-2 */
		m->reply[3] = 0x02;
		m->reply[4] = 31;
		memcpy(m->reply + 8, "XENSIM  RAM DISK        0001", 28);
		msc_data(m, in, dlen, m->reply, 36);
		break;
	case 0x1a:		/* MODE SENSE(6): no pages, not protected */
		m->reply[0] = 3;
		msc_data(m, in, dlen, m->reply, 4);
		break;
	case 0x25:		/* READ CAPACITY(10) */
		put_be32(m->reply, m->blocks - 1);
		put_be32(m->reply + 4, VDEV_MSC_BLOCK);
		msc_data(m, in, dlen, m->reply, 8);
		break;
	case 0x28:		/* READ(10) */
	case 0x2a:		/* WRITE(10) */
		lba = get_be32(cb + 2);
		count = cb[7] << 8 | cb[8];
		if (lba > m->blocks || count > m->blocks - lba) {
			msc_fail(m, in, dlen, 0x05, 0x21);	/* LBA range */
			break;
		}
		if (in != (cb[0] == 0x28 ? true : false)) {
			msc_fail(m, in, dlen, 0x05, 0x24);	/* bad CDB */
			break;
		}
		msc_data(m, in, dlen, m->image + (size_t)lba * VDEV_MSC_BLOCK,
			 count * VDEV_MSC_BLOCK);
		break;
	default:
		msc_fail(m, in, dlen, 0x05, 0x20);	/* invalid opcode */
		break;
	}
}

static void msc_xfer(struct vdev *d, struct vdev_xfer *x)
{
	struct vdev_msc *m = to_msc(d);
	u32 n;

	if (x->type != XENUSB_PIPE_TYPE_BULK) {
		x->status = -EPIPE;
		return;
	}
	switch (m->state) {
	case MSC_IDLE:
		if (x->in || x->len != MSC_CBW_LEN ||
		    get_le32(x->buf) != MSC_CBW_SIG || x->buf[13] != 0) {
			x->status = -EPIPE;
			return;
		}
		msc_command(m, x->buf);
		x->actual = x->len;
		return;
	case MSC_DATA_IN:
	case MSC_DATA_OUT:
		if (x->in ^ (m->state == MSC_DATA_IN ? 1 : 0)) {
			x->status = -EPIPE;
			return;
		}
		n = x->len < m->left ? x->len : m->left;
		if (x->maxp && n < m->left && x->len % x->maxp) {
			/*
			 * The host's buffer ends inside a packet while the
			 * data phase goes on: IN babbles on that packet, an
			 * OUT short packet ends the phase early (phase error).
			 */
			if (x->in) {
				n -= n % x->maxp;
				x->status = -EOVERFLOW;
			} else {
				m->csw_status = 2;
				m->state = MSC_STATUS;
			}
		}
		if (x->in)
			memcpy(x->buf, m->data, n);
		else
			memcpy(m->data, x->buf, n);
		m->data += n;
		m->left -= n;
		x->actual = n;
		if (!m->left)
			m->state = MSC_STATUS;
		return;
	case MSC_STATUS:
		if (!x->in || x->len < MSC_CSW_LEN) {
			x->status = -EPIPE;
			return;
		}
		put_le32(x->buf, MSC_CSW_SIG);
		put_le32(x->buf + 4, m->tag);
		put_le32(x->buf + 8, m->residue);
		x->buf[12] = m->csw_status;
		x->actual = MSC_CSW_LEN;
		m->state = MSC_IDLE;
		return;
	}
}

static int msc_control(struct vdev *d, const u8 *setup, u8 *buf, u32 len,
		       u32 *actual)
{
	struct vdev_msc *m = to_msc(d);

	switch (setup[0] << 8 | setup[1]) {
	case MSC_GET_MAX_LUN:
		if (len < 1)
			return -EPIPE;
		buf[0] = 0;
		*actual = 1;
		return 0;
	case MSC_BOT_RESET:
		m->state = MSC_IDLE;
		return 0;
	default:
		return -EPIPE;
	}
}

static void msc_reset(struct vdev *d)
{
	to_msc(d)->state = MSC_IDLE;
}

static void msc_destroy(struct vdev *d)
{
	struct vdev_msc *m = to_msc(d);

	free(m->image);
	free(m);
}

static const struct vdev_ops msc_ops = {
	.control = msc_control,
	.xfer = msc_xfer,
	.reset = msc_reset,
	.destroy = msc_destroy,
};

/**
 * vdev_msc_new() - a mass-storage device with a zeroed RAM image
 * @blocks: image size in 512-byte blocks
 *
 * Return: the device, or NULL on allocation failure.
 */
struct vdev *vdev_msc_new(u32 blocks)
{
	struct vdev_msc *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->image = calloc(blocks, VDEV_MSC_BLOCK);
	if (!m->image) {
		free(m);
		return NULL;
	}
	m->blocks = blocks;
	m->d.name = "mass-storage";
	m->d.ops = &msc_ops;
	m->d.speed = XENUSB_SPEED_HIGH;
	m->d.dev_desc = msc_dev;
	m->d.cfg_desc = msc_cfg;
	m->d.cfg_len = MSC_CFG_LEN;
	m->d.priv = m;
	return &m->d;
}
