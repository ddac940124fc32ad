// SPDX-License-Identifier: GPL-2.0-only
/*
 * scrub.c - remapctl scrub: drive a loaded device's scrubber (the "scrub"
 * messages of docs/dm-remap.rst) and show its progress.
 *
 *   remapctl scrub <dm_name> start [<first_sector> <nr_sectors>] [--wait]
 *   remapctl scrub <dm_name> pause|resume|cancel
 *   remapctl scrub <dm_name> rate <KiB/s>
 *   remapctl scrub <dm_name> slow-ms <ms>
 *   remapctl scrub <dm_name> wait
 *
 * Each message is checked by the parser the target uses
 * (core/remap_args.c) before it is sent, so a typo is refused here with
 * the target's own words; what only the target knows (is a scrub
 * running?) comes back as its errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remap_args.h"
#include "remap_status.h"
#include "online.h"

const char usage_scrub[] =
"Usage: remapctl scrub <dm_name> start [<first_sector> <nr_sectors>] [--wait]\n"
"       remapctl scrub <dm_name> pause|resume|cancel\n"
"       remapctl scrub <dm_name> rate <KiB/s>\n"
"       remapctl scrub <dm_name> slow-ms <ms>\n"
"       remapctl scrub <dm_name> wait\n"
"\n"
"Drive the scrubber of a loaded dm-remap device: it reads every unit of\n"
"the main device that is not remapped and every spare unit in use, in\n"
"the background, and relocates or records what fails or reads slowly\n"
"(\"Scrubbing\" in docs/dm-remap.rst).\n"
"\n"
"  start      a pass over the whole device, or over <nr_sectors> sectors\n"
"             from <first_sector> (widened to whole units)\n"
"  pause      stop reading, keeping the place; resume goes on from it\n"
"  cancel     stop the pass where it is\n"
"  rate       the rate cap in KiB/s, 0 to 16777216 (0: unthrottled)\n"
"  slow-ms    a unit read slower than this is weak and relocated (0: off)\n"
"  wait       wait until the running pass ends, showing its progress\n"
"\n"
"Options:\n"
"  --wait       (start) wait for the pass to end, showing its progress\n"
"  -q, --quiet  (start --wait, wait) no progress\n"
"  -h, --help   this help\n"
"\n"
"Progress goes to standard error: redrawn on a terminal, every 10%\n"
"otherwise, with the measured speed and the time left.  remapctl status\n"
"shows the same for every device.  Interrupting a wait leaves the scrub\n"
"running.\n"
"\n"
"Exit status: 0 done (a wait: the pass reached its end); 2 refused by\n"
"the kernel (a scrub is already running, none is paused, ...; the\n"
"reason is printed), or the pass was paused or cancelled while waited\n"
"for; 3 usage error, no such device, not a remap target, device-mapper\n"
"error.\n";

double scrub_progress(const struct remap_status *st)
{
	u64 total, done = remap_scrub_done(st, &total);

	if (!st->have[REMAP_F_SCRUB_START])
		return -1;
	return total ? (double)done / (double)total : 0;
}

/* Seconds as "1h02m03s", "4m05s" or "6s". */
static void fmt_secs(char *buf, size_t len, double secs)
{
	unsigned long long s = (unsigned long long)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum%02llus", s / 3600,
			 s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%llus", s);
}

/* Sectors still to read in the current pass. */
static u64 scrub_left(const struct remap_status *st)
{
	u64 p = st->v[REMAP_F_SCRUB_POSITION], e = st->v[REMAP_F_SCRUB_END];

	return e > p ? e - p : 0;
}

void scrub_print_progress(const struct remap_status *st, double kib_s,
			  bool json)
{
	double pr = scrub_progress(st), eta = -1;
	char t[32];

	if (pr < 0)
		return;
	if (kib_s > 0 && st->v[REMAP_F_SCRUB_STATE] == REMAP_W_SCRUB_RUNNING)
		eta = (double)scrub_left(st) / 2 / kib_s;
	if (json) {
		printf(",\n   \"scrub_progress\": %.4f", pr);
		if (kib_s >= 0)
			printf(", \"scrub_speed_kib_s\": %.0f", kib_s);
		if (eta >= 0)
			printf(", \"scrub_eta_seconds\": %.0f", eta);
		return;
	}
	printf("%-21s %.1f%%\n", "scrub_progress:", 100 * pr);
	if (kib_s >= 0)
		printf("%-21s %.0f KiB/s (measured over 1 s)\n", "scrub_speed:",
		       kib_s);
	if (eta >= 0) {
		fmt_secs(t, sizeof(t), eta);
		printf("%-21s %s\n", "scrub_eta:", t);
	}
}

