// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_args.c - libFuzzer harness for core/remap_args.c.
 *
 * One input drives all four parsers:
 *  - the raw bytes (up to the first NUL) go to remap_parse_u64(), checked
 *    against a reference parser using 128-bit arithmetic;
 *  - the same text, split on spaces, is argv for remap_parse_ctr() and
 *    remap_parse_message(), whose results are checked for consistency;
 *  - the first 100 bytes (zero padded) are a struct remap_geometry, and
 *    remap_geometry_check()'s verdict and outputs are checked against an
 *    independent model.
 * Any disagreement aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remap_args.h"
#include "remap_meta.h"
#include "fuzz_check.h"

#define MAX_ARGS 64
#define GEO_BYTES 100

typedef unsigned __int128 u128;

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

/* ---- remap_parse_u64 ---- */

static bool ref_parse_u64(const char *s, u64 *out)
{
	u128 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (u128)(*s - '0');
		if (v > U64_MAX)
			return false;
	}
	*out = (u64)v;
	return true;
}

static void fuzz_u64(const char *s)
{
	u64 got = 0x1234, want = 0;
	int r = remap_parse_u64(s, &got);
	bool ok = ref_parse_u64(s, &want);

	CHECK(r == 0 || r == -EINVAL);
	CHECK((r == 0) == ok);
	if (ok)
		CHECK(got == want);
	else
		CHECK(got == 0x1234);
}

/* ---- remap_parse_ctr / remap_parse_message ---- */

static unsigned int split(char *s, char **argv)
{
	unsigned int argc = 0;

	/* Consecutive spaces make empty arguments: those must be handled. */
	argv[argc++] = s;
	for (; *s && argc < MAX_ARGS; s++) {
		if (*s == ' ') {
			*s = '\0';
			argv[argc++] = s + 1;
		}
	}
	return argc;
}

static void check_features(unsigned int argc, char **argv,
			   const struct remap_features *f);

static void fuzz_ctr(unsigned int argc, char **argv)
{
	struct remap_ctr_args a;
	const char *err = NULL;
	int r = remap_parse_ctr(argc, argv, &a, &err);
	u64 v;

	if (r) {
		CHECK(r == -EINVAL);
		CHECK(err && *err);
		return;
	}
	CHECK(err == NULL);
	CHECK(argc >= 5);
	CHECK(a.main_path == argv[0] && *a.main_path);
	CHECK(a.spare_path == argv[2] && *a.spare_path);
	CHECK(ref_parse_u64(argv[1], &v) && v == a.main_start);
	CHECK(ref_parse_u64(argv[3], &v) && v == a.spare_start);
	CHECK(ref_parse_u64(argv[4], &v) && v == a.spare_len);
	CHECK(a.features.unit_sectors == 0 ||
	      (is_pow2(a.features.unit_sectors) &&
	       a.features.unit_sectors <= REMAP_MAX_UNIT_SECTORS));
	if (argc > 5)
		CHECK(ref_parse_u64(argv[5], &v) && v == argc - 6);
	else
		CHECK(argc == 5);
	check_features(argc, argv, &a.features);
}

/*
 * An accepted feature list, walked again independently: each word is one
 * of the four features, at most once, the two with a value followed by a
 * valid one, and the parsed flags say exactly what the words say.
 */
static void check_features(unsigned int argc, char **argv,
			   const struct remap_features *f)
{
	bool unit = false, vol = false, noauto = false, retries = false;
	unsigned int i;
	u64 v;

	for (i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "unit_sectors")) {
			CHECK(!unit && i + 1 < argc);
			unit = true;
			CHECK(ref_parse_u64(argv[++i], &v) && v == f->unit_sectors);
			CHECK(is_pow2(v) && v <= REMAP_MAX_UNIT_SECTORS);
		} else if (!strcmp(argv[i], "read_retries")) {
			CHECK(!retries && i + 1 < argc);
			retries = true;
			CHECK(ref_parse_u64(argv[++i], &v) && v == f->read_retries);
			CHECK(v <= REMAP_MAX_READ_RETRIES);
		} else if (!strcmp(argv[i], "volatile")) {
			CHECK(!vol);
			vol = true;
		} else if (!strcmp(argv[i], "no_auto_remap")) {
			CHECK(!noauto);
			noauto = true;
		} else {
			CHECK(0);
		}
	}
	CHECK(unit == (f->unit_sectors != 0));
	CHECK(retries || f->read_retries == REMAP_DEFAULT_READ_RETRIES);
	CHECK(vol == f->volatile_table);
	CHECK(noauto == f->no_auto_remap);
}

