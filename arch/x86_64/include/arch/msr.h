/* arch/msr.h - model-specific register numbers and bits used by Keel. */
#ifndef ARCH_MSR_H
#define ARCH_MSR_H

#define MSR_APIC_BASE           0x0000001b
#define MSR_APIC_BASE_BSP       (1ul << 8)
#define MSR_APIC_BASE_X2APIC    (1ul << 10)
#define MSR_APIC_BASE_ENABLE    (1ul << 11)
#define MSR_APIC_BASE_ADDR_MASK 0xfffff000ul
#define MSR_SYSENTER_CS         0x00000174   /* 0: SYSENTER raises #GP (Intel) */
#define MSR_SYSENTER_ESP        0x00000175
#define MSR_SYSENTER_EIP        0x00000176
#define MSR_PAT                 0x00000277
#define MSR_EFER                0xc0000080
#define MSR_EFER_SCE            (1ul << 0)
#define MSR_EFER_LME            (1ul << 8)
#define MSR_EFER_NXE            (1ul << 11)
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083   /* syscall from compatibility mode */
#define MSR_FMASK               0xc0000084
#define MSR_FS_BASE             0xc0000100
#define MSR_GS_BASE             0xc0000101
#define MSR_KERNEL_GS_BASE      0xc0000102

#endif
