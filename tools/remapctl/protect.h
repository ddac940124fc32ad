/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protect.h - remapctl protect|unprotect (protect.c), and the call the
 * remaptab option "protect" makes (assemble.c).
 */
#ifndef REMAPCTL_PROTECT_H
#define REMAPCTL_PROTECT_H

#include <stdbool.h>
#include "remap_types.h"

/* The default --size and --tail: 1 MiB, in sectors. */
#define PROTECT_DEFAULT_SECTORS 2048ULL

extern const char usage_protect[];

/*
 * Protect device @dev (a dm name or /dev/mapper/<name>): the units
 * holding its first @head and last @tail sectors.  An exit status, after
 * printing why on failure (and what was done unless @quiet).
 */
int protect_device(const char *cmd, const char *dev, u64 head, u64 tail,
		   bool quiet);

/*
 * The remaptab option "protect": protect @name with the default sizes
 * unless it is protected already.  EXIT_OK or EXIT_FAILED, after saying
 * what happened.
 */
int protect_unless_protected(const char *cmd, const char *name);

int cmd_protect(int argc, char **argv);
int cmd_unprotect(int argc, char **argv);

#endif /* REMAPCTL_PROTECT_H */