/*
 * The extents of an accepted remap_many, against a reference reading of
 * "<sector>" or "<sector>+<nr_sectors>": each lies inside the target and
 * remap_parse_extent() gives the same numbers.
 */
static void check_extents(unsigned int argc, char **argv, unsigned int first,
			  u64 len)
{
	char *buf, *plus;
	const char *err;
	unsigned int i;
	u64 s, n, gs, gn;

	for (i = first; i < argc; i++) {
		buf = strdup(argv[i]);
		CHECK(buf);
		plus = strchr(buf, '+');
		n = 1;
		if (plus) {
			*plus = '\0';
			CHECK(ref_parse_u64(plus + 1, &n) && n >= 1);
		}
		CHECK(ref_parse_u64(buf, &s));
		CHECK(s < len && (u128)s + n <= len);
		err = NULL;
		CHECK(!remap_parse_extent(argv[i], len, &gs, &gn, &err));
		CHECK(gs == s && gn == n && err == NULL);
		free(buf);
	}
}

static void fuzz_message(unsigned int argc, char **argv, u64 len)
{
	struct remap_msg m;
	const char *err = NULL;
	int r = remap_parse_message(argc, argv, len, &m, &err);
	u64 v;

	if (r) {
		CHECK(r == -EINVAL);
		CHECK(err && *err);
		return;
	}
	CHECK(err == NULL);
	switch (m.op) {
	case REMAP_MSG_REMAP:
	case REMAP_MSG_UNREMAP:
		CHECK(!strcmp(argv[0], m.op == REMAP_MSG_REMAP ?
			      "remap" : "unremap"));
		CHECK(argc == 2 || argc == 3);
		CHECK(ref_parse_u64(argv[1], &v) && v == m.sector);
		if (argc == 3)
			CHECK(ref_parse_u64(argv[2], &v) && v == m.nr_sectors);
		else
			CHECK(m.nr_sectors == 1);
		CHECK(m.nr_sectors >= 1);
		CHECK(m.sector < len);
		CHECK((u128)m.sector + m.nr_sectors <= len);
		break;
	case REMAP_MSG_CLEAR:
		CHECK(argc == 1 && !strcmp(argv[0], "clear"));
		CHECK(m.nr_sectors == 0);
		break;
	case REMAP_MSG_LIST:
		CHECK(argc == 1 && !strcmp(argv[0], "list"));
		CHECK(m.nr_sectors == 0);
		break;
	case REMAP_MSG_STATS:
		CHECK(argc == 1 && !strcmp(argv[0], "stats"));
		CHECK(m.nr_sectors == 0);
		break;
	case REMAP_MSG_PROTECT:
		/* head and tail sectors; the unit range is unit 0 */
		CHECK(argc == 3 && !strcmp(argv[0], "protect"));
		CHECK(ref_parse_u64(argv[1], &v) && v == m.sector && v <= len);
		CHECK(ref_parse_u64(argv[2], &v) && v == m.value && v <= len);
		CHECK(m.sector || m.value);
		CHECK(m.nr_sectors == 1);
		break;
	case REMAP_MSG_UNPROTECT:
		CHECK(argc == 1 && !strcmp(argv[0], "unprotect"));
		CHECK(m.nr_sectors == 1);
		break;
	case REMAP_MSG_REMAP_MANY:
		CHECK(!strcmp(argv[0], "remap_many"));
		/* "zero_fill" before the extents: m.value 1 */
		v = argc >= 2 && !strcmp(argv[1], "zero_fill");
		CHECK(m.value == v && m.first_extent == 1 + v);
		CHECK(argc >= 2 + v && m.nr_extents == argc - 1 - v);
		check_extents(argc, argv, m.first_extent, len);
		break;
	case REMAP_MSG_AUTO_REMAP:
		CHECK(argc == 2 && !strcmp(argv[0], "auto_remap"));
		CHECK(m.value == !strcmp(argv[1], "on"));
		CHECK(!strcmp(argv[1], "on") || !strcmp(argv[1], "off"));
		break;
	case REMAP_MSG_READ_RETRIES:
		CHECK(argc == 2 && !strcmp(argv[0], "read_retries"));
		CHECK(ref_parse_u64(argv[1], &v) && v == m.value);
		CHECK(v <= REMAP_MAX_READ_RETRIES);
		break;
	case REMAP_MSG_SCRUB:
		CHECK(!strcmp(argv[0], "scrub") && argc >= 2);
		CHECK(m.value <= REMAP_SCRUB_CANCEL);
		if (m.value != REMAP_SCRUB_START) {
			CHECK(argc == 2);
			CHECK(!strcmp(argv[1], m.value == REMAP_SCRUB_PAUSE ? "pause" :
				      m.value == REMAP_SCRUB_RESUME ? "resume" : "cancel"));
			break;
		}
		CHECK(!strcmp(argv[1], "start") && (argc == 2 || argc == 4));
		if (argc == 4) {
			CHECK(ref_parse_u64(argv[2], &v) && v == m.sector);
			CHECK(ref_parse_u64(argv[3], &v) && v == m.nr_sectors);
		} else {
			CHECK(m.sector == 0 && m.nr_sectors == len);
		}
		CHECK(m.nr_sectors >= 1 && m.sector < len);
		CHECK((u128)m.sector + m.nr_sectors <= len);
		break;
	case REMAP_MSG_SCRUB_RATE:
	case REMAP_MSG_SCRUB_SLOW_MS:
		CHECK(argc == 2);
		CHECK(!strcmp(argv[0], m.op == REMAP_MSG_SCRUB_RATE ?
			      "scrub_rate" : "scrub_slow_ms"));
		CHECK(ref_parse_u64(argv[1], &v) && v == m.value);
		CHECK(v <= (m.op == REMAP_MSG_SCRUB_RATE ? REMAP_MAX_SCRUB_RATE :
			    REMAP_MAX_SCRUB_SLOW_MS));
		break;
	case REMAP_MSG_IDENTITY:
		CHECK(argc == 4 && !strcmp(argv[0], "identity"));
		CHECK(m.serial == (strcmp(argv[1], "-") ? argv[1] : NULL));
		CHECK(m.wwn == (strcmp(argv[2], "-") ? argv[2] : NULL));
		CHECK(ref_parse_u64(argv[3], &v) && v == m.value);
		CHECK(v <= 0xffffffffULL);
		{
			/* What the module then stores must be accepted. */
			struct remap_identity id;

			CHECK(!remap_identity_set(&id, "n", m.serial, m.wwn,
						  (u32)m.value, NULL));
		}
		break;
	default:
		CHECK(0);
	}
}

