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

#include <sys/types.h>
#include <stdbool.h>

struct remap_tab_entry;

/*
 * Create the device @e describes (its devices named by path; @where, such
 * as "FILE:LINE", goes into the messages), waiting up to @wait_s seconds
 * for both devices.  @dry_run: check and print the table only.  An exit
 * status (EXIT_OK, EXIT_FAILED).
 */
int assemble_entry(const struct remap_tab_entry *e, const char *where,
		   unsigned int wait_s, bool dry_run);

/* "remapctl assemble: <message>" on stderr; returns EXIT_FAILED. */
int aerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* systemd-escape of @name into @out (4 * 127 + 1 bytes suffice). */
void unit_escape(const char *name, char *out, size_t size);

/* scan.c: remapctl assemble --scan, the udev side of it, identify. */
extern const char usage_identify[];
int cmd_identify(int argc, char **argv);

/*
 * Send the "identity" message to @name: its main device @main's serial,
 * WWN (udev's ID_SERIAL, ID_WWN) and partition number.  Nothing when udev
 * knows neither (a recorded identity is not cleared); a failure is a
 * warning.
 */
void scan_record_identity(const char *name, dev_t main);

/*
 * assemble --scan [<name>...]: the devices whose metadata (at sector 0 of
 * a block device) records a name, with the main device found by the
 * identity the metadata records; @tab: the remaptab whose names are left
 * to it (NULL: none).  An exit status.
 */
int scan_assemble(char **names, int nnames, const char *tab,
		  unsigned int wait_s, bool dry_run);

/*
 * For the udev rules, when no remaptab entry names @devnode: print the
 * DM_REMAP_* properties when it is a spare with metadata recording a name
 * or the main device such metadata identifies.  An exit status.
 */
int scan_udev_match(const char *devnode);

#endif /* REMAPCTL_ASSEMBLE_H */
