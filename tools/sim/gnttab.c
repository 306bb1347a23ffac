// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated grant table. The frontend grants pages of its memory to the
 * backend, the backend maps them and reaches the data only through
 * sim_gnt_read()/sim_gnt_write(), so every access can be checked against
 * the grant's lifetime and access mode. Free grant references are reused
 * oldest first, as late as possible, so a stale reference keeps pointing
 * at an ended grant and a use after end or a double end stays visible.
 *
 * Violations are counted, never fatal: a scenario fails when it finds one
 * it did not provoke, and the self-tests provoke each kind on purpose.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const char *const sim_gv_names[SIM_GV_NR] = {
	[SIM_GV_USE_AFTER_END] = "use after end-of-access",
	[SIM_GV_USE_AFTER_UNMAP] = "use after unmap",
	[SIM_GV_WRITE_RO] = "write through a read-only grant",
	[SIM_GV_END_MAPPED] = "end of access while still mapped",
	[SIM_GV_DOUBLE_END] = "double end of access",
	[SIM_GV_BAD_END] = "end of a grant not given",
	[SIM_GV_BAD_UNMAP] = "unmap of a handle not mapped",
	[SIM_GV_OUT_OF_PAGE] = "access beyond the granted page",
	[SIM_GV_LEAK] = "grant alive at teardown",
};

/**
 * sim_gv_name() - human-readable name of a grant violation kind
 * @v: violation kind
 *
 * Return: a static string.
 */
const char *sim_gv_name(enum sim_gv v)
{
	return v < SIM_GV_NR ? sim_gv_names[v] : "?";
}

static void sim_gv(struct sim_gnttab *gt, enum sim_gv v, const char *fmt, ...)
{
	va_list ap;
	int n;

	gt->nviol[v]++;
	if (gt->violations++)
		return;
	n = snprintf(gt->first, sizeof(gt->first), "%s: ", sim_gv_names[v]);
	va_start(ap, fmt);
	vsnprintf(gt->first + n, sizeof(gt->first) - n, fmt, ap);
	va_end(ap);
}

/**
 * sim_gnt_init() - an empty grant table
 * @gt: table
 *
 * Reference 0 is never handed out (Xen reserves the first entries).
 */
SIM_NO_COVERAGE void sim_gnt_init(struct sim_gnttab *gt)
{
	u32 i;

	memset(gt, 0, sizeof(*gt));
	for (i = 1; i < SIM_GNT_NR; i++)
		gt->fifo[gt->fcount++] = i;
	gt->next_serial = 1;
}

/**
 * sim_gnt_grant() - give @grantee access to one page of @owner's memory
 * @gt: table
 * @owner: granting domain
 * @grantee: domain allowed to map the page
 * @page: the 4 KiB page
 * @readonly: the grantee may only read
 *
 * Return: the grant reference, or -ENOSPC when the table is full.
 */
int sim_gnt_grant(struct sim_gnttab *gt, u16 owner, u16 grantee, void *page,
		  bool readonly)
{
	struct sim_gnt *g;
	u32 ref;

	if (!gt->fcount)
		return -ENOSPC;
	ref = gt->fifo[gt->fhead];
	gt->fhead = (gt->fhead + 1) % SIM_GNT_NR;
	gt->fcount--;
	g = &gt->e[ref];
	g->page = page;
	g->serial = gt->next_serial++;
	g->owner = owner;
	g->grantee = grantee;
	g->readonly = readonly;
	g->map_count = 0;
	gt->grants++;
	if (++gt->alive > gt->peak_alive)
		gt->peak_alive = gt->alive;
	return ref;
}

/**
 * sim_gnt_end() - the owner revokes a grant
 * @gt: table
 * @owner: domain ending the grant
 * @gref: reference
 *
 * Like gnttab_end_foreign_access_ref(), this fails while the grantee
 * still maps the page; the owner must not reuse it then. Here that is a
 * violation too: our backend unmaps before it responds, so the frontend
 * never finds a grant still mapped.
 *
 * Return: 0, -EBUSY if still mapped, -EINVAL if not a live grant of @owner.
 */
