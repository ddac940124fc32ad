// SPDX-License-Identifier: GPL-2.0-only
/*
 * import.c - remapctl import: read a bad-block list or a ddrescue mapfile
 * (bblist.c), merge it into extents of units, and send them to a loaded
 * device in "remap_many" messages of bounded size, showing progress.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remap_args.h"
#include "bblist.h"
#include "online.h"

/* Default and bounds of --message-size (bytes of one message). */
#define MSG_DEFAULT 65536U
#define MSG_MIN 64U
#define MSG_MAX 65536U
/* Units one message may cover: bounds the kernel's work per message. */
#define MSG_MAX_UNITS 65536U

const char usage_import[] =
"Usage: remapctl import <dm_name> [FILE|-] [-b BLOCK_SIZE | --sectors |\n"
"                       --ddrescue] [--zero-fill] [--message-size BYTES]\n"
"                       [--quiet]\n"
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
"With --zero-fill the listed units are known to be unreadable: their data\n"
"is not copied from the main device (no reads, no retries); the spare\n"
"units are filled with zeroes instead, every sector of those units counts\n"
"as lost (lost_sectors in status) and the kernel log names them.  What the\n"
"main device still held there is discarded.  Units already remapped keep\n"
"their data.\n"
"\n"
"Options:\n"
"  -b, --block-size N   bytes per listed block, a multiple of 512 (default\n"
"                       1024, as badblocks; use the -b given to badblocks)\n"
"  --sectors            the list holds 512-byte sector numbers instead\n"
"  --ddrescue           FILE is a GNU ddrescue mapfile of the dm device:\n"
"                       its '-' (bad-sector) areas are remapped\n"
"  --zero-fill          zero-fill the spare units instead of copying the\n"
"                       units (for units known unreadable; counted as lost)\n"
"  --message-size N     largest message in bytes, 64-65536 (default 65536)\n"
"  -q, --quiet          no progress\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 imported; 2 refused: a bad line (nothing sent), or the\n"
"kernel refused a message (spare pool full, read-only metadata, ...);\n"
"3 usage error, no such device, not a remap target, device-mapper error.\n";

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

/* What import was asked to do. */
struct import_opts {
	const char *name, *file;
	u64 block_size, msg_size;
	bool sectors, block_given, ddrescue, quiet, zero_fill;
};

