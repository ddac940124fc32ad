// SPDX-License-Identifier: GPL-2.0-only
/*
 * remapctl - tool for dm-remap: its persistent metadata (offline) and
 * loaded devices (online, online.c).
 *
 *   remapctl check   <spare_dev> [--spare-start N] [--repair]
 *   remapctl dump    <spare_dev> [--spare-start N] [--json]
 *   remapctl restore <spare_dev> --from <dump.json> [--spare-start N]
 *                    [--force]
 *   remapctl import  <dm_name> [FILE|-] [-b N | --sectors | --ddrescue] ...
 *   remapctl status  [--json] [<dm_name>...]
 *   remapctl list    <dm_name> [--json]
 *   remapctl remap|unremap <dm_name> <sector>[+<count>]
 *   remapctl watch   [--count N]
 *
 * The offline commands:
 * read (and restore writes) the metadata area at the start of a
 * dm-remap spare area, on a device or an image file, with plain pread and
 * pwrite; no device-mapper involved.  The bytes are encoded and checked by
 * core/remap_meta.c, the codec the kernel module uses too.  See
 * docs/remapctl.md and remapctl(8).
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include "online.h"
#include "assemble.h"
#include "remap_version.h"

#define BS REMAP_META_BLOCK_SIZE
#define PER REMAP_META_PER_BLOCK

/* Exit statuses (documented in --help and remapctl(8)). */
#define EXIT_HEALTHY	0
#define EXIT_REPAIRABLE	1
#define EXIT_BROKEN	2
#define EXIT_USAGE	3

/* Largest dump file restore reads. */
#define MAX_DUMP_BYTES (1ULL << 32)

/* The superblock's counters, in its order, by their status field names. */
static const enum remap_field counter_fields[5] = {
	REMAP_F_REALLOCATION_EVENTS, REMAP_F_AUTO_REMAPS,
	REMAP_F_UNCORRECTABLE_READS, REMAP_F_SPARE_ERRORS,
	REMAP_F_LOST_SECTORS,
};

static const char usage_main[] =
"Usage: remapctl <command> [options]\n"
"\n"
"Tool for dm-remap: offline, for its on-disk metadata (format versions 1\n"
"and 2), kept at the start of a dm-remap spare area (a block device or an\n"
"image file, no device-mapper needed); online, for a loaded dm-remap\n"
"device.\n"
"\n"
"Offline commands (on a spare device no table is using):\n"
"  check <spare_dev>     verify both copies of every metadata block\n"
"  dump <spare_dev>      print the superblock and the remap table\n"
"  restore <spare_dev>   write a new metadata area from a JSON dump\n"
"\n"
"Online commands (on a loaded dm-remap device, through libdevmapper):\n"
"  import <dm_name> [FILE]  remap the blocks a badblocks(8) list or a\n"
"                           ddrescue mapfile (--ddrescue) names\n"
"  status [<dm_name>...]    the status of the named (or every) device, one\n"
"                           named field a line (--json: named fields)\n"
"  list <dm_name>           the remapped units\n"
"  remap <dm_name> <sector>[+<count>]    remap the units holding them\n"
"  unremap <dm_name> <sector>[+<count>]  move them back to the main device\n"
"  watch                    a live view of every device, redrawn on events\n"
"  assemble <name>...|--all create (--stop: remove) the devices of /etc/remaptab\n"
"\n"
"remapctl <command> --help shows a command's options and exit statuses;\n"
"remapctl --version prints the dm-remap version it belongs to.\n";

static const char usage_check[] =
"Usage: remapctl check <spare_dev> [--spare-start N] [--repair]\n"
"\n"
"Read both superblocks and both copies of every pending and slot block,\n"
"choose the current copies as the module does at table load, and report\n"
"the format, the remapped, retired and pending counts and every problem:\n"
"invalid copies, stale copies, logical units remapped twice, slot values\n"
"that are not allowed.\n"
"\n"
"Options:\n"
"  --spare-start N   sector of <spare_dev> where the metadata starts\n"
"                    (the table's <spare_start>; default 0)\n"
"  --repair          rewrite invalid and stale copies from the current\n"
"                    ones and retire the old slot of an interrupted\n"
"                    relocation (only when nothing is broken), then check\n"
"                    again\n"
"  -h, --help        this help\n"
"\n"
"Exit status:\n"
"  0  healthy\n"
"  1  repairable: some block has only one valid copy, or a stale copy,\n"
"     or a relocation a crash cut short (a logical unit in two slots of\n"
"     slot blocks with different seq: the older slot is retired); the\n"
"     module repairs this at table load; so does --repair\n"
"  2  broken: no valid superblock (also: an all-zero, never formatted\n"
"     area), a block with no valid copy, a logical unit remapped twice,\n"
"     a slot value that is not allowed, or copies that disagree\n"
"  3  usage or I/O error\n"
"With --repair the status is the one found after repairing.\n";

static const char usage_dump[] =
"Usage: remapctl dump <spare_dev> [--spare-start N] [--json]\n"
"\n"
"Print the current superblock's fields, then the remapped units (one line\n"
"each: <lunit> <sunit> <logical_sector> <spare_sector>, by logical unit),\n"
"the retired spare units and the pending logical units.  logical_sector\n"
"counts from the start of the target; spare_sector is the sector of the\n"
"spare device (from the superblock's spare_start).\n"
"\n"
"Options:\n"
"  --spare-start N   sector of <spare_dev> where the metadata starts\n"
"                    (default 0)\n"
"  --json            one JSON object instead, the input of restore\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 dumped; 2 no usable metadata (no valid superblock, a\n"
"block with no valid copy, or an invalid slot value: see check);\n"
"3 usage or I/O error.\n";

