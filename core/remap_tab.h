/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_tab.h - /etc/remaptab, the devices assembled at boot (remaptab(5)).
 *
 * One entry a line, fields separated by blanks (spaces or tabs):
 *
 *   <name> <main_dev> <spare_dev> [<options>]
 *
 * Blank lines and lines whose first non-blank character is '#' are
 * comments.  <options> is a comma-separated list (or "-" or "defaults" for
 * none): main_start=N, spare_start=N, spare_len=N, len=N (sectors), the
 * target's feature arguments unit_sectors=N, read_retries=N, volatile,
 * no_auto_remap, noauto (not assembled by "assemble --all" or at boot),
 * protect (after assembly, the protective mode: remapctl protect with
 * its default sizes, unless the device is protected already) and
 * initramfs (assembled in the initramfs too, by assemble --initramfs: the
 * root file system, or what it needs, is on it).
 *
 * The parser works in place on the caller's line buffer (it writes NULs
 * between the fields and the option words, and the entry points into it)
 * and allocates nothing.  The feature words are checked by
 * remap_parse_features(), the table line's own parser, and
 * remap_tab_format_params() writes the table line's parameters from an
 * entry, so the table line has one writer and one reader.
 */
#ifndef DM_REMAP_CORE_TAB_H
#define DM_REMAP_CORE_TAB_H

#include "remap_args.h"

/* Longest <name>: device-mapper's DM_NAME_LEN (128) less its NUL. */
#define REMAP_TAB_NAME_MAX 127U
/* Longest line, terminating newline excluded. */
#define REMAP_TAB_LINE_MAX 4096U
/* Feature words an entry can carry: unit_sectors N read_retries N volatile
 * no_auto_remap.
 */
#define REMAP_TAB_MAX_FEAT 6U

struct remap_tab_entry {
	char *name;
	char *main_dev;		/* an absolute path, as written */
	char *spare_dev;
	u64 main_start;		/* sectors; default 0 */
	u64 spare_start;	/* sectors; default 0 */
	u64 spare_len;		/* sectors; 0: to the end of the spare device */
	u64 len;		/* target sectors; 0: to the end of main */
	bool noauto;		/* not assembled by --all or at boot */
	bool protect;		/* protect it once assembled */
	bool initramfs;		/* assembled in the initramfs (assemble --initramfs) */
	unsigned int nr_feat;	/* the table line's feature words */
	char *feat[REMAP_TAB_MAX_FEAT];
	struct remap_features features;	/* the same words, parsed */
};

/*
 * Parse one line (without its newline; a trailing '\r' is an error like any
 * other control character).  1: an entry, in *e; 0: a blank or comment
 * line; -EINVAL with *error set to a static message.  @line is modified.
 */
int remap_tab_parse_line(char *line, struct remap_tab_entry *e,
			 const char **error);

/* Whether <name> is one remaptab accepts: 1-127 of [A-Za-z0-9_.+-], not
 * starting with '-' and not "." or "..".
 */
bool remap_tab_name_ok(const char *name);

/*
 * Two entries of one file that cannot both be used: the same name, or a
 * device (as written) that both name.  0, or -EINVAL with *error set.
 */
int remap_tab_conflict(const struct remap_tab_entry *a,
		       const struct remap_tab_entry *b, const char **error);

/*
 * The target's parameters for @e (what follows "remap" in the table line):
 *   <main> <main_start> <spare> <spare_start> <spare_len>
 *   [<#features> <feature>...]
 * with @main and @spare the device paths to pass (resolved by the caller)
 * and @spare_len the spare length in sectors.  Returns the length written
 * (without the NUL), or -ENOSPC when @size is too small (buf then holds a
 * truncated, NUL-terminated string when size > 0).
 */
int remap_tab_format_params(const struct remap_tab_entry *e, const char *main,
			    const char *spare, u64 spare_len, char *buf,
			    size_t size);

#endif /* DM_REMAP_CORE_TAB_H */
