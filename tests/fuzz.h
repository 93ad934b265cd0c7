/*
 * fuzz.h: what the libFuzzer targets (tests/fuzz-*.c, make fuzz) share.
 */
#ifndef SNNWB_FUZZ_H
#define SNNWB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int		 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char	*fuzz_file(const uint8_t *data, size_t size);

#endif
