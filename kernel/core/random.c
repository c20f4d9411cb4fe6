/*
 * random.c - the kernel's random-number generator: a ChaCha20 keystream
 * (RFC 8439 block function) whose key is seeded at first use from the
 * arch entropy source and rekeyed from its own output after every request
 * (fast key erasure), so earlier output cannot be recomputed.
 * random_lock protects the state.
 */
#include <keel/random.h>
#include <keel/spinlock.h>
#include <lib/string.h>
#include <arch/arch.h>

#define CHACHA_WORDS   16
#define CHACHA_ROUNDS  20
#define CHACHA_KEY_WORDS 8
#define CHACHA_BLOCK   64

static struct spinlock random_lock = SPINLOCK_INIT("random");
static uint32_t random_key[CHACHA_KEY_WORDS];   /* [random_lock] */
static uint64_t random_counter;                 /* [random_lock] */
static bool random_seeded;                      /* [random_lock] */

static inline uint32_t rotl32(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d)                                          \
	do {                                                    \
		a += b; d ^= a; d = rotl32(d, 16);              \
		c += d; b ^= c; b = rotl32(b, 12);              \
		a += b; d ^= a; d = rotl32(d, 8);               \
		c += d; b ^= c; b = rotl32(b, 7);               \
	} while (0)

static void chacha_block(uint32_t out[CHACHA_WORDS])
{
	static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t in[CHACHA_WORDS], x[CHACHA_WORDS];

	memcpy(in, sigma, sizeof(sigma));
	memcpy(in + 4, random_key, sizeof(random_key));
	in[12] = (uint32_t)random_counter;
	in[13] = (uint32_t)(random_counter >> 32);
	in[14] = in[15] = 0;
	random_counter++;
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < CHACHA_ROUNDS; i += 2) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < CHACHA_WORDS; i++)
		out[i] = x[i] + in[i];
}

void random_get(void *buf, size_t n)
{
	uint32_t block[CHACHA_WORDS];
	uint8_t *p = buf;

	spin_lock(&random_lock);
	if (!random_seeded) {
		for (int i = 0; i < CHACHA_KEY_WORDS; i++)
			random_key[i] = (uint32_t)arch_entropy();
		random_seeded = true;
	}
	while (n) {
		size_t chunk = MIN(n, (size_t)CHACHA_BLOCK);
		chacha_block(block);
		memcpy(p, block, chunk);
		p += chunk;
		n -= chunk;
	}
	chacha_block(block);                     /* fast key erasure */
	memcpy(random_key, block, sizeof(random_key));
	spin_unlock(&random_lock);
	memset(block, 0, sizeof(block));
}
