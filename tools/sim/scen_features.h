/* SPDX-License-Identifier: GPL-2.0 */
/* Scenarios of the negotiated extensions (scen_features.c). */
#ifndef XENUSB_SIM_SCEN_FEATURES_H
#define XENUSB_SIM_SCEN_FEATURES_H

#include <stddef.h>

int sim_features_negotiate(char *why, size_t len);
int sim_features_zlp(char *why, size_t len);
int sim_features_port_reset(char *why, size_t len);

#endif /* XENUSB_SIM_SCEN_FEATURES_H */
