// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated interdomain event channel with lateeoi discipline on both
 * ends: an event is delivered once, further notifications only set it
 * pending again, and nothing more is delivered to an end until it
 * signals EOI. An EOI says whether the event found work; the ones that
 * did not are counted as spurious (what xen_irq_lateeoi(XEN_EOI_FLAG_
 * SPURIOUS) feeds into the kernel's event storm throttling).
 */

#include <stdio.h>
#include <string.h>

#include "sim.h"

/**
 * sim_evtchn_init() - a bound channel with nothing pending
 * @ch: channel
 */
void sim_evtchn_init(struct sim_evtchn *ch)
{
	memset(ch, 0, sizeof(*ch));
}

/**
 * sim_evtchn_notify() - notify_remote_via_irq() from one end
 * @ch: channel
 * @from: SIM_SIDE_FRONT or SIM_SIDE_BACK
 */
void sim_evtchn_notify(struct sim_evtchn *ch, int from)
{
	ch->end[from].sent++;
	ch->end[!from].pending = true;
}

/**
 * sim_evtchn_deliver() - take a pending event into the handler of @to
 * @ch: channel
 * @to: receiving end
 *
 * Return: true if the handler must run now (and later call EOI).
 */
bool sim_evtchn_deliver(struct sim_evtchn *ch, int to)
{
	struct sim_evtchn_end *e = &ch->end[to];

	if (!e->pending || e->in_handler)
		return false;
	e->pending = false;
	e->in_handler = true;
	e->delivered++;
	return true;
}

/**
 * sim_evtchn_eoi() - xen_irq_lateeoi() from the handler of @to
 * @ch: channel
 * @to: end whose handler finished
 * @spurious: the event found no work
 *
 * An EOI with no event delivered is a discipline violation.
 */
void sim_evtchn_eoi(struct sim_evtchn *ch, int to, bool spurious)
{
	struct sim_evtchn_end *e = &ch->end[to];

	if (!e->in_handler) {
		if (!ch->violations++)
			snprintf(ch->first, sizeof(ch->first),
				 "EOI on the %s end with no event delivered",
				 to == SIM_SIDE_BACK ? "back" : "front");
		return;
	}
	e->in_handler = false;
	if (spurious)
		e->spurious++;
}
