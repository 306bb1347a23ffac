// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: Xen PV USB backend.  Module entry points and parameters.
 *
 * The module registers the "usbback" USB interface driver (libxl binds the
 * interfaces of a passed-through device to it) and the xenbus backend for
 * device type "vusb" (one xenbus device per virtual host controller).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <xen/xen.h>

#include "common.h"

struct workqueue_struct *usbback_wq;

/*
 * Out-of-range values are refused with -EINVAL at load time and on writes
 * to /sys/module/usbback/parameters: 0 would reject every iso request or
 * turn the out-of-memory retry into a busy loop.
 */
static int usbback_set_max_iso(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 4096);
}

static const struct kernel_param_ops usbback_max_iso_ops = {
	.set = usbback_set_max_iso,
	.get = param_get_uint,
};

unsigned int usbback_max_iso_packets = 1024;
module_param_cb(max_iso_packets, &usbback_max_iso_ops,
		&usbback_max_iso_packets, 0644);
MODULE_PARM_DESC(max_iso_packets,
		 "Largest number of isochronous packets accepted in one request, 1..4096 (default 1024; the ring format allows up to 4096)");

static int usbback_set_retry_ms(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 10000);
}

static const struct kernel_param_ops usbback_retry_ms_ops = {
	.set = usbback_set_retry_ms,
	.get = param_get_uint,
};

unsigned int usbback_retry_ms = 10;
module_param_cb(retry_ms, &usbback_retry_ms_ops, &usbback_retry_ms, 0644);
MODULE_PARM_DESC(retry_ms,
		 "Delay before a request that found no memory is tried again, 1..10000 ms (default 10)");

static const char * const usbback_buf_names[] = {
	[USBBACK_BUF_COPY] = "copy",
	[USBBACK_BUF_MAP] = "map",
};

/*
 * Only "copy" and "map" are accepted.  A write takes effect for the
 * requests taken off the ring after it; requests in flight finish the way
 * they started (each slot remembers its path).
 */
static int usbback_set_buf_mode(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(usbback_buf_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, i);
	return 0;
}

