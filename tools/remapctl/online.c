// SPDX-License-Identifier: GPL-2.0-only
/*
 * online.c - "remapctl import" and "remapctl status" (see online.h).
 *
 *   remapctl import <dm_name> [FILE|-] [-b N | --sectors] [--message-size N]
 *                   [--quiet]
 *   remapctl status <dm_name>
 *
 * import reads a bad-block list (bblist.c), and sends its units to the
 * target in "remap_many" messages of bounded size (DM_DEVICE_TARGET_MSG);
 * status reads DM_DEVICE_STATUS and labels the fields.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "remap_args.h"
#include "bblist.h"
#include "online.h"

#define EXIT_OK		0
#define EXIT_REFUSED	2
#define EXIT_USAGE	3

/* Default and bounds of --message-size (bytes of one message). */
#define MSG_DEFAULT 4096U
#define MSG_MIN 64U
#define MSG_MAX 65536U
/* Units one message may cover: bounds the kernel's work per message. */
#define MSG_MAX_UNITS 65536U

const char usage_import[] =
"Usage: remapctl import <dm_name> [FILE|-] [-b BLOCK_SIZE | --sectors]\n"
"                       [--message-size BYTES] [--quiet]\n"
"\n"
"Remap every unit of a loaded dm-remap device that a bad-block list names.\n"
"The list is the output of e2fsprogs' badblocks(8): one block number per\n"
"line, blocks of BLOCK_SIZE bytes counted from the start of the dm device\n"
"(run badblocks on the mapped device, or on the main device with\n"
"main_start 0).  Blank lines and lines starting with '#' are skipped.\n"
"FILE \"-\" or no FILE: standard input.\n"
"\n"
"The numbers are merged into extents of units and sent in \"remap_many\"\n"
"messages of at most --message-size bytes; units already remapped are\n"
"skipped.  Each message is all or nothing; when the spare pool is full\n"
"(ENOSPC) the messages sent before stay done, and the count is printed.\n"
"Progress goes to standard error; the totals to standard output.\n"
"\n"
"Options:\n"
"  -b, --block-size N   bytes per listed block, a multiple of 512 (default\n"
"                       1024, as badblocks; use the -b given to badblocks)\n"
"  --sectors            the list holds 512-byte sector numbers instead\n"
"  --message-size N     largest message in bytes, 64-65536 (default 4096)\n"
"  -q, --quiet          no progress\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 imported; 2 refused: a bad line (nothing sent), or the\n"
"kernel refused a message (spare pool full, read-only metadata, ...);\n"
"3 usage error, no such device, not a remap target, device-mapper error.\n";

const char usage_status[] =
"Usage: remapctl status <dm_name>\n"
"\n"
"Print the status of a loaded dm-remap device, one labelled field a line\n"
"(the fields of \"dmsetup status\", docs/dm-remap.rst).\n"
"\n"
"Exit status: 0 printed; 3 usage error, no such device, not a remap\n"
"target, device-mapper error.\n";

/* libdevmapper's messages: kept quiet, we print our own. */
static void dm_quiet_log(int level, const char *file, int line, int dm_errno,
			 const char *f, ...)
{
	(void)level;
	(void)file;
	(void)line;
	(void)dm_errno;
	(void)f;
}

