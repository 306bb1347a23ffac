/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's scenarios, one table per theme (scenarios_<theme>.c),
 * listed in scenarios.c and run by main.c.
 */
#ifndef XENUSB_SIM_SCENARIOS_H
#define XENUSB_SIM_SCENARIOS_H

#include <stddef.h>

/**
 * struct sim_scenario - one named check
 * @name: printed in the PASS/FAIL line
 * @run: returns 0 on success, else fills @why and returns nonzero
 */
struct sim_scenario {
	const char *name;
	int (*run)(char *why, size_t len);
};

/* Each NULL-terminated. */
extern const struct sim_scenario sim_scenarios_checker[];	/* the checkers */
extern const struct sim_scenario sim_scenarios_conn[];	/* connect, hotplug */
extern const struct sim_scenario sim_scenarios_xfer[];	/* transfer types */
extern const struct sim_scenario sim_scenarios_flow[];	/* unlink, unplug, back-pressure */
extern const struct sim_scenario sim_scenarios_hostile[];	/* hostile peers */
extern const struct sim_scenario sim_scenarios_large[];	/* large transfers */
extern const struct sim_scenario sim_scenarios_ring[];	/* deeper ring */

/* Every theme's table, NULL-terminated. */
extern const struct sim_scenario *const sim_scenario_themes[];

#endif /* XENUSB_SIM_SCENARIOS_H */
