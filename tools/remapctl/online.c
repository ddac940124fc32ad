// SPDX-License-Identifier: GPL-2.0-only
/*
 * online.c - remapctl's online commands (see online.h).
 *
 *   remapctl import <dm_name> [FILE|-] [-b N | --sectors | --ddrescue]
 *                   [--message-size N] [--quiet]
 *   remapctl status [--json] [<dm_name>...]
 *   remapctl list <dm_name> [--json]
 *   remapctl remap|unremap <dm_name> <sector>[+<count>]
 *
 * import reads a bad-block list or a ddrescue mapfile (bblist.c), and
 * sends its units to the target in "remap_many" messages of bounded size
 * (DM_DEVICE_TARGET_MSG); status reads DM_DEVICE_STATUS (no-flush) and
 * names the fields with core/remap_status.h, the table remapd uses too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include "bblist.h"
#include "online.h"

#define EXIT_OK		0
#define EXIT_REFUSED	2
#define EXIT_USAGE	3

/* Default and bounds of --message-size (bytes of one message). */
#define MSG_DEFAULT 65536U
#define MSG_MIN 64U
#define MSG_MAX 65536U
/* Units one message may cover: bounds the kernel's work per message. */
#define MSG_MAX_UNITS 65536U

const char usage_import[] =
"Usage: remapctl import <dm_name> [FILE|-] [-b BLOCK_SIZE | --sectors |\n"
"                       --ddrescue] [--message-size BYTES] [--quiet]\n"
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
"  --ddrescue           FILE is a GNU ddrescue mapfile of the dm device:\n"
"                       its '-' (bad-sector) areas are remapped\n"
"  --message-size N     largest message in bytes, 64-65536 (default 65536)\n"
"  -q, --quiet          no progress\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 imported; 2 refused: a bad line (nothing sent), or the\n"
"kernel refused a message (spare pool full, read-only metadata, ...);\n"
"3 usage error, no such device, not a remap target, device-mapper error.\n";

const char usage_status[] =
"Usage: remapctl status [--json] [<dm_name>...]\n"
"\n"
"Print the status of loaded dm-remap devices (every one when none is\n"
"named), one \"name: value\" line per field, a blank line between devices;\n"
"the fields of \"dmsetup status\" and the stats message, by the names of\n"
"docs/dm-remap.rst.  Read with no-flush: a suspended device is shown too.\n"
"\n"
"Options:\n"
"  --json       a JSON array, one object per device with named fields\n"
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
	bool suspended;
	char name[DM_NAME_LEN];
	char uuid[DM_UUID_LEN];
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
static int remap_dev_get(const char *cmd, const char *name,
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
	bool ddrescue = false;
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
		} else if (!strcmp(a, "--ddrescue")) {
			ddrescue = true;
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
	if (ddrescue && (sectors || block_given))
		return uerr("import", "--ddrescue excludes --sectors and --block-size (a mapfile counts bytes)");

	r = remap_dev_get("import", name, &d, false, false);
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
	o.block_size = sectors || ddrescue ? 512 : (u32)block_size;
	o.dev_sectors = d.len;
	o.sectors = sectors;
	o.ddrescue = ddrescue;
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

/* A JSON string, escaped. */
static void json_str(const char *v)
{
	putchar('"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
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
			 bool json, bool first)
{
	char label[48];
	int f;

	if (json) {
		printf("%s\n  {\"device\": ", first ? "" : ",");
		json_str(d->name);
		printf(", \"uuid\": ");
		json_str(d->uuid);
		printf(", \"dev\": \"%u:%u\", \"sectors\": %llu, \"suspended\": %s",
		       d->major, d->minor, (unsigned long long)d->len,
		       d->suspended ? "true" : "false");
		for (f = 0; f < REMAP_NR_FIELDS; f++) {
			if (!st->have[f])
				continue;
			printf(",\n   \"%s\": ", remap_fields[f].key);
			if (remap_fields[f].word)
				json_str(remap_field_word((enum remap_field)f,
							  st->v[f]) ?: "unknown");
			else
				printf("%llu", (unsigned long long)st->v[f]);
		}
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
}

int cmd_status(int argc, char **argv)
{
	char **names = NULL;
	size_t n = 0, i, shown = 0;
	bool json = false, all;
	int r, rc = EXIT_OK;

	for (i = 0; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_status, stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--json")) {
			json = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return uerr("status", "unknown option '%s'", argv[i]);
	}
	all = true;
	for (i = 0; i < (size_t)argc; i++)
		if (strcmp(argv[i], "--json"))
			all = false;
	if (all) {
		r = all_names(&names, &n);
		if (r)
			return r;
		qsort(names, n, sizeof(*names), name_cmp);
	} else {
		names = calloc((size_t)argc, sizeof(*names));
		if (!names)
			return EXIT_USAGE;
		for (i = 0; i < (size_t)argc; i++)
			if (strcmp(argv[i], "--json"))
				names[n++] = strdup(argv[i]);
		for (i = 0; i < n; i++)
			if (!names[i])
				return EXIT_USAGE;
	}
	if (json)
		printf("[");
	for (i = 0; i < n; i++) {
		struct remap_dev d;
		struct remap_status st;

		r = remap_dev_get("status", names[i], &d, true, all);
		if (r == EXIT_REFUSED && all)
			continue;
		if (r) {
			rc = r;
			continue;
		}
		if (remap_status_parse_line(d.params, &st)) {
			fprintf(stderr, "remapctl status: %s: cannot read its status line '%s'\n",
				d.name, d.params);
			rc = EXIT_USAGE;
			continue;
		}
		print_status(&d, &st, json, !shown);
		shown++;
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (fflush(stdout) || ferror(stdout))
		return EXIT_USAGE;
	return rc;
}

int cmd_list(int argc, char **argv)
{
	const char *name = NULL, *p;
	bool json = false, first = true;
	unsigned long long a, b, c;
	struct dm_task *dmt;
	struct remap_dev d;
	int i, r, e;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_list, stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return uerr("list", "unknown option '%s'", argv[i]);
		else if (name)
			return uerr("list", "unexpected argument '%s'", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return uerr("list", "missing <dm_name>");
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

int cmd_watch(int argc, char **argv)
{
	struct sigaction sa;
	unsigned long count = 0, views = 0;
	struct pollfd pf;
	bool tty = isatty(STDOUT_FILENO);
	char *end;
	int i, fd;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_watch, stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			count = strtoul(argv[++i], &end, 10);
			if (*end || !count)
				return uerr("watch", "--count: '%s' is not a number from 1", argv[i]);
			continue;
		}
		return uerr("watch", "unexpected argument '%s'", argv[i]);
	}
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
	const char *cmd = remap ? "remap" : "unremap", *name = NULL, *ext = NULL;
	char msg[96], buf[48], *plus;
	u64 sector, count = 1;
	struct remap_dev d;
	int i, r;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_remap, stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] && !name)
			return uerr(cmd, "unknown option '%s'", argv[i]);
		if (!name)
			name = argv[i];
		else if (!ext)
			ext = argv[i];
		else
			return uerr(cmd, "unexpected argument '%s'", argv[i]);
	}
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