static const struct option import_longopts[] = {
	{ "block-size", required_argument, NULL, 'b' },
	{ "message-size", required_argument, NULL, 'm' },
	{ "sectors", no_argument, NULL, 's' },
	{ "ddrescue", no_argument, NULL, 'd' },
	{ "zero-fill", no_argument, NULL, 'z' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int import_opt(void *ctx, int c, const char *arg)
{
	struct import_opts *io = ctx;
	bool *const on[] = { &io->sectors, &io->ddrescue, &io->zero_fill,
			     &io->quiet };
	int r;

	if (set_flag("sdzq", on, c))
		return -1;
	switch (c) {
	case 'b':
		r = parse_size_opt("import", "--block-size", arg, 512,
				   1ULL << 30, &io->block_size);
		if (r >= 0)
			return r;
		if (!bb_block_size_ok(io->block_size))
			return uerr("import", "--block-size: %llu is not a multiple of 512",
				    (unsigned long long)io->block_size);
		io->block_given = true;
		return -1;
	case 'm':
		return parse_size_opt("import", "--message-size", arg, MSG_MIN,
				      MSG_MAX, &io->msg_size);
	}
	return OPT_NOT_HERE;
}

/* Parse import's arguments.  -1 to go on, or an exit status. */
static int import_options(int argc, char **argv, struct import_opts *io)
{
	char **pos;
	int n, r;

	memset(io, 0, sizeof(*io));
	io->block_size = BB_DEFAULT_BLOCK_SIZE;
	io->msg_size = MSG_DEFAULT;
	r = cmd_options("import", usage_import, argc, argv, "b:q",
			import_longopts, import_opt, io, 2, "<dm_name>", &pos, &n);
	if (r >= 0)
		return r;
	io->name = pos[0];
	io->file = n > 1 ? pos[1] : NULL;
	if (io->sectors && io->block_given)
		return uerr("import", "--sectors and --block-size exclude each other");
	if (io->ddrescue && (io->sectors || io->block_given))
		return uerr("import", "--ddrescue excludes --sectors and --block-size (a mapfile counts bytes)");
	return -1;
}

/*
 * Read the list (a file, or standard input for none or "-") into @l, in
 * units of @unit_sectors.  0, or an exit status after saying why.
 */
static int import_read(const struct import_opts *io, u64 dev_sectors,
		       unsigned int unit_sectors, struct bb_list *l)
{
	const char *file = io->file;
	struct bb_opts o;
	char err[512];
	u64 lineno;
	FILE *f;
	int r;

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
	o.block_size = io->sectors || io->ddrescue ? 512 : (u32)io->block_size;
	o.dev_sectors = dev_sectors;
	o.sectors = io->sectors;
	o.ddrescue = io->ddrescue;
	bb_list_init(l);
	r = bb_parse_file(f, &o, l, &lineno, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (r) {
		fprintf(stderr, "remapctl import: %s: %s; nothing imported\n",
			file, err);
		bb_list_free(l);
		return r == -EINVAL ? EXIT_REFUSED : EXIT_USAGE;
	}
	bb_to_units(l, unit_sectors);
	return 0;
}

/* What the messages of one import did. */
struct import_result {
	u64 sent, remapped, skipped, nmsg;
};

/*
 * Send @l's units in remap_many messages of at most @io->msg_size bytes.
 * 0, or the errno of the message the kernel refused (EPROTO: an answer
 * that could not be read).
 */
static int import_send(const struct import_opts *io, const struct remap_dev *d,
		       const struct bb_list *l, unsigned int unit_sectors,
		       u64 units, struct import_result *res)
{
	unsigned long long ra, sk;
	struct bb_cursor c;
	struct progress p;
	char resp[256], *msg;
	int r = 0;

	msg = malloc(io->msg_size);
	if (!msg)
		return ENOMEM;
	p.on = !io->quiet;
	p.tty = isatty(STDERR_FILENO);
	p.total = units;
	p.last = 0;
	p.decile = 0;
	p.shown = 0;
	bb_cursor_init(&c, l, unit_sectors, d->len);
	c.zero_fill = io->zero_fill;
	for (;;) {
		u64 n = bb_next_message(&c, msg, io->msg_size, MSG_MAX_UNITS);

		if (!n)
			break;
		r = dm_message(io->name, msg, resp, sizeof(resp));
		if (r)
			break;
		res->nmsg++;
		if (sscanf(resp, "%llu %llu", &ra, &sk) != 2) {
			fprintf(stderr, "remapctl import: %s: unexpected answer to remap_many: '%s'\n",
				io->name, resp);
			r = EPROTO;
			break;
		}
		res->remapped += ra;
		res->skipped += sk;
		res->sent += n;
		if (res->nmsg > 1 || res->sent < units)
			progress_show(&p, res->sent, false);
	}
	if (res->nmsg > 1 || r)
		progress_show(&p, res->sent, true);
	free(msg);
	return r;
}

int cmd_import(int argc, char **argv)
{
	struct import_result res = { 0 };
	struct import_opts io;
	unsigned int unit_sectors;
	struct remap_dev d;
	struct bb_list l;
	u64 units;
	double t0;
	int r;

	r = import_options(argc, argv, &io);
	if (r >= 0)
		return r;
	r = remap_dev_get("import", io.name, &d, false, false);
	if (r)
		return r;
	if (sscanf(d.params, "%u", &unit_sectors) != 1 || !unit_sectors ||
	    (unit_sectors & (unit_sectors - 1))) {
		fprintf(stderr, "remapctl import: %s: cannot read the unit size from its status '%s'\n",
			io.name, d.params);
		return EXIT_USAGE;
	}
	r = import_read(&io, d.len, unit_sectors, &l);
	if (r)
		return r;
	units = bb_count_units(&l);
	t0 = now();
	r = import_send(&io, &d, &l, unit_sectors, units, &res);
	if (r == ENOSPC)
		fprintf(stderr, "remapctl import: %s: the spare pool is full (ENOSPC): %llu of %llu units not imported (see dmesg)\n",
			io.name, (unsigned long long)(units - res.sent),
			(unsigned long long)units);
	else if (r && r != EPROTO)
		fprintf(stderr, "remapctl import: %s: the kernel refused remap_many: %s%s; %llu of %llu units not imported (see dmesg)\n",
			io.name, strerror(r),
			r == EROFS ? " (the metadata is read-only)" : "",
			(unsigned long long)(units - res.sent),
			(unsigned long long)units);
	printf("remapctl import: %s: %llu entries, %llu units in %zu extents; remapped %llu%s, skipped %llu (already remapped), %llu messages, %.3f s\n",
	       io.name, (unsigned long long)l.entries, (unsigned long long)units,
	       l.n, (unsigned long long)res.remapped,
	       io.zero_fill ? " (zero-filled, counted as lost)" : "",
	       (unsigned long long)res.skipped, (unsigned long long)res.nmsg,
	       now() - t0);
	bb_list_free(&l);
	return r ? EXIT_REFUSED : EXIT_OK;
}