static int read_status(const char *name, struct remap_dev *d,
		       struct remap_status *st)
{
	int r = remap_dev_get("scrub", name, d, true, false);

	if (r)
		return r;
	if (remap_status_parse_line(d->params, st) ||
	    !st->have[REMAP_F_SCRUB_START]) {
		fprintf(stderr, "remapctl scrub: %s: its module has no scrub progress in its status ('%s')\n",
			name, d->params);
		return EXIT_USAGE;
	}
	return 0;
}

static volatile sig_atomic_t wait_stop;

static void wait_sig(int sig)
{
	(void)sig;
	wait_stop = 1;
}

/*
 * Follow the running (or paused) pass until it ends: 0 when it reached
 * its end, EXIT_REFUSED when it was paused or cancelled, or an exit
 * status.
 */
static int scrub_wait(const char *name, bool quiet)
{
	bool tty = isatty(STDERR_FILENO);
	struct remap_status st, prev;
	struct remap_dev d;
	double t0, t, speed = -1, pr;
	unsigned int decile = 11;
	u64 passes;
	char eta[32];
	int r;

	r = read_status(name, &d, &st);
	if (r)
		return r;
	if (st.v[REMAP_F_SCRUB_STATE] == REMAP_W_SCRUB_IDLE) {
		fprintf(stderr, "remapctl scrub: %s: no scrub is running\n",
			name);
		return EXIT_REFUSED;
	}
	passes = st.v[REMAP_F_SCRUB_PASSES];
	signal(SIGINT, wait_sig);
	signal(SIGTERM, wait_sig);
	t0 = now();
	for (;;) {
		prev = st;
		sleep(1);
		if (wait_stop) {
			if (!quiet && tty)
				fputc('\n', stderr);
			fprintf(stderr, "remapctl scrub: %s: interrupted; the scrub goes on (remapctl scrub %s cancel stops it)\n",
				name, name);
			return EXIT_REFUSED;
		}
		r = read_status(name, &d, &st);
		if (r)
			return r;
		t = now();
		/* Sectors the position moved in this second, as KiB/s. */
		if (st.v[REMAP_F_SCRUB_POSITION] >=
		    prev.v[REMAP_F_SCRUB_POSITION] && t > t0)
			speed = (double)(st.v[REMAP_F_SCRUB_POSITION] -
					 prev.v[REMAP_F_SCRUB_POSITION]) / 2 /
				(t - t0);
		t0 = t;
		if (st.v[REMAP_F_SCRUB_PASSES] != passes)
			break;
		if (st.v[REMAP_F_SCRUB_STATE] != REMAP_W_SCRUB_RUNNING) {
			if (!quiet && tty)
				fputc('\n', stderr);
			fprintf(stderr, "remapctl scrub: %s: the scrub was %s at sector %llu\n",
				name, st.v[REMAP_F_SCRUB_STATE] ==
				REMAP_W_SCRUB_PAUSED ? "paused" : "cancelled",
				(unsigned long long)st.v[REMAP_F_SCRUB_POSITION]);
			return EXIT_REFUSED;
		}
		if (quiet)
			continue;
		pr = scrub_progress(&st);
		eta[0] = '\0';
		if (speed > 0)
			fmt_secs(eta, sizeof(eta),
				 (double)scrub_left(&st) / 2 / speed);
		if (tty)
			fprintf(stderr, "\rremapctl scrub: %s: %.1f%%, %.0f KiB/s, %s left   ",
				name, 100 * pr, speed, eta[0] ? eta : "?");
		else if ((unsigned int)(pr * 10) != decile) {
			decile = (unsigned int)(pr * 10);
			fprintf(stderr, "remapctl scrub: %s: %.0f%%, %.0f KiB/s, %s left\n",
				name, 100 * pr, speed, eta[0] ? eta : "?");
		}
	}
	if (!quiet && tty)
		fputc('\n', stderr);
	printf("remapctl scrub: %s: pass done: %llu read errors, %llu relocated, %llu weak, %llu pending (counted since the device was created)\n",
	       name,
	       (unsigned long long)st.v[REMAP_F_SCRUB_READ_ERRORS],
	       (unsigned long long)st.v[REMAP_F_SCRUB_RELOCATED],
	       (unsigned long long)st.v[REMAP_F_SCRUB_WEAK],
	       (unsigned long long)st.v[REMAP_F_SCRUB_PENDING]);
	return EXIT_OK;
}

