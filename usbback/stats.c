// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: counters in sysfs, on the xenbus device of each controller
 * (/sys/bus/xen-backend/devices/vusb-<domid>-<devid>/):
 *
 *   statistics/<counter>        whole controller
 *   port<N>/<counter>           one root-hub port, plus busid and speed
 *
 * Counters: requests, bytes_in, bytes_out, unlinks, iso_frames, mapped,
 * indirect (requests that came as indirect large transfers),
 * grant_copies (grant-copy operations, one per page piece), copy_calls
 * (GNTTABOP_copy hypercalls) and one errors_<status> per wire status.
 * They are updated under rsp_lock: most when a response is pushed, the
 * two copy counters when a copy is made.  statistics/inflight is the number
 * of requests in flight now, not a counter; statistics/max_indirect the
 * data segments an indirect request may have on the current connection
 * (0: large transfers are off); statistics/max_in_flight the most requests
 * ever in flight at once on this controller (a high-water mark, never
 * reset: a deeper ring shows here by going above 16) and
 * statistics/ring_pages the pages of the current urb ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "common.h"

static const char * const usbback_stat_names[USBBACK_NR_STATS] = {
	[USBBACK_ST_REQUESTS] = "requests",
	[USBBACK_ST_BYTES_IN] = "bytes_in",
	[USBBACK_ST_BYTES_OUT] = "bytes_out",
	[USBBACK_ST_UNLINKS] = "unlinks",
	[USBBACK_ST_ISO_FRAMES] = "iso_frames",
	[USBBACK_ST_MAPPED] = "mapped",
	[USBBACK_ST_INDIRECT] = "indirect",
	[USBBACK_ST_GRANT_COPIES] = "grant_copies",
	[USBBACK_ST_COPY_CALLS] = "copy_calls",
	[USBBACK_ST_ERR_NODEV] = "errors_nodev",
	[USBBACK_ST_ERR_INVAL] = "errors_inval",
	[USBBACK_ST_ERR_STALL] = "errors_stall",
	[USBBACK_ST_ERR_IOERROR] = "errors_ioerror",
	[USBBACK_ST_ERR_BABBLE] = "errors_babble",
	[USBBACK_ST_ERR_SHUTDOWN] = "errors_shutdown",
	[USBBACK_ST_ERR_OTHER] = "errors_other",
};

static enum usbback_stat usbback_stat_of_status(s32 status)
{
	switch (status) {
	case XENUSB_STATUS_NODEV:
		return USBBACK_ST_ERR_NODEV;
	case XENUSB_STATUS_INVAL:
		return USBBACK_ST_ERR_INVAL;
	case XENUSB_STATUS_STALL:
		return USBBACK_ST_ERR_STALL;
	case XENUSB_STATUS_IOERROR:
		return USBBACK_ST_ERR_IOERROR;
	case XENUSB_STATUS_BABBLE:
		return USBBACK_ST_ERR_BABBLE;
	case XENUSB_STATUS_SHUTDOWN:
		return USBBACK_ST_ERR_SHUTDOWN;
	default:
		return USBBACK_ST_ERR_OTHER;
	}
}

/**
 * usbback_stats_account() - count a response
 * @c: controller
 * @port: port of the request, 0 if it named none
 * @unlink: the response answers an unlink request
 * @status: wire status of the response
 * @bytes_in: bytes sent to the guest
 * @bytes_out: bytes taken from the guest
 * @iso_frames: isochronous packets carried
 * @mapped: the request's data was grant-mapped, not copied
 * @indirect: the request was an indirect (large) transfer
 *
 * Called with rsp_lock held.  Unlinks count as unlinks, not requests;
 * an unlink answered with an error (-ENOENT: nothing to cancel, -EINVAL:
 * malformed) also counts in that error's counter, as for a request.
 */
