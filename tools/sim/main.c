// SPDX-License-Identifier: GPL-2.0
/*
 * sim-check: run the simulator scenarios (all, or those named on the
 * command line), one PASS/FAIL line each, then "sim: N passed, N failed".
 * Exit status 1 if any failed or none ran.
 */

#include <stdio.h>
#include <string.h>

#include "scenarios.h"

static int wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct sim_scenario *const *theme, *s;
	unsigned int passed = 0, failed = 0;
	char why[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (theme = sim_scenario_themes; *theme; theme++) {
		for (s = *theme; s->name; s++) {
			if (!wanted(argc, argv, s->name))
				continue;
			why[0] = '\0';
			if (s->run(why, sizeof(why)) == 0) {
				printf("PASS %s\n", s->name);
				passed++;
			} else {
				printf("FAIL %s: %s\n", s->name,
				       why[0] ? why : "(no reason given)");
				failed++;
			}
		}
	}
	printf("sim: %u passed, %u failed\n", passed, failed);
	return failed || !passed;
}
