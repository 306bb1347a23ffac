// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: usbfront/rh_port.c, the root hub as the hub driver sees it.
 * The sequences follow what drivers/usb/core/hub.c sends: power every
 * port, read the status on a connect change, clear C_CONNECTION, reset,
 * poll GetPortStatus until the reset is over, clear C_RESET.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "rh_port.c"

#define T0	1000UL	/* an arbitrary clock origin, in ms */

/* GetPortStatus as two host-order words; fails the test on a stall. */
static void port_status(struct kunit *test, struct usbfront_rh *rh, u16 port,
			unsigned long now, u16 *status, u16 *change)
{
	u8 buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	KUNIT_ASSERT_EQ(test,
			usbfront_rh_control(rh, USBFRONT_RH_GET_PORT_STATUS,
					    HUB_PORT_STATUS, port, buf,
					    sizeof(buf), now), 0);
	*status = buf[0] | buf[1] << 8;
	*change = buf[2] | buf[3] << 8;
}

static int set_port(struct usbfront_rh *rh, u16 port, u16 feature,
		    unsigned long now)
{
	return usbfront_rh_control(rh, USBFRONT_RH_SET_PORT_FEATURE, feature,
				   port, NULL, 0, now);
}

static int clear_port(struct usbfront_rh *rh, u16 port, u16 feature)
{
	return usbfront_rh_control(rh, USBFRONT_RH_CLEAR_PORT_FEATURE, feature,
				   port, NULL, 0, T0);
}

/* A hub with every port powered, as hub_activate() leaves it. */
static void powered_hub(struct kunit *test, struct usbfront_rh *rh,
			u8 nports, u8 usb_ver)
{
	u16 i;

	KUNIT_ASSERT_EQ(test, usbfront_rh_init(rh, nports, usb_ver), 0);
	for (i = 1; i <= nports; i++)
		KUNIT_ASSERT_EQ(test, set_port(rh, i, USB_PORT_FEAT_POWER, T0),
				0);
}

static void usbfront_rh_init_bounds(struct kunit *test)
{
	static struct usbfront_rh rh;

	KUNIT_EXPECT_EQ(test, usbfront_rh_init(&rh, 0, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_rh_init(&rh, 32, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_rh_init(&rh, 8, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, usbfront_rh_init(&rh, 8, 3), -EINVAL);
	/* A rejected hub has no ports to address. */
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_POWER, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, usbfront_rh_init(&rh, 31, 1), 0);
	KUNIT_EXPECT_EQ(test, usbfront_rh_init(&rh, 1, 2), 0);
}

static void check_desc(struct kunit *test, u8 nports, u8 bitmap_bytes)
{
	static struct usbfront_rh rh;
	u8 buf[64];
	u8 i, len = 7 + 2 * bitmap_bytes;

	memset(buf, 0xaa, sizeof(buf));
	KUNIT_ASSERT_EQ(test, usbfront_rh_init(&rh, nports, 2), 0);
	KUNIT_ASSERT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_HUB_DESCRIPTOR,
					    USB_DT_HUB << 8, 0, buf,
					    sizeof(buf), T0), 0);
	KUNIT_EXPECT_EQ(test, buf[0], len);		/* bDescLength */
	KUNIT_EXPECT_EQ(test, buf[1], 0x29);		/* bDescriptorType */
	KUNIT_EXPECT_EQ(test, buf[2], nports);		/* bNbrPorts */
	/* per-port power switching, no over-current protection */
	KUNIT_EXPECT_EQ(test, buf[3], 0x11);
	KUNIT_EXPECT_EQ(test, buf[4], 0x00);
	KUNIT_EXPECT_GT(test, buf[5], 0);		/* bPwrOn2PwrGood */
	KUNIT_EXPECT_EQ(test, buf[6], 0);		/* bHubContrCurrent */
	for (i = 0; i < bitmap_bytes; i++) {
		KUNIT_EXPECT_EQ(test, buf[7 + i], 0x00);	/* removable */
		KUNIT_EXPECT_EQ(test, buf[7 + bitmap_bytes + i], 0xff);
	}
	/* Nothing written past the descriptor. */
	KUNIT_EXPECT_EQ(test, buf[len], 0xaa);
}

