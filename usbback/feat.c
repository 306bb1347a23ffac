// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: which negotiated extensions are on for a connection, from what
 * the backend offered and what the frontend wrote into its directory
 * (include/xenusb_features.h, Documentation/protocol.rst).
 */

#include <linux/string.h>

#include "core.h"

/**
 * usbback_feat_accept() - the backend's half of the negotiation
 * @offered: what this backend wrote into its directory before InitWait;
 *	0 where it wrote no key
 * @used: used[f] is the frontend's value of feature f as read from its
 *	directory, NULL when it wrote none (an old frontend)
 * @on: set to the negotiated set the ring core acts on
 * @verdict: set to how each key was judged, for the caller's log lines
 *
 * The backend never acts on a key it did not offer: such a key is
 * ignored (the feature stays off, and requests that rely on it are
 * refused like any other malformed request). A value that is not a
 * canonical decimal number within the protocol's limit switches the
 * feature off. A valid value above the one offered means the frontend
 * would send what the backend cannot take: the connection is refused.
 *
 * Return: 0, or -EINVAL when a value exceeds the offer (@on is then all
 * off).
 */
int usbback_feat_accept(const struct xenusb_features *offered,
			const char *const used[XENUSB_FEAT_NR],
			struct xenusb_features *on,
			enum xenusb_feat_verdict verdict[XENUSB_FEAT_NR])
{
	unsigned int f;
	int ret = 0;
	u32 v;

	for (f = 0; f < XENUSB_FEAT_NR; f++) {
		on->val[f] = 0;
		if (!used[f]) {
			verdict[f] = XENUSB_FEAT_ABSENT;
			continue;
		}
		if (!offered->val[f]) {
			verdict[f] = XENUSB_FEAT_UNOFFERED;
			continue;
		}
		if (xenusb_feat_parse(used[f], xenusb_feat_max(f), &v)) {
			verdict[f] = XENUSB_FEAT_GARBAGE;
			continue;
		}
		if (v > offered->val[f]) {
			verdict[f] = XENUSB_FEAT_EXCEEDS;
			ret = -EINVAL;
			continue;
		}
		verdict[f] = XENUSB_FEAT_OK;
		on->val[f] = v;
	}
	if (ret)
		memset(on, 0, sizeof(*on));
	return ret;
}
