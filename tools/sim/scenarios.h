/* SPDX-License-Identifier: GPL-2.0 */
/* The simulator's scenario table (scenarios.c), run by main.c. */
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

/* NULL-terminated. */
extern const struct sim_scenario sim_scenarios[];

#endif /* XENUSB_SIM_SCENARIOS_H */