static void usbfront_rh_hub_descriptor(struct kunit *test)
{
	check_desc(test, 1, 1);
	check_desc(test, 7, 1);
	check_desc(test, 8, 2);
	check_desc(test, 15, 2);
	check_desc(test, 16, 3);
	check_desc(test, 31, 4);
}

/* A short wLength gets the head of the descriptor, as on the bus. */
static void usbfront_rh_hub_descriptor_short(struct kunit *test)
{
	static struct usbfront_rh rh;
	u8 buf[8] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };

	KUNIT_ASSERT_EQ(test, usbfront_rh_init(&rh, 4, 2), 0);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_HUB_DESCRIPTOR,
					    USB_DT_HUB << 8, 0, buf, 2, T0), 0);
	KUNIT_EXPECT_EQ(test, buf[0], 9);
	KUNIT_EXPECT_EQ(test, buf[1], 0x29);
	KUNIT_EXPECT_EQ(test, buf[2], 0xaa);
	/* A SuperSpeed hub descriptor is not ours to give. */
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_HUB_DESCRIPTOR,
					    0x2a00, 0, buf, sizeof(buf), T0),
			-EPIPE);
}

static void usbfront_rh_hub_status_features(struct kunit *test)
{
	static struct usbfront_rh rh;
	u8 buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	KUNIT_ASSERT_EQ(test, usbfront_rh_init(&rh, 2, 2), 0);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_HUB_STATUS, 0,
					    0, buf, sizeof(buf), T0), 0);
	KUNIT_EXPECT_EQ(test, buf[0] | buf[1] | buf[2] | buf[3], 0);

	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_CLEAR_HUB_FEATURE,
					    C_HUB_LOCAL_POWER, 0, NULL, 0, T0),
			0);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_CLEAR_HUB_FEATURE,
					    C_HUB_OVER_CURRENT, 0, NULL, 0, T0),
			0);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_SET_HUB_FEATURE,
					    C_HUB_OVER_CURRENT, 0, NULL, 0, T0),
			0);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_SET_HUB_FEATURE,
					    2, 0, NULL, 0, T0), -EPIPE);
}

/* The main sequence: connect, debounce read, reset, enabled at HS. */
static void usbfront_rh_connect_reset_high(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 8, 2);
	port_status(test, &rh, 3, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);
	KUNIT_EXPECT_EQ(test, ch, 0);

	usbfront_rh_connect(&rh, 3, XENUSB_SPEED_HIGH);
	port_status(test, &rh, 3, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER | USB_PORT_STAT_CONNECTION);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 3, USB_PORT_FEAT_C_CONNECTION), 0);

	KUNIT_EXPECT_EQ(test, set_port(&rh, 3, USB_PORT_FEAT_RESET, T0 + 100), 0);
	port_status(test, &rh, 3, T0 + 100, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_RESET);
	KUNIT_EXPECT_EQ(test, ch, 0);
	port_status(test, &rh, 3, T0 + 109, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_ENABLE);

	port_status(test, &rh, 3, T0 + 110, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_ENABLE |
			USB_PORT_STAT_HIGH_SPEED);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_RESET);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 3, USB_PORT_FEAT_C_RESET), 0);
	port_status(test, &rh, 3, T0 + 111, &st, &ch);
	KUNIT_EXPECT_EQ(test, ch, 0);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);

	/* Other ports saw nothing. */
	port_status(test, &rh, 2, T0 + 111, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);
	KUNIT_EXPECT_EQ(test, ch, 0);
}

