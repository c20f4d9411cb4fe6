/*
 * keel/exec.h - loading a program (kernel/proc/exec.c): an ELF executable
 * read into a fresh address space, with the System V initial stack built.
 * Nothing touches the caller's address space, so a failed exec leaves the
 * caller intact; execve (kernel/sys/sys_proc.c) and init's start
 * (kernel/proc/proc.c) swap address spaces only after exec_load succeeded.
 */
#ifndef KEEL_EXEC_H
#define KEEL_EXEC_H

#include <keel/proc.h>

struct mm;

/* The loaded image exec hands to the first instruction of a program. */
struct exec_image {
	uintptr_t entry;                  /* first instruction */
	uintptr_t sp;                     /* initial stack pointer (argc) */
	char name[PROC_NAME_MAX];         /* basename of the program */
	/* A set-user-ID / set-group-ID file's owner, which becomes the
	 * effective id; CRED_ID_NONE (keel/cred.h) for an ordinary file or
	 * a nosuid mount. */
	uint32_t set_uid, set_gid;
};

/* Load path into the empty address space mm; 0 or -Exxx.  May sleep. */
int exec_load(struct mm *mm, const char *path, char *const argv[], char *const envp[],
	      struct exec_image *img);

#endif
