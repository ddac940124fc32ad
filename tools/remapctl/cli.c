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

const enum remap_field counter_fields[5] = {
	REMAP_F_REALLOCATION_EVENTS, REMAP_F_AUTO_REMAPS,
	REMAP_F_UNCORRECTABLE_READS, REMAP_F_SPARE_ERRORS,
	REMAP_F_LOST_SECTORS,
};

int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "remapctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'remapctl %s%s--help'.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

/*
 * getopt_long over the command's own arguments: argv[-1], the command's
 * name (main's argv[1]), stands in for the program name.
 */
int parse_opts(const char *cmd, const char *usage, const char *allowed,
	       int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "spare-start", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "repair", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **av = argv - 1, opt[32];
	int c, li;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 0;	/* glibc: start afresh */
	for (;;) {
		li = -1;
		c = getopt_long(argc + 1, av, ":h", longopts, &li);
		if (c == -1)
			break;
		if (c == '?')
			return usage_error(cmd, "unknown option '%s'",
					   av[optind - 1]);
		if (c == ':')
			return usage_error(cmd, "option '%s' needs a value",
					   av[optind - 1]);
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_HEALTHY;
		}
		if (!strchr(allowed, c)) {
			snprintf(opt, sizeof(opt), "--%s",
				 li >= 0 ? longopts[li].name : "?");
			return usage_error(cmd, "unknown option '%s'", opt);
		}
		switch (c) {
		case 's':
			if (remap_parse_u64(optarg, &o->spare_start))
				return usage_error(cmd,
						   "--spare-start: '%s' is not a sector number",
						   optarg);
			o->have_spare_start = true;
			break;
		case 'f':
			if (!*optarg)
				return usage_error(cmd, "--from: %sempty file name",
						   "");
			o->from = optarg;
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
	}
	if (optind <= argc)
		o->dev = av[optind++];
	if (optind <= argc)
		return usage_error(cmd, "unexpected argument '%s'", av[optind]);
	if (!o->dev)
		return usage_error(cmd, "missing <spare_dev>%s", "");
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

