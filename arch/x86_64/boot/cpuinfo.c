/*
 * cpuinfo.c - the CPU's identity as /proc/cpuinfo shows it
 * (arch_cpu_describe, arch/arch.h): CPUID's vendor, family, model and
 * stepping (with the extended fields folded in as Linux does), the brand
 * string, and the TSC rate the local APIC calibration measured.  Reads
 * only; no state, no locks.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <lib/string.h>

#define CPUID_VENDOR_LEAF   0x0
#define CPUID_FEATURES_LEAF 0x1
#define CPUID_EXT_MAX_LEAF  0x80000000u
#define CPUID_BRAND_FIRST   0x80000002u
#define CPUID_BRAND_LAST    0x80000004u
#define CPUID_FAMILY_EXT    0xf /* family 15: add the extended family */
#define CPUID_MODEL_EXT_MIN 0x6 /* families 6 and 15: extended model */

void arch_cpu_describe(struct arch_cpu_desc *d)
{
	uint32_t a, b, c, x, sig;
	char *p = d->model_name;

	memset(d, 0, sizeof(*d));
	cpuid_count(CPUID_VENDOR_LEAF, 0, &a, &b, &c, &x);
	memcpy(d->vendor, &b, 4);
	memcpy(d->vendor + 4, &x, 4);
	memcpy(d->vendor + 8, &c, 4);
	cpuid_count(CPUID_FEATURES_LEAF, 0, &sig, &b, &c, &x);
	d->family = (sig >> 8) & 0xf;
	d->model = (sig >> 4) & 0xf;
	d->stepping = sig & 0xf;
	if (d->family == CPUID_FAMILY_EXT)
		d->family += (sig >> 20) & 0xff;
	if (d->family >= CPUID_MODEL_EXT_MIN)
		d->model |= ((sig >> 16) & 0xf) << 4;
	cpuid_count(CPUID_EXT_MAX_LEAF, 0, &a, &b, &c, &x);
	if (a >= CPUID_BRAND_LAST) {
		for (uint32_t leaf = CPUID_BRAND_FIRST; leaf <= CPUID_BRAND_LAST; leaf++) {
			uint32_t r[4];

			cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3]);
			memcpy(p, r, sizeof(r));
			p += sizeof(r);
		}
	}
	d->tsc_hz = lapic_tsc_hz();
}
