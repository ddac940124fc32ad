// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli.c - what the offline commands share: their option parser and the
 * way they print a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "remap_args.h"
#include "remap_status.h"
#include "metaimg.h"
#include "json.h"
#include "remapctl.h"

const enum remap_field counter_fields[REMAP_META_NR_COUNTERS] = {
	REMAP_F_REALLOCATION_EVENTS, REMAP_F_AUTO_REMAPS,
	REMAP_F_UNCORRECTABLE_READS, REMAP_F_SPARE_ERRORS,
	REMAP_F_LOST_SECTORS,
	/* 5 .. 15: the scrub checkpoint (enum remap_sb_scrub_word) */
	[REMAP_SBW_SCRUB_READ_ERRORS] = REMAP_F_SCRUB_READ_ERRORS,
	[REMAP_SBW_SCRUB_RELOCATED] = REMAP_F_SCRUB_RELOCATED,
	[REMAP_SBW_SCRUB_WEAK] = REMAP_F_SCRUB_WEAK,
	[REMAP_SBW_SCRUB_PENDING] = REMAP_F_SCRUB_PENDING,
	[REMAP_SBW_SCRUB_PASSES] = REMAP_F_SCRUB_PASSES,
	[REMAP_SBW_SCRUB_LAST_PASS_END] = REMAP_F_SCRUB_LAST_PASS_END,
	[REMAP_SBW_SCRUB_STATE] = REMAP_F_SCRUB_STATE,
	[REMAP_SBW_SCRUB_START] = REMAP_F_SCRUB_START,
	[REMAP_SBW_SCRUB_POS] = REMAP_F_SCRUB_POSITION,
	[REMAP_SBW_SCRUB_END] = REMAP_F_SCRUB_END,
	[REMAP_SBW_SCRUB_META_REPAIRED] = REMAP_F_SCRUB_META_REPAIRED,
};

int uerr(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "remapctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'remapctl %s%s--help'.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

int cmd_options(const char *cmd, const char *usage, int argc, char **argv,
		const char *shortopts, const struct option *longopts,
		int (*opt)(void *ctx, int c, const char *arg), void *ctx,
		int max_pos, const char *need, char ***pos, int *npos)
{
	static const struct option help_only[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* argv[-1], the command's name (main's argv[1]), is argv[0] here. */
	char **av = argv - 1, sh[32];
	int c, li, r;

	if (!longopts)
		longopts = help_only;

	snprintf(sh, sizeof(sh), ":h%s", shortopts);
	opterr = 0;
	optind = 0;	/* glibc: start afresh */
	for (;;) {
		li = -1;
		c = getopt_long(argc + 1, av, sh, longopts, &li);
		if (c == -1)
			break;
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		if (c == '?')
			return uerr(cmd, "unknown option '%s'", av[optind - 1]);
		if (c == ':')
			return uerr(cmd, "option '%s' needs a value",
				    av[optind - 1]);
		r = opt ? opt(ctx, c, optarg) : OPT_NOT_HERE;
		if (r == OPT_NOT_HERE)
			return uerr(cmd, "unknown option '--%s'",
				    li >= 0 ? longopts[li].name : "?");
		if (r >= 0)
			return r;
	}
	*pos = av + optind;
	*npos = argc + 1 - optind;
	if (max_pos >= 0 && *npos > max_pos)
		return uerr(cmd, "unexpected argument '%s'", (*pos)[max_pos]);
	if (need && !*npos)
		return uerr(cmd, "missing %s", need);
	return -1;
}

bool set_flag(const char *letters, bool *const on[], int c)
{
	const char *p = c ? strchr(letters, c) : NULL;

	if (p)
		*on[p - letters] = true;
	return p;
}

int flag_opt(void *ctx, int c, const char *arg)
{
	struct flag_opts *f = ctx;
	bool *const on[] = { &f->json, &f->no_speed, &f->wait, &f->quiet };

	(void)arg;
	return set_flag("jnwq", on, c) ? -1 : OPT_NOT_HERE;
}

/* The offline commands' options; @allowed says which this one takes. */
static const struct option offline_longopts[] = {
	{ "spare-start", required_argument, NULL, 's' },
	{ "from", required_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "repair", no_argument, NULL, 'r' },
	{ "force", no_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct offline_ctx {
	const char *cmd, *allowed;
	struct opts *o;
};

static int offline_opt(void *ctx, int c, const char *arg)
{
	struct offline_ctx *x = ctx;
	struct opts *o = x->o;

	if (!strchr(x->allowed, c))
		return OPT_NOT_HERE;
	switch (c) {
	case 's':
		if (remap_parse_u64(arg, &o->spare_start))
			return uerr(x->cmd, "--spare-start: '%s' is not a sector number",
				    arg);
		o->have_spare_start = true;
		break;
	case 'f':
		if (!*arg)
			return uerr(x->cmd, "--from: empty file name");
		o->from = arg;
		break;
	case 'j':
		o->json = true;
		break;
	case 'r':
		o->repair = true;
		break;
	default:
		o->force = true;
		break;
	}
	return -1;
}

int parse_opts(const char *cmd, const char *usage, const char *allowed,
	       int argc, char **argv, struct opts *o)
{
	struct offline_ctx x = { .cmd = cmd, .allowed = allowed, .o = o };
	char **pos;
	int n, r;

	memset(o, 0, sizeof(*o));
	r = cmd_options(cmd, usage, argc, argv, "", offline_longopts,
			offline_opt, &x, 1, "<spare_dev>", &pos, &n);
	if (r >= 0)
		return r;
	o->dev = pos[0];
	return -1;
}

void print_time(FILE *f, u64 t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (t > (u64)253402300799ULL || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		fputs("?", f);
	else
		fputs(buf, f);
}

