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