static void usbfront_rh_connect_low_full(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 2, 1);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_LOW);
	usbfront_rh_connect(&rh, 2, XENUSB_SPEED_FULL);
	port_status(test, &rh, 1, T0, &st, &ch);
	/* LOW_SPEED is reported as soon as the device is attached. */
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_LOW_SPEED);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, T0), 0);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 2, USB_PORT_FEAT_RESET, T0), 0);
	port_status(test, &rh, 1, T0 + USBFRONT_RH_RESET_MS, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_ENABLE |
			USB_PORT_STAT_LOW_SPEED);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION |
			USB_PORT_STAT_C_RESET);
	port_status(test, &rh, 2, T0 + USBFRONT_RH_RESET_MS, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_ENABLE);
}

/* The device leaves while the port resets: it must not come up enabled. */
static void usbfront_rh_disconnect_during_reset(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 4, 2);
	usbfront_rh_connect(&rh, 4, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 4, USB_PORT_FEAT_C_CONNECTION), 0);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 4, USB_PORT_FEAT_RESET, T0), 0);
	usbfront_rh_connect(&rh, 4, XENUSB_SPEED_NONE);

	port_status(test, &rh, 4, T0 + 10, &st, &ch);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_CONNECTION);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_HIGH_SPEED);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION |
			USB_PORT_STAT_C_RESET);
}

/* A connected, enabled device leaves: C_CONNECTION only, no C_ENABLE. */
static void usbfront_rh_disconnect_enabled(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 2, 2);
	usbfront_rh_connect(&rh, 2, XENUSB_SPEED_LOW);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 2, USB_PORT_FEAT_RESET, T0), 0);
	port_status(test, &rh, 2, T0 + 50, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 2, USB_PORT_FEAT_C_CONNECTION), 0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 2, USB_PORT_FEAT_C_RESET), 0);

	usbfront_rh_connect(&rh, 2, XENUSB_SPEED_NONE);
	port_status(test, &rh, 2, T0 + 60, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION);
}

/* Resetting an empty port completes without enabling anything. */
static void usbfront_rh_reset_empty(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 1, 2);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, T0), 0);
	port_status(test, &rh, 1, T0 + 10, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_RESET);
}

/* A device plugged before the hub driver powers the port. */
static void usbfront_rh_connect_unpowered(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	KUNIT_ASSERT_EQ(test, usbfront_rh_init(&rh, 2, 2), 0);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_FULL);
	port_status(test, &rh, 1, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, ch, 0);
	/* Nothing happens on an unpowered port. */
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, T0), 0);
	port_status(test, &rh, 1, T0 + 20, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, ch, 0);

	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_POWER, T0), 0);
	port_status(test, &rh, 1, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER | USB_PORT_STAT_CONNECTION);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION);
	/* Powering an empty port reports no change. */
	KUNIT_EXPECT_EQ(test, set_port(&rh, 2, USB_PORT_FEAT_POWER, T0), 0);
	port_status(test, &rh, 2, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);
	KUNIT_EXPECT_EQ(test, ch, 0);
}

/* Power off hides the device, power on shows it again. */
static void usbfront_rh_power_cycle(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 1, 2);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, T0), 0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_POWER), 0);
	port_status(test, &rh, 1, T0 + 50, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, ch, 0);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_POWER, T0 + 60),
			0);
	port_status(test, &rh, 1, T0 + 60, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER | USB_PORT_STAT_CONNECTION);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION);
}