int sim_gnt_end(struct sim_gnttab *gt, u16 owner, u32 gref)
{
	struct sim_gnt *g;

	if (gref == 0 || gref >= SIM_GNT_NR) {
		sim_gv(gt, SIM_GV_BAD_END, "gref %u out of range", gref);
		return -EINVAL;
	}
	g = &gt->e[gref];
	if (!g->serial) {
		if (g->last_serial)
			sim_gv(gt, SIM_GV_DOUBLE_END, "gref %u", gref);
		else
			sim_gv(gt, SIM_GV_BAD_END, "gref %u never granted",
			       gref);
		return -EINVAL;
	}
	if (g->owner != owner) {
		sim_gv(gt, SIM_GV_BAD_END, "gref %u owned by dom%u, not dom%u",
		       gref, g->owner, owner);
		return -EINVAL;
	}
	if (g->map_count) {
		sim_gv(gt, SIM_GV_END_MAPPED, "gref %u mapped %u time(s)",
		       gref, g->map_count);
		return -EBUSY;
	}
	g->last_serial = g->serial;
	g->serial = 0;
	g->page = NULL;
	gt->alive--;
	gt->fifo[(gt->fhead + gt->fcount) % SIM_GNT_NR] = gref;
	gt->fcount++;
	return 0;
}

/**
 * sim_gnt_map() - the grantee maps a granted page
 * @gt: table
 * @dom: mapping domain
 * @gref: reference, as read from the peer (untrusted)
 * @rw: map writable
 * @m: handle to fill
 *
 * Failures are what Xen returns for a bad reference from the peer, not
 * violations: the backend must answer them with an error.
 *
 * Return: 0, -ENOENT for no such grant to @dom, -EPERM for a writable
 * map of a read-only grant.
 */
int sim_gnt_map(struct sim_gnttab *gt, u16 dom, u32 gref, bool rw,
		struct sim_gnt_map *m)
{
	struct sim_gnt *g;

	memset(m, 0, sizeof(*m));
	if (gref == 0 || gref >= SIM_GNT_NR)
		return -ENOENT;
	g = &gt->e[gref];
	if (!g->serial || g->grantee != dom)
		return -ENOENT;
	if (rw && g->readonly)
		return -EPERM;
	g->map_count++;
	gt->maps++;
	gt->maps_alive++;
	m->gref = gref;
	m->serial = g->serial;
	m->dom = dom;
	m->rw = rw;
	m->mapped = true;
	return 0;
}

/**
 * sim_gnt_unmap() - the grantee drops a mapping
 * @gt: table
 * @m: handle from sim_gnt_map()
 *
 * Return: 0, or -EINVAL for a handle that is not mapped (a violation).
 */
int sim_gnt_unmap(struct sim_gnttab *gt, struct sim_gnt_map *m)
{
	struct sim_gnt *g;

	if (!m->mapped || m->gref == 0 || m->gref >= SIM_GNT_NR) {
		sim_gv(gt, SIM_GV_BAD_UNMAP, "gref %u", m->gref);
		return -EINVAL;
	}
	g = &gt->e[m->gref];
	/* A mapping pins the grant: the owner cannot end it under us. */
	if (g->serial != m->serial || !g->map_count) {
		sim_gv(gt, SIM_GV_BAD_UNMAP, "gref %u lifetime changed",
		       m->gref);
		m->mapped = false;
		return -EINVAL;
	}
	g->map_count--;
	gt->maps_alive--;
	m->mapped = false;
	return 0;
}

