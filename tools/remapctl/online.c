// SPDX-License-Identifier: GPL-2.0-only
/*
 * online.c - remapctl's online commands (see online.h), but import
 * (import.c) and scrub (scrub.c), and the device-mapper helpers all of
 * them use.
 *
 *   remapctl status [--json] [--no-speed] [<dm_name>...]
 *   remapctl list <dm_name> [--json]
 *   remapctl remap|unremap <dm_name> <sector>[+<count>]
 *   remapctl watch [--count N]
 *
 * status reads DM_DEVICE_STATUS (no-flush) and names the fields with
 * core/remap_status.h, the table remapd uses too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>
#include <libdevmapper.h>

#include "remap_args.h"
#include "remap_status.h"
#include "online.h"
#include "json.h"


const char usage_status[] =
"Usage: remapctl status [--json] [--no-speed] [<dm_name>...]\n"
"\n"
"Print the status of loaded dm-remap devices (every one when none is\n"
"named), one \"name: value\" line per field, a blank line between devices;\n"
"the fields of \"dmsetup status\" and the stats message, by the names of\n"
"docs/dm-remap.rst.  Read with no-flush: a suspended device is shown too.\n"
"A device with a scrub also shows scrub_progress (percent of the pass);\n"
"while a scrub runs, the status is read again after a second to show\n"
"scrub_speed (KiB/s) and scrub_eta (the time left at that speed).\n"
"\n"
"Options:\n"
"  --json       a JSON array, one object per device with named fields\n"
"  --no-speed   do not wait a second to measure a running scrub's speed\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0 printed; 3 usage error, no such device, not a remap\n"
"target, device-mapper error (the other devices are still printed).\n";

const char usage_list[] =
"Usage: remapctl list <dm_name> [--json]\n"
"\n"
"Print the remapped units of a loaded dm-remap device (the \"list\"\n"
"message): one \"<logical_sector> <spare_sector> <nr_sectors>\" line each,\n"
"in logical order.\n"
"\n"
"Options:\n"
"  --json       a JSON array of {logical_sector, spare_sector, nr_sectors}\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0 printed; 2 the kernel refused; 3 usage error, no such\n"
"device, not a remap target, device-mapper error.\n";

const char usage_remap[] =
"Usage: remapctl remap <dm_name> <sector>[+<count>]\n"
"       remapctl unremap <dm_name> <sector>[+<count>]\n"
"\n"
"Remap (or move back) every unit holding a sector of <sector> ..\n"
"<sector> + <count> - 1 (default count 1), copying its data: the \"remap\"\n"
"and \"unremap\" messages of docs/dm-remap.rst.  Sectors are 512-byte\n"
"sectors of the dm device.\n"
"\n"
"Exit status: 0 done; 2 refused by the kernel (already remapped, not\n"
"remapped, spare pool full, read-only metadata, ...; the reason is\n"
"printed and the kernel log has more); 3 usage error, no such device, not\n"
"a remap target, device-mapper error.\n";

void dm_quiet_log(int level, const char *file, int line, int dm_errno,
		  const char *f, ...)
{
	(void)level;
	(void)file;
	(void)line;
	(void)dm_errno;
	(void)f;
}

static const char *dm_why(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return "permission denied (run as root)";
	case ENOENT:
		return "no /dev/mapper/control (is dm-mod loaded?)";
	default:
		return strerror(e ? e : EIO);
	}
}

/* Whether a status task's table is one remap target. */
static bool type_is_remap(struct dm_task *dmt)
{
	char *type = NULL, *params = NULL;
	uint64_t start, length;
	void *next;

	next = dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	return type && !strcmp(type, "remap") && !start && !next;
}

/*
 * Look the device up: it must exist, be active and be one "remap" target.
 * @quiet: EXIT_REFUSED, without a word, for a device with another table
 * (remapctl status going through every device).
 * 0, or an exit status after printing why.
 */
int remap_dev_get(const char *cmd, const char *name,
		  struct remap_dev *d, bool allow_suspended, bool quiet)
{
	struct dm_task *dmt;
	struct dm_info info;
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	void *next;
	int e, r = EXIT_USAGE;

