/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * assemble.h - remapctl assemble: create the dm-remap devices /etc/remaptab
 * names (remaptab(5)), remove them again (--stop), and tell the udev rules
 * whether a block device belongs to one (--udev-match).
 */
#ifndef REMAPCTL_ASSEMBLE_H
#define REMAPCTL_ASSEMBLE_H

extern const char usage_assemble[];

/* remapctl assemble [...] (argv[0] is the first argument after the word). */
int cmd_assemble(int argc, char **argv);
/* The same as "remapctl assemble --stop ...": argv as for cmd_assemble. */
int cmd_remove(int argc, char **argv);

#endif /* REMAPCTL_ASSEMBLE_H */