/* ---- remap_geometry_check ---- */

static u64 get_u64(const uint8_t *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static u32 get_u32(const uint8_t *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
	       (u32)p[3] << 24;
}

/*
 * Shape a raw value with a mode byte, so that the fuzzer reaches valid
 * layouts often: raw, small, a power of two, near U64_MAX, or a multiple
 * of 8 (4k alignment).
 */
static u64 shape(u64 raw, uint8_t mode)
{
	switch (mode % 6) {
	case 0:
		return raw;
	case 1:
		return raw % 4096;
	case 2:
		return 1ULL << (raw % 64);
	case 3:
		return U64_MAX - raw % 4096;
	case 4:
		return (raw % (1ULL << 40)) & ~7ULL;
	default:
		return raw % 64;
	}
}

/*
 * Layout of the 100 bytes: 6 x u64 (target_len, main_dev_sectors,
 * main_start, spare_dev_sectors, spare_start, spare_len) = 48, 4 x u32
 * (main_lbs, spare_lbs, main_pbs, unit_sectors) = 16, same_device = 1,
 * 10 mode bytes (one per number), 1 relation byte and its 3 argument
 * bytes (tie values to each other, see below), the rest ignored.
 */
static void decode_geometry(const uint8_t *b, struct remap_geometry *g)
{
	const uint8_t *mode = b + 65;
	uint8_t rel;

	memset(g, 0, sizeof(*g));
	g->target_len = shape(get_u64(b + 0), mode[0]);
	g->main_dev_sectors = shape(get_u64(b + 8), mode[1]);
	g->main_start = shape(get_u64(b + 16), mode[2]);
	g->spare_dev_sectors = shape(get_u64(b + 24), mode[3]);
	g->spare_start = shape(get_u64(b + 32), mode[4]);
	g->spare_len = shape(get_u64(b + 40), mode[5]);
	g->main_lbs = (u32)shape(get_u32(b + 48), mode[6]);
	g->spare_lbs = (u32)shape(get_u32(b + 52), mode[7]);
	g->main_pbs = (u32)shape(get_u32(b + 56), mode[8]);
	g->unit_sectors = (u32)shape(get_u32(b + 60), mode[9]);
	g->same_device = b[64] & 1;

	/* Relations, to land on the boundaries (values may wrap). */
	rel = b[75];
	if ((rel & 3) == 1)
		g->spare_start = g->main_start + g->target_len - b[76] % 16;
	else if ((rel & 3) == 2)
		g->main_start = g->spare_start + g->spare_len - b[76] % 16;
	if (rel & 4)
		g->main_dev_sectors = g->main_start + g->target_len +
				      b[77] % 16 - 8;
	if (rel & 8)
		g->spare_dev_sectors = g->spare_start + g->spare_len +
				       b[78] % 16 - 8;
	if (rel & 16)
		g->spare_lbs = g->main_lbs;
	if (rel & 32)
		g->spare_dev_sectors = g->main_dev_sectors;
}

/* The rules of remap_args.h, written out independently with u128. */
static bool model_geometry(const struct remap_geometry *g, u32 *unit_out)
{
	u128 unit = g->unit_sectors, lbs = g->main_lbs, lbs_s;

	if (!is_pow2(g->main_lbs) || g->main_lbs < 512)
		return false;
	if (!is_pow2(g->spare_lbs) || g->spare_lbs < 512)
		return false;
	if (g->main_lbs != g->spare_lbs)
		return false;
	if (!unit) {
		u128 base = g->main_pbs > lbs ? g->main_pbs : lbs;

		if (!is_pow2((u64)base))
			return false;
		unit = base / 512 ? base / 512 : 1;
	}
	if (!is_pow2((u64)unit) || unit > REMAP_MAX_UNIT_SECTORS)
		return false;
	if (unit * 512 < lbs)
		return false;
	if (!g->target_len)
		return false;
	lbs_s = lbs / 512;
	if (g->main_start % lbs_s || g->spare_start % lbs_s ||
	    g->spare_len % lbs_s || g->target_len % lbs_s)
		return false;
	if ((u128)g->main_start + g->target_len > g->main_dev_sectors)
		return false;
	if ((u128)g->spare_start + g->spare_len > g->spare_dev_sectors)
		return false;
	if (g->spare_len < unit)
		return false;
	if (g->same_device &&
	    (u128)g->main_start < (u128)g->spare_start + g->spare_len &&
	    (u128)g->spare_start < (u128)g->main_start + g->target_len)
		return false;
	*unit_out = (u32)unit;
	return true;
}

static void fuzz_geometry(const uint8_t *data, size_t size)
{
	uint8_t b[GEO_BYTES] = { 0 };
	struct remap_geometry g, before;
	const char *err = NULL;
	u32 unit = 0;
	bool want;
	int r;

	memcpy(b, data, size < GEO_BYTES ? size : GEO_BYTES);
	decode_geometry(b, &g);
	before = g;
	want = model_geometry(&g, &unit);
	r = remap_geometry_check(&g, &err);

	CHECK(r == 0 || r == -EINVAL);
	CHECK((r == 0) == want);
	if (r) {
		CHECK(err && *err);
		CHECK(!memcmp(&g, &before, sizeof(g)));
		return;
	}
	CHECK(err == NULL);
	CHECK(g.unit_sectors == unit);
	CHECK((1U << g.unit_shift) == unit);
	CHECK(g.nr_lunits ==
	      (u64)(((u128)g.target_len + unit - 1) / unit));
	CHECK(g.nr_sunits == g.spare_len / unit);
	CHECK(g.nr_sunits >= 1 && g.nr_lunits >= 1);
	/* The inputs are left alone. */
	CHECK(g.target_len == before.target_len);
	CHECK(g.spare_len == before.spare_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char *argv[MAX_ARGS];
	unsigned int argc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_u64(s);

	argc = split(s, argv);
	fuzz_ctr(argc, argv);
	fuzz_message(argc, argv, 1000);
	fuzz_message(argc, argv, U64_MAX);
	fuzz_message(argc, argv, size);
	/* argc below what is there: the parsers must not look further. */
	if (argc > 1) {
		fuzz_ctr(argc - 1, argv);
		fuzz_message(argc - 1, argv, 1000);
	}
	free(s);

	fuzz_geometry(data, size);
	return 0;
}