void usbback_stats_account(struct usbback_ctrlr *c, u8 port, bool unlink,
			   s32 status, u32 bytes_in, u32 bytes_out,
			   u32 iso_frames, bool mapped, bool indirect)
{
	u64 *st;

	if (port > c->nports)
		port = 0;
	st = c->stats[port];
	if (unlink) {
		st[USBBACK_ST_UNLINKS]++;
		if (status != XENUSB_STATUS_OK)
			st[usbback_stat_of_status(status)]++;
		return;
	}
	st[USBBACK_ST_REQUESTS]++;
	if (mapped)
		st[USBBACK_ST_MAPPED]++;
	if (indirect)
		st[USBBACK_ST_INDIRECT]++;
	if (status == XENUSB_STATUS_OK) {
		st[USBBACK_ST_BYTES_IN] += bytes_in;
		st[USBBACK_ST_BYTES_OUT] += bytes_out;
		st[USBBACK_ST_ISO_FRAMES] += iso_frames;
	} else {
		st[usbback_stat_of_status(status)]++;
	}
}

/* Sum of a counter over one port (@port >= 0) or all of them. */
static u64 usbback_stat_read(struct usbback_ctrlr *c, int port,
			     enum usbback_stat which)
{
	unsigned long flags;
	u64 v = 0;
	int p;

	spin_lock_irqsave(&c->rsp_lock, flags);
	for (p = 0; p <= c->nports; p++)
		if (port < 0 || p == port)
			v += c->stats[p][which];
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	return v;
}

static int usbback_stat_index(const char *name)
{
	int i;

	for (i = 0; i < USBBACK_NR_STATS; i++)
		if (!strcmp(name, usbback_stat_names[i]))
			return i;
	return -1;
}

/* ---------------- controller: statistics/ on the xenbus device -------- */

static ssize_t usbback_ctrlr_stat_show(struct device *dev,
				       struct device_attribute *attr,
				       char *buf)
{
	struct usbback_ctrlr *c = dev_get_drvdata(dev);
	int i = usbback_stat_index(attr->attr.name);

	if (!c || i < 0)
		return -ENODEV;
	return sysfs_emit(buf, "%llu\n", usbback_stat_read(c, -1, i));
}

#define USBBACK_CTRLR_ATTR(_name) \
	static struct device_attribute usbback_dev_attr_##_name = \
		__ATTR(_name, 0444, usbback_ctrlr_stat_show, NULL)

USBBACK_CTRLR_ATTR(requests);
USBBACK_CTRLR_ATTR(bytes_in);
USBBACK_CTRLR_ATTR(bytes_out);
USBBACK_CTRLR_ATTR(unlinks);
USBBACK_CTRLR_ATTR(iso_frames);
USBBACK_CTRLR_ATTR(mapped);
USBBACK_CTRLR_ATTR(indirect);
USBBACK_CTRLR_ATTR(grant_copies);
USBBACK_CTRLR_ATTR(copy_calls);
USBBACK_CTRLR_ATTR(errors_nodev);
USBBACK_CTRLR_ATTR(errors_inval);
USBBACK_CTRLR_ATTR(errors_stall);
USBBACK_CTRLR_ATTR(errors_ioerror);
USBBACK_CTRLR_ATTR(errors_babble);
USBBACK_CTRLR_ATTR(errors_shutdown);
USBBACK_CTRLR_ATTR(errors_other);

/* One of the ring's request counts, read under the response lock. */
static ssize_t usbback_ring_count_show(struct device *dev, char *buf,
				       bool high_water)
{
	struct usbback_ctrlr *c = dev_get_drvdata(dev);
	unsigned long flags;
	unsigned int n;

	if (!c)
		return -ENODEV;
	spin_lock_irqsave(&c->rsp_lock, flags);
	n = high_water ? c->ring.max_inflight : c->ring.nr_inflight;
	spin_unlock_irqrestore(&c->rsp_lock, flags);
	return sysfs_emit(buf, "%u\n", n);
}