	dm_log_with_errno_init(dm_quiet_log);
	dm_udev_set_sync_support(0);
	dmt = dm_task_create(DM_DEVICE_STATUS);
	if (!dmt) {
		fprintf(stderr, "remapctl %s: cannot create a device-mapper task\n",
			cmd);
		return EXIT_USAGE;
	}
	if (!dm_task_set_name(dmt, name) || !dm_task_no_flush(dmt)) {
		fprintf(stderr, "remapctl %s: '%s' is not a valid device-mapper name\n",
			cmd, name);
		goto out;
	}
	if (!dm_task_run(dmt)) {
		e = dm_task_get_errno(dmt);
		if (e == ENXIO || e == ENODEV)
			fprintf(stderr, "remapctl %s: %s: no such device-mapper device\n",
				cmd, name);
		else
			fprintf(stderr, "remapctl %s: %s: device-mapper status failed: %s\n",
				cmd, name, dm_why(e));
		goto out;
	}
	if (!dm_task_get_info(dmt, &info) || !info.exists) {
		fprintf(stderr, "remapctl %s: %s: no such device-mapper device\n",
			cmd, name);
		goto out;
	}
	d->major = info.major;
	d->minor = info.minor;
	d->suspended = info.suspended;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->uuid, sizeof(d->uuid), "%s",
		 dm_task_get_uuid(dmt) ? dm_task_get_uuid(dmt) : "");
	if (quiet && (!info.live_table || !type_is_remap(dmt))) {
		r = EXIT_REFUSED;
		goto out;
	}
	if (!info.live_table) {
		fprintf(stderr, "remapctl %s: %s: has no active table (not a remap target)\n",
			cmd, name);
		goto out;
	}
	next = dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	if (!type || strcmp(type, "remap") || start != 0 || next) {
		fprintf(stderr, "remapctl %s: %s: not a remap target (its table %s)\n",
			cmd, name,
			!type ? "is empty" :
			next ? "has several targets" : "has another target type");
		if (type && !next)
			fprintf(stderr, "remapctl %s: %s: target type is '%s'\n",
				cmd, name, type);
		goto out;
	}
	if (info.suspended && !allow_suspended) {
		fprintf(stderr, "remapctl %s: %s: is suspended; resume it first\n",
			cmd, name);
		goto out;
	}
	d->len = length;
	snprintf(d->params, sizeof(d->params), "%s", params ? params : "");
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

/*
 * Send one message to sector 0 of @name.  0 (the answer copied to @resp),
 * or the errno the kernel returned.
 */
