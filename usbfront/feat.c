// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront: which negotiated extensions the frontend uses, from what the
 * backend offers in its xenstore directory and what this frontend has
 * switched on (include/xenusb_features.h, Documentation/protocol.rst).
 */

#include "core.h"

/**
 * usbfront_feat_choose() - the frontend's half of the negotiation
 * @local: what this frontend supports (its module parameters); 0 is off
 * @offer: offer[f] is the backend's value of feature f as read from its
 *	directory, NULL when it wrote none (an old backend)
 * @use: set to what the frontend uses and writes into its directory;
 *	0 (off, no key written) wherever the backend offered nothing, an
 *	invalid value or 0, or this side is off
 * @verdict: set to how each key was judged, for the caller's log lines
 *
 * A value is used up to the smaller of both sides' values. A backend
 * value that is not a canonical decimal number within the protocol's
 * limit switches that feature off; it never fails the device.
 *
 * Return: the number of features on in @use.
 */
unsigned int usbfront_feat_choose(const struct xenusb_features *local,
				  const char *const offer[XENUSB_FEAT_NR],
				  struct xenusb_features *use,
				  enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR])
{
	unsigned int f, on = 0;
	u32 v;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		use->val[f] = 0;
		if (!offer[f]) {
			verdict[f] = XENUSB_FEAT_ABSENT;
			continue;
		}
		if (xenusb_feat_parse(offer[f], xenusb_feat_max(f), &v)) {
			verdict[f] = XENUSB_FEAT_GARBAGE;
			continue;
		}
		if (v && !local->val[f]) {
			verdict[f] = XENUSB_FEAT_LOCAL_OFF;
			continue;
		}
		verdict[f] = XENUSB_FEAT_OK;
		use->val[f] = v < local->val[f] ? v : local->val[f];
		if (use->val[f])
			on++;
	}
	return on;
}

/**
 * usbfront_ring_order_choose() - the URB ring's ring-page-order
 * @offer: the backend's max-ring-page-order as read from its directory,
 *	NULL when it wrote none (an old backend)
 * @local: this frontend's largest order (its module parameter), 0 for
 *	one page always
 * @verdict: set to how @offer was judged, for the caller's log line
 *
 * A backend value that is not a canonical decimal number within
 * 0..XENUSB_MAX_RING_PAGE_ORDER means one page, never a failure: the base
 * protocol always works.
 *
 * Return: the order to use, the smaller of both sides' orders; 0 (one
 * page, "urb-ring-ref" and no ring-page-order written) when either side
 * has none.
 */
unsigned int usbfront_ring_order_choose(const char *offer, unsigned int local,
					enum xenusb_feat_verdict *verdict)
{
	u32 v;

	if (!offer) {
		*verdict = XENUSB_FEAT_ABSENT;
		return 0;
	}
	if (xenusb_feat_parse(offer, XENUSB_MAX_RING_PAGE_ORDER, &v)) {
		*verdict = XENUSB_FEAT_GARBAGE;
		return 0;
	}
	if (v && !local) {
		*verdict = XENUSB_FEAT_LOCAL_OFF;
		return 0;
	}
	*verdict = XENUSB_FEAT_OK;
	if (local > XENUSB_MAX_RING_PAGE_ORDER)
		local = XENUSB_MAX_RING_PAGE_ORDER;
	return v < local ? v : local;
}