static const char usage_restore[] =
"Usage: remapctl restore <spare_dev> --from <dump.json> [--spare-start N]\n"
"                        [--force]\n"
"\n"
"Write a complete new metadata area (both copies of everything) from a\n"
"dump made by \"remapctl dump --json\": the same uuid, geometry, counters,\n"
"initialized slot blocks (slot_blocks_init) and table, a new commit seq\n"
"and the superblock generation plus one.\n"
"Refused when the dump is inconsistent or does not fit the device.\n"
"\n"
"Options:\n"
"  --from FILE       the JSON dump (\"-\" reads standard input)\n"
"  --spare-start N   where to write; default and only allowed value: the\n"
"                    dump's spare_start (the module checks it)\n"
"  --force           overwrite valid metadata of another uuid\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 restored; 2 refused (bad dump, does not fit, other\n"
"metadata in the way); 3 usage or I/O error.\n";

struct opts {
	const char *dev;
	const char *from;
	u64 spare_start;
	bool have_spare_start;
	bool json, repair, force;
};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "remapctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'remapctl %s%s--help'.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

/*
 * Parse a command's arguments.  @allowed: the options it takes, as a
 * string of letters (s: --spare-start, j: --json, r: --repair, f: --from,
 * F: --force).  Returns -1 to go on, or an exit status.
 */
static int parse_opts(const char *cmd, const char *usage, const char *allowed,
		      int argc, char **argv, struct opts *o)
{
	const char *a, *val;
	char letter;
	size_t n;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return EXIT_HEALTHY;
		}
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++) {
				if (o->dev)
					return usage_error(cmd, "unexpected argument '%s'",
							   argv[i]);
				o->dev = argv[i];
			}
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if (o->dev)
				return usage_error(cmd, "unexpected argument '%s'", a);
			o->dev = a;
			continue;
		}
		val = NULL;
		letter = 0;
		if (!strncmp(a, "--spare-start", 13) &&
		    (a[13] == '\0' || a[13] == '=')) {
			letter = 's';
		} else if (!strncmp(a, "--from", 6) &&
			   (a[6] == '\0' || a[6] == '=')) {
			letter = 'f';
		} else if (!strcmp(a, "--json")) {
			letter = 'j';
		} else if (!strcmp(a, "--repair")) {
			letter = 'r';
		} else if (!strcmp(a, "--force")) {
			letter = 'F';
		}
		if (!letter || !strchr(allowed, letter))
			return usage_error(cmd, "unknown option '%s'", a);
		if (letter == 's' || letter == 'f') {
			n = letter == 's' ? 13 : 6;
			if (a[n] == '=') {
				val = a + n + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				return usage_error(cmd, "option '%s' needs a value",
						   a);
			}
		}
		switch (letter) {
		case 's':
			if (remap_parse_u64(val, &o->spare_start))
				return usage_error(cmd,
						   "--spare-start: '%s' is not a sector number",
						   val);
			o->have_spare_start = true;
			break;
		case 'f':
			if (!*val)
				return usage_error(cmd, "--from: %sempty file name",
						   "");
			o->from = val;
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
	if (!o->dev)
		return usage_error(cmd, "missing <spare_dev>%s", "");
	return -1;
}

static void print_time(FILE *f, u64 t)
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

/* ---- check ---- */

static void print_problems(const struct meta_img *m)
{
	static const char *const tag[] = {
		"note", "repairable", "broken",
	};
	size_t i;

	for (i = 0; i < m->nr_problems; i++)
		printf("  %s: %s\n", tag[m->problems[i].sev],
		       m->problems[i].msg);
}

static void print_summary(const struct meta_img *m)
{
	const struct remap_sb *sb = &m->sb;
	const struct remap_meta_layout *l = &sb->layout;
	char uuid[37];

	if (m->sb_pick < 0)
		return;
	uuid_format(sb->uuid, uuid);
	printf("superblock: copy %s current (generation %llu)\n",
	       m->sb_pick ? "B" : "A", (unsigned long long)sb->generation);
	printf("format: version %u, uuid %s, unit %u sectors, logical block size %u\n",
	       sb->version, uuid, sb->unit_sectors, sb->logical_block_size);
	printf("layout: %llu metadata blocks, spare unit 0 at +%llu sectors, %llu slots (%llu slot blocks, %llu initialized), %llu pending block(s)\n",
	       (unsigned long long)l->meta_blocks,
	       (unsigned long long)l->data_offset,
	       (unsigned long long)l->slot_capacity,
	       (unsigned long long)l->slot_blocks,
	       (unsigned long long)remap_sb_init_blocks(sb),
	       (unsigned long long)l->pending_blocks);
	printf("devices: main %llu sectors from sector %llu (%llu units), spare_start %llu; formatted ",
	       (unsigned long long)sb->main_dev_sectors,
	       (unsigned long long)sb->main_start,
	       (unsigned long long)m->lunit_limit,
	       (unsigned long long)sb->spare_start);
	print_time(stdout, sb->format_time);
	printf("\n");
	if (m->loaded)
		printf("table: %llu remapped, %llu retired, %llu pending; highest seq %llu\n",
		       (unsigned long long)m->nr_remapped,
		       (unsigned long long)m->nr_retired,
		       (unsigned long long)m->nr_pending,
		       (unsigned long long)m->max_seq);
}

static void print_status(const struct meta_img *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nr_problems; i++)
		n += m->problems[i].sev != SEV_NOTE;
	switch (m->severity) {
	case SEV_NOTE:
		printf("status: healthy\n");
		break;
	case SEV_REPAIRABLE:
		printf("status: repairable (%zu problem%s; the module repairs them at table load, or run check --repair)\n",
		       n, n == 1 ? "" : "s");
		break;
	default:
		printf("status: broken (%zu problem%s; the module refuses this metadata)\n",
		       n, n == 1 ? "" : "s");
		break;
	}
}

static void report(const struct meta_img *m)
{
	print_summary(m);
	if (m->nr_problems) {
		printf("problems:\n");
		print_problems(m);
	}
	print_status(m);
}

