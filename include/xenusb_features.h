/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Negotiated extensions of io/usbif.h: the xenstore keys, their values
 * and the negotiated set both sides' cores read.
 *
 * blkif-style: the backend writes the value it supports under each key
 * in its own directory before it switches to InitWait; the frontend
 * reads them and writes the value it uses under the same key in its own
 * directory before it publishes its rings; the backend reads the
 * frontend's choice when it connects. A feature is on only when both
 * sides wrote a non-zero value and the frontend's value does not exceed
 * the backend's. A side never writes a key the peer did not offer, so an
 * old peer sees the base protocol byte for byte.
 *
 * Pure code: no Xen or USB-core calls (the modules, KUnit and the
 * simulator compile exactly this header). Documentation/protocol.rst is
 * the wire document.
 *
 * Adding a feature: a new enum value before XENUSB_FEAT_NR, its key and
 * largest value in xenusb_feat_key() and xenusb_feat_max(), a module
 * parameter on each side, and its section in protocol.rst.
 */
#ifndef XENUSB_FEATURES_H
#define XENUSB_FEATURES_H

#include <linux/types.h>
#include <linux/errno.h>

#include "xenusb_proto.h"

/**
 * enum xenusb_feat - the negotiated extensions
 * @XENUSB_FEAT_ZERO_PACKET: "feature-zero-packet", boolean: the
 *	XENUSB_ZERO_PACKET transfer flag carries URB_ZERO_PACKET
 * @XENUSB_FEAT_PORT_RESET: "feature-port-reset", boolean: a request with
 *	the XENUSB_PORT_RESET transfer flag resets the port's device
 * @XENUSB_FEAT_MAX_INDIRECT: "feature-max-indirect-segments", a count
 *	(1..XENUSB_MAX_INDIRECT_SEGS): a bulk request with the
 *	XENUSB_INDIRECT transfer flag carries up to that many data segments
 *	in indirect pages (large transfers)
 * @XENUSB_FEAT_NR: number of features
 */
enum xenusb_feat {
	XENUSB_FEAT_ZERO_PACKET,
	XENUSB_FEAT_PORT_RESET,
	XENUSB_FEAT_MAX_INDIRECT,
	XENUSB_FEAT_NR
};

/*
 * Transfer-flag bits of negotiated features (bit 0 is usbif.h's
 * XENUSB_SHORT_NOT_OK). A backend that did not negotiate a feature
 * refuses a request carrying its flag like any other unknown flag.
 */
#define XENUSB_ZERO_PACKET	0x0002
#define XENUSB_PORT_RESET	0x0004
/* XENUSB_INDIRECT (0x8000, large transfers) is in xenusb_proto.h. */

/**
 * struct xenusb_features - a set of feature values
 * @val: val[XENUSB_FEAT_*]: 0 is off; 1 is on for a boolean feature; a
 *	numeric feature's value (a count, an order) otherwise
 *
 * Used for what a side supports (its module parameters), what the
 * backend offered, and the negotiated set both cores act on.
 */
struct xenusb_features {
	u32 val[XENUSB_FEAT_NR];
};

/**
 * enum xenusb_feat_verdict - how one key of the peer was judged
 * @XENUSB_FEAT_ABSENT: no key (an old peer): off, nothing to report
 * @XENUSB_FEAT_OK: a valid value (possibly 0, off)
 * @XENUSB_FEAT_GARBAGE: not a canonical decimal number in range: off
 * @XENUSB_FEAT_UNOFFERED: the frontend uses a feature the backend did not
 *	offer: ignored, off
 * @XENUSB_FEAT_EXCEEDS: the frontend uses more than the backend offered:
 *	the connection is refused
 * @XENUSB_FEAT_LOCAL_OFF: the peer offers it, this side has it off
 */
enum xenusb_feat_verdict {
	XENUSB_FEAT_ABSENT,
	XENUSB_FEAT_OK,
	XENUSB_FEAT_GARBAGE,
	XENUSB_FEAT_UNOFFERED,
	XENUSB_FEAT_EXCEEDS,
	XENUSB_FEAT_LOCAL_OFF,
};

/**
 * xenusb_feat_key() - the xenstore key of a feature (same on both sides)
 * @f: the feature
 *
 * Return: the key, or NULL for a value that names no feature.
 */