static int usbback_get_buf_mode(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  usbback_buf_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops usbback_buf_mode_ops = {
	.set = usbback_set_buf_mode,
	.get = usbback_get_buf_mode,
};

int usbback_buffer_mode = USBBACK_BUF_COPY;
module_param_cb(buffer_mode, &usbback_buf_mode_ops, &usbback_buffer_mode,
		0644);
MODULE_PARM_DESC(buffer_mode,
		 "How bulk data reaches the device: copy (grant copy into a kernel buffer, default) or map (grant-map the guest's pages, scatter-gather URB; falls back to copy where the host controller cannot take it)");

static const char * const usbback_dispatch_names[] = {
	[USBBACK_DISPATCH_WQ] = "wq",
	[USBBACK_DISPATCH_THREAD] = "thread",
};

/*
 * Read at each event and each kick, so a write applies to the next one
 * (the bench compares both in one boot); both paths run the same
 * consumer under req_mutex, so they may overlap while it changes.
 */
static int usbback_set_dispatch(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(usbback_dispatch_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, i);
	return 0;
}

static int usbback_get_dispatch(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  usbback_dispatch_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops usbback_dispatch_ops = {
	.set = usbback_set_dispatch,
	.get = usbback_get_dispatch,
};

int usbback_dispatch = USBBACK_DISPATCH_THREAD;
module_param_cb(dispatch, &usbback_dispatch_ops, &usbback_dispatch, 0644);
MODULE_PARM_DESC(dispatch,
		 "Who takes requests off the ring after an event: thread (the controller's own kernel thread, woken straight from the event handler, default) or wq (a work item on usbback's workqueue)");

/*
 * Read at each URB completion, so a write applies to the next one: the
 * bench measures both paths in one boot with it.  Off by default: on the
 * bed (2026-12-05) it cut dom0's completion-to-response time by 40-60 us
 * per request, but the guest's CBW round trip then often took ~4 ms (one
 * jiffy) and the reads ended slower; see Documentation/usbback.rst.
 */
bool usbback_respond_in_completion;
module_param_named(respond_in_completion, usbback_respond_in_completion,
		   bool, 0644);
MODULE_PARM_DESC(respond_in_completion,
		 "Answer a copied request straight from its host URB's completion (default N: every response from the done work item)");

/*
 * One switch per negotiated extension (include/xenusb_features.h), read
 * each time a controller offers its features: at probe and whenever a
 * frontend comes back. N offers nothing: the frontend sees an old
 * backend.
 */
bool usbback_feature_param[XENUSB_FEAT_NR] = {
	[XENUSB_FEAT_ZERO_PACKET] = true,
	[XENUSB_FEAT_PORT_RESET] = true,
	[XENUSB_FEAT_MAX_INDIRECT] = true,
};
module_param_named(feature_zero_packet,
		   usbback_feature_param[XENUSB_FEAT_ZERO_PACKET], bool, 0644);
MODULE_PARM_DESC(feature_zero_packet,
		 "Offer feature-zero-packet: URB_ZERO_PACKET carried as a request flag (default: Y)");
module_param_named(feature_port_reset,
		   usbback_feature_param[XENUSB_FEAT_PORT_RESET], bool, 0644);
MODULE_PARM_DESC(feature_port_reset,
		 "Offer feature-port-reset: a guest's port reset resets the host device (default: Y)");
module_param_named(feature_max_indirect_segments,
		   usbback_feature_param[XENUSB_FEAT_MAX_INDIRECT], bool, 0644);
MODULE_PARM_DESC(feature_max_indirect_segments,
		 "Offer feature-max-indirect-segments: bulk requests of up to 256 pages (1 MiB) in indirect pages (default: Y)");

/*
 * The largest urb ring a frontend may grant (max-ring-page-order): 2^N
 * pages. 0 offers nothing (one page, no key written); read each time a
 * controller offers its features.  A value above what the ring format
 * allows is refused, not clamped: the administrator hears about it.
 */
static int usbback_set_max_ring_page_order(const char *val,
					   const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, XENUSB_MAX_RING_PAGE_ORDER);
}

static const struct kernel_param_ops usbback_max_ring_page_order_ops = {
	.set = usbback_set_max_ring_page_order,
	.get = param_get_uint,
};

unsigned int usbback_max_ring_page_order = XENUSB_MAX_RING_PAGE_ORDER;
module_param_cb(max_ring_page_order, &usbback_max_ring_page_order_ops,
		&usbback_max_ring_page_order, 0644);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest urb ring a frontend may use, 2^N pages, 0..3 (default 3: 8 pages, 128 requests in flight; 0: one page, max-ring-page-order not offered)");

static int __init usbback_init(void)
{
	int err;

	/* 6.1's xenbus registration succeeds silently outside Xen. */
	if (!xen_domain())
		return -ENODEV;

	/*
	 * Unbound: the ring work may sleep in usb-core calls (SET_INTERFACE,
	 * CLEAR_HALT) for seconds.  MEM_RECLAIM: completions of a guest's
	 * disk I/O must progress under memory pressure.
	 */
	usbback_wq = alloc_workqueue("usbback", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!usbback_wq)
		return -ENOMEM;

	err = usbback_claim_init();
	if (err)
		goto err_wq;

	err = usbback_xenbus_init();
	if (err)
		goto err_claim;

	pr_info("Xen PV USB backend ready\n");
	return 0;

err_claim:
	usbback_claim_exit();
err_wq:
	destroy_workqueue(usbback_wq);
	return err;
}

static void __exit usbback_exit(void)
{
	/* Controllers first: they reference devices of the usb_driver. */
	usbback_xenbus_exit();
	usbback_claim_exit();
	destroy_workqueue(usbback_wq);
}

module_init(usbback_init);
module_exit(usbback_exit);

MODULE_DESCRIPTION("Xen PV USB backend (usbif, device type vusb)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XENUSB_VERSION);
MODULE_ALIAS("xen-backend:vusb");
