/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remapctl.h - what remapctl's command files share: the exit statuses of
 * every command, the commands themselves (remapctl.c keeps the table of
 * names, help texts and functions), and the offline commands' option
 * parser (cli.c).
 *
 *   check.c    check (offline)         dump.c     dump (offline)
 *   restore.c  restore (offline)       cli.c      their options
 *   import.c   import (online)         scrub.c    scrub (online)
 *   online.c   status, list, remap, unremap, watch (online), and the
 *              device-mapper helpers every online command uses
 *   metaimg.c  reading a metadata image, json.c the JSON reader, bblist.c
 *              bad-block lists and ddrescue mapfiles
 *   assemble.c assemble (remaptab), scan.c assemble --scan and identify
 */
#ifndef REMAPCTL_H
#define REMAPCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "remap_meta.h"
#include "remap_status.h"
#include "metaimg.h"

/*
 * Exit statuses, documented in each command's --help and in remapctl(8).
 * The offline commands answer like thin_check: healthy, repairable,
 * broken.  The online ones: done, or refused by the kernel.  Every
 * command: 3 for a usage error, no such device, an I/O or device-mapper
 * error.
 */
#define EXIT_HEALTHY	0
#define EXIT_REPAIRABLE	1
#define EXIT_BROKEN	2
#define EXIT_OK		0
#define EXIT_FAILED	1	/* assemble: a device was not created or removed */
#define EXIT_REFUSED	2
#define EXIT_USAGE	3

#define BS REMAP_META_BLOCK_SIZE
#define PER REMAP_META_PER_BLOCK

/*
 * The superblock's 16 counter words, in its order, by their status field
 * names (5 .. 15: the scrub checkpoint).
 */
extern const enum remap_field counter_fields[REMAP_META_NR_COUNTERS];

/* The offline commands' options. */
struct opts {
	const char *dev;
	const char *from;
	u64 spare_start;
	bool have_spare_start;
	bool json, repair, force;
};

/*
 * "remapctl CMD: ..." (just "remapctl: ..." for a NULL @cmd) and a hint
 * to --help, on stderr; EXIT_USAGE.
 */
int uerr(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct option;

/* What an option callback returns for an option this command lacks. */
#define OPT_NOT_HERE (-2)

/*
 * Parse a command's arguments with getopt_long: -h/--help prints @usage;
 * an unknown option or a missing value is a usage error; every other
 * option goes to @opt(@ctx, its letter, its value), which returns -1 to
 * go on, OPT_NOT_HERE, or an exit status.  A command with no option but
 * --help passes NULL @longopts and NULL @opt.  The arguments that are not
 * options are left in *@pos (*@npos of them): more than @max_pos (-1:
 * any number) is a usage error, and so is none when @need names the first
 * ("missing <need>").  -1 to go on, or an exit status.
 */
int cmd_options(const char *cmd, const char *usage, int argc, char **argv,
		const char *shortopts, const struct option *longopts,
		int (*opt)(void *ctx, int c, const char *arg), void *ctx,
		int max_pos, const char *need, char ***pos, int *npos);

/*
 * The flags of status, list and scrub (each command's longopts say which
 * it takes): --json (j), --no-speed (n), --wait (w), --quiet (q).
 * flag_opt() is their option callback, @ctx a struct flag_opts.
 */
struct flag_opts {
	bool json, no_speed, wait, quiet;
};

int flag_opt(void *ctx, int c, const char *arg);

/*
 * For an option callback: turn on *@on[i] when @c is @letters[i]; false
 * when @c is none of @letters.
 */
bool set_flag(const char *letters, bool *const on[], int c);

/*
 * The offline commands' options.  @allowed: the ones this command takes,
 * as letters (s: --spare-start, j: --json, r: --repair, f: --from,
 * F: --force).  -1 to go on, or an exit status.
 */
int parse_opts(const char *cmd, const char *usage, const char *allowed,
	       int argc, char **argv, struct opts *o);

/* A Unix time as "YYYY-MM-DD HH:MM:SS UTC", or "?". */
void print_time(FILE *f, u64 t);

/* check.c: every problem check found, one line each. */
void print_problems(const struct meta_img *m);

/*
 * dump.c: the protection of @sb, one line after @prefix: "no", or the
 * protected units and sectors (docs/metadata-format.md, "Protection").
 */
void print_protection(FILE *f, const struct remap_sb *sb, const char *prefix);

/* dump.c: a * b + c, or U64_MAX when it overflows. */
u64 sat_mul_add(u64 a, u64 b, u64 c);

extern const char usage_check[];
extern const char usage_dump[];
extern const char usage_restore[];

int cmd_check(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif /* REMAPCTL_H */