static inline const char *xenusb_feat_key(enum xenusb_feat f)
{
	switch (f) {
	case XENUSB_FEAT_ZERO_PACKET:
		return "feature-zero-packet";
	case XENUSB_FEAT_PORT_RESET:
		return "feature-port-reset";
	case XENUSB_FEAT_MAX_INDIRECT:
		return "feature-max-indirect-segments";
	default:
		return NULL;
	}
}

/**
 * xenusb_feat_max() - largest value the protocol defines for a feature
 * @f: the feature
 *
 * Return: 1 for a boolean feature, the numeric limit otherwise, 0 for a
 * value that names no feature.
 */
static inline u32 xenusb_feat_max(enum xenusb_feat f)
{
	switch (f) {
	case XENUSB_FEAT_ZERO_PACKET:
	case XENUSB_FEAT_PORT_RESET:
		return 1;
	case XENUSB_FEAT_MAX_INDIRECT:
		return XENUSB_MAX_INDIRECT_SEGS;
	default:
		return 0;
	}
}

static inline bool xenusb_feat_on(const struct xenusb_features *set,
				  enum xenusb_feat f)
{
	return f < XENUSB_FEAT_NR && set->val[f] != 0;
}

/**
 * xenusb_feat_parse() - parse a feature value read from xenstore
 * @s: the value (NUL-terminated), as the peer wrote it
 * @max: largest value allowed
 * @val: set to the value on success, untouched otherwise
 *
 * Both sides write values with "%u": only a canonical decimal number
 * (no sign, space, leading zero or newline) in 0..@max is accepted.
 *
 * Return: 0, or -EINVAL.
 */
static inline int xenusb_feat_parse(const char *s, u32 max, u32 *val)
{
	u32 v = 0;

	if (!s || *s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (u32)(*s - '0');
		if (v > max)
			return -EINVAL;	/* also keeps v from overflowing */
	}
	*val = v;
	return 0;
}

/*
 * A deeper URB ring (Documentation/protocol.rst "Deeper ring"), blkif's
 * names and rules: the backend writes the largest order it maps under
 * XENUSB_KEY_MAX_RING_PAGE_ORDER; a frontend that uses more than one
 * page writes the order it chose under XENUSB_KEY_RING_PAGE_ORDER and
 * the grants of the 2^order pages under "urb-ring-ref0".."urb-ring-refN-1"
 * instead of "urb-ring-ref". The conn ring stays one page. Not part of
 * enum xenusb_feat: the two sides use different keys.
 */
#define XENUSB_KEY_MAX_RING_PAGE_ORDER	"max-ring-page-order"
#define XENUSB_KEY_RING_PAGE_ORDER	"ring-page-order"
#define XENUSB_KEY_URB_RING_REF		"urb-ring-ref"
/* Largest order either side supports: 8 pages, 128 requests in flight. */
#define XENUSB_MAX_RING_PAGE_ORDER	3u
#define XENUSB_MAX_RING_PAGES		8u	/* 2^XENUSB_MAX_RING_PAGE_ORDER */
/* Requests the URB ring of 2^@order pages holds (a power of two). */
#define XENUSB_URB_RING_SIZE_ORDER(order) \
	((unsigned int)__CONST_RING_SIZE(xenusb_urb, XENUSB_PAGE_SIZE << (order)))
#define XENUSB_MAX_URB_RING_SIZE \
	XENUSB_URB_RING_SIZE_ORDER(XENUSB_MAX_RING_PAGE_ORDER)

/**
 * xenusb_feat_verdict_str() - a short text for a verdict, for log lines
 * @v: the verdict
 */
static inline const char *xenusb_feat_verdict_str(enum xenusb_feat_verdict v)
{
	switch (v) {
	case XENUSB_FEAT_ABSENT:
		return "not offered";
	case XENUSB_FEAT_OK:
		return "ok";
	case XENUSB_FEAT_GARBAGE:
		return "invalid value, feature off";
	case XENUSB_FEAT_UNOFFERED:
		return "used but never offered, ignored";
	case XENUSB_FEAT_EXCEEDS:
		return "used beyond what was offered";
	default:
		return "switched off here";
	}
}

#endif /* XENUSB_FEATURES_H */