/*
 * Not a counter: the requests taken off the ring and not answered yet.
 * It falls back to 0 when the guest is idle, so a slot that a disconnect
 * or an unplug failed to give back shows here.
 */
static ssize_t inflight_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return usbback_ring_count_show(dev, buf, false);
}
static DEVICE_ATTR_RO(inflight);

/* High-water mark of inflight, over the controller's life. */
static ssize_t max_in_flight_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return usbback_ring_count_show(dev, buf, true);
}
static DEVICE_ATTR_RO(max_in_flight);

/* Not a counter: pages of the urb ring of the current connection. */
static ssize_t ring_pages_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct usbback_ctrlr *c = dev_get_drvdata(dev);

	if (!c)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", 1u << READ_ONCE(c->ring_order));
}
static DEVICE_ATTR_RO(ring_pages);

/* Not a counter: what the current connection negotiated. */
static ssize_t max_indirect_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct usbback_ctrlr *c = dev_get_drvdata(dev);

	if (!c)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", READ_ONCE(c->ring.feat.val[XENUSB_FEAT_MAX_INDIRECT]));
}
static DEVICE_ATTR_RO(max_indirect);

static struct attribute *usbback_ctrlr_attrs[] = {
	&usbback_dev_attr_requests.attr,
	&usbback_dev_attr_bytes_in.attr,
	&usbback_dev_attr_bytes_out.attr,
	&usbback_dev_attr_unlinks.attr,
	&usbback_dev_attr_iso_frames.attr,
	&usbback_dev_attr_mapped.attr,
	&usbback_dev_attr_indirect.attr,
	&usbback_dev_attr_grant_copies.attr,
	&usbback_dev_attr_copy_calls.attr,
	&usbback_dev_attr_errors_nodev.attr,
	&usbback_dev_attr_errors_inval.attr,
	&usbback_dev_attr_errors_stall.attr,
	&usbback_dev_attr_errors_ioerror.attr,
	&usbback_dev_attr_errors_babble.attr,
	&usbback_dev_attr_errors_shutdown.attr,
	&usbback_dev_attr_errors_other.attr,
	&dev_attr_inflight.attr,
	&dev_attr_max_indirect.attr,
	&dev_attr_max_in_flight.attr,
	&dev_attr_ring_pages.attr,
	NULL
};

static const struct attribute_group usbback_ctrlr_group = {
	.name = "statistics",
	.attrs = usbback_ctrlr_attrs,
};

/* ---------------- ports: port<N>/ under the xenbus device ------------- */

/**
 * struct usbback_port_kobj - sysfs directory of one port
 * @kobj: the directory
 * @c: its controller
 * @port: its port number
 */
struct usbback_port_kobj {
	struct kobject kobj;
	struct usbback_ctrlr *c;
	u8 port;
};

static struct usbback_port_kobj *to_port_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct usbback_port_kobj, kobj);
}

static ssize_t usbback_port_stat_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct usbback_port_kobj *pk = to_port_kobj(kobj);
	int i = usbback_stat_index(attr->attr.name);

	if (i < 0)
		return -ENODEV;
	return sysfs_emit(buf, "%llu\n", usbback_stat_read(pk->c, pk->port, i));
}

static ssize_t busid_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct usbback_port_kobj *pk = to_port_kobj(kobj);
	struct usbback_ctrlr *c = pk->c;
	ssize_t n;

	mutex_lock(&c->req_mutex);
	n = sysfs_emit(buf, "%s\n", c->port[pk->port].busid);
	mutex_unlock(&c->req_mutex);
	return n;
}

static ssize_t speed_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct usbback_port_kobj *pk = to_port_kobj(kobj);
	struct usbback_ctrlr *c = pk->c;
	struct usbback_dev *dev;
	ssize_t n;

	mutex_lock(&c->req_mutex);
	dev = c->port[pk->port].dev;
	n = sysfs_emit(buf, "%u\n", dev ? dev->speed : XENUSB_SPEED_NONE);
	mutex_unlock(&c->req_mutex);
	return n;
}

