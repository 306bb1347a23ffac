// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront: Xen PV USB frontend, a virtual host controller for guests.
 * Speaks io/usbif.h ("vusb") to usbback or QEMU's qusb backend.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <xen/xen.h>

#include "common.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

bool usbfront_param_sg = true;
module_param_named(sg, usbfront_param_sg, bool, 0444);
MODULE_PARM_DESC(sg, "Accept scatter-gather URBs (fewer, larger requests for usb-storage) (default: true)");

bool usbfront_param_zlp = true;
module_param_named(zlp, usbfront_param_zlp, bool, 0644);
MODULE_PARM_DESC(zlp, "Send a zero-length request after bulk OUT URBs with URB_ZERO_PACKET, which the protocol does not carry (default: true)");

bool usbfront_param_reconnect = true;
module_param_named(reconnect, usbfront_param_reconnect, bool, 0644);
MODULE_PARM_DESC(reconnect, "Reconnect when a backend that closed comes back (default: true)");

/*
 * One switch per negotiated extension (include/xenusb_features.h), read
 * at every connection: N never uses the feature, and the frontend writes
 * no key for it, whatever the backend offers.
 */
bool usbfront_feature_param[XENUSB_FEAT_NR] = {
	[XENUSB_FEAT_ZERO_PACKET] = true,
	[XENUSB_FEAT_PORT_RESET] = true,
	[XENUSB_FEAT_MAX_INDIRECT] = true,
};
module_param_named(feature_zero_packet,
		   usbfront_feature_param[XENUSB_FEAT_ZERO_PACKET], bool, 0644);
MODULE_PARM_DESC(feature_zero_packet,
		 "Use feature-zero-packet where the backend offers it: URB_ZERO_PACKET as a request flag instead of an extra zero-length request (default: Y)");
module_param_named(feature_port_reset,
		   usbfront_feature_param[XENUSB_FEAT_PORT_RESET], bool, 0644);
MODULE_PARM_DESC(feature_port_reset,
		 "Use feature-port-reset where the backend offers it: a port reset resets the host device (default: Y)");
module_param_named(feature_max_indirect_segments,
		   usbfront_feature_param[XENUSB_FEAT_MAX_INDIRECT], bool, 0644);
MODULE_PARM_DESC(feature_max_indirect_segments,
		 "Use feature-max-indirect-segments where the backend offers it: one request of up to 256 pages (1 MiB) per bulk URB (default: Y)");

/*
 * The largest URB ring this frontend grants, 2^N pages, when the backend
 * offers max-ring-page-order; read at every connection.  Values above
 * the ring format's limit are refused.
 */
static int usbfront_set_max_ring_page_order(const char *val,
					    const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, XENUSB_MAX_RING_PAGE_ORDER);
}

static const struct kernel_param_ops usbfront_max_ring_page_order_ops = {
	.set = usbfront_set_max_ring_page_order,
	.get = param_get_uint,
};

unsigned int usbfront_param_max_ring_page_order = XENUSB_MAX_RING_PAGE_ORDER;
module_param_cb(max_ring_page_order, &usbfront_max_ring_page_order_ops,
		&usbfront_param_max_ring_page_order, 0644);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest URB ring to use where the backend offers max-ring-page-order, 2^N pages, 0..3 (default 3: 8 pages, 128 requests in flight; 0: one page, urb-ring-ref as in the base protocol)");

/* 0 would retry held grants in a busy loop: refuse out-of-range values. */
static int usbfront_set_reclaim_ms(const char *val,
				   const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 10, 60000);
}

static const struct kernel_param_ops usbfront_reclaim_ms_ops = {
	.set = usbfront_set_reclaim_ms,
	.get = param_get_uint,
};

unsigned int usbfront_param_reclaim_ms = 1000;
module_param_cb(reclaim_ms, &usbfront_reclaim_ms_ops,
		&usbfront_param_reclaim_ms, 0644);
MODULE_PARM_DESC(reclaim_ms, "Retry interval in ms for grants a backend still holds after a disconnect, 10..60000 (default: 1000)");

static int __init usbfront_init(void)
{
	/* Xenbus registration succeeds outside Xen too: refuse to load. */
	if (!xen_domain())
		return -ENODEV;
	/*
	 * dom0 is allowed: a frontend there is unusual (a driver domain
	 * could serve it) but harmless, and it only binds to vusb devices
	 * the toolstack creates for this domain.
	 */
	return usbfront_xenbus_register();
}
module_init(usbfront_init);

static void __exit usbfront_exit(void)
{
	usbfront_xenbus_unregister();
}
module_exit(usbfront_exit);

MODULE_DESCRIPTION("Xen PV USB frontend (virtual host controller)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XENUSB_VERSION);
MODULE_ALIAS("xen:vusb");