static int cmd_check(int argc, char **argv)
{
	struct meta_img m;
	struct opts o;
	int r;

	r = parse_opts("check", usage_check, "sr", argc, argv, &o);
	if (r >= 0)
		return r;
	if (meta_open(&m, o.dev, o.spare_start, o.repair))
		return EXIT_USAGE;
	printf("remapctl check: %s, metadata at sector %llu\n", o.dev,
	       (unsigned long long)o.spare_start);
	if (meta_load(&m)) {
		meta_close(&m);
		return EXIT_USAGE;
	}
	report(&m);
	if (o.repair && m.severity == SEV_REPAIRABLE) {
		long n = meta_repair(&m);

		if (n < 0) {
			meta_close(&m);
			return EXIT_USAGE;
		}
		printf("repair: rewrote %ld block%s; checking again\n", n,
		       n == 1 ? "" : "s");
		if (meta_load(&m)) {
			meta_close(&m);
			return EXIT_USAGE;
		}
		report(&m);
	} else if (o.repair && m.severity == SEV_BROKEN) {
		printf("repair: not attempted, the metadata is broken (restore it from a dump)\n");
	}
	r = (int)m.severity;
	meta_close(&m);
	return r;
}

/* ---- dump ---- */

static int cmp_lunit(const void *x, const void *y)
{
	const struct remap_entry *a = x, *b = y;

	if (a->lunit != b->lunit)
		return a->lunit < b->lunit ? -1 : 1;
	return a->sunit < b->sunit ? -1 : (a->sunit > b->sunit);
}

/*
 * Whether the table can be dumped: a current superblock, a current copy of
 * every block, and slot values that are units or retired.
 */
static bool dumpable(const struct meta_img *m)
{
	size_t i;

	if (m->sb_pick < 0 || !m->loaded)
		return false;
	for (i = 0; i < m->sb.layout.pending_blocks; i++)
		if (m->pend_bi[i].pick < 0)
			return false;
	for (i = 0; i < m->init_blocks; i++)
		if (m->slot_bi[i].pick < 0)
			return false;
	for (i = 0; i < m->nr_slots; i++)
		if (m->slots[i] != REMAP_SLOT_FREE &&
		    m->slots[i] != REMAP_SLOT_RETIRED &&
		    m->slots[i] - 1 > REMAP_SLOT_MAX_LUNIT)
			return false;
	return true;
}

/* Sector arithmetic that cannot overflow for valid tables; saturates. */
static u64 sat_mul_add(u64 a, u64 b, u64 c)
{
	if (b && a > (U64_MAX - c) / b)
		return U64_MAX;
	return a * b + c;
}

/* The superblock's numeric fields, in the order both dump formats use. */
struct sb_field {
	const char *name;
	unsigned long long v;
};

#define NR_SB_FIELDS 16

static size_t sb_fields(const struct remap_sb *sb, u64 seq,
			struct sb_field *f)
{
	const struct sb_field all[NR_SB_FIELDS] = {
		{ "version", sb->version },
		{ "unit_sectors", sb->unit_sectors },
		{ "logical_block_size", sb->logical_block_size },
		{ "flags", sb->flags },
		{ "main_dev_sectors", sb->main_dev_sectors },
		{ "main_start", sb->main_start },
		{ "spare_start", sb->spare_start },
		{ "meta_blocks", sb->layout.meta_blocks },
		{ "data_offset", sb->layout.data_offset },
		{ "slot_capacity", sb->layout.slot_capacity },
		{ "pending_blocks", sb->layout.pending_blocks },
		{ "slot_blocks", sb->layout.slot_blocks },
		{ "slot_blocks_init", sb->slot_blocks_init },
		{ "generation", sb->generation },
		{ "format_time", sb->format_time },
		{ "seq", seq },
	};

	memcpy(f, all, sizeof(all));
	return NR_SB_FIELDS;
}

