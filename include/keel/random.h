/*
 * keel/random.h - kernel random numbers (getrandom, AT_RANDOM, ASLR).
 * A ChaCha20-based generator seeded from RDRAND/RDSEED when the CPU has
 * them and from TSC jitter otherwise.  Not yet reseeded from interrupts.
 */
#ifndef KEEL_RANDOM_H
#define KEEL_RANDOM_H

#include <keel/compiler.h>

void random_get(void *buf, size_t n);

#endif