static void usbfront_rh_suspend_resume(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;

	powered_hub(test, &rh, 2, 2);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_HIGH);
	/* Not enabled yet: suspend stalls, as on EHCI. */
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_SUSPEND, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, T0), 0);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_SUSPEND, T0 + 1),
			-EPIPE);
	port_status(test, &rh, 1, T0 + 10, &st, &ch);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_RESET), 0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_CONNECTION), 0);

	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_SUSPEND, T0 + 20),
			0);
	port_status(test, &rh, 1, T0 + 20, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_SUSPEND);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_EQ(test, ch, 0);

	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_SUSPEND), 0);
	port_status(test, &rh, 1, T0 + 40, &st, &ch);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_SUSPEND);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_SUSPEND);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_SUSPEND), 0);
	/* Resuming a port that is not suspended is a no-op. */
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_SUSPEND), 0);
	port_status(test, &rh, 1, T0 + 50, &st, &ch);
	KUNIT_EXPECT_EQ(test, ch, 0);

	/* Disabling drops the suspend and the high-speed bit. */
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_SUSPEND, T0 + 60),
			0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_ENABLE), 0);
	port_status(test, &rh, 1, T0 + 60, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER | USB_PORT_STAT_CONNECTION);
	KUNIT_EXPECT_EQ(test, ch, 0);
}

/* Hostile or buggy callers: ports and requests that do not exist. */
static void usbfront_rh_bad_requests(struct kunit *test)
{
	static struct usbfront_rh rh;
	u8 buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	powered_hub(test, &rh, 8, 2);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_PORT_STATUS,
					    0, 0, buf, 4, T0), -EPIPE);
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_PORT_STATUS,
					    0, 9, buf, 4, T0), -EPIPE);
	/* Port in the low byte, junk in the high byte: still no port. */
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_PORT_STATUS,
					    0, 0x0101, buf, 4, T0), -EPIPE);
	/* Extended port status is SuperSpeedPlus only. */
	KUNIT_EXPECT_EQ(test,
			usbfront_rh_control(&rh, USBFRONT_RH_GET_PORT_STATUS,
					    2, 1, buf, 4, T0), -EPIPE);
	KUNIT_EXPECT_EQ(test, buf[0], 0xaa);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 0, USB_PORT_FEAT_RESET, T0), -EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 9, USB_PORT_FEAT_POWER, T0), -EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 0xffff, USB_PORT_FEAT_POWER, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 0, USB_PORT_FEAT_C_CONNECTION),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 9, USB_PORT_FEAT_ENABLE), -EPIPE);
	/* Features this hub does not have. */
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_TEST, T0), -EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_INDICATOR, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_ENABLE, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_C_RESET, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, 0xffff, T0), -EPIPE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_L1), -EPIPE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_PORT_L1),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, 31), -EPIPE);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, 0xffff), -EPIPE);
	/* Requests no hub_control knows. */
	KUNIT_EXPECT_EQ(test, usbfront_rh_control(&rh, 0x0000, 0, 0, buf, 4, T0),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, usbfront_rh_control(&rh, 0xa30c, 0, 1, buf, 4, T0),
			-EPIPE);
}

/* Conn events the frontend should have refused change nothing here. */
static void usbfront_rh_connect_ignored(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;
	u8 bits[4];

	powered_hub(test, &rh, 2, 1);
	usbfront_rh_connect(&rh, 0, XENUSB_SPEED_FULL);
	usbfront_rh_connect(&rh, 3, XENUSB_SPEED_FULL);
	usbfront_rh_connect(&rh, 255, XENUSB_SPEED_FULL);
	usbfront_rh_connect(&rh, 1, 4);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_HIGH);	/* on USB 1.1 */
	usbfront_rh_connect(&rh, 2, XENUSB_SPEED_NONE);	/* already empty */
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 0);
	port_status(test, &rh, 1, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER);

	/* The backend replays the state on reconnect: no new change. */
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_FULL);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_CONNECTION), 0);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_FULL);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 0);

	/* A different device without an unplug in between is a change. */
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_LOW);
	port_status(test, &rh, 1, T0, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_LOW_SPEED);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_CONNECTION);
}

