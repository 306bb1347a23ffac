// SPDX-License-Identifier: GPL-2.0
/*
 * usbfront request ids: a stack of free ids plus an in-flight flag per
 * id. The flag is what turns an unknown or duplicate response from the
 * backend into an error instead of a lookup into stale shadow state.
 */

#include <linux/types.h>
#include <linux/errno.h>

#include "core.h"

/**
 * usbfront_ids_init() - make ids 0..@cap-1 free
 * @t: table to initialise
 * @cap: number of ids, 1..USBFRONT_MAX_IDS (the ring's slot count)
 *
 * Ids are handed out lowest first after init, which keeps traces easy
 * to read; nothing depends on the order.
 *
 * Return: 0, or -EINVAL if @cap is out of range (the table is then
 * left with no ids at all).
 */
int usbfront_ids_init(struct usbfront_id_table *t, u16 cap)
{
	u16 i;

	t->cap = 0;
	t->nfree = 0;
	for (i = 0; i < USBFRONT_MAX_IDS; i++)
		t->in_use[i] = false;
	if (cap == 0 || cap > USBFRONT_MAX_IDS)
		return -EINVAL;

	t->cap = cap;
	/* Top of the stack is the end of the array: push cap-1 first. */
	for (i = 0; i < cap; i++)
		t->free[i] = cap - 1 - i;
	t->nfree = cap;
	return 0;
}

/**
 * usbfront_id_alloc() - take a free id and mark it in flight
 * @t: id table
 *
 * Return: the id (0..cap-1), or -ENOSPC when every id is in flight (the
 * caller backs off until a response frees one).
 */
int usbfront_id_alloc(struct usbfront_id_table *t)
{
	u16 id;

	if (t->nfree == 0)
		return -ENOSPC;
	id = t->free[--t->nfree];
	t->in_use[id] = true;
	return id;
}

/**
 * usbfront_id_release() - return an id whose response has arrived
 * @t: id table
 * @id: id as read from a response (untrusted)
 *
 * Return: 0, or -EINVAL if @id is out of range or not in flight: the
 * backend answered a request twice or one that never existed, which the
 * caller treats as a protocol error. The table is unchanged then.
 */
int usbfront_id_release(struct usbfront_id_table *t, u16 id)
{
	if (id >= USBFRONT_MAX_IDS || !t->in_use[id])
		return -EINVAL;
	t->in_use[id] = false;
	/*
	 * nfree < cap here when @id < cap: @id is in use, so it is not on
	 * the stack. An id at or above a cap that shrank is retired.
	 */
	if (id < t->cap)
		t->free[t->nfree++] = id;
	return 0;
}

/**
 * usbfront_ids_resize() - make ids 0..@cap-1 the ones handed out
 * @t: table
 * @cap: new number of ids, 1..USBFRONT_MAX_IDS (the size of a newly
 *	attached ring)
 *
 * Ids in use stay in use, whatever @cap: one at or above a smaller @cap
 * is released (usbfront_id_release()) but never handed out again.
 *
 * Return: 0, or -EINVAL for a bad @cap (the table is unchanged).
 */
int usbfront_ids_resize(struct usbfront_id_table *t, u16 cap)
{
	u16 i;

	if (cap == 0 || cap > USBFRONT_MAX_IDS)
		return -EINVAL;
	t->cap = cap;
	t->nfree = 0;
	/* The lowest free id on top of the stack, as usbfront_ids_init(). */
	for (i = cap; i-- > 0;)
		if (!t->in_use[i])
			t->free[t->nfree++] = i;
	return 0;
}

/**
 * usbfront_id_in_use() - is a request with this id in flight
 * @t: id table
 * @id: id to test (may be out of range)
 *
 * Return: true only for an id below cap that has been allocated and not
 * released.
 */
bool usbfront_id_in_use(const struct usbfront_id_table *t, u16 id)
{
	return id < t->cap && t->in_use[id];
}