static int cmd_dump(int argc, char **argv)
{
	struct sb_field f[NR_SB_FIELDS];
	const struct remap_sb *sb;
	struct remap_entry *e;
	struct meta_img m;
	struct opts o;
	u64 i, n = 0, unit, base, k, nf;
	char uuid[37];
	int r;

	r = parse_opts("dump", usage_dump, "sj", argc, argv, &o);
	if (r >= 0)
		return r;
	if (meta_open(&m, o.dev, o.spare_start, false))
		return EXIT_USAGE;
	if (meta_load(&m)) {
		meta_close(&m);
		return EXIT_USAGE;
	}
	if (!dumpable(&m)) {
		fprintf(stderr, "remapctl dump: %s: no usable metadata at sector %llu:\n",
			o.dev, (unsigned long long)o.spare_start);
		for (i = 0; i < m.nr_problems; i++)
			if (m.problems[i].sev == SEV_BROKEN)
				fprintf(stderr, "  %s\n", m.problems[i].msg);
		meta_close(&m);
		return EXIT_BROKEN;
	}
	if (m.severity != SEV_NOTE)
		fprintf(stderr, "remapctl dump: warning: %s has metadata problems (run remapctl check); dumping the current copies\n",
			o.dev);
	sb = &m.sb;
	unit = sb->unit_sectors;
	base = sat_mul_add(1, sb->spare_start, sb->layout.data_offset);
	e = malloc((m.nr_remapped ? m.nr_remapped : 1) * sizeof(*e));
	if (!e) {
		fprintf(stderr, "remapctl: out of memory\n");
		meta_close(&m);
		return EXIT_USAGE;
	}
	for (i = 0; i < m.nr_slots; i++) {
		if (m.slots[i] == REMAP_SLOT_FREE ||
		    m.slots[i] == REMAP_SLOT_RETIRED)
			continue;
		e[n].lunit = m.slots[i] - 1;
		e[n].sunit = i;
		n++;
	}
	qsort(e, n, sizeof(*e), cmp_lunit);
	uuid_format(sb->uuid, uuid);
	nf = sb_fields(sb, m.max_seq, f);

	if (o.json) {
		const char *sep;

		printf("{\n");
		printf("  \"format\": \"dm-remap metadata\",\n");
		printf("  \"uuid\": \"%s\",\n", uuid);
		printf("  \"instance\": %llu,\n", (unsigned long long)sb->instance);
		for (k = 0; k < nf; k++)
			printf("  \"%s\": %llu,\n", f[k].name, f[k].v);
		printf("  \"counters\": [");
		for (k = 0; k < REMAP_META_NR_COUNTERS; k++)
			printf("%s%llu", k ? ", " : "",
			       (unsigned long long)sb->counters[k]);
		printf("],\n");
		printf("  \"remaps\": [");
		for (i = 0, sep = "\n"; i < n; i++, sep = ",\n")
			printf("%s    {\"lunit\": %llu, \"sunit\": %llu, \"logical_sector\": %llu, \"spare_sector\": %llu}",
			       sep, (unsigned long long)e[i].lunit,
			       (unsigned long long)e[i].sunit,
			       (unsigned long long)sat_mul_add(e[i].lunit, unit, 0),
			       (unsigned long long)sat_mul_add(e[i].sunit, unit, base));
		printf("%s],\n", n ? "\n  " : "");
		printf("  \"retired\": [");
		for (i = 0, sep = "\n"; i < m.nr_slots; i++) {
			if (m.slots[i] != REMAP_SLOT_RETIRED)
				continue;
			printf("%s    {\"sunit\": %llu, \"spare_sector\": %llu}", sep,
			       (unsigned long long)i,
			       (unsigned long long)sat_mul_add(i, unit, base));
			sep = ",\n";
		}
		printf("%s],\n", m.nr_retired ? "\n  " : "");
		printf("  \"pending\": [");
		for (i = 0, sep = "\n"; i < sb->layout.pending_blocks * PER; i++) {
			if (!m.pending[i])
				continue;
			printf("%s    {\"lunit\": %llu, \"logical_sector\": %llu}", sep,
			       (unsigned long long)(m.pending[i] - 1),
			       (unsigned long long)sat_mul_add(m.pending[i] - 1,
							       unit, 0));
			sep = ",\n";
		}
		printf("%s]\n", m.nr_pending ? "\n  " : "");
		printf("}\n");
	} else {
		printf("# dm-remap metadata on %s at sector %llu\n", o.dev,
		       (unsigned long long)o.spare_start);
		printf("uuid                %s\n", uuid);
		printf("instance            0x%016llx\n",
		       (unsigned long long)sb->instance);
		for (k = 0; k < nf; k++) {
			printf("%-20s%llu", f[k].name, f[k].v);
			if (!strcmp(f[k].name, "format_time")) {
				printf(" (");
				print_time(stdout, f[k].v);
				printf(")");
			}
			printf("\n");
		}
		for (k = 0; k < REMAP_META_NR_COUNTERS; k++) {
			if (k < 5)
				printf("%-20s%llu\n",
				       remap_fields[counter_fields[k]].key,
				       (unsigned long long)sb->counters[k]);
			else if (sb->counters[k])
				printf("counter_%-12llu%llu\n",
				       (unsigned long long)k,
				       (unsigned long long)sb->counters[k]);
		}
		printf("remapped %llu\n", (unsigned long long)n);
		printf("# lunit sunit logical_sector spare_sector\n");
		for (i = 0; i < n; i++)
			printf("%llu %llu %llu %llu\n",
			       (unsigned long long)e[i].lunit,
			       (unsigned long long)e[i].sunit,
			       (unsigned long long)sat_mul_add(e[i].lunit, unit, 0),
			       (unsigned long long)sat_mul_add(e[i].sunit, unit, base));
		printf("retired %llu\n", (unsigned long long)m.nr_retired);
		printf("# sunit spare_sector\n");
		for (i = 0; i < m.nr_slots; i++)
			if (m.slots[i] == REMAP_SLOT_RETIRED)
				printf("%llu %llu\n", (unsigned long long)i,
				       (unsigned long long)sat_mul_add(i, unit, base));
		printf("pending %llu\n", (unsigned long long)m.nr_pending);
		printf("# lunit logical_sector\n");
		for (i = 0; i < sb->layout.pending_blocks * PER; i++)
			if (m.pending[i])
				printf("%llu %llu\n",
				       (unsigned long long)(m.pending[i] - 1),
				       (unsigned long long)sat_mul_add(m.pending[i] - 1,
								       unit, 0));
	}
	free(e);
	meta_close(&m);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "remapctl dump: write error: %s\n",
			strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_HEALTHY;
}

/* ---- restore ---- */

struct dump {
	struct remap_sb sb;
	u64 seq;
	u64 *slots;		/* init_blocks * PER */
	u64 init_blocks;	/* slot blocks initialized: written */
	u64 nr_slots;		/* slots in them within the capacity */
	u64 *pending;		/* pending_blocks * PER */
	u64 max_sunit;		/* highest used or retired spare unit + 1 */
};

struct reader {
	const char *file;
	char *err;
	size_t errlen;
};