int dm_message(const char *name, const char *msg, char *resp,
	       size_t resplen)
{
	struct dm_task *dmt;
	const char *a;
	int r = 0;

	dmt = dm_task_create(DM_DEVICE_TARGET_MSG);
	if (!dmt)
		return ENOMEM;
	if (!dm_task_set_name(dmt, name) || !dm_task_set_sector(dmt, 0) ||
	    !dm_task_set_message(dmt, msg)) {
		dm_task_destroy(dmt);
		return ENOMEM;
	}
	if (!dm_task_run(dmt)) {
		r = dm_task_get_errno(dmt);
		if (!r)
			r = EIO;
	} else if (resp && resplen) {
		a = dm_task_get_message_response(dmt);
		snprintf(resp, resplen, "%s", a ? a : "");
	}
	dm_task_destroy(dmt);
	return r;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every device-mapper device's name, in a malloc'd array. */
static int all_names(char ***out, size_t *n)
{
	struct dm_task *dmt;
	struct dm_names *nm;
	unsigned int next = 0;
	char **v = NULL, **nv;
	int r = EXIT_USAGE;

	*n = 0;
	dm_log_with_errno_init(dm_quiet_log);
	dmt = dm_task_create(DM_DEVICE_LIST);
	if (!dmt) {
		fprintf(stderr, "remapctl status: cannot talk to device-mapper (is dm-mod loaded? are you root?)\n");
		return EXIT_USAGE;
	}
	if (!dm_task_run(dmt)) {
		fprintf(stderr, "remapctl status: cannot list device-mapper devices: %s\n",
			dm_why(dm_task_get_errno(dmt)));
		goto out;
	}
	nm = dm_task_get_names(dmt);
	if (nm && nm->dev) {
		do {
			nm = (struct dm_names *)((char *)nm + next);
			nv = realloc(v, (*n + 1) * sizeof(*v));
			if (!nv)
				goto out;
			v = nv;
			v[*n] = strdup(nm->name);
			if (!v[*n])
				goto out;
			(*n)++;
			next = nm->next;
		} while (next);
	}
	r = 0;
out:
	dm_task_destroy(dmt);
	if (r) {
		while (*n)
			free(v[--*n]);
		free(v);
		v = NULL;
	}
	*out = v;
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_status(const struct remap_dev *d, const struct remap_status *st,
			 double kib_s, bool json, bool first)
{
	char label[48];
	int f;

	if (json) {
		printf("%s\n  {\"device\": ", first ? "" : ",");
		json_put_str(d->name);
		printf(", \"uuid\": ");
		json_put_str(d->uuid);
		printf(", \"dev\": \"%u:%u\", \"sectors\": %llu, \"suspended\": %s",
		       d->major, d->minor, (unsigned long long)d->len,
		       d->suspended ? "true" : "false");
		for (f = 0; f < REMAP_NR_FIELDS; f++) {
			if (!st->have[f])
				continue;
			printf(",\n   \"%s\": ", remap_fields[f].key);
			if (remap_fields[f].word)
				json_put_str(remap_field_word((enum remap_field)f,
							  st->v[f]) ?: "unknown");
			else
				printf("%llu", (unsigned long long)st->v[f]);
		}
		scrub_print_progress(st, kib_s, true);
		printf("}");
		return;
	}
	if (!first)
		putchar('\n');
	printf("%-21s %s\n", "device:", d->name);
	if (d->uuid[0])
		printf("%-21s %s\n", "uuid:", d->uuid);
	printf("%-21s %u:%u\n", "dev:", d->major, d->minor);
	printf("%-21s %llu\n", "sectors:", (unsigned long long)d->len);
	if (d->suspended)
		printf("%-21s %s\n", "suspended:", "yes");
	for (f = 0; f < REMAP_NR_FIELDS; f++) {
		if (!st->have[f])
			continue;
		snprintf(label, sizeof(label), "%s:", remap_fields[f].key);
		if (remap_fields[f].word)
			printf("%-21s %s\n", label,
			       remap_field_word((enum remap_field)f, st->v[f]) ?: "unknown");
		else
			printf("%-21s %llu\n", label, (unsigned long long)st->v[f]);
	}
	scrub_print_progress(st, kib_s, false);
}

/* One device of remapctl status: what was read, or why not. */
struct status_row {
	struct remap_dev d;
	struct remap_status st;
	double kib_s;		/* measured scrub speed, -1 if not */
	int r;			/* 0, or the exit status of its error */
};

static bool scrub_running(const struct status_row *row)
{
	return !row->r && row->st.have[REMAP_F_SCRUB_STATE] &&
	       row->st.v[REMAP_F_SCRUB_STATE] == REMAP_W_SCRUB_RUNNING;
}

static int status_read(struct status_row *row, const char *name, bool all)
{
	row->kib_s = -1;
	row->r = remap_dev_get("status", name, &row->d, true, all);
	if (row->r)
		return row->r;
	if (remap_status_parse_line(row->d.params, &row->st)) {
		fprintf(stderr, "remapctl status: %s: cannot read its status line '%s'\n",
			row->d.name, row->d.params);
		row->r = EXIT_USAGE;
	}
	return row->r;
}

/*
 * Read every running scrub's position again after a second: its speed.
 * A device whose scrub stopped meanwhile keeps its first reading.
 */
static void status_measure(struct status_row *rows, size_t n)
{
	struct status_row again;
	double t0 = now(), dt;
	size_t i;
	u64 a, b;

	for (i = 0; i < n && !scrub_running(&rows[i]); i++)
		;
	if (i == n)
		return;
	sleep(1);
	dt = now() - t0;
	for (i = 0; i < n; i++) {
		if (!scrub_running(&rows[i]) ||
		    status_read(&again, rows[i].d.name, true) ||
		    !scrub_running(&again))
			continue;
		a = rows[i].st.v[REMAP_F_SCRUB_POSITION];
		b = again.st.v[REMAP_F_SCRUB_POSITION];
		if (b < a)
			continue;
		again.kib_s = (double)(b - a) / 2 / dt;
		rows[i] = again;
	}
}

static const struct option list_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option status_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "no-speed", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_status(int argc, char **argv)
{
	struct status_row *rows = NULL;
	struct flag_opts fo = { 0 };
	char **names = NULL, **pos;
	size_t n = 0, i, shown = 0;
	bool json, all;
	int rc = EXIT_OK, r, npos;

	r = cmd_options("status", usage_status, argc, argv, "", status_longopts,
			flag_opt, &fo, -1, NULL, &pos, &npos);
	if (r >= 0)
		return r;
	json = fo.json;
	all = !npos;
	if (all) {
		r = all_names(&names, &n);
		if (r)
			return r;
		qsort(names, n, sizeof(*names), name_cmp);
	} else {
		names = calloc((size_t)npos, sizeof(*names));
		if (!names)
			return EXIT_USAGE;
		for (i = 0; i < (size_t)npos; i++)
			names[n++] = strdup(pos[i]);
		for (i = 0; i < n; i++)
			if (!names[i])
				return EXIT_USAGE;
	}
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		return EXIT_USAGE;
	for (i = 0; i < n; i++)
		status_read(&rows[i], names[i], all);
	if (!fo.no_speed)
		status_measure(rows, n);
	if (json)
		printf("[");
	for (i = 0; i < n; i++) {
		if (rows[i].r == EXIT_REFUSED && all)
			continue;
		if (rows[i].r) {
			rc = rows[i].r;
			continue;
		}
		print_status(&rows[i].d, &rows[i].st, rows[i].kib_s, json,
			     !shown);
		shown++;
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(rows);
	if (fflush(stdout) || ferror(stdout))
		return EXIT_USAGE;
	return rc;
}

int cmd_list(int argc, char **argv)
{
	const char *name, *p;
	struct flag_opts fo = { 0 };
	bool json, first = true;
	unsigned long long a, b, c;
	struct dm_task *dmt;
	struct remap_dev d;
	char **pos;
	int r, e, npos;

	r = cmd_options("list", usage_list, argc, argv, "", list_longopts,
			flag_opt, &fo, 1, "<dm_name>", &pos, &npos);
	if (r >= 0)
		return r;
	name = pos[0];
	json = fo.json;
	r = remap_dev_get("list", name, &d, false, false);
	if (r)
		return r;
	/* The answer can be long: libdevmapper grows its buffer for it. */
	dmt = dm_task_create(DM_DEVICE_TARGET_MSG);
	if (!dmt || !dm_task_set_name(dmt, name) ||
	    !dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, "list")) {
		if (dmt)
			dm_task_destroy(dmt);
		return EXIT_USAGE;
	}
	if (!dm_task_run(dmt)) {
		e = dm_task_get_errno(dmt);
		fprintf(stderr, "remapctl list: %s: the kernel refused \"list\": %s\n",
			name, strerror(e ? e : EIO));
		dm_task_destroy(dmt);
		return EXIT_REFUSED;
	}
	p = dm_task_get_message_response(dmt);
	if (json)
		printf("[");
	for (; p && *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (sscanf(p, "%llu %llu %llu", &a, &b, &c) != 3) {
			if (*p == '\n')
				continue;
			fprintf(stderr, "remapctl list: %s: unexpected line '%.*s'\n",
				name, (int)strcspn(p, "\n"), p);
			dm_task_destroy(dmt);
			return EXIT_USAGE;
		}
		if (json)
			printf("%s\n  {\"logical_sector\": %llu, \"spare_sector\": %llu, \"nr_sectors\": %llu}",
			       first ? "" : ",", a, b, c);
		else
			printf("%llu %llu %llu\n", a, b, c);
		first = false;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	dm_task_destroy(dmt);
	return fflush(stdout) || ferror(stdout) ? EXIT_USAGE : EXIT_OK;
}

const char usage_watch[] =
"Usage: remapctl watch [--count N]\n"
"\n"
"A live view of every dm-remap device: one line each (remapped units,\n"
"spare use, pending units, automatic remaps, uncorrectable reads, lost\n"
"sectors, spare errors, metadata), shown again whenever a device-mapper\n"
"device raises an event or comes or goes (DM_DEV_ARM_POLL: no polling).\n"
"On a terminal the screen is redrawn; otherwise each view is appended\n"
"with its time.  Ends on Ctrl-C.\n"
"\n"
"Options:\n"
"  --count N    end after N views\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0; 3 usage error, device-mapper error (a kernel before\n"
"Linux 4.13 has no DM_DEV_ARM_POLL).\n";

static volatile sig_atomic_t watch_stop;

static void watch_sig(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static int watch_arm(int fd)
{
	struct dm_ioctl dmi;

	memset(&dmi, 0, sizeof(dmi));
	dmi.version[0] = DM_VERSION_MAJOR;
	dmi.version[1] = 37;
	dmi.data_size = sizeof(dmi);
	dmi.data_start = sizeof(dmi);
	return ioctl(fd, DM_DEV_ARM_POLL, &dmi);
}

static void watch_view(bool tty)
{
	char **names = NULL, when[32];
	size_t n = 0, i, shown = 0;
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%F %T", &tm);
	if (tty)
		printf("\033[H\033[2J");
	printf("remapctl watch, %s\n", when);
	printf("%-20s %9s %15s %7s %7s %7s %7s %6s %-8s %s\n", "DEVICE",
	       "REMAPPED", "SPARE USED", "PENDING", "AUTO", "UNCORR", "LOST",
	       "SPERR", "METADATA", "STATE");
	if (!all_names(&names, &n))
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		struct remap_status st;
		struct remap_dev d;
		char used[40];

		if (remap_dev_get("watch", names[i], &d, true, true) ||
		    remap_status_parse_line(d.params, &st))
			continue;
		snprintf(used, sizeof(used), "%llu/%llu",
			 (unsigned long long)st.v[REMAP_F_SPARE_USED],
			 (unsigned long long)st.v[REMAP_F_SPARE_UNITS]);
		printf("%-20s %9llu %15s %7llu %7llu %7llu %7llu %6llu %-8s %s%s\n",
		       d.name, (unsigned long long)st.v[REMAP_F_REMAPPED_UNITS],
		       used, (unsigned long long)st.v[REMAP_F_PENDING_UNITS],
		       (unsigned long long)st.v[REMAP_F_AUTO_REMAPS],
		       (unsigned long long)st.v[REMAP_F_UNCORRECTABLE_READS],
		       (unsigned long long)st.v[REMAP_F_LOST_SECTORS],
		       (unsigned long long)st.v[REMAP_F_SPARE_ERRORS],
		       remap_field_word(REMAP_F_METADATA, st.v[REMAP_F_METADATA]) ?: "?",
		       st.have[REMAP_F_SPARE_EXHAUSTED] &&
		       st.v[REMAP_F_SPARE_EXHAUSTED] == REMAP_W_ON ? "exhausted" : "ok",
		       d.suspended ? " suspended" : "");
		shown++;
	}
	if (!shown)
		printf("(no dm-remap device)\n");
	if (!tty)
		printf("\n");
	fflush(stdout);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int watch_opt(void *ctx, int c, const char *arg)
{
	unsigned long *count = ctx;
	u64 v;

	if (c != 'c')
		return OPT_NOT_HERE;
	if (remap_parse_u64(arg, &v) || !v || v > ULONG_MAX)
		return uerr("watch", "--count: '%s' is not a number from 1", arg);
	*count = (unsigned long)v;
	return -1;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	unsigned long count = 0, views = 0;
	struct pollfd pf;
	bool tty = isatty(STDOUT_FILENO);
	char **pos;
	int fd, r, npos;

	r = cmd_options("watch", usage_watch, argc, argv, "", longopts,
			watch_opt, &count, 0, NULL, &pos, &npos);
	if (r >= 0)
		return r;
	dm_log_with_errno_init(dm_quiet_log);
	dm_udev_set_sync_support(0);
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "remapctl watch: /dev/mapper/control: %s\n",
			dm_why(errno));
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_sig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pf.fd = fd;
	pf.events = POLLIN;
	while (!watch_stop) {
		/* Arm first: an event while the view is read shows again. */
		if (watch_arm(fd)) {
			fprintf(stderr, "remapctl watch: DM_DEV_ARM_POLL: %s\n",
				strerror(errno));
			close(fd);
			return EXIT_USAGE;
		}
		watch_view(tty);
		if (count && ++views >= count)
			break;
		while (!watch_stop && poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
	}
	close(fd);
	return EXIT_OK;
}

static const char *msg_why(int e, bool remap)
{
	switch (e) {
	case EEXIST:
		return "a unit in that range is already remapped";
	case ENOENT:
		return "a unit in that range is not remapped";
	case EPERM:
		return "a unit in that range is protected (remapctl unprotect first)";
	case ENOSPC:
		return "the spare pool has too few free units";
	case EROFS:
		return "the metadata is read-only (a commit failed)";
	case EBUSY:
		return "a loaded table replaces this one; resume or clear it first";
	case EUCLEAN:
		return "the metadata commit failed with an unknown outcome: the units are in doubt";
	case EINVAL:
		return "the range is beyond the device (or the message is malformed)";
	case EIO:
		return remap ? "a copy failed (I/O error)" :
			"a copy back failed: the main device still cannot be written there";
	default:
		return strerror(e);
	}
}

int cmd_remap(int argc, char **argv, bool remap)
{
	const char *cmd = remap ? "remap" : "unremap", *name, *ext;
	char msg[96], buf[48], *plus, **pos;
	u64 sector, count = 1;
	struct remap_dev d;
	int r, npos;

	r = cmd_options(cmd, usage_remap, argc, argv, "", NULL, NULL, NULL, 2,
			NULL, &pos, &npos);
	if (r >= 0)
		return r;
	name = npos > 0 ? pos[0] : NULL;
	ext = npos > 1 ? pos[1] : NULL;
	if (!name || !ext)
		return uerr(cmd, "usage: remapctl %s <dm_name> <sector>[+<count>]", cmd);
	snprintf(buf, sizeof(buf), "%s", ext);
	plus = strchr(buf, '+');
	if (plus)
		*plus++ = '\0';
	if (strlen(ext) >= sizeof(buf) || remap_parse_u64(buf, &sector) ||
	    (plus && (remap_parse_u64(plus, &count) || !count)))
		return uerr(cmd, "'%s' is not <sector>[+<count>] (decimal, count at least 1)",
			    ext);
	r = remap_dev_get(cmd, name, &d, false, false);
	if (r)
		return r;
	if (sector >= d.len || count > d.len - sector) {
		fprintf(stderr, "remapctl %s: %s: sectors %llu-%llu are beyond the device (%llu sectors)\n",
			cmd, name, (unsigned long long)sector,
			(unsigned long long)(sector + count - 1),
			(unsigned long long)d.len);
		return EXIT_REFUSED;
	}
	snprintf(msg, sizeof(msg), "%s %llu %llu", cmd,
		 (unsigned long long)sector, (unsigned long long)count);
	r = dm_message(name, msg, NULL, 0);
	if (r) {
		fprintf(stderr, "remapctl %s: %s: sectors %llu-%llu: refused: %s (%s; see dmesg)\n",
			cmd, name, (unsigned long long)sector,
			(unsigned long long)(sector + count - 1),
			msg_why(r, remap), strerror(r));
		return EXIT_REFUSED;
	}
	printf("remapctl %s: %s: sectors %llu-%llu %s\n", cmd, name,
	       (unsigned long long)sector,
	       (unsigned long long)(sector + count - 1),
	       remap ? "remapped" : "moved back to the main device");
	return EXIT_OK;
}
