// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront transfer splitting: an URB buffer becomes a list of pieces
 * that each sit inside one 4 KiB Xen page (one grant each), and those
 * pieces are packed into as few base-protocol requests as the segment
 * limit and the u16 buffer_length allow. xen-hcd sends one request per
 * URB and refuses what does not fit; packing many pages per request and
 * splitting large bulk URBs is where the frontend wins its round trips.
 */

#include <linux/types.h>

#include "core.h"

/**
 * usbfront_frags_linear() - cut a virtually contiguous buffer into pages
 * @start: the buffer's address, or any value with the same low 12 bits
 *	(only the offset in its first 4 KiB page matters)
 * @len: buffer length in bytes
 * @out: receives one fragment per 4 KiB page touched
 * @max: entries @out holds
 *
 * The first fragment starts at @start's page offset, every later one at
 * offset 0; only the first and the last can be partial pages.
 *
 * Return: the number of fragments written, or 0 if @len is 0 or more
 * than @max fragments would be needed (@out is then untouched).
 */
u32 usbfront_frags_linear(u32 start, u32 len, struct usbfront_frag *out,
			  u32 max)
{
	u32 off = start % XENUSB_PAGE_SIZE;
	u32 n = xenusb_pages_spanned(off, len);
	u32 i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		u32 room = XENUSB_PAGE_SIZE - off;
		u32 piece = len < room ? len : room;

		out[i].offset = off;
		out[i].len = piece;
		len -= piece;
		off = 0;
	}
	return n;
}

/**
 * usbfront_split_next() - bytes the next request of a transfer carries
 * @frags: the transfer's buffer as page fragments, in order
 * @nfrags: entries in @frags
 * @pos: bytes already carried by earlier requests
 * @maxp: the endpoint's max packet size; 0 forbids splitting (control)
 * @max_segs: segments one request may use (XENUSB_MAX_SEGMENTS_PER_REQUEST,
 *	less the iso descriptor pages)
 * @max_bytes: bytes one request may carry (65535 in the base protocol:
 *	buffer_length is u16 and this frontend never sends the 0 = 65536
 *	wrap some backends would have to guess)
 *
 * A request starts at @pos, which may fall inside a fragment, and takes
 * whole fragments while @max_segs and @max_bytes allow (the last one may
 * be cut at @max_bytes). If that is the whole rest of the transfer, it
 * is the answer. Otherwise the request must end on a max-packet boundary,
 * since a packet shorter than @maxp ends a bulk transfer on the bus:
 * only the URB's last request may end short, and the device never sees
 * where one request stops and the next starts.
 *
 * Return: the byte count, 0 < count <= the remainder; 0 when nothing
 * remains, or when the remainder cannot be split in whole packets (a
 * single packet does not fit the limits, or @maxp is 0 and the rest does
 * not fit one request), which the caller turns into an error for the
 * URB rather than a transfer the device would see differently.
 */
u32 usbfront_split_next(const struct usbfront_frag *frags, u32 nfrags,
			u32 pos, u32 maxp, u32 max_segs, u32 max_bytes)
{
	u32 i = 0, skip = pos, total = 0, rest = 0, segs = 0, take;

	/* Find the fragment holding @pos and the bytes left after it. */
	while (i < nfrags && skip >= frags[i].len) {
		skip -= frags[i].len;
		i++;
	}
	for (; i < nfrags; i++) {
		u32 avail = frags[i].len - skip;

		skip = 0;
		if (!avail)
			continue;	/* empty fragments use no segment */
		rest += avail;
		if (segs < max_segs && total < max_bytes) {
			segs++;
			total += avail;
		}
	}
	if (rest == 0)
		return 0;

	take = total < max_bytes ? total : max_bytes;
	if (take == rest)
		return take;
	if (maxp == 0)
		return 0;
	return take - take % maxp;
}

/**
 * usbfront_split_segs() - segments a request of a transfer needs
 * @frags: the transfer's buffer as page fragments, in order
 * @nfrags: entries in @frags
 * @pos: where the request starts in the transfer
 * @len: bytes it carries (from usbfront_split_next())
 *
 * Return: the number of non-empty fragments bytes @pos..@pos+@len touch.
 */
u32 usbfront_split_segs(const struct usbfront_frag *frags, u32 nfrags,
			u32 pos, u32 len)
{
	u32 i = 0, skip = pos, n = 0;

	while (i < nfrags && skip >= frags[i].len) {
		skip -= frags[i].len;
		i++;
	}
	for (; len && i < nfrags; i++, skip = 0) {
		u32 avail = frags[i].len - skip;

		if (!avail)
			continue;
		n++;
		len -= avail < len ? avail : len;
	}
	return n;
}

/**
 * usbfront_xfer_next() - what a transfer does after one of its responses
 * @p: the transfer's progress; @p->done grows by the bytes moved
 * @rsp: the checked response (usbfront_rsp_check()) of its request
 * @status: receives the giveback status when the transfer is done
 *
 * A split transfer goes on with its next request only after a full
 * piece: no error, not cancelled, every byte of the piece moved and
 * bytes (or the zero-length packet) left. Anything else ends it; a
 * short IN transfer with @p->short_not_ok ends with -EREMOTEIO, also
 * when the short piece was not the first.
 *
 * Return: USBFRONT_XFER_SEND or USBFRONT_XFER_DONE.
 */
int usbfront_xfer_next(struct usbfront_progress *p,
		       const struct usbfront_rsp *rsp, int *status)
{
	u32 moved = rsp->actual_length;

	/* rsp_check() keeps moved <= cur_len; never let done pass total. */
	if (moved > p->total - p->done)
		moved = p->total - p->done;
	p->done += moved;
	*status = rsp->status;
	if (!rsp->status && !p->dequeued && moved == p->cur_len &&
	    (p->done < p->total || p->zlp))
		return USBFRONT_XFER_SEND;
	if (!*status && p->in && p->short_not_ok && p->done < p->total)
		*status = -EREMOTEIO;
	return USBFRONT_XFER_DONE;
}

/**
 * usbfront_xfer_hold() - must the transfer hold its endpoint
 * @p: the transfer's progress before the request of @len bytes is sent
 * @len: bytes of the request being sent
 * @control: a control transfer
 *
 * While more requests of a transfer follow, no later transfer of the
 * same endpoint may overtake it. Control endpoints are held for every
 * transfer: a real controller runs ep0's queue one transfer at a time,
 * and QEMU's qusb loses answers when several control requests of one
 * device are queued and one of them stalls.
 *
 * Return: true if the endpoint must be held until the giveback.
 */
bool usbfront_xfer_hold(const struct usbfront_progress *p, u32 len,
			bool control)
{
	return p->done + len < p->total || p->zlp || control;
}
