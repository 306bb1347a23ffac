// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: values the toolstack writes under backend/vusb/<domid>/<devid>.
 *
 * libxl writes num-ports and usb-ver with "%d" and port/N as the name of
 * the host device in sysfs ("%d-%s" of bus number and device path), so
 * only those canonical forms are accepted: no sign, no space, no leading
 * zero, no trailing newline. Anything else is a toolstack bug or someone
 * else writing there, and gets a clear error instead of a guess.
 */

#include "core.h"

/* Longest device path below a root hub: usb core's MAX_TOPO_LEVEL. */
#define USBBACK_BUSID_MAX_TIERS	6

/* Largest bus number accepted (usb core allocates 1..64 today). */
#define USBBACK_BUSID_MAX_BUS	999

/*
 * Read a canonical decimal number in 1..@max at *@s and advance *@s past
 * it. Stops at the first non-digit, which the caller then judges.
 */
static bool parse_dec(const char **s, unsigned int max, unsigned int *val)
{
	const char *p = *s;
	unsigned int v = 0;

	if (*p < '1' || *p > '9')
		return false;	/* empty, zero, or leading zero */
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > max)
			return false;	/* also keeps v from overflowing */
		p++;
	}
	*s = p;
	*val = v;
	return true;
}

/**
 * usbback_parse_num_ports() - parse the backend's num-ports value
 * @s: the value as read from xenstore (NUL-terminated)
 * @nports: set to the number of ports on success, untouched otherwise
 *
 * Return: 0, or -EINVAL unless @s is a decimal number 1..31 in canonical
 * form.
 */
int usbback_parse_num_ports(const char *s, u8 *nports)
{
	unsigned int v;

	if (!s || !parse_dec(&s, XENUSB_MAX_PORTNR, &v) || *s)
		return -EINVAL;
	*nports = (u8)v;
	return 0;
}

/**
 * usbback_parse_usb_ver() - parse the backend's usb-ver value
 * @s: the value as read from xenstore (NUL-terminated)
 * @usb_ver: set to 1 (USB 1.1) or 2 (USB 2.0) on success, else untouched
 *
 * Return: 0, or -EINVAL unless @s is exactly "1" or "2".
 */
int usbback_parse_usb_ver(const char *s, u8 *usb_ver)
{
	unsigned int v;

	if (!s || !parse_dec(&s, 2, &v) || *s)
		return -EINVAL;
	*usb_ver = (u8)v;
	return 0;
}

/**
 * usbback_busid_valid() - is a port/N value the name of a USB device
 * @busid: the value as read from xenstore (NUL-terminated)
 *
 * Accepts "<bus>-<port>[.<port>]..." as usb core names devices: bus
 * 1..999, one to six hub port numbers 1..31 (USB_MAXCHILDREN ports per
 * hub, MAX_TOPO_LEVEL tiers), all canonical decimal, nothing else, and
 * shorter than USBBACK_BUSID_LEN. Root hubs ("usb1") and interfaces
 * ("1-2:1.0") are not devices that can be passed through. The empty value
 * of a free port is not a busid either: callers test for it first.
 *
 * Return: true if @busid is well formed.
 */
bool usbback_busid_valid(const char *busid)
{
	const char *p = busid;
	unsigned int v, tiers = 0;

	if (!p || !parse_dec(&p, USBBACK_BUSID_MAX_BUS, &v) || *p != '-')
		return false;
	p++;
	for (;;) {
		if (!parse_dec(&p, XENUSB_MAX_PORTNR, &v))
			return false;
		if (++tiers > USBBACK_BUSID_MAX_TIERS)
			return false;
		if (*p != '.')
			break;
		p++;
	}
	return *p == '\0' && (size_t)(p - busid) < USBBACK_BUSID_LEN;
}

/**
 * usbback_parse_ring_order() - parse the frontend's ring-page-order
 * @s: the value as read from xenstore (NUL-terminated), NULL when the
 *	frontend wrote none (one page, an old frontend)
 * @max: the largest order this backend offered (max-ring-page-order),
 *	0 when it offered none
 * @order: set to the order on success, untouched otherwise
 *
 * The frontend writes the value with "%u": only a canonical decimal
 * number (no sign, space, leading zero or newline) is accepted. A key
 * the backend never offered is ignored (one page), like every extension
 * key of a feature not offered.
 *
 * Return: 0, or -EINVAL for garbage or an order above @max.
 */
int usbback_parse_ring_order(const char *s, unsigned int max,
			     unsigned int *order)
{
	u32 v;

	if (!s || !max) {
		*order = 0;
		return 0;
	}
	if (xenusb_feat_parse(s, XENUSB_MAX_RING_PAGE_ORDER, &v) || v > max)
		return -EINVAL;
	*order = v;
	return 0;
}

/* A canonical decimal grant reference, 0..U32_MAX. */
static int usbback_parse_gref(const char *s, u32 *gref)
{
	u64 v = 0;

	if (!s || *s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (u64)(*s - '0');
		if (v > 0xffffffffULL)
			return -EINVAL;
	}
	*gref = (u32)v;
	return 0;
}

/**
 * usbback_parse_ring_refs() - parse the grants of the urb ring's pages
 * @order: the accepted ring-page-order (usbback_parse_ring_order())
 * @refs: the 2^@order values as read from xenstore, NULL where a key is
 *	missing: for order 0 refs[0] is "urb-ring-ref", otherwise refs[i]
 *	is "urb-ring-ref<i>"
 * @grefs: set to the 2^@order grant references on success
 * @bad: set to the index of the first bad value on failure
 *
 * Return: 0; -ENOENT for a missing key, -EINVAL for a value that is not
 * a canonical decimal number, -EEXIST for a grant named twice (two ring
 * pages cannot be the same page).
 */
int usbback_parse_ring_refs(unsigned int order, const char *const refs[],
			    u32 grefs[], unsigned int *bad)
{
	unsigned int i, j, n = 1u << order;

	if (order > XENUSB_MAX_RING_PAGE_ORDER) {
		*bad = 0;
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		*bad = i;
		if (!refs[i])
			return -ENOENT;
		if (usbback_parse_gref(refs[i], &grefs[i]))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (grefs[j] == grefs[i])
				return -EEXIST;
	}
	return 0;
}