static void usbfront_rh_status_bitmap(struct kunit *test)
{
	static struct usbfront_rh rh;
	u8 bits[4];

	powered_hub(test, &rh, 31, 2);
	memset(bits, 0xaa, sizeof(bits));
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 0);
	KUNIT_EXPECT_EQ(test, bits[0] | bits[1] | bits[2] | bits[3], 0);

	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 4);
	KUNIT_EXPECT_EQ(test, bits[0], 0x02);
	KUNIT_EXPECT_EQ(test, bits[1] | bits[2] | bits[3], 0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_CONNECTION), 0);

	usbfront_rh_connect(&rh, 8, XENUSB_SPEED_FULL);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 4);
	KUNIT_EXPECT_EQ(test, bits[0], 0x00);
	KUNIT_EXPECT_EQ(test, bits[1], 0x01);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 8, USB_PORT_FEAT_C_CONNECTION), 0);

	usbfront_rh_connect(&rh, 31, XENUSB_SPEED_LOW);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 4);
	KUNIT_EXPECT_EQ(test, bits[0] | bits[1] | bits[2], 0);
	KUNIT_EXPECT_EQ(test, bits[3], 0x80);

	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_NONE);
	usbfront_rh_connect(&rh, 8, XENUSB_SPEED_NONE);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 4);
	KUNIT_EXPECT_EQ(test, bits[0], 0x02);
	KUNIT_EXPECT_EQ(test, bits[1], 0x01);
	KUNIT_EXPECT_EQ(test, bits[3], 0x80);

	KUNIT_EXPECT_EQ(test, clear_port(&rh, 1, USB_PORT_FEAT_C_CONNECTION), 0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 8, USB_PORT_FEAT_C_CONNECTION), 0);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 31, USB_PORT_FEAT_C_CONNECTION),
			0);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 0);
}

/* The bitmap is 1 + nports / 8 bytes: 7 ports fit one byte, 8 do not. */
static void usbfront_rh_status_bitmap_size(struct kunit *test)
{
	static struct usbfront_rh rh;
	u8 bits[4];

	powered_hub(test, &rh, 7, 2);
	usbfront_rh_connect(&rh, 7, XENUSB_SPEED_FULL);
	memset(bits, 0xaa, sizeof(bits));
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 1);
	KUNIT_EXPECT_EQ(test, bits[0], 0x80);
	KUNIT_EXPECT_EQ(test, bits[1], 0xaa);

	powered_hub(test, &rh, 8, 2);
	usbfront_rh_connect(&rh, 2, XENUSB_SPEED_FULL);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 2);
	KUNIT_EXPECT_EQ(test, bits[0], 0x04);
	KUNIT_EXPECT_EQ(test, bits[1], 0x00);
}

/* The timer path: rh_poll completes resets, status_data then sees them. */
static void usbfront_rh_poll_completes_reset(struct kunit *test)
{
	static struct usbfront_rh rh;
	u16 st, ch;
	u8 bits[2];

	powered_hub(test, &rh, 8, 2);
	usbfront_rh_connect(&rh, 5, XENUSB_SPEED_HIGH);
	KUNIT_EXPECT_EQ(test, clear_port(&rh, 5, USB_PORT_FEAT_C_CONNECTION), 0);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 5, USB_PORT_FEAT_RESET, T0), 0);
	usbfront_rh_poll(&rh, T0 + 9);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 0);
	usbfront_rh_poll(&rh, T0 + 10);
	KUNIT_EXPECT_EQ(test, usbfront_rh_status_data(&rh, bits), 2);
	KUNIT_EXPECT_EQ(test, bits[0], 0x20);
	/* Read back much later: the reset completed once, at poll time. */
	port_status(test, &rh, 5, T0 + 5000, &st, &ch);
	KUNIT_EXPECT_EQ(test, st, USB_PORT_STAT_POWER |
			USB_PORT_STAT_CONNECTION | USB_PORT_STAT_ENABLE |
			USB_PORT_STAT_HIGH_SPEED);
	KUNIT_EXPECT_EQ(test, ch, USB_PORT_STAT_C_RESET);
}

