// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the USB addresses the guest believes it has assigned.
 *
 * The host device keeps its host address; the guest's SET_ADDRESS is
 * answered by the backend and only recorded here, so that later requests
 * naming that address can be routed to the right root-hub port.
 *
 * Every wire request carries both the port and the device address, so a
 * route must agree on both: an address recorded for port 2 never reaches
 * the device of port 3, whatever the guest writes into the pipe.
 */

#include "core.h"

/**
 * usbback_addr_init() - start with no address assigned
 * @t: table to initialise
 */
void usbback_addr_init(struct usbback_addr_table *t)
{
	unsigned int i;

	for (i = 0; i <= XENUSB_MAX_DEVNUM; i++)
		t->port_of[i] = 0;
}

/**
 * usbback_addr_clear_port() - forget every address of a port
 * @t: address table
 * @port: root-hub port whose device was unplugged or reset
 *
 * A port number outside 1..XENUSB_MAX_PORTNR holds nothing, so the call
 * does nothing for it. The whole table is scanned rather than stopping at
 * the first hit, so that the invariant "one address per port" is restored
 * even if it were ever broken.
 */
void usbback_addr_clear_port(struct usbback_addr_table *t, u8 port)
{
	unsigned int i;

	if (port < 1 || port > XENUSB_MAX_PORTNR)
		return;
	for (i = 1; i <= XENUSB_MAX_DEVNUM; i++)
		if (t->port_of[i] == port)
			t->port_of[i] = 0;
}

/**
 * usbback_addr_set() - record the address the guest gave a port's device
 * @t: address table
 * @port: root-hub port, 1..XENUSB_MAX_PORTNR
 * @devnum: the new address (wValue of SET_ADDRESS), 0..XENUSB_MAX_DEVNUM
 *
 * A device has at most one address: its old one, if any, is dropped.
 * @devnum 0 returns the device to the default address, i.e. only drops it.
 * An address already held by another port is refused and the table is
 * left as it was: the guest's own bookkeeping never hands out an address
 * twice, and taking it away silently would reroute the other device's
 * traffic.
 *
 * Return: 0, -EINVAL for a bad @port or @devnum, -EBUSY if another port
 * holds @devnum.
 */
int usbback_addr_set(struct usbback_addr_table *t, u8 port, u8 devnum)
{
	if (port < 1 || port > XENUSB_MAX_PORTNR || devnum > XENUSB_MAX_DEVNUM)
		return -EINVAL;
	if (devnum && t->port_of[devnum] && t->port_of[devnum] != port)
		return -EBUSY;

	usbback_addr_clear_port(t, port);
	if (devnum)
		t->port_of[devnum] = port;
	return 0;
}

/**
 * usbback_addr_route() - the port a request for (@port, @devnum) goes to
 * @t: address table
 * @port: port field of the request's pipe, 1..XENUSB_MAX_PORTNR
 * @devnum: device field of the request's pipe, 0..XENUSB_MAX_DEVNUM
 *
 * Address 0 is the default address of a device that has not been given
 * one yet (enumeration, or after a reset): it is routed by port alone.
 * Any other address must have been assigned to a device on that very
 * port.
 *
 * Return: the port (1..XENUSB_MAX_PORTNR), -EINVAL for a bad @port or
 * @devnum, -ENODEV if no device on @port holds @devnum.
 */
int usbback_addr_route(const struct usbback_addr_table *t, u8 port,
		       u8 devnum)
{
	if (port < 1 || port > XENUSB_MAX_PORTNR || devnum > XENUSB_MAX_DEVNUM)
		return -EINVAL;
	if (!devnum)
		return port;
	if (t->port_of[devnum] != port)
		return -ENODEV;
	return port;
}
