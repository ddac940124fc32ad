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

const struct remap_feature_info remap_feature_words[REMAP_NR_FEATURES] = {
	[REMAP_FEAT_UNIT_SECTORS] = { "unit_sectors", true,
		"Duplicate feature argument unit_sectors",
		"Missing value for feature unit_sectors",
		"unit_sectors needs a value (unit_sectors=N)" },
	[REMAP_FEAT_VOLATILE] = { "volatile", false,
		"Duplicate feature argument volatile", NULL,
		"volatile and no_auto_remap take no value" },
	[REMAP_FEAT_NO_AUTO_REMAP] = { "no_auto_remap", false,
		"Duplicate feature argument no_auto_remap", NULL,
		"volatile and no_auto_remap take no value" },
	[REMAP_FEAT_READ_RETRIES] = { "read_retries", true,
		"Duplicate feature argument read_retries",
		"Missing value for feature read_retries",
		"read_retries needs a value (read_retries=N)" },
};

int remap_feature_find(const char *word)
{
	int k;

	for (k = 0; k < REMAP_NR_FEATURES; k++)
		if (!strcmp(word, remap_feature_words[k].word))
			return k;
	return -1;
}

/* argv[first..argc): the feature words, already counted. */
int remap_parse_features(unsigned int argc, char **argv, unsigned int first,
			 struct remap_features *f, const char **error)
{
	bool seen[REMAP_NR_FEATURES] = { false };
	const struct remap_feature_info *fi;
	const char *s = NULL;
	unsigned int i;
	int k;
	u64 v;

	for (i = first; i < argc; i++) {
		k = ra_empty(argv[i]) ? -1 : remap_feature_find(argv[i]);
		if (k < 0)
			return ra_fail(error, "Unrecognised feature argument");
		fi = &remap_feature_words[k];
		if (seen[k])
			return ra_fail(error, fi->dup);
		seen[k] = true;
		if (fi->value) {
			if (i + 1 >= argc)
				return ra_fail(error, fi->missing);
			s = argv[++i];
		}
		switch (k) {
		case REMAP_FEAT_UNIT_SECTORS:
			if (remap_parse_u64(s, &v))
				return ra_fail(error, "Invalid unit_sectors");
			if (!ra_is_pow2(v) || v > REMAP_MAX_UNIT_SECTORS)
				return ra_fail(error,
					       "unit_sectors must be a power of two from 1 to 2048");
			f->unit_sectors = (u32)v;
			break;
		case REMAP_FEAT_VOLATILE:
			f->volatile_table = true;
			break;
		case REMAP_FEAT_NO_AUTO_REMAP:
			f->no_auto_remap = true;
			break;
		default:
			if (remap_parse_u64(s, &v) || v > REMAP_MAX_READ_RETRIES)
				return ra_fail(error,
					       "read_retries must be a number from 0 to 16");
			f->read_retries = (u32)v;
			break;
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
	size_t i;

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
	{
		const struct {
			u64 v;
			const char *msg;
		} aligned[] = {
			{ g->main_start, "main_start not a multiple of the logical block size" },
			{ g->spare_start, "spare_start not a multiple of the logical block size" },
			{ g->spare_len, "spare_len not a multiple of the logical block size" },
			{ g->target_len, "Target length not a multiple of the logical block size" },
		};

		for (i = 0; i < ARRAY_SIZE(aligned); i++)
			if (aligned[i].v & lbs_mask)
				return ra_fail(error, aligned[i].msg);
	}

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

/*
 * The messages without arguments (@range NULL) and those that set one
 * number from 0 to @max: the usage when the arguments are not that, the
 * error when the number is not.
 */
static const struct {
	const char *verb;
	enum remap_msg_op op;
	u64 max;
	const char *usage, *range;
} ra_simple[] = {
	{ "clear", REMAP_MSG_CLEAR, 0, "Usage: clear (no arguments)", NULL },
	{ "list", REMAP_MSG_LIST, 0, "Usage: list (no arguments)", NULL },
	{ "stats", REMAP_MSG_STATS, 0, "Usage: stats (no arguments)", NULL },
	{ "read_retries", REMAP_MSG_READ_RETRIES, REMAP_MAX_READ_RETRIES,
	  "Usage: read_retries <n>",
	  "read_retries must be a number from 0 to 16" },
	{ "scrub_rate", REMAP_MSG_SCRUB_RATE, REMAP_MAX_SCRUB_RATE,
	  "Usage: scrub_rate <KiB/s>",
	  "scrub_rate must be a number from 0 to 16777216 (KiB/s, 0: unthrottled)" },
	{ "scrub_slow_ms", REMAP_MSG_SCRUB_SLOW_MS, REMAP_MAX_SCRUB_SLOW_MS,
	  "Usage: scrub_slow_ms <ms>",
	  "scrub_slow_ms must be a number from 0 to 60000 (0: off)" },
};

int remap_parse_message(unsigned int argc, char **argv, u64 target_len,
			struct remap_msg *m, const char **error)
{
	const char *verb;
	size_t i;

	memset(m, 0, sizeof(*m));

	if (!argc || ra_empty(argv[0]))
		return ra_fail(error, "Empty message");
	verb = argv[0];

	for (i = 0; i < ARRAY_SIZE(ra_simple); i++) {
		if (strcmp(verb, ra_simple[i].verb))
			continue;
		m->op = ra_simple[i].op;
		if (!ra_simple[i].range)
			return argc == 1 ? 0 : ra_fail(error, ra_simple[i].usage);
		return ra_parse_value(argc, argv, ra_simple[i].max, m,
				      ra_simple[i].usage, ra_simple[i].range,
				      error);
	}

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
	if (!strcmp(verb, "remap_many")) {
		m->op = REMAP_MSG_REMAP_MANY;
		return ra_parse_many(argc, argv, target_len, m, error);
	}
	if (!strcmp(verb, "auto_remap")) {
		m->op = REMAP_MSG_AUTO_REMAP;
		return ra_parse_onoff(argc, argv, m, error);
	}
	if (!strcmp(verb, "scrub")) {
		m->op = REMAP_MSG_SCRUB;
		return ra_parse_scrub(argc, argv, target_len, m, error);
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
		m->nr_sectors = 1;	/* unit 0, as protect's */
		return argc == 1 ? 0 :
			ra_fail(error, "Usage: unprotect (no arguments)");
	}
	if (!strcmp(verb, "identity")) {
		m->op = REMAP_MSG_IDENTITY;
		return ra_parse_identity(argc, argv, m, error);
	}
	return ra_fail(error, "Unrecognised message");
}
