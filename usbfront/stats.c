// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront counters in sysfs: /sys/bus/xen/devices/vusb-N/stats/<name>,
 * one decimal value per file, plus the link state, the number of
 * requests whose grants the backend still holds and the number of
 * requests in flight.
 */

#include <linux/device.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "common.h"

/* Where each counter file finds its value in struct usbfront_stats. */
#define USBFRONT_STAT_FIELD(_name) { #_name, offsetof(struct usbfront_stats, _name) }

static const struct {
	const char *name;
	size_t off;
} usbfront_stat_fields[] = {
	USBFRONT_STAT_FIELD(urbs),
	USBFRONT_STAT_FIELD(requests),
	USBFRONT_STAT_FIELD(responses),
	USBFRONT_STAT_FIELD(bytes_in),
	USBFRONT_STAT_FIELD(bytes_out),
	USBFRONT_STAT_FIELD(split_urbs),
	USBFRONT_STAT_FIELD(zlp_requests),
	USBFRONT_STAT_FIELD(indirect_requests),
	USBFRONT_STAT_FIELD(zlp_flags),
	USBFRONT_STAT_FIELD(port_resets),
	USBFRONT_STAT_FIELD(ring_full),
	USBFRONT_STAT_FIELD(unlinks),
	USBFRONT_STAT_FIELD(emsgsize),
	USBFRONT_STAT_FIELD(clamped),
	USBFRONT_STAT_FIELD(iso_fixed),
	USBFRONT_STAT_FIELD(conn_events),
	USBFRONT_STAT_FIELD(protocol_errors),
	USBFRONT_STAT_FIELD(grants_held),
	USBFRONT_STAT_FIELD(connects),
	USBFRONT_STAT_FIELD(disconnects),
};

static ssize_t usbfront_stat_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct usbfront_info *info = dev_get_drvdata(dev);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(usbfront_stat_fields); i++) {
		const u64 *val;

		if (strcmp(attr->attr.name, usbfront_stat_fields[i].name))
			continue;
		val = (const u64 *)((const u8 *)&info->stats +
				    usbfront_stat_fields[i].off);
		return sysfs_emit(buf, "%llu\n", READ_ONCE(*val));
	}
	return -ENOENT;
}

#define USBFRONT_STAT(_name)						\
	static struct device_attribute usbfront_stat_##_name =		\
		__ATTR(_name, 0444, usbfront_stat_show, NULL)

USBFRONT_STAT(urbs);
USBFRONT_STAT(requests);
USBFRONT_STAT(responses);
USBFRONT_STAT(bytes_in);
USBFRONT_STAT(bytes_out);
USBFRONT_STAT(split_urbs);
USBFRONT_STAT(zlp_requests);
USBFRONT_STAT(indirect_requests);
USBFRONT_STAT(zlp_flags);
USBFRONT_STAT(port_resets);
USBFRONT_STAT(ring_full);
USBFRONT_STAT(unlinks);
USBFRONT_STAT(emsgsize);
USBFRONT_STAT(clamped);
USBFRONT_STAT(iso_fixed);
USBFRONT_STAT(conn_events);
USBFRONT_STAT(protocol_errors);
USBFRONT_STAT(grants_held);
USBFRONT_STAT(connects);
USBFRONT_STAT(disconnects);

static ssize_t link_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	static const char * const names[] = {
		[USBFRONT_DOWN] = "down",
		[USBFRONT_UP] = "up",
		[USBFRONT_BROKEN] = "broken",
	};
	struct usbfront_info *info = dev_get_drvdata(dev);
	enum usbfront_link link = READ_ONCE(info->link);

	return sysfs_emit(buf, "%s\n", link < ARRAY_SIZE(names) ?
			  names[link] : "?");
}
static DEVICE_ATTR_RO(link);

static ssize_t held_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct usbfront_info *info = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(info->ring.nheld));
}
static DEVICE_ATTR_RO(held);

/*
 * Requests on the ring that the backend has not answered (ids in use).
 * 0 when the controller is idle and after every teardown: an id that a
 * reconnect failed to give back shows here.
 */
static ssize_t inflight_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct usbfront_info *info = dev_get_drvdata(dev);
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&info->lock, flags);
	n = info->ring.ids.cap - info->ring.ids.nfree;
	spin_unlock_irqrestore(&info->lock, flags);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(inflight);

static struct attribute *usbfront_stats_attrs[] = {
	&usbfront_stat_urbs.attr,
	&usbfront_stat_requests.attr,
	&usbfront_stat_responses.attr,
	&usbfront_stat_bytes_in.attr,
	&usbfront_stat_bytes_out.attr,
	&usbfront_stat_split_urbs.attr,
	&usbfront_stat_zlp_requests.attr,
	&usbfront_stat_indirect_requests.attr,
	&usbfront_stat_zlp_flags.attr,
	&usbfront_stat_port_resets.attr,
	&usbfront_stat_ring_full.attr,
	&usbfront_stat_unlinks.attr,
	&usbfront_stat_emsgsize.attr,
	&usbfront_stat_clamped.attr,
	&usbfront_stat_iso_fixed.attr,
	&usbfront_stat_conn_events.attr,
	&usbfront_stat_protocol_errors.attr,
	&usbfront_stat_grants_held.attr,
	&usbfront_stat_connects.attr,
	&usbfront_stat_disconnects.attr,
	&dev_attr_link.attr,
	&dev_attr_held.attr,
	&dev_attr_inflight.attr,
	NULL
};

static const struct attribute_group usbfront_stats_group = {
	.name = "stats",
	.attrs = usbfront_stats_attrs,
};

/**
 * usbfront_stats_register() - add the stats directory to the device
 * @info: controller; drvdata of its xenbus device
 *
 * Return: 0 or a negative errno.
 */
int usbfront_stats_register(struct usbfront_info *info)
{
	return device_add_group(&info->xbdev->dev, &usbfront_stats_group);
}

/**
 * usbfront_stats_unregister() - remove it again
 * @info: controller
 */
void usbfront_stats_unregister(struct usbfront_info *info)
{
	device_remove_group(&info->xbdev->dev, &usbfront_stats_group);
}