/* A reset that straddles the wrap of the millisecond clock. */
static void usbfront_rh_reset_clock_wrap(struct kunit *test)
{
	static struct usbfront_rh rh;
	unsigned long start = ULONG_MAX - 4;
	u16 st, ch;

	powered_hub(test, &rh, 1, 2);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_FULL);
	KUNIT_EXPECT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, start), 0);
	/* 4 ms in, before the wrap: a naive >= would already be done. */
	port_status(test, &rh, 1, start + 4, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_RESET);
	/* 9 ms in, after the wrap (now == 4). */
	usbfront_rh_poll(&rh, start + 9);
	port_status(test, &rh, 1, start + 9, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_RESET);
	port_status(test, &rh, 1, start + 10, &st, &ch);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_TRUE(test, ch & USB_PORT_STAT_C_RESET);
}

/* A device on port 1, enabled by a first (local) reset. */
static void enabled_device(struct kunit *test, struct usbfront_rh *rh)
{
	u16 st, ch;

	powered_hub(test, rh, 2, 2);
	usbfront_rh_connect(rh, 1, XENUSB_SPEED_HIGH);
	KUNIT_ASSERT_EQ(test, set_port(rh, 1, USB_PORT_FEAT_RESET, T0), 0);
	/* The first reset of a new device stays local. */
	KUNIT_EXPECT_FALSE(test, usbfront_rh_reset_remote(rh, 1));
	port_status(test, rh, 1, T0 + USBFRONT_RH_RESET_MS, &st, &ch);
	KUNIT_ASSERT_TRUE(test, st & USB_PORT_STAT_ENABLE);
	clear_port(rh, 1, USB_PORT_FEAT_C_RESET);
	clear_port(rh, 1, USB_PORT_FEAT_C_CONNECTION);
}

/* feature-port-reset: the reset lasts until the backend answers. */
static void usbfront_rh_reset_remote_ok(struct kunit *test)
{
	static struct usbfront_rh rh;
	unsigned long t = T0 + 100;
	u16 st, ch;

	enabled_device(test, &rh);
	KUNIT_ASSERT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, t), 0);
	KUNIT_EXPECT_TRUE(test, usbfront_rh_reset_remote(&rh, 1));
	/* A repeated reset sends nothing more: the answer is awaited. */
	KUNIT_ASSERT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, t), 0);
	KUNIT_EXPECT_FALSE(test, usbfront_rh_reset_remote(&rh, 1));
	/* Long past the local signalling time: still in reset. */
	port_status(test, &rh, 1, t + 500, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_FALSE(test, ch & USB_PORT_STAT_C_RESET);
	usbfront_rh_reset_answer(&rh, 1, true);
	port_status(test, &rh, 1, t + 501, &st, &ch);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_HIGH_SPEED);
	KUNIT_EXPECT_TRUE(test, ch & USB_PORT_STAT_C_RESET);
	/* A second answer, or one for another port, changes nothing. */
	usbfront_rh_reset_answer(&rh, 1, false);
	usbfront_rh_reset_answer(&rh, 2, false);
	usbfront_rh_reset_answer(&rh, 99, false);
	port_status(test, &rh, 1, t + 502, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
}

/* The backend could not reset the device: the port stays disabled. */
static void usbfront_rh_reset_remote_failed(struct kunit *test)
{
	static struct usbfront_rh rh;
	unsigned long t = T0 + 100;
	u16 st, ch;

	enabled_device(test, &rh);
	KUNIT_ASSERT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, t), 0);
	KUNIT_ASSERT_TRUE(test, usbfront_rh_reset_remote(&rh, 1));
	usbfront_rh_reset_answer(&rh, 1, false);
	port_status(test, &rh, 1, t + USBFRONT_RH_RESET_MS, &st, &ch);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_ENABLE);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_CONNECTION);
	KUNIT_EXPECT_TRUE(test, ch & USB_PORT_STAT_C_RESET);
	/* The next reset is a fresh one. */
	clear_port(&rh, 1, USB_PORT_FEAT_C_RESET);
	KUNIT_ASSERT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, t + 50),
			0);
	KUNIT_ASSERT_TRUE(test, usbfront_rh_reset_remote(&rh, 1));
	usbfront_rh_reset_answer(&rh, 1, true);
	port_status(test, &rh, 1, t + 60, &st, &ch);
	KUNIT_EXPECT_TRUE(test, st & USB_PORT_STAT_ENABLE);
}