static bool rerr(struct reader *rd, const struct json *at, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

static bool rerr(struct reader *rd, const struct json *at, const char *fmt,
		 ...)
{
	va_list ap;
	int n;

	if (at)
		n = snprintf(rd->err, rd->errlen, "%s: line %u, column %u: ",
			     rd->file, at->line, at->col);
	else
		n = snprintf(rd->err, rd->errlen, "%s: ", rd->file);
	if (n < 0 || (size_t)n >= rd->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(rd->err + n, rd->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

/* Member @key of @obj (named @where in messages) as a u64. */
static bool get_num(struct reader *rd, const struct json *obj,
		    const char *where, const char *key, u64 *out, bool optional,
		    bool *present)
{
	const struct json *v = json_get(obj, key);

	if (present)
		*present = v != NULL;
	if (!v) {
		if (optional)
			return true;
		return rerr(rd, obj, "%s: missing \"%s\"", where, key);
	}
	if (v->type != JSON_NUMBER)
		return rerr(rd, v, "%s: \"%s\" must be a number, not %s", where,
			    key, json_type_name(v->type));
	*out = v->number;
	return true;
}

static bool get_u32(struct reader *rd, const struct json *obj,
		    const char *key, u32 *out)
{
	u64 v;

	if (!get_num(rd, obj, "the dump", key, &v, false, NULL))
		return false;
	if (v > U32_MAX)
		return rerr(rd, json_get(obj, key),
			    "\"%s\" %llu does not fit in 32 bits", key,
			    (unsigned long long)v);
	*out = (u32)v;
	return true;
}

/* Only the members in @known (NULL-terminated) may appear in @obj. */
static bool known_members(struct reader *rd, const struct json *obj,
			  const char *where, const char *const *known)
{
	const char *const *k;
	size_t i;

	for (i = 0; i < obj->n; i++) {
		for (k = known; *k; k++)
			if (!strcmp(*k, obj->keys[i]))
				break;
		if (!*k)
			return rerr(rd, &obj->items[i], "%s: unknown member \"%s\"",
				    where, obj->keys[i]);
	}
	return true;
}

static bool parse_uuid(const char *s, u8 *out)
{
	static const int dash[] = { 8, 13, 18, 23 };
	int i, j = 0, d = 0, h;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
			continue;
		}
		if (s[i] >= '0' && s[i] <= '9')
			h = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			h = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			h = s[i] - 'A' + 10;
		else
			return false;
		if (j % 2)
			out[j / 2] = (u8)(out[j / 2] << 4 | h);
		else
			out[j / 2] = (u8)h;
		j++;
	}
	return true;
}

static const struct json *get_array(struct reader *rd, const struct json *obj,
				    const char *key)
{
	const struct json *v = json_get(obj, key);

	if (!v) {
		rerr(rd, obj, "missing \"%s\"", key);
		return NULL;
	}
	if (v->type != JSON_ARRAY) {
		rerr(rd, v, "\"%s\" must be an array, not %s", key,
		     json_type_name(v->type));
		return NULL;
	}
	return v;
}

/* Check an optional sector member against the value it must have. */
static bool check_sector(struct reader *rd, const struct json *item,
			 const char *where, const char *key, u64 want)
{
	bool present;
	u64 v = 0;

	if (!get_num(rd, item, where, key, &v, true, &present))
		return false;
	if (present && v != want)
		return rerr(rd, json_get(item, key),
			    "%s: \"%s\" is %llu, but the unit says %llu", where,
			    key, (unsigned long long)v,
			    (unsigned long long)want);
	return true;
}

static bool read_dump(struct reader *rd, const struct json *root,
		      struct dump *d)
{
	static const char *const top_keys[] = {
		"format", "version", "uuid", "instance", "unit_sectors",
		"logical_block_size", "flags", "main_dev_sectors", "main_start",
		"spare_start", "meta_blocks", "data_offset", "slot_capacity",
		"pending_blocks", "slot_blocks", "slot_blocks_init",
		"generation", "format_time",
		"seq", "counters", "remaps", "retired", "pending", NULL,
	};
	static const char *const remap_keys[] = {
		"lunit", "sunit", "logical_sector", "spare_sector", NULL,
	};
	static const char *const retired_keys[] = {
		"sunit", "spare_sector", NULL,
	};
	static const char *const pending_keys[] = {
		"lunit", "logical_sector", NULL,
	};
	struct remap_sb *sb = &d->sb;
	struct remap_meta_layout *l = &sb->layout;
	const struct json *v, *arr, *it;
	u64 meta_blocks, data_offset, pending_blocks, slot_blocks, cap;
	u64 lunit, sunit, limit, base, instance;
	char where[64];
	bool present;
	size_t i;
	int k;

	memset(d, 0, sizeof(*d));
	if (root->type != JSON_OBJECT)
		return rerr(rd, root, "the dump must be a JSON object, not %s",
			    json_type_name(root->type));
	v = json_get(root, "format");
	if (!v || v->type != JSON_STRING ||
	    strcmp(v->string, "dm-remap metadata"))
		return rerr(rd, v ? v : root,
			    "not a dump of dm-remap metadata (\"format\" must be \"dm-remap metadata\"; make one with remapctl dump --json)");
	if (!known_members(rd, root, "the dump", top_keys))
		return false;
	if (!get_u32(rd, root, "version", &sb->version))
		return false;
	if (sb->version != REMAP_META_VERSION &&
	    sb->version != REMAP_META_VERSION_PARTIAL)
		return rerr(rd, json_get(root, "version"),
			    "metadata version %u is not supported (only 1 and 2)",
			    sb->version);
	v = json_get(root, "uuid");
	if (!v)
		return rerr(rd, root, "missing \"uuid\"");
	if (v->type != JSON_STRING || !parse_uuid(v->string, sb->uuid))
		return rerr(rd, v,
			    "\"uuid\" must be a string like \"5eed0001-c0de-4d2e-8a11-00112233445f\"");
	sb->instance = 0;
	for (k = 7; k >= 0; k--)
		sb->instance = sb->instance << 8 | sb->uuid[k];
	if (!get_num(rd, root, "the dump", "instance", &instance, true,
		     &present))
		return false;
	if (present && instance != sb->instance)
		return rerr(rd, json_get(root, "instance"),
			    "\"instance\" %llu is not the uuid's first 8 bytes (%llu)",
			    (unsigned long long)instance,
			    (unsigned long long)sb->instance);
	if (!get_u32(rd, root, "unit_sectors", &sb->unit_sectors) ||
	    !get_u32(rd, root, "logical_block_size", &sb->logical_block_size) ||
	    !get_u32(rd, root, "flags", &sb->flags) ||
	    !get_num(rd, root, "the dump", "main_dev_sectors",
		     &sb->main_dev_sectors, false, NULL) ||
	    !get_num(rd, root, "the dump", "main_start", &sb->main_start,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "spare_start", &sb->spare_start,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "meta_blocks", &meta_blocks, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "data_offset", &data_offset, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "slot_capacity", &cap, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "pending_blocks", &pending_blocks,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "slot_blocks", &slot_blocks, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "slot_blocks_init",
		     &sb->slot_blocks_init, true, NULL) ||
	    !get_num(rd, root, "the dump", "generation", &sb->generation,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "format_time", &sb->format_time,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "seq", &d->seq, false, NULL))
		return false;
	if (sb->unit_sectors < 1 || sb->unit_sectors > REMAP_MAX_UNIT_SECTORS ||
	    (sb->unit_sectors & (sb->unit_sectors - 1)))
		return rerr(rd, json_get(root, "unit_sectors"),
			    "\"unit_sectors\" must be a power of two from 1 to %u",
			    REMAP_MAX_UNIT_SECTORS);
	if (!remap_meta_layout(cap, sb->unit_sectors, l))
		return rerr(rd, json_get(root, "slot_capacity"),
			    "\"slot_capacity\" %llu is not possible with %u-sector units",
			    (unsigned long long)cap, sb->unit_sectors);
	if (meta_blocks != l->meta_blocks || data_offset != l->data_offset ||
	    pending_blocks != l->pending_blocks ||
	    slot_blocks != l->slot_blocks)
		return rerr(rd, root,
			    "the layout (meta_blocks %llu, data_offset %llu, pending_blocks %llu, slot_blocks %llu) is not the one of the format for %llu slots of %u sectors (%llu, %llu, %llu, %llu)",
			    (unsigned long long)meta_blocks,
			    (unsigned long long)data_offset,
			    (unsigned long long)pending_blocks,
			    (unsigned long long)slot_blocks,
			    (unsigned long long)cap, sb->unit_sectors,
			    (unsigned long long)l->meta_blocks,
			    (unsigned long long)l->data_offset,
			    (unsigned long long)l->pending_blocks,
			    (unsigned long long)l->slot_blocks);
	/* Absent in dumps made before it existed: 0, all initialized. */
	if (!remap_sb_init_valid(sb->version, sb->slot_blocks_init,
				 l->slot_blocks))
		return rerr(rd, json_get(root, "slot_blocks_init") ?
			    json_get(root, "slot_blocks_init") : root,
			    "\"slot_blocks_init\" %llu does not go with version %u and %llu slot blocks (version 1: 0, all initialized; version 2: 1 to %llu)",
			    (unsigned long long)sb->slot_blocks_init,
			    sb->version, (unsigned long long)l->slot_blocks,
			    (unsigned long long)(l->slot_blocks - 1));
	d->init_blocks = remap_sb_init_blocks(sb);
	d->nr_slots = remap_meta_block_slots(l, d->init_blocks);
	if (sb->generation == U64_MAX || d->seq == U64_MAX)
		return rerr(rd, root, "\"generation\" or \"seq\" cannot be raised");

	v = json_get(root, "counters");
	if (!v)
		return rerr(rd, root, "missing \"counters\"");
	if (v->type != JSON_ARRAY || v->n != REMAP_META_NR_COUNTERS)
		return rerr(rd, v, "\"counters\" must be an array of %u numbers",
			    REMAP_META_NR_COUNTERS);
	for (i = 0; i < REMAP_META_NR_COUNTERS; i++) {
		if (v->items[i].type != JSON_NUMBER)
			return rerr(rd, &v->items[i],
				    "\"counters\"[%zu] must be a number", i);
		sb->counters[i] = v->items[i].number;
	}

	d->slots = calloc(d->init_blocks * PER, sizeof(u64));
	d->pending = calloc(l->pending_blocks * PER, sizeof(u64));
	if (!d->slots || !d->pending)
		return rerr(rd, NULL, "out of memory for %llu slots",
			    (unsigned long long)cap);
	limit = meta_lunit_limit(sb);
	base = sb->spare_start + l->data_offset;
	if (base < sb->spare_start)
		return rerr(rd, root, "\"spare_start\" is out of range");

	arr = get_array(rd, root, "remaps");
	if (!arr)
		return false;
	for (i = 0; i < arr->n; i++) {
		it = &arr->items[i];
		snprintf(where, sizeof(where), "\"remaps\"[%zu]", i);
		if (it->type != JSON_OBJECT)
			return rerr(rd, it, "%s must be an object", where);
		if (!known_members(rd, it, where, remap_keys) ||
		    !get_num(rd, it, where, "lunit", &lunit, false, NULL) ||
		    !get_num(rd, it, where, "sunit", &sunit, false, NULL))
			return false;
		if (sunit >= cap)
			return rerr(rd, it, "%s: spare unit %llu is beyond the slot capacity %llu",
				    where, (unsigned long long)sunit,
				    (unsigned long long)cap);
		if (sunit >= d->nr_slots)
			return rerr(rd, it, "%s: spare unit %llu is beyond the initialized slot blocks (%llu slots)",
				    where, (unsigned long long)sunit,
				    (unsigned long long)d->nr_slots);
		if (lunit >= limit)
			return rerr(rd, it, "%s: logical unit %llu is beyond the main device (%llu units)",
				    where, (unsigned long long)lunit,
				    (unsigned long long)limit);
		if (d->slots[sunit])
			return rerr(rd, it, "%s: spare unit %llu is used twice",
				    where, (unsigned long long)sunit);
		if (!check_sector(rd, it, where, "logical_sector",
				  sat_mul_add(lunit, sb->unit_sectors, 0)) ||
		    !check_sector(rd, it, where, "spare_sector",
				  sat_mul_add(sunit, sb->unit_sectors, base)))
			return false;
		d->slots[sunit] = lunit + 1;
		if (sunit + 1 > d->max_sunit)
			d->max_sunit = sunit + 1;
	}
	/* Each logical unit once: sort a copy of the lunits. */
	if (arr->n) {
		struct remap_entry *e = malloc(arr->n * sizeof(*e));
		size_t n = 0;

		if (!e)
			return rerr(rd, NULL, "out of memory");
		for (sunit = 0; sunit < d->nr_slots; sunit++)
			if (d->slots[sunit]) {
				e[n].lunit = d->slots[sunit] - 1;
				e[n].sunit = sunit;
				n++;
			}
		remap_index_sort(e, n);
		for (i = 1; i < n; i++)
			if (e[i].lunit == e[i - 1].lunit) {
				lunit = e[i].lunit;
				free(e);
				return rerr(rd, arr,
					    "\"remaps\": logical unit %llu is remapped twice",
					    (unsigned long long)lunit);
			}
		free(e);
	}

	arr = get_array(rd, root, "retired");
	if (!arr)
		return false;
	for (i = 0; i < arr->n; i++) {
		it = &arr->items[i];
		snprintf(where, sizeof(where), "\"retired\"[%zu]", i);
		if (it->type != JSON_OBJECT)
			return rerr(rd, it, "%s must be an object", where);
		if (!known_members(rd, it, where, retired_keys) ||
		    !get_num(rd, it, where, "sunit", &sunit, false, NULL))
			return false;
		if (sunit >= cap)
			return rerr(rd, it, "%s: spare unit %llu is beyond the slot capacity %llu",
				    where, (unsigned long long)sunit,
				    (unsigned long long)cap);
		if (sunit >= d->nr_slots)
			return rerr(rd, it, "%s: spare unit %llu is beyond the initialized slot blocks (%llu slots)",
				    where, (unsigned long long)sunit,
				    (unsigned long long)d->nr_slots);
		if (d->slots[sunit])
			return rerr(rd, it, "%s: spare unit %llu is used twice",
				    where, (unsigned long long)sunit);
		if (!check_sector(rd, it, where, "spare_sector",
				  sat_mul_add(sunit, sb->unit_sectors, base)))
			return false;
		d->slots[sunit] = REMAP_SLOT_RETIRED;
		if (sunit + 1 > d->max_sunit)
			d->max_sunit = sunit + 1;
	}

	arr = get_array(rd, root, "pending");
	if (!arr)
		return false;
	if (arr->n > l->pending_blocks * PER)
		return rerr(rd, arr, "\"pending\": %zu entries, the format holds %llu",
			    arr->n, (unsigned long long)(l->pending_blocks * PER));
	for (i = 0; i < arr->n; i++) {
		it = &arr->items[i];
		snprintf(where, sizeof(where), "\"pending\"[%zu]", i);
		if (it->type != JSON_OBJECT)
			return rerr(rd, it, "%s must be an object", where);
		if (!known_members(rd, it, where, pending_keys) ||
		    !get_num(rd, it, where, "lunit", &lunit, false, NULL))
			return false;
		if (lunit >= limit)
			return rerr(rd, it, "%s: logical unit %llu is beyond the main device (%llu units)",
				    where, (unsigned long long)lunit,
				    (unsigned long long)limit);
		if (!check_sector(rd, it, where, "logical_sector",
				  sat_mul_add(lunit, sb->unit_sectors, 0)))
			return false;
		d->pending[i] = lunit + 1;
	}
	return true;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, n = 0;
	char *buf, *t;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		if (cap >= MAX_DUMP_BYTES) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		cap *= 2;
		t = realloc(buf, cap);
		if (!t)
			free(buf);
		buf = t;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* Encode and write blocks [first, first + nr) of a region, one copy. */
static int write_region(int fd, u64 start, u32 magic, u64 instance, u64 seq,
			u64 region, u64 nr, const u64 *entries, u8 *buf)
{
	u64 first = 0, i;

	while (first < nr) {
		u64 n = nr - first;

		if (n > 256)
			n = 256;
		for (i = 0; i < n; i++)
			remap_entries_encode(magic, instance, region + first + i,
					     seq, entries + (first + i) * PER,
					     buf + i * BS);
		if (write_at(fd, buf, n * BS, (start << 9) +
			     (region + first) * BS))
			return -1;
		first += n;
	}
	return 0;
}

static int cmd_restore(int argc, char **argv)
{
	struct reader rd;
	struct meta_img m;
	struct json *root = NULL;
	struct dump d;
	struct opts o;
	char err[512], uuid[37];
	const struct remap_meta_layout *l;
	u64 dev_sectors, end, seq, area;
	size_t len;
	char *text;
	u8 *buf = NULL;
	int r, status = EXIT_BROKEN;

	r = parse_opts("restore", usage_restore, "sfF", argc, argv, &o);
	if (r >= 0)
		return r;
	if (!o.from)
		return usage_error("restore", "missing --from <dump.json>%s", "");
	text = read_file(o.from, &len);
	if (!text) {
		fprintf(stderr, "remapctl restore: %s: %s\n", o.from,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (json_parse(text, len, &root, err, sizeof(err))) {
		fprintf(stderr, "remapctl restore: %s: not valid JSON: %s\n",
			o.from, err);
		free(text);
		return EXIT_BROKEN;
	}
	free(text);
	rd.file = o.from;
	rd.err = err;
	rd.errlen = sizeof(err);
	if (!read_dump(&rd, root, &d)) {
		fprintf(stderr, "remapctl restore: %s\n", err);
		goto out_dump;
	}
	json_free(root);
	root = NULL;
	l = &d.sb.layout;

	if (!o.have_spare_start)
		o.spare_start = d.sb.spare_start;
	if (o.spare_start != d.sb.spare_start) {
		fprintf(stderr, "remapctl restore: the dump is for spare_start %llu, not %llu (the module only loads metadata where its superblock says it is)\n",
			(unsigned long long)d.sb.spare_start,
			(unsigned long long)o.spare_start);
		goto out_dump;
	}
	if (meta_open(&m, o.dev, o.spare_start, true)) {
		status = EXIT_USAGE;
		goto out_dump;
	}
	/* The metadata, one unit and every unit in use on the device. */
	dev_sectors = m.dev_bytes >> 9;
	area = d.max_sunit > 1 ? d.max_sunit : 1;
	end = o.spare_start + l->data_offset;
	if (end < o.spare_start || end > dev_sectors ||
	    (dev_sectors - end) >> __builtin_ctz(d.sb.unit_sectors) < area) {
		fprintf(stderr, "remapctl restore: the dump does not fit %s (%llu sectors): it needs %llu metadata sectors from sector %llu and %llu spare unit%s of %u sectors after them\n",
			o.dev, (unsigned long long)dev_sectors,
			(unsigned long long)l->data_offset,
			(unsigned long long)o.spare_start,
			(unsigned long long)area, area == 1 ? "" : "s",
			d.sb.unit_sectors);
		goto out_close;
	}
	/* Do not overwrite somebody else's metadata without --force. */
	if (meta_load(&m)) {
		status = EXIT_USAGE;
		goto out_close;
	}
	if (m.sb_pick >= 0 && memcmp(m.sb.uuid, d.sb.uuid, 16) && !o.force) {
		uuid_format(m.sb.uuid, uuid);
		fprintf(stderr, "remapctl restore: %s holds dm-remap metadata of another uuid (%s) at sector %llu; use --force to overwrite it\n",
			o.dev, uuid, (unsigned long long)o.spare_start);
		goto out_close;
	}

	/*
	 * Tables first (A, then B), then superblock B, then A; of the slot
	 * blocks, the initialized ones only (the others hold nothing).
	 */
	seq = d.seq + 1;
	d.sb.seq = seq;
	d.sb.generation++;
	buf = malloc(256 * BS);
	if (!buf) {
		fprintf(stderr, "remapctl: out of memory\n");
		status = EXIT_USAGE;
		goto out_close;
	}
	if (write_region(m.fd, o.spare_start, REMAP_MAGIC_PENDING,
			 d.sb.instance, seq, l->pending_a, l->pending_blocks,
			 d.pending, buf) ||
	    write_region(m.fd, o.spare_start, REMAP_MAGIC_SLOTS,
			 d.sb.instance, seq, l->slots_a, d.init_blocks,
			 d.slots, buf) ||
	    fsync(m.fd) ||
	    write_region(m.fd, o.spare_start, REMAP_MAGIC_PENDING,
			 d.sb.instance, seq, l->pending_b, l->pending_blocks,
			 d.pending, buf) ||
	    write_region(m.fd, o.spare_start, REMAP_MAGIC_SLOTS,
			 d.sb.instance, seq, l->slots_b, d.init_blocks,
			 d.slots, buf) ||
	    fsync(m.fd))
		goto io_error;
	remap_sb_encode(&d.sb, 1, buf);
	if (write_at(m.fd, buf, BS, (o.spare_start << 9) + BS) || fsync(m.fd))
		goto io_error;
	remap_sb_encode(&d.sb, 0, buf);
	if (write_at(m.fd, buf, BS, o.spare_start << 9) || fsync(m.fd))
		goto io_error;

	/* Read it back: it must check clean. */
	if (meta_load(&m)) {
		status = EXIT_USAGE;
		goto out_close;
	}
	if (m.severity != SEV_NOTE || m.sb.generation != d.sb.generation) {
		fprintf(stderr, "remapctl restore: %s: the metadata written does not read back clean:\n",
			o.dev);
		print_problems(&m);
		status = EXIT_USAGE;
		goto out_close;
	}
	uuid_format(d.sb.uuid, uuid);
	printf("remapctl restore: wrote %llu metadata blocks to %s at sector %llu: uuid %s, generation %llu, seq %llu; %llu remapped, %llu retired, %llu pending\n",
	       (unsigned long long)(2 + 2 * l->pending_blocks +
				    2 * d.init_blocks), o.dev,
	       (unsigned long long)o.spare_start, uuid,
	       (unsigned long long)d.sb.generation, (unsigned long long)seq,
	       (unsigned long long)m.nr_remapped,
	       (unsigned long long)m.nr_retired,
	       (unsigned long long)m.nr_pending);
	status = EXIT_HEALTHY;
	goto out_close;

io_error:
	fprintf(stderr, "remapctl restore: %s: write error: %s\n", o.dev,
		strerror(errno));
	status = EXIT_USAGE;
out_close:
	free(buf);
	meta_close(&m);
out_dump:
	json_free(root);
	free(d.slots);
	free(d.pending);
	return status;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage_error(NULL, "missing command%s", "");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		if (argc > 2 && !strcmp(cmd, "help")) {
			if (!strcmp(argv[2], "check"))
				fputs(usage_check, stdout);
			else if (!strcmp(argv[2], "dump"))
				fputs(usage_dump, stdout);
			else if (!strcmp(argv[2], "restore"))
				fputs(usage_restore, stdout);
			else if (!strcmp(argv[2], "import"))
				fputs(usage_import, stdout);
			else if (!strcmp(argv[2], "status"))
				fputs(usage_status, stdout);
			else if (!strcmp(argv[2], "list"))
				fputs(usage_list, stdout);
			else if (!strcmp(argv[2], "remap") ||
				 !strcmp(argv[2], "unremap"))
				fputs(usage_remap, stdout);
			else if (!strcmp(argv[2], "watch"))
				fputs(usage_watch, stdout);
			else
				return usage_error(NULL, "unknown command '%s'",
						   argv[2]);
			return EXIT_HEALTHY;
		}
		fputs(usage_main, stdout);
		return EXIT_HEALTHY;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		if (argc > 2)
			return usage_error(NULL, "unexpected argument '%s'",
					   argv[2]);
		printf("remapctl (dm-remap) %s\n", DM_REMAP_VERSION);
		return EXIT_HEALTHY;
	}
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(cmd, "dump"))
		return cmd_dump(argc - 2, argv + 2);
	if (!strcmp(cmd, "restore"))
		return cmd_restore(argc - 2, argv + 2);
	if (!strcmp(cmd, "import"))
		return cmd_import(argc - 2, argv + 2);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 2, argv + 2);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 2, argv + 2);
	if (!strcmp(cmd, "remap"))
		return cmd_remap(argc - 2, argv + 2, true);
	if (!strcmp(cmd, "unremap"))
		return cmd_remap(argc - 2, argv + 2, false);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(argc - 2, argv + 2);
	if (!strcmp(cmd, "assemble"))
		return cmd_assemble(argc - 2, argv + 2);
	if (cmd[0] == '-')
		return usage_error(NULL, "unknown option '%s'", cmd);
	return usage_error(NULL, "unknown command '%s'", cmd);
}
