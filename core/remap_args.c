// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_args.c - parsing and checking the table line and target messages.
 *
 * See remap_args.h.  Every refusal sets a static message; nothing here
 * touches a device or allocates.
 */
#include "remap_args.h"
#include "remap_meta.h"

#define RA_SECTOR_SIZE (1U << REMAP_SECTOR_SHIFT)

static int ra_fail(const char **error, const char *msg)
{
	if (error)
		*error = msg;
	return -EINVAL;
}

static bool ra_is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static bool ra_empty(const char *s)
{
	return !s || !*s;
}

/* Strict decimal in s[0 .. len): the parser of remap_parse_u64(). */
int remap_parse_u64_n(const char *s, size_t len, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!len)
		return -EINVAL;

	for (i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned int)(s[i] - '0');
		if (v > (U64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int remap_parse_u64(const char *s, u64 *out)
{
	if (ra_empty(s))
		return -EINVAL;
	return remap_parse_u64_n(s, strlen(s), out);
}

/*
 * The value after the keyword argv[*i] of a feature that takes one and
 * may be given once (@given: it was): *i is left on it.  NULL after the
 * error @dup or @missing.
 */
static const char *ra_value(unsigned int argc, char **argv, unsigned int *i,
			    bool given, const char *dup, const char *missing,
			    const char **error)
{
	if (given) {
		ra_fail(error, dup);
		return NULL;
	}
	if (*i + 1 >= argc) {
		ra_fail(error, missing);
		return NULL;
	}
	return argv[++(*i)];
}

/* "read_retries <n>": argv[*i] is the keyword; *i is left on the value. */
static int ra_parse_retries(unsigned int argc, char **argv, unsigned int *i,
			    struct remap_features *f, const char **error)
{
	const char *s = ra_value(argc, argv, i, f->read_retries_given,
				 "Duplicate feature argument read_retries",
				 "Missing value for feature read_retries",
				 error);
	u64 v;

	if (!s)
		return -EINVAL;
	if (remap_parse_u64(s, &v) || v > REMAP_MAX_READ_RETRIES)
		return ra_fail(error, "read_retries must be a number from 0 to 16");
	f->read_retries = (u32)v;
	f->read_retries_given = true;
	return 0;
}

/* "unit_sectors <n>" at argv[*i]; *i is left on its value. */
static int ra_parse_unit(unsigned int argc, char **argv, unsigned int *i,
			 struct remap_features *f, const char **error)
{
	const char *s = ra_value(argc, argv, i, f->unit_sectors,
				 "Duplicate feature argument unit_sectors",
				 "Missing value for feature unit_sectors",
				 error);
	u64 v;

	if (!s)
		return -EINVAL;
	if (remap_parse_u64(s, &v))
		return ra_fail(error, "Invalid unit_sectors");
	if (!ra_is_pow2(v) || v > REMAP_MAX_UNIT_SECTORS)
		return ra_fail(error,
			       "unit_sectors must be a power of two from 1 to 2048");
	f->unit_sectors = (u32)v;
	return 0;
}

/* argv[first..argc): the feature words, already counted. */
int remap_parse_features(unsigned int argc, char **argv, unsigned int first,
			 struct remap_features *f, const char **error)
{
	unsigned int i;
	int r;

	for (i = first; i < argc; i++) {
		const char *word = argv[i];

		if (ra_empty(word))
			return ra_fail(error, "Unrecognised feature argument");
		if (!strcmp(word, "unit_sectors")) {
			r = ra_parse_unit(argc, argv, &i, f, error);
			if (r)
				return r;
		} else if (!strcmp(word, "volatile")) {
			if (f->volatile_table)
				return ra_fail(error,
					       "Duplicate feature argument volatile");
			f->volatile_table = true;
		} else if (!strcmp(word, "no_auto_remap")) {
			if (f->no_auto_remap)
				return ra_fail(error,
					       "Duplicate feature argument no_auto_remap");
			f->no_auto_remap = true;
		} else if (!strcmp(word, "read_retries")) {
			r = ra_parse_retries(argc, argv, &i, f, error);
			if (r)
				return r;
		} else {
			return ra_fail(error, "Unrecognised feature argument");
		}
	}
	return 0;
}

int remap_parse_ctr(unsigned int argc, char **argv, struct remap_ctr_args *a,
		    const char **error)
{
	u64 nr_feat;

	memset(a, 0, sizeof(*a));
	a->features.read_retries = REMAP_DEFAULT_READ_RETRIES;

	if (argc < 5)
		return ra_fail(error, "Not enough arguments");

	if (ra_empty(argv[0]))
		return ra_fail(error, "Invalid main device path");
	a->main_path = argv[0];
	if (remap_parse_u64(argv[1], &a->main_start))
		return ra_fail(error, "Invalid main_start");
	if (ra_empty(argv[2]))
		return ra_fail(error, "Invalid spare device path");
	a->spare_path = argv[2];
	if (remap_parse_u64(argv[3], &a->spare_start))
		return ra_fail(error, "Invalid spare_start");
	if (remap_parse_u64(argv[4], &a->spare_len))
		return ra_fail(error, "Invalid spare_len");

	if (argc == 5)
		return 0;

	if (remap_parse_u64(argv[5], &nr_feat) || nr_feat != argc - 6)
		return ra_fail(error, "Invalid number of feature arguments");

	return remap_parse_features(argc, argv, 6, &a->features, error);
}

bool remap_ctr_same(const struct remap_ctr_args *a,
		    const struct remap_ctr_args *b, u32 default_unit)
{
	u32 unit_a = a->features.unit_sectors ? a->features.unit_sectors :
			default_unit;
	u32 unit_b = b->features.unit_sectors ? b->features.unit_sectors :
			default_unit;

	return !strcmp(a->main_path, b->main_path) &&
	       a->main_start == b->main_start &&
	       !strcmp(a->spare_path, b->spare_path) &&
	       a->spare_start == b->spare_start &&
	       a->spare_len == b->spare_len && unit_a == unit_b &&
	       a->features.volatile_table == b->features.volatile_table &&
	       a->features.no_auto_remap == b->features.no_auto_remap &&
	       a->features.read_retries == b->features.read_retries;
}

int remap_geometry_check(struct remap_geometry *g, const char **error)
{
	u32 lbs_sectors, unit, shift;
	u64 lbs_mask, base;

	if (!ra_is_pow2(g->main_lbs) || g->main_lbs < RA_SECTOR_SIZE)
		return ra_fail(error,
			       "Invalid logical block size of main device");
	if (!ra_is_pow2(g->spare_lbs) || g->spare_lbs < RA_SECTOR_SIZE)
		return ra_fail(error,
			       "Invalid logical block size of spare device");
	if (g->main_lbs != g->spare_lbs)
		return ra_fail(error,
			       "Logical block sizes of main and spare devices differ");

	unit = g->unit_sectors;
	if (!unit) {
		/* Default: the physical block size (0 when unknown). */
		base = g->main_pbs > g->main_lbs ? g->main_pbs : g->main_lbs;
		if (!ra_is_pow2(base))
			return ra_fail(error,
				       "Invalid physical block size of main device");
		base >>= REMAP_SECTOR_SHIFT;
		if (base > REMAP_MAX_UNIT_SECTORS)
			return ra_fail(error,
				       "Physical block size above 1 MiB: set unit_sectors");
		unit = base ? (u32)base : 1;
	}
	if (!ra_is_pow2(unit))
		return ra_fail(error, "unit_sectors is not a power of two");
	if (unit > REMAP_MAX_UNIT_SECTORS)
		return ra_fail(error, "unit_sectors larger than 2048 (1 MiB)");
	if ((u64)unit << REMAP_SECTOR_SHIFT < g->main_lbs)
		return ra_fail(error,
			       "Unit smaller than the logical block size");

	if (!g->target_len)
		return ra_fail(error, "Zero-length target");

	lbs_sectors = g->main_lbs >> REMAP_SECTOR_SHIFT;
	lbs_mask = (u64)lbs_sectors - 1;
	if (g->main_start & lbs_mask)
		return ra_fail(error,
			       "main_start not a multiple of the logical block size");
	if (g->spare_start & lbs_mask)
		return ra_fail(error,
			       "spare_start not a multiple of the logical block size");
	if (g->spare_len & lbs_mask)
		return ra_fail(error,
			       "spare_len not a multiple of the logical block size");
	if (g->target_len & lbs_mask)
		return ra_fail(error,
			       "Target length not a multiple of the logical block size");

	if (g->main_start > g->main_dev_sectors ||
	    g->target_len > g->main_dev_sectors - g->main_start)
		return ra_fail(error,
			       "Main device too small for target length/start");
	if (g->spare_start > g->spare_dev_sectors ||
	    g->spare_len > g->spare_dev_sectors - g->spare_start)
		return ra_fail(error,
			       "Spare device too small for spare_start/spare_len");
	if (g->spare_len < unit)
		return ra_fail(error, "Spare area smaller than one unit");

	/* Both ends are bounded by the device sizes checked above. */
	if (g->same_device &&
	    g->main_start < g->spare_start + g->spare_len &&
	    g->spare_start < g->main_start + g->target_len)
		return ra_fail(error,
			       "Spare area overlaps the target on the same device");

	shift = (u32)__builtin_ctz(unit);
	g->unit_sectors = unit;
	g->unit_shift = shift;
	g->nr_lunits = (g->target_len >> shift) +
		       !!(g->target_len & ((u64)unit - 1));
	g->nr_sunits = g->spare_len >> shift;
	return 0;
}

/*
 * <sector> and, when @nr_arg, <nr_sectors> (else 1): numbers, a count that
 * is not zero, the range within the target.
 */
static int ra_range(const char *sector, const char *nr_arg, u64 target_len,
		    struct remap_msg *m, const char **error)
{
	if (remap_parse_u64(sector, &m->sector))
		return ra_fail(error, "Invalid sector");
	m->nr_sectors = 1;
	if (nr_arg) {
		if (remap_parse_u64(nr_arg, &m->nr_sectors))
			return ra_fail(error, "Invalid number of sectors");
		if (!m->nr_sectors)
			return ra_fail(error, "Number of sectors must not be zero");
	}
	if (m->sector >= target_len)
		return ra_fail(error, "Sector beyond end of device");
	if (m->nr_sectors > target_len - m->sector)
		return ra_fail(error, "Sector range beyond end of device");
	return 0;
}

/* "remap"/"unremap" <sector> [<nr_sectors>] */
static int ra_parse_range(unsigned int argc, char **argv, u64 target_len,
			  struct remap_msg *m, const char *usage,
			  const char **error)
{
	if (argc < 2 || argc > 3)
		return ra_fail(error, usage);
	return ra_range(argv[1], argc == 3 ? argv[2] : NULL, target_len, m,
			error);
}

int remap_parse_extent(const char *s, u64 target_len, u64 *sector,
		       u64 *nr_sectors, const char **error)
{
	const char *plus;

	if (ra_empty(s))
		return ra_fail(error, "Invalid extent (want <sector>[+<nr_sectors>])");
	plus = strchr(s, '+');
	*nr_sectors = 1;
	if (remap_parse_u64_n(s, plus ? (size_t)(plus - s) : strlen(s), sector))
		return ra_fail(error, "Invalid extent (want <sector>[+<nr_sectors>])");
	if (plus) {
		if (remap_parse_u64(plus + 1, nr_sectors))
			return ra_fail(error,
				       "Invalid extent (want <sector>[+<nr_sectors>])");
		if (!*nr_sectors)
			return ra_fail(error, "Number of sectors must not be zero");
	}
	if (*sector >= target_len)
		return ra_fail(error, "Sector beyond end of device");
	if (*nr_sectors > target_len - *sector)
		return ra_fail(error, "Sector range beyond end of device");
	return 0;
}

/*
 * "remap_many [zero_fill] <extent>...": every extent must be valid.  With
 * zero_fill (m->value 1) the units are not copied from the main device:
 * their spare units are zero-filled and their sectors count as lost.
 */
static int ra_parse_many(unsigned int argc, char **argv, u64 target_len,
			 struct remap_msg *m, const char **error)
{
	unsigned int i, first = 1;
	u64 s, n;
	int r;

	if (argc > 1 && !strcmp(argv[1], "zero_fill")) {
		m->value = 1;
		first = 2;
	}
	if (argc <= first)
		return ra_fail(error,
			       "Usage: remap_many [zero_fill] <sector>[+<nr_sectors>]...");
	for (i = first; i < argc; i++) {
		r = remap_parse_extent(argv[i], target_len, &s, &n, error);
		if (r)
			return r;
	}
	m->first_extent = first;
	m->nr_extents = argc - first;
	return 0;
}

/* "auto_remap on|off" */
static int ra_parse_onoff(unsigned int argc, char **argv, struct remap_msg *m,
			  const char **error)
{
	if (argc != 2)
		return ra_fail(error, "Usage: auto_remap on|off");
	if (!strcmp(argv[1], "on"))
		m->value = 1;
	else if (!strcmp(argv[1], "off"))
		m->value = 0;
	else
		return ra_fail(error, "Usage: auto_remap on|off");
	return 0;
}

/*
 * "scrub start [<first_sector> <nr_sectors>]", "scrub pause|resume|cancel".
 * A start without a range scrubs the whole target.
 */
static int ra_parse_scrub(unsigned int argc, char **argv, u64 target_len,
			  struct remap_msg *m, const char **error)
{
	static const char usage[] =
		"Usage: scrub start [<first_sector> <nr_sectors>]|pause|resume|cancel";
	static const char *const ops[] = {
		[REMAP_SCRUB_START] = "start",
		[REMAP_SCRUB_PAUSE] = "pause",
		[REMAP_SCRUB_RESUME] = "resume",
		[REMAP_SCRUB_CANCEL] = "cancel",
	};
	unsigned int i, n = REMAP_SCRUB_CANCEL + 1;

	if (argc < 2)
		return ra_fail(error, usage);
	for (i = 0; i < n; i++)
		if (!strcmp(argv[1], ops[i]))
			break;
	if (i == n)
		return ra_fail(error, usage);
	m->value = i;
	if (i != REMAP_SCRUB_START)
		return argc == 2 ? 0 : ra_fail(error, usage);
	if (argc == 2) {
		if (!target_len)
			return ra_fail(error, "Zero-length target");
		m->sector = 0;
		m->nr_sectors = target_len;
		return 0;
	}
	if (argc != 4)
		return ra_fail(error, usage);
	return ra_range(argv[2], argv[3], target_len, m, error);
}

/* "<verb> <n>" with 0 <= n <= @max. */
static int ra_parse_value(unsigned int argc, char **argv, u64 max,
			  struct remap_msg *m, const char *usage,
			  const char *range, const char **error)
{
	if (argc != 2)
		return ra_fail(error, usage);
	if (remap_parse_u64(argv[1], &m->value) || m->value > max)
		return ra_fail(error, range);
	return 0;
}

/*
 * "identity <serial>|- <wwn>|- <partition>": the main device's identity
 * for the superblock (docs/metadata-format.md, "Identity"), "-" for none.
 */
static int ra_parse_identity(unsigned int argc, char **argv,
			     struct remap_msg *m, const char **error)
{
	if (argc != 4)
		return ra_fail(error,
			       "Usage: identity <serial>|- <wwn>|- <partition>");
	m->serial = strcmp(argv[1], "-") ? argv[1] : NULL;
	m->wwn = strcmp(argv[2], "-") ? argv[2] : NULL;
	if ((m->serial && remap_id_check(m->serial, REMAP_ID_SERIAL_SIZE,
					 "serial", error)) ||
	    (m->wwn && remap_id_check(m->wwn, REMAP_ID_WWN_SIZE, "wwn",
				      error)))
		return -EINVAL;
	if (remap_parse_u64(argv[3], &m->value) || m->value > U32_MAX)
		return ra_fail(error,
			       "identity: the partition must be a number from 0 to 4294967295");
	return 0;
}

int remap_parse_message(unsigned int argc, char **argv, u64 target_len,
			struct remap_msg *m, const char **error)
{
	const char *verb;

	memset(m, 0, sizeof(*m));

	if (!argc || ra_empty(argv[0]))
		return ra_fail(error, "Empty message");
	verb = argv[0];

	if (!strcmp(verb, "remap")) {
		m->op = REMAP_MSG_REMAP;
		return ra_parse_range(argc, argv, target_len, m,
				      "Usage: remap <sector> [<nr_sectors>]",
				      error);
	}
	if (!strcmp(verb, "unremap")) {
		m->op = REMAP_MSG_UNREMAP;
		return ra_parse_range(argc, argv, target_len, m,
				      "Usage: unremap <sector> [<nr_sectors>]",
				      error);
	}
	if (!strcmp(verb, "clear")) {
		m->op = REMAP_MSG_CLEAR;
		return argc == 1 ? 0 :
			ra_fail(error, "Usage: clear (no arguments)");
	}
	if (!strcmp(verb, "list")) {
		m->op = REMAP_MSG_LIST;
		return argc == 1 ? 0 :
			ra_fail(error, "Usage: list (no arguments)");
	}
	if (!strcmp(verb, "remap_many")) {
		m->op = REMAP_MSG_REMAP_MANY;
		return ra_parse_many(argc, argv, target_len, m, error);
	}
	if (!strcmp(verb, "stats")) {
		m->op = REMAP_MSG_STATS;
		return argc == 1 ? 0 :
			ra_fail(error, "Usage: stats (no arguments)");
	}
	if (!strcmp(verb, "auto_remap")) {
		m->op = REMAP_MSG_AUTO_REMAP;
		return ra_parse_onoff(argc, argv, m, error);
	}
	if (!strcmp(verb, "read_retries")) {
		m->op = REMAP_MSG_READ_RETRIES;
		if (argc != 2)
			return ra_fail(error, "Usage: read_retries <n>");
		if (remap_parse_u64(argv[1], &m->value) ||
		    m->value > REMAP_MAX_READ_RETRIES)
			return ra_fail(error,
				       "read_retries must be a number from 0 to 16");
		return 0;
	}
	if (!strcmp(verb, "scrub")) {
		m->op = REMAP_MSG_SCRUB;
		return ra_parse_scrub(argc, argv, target_len, m, error);
	}
	if (!strcmp(verb, "scrub_rate")) {
		m->op = REMAP_MSG_SCRUB_RATE;
		return ra_parse_value(argc, argv, REMAP_MAX_SCRUB_RATE, m,
				      "Usage: scrub_rate <KiB/s>",
				      "scrub_rate must be a number from 0 to 16777216 (KiB/s, 0: unthrottled)",
				      error);
	}
	if (!strcmp(verb, "scrub_slow_ms")) {
		m->op = REMAP_MSG_SCRUB_SLOW_MS;
		return ra_parse_value(argc, argv, REMAP_MAX_SCRUB_SLOW_MS, m,
				      "Usage: scrub_slow_ms <ms>",
				      "scrub_slow_ms must be a number from 0 to 60000 (0: off)",
				      error);
	}
	if (!strcmp(verb, "protect")) {
		m->op = REMAP_MSG_PROTECT;
		if (argc != 3)
			return ra_fail(error,
				       "Usage: protect <head_sectors> <tail_sectors>");
		if (remap_parse_u64(argv[1], &m->sector) ||
		    remap_parse_u64(argv[2], &m->value) ||
		    m->sector > target_len || m->value > target_len)
			return ra_fail(error,
				       "protect: sector counts must be numbers from 0 to the target's length");
		if (!m->sector && !m->value)
			return ra_fail(error, "protect: nothing to protect");
		/* Not a range: the message's unit range is unit 0. */
		m->nr_sectors = 1;
		return 0;
	}
	if (!strcmp(verb, "unprotect")) {
		m->op = REMAP_MSG_UNPROTECT;
		m->nr_sectors = 1;
		return argc == 1 ? 0 :
			ra_fail(error, "Usage: unprotect (no arguments)");
	}
	if (!strcmp(verb, "identity")) {
		m->op = REMAP_MSG_IDENTITY;
		return ra_parse_identity(argc, argv, m, error);
	}
	return ra_fail(error, "Unrecognised message");
}