static const char *scrub_why(int e)
{
	switch (e) {
	case EBUSY:
		return "a scrub is already running or paused (remapctl scrub <dm_name> cancel first)";
	case EINVAL:
		return "the scrub is not in the state this needs (pause: running; resume: paused; cancel: running or paused), or the range is beyond the device";
	case EROFS:
		return "the metadata is read-only (a commit failed)";
	default:
		return strerror(e);
	}
}

int cmd_scrub(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name, *verb, *args[2] = { NULL, NULL };
	const char *error = NULL;
	char msg[96], *words[5], **pos;
	struct flag_opts so = { 0 };
	bool do_wait, quiet;
	struct remap_msg m;
	struct remap_dev d;
	unsigned int nargs, nw;
	int r, npos;

	r = cmd_options("scrub", usage_scrub, argc, argv, "q", longopts,
			flag_opt, &so, 4, NULL, &pos, &npos);
	if (r >= 0)
		return r;
	do_wait = so.wait;
	quiet = so.quiet;
	name = npos > 0 ? pos[0] : NULL;
	verb = npos > 1 ? pos[1] : NULL;
	nargs = npos > 2 ? (unsigned int)npos - 2 : 0;
	if (nargs > 0)
		args[0] = pos[2];
	if (nargs > 1)
		args[1] = pos[3];
	if (!name || !verb)
		return uerr("scrub", "usage: remapctl scrub <dm_name> start|pause|resume|cancel|rate|slow-ms|wait ...");
	if (do_wait && strcmp(verb, "start"))
		return uerr("scrub", "--wait goes with start (or say wait)");
	if (!strcmp(verb, "wait")) {
		if (nargs)
			return uerr("scrub", "wait takes no arguments");
		return scrub_wait(name, quiet);
	}
	if (!strcmp(verb, "start") || !strcmp(verb, "pause") ||
	    !strcmp(verb, "resume") || !strcmp(verb, "cancel")) {
		if (strcmp(verb, "start") ? nargs != 0 : nargs == 1)
			return uerr("scrub", "%s", strcmp(verb, "start") ?
				    "pause, resume and cancel take no arguments" :
				    "start takes no range or both <first_sector> and <nr_sectors>");
		snprintf(msg, sizeof(msg), "scrub %s%s%s%s%s", verb,
			 nargs ? " " : "", nargs ? args[0] : "",
			 nargs ? " " : "", nargs ? args[1] : "");
	} else if (!strcmp(verb, "rate") || !strcmp(verb, "slow-ms")) {
		if (nargs != 1)
			return uerr("scrub", "%s takes one number", verb);
		snprintf(msg, sizeof(msg), "%s %s",
			 !strcmp(verb, "rate") ? "scrub_rate" : "scrub_slow_ms",
			 args[0]);
	} else {
		return uerr("scrub", "unknown scrub command '%s' (start, pause, resume, cancel, rate, slow-ms, wait)",
			    verb);
	}
	r = remap_dev_get("scrub", name, &d, false, false);
	if (r)
		return r;
	/* The target's own parser: the same words, the same refusals. */
	{
		char copy[sizeof(msg)], *p = copy, *tok;

		snprintf(copy, sizeof(copy), "%s", msg);
		for (nw = 0; nw < 5 && (tok = strsep(&p, " ")); nw++)
			words[nw] = tok;
		if (remap_parse_message(nw, words, d.len, &m, &error)) {
			fprintf(stderr, "remapctl scrub: %s: %s\n", name,
				error ? error : "malformed");
			return EXIT_USAGE;
		}
	}
	r = dm_message(name, msg, NULL, 0);
	if (r) {
		fprintf(stderr, "remapctl scrub: %s: '%s' refused: %s (%s; see dmesg)\n",
			name, msg, scrub_why(r), strerror(r));
		return EXIT_REFUSED;
	}
	if (!quiet || !do_wait)
		printf("remapctl scrub: %s: %s: done\n", name, msg);
	if (do_wait)
		return scrub_wait(name, quiet);
	return EXIT_OK;
}
