/* SPDX-License-Identifier: GPL-2.0 */
/* The hostile-frontend harness over usbback's ring code (fuzz_ring_back.c). */
#ifndef XENUSB_SIM_FUZZ_RING_BACK_H
#define XENUSB_SIM_FUZZ_RING_BACK_H

#include <stddef.h>
#include <linux/types.h>

int sim_fuzz_ring_back(const u8 *data, size_t size, char *why, size_t len);
int sim_fuzz_corpus_back(char *why, size_t len);

#endif /* XENUSB_SIM_FUZZ_RING_BACK_H */