/*
 * The device leaves (or the backend goes) while the answer is awaited:
 * the reset ends without enabling, and the next device starts local.
 */
static void usbfront_rh_reset_remote_unplug(struct kunit *test)
{
	static struct usbfront_rh rh;
	unsigned long t = T0 + 100;
	u16 st, ch;

	enabled_device(test, &rh);
	KUNIT_ASSERT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, t), 0);
	KUNIT_ASSERT_TRUE(test, usbfront_rh_reset_remote(&rh, 1));
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_NONE);
	port_status(test, &rh, 1, t + USBFRONT_RH_RESET_MS, &st, &ch);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_RESET);
	KUNIT_EXPECT_FALSE(test, st & USB_PORT_STAT_ENABLE);
	usbfront_rh_connect(&rh, 1, XENUSB_SPEED_FULL);
	KUNIT_ASSERT_EQ(test, set_port(&rh, 1, USB_PORT_FEAT_RESET, t + 20),
			0);
	KUNIT_EXPECT_FALSE(test, usbfront_rh_reset_remote(&rh, 1));
	/* Never for an empty port, a port not in reset, or no port. */
	KUNIT_EXPECT_FALSE(test, usbfront_rh_reset_remote(&rh, 2));
	KUNIT_EXPECT_FALSE(test, usbfront_rh_reset_remote(&rh, 0));
	KUNIT_EXPECT_FALSE(test, usbfront_rh_reset_remote(&rh, 3));
}

static struct kunit_case usbfront_rh_port_cases[] = {
	KUNIT_CASE(usbfront_rh_init_bounds),
	KUNIT_CASE(usbfront_rh_hub_descriptor),
	KUNIT_CASE(usbfront_rh_hub_descriptor_short),
	KUNIT_CASE(usbfront_rh_hub_status_features),
	KUNIT_CASE(usbfront_rh_connect_reset_high),
	KUNIT_CASE(usbfront_rh_connect_low_full),
	KUNIT_CASE(usbfront_rh_disconnect_during_reset),
	KUNIT_CASE(usbfront_rh_disconnect_enabled),
	KUNIT_CASE(usbfront_rh_reset_empty),
	KUNIT_CASE(usbfront_rh_connect_unpowered),
	KUNIT_CASE(usbfront_rh_power_cycle),
	KUNIT_CASE(usbfront_rh_suspend_resume),
	KUNIT_CASE(usbfront_rh_bad_requests),
	KUNIT_CASE(usbfront_rh_connect_ignored),
	KUNIT_CASE(usbfront_rh_status_bitmap),
	KUNIT_CASE(usbfront_rh_status_bitmap_size),
	KUNIT_CASE(usbfront_rh_poll_completes_reset),
	KUNIT_CASE(usbfront_rh_reset_clock_wrap),
	KUNIT_CASE(usbfront_rh_reset_remote_ok),
	KUNIT_CASE(usbfront_rh_reset_remote_failed),
	KUNIT_CASE(usbfront_rh_reset_remote_unplug),
	{}
};

static struct kunit_suite usbfront_rh_port_suite = {
	.name = "usbfront_rh_port",
	.test_cases = usbfront_rh_port_cases,
};

kunit_test_suite(usbfront_rh_port_suite);

MODULE_DESCRIPTION("KUnit tests for the usbfront root hub");
MODULE_LICENSE("GPL");
