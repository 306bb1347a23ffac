// SPDX-License-Identifier: GPL-2.0
/*
 * usbfs-op: the two usbfs requests the "features" e2e scenario makes in a
 * guest that has no other tool for them (busybox only).
 *
 *   usbfs-op reset NODE   USBDEVFS_RESET: usb_reset_device() in the
 *                         guest, which resets the device's root-hub port
 *   usbfs-op zlp NODE     one bulk OUT URB of four max-size packets, with
 *                         USBDEVFS_URB_ZERO_PACKET, to the first bulk OUT
 *                         endpoint of interface 0 (taken from its driver
 *                         and given back afterwards); prints
 *                         "ep E maxp M len L status S actual A"
 *
 * NODE is /dev/bus/usb/BBB/DDD. Exit status 0 when the request succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>

/* First bulk OUT endpoint of interface 0, altsetting 0, from usbfs's descriptors. */
static int bulk_out(int fd, unsigned int *ep, unsigned int *maxp)
{
	unsigned char d[4096];
	ssize_t n = read(fd, d, sizeof(d));
	ssize_t i;
	int in_if0 = 0;

	for (i = 0; n > 0 && i + 1 < n && d[i] >= 2; i += d[i]) {
		if (d[i + 1] == 4 && i + 3 < n)		/* interface */
			in_if0 = d[i + 2] == 0 && d[i + 3] == 0;
		else if (d[i + 1] == 5 && in_if0 && i + 5 < n &&	/* endpoint */
			 !(d[i + 2] & 0x80) && (d[i + 3] & 3) == 2) {
			*ep = d[i + 2];
			*maxp = (d[i + 4] | d[i + 5] << 8) & 0x7ff;
			return 0;
		}
	}
	return -1;
}

static int zlp(int fd)
{
	struct usbdevfs_ioctl cmd = { .ifno = 0, .ioctl_code = USBDEVFS_DISCONNECT };
	struct usbdevfs_urb urb, *done = NULL;
	unsigned int ifno = 0, ep, maxp, len;
	int ret = 1;
	char *buf;

	if (bulk_out(fd, &ep, &maxp) || !maxp) {
		fprintf(stderr, "no bulk OUT endpoint on interface 0\n");
		return 1;
	}
	len = 4 * maxp;
	buf = calloc(1, len);
	if (!buf)
		return 1;
	/* No driver bound is fine (ENODATA). */
	ioctl(fd, USBDEVFS_IOCTL, &cmd);
	if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &ifno)) {
		perror("USBDEVFS_CLAIMINTERFACE");
		goto out;
	}
	memset(&urb, 0, sizeof(urb));
	urb.type = USBDEVFS_URB_TYPE_BULK;
	urb.endpoint = ep;
	urb.flags = USBDEVFS_URB_ZERO_PACKET;
	urb.buffer = buf;
	urb.buffer_length = len;
	if (ioctl(fd, USBDEVFS_SUBMITURB, &urb)) {
		perror("USBDEVFS_SUBMITURB");
	} else if (ioctl(fd, USBDEVFS_REAPURB, &done) || !done) {
		perror("USBDEVFS_REAPURB");
	} else {
		printf("ep 0x%02x maxp %u len %u status %d actual %d\n", ep,
		       maxp, len, done->status, done->actual_length);
		ret = done->status || (unsigned int)done->actual_length != len;
	}
	ioctl(fd, USBDEVFS_RELEASEINTERFACE, &ifno);
out:
	cmd.ioctl_code = USBDEVFS_CONNECT;
	ioctl(fd, USBDEVFS_IOCTL, &cmd);
	free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	int fd, ret;

	if (argc != 3 || (strcmp(argv[1], "reset") && strcmp(argv[1], "zlp"))) {
		fprintf(stderr, "usage: usbfs-op reset|zlp /dev/bus/usb/BBB/DDD\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "reset")) {
		ret = ioctl(fd, USBDEVFS_RESET, 0);
		if (ret)
			perror("USBDEVFS_RESET");
		else
			printf("reset done\n");
		ret = !!ret;
	} else {
		ret = zlp(fd);
	}
	close(fd);
	return ret;
}
