/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The byte reader of the libFuzzer harnesses: values are taken from the
 * front of the input, and an input that runs out reads as zeros, so every
 * input is a valid script.
 */
#ifndef XENUSB_SIM_FUZZ_INPUT_H
#define XENUSB_SIM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct input {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t take8(struct input *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline void take(struct input *in, void *dst, size_t len)
{
	size_t n = len < in->n ? len : in->n;

	memset(dst, 0, len);
	memcpy(dst, in->p, n);
	in->p += n;
	in->n -= n;
}

static inline uint16_t take16(struct input *in)
{
	return take8(in) | take8(in) << 8;
}

static inline uint32_t take32(struct input *in)
{
	return take16(in) | (uint32_t)take16(in) << 16;
}

#endif /* XENUSB_SIM_FUZZ_INPUT_H */