#define USBBACK_PORT_ATTR(_name) \
	static struct kobj_attribute usbback_port_attr_##_name = \
		__ATTR(_name, 0444, usbback_port_stat_show, NULL)

USBBACK_PORT_ATTR(requests);
USBBACK_PORT_ATTR(bytes_in);
USBBACK_PORT_ATTR(bytes_out);
USBBACK_PORT_ATTR(unlinks);
USBBACK_PORT_ATTR(iso_frames);
USBBACK_PORT_ATTR(mapped);
USBBACK_PORT_ATTR(errors_nodev);
USBBACK_PORT_ATTR(errors_inval);
USBBACK_PORT_ATTR(errors_stall);
USBBACK_PORT_ATTR(errors_ioerror);
USBBACK_PORT_ATTR(errors_babble);
USBBACK_PORT_ATTR(errors_shutdown);
USBBACK_PORT_ATTR(errors_other);
static struct kobj_attribute usbback_port_attr_busid = __ATTR_RO(busid);
static struct kobj_attribute usbback_port_attr_speed = __ATTR_RO(speed);

static struct attribute *usbback_port_attrs[] = {
	&usbback_port_attr_busid.attr,
	&usbback_port_attr_speed.attr,
	&usbback_port_attr_requests.attr,
	&usbback_port_attr_bytes_in.attr,
	&usbback_port_attr_bytes_out.attr,
	&usbback_port_attr_unlinks.attr,
	&usbback_port_attr_iso_frames.attr,
	&usbback_port_attr_mapped.attr,
	&usbback_port_attr_errors_nodev.attr,
	&usbback_port_attr_errors_inval.attr,
	&usbback_port_attr_errors_stall.attr,
	&usbback_port_attr_errors_ioerror.attr,
	&usbback_port_attr_errors_babble.attr,
	&usbback_port_attr_errors_shutdown.attr,
	&usbback_port_attr_errors_other.attr,
	NULL
};
ATTRIBUTE_GROUPS(usbback_port);

static void usbback_port_release(struct kobject *kobj)
{
	kfree(to_port_kobj(kobj));
}

static struct kobj_type usbback_port_ktype = {
	.release = usbback_port_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = usbback_port_groups,
};

/**
 * usbback_stats_add() - create the sysfs counters of a controller
 * @c: controller whose nports is known, drvdata set
 *
 * Return: 0 or a negative errno (nothing is left behind then).
 */
int usbback_stats_add(struct usbback_ctrlr *c)
{
	struct kobject *parent = &c->xdev->dev.kobj;
	struct usbback_port_kobj *pk;
	unsigned int i;
	int err;

	err = sysfs_create_group(parent, &usbback_ctrlr_group);
	if (err)
		return err;

	for (i = 1; i <= c->nports; i++) {
		pk = kzalloc(sizeof(*pk), GFP_KERNEL);
		if (!pk) {
			err = -ENOMEM;
			goto err;
		}
		pk->c = c;
		pk->port = i;
		err = kobject_init_and_add(&pk->kobj, &usbback_port_ktype,
					   parent, "port%u", i);
		if (err) {
			kobject_put(&pk->kobj);
			goto err;
		}
		c->port[i].kobj = &pk->kobj;
	}
	return 0;

err:
	usbback_stats_del(c);
	return err;
}

/**
 * usbback_stats_del() - remove the sysfs counters of a controller
 * @c: controller
 *
 * Waits for readers in progress; idempotent.
 */
void usbback_stats_del(struct usbback_ctrlr *c)
{
	unsigned int i;

	for (i = 1; i <= XENUSB_MAX_PORTNR; i++) {
		if (c->port[i].kobj) {
			kobject_del(c->port[i].kobj);
			kobject_put(c->port[i].kobj);
			c->port[i].kobj = NULL;
		}
	}
	sysfs_remove_group(&c->xdev->dev.kobj, &usbback_ctrlr_group);
}