static int uerr(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "remapctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'remapctl %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* What DM_DEVICE_STATUS says about a device with one remap target. */
struct remap_dev {
	u64 len;		/* sectors */
	u32 major, minor;
	char params[1024];	/* the status line, INFO */
};

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

/*
 * Look the device up: it must exist, be active and be one "remap" target.
 * 0, or an exit status after printing why.
 */
static int remap_dev_get(const char *cmd, const char *name,
			 struct remap_dev *d)
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
	if (!dm_task_set_name(dmt, name)) {
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
	if (info.suspended) {
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
static int dm_message(const char *name, const char *msg, char *resp,
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress on stderr: redrawn on a terminal, every 10% otherwise. */
struct progress {
	bool on, tty;
	u64 total;
	double last;
	unsigned int decile;
	u64 shown;		/* the count last printed */
};

static void progress_show(struct progress *p, u64 done, bool final)
{
	double t = now();
	unsigned int d;

	if (!p->on || !p->total)
		return;
	if (p->tty) {
		if (!final && t - p->last < 0.25)
			return;
		p->last = t;
		fprintf(stderr, "\rremapctl import: %llu/%llu units (%.0f%%)%s",
			(unsigned long long)done, (unsigned long long)p->total,
			100.0 * (double)done / (double)p->total,
			final ? "\n" : "");
		return;
	}
	d = (unsigned int)(done * 10 / p->total);
	if (d > p->decile || (final && done != p->shown)) {
		p->decile = d;
		p->shown = done;
		fprintf(stderr, "remapctl import: %llu/%llu units (%u%%)\n",
			(unsigned long long)done, (unsigned long long)p->total,
			(unsigned int)(done * 100 / p->total));
	}
}

static int parse_size_opt(const char *cmd, const char *opt, const char *val,
			  u64 lo, u64 hi, u64 *out)
{
	if (!val)
		return uerr(cmd, "option '%s' needs a value", opt);
	if (remap_parse_u64(val, out) || *out < lo || *out > hi)
		return uerr(cmd, "%s: '%s' is not a number from %llu to %llu",
			    opt, val, (unsigned long long)lo,
			    (unsigned long long)hi);
	return -1;
}

int cmd_import(int argc, char **argv)
{
	const char *name = NULL, *file = NULL, *a, *val;
	u64 block_size = BB_DEFAULT_BLOCK_SIZE, msg_size = MSG_DEFAULT;
	bool sectors = false, block_given = false, quiet = false;
	u64 lineno, units, sent = 0, remapped = 0, skipped = 0, nmsg = 0;
	unsigned long long ra, sk;
	unsigned int unit_sectors;
	struct remap_dev d;
	struct bb_opts o;
	struct bb_list l;
	struct bb_cursor c;
	struct progress p;
	char err[512], resp[256], *msg = NULL;
	double t0;
	FILE *f;
	int i, r;

	for (i = 0; i < argc; i++) {
		a = argv[i];
		val = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_import, stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "-b") || !strcmp(a, "--block-size") ||
		    !strncmp(a, "--block-size=", 13)) {
			val = a[1] == 'b' ? (i + 1 < argc ? argv[++i] : NULL) :
			      a[12] == '=' ? a + 13 :
			      (i + 1 < argc ? argv[++i] : NULL);
			r = parse_size_opt("import", "--block-size", val, 512,
					   1ULL << 30, &block_size);
			if (r >= 0)
				return r;
			if (!bb_block_size_ok(block_size))
				return uerr("import", "--block-size: %llu is not a multiple of 512",
					    (unsigned long long)block_size);
			block_given = true;
		} else if (!strcmp(a, "--message-size") ||
			   !strncmp(a, "--message-size=", 15)) {
			val = a[14] == '=' ? a + 15 :
			      (i + 1 < argc ? argv[++i] : NULL);
			r = parse_size_opt("import", "--message-size", val,
					   MSG_MIN, MSG_MAX, &msg_size);
			if (r >= 0)
				return r;
		} else if (!strcmp(a, "--sectors")) {
			sectors = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (a[0] == '-' && a[1]) {
			return uerr("import", "unknown option '%s'", a);
		} else if (!name) {
			name = a;
		} else if (!file) {
			file = a;
		} else {
			return uerr("import", "unexpected argument '%s'", a);
		}
	}
	if (!name)
		return uerr("import", "missing <dm_name>");
	if (sectors && block_given)
		return uerr("import", "--sectors and --block-size exclude each other");

	r = remap_dev_get("import", name, &d);
	if (r)
		return r;
	if (sscanf(d.params, "%u", &unit_sectors) != 1 || !unit_sectors ||
	    (unit_sectors & (unit_sectors - 1))) {
		fprintf(stderr, "remapctl import: %s: cannot read the unit size from its status '%s'\n",
			name, d.params);
		return EXIT_USAGE;
	}

	if (!file || !strcmp(file, "-")) {
		f = stdin;
		file = "<stdin>";
	} else {
		f = fopen(file, "r");
		if (!f) {
			fprintf(stderr, "remapctl import: %s: %s\n", file,
				strerror(errno));
			return EXIT_USAGE;
		}
	}
	o.block_size = sectors ? 512 : (u32)block_size;
	o.dev_sectors = d.len;
	o.sectors = sectors;
	bb_list_init(&l);
	r = bb_parse_file(f, &o, &l, &lineno, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (r) {
		fprintf(stderr, "remapctl import: %s: %s; nothing imported\n",
			file, err);
		bb_list_free(&l);
		return r == -EINVAL ? EXIT_REFUSED : EXIT_USAGE;
	}
	bb_to_units(&l, unit_sectors);
	units = bb_count_units(&l);

	msg = malloc(msg_size);
	if (!msg) {
		fprintf(stderr, "remapctl import: out of memory\n");
		bb_list_free(&l);
		return EXIT_USAGE;
	}
	p.on = !quiet;
	p.tty = isatty(STDERR_FILENO);
	p.total = units;
	p.last = 0;
	p.decile = 0;
	p.shown = 0;
	t0 = now();
	bb_cursor_init(&c, &l, unit_sectors, d.len);
	r = 0;
	for (;;) {
		u64 n = bb_next_message(&c, msg, msg_size, MSG_MAX_UNITS);

		if (!n)
			break;
		r = dm_message(name, msg, resp, sizeof(resp));
		if (r)
			break;
		nmsg++;
		if (sscanf(resp, "%llu %llu", &ra, &sk) != 2) {
			fprintf(stderr, "remapctl import: %s: unexpected answer to remap_many: '%s'\n",
				name, resp);
			r = EPROTO;
			break;
		}
		remapped += ra;
		skipped += sk;
		sent += n;
		if (nmsg > 1 || sent < units)
			progress_show(&p, sent, false);
	}
	if (nmsg > 1 || r)
		progress_show(&p, sent, true);
	if (r && r != EPROTO) {
		if (r == ENOSPC)
			fprintf(stderr, "remapctl import: %s: the spare pool is full (ENOSPC): %llu of %llu units not imported (see dmesg)\n",
				name, (unsigned long long)(units - sent),
				(unsigned long long)units);
		else
			fprintf(stderr, "remapctl import: %s: the kernel refused remap_many: %s%s; %llu of %llu units not imported (see dmesg)\n",
				name, strerror(r),
				r == EROFS ? " (the metadata is read-only)" : "",
				(unsigned long long)(units - sent),
				(unsigned long long)units);
	}
	printf("remapctl import: %s: %llu entries, %llu units in %zu extents; remapped %llu, skipped %llu (already remapped), %llu messages, %.3f s\n",
	       name, (unsigned long long)l.entries, (unsigned long long)units,
	       l.n, (unsigned long long)remapped, (unsigned long long)skipped,
	       (unsigned long long)nmsg, now() - t0);
	free(msg);
	bb_list_free(&l);
	return r ? EXIT_REFUSED : EXIT_OK;
}

/* The INFO fields of docs/dm-remap.rst, in order. */
static const char *const status_labels[] = {
	"unit_sectors", "remapped_units", "spare_used/spare_total",
	"lost_sectors", "metadata", "pending_units", "reallocation_events",
	"auto_remaps", "uncorrectable_reads", "spare_errors",
	"retired_units", "auto_remap", "spare_state", "doubt_units",
	"scrub_state", "scrub_position", "scrub_end", "scrub_passes",
	"scrub_last_pass_end", "scrub_read_errors", "scrub_relocated",
	"scrub_weak", "scrub_pending",
};

int cmd_status(int argc, char **argv)
{
	const char *name = NULL;
	struct remap_dev d;
	char *save = NULL, *tok, *slash;
	size_t nl = sizeof(status_labels) / sizeof(status_labels[0]), k = 0;
	int i, r;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_status, stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return uerr("status", "unknown option '%s'", argv[i]);
		if (name)
			return uerr("status", "unexpected argument '%s'", argv[i]);
		name = argv[i];
	}
	if (!name)
		return uerr("status", "missing <dm_name>");
	r = remap_dev_get("status", name, &d);
	if (r)
		return r;
	printf("%-21s %s\n", "device:", name);
	printf("%-21s %u:%u\n", "dev:", d.major, d.minor);
	printf("%-21s %llu\n", "sectors:", (unsigned long long)d.len);
	for (tok = strtok_r(d.params, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), k++) {
		if (k == 2 && (slash = strchr(tok, '/'))) {
			*slash = '\0';
			printf("%-21s %s\n", "spare_used:", tok);
			printf("%-21s %s\n", "spare_total:", slash + 1);
		} else if (k < nl) {
			char label[40];

			snprintf(label, sizeof(label), "%s:", status_labels[k]);
			printf("%-21s %s\n", label, tok);
		} else {
			printf("field_%zu: %s\n", k + 1, tok);
		}
	}
	return EXIT_OK;
}