/* Shared checks of an access; the page to use, or NULL on a violation. */
static u8 *sim_gnt_access(struct sim_gnttab *gt, const struct sim_gnt_map *m,
			  u32 off, u32 len, bool write)
{
	struct sim_gnt *g;

	if (m->gref == 0 || m->gref >= SIM_GNT_NR) {
		sim_gv(gt, SIM_GV_USE_AFTER_UNMAP, "bad handle gref %u",
		       m->gref);
		return NULL;
	}
	g = &gt->e[m->gref];
	if (g->serial != m->serial) {
		sim_gv(gt, SIM_GV_USE_AFTER_END, "gref %u (%s)", m->gref,
		       write ? "write" : "read");
		return NULL;
	}
	if (!m->mapped) {
		sim_gv(gt, SIM_GV_USE_AFTER_UNMAP, "gref %u (%s)", m->gref,
		       write ? "write" : "read");
		return NULL;
	}
	if (write && (!m->rw || g->readonly)) {
		sim_gv(gt, SIM_GV_WRITE_RO, "gref %u", m->gref);
		return NULL;
	}
	if (off > SIM_PAGE || len > SIM_PAGE - off) {
		sim_gv(gt, SIM_GV_OUT_OF_PAGE, "gref %u off %u len %u",
		       m->gref, off, len);
		return NULL;
	}
	return g->page;
}

/**
 * sim_gnt_read() - read through a mapping
 * @gt: table
 * @m: mapping
 * @off: offset in the page
 * @dst: destination
 * @len: bytes
 *
 * Return: 0, or -EFAULT after recording a violation.
 */
int sim_gnt_read(struct sim_gnttab *gt, const struct sim_gnt_map *m,
		 u32 off, void *dst, u32 len)
{
	u8 *page = sim_gnt_access(gt, m, off, len, false);

	if (!page)
		return -EFAULT;
	memcpy(dst, page + off, len);
	return 0;
}

/**
 * sim_gnt_write() - write through a mapping
 * @gt: table
 * @m: mapping
 * @off: offset in the page
 * @src: source
 * @len: bytes
 *
 * Return: 0, or -EFAULT after recording a violation.
 */
int sim_gnt_write(struct sim_gnttab *gt, const struct sim_gnt_map *m,
		  u32 off, const void *src, u32 len)
{
	u8 *page = sim_gnt_access(gt, m, off, len, true);

	if (!page)
		return -EFAULT;
	memcpy(page + off, src, len);
	return 0;
}

/**
 * sim_gnt_ring_page() - direct pointer to a mapped shared ring page
 * @gt: table
 * @m: writable mapping of the ring's grant
 *
 * The ring macros need a plain pointer; only ring pages are used this way.
 *
 * Return: the page, or NULL (and a violation) if @m is not usable.
 */
void *sim_gnt_ring_page(struct sim_gnttab *gt, const struct sim_gnt_map *m)
{
	return sim_gnt_access(gt, m, 0, SIM_PAGE, true);
}

/**
 * sim_gnt_teardown() - report every grant and mapping still alive
 * @gt: table
 *
 * Called after both domains have shut down: each live grant is a leak.
 * The leaked entries are then reclaimed so a second call reports nothing.
 *
 * Return: the number of leaks found.
 */
SIM_NO_COVERAGE u32 sim_gnt_teardown(struct sim_gnttab *gt)
{
	u32 i, leaks = 0;

	for (i = 1; i < SIM_GNT_NR; i++) {
		struct sim_gnt *g = &gt->e[i];

		if (!g->serial)
			continue;
		sim_gv(gt, SIM_GV_LEAK, "gref %u of dom%u, %u mapping(s)",
		       i, g->owner, g->map_count);
		leaks++;
		gt->maps_alive -= g->map_count;
		g->map_count = 0;
		g->last_serial = g->serial;
		g->serial = 0;
		g->page = NULL;
		gt->alive--;
		gt->fifo[(gt->fhead + gt->fcount) % SIM_GNT_NR] = i;
		gt->fcount++;
	}
	return leaks;
}
