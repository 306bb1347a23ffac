// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's scenarios: one table per theme, in the order main.c
 * runs them. Shared fixtures and helpers are in scenarios_lib.c.
 */

#include <stddef.h>

#include "scenarios.h"
#include "scen_features.h"

/* The negotiated extensions (scen_features.c). */
static const struct sim_scenario sim_scenarios_features[] = {
	{ "features_negotiate", sim_features_negotiate },
	{ "features_zlp", sim_features_zlp },
	{ "features_port_reset", sim_features_port_reset },
	{ NULL, NULL },
};

const struct sim_scenario *const sim_scenario_themes[] = {
	sim_scenarios_checker,
	sim_scenarios_conn,
	sim_scenarios_xfer,
	sim_scenarios_flow,
	sim_scenarios_hostile,
	sim_scenarios_features,
	sim_scenarios_large,
	sim_scenarios_ring,
	NULL,
};
