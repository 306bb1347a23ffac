// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's scenarios: one table per theme, in the order main.c
 * runs them. Shared fixtures and helpers are in scenarios_lib.c.
 */

#include <stddef.h>

#include "scenarios.h"

const struct sim_scenario *const sim_scenario_themes[] = {
	sim_scenarios_checker,
	sim_scenarios_conn,
	sim_scenarios_xfer,
	sim_scenarios_flow,
	sim_scenarios_hostile,
	NULL,
};
