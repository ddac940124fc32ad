// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_args.c - unit tests of core/remap_args.c: every refusal, with its
 * exact message.
 */
#include "test_common.h"
#include "remap_args.h"

#define ARGC(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))

/* ---- remap_parse_u64 ---- */

static void ok_u64(const char *s, u64 want)
{
	u64 v = 0xabcdef;

	assert_int_equal(remap_parse_u64(s, &v), 0);
	assert_int_equal(v, want);
}

static void bad_u64(const char *s)
{
	u64 v = 0xabcdef;

	assert_int_equal(remap_parse_u64(s, &v), -EINVAL);
	assert_int_equal(v, 0xabcdef);
}

static void test_u64_ok(void **state)
{
	(void)state;
	ok_u64("0", 0);
	ok_u64("1", 1);
	ok_u64("9", 9);
	ok_u64("1234567890", 1234567890ULL);
	ok_u64("007", 7);
	ok_u64("4294967296", 4294967296ULL);
	ok_u64("18446744073709551614", U64_MAX - 1);
	ok_u64("18446744073709551615", U64_MAX);
	ok_u64("000000000000000000000018446744073709551615", U64_MAX);
}

static void test_u64_bad(void **state)
{
	(void)state;
	bad_u64(NULL);
	bad_u64("");
	bad_u64("+1");
	bad_u64("-1");
	bad_u64("-0");
	bad_u64(" 1");
	bad_u64("1 ");
	bad_u64("1 2");
	bad_u64("\t1");
	bad_u64("1\n");
	bad_u64("0x10");
	bad_u64("0X10");
	bad_u64("10h");
	bad_u64("1a");
	bad_u64("a");
	bad_u64("1.0");
	bad_u64("1e3");
	bad_u64("/");
	bad_u64(":");
	/* Overflow, just past U64_MAX and far past. */
	bad_u64("18446744073709551616");
	bad_u64("18446744073709551620");
	bad_u64("18446744073709551625");
	bad_u64("28446744073709551615");
	bad_u64("99999999999999999999");
	bad_u64("184467440737095516150");
	bad_u64("100000000000000000000000000000000000000000");
}

/* ---- remap_parse_ctr ---- */

static void ctr_fails(unsigned int argc, char **argv, const char *msg)
{
	struct remap_ctr_args a;
	const char *err = NULL;

	assert_int_equal(remap_parse_ctr(argc, argv, &a, &err), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void test_ctr_ok(void **state)
{
	char *argv[] = { "/dev/sdb", "0", "/dev/sdc", "2048", "4096" };
	struct remap_ctr_args a;
	const char *err = "untouched";

	(void)state;
	memset(&a, 0x5a, sizeof(a));
	assert_int_equal(remap_parse_ctr(5, argv, &a, &err), 0);
	assert_string_equal(err, "untouched");
	assert_string_equal(a.main_path, "/dev/sdb");
	assert_int_equal(a.main_start, 0);
	assert_string_equal(a.spare_path, "/dev/sdc");
	assert_int_equal(a.spare_start, 2048);
	assert_int_equal(a.spare_len, 4096);
	assert_int_equal(a.features.unit_sectors, 0);
}

static void test_ctr_ok_extremes(void **state)
{
	char *argv[] = { "8:16", "18446744073709551615", "8:32",
			 "18446744073709551615", "0", "0" };
	struct remap_ctr_args a;
	const char *err = NULL;

	(void)state;
	assert_int_equal(remap_parse_ctr(6, argv, &a, &err), 0);
	assert_int_equal(a.main_start, U64_MAX);
	assert_int_equal(a.spare_start, U64_MAX);
	assert_int_equal(a.spare_len, 0);
	assert_int_equal(a.features.unit_sectors, 0);
}

static void test_ctr_features_ok(void **state)
{
	char *argv[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
			 "unit_sectors", "8" };
	char *lo[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
		       "unit_sectors", "1" };
	char *hi[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
		       "unit_sectors", "2048" };
	struct remap_ctr_args a;
	const char *err = NULL;

	(void)state;
	assert_int_equal(remap_parse_ctr(ARGC(argv), argv, &a, &err), 0);
	assert_int_equal(a.features.unit_sectors, 8);
	assert_int_equal(remap_parse_ctr(ARGC(lo), lo, &a, &err), 0);
	assert_int_equal(a.features.unit_sectors, 1);
	assert_int_equal(remap_parse_ctr(ARGC(hi), hi, &a, &err), 0);
	assert_int_equal(a.features.unit_sectors, 2048);
	assert_null(err);
}

/* remaptab's table (defaults left out) and --scan's (spelt out) are one. */
static void test_ctr_same(void **state)
{
	char *bare[] = { "8:0", "0", "8:16", "0", "64" };
	char *unit1[] = { "8:0", "0", "8:16", "0", "64", "2", "unit_sectors", "1" };
	char *unit8[] = { "8:0", "0", "8:16", "0", "64", "2", "unit_sectors", "8" };
	char *retr[] = { "8:0", "0", "8:16", "0", "64", "2", "read_retries", "3" };
	char *retr0[] = { "8:0", "0", "8:16", "0", "64", "2", "read_retries", "0" };
	char *vol[] = { "8:0", "0", "8:16", "0", "64", "1", "volatile" };
	char *other[] = { "8:0", "0", "8:32", "0", "64" };
	char *len[] = { "8:0", "0", "8:16", "0", "65" };
	struct remap_ctr_args a, b;
	const char *err = NULL;

	(void)state;
	assert_int_equal(remap_parse_ctr(ARGC(bare), bare, &a, &err), 0);
	assert_int_equal(remap_parse_ctr(ARGC(unit1), unit1, &b, &err), 0);
	assert_true(remap_ctr_same(&a, &b, 1));
	assert_false(remap_ctr_same(&a, &b, 8));	/* a 4k disk: 8 vs 1 */
	assert_int_equal(remap_parse_ctr(ARGC(unit8), unit8, &b, &err), 0);
	assert_true(remap_ctr_same(&a, &b, 8));
	assert_false(remap_ctr_same(&a, &b, 1));
	assert_int_equal(remap_parse_ctr(ARGC(retr), retr, &b, &err), 0);
	assert_true(remap_ctr_same(&a, &b, 1));	/* 3 is the default */
	assert_int_equal(remap_parse_ctr(ARGC(retr0), retr0, &b, &err), 0);
	assert_false(remap_ctr_same(&a, &b, 1));
	assert_int_equal(remap_parse_ctr(ARGC(vol), vol, &b, &err), 0);
	assert_false(remap_ctr_same(&a, &b, 1));
	assert_int_equal(remap_parse_ctr(ARGC(other), other, &b, &err), 0);
	assert_false(remap_ctr_same(&a, &b, 1));
	assert_int_equal(remap_parse_ctr(ARGC(len), len, &b, &err), 0);
	assert_false(remap_ctr_same(&a, &b, 1));
	assert_true(remap_ctr_same(&b, &b, 1));
}

static void test_ctr_volatile(void **state)
{
	char *plain[] = { "/dev/a", "0", "/dev/b", "0", "64" };
	char *vol[] = { "/dev/a", "0", "/dev/b", "0", "64", "1", "volatile" };
	char *both[] = { "/dev/a", "0", "/dev/b", "0", "64", "3", "volatile",
			 "unit_sectors", "8" };
	char *twice[] = { "/dev/a", "0", "/dev/b", "0", "64", "2", "volatile",
			  "volatile" };
	char *caps[] = { "/dev/a", "0", "/dev/b", "0", "64", "1", "Volatile" };
	struct remap_ctr_args a;
	const char *err = NULL;

	(void)state;
	assert_int_equal(remap_parse_ctr(ARGC(plain), plain, &a, &err), 0);
	assert_false(a.features.volatile_table);
	assert_int_equal(remap_parse_ctr(ARGC(vol), vol, &a, &err), 0);
	assert_true(a.features.volatile_table);
	assert_int_equal(a.features.unit_sectors, 0);
	assert_int_equal(remap_parse_ctr(ARGC(both), both, &a, &err), 0);
	assert_true(a.features.volatile_table);
	assert_int_equal(a.features.unit_sectors, 8);
	assert_null(err);
	ctr_fails(ARGC(twice), twice, "Duplicate feature argument volatile");
	ctr_fails(ARGC(caps), caps, "Unrecognised feature argument");
}

static void test_ctr_not_enough(void **state)
{
	char *argv[] = { "/dev/a", "0", "/dev/b", "0", "64" };

	(void)state;
	ctr_fails(0, argv, "Not enough arguments");
	ctr_fails(1, argv, "Not enough arguments");
	ctr_fails(4, argv, "Not enough arguments");
}

static void test_ctr_bad_fixed(void **state)
{
	char *p0[] = { "", "0", "/dev/b", "0", "64" };
	char *p2[] = { "/dev/a", "0", "", "0", "64" };
	char *ms[] = { "/dev/a", "-1", "/dev/b", "0", "64" };
	char *ms2[] = { "/dev/a", "18446744073709551616", "/dev/b", "0", "1" };
	char *ss[] = { "/dev/a", "0", "/dev/b", "0x10", "64" };
	char *sl[] = { "/dev/a", "0", "/dev/b", "0", "64k" };
	char *sl2[] = { "/dev/a", "0", "/dev/b", "0", "" };

	(void)state;
	ctr_fails(5, p0, "Invalid main device path");
	ctr_fails(5, p2, "Invalid spare device path");
	ctr_fails(5, ms, "Invalid main_start");
	ctr_fails(5, ms2, "Invalid main_start");
	ctr_fails(5, ss, "Invalid spare_start");
	ctr_fails(5, sl, "Invalid spare_len");
	ctr_fails(5, sl2, "Invalid spare_len");
}

static void test_ctr_feature_count(void **state)
{
	char *few[] = { "/a", "0", "/b", "0", "64", "1", "unit_sectors", "8" };
	char *many[] = { "/a", "0", "/b", "0", "64", "3", "unit_sectors", "8" };
	char *junk[] = { "/a", "0", "/b", "0", "64", "two", "unit_sectors",
			 "8" };
	char *neg[] = { "/a", "0", "/b", "0", "64", "-2", "unit_sectors",
			"8" };
	char *huge[] = { "/a", "0", "/b", "0", "64", "4294967298",
			 "unit_sectors", "8" };
	char *zero_extra[] = { "/a", "0", "/b", "0", "64", "0", "x" };
	const char *msg = "Invalid number of feature arguments";

	(void)state;
	ctr_fails(ARGC(few), few, msg);
	ctr_fails(ARGC(many), many, msg);
	ctr_fails(ARGC(junk), junk, msg);
	ctr_fails(ARGC(neg), neg, msg);
	ctr_fails(ARGC(huge), huge, msg);
	ctr_fails(ARGC(zero_extra), zero_extra, msg);
	/* The count itself missing its arguments. */
	ctr_fails(6, few, msg);
}

static void test_ctr_feature_words(void **state)
{
	char *unk[] = { "/a", "0", "/b", "0", "64", "1", "discard" };
	char *caps[] = { "/a", "0", "/b", "0", "64", "2", "UNIT_SECTORS", "8" };
	char *empty[] = { "/a", "0", "/b", "0", "64", "1", "" };
	char *unk2[] = { "/a", "0", "/b", "0", "64", "3", "unit_sectors", "8",
			 "bogus" };
	char *dup[] = { "/a", "0", "/b", "0", "64", "4", "unit_sectors", "8",
			"unit_sectors", "8" };
	char *miss[] = { "/a", "0", "/b", "0", "64", "1", "unit_sectors" };

	(void)state;
	ctr_fails(ARGC(unk), unk, "Unrecognised feature argument");
	ctr_fails(ARGC(caps), caps, "Unrecognised feature argument");
	ctr_fails(ARGC(empty), empty, "Unrecognised feature argument");
	ctr_fails(ARGC(unk2), unk2, "Unrecognised feature argument");
	ctr_fails(ARGC(dup), dup, "Duplicate feature argument unit_sectors");
	ctr_fails(ARGC(miss), miss, "Missing value for feature unit_sectors");
}

static void test_ctr_unit_sectors_value(void **state)
{
	static const char *const bad_num[] = { "", "x", "-8", "+8", "8 ",
					       "0x8",
					       "18446744073709551616" };
	static const char *const bad_val[] = { "0", "3", "6", "2049", "4096",
					       "1024000", "4294967296",
					       "18446744073709551615" };
	char *argv[] = { "/a", "0", "/b", "0", "64", "2", "unit_sectors",
			 NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
		argv[7] = (char *)bad_num[i];
		ctr_fails(ARGC(argv), argv, "Invalid unit_sectors");
	}
	for (i = 0; i < sizeof(bad_val) / sizeof(bad_val[0]); i++) {
		argv[7] = (char *)bad_val[i];
		ctr_fails(ARGC(argv), argv,
			  "unit_sectors must be a power of two from 1 to 2048");
	}
	for (i = 0; i <= 11; i++) {
		char buf[8];
		struct remap_ctr_args a;
		const char *err;

		snprintf(buf, sizeof(buf), "%u", 1U << i);
		argv[7] = buf;
		assert_int_equal(remap_parse_ctr(ARGC(argv), argv, &a, &err),
				 0);
		assert_int_equal(a.features.unit_sectors, 1U << i);
	}
}

/* ---- remap_geometry_check ---- */

/* A valid layout: 4k-sector disk, spare at the end of the same device. */
static struct remap_geometry good_geometry(void)
{
	struct remap_geometry g = {
		.target_len = 1000 * 8,
		.main_dev_sectors = 2000 * 8,
		.main_start = 0,
		.spare_dev_sectors = 2000 * 8,
		.spare_start = 1000 * 8,
		.spare_len = 100 * 8,
		.main_lbs = 512,
		.spare_lbs = 512,
		.main_pbs = 4096,
		.same_device = true,
		.unit_sectors = 0,
	};

	return g;
}

static void geo_fails(struct remap_geometry g, const char *msg)
{
	struct remap_geometry before = g;
	const char *err = NULL;

	assert_int_equal(remap_geometry_check(&g, &err), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err, msg);
	/* A refused geometry is left as it was. */
	assert_memory_equal(&g, &before, sizeof(g));
}

static struct remap_geometry geo_ok(struct remap_geometry g)
{
	const char *err = NULL;
	int r = remap_geometry_check(&g, &err);

	if (r)
		fail_msg("unexpected refusal: %s", err ? err : "(null)");
	assert_null(err);
	return g;
}

static void test_geo_default_unit(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	g = geo_ok(g);
	assert_int_equal(g.unit_sectors, 8);
	assert_int_equal(g.unit_shift, 3);
	assert_int_equal(g.nr_lunits, 1000);
	assert_int_equal(g.nr_sunits, 100);

	/* Unknown physical block size: the logical one. */
	g = good_geometry();
	g.main_pbs = 0;
	g = geo_ok(g);
	assert_int_equal(g.unit_sectors, 1);
	assert_int_equal(g.unit_shift, 0);
	assert_int_equal(g.nr_lunits, 8000);
	assert_int_equal(g.nr_sunits, 800);

	/* A physical block smaller than the logical one counts as it. */
	g = good_geometry();
	g.main_lbs = g.spare_lbs = 4096;
	g.main_pbs = 512;
	g = geo_ok(g);
	assert_int_equal(g.unit_sectors, 8);

	/* The largest physical block allowed as a default. */
	g = good_geometry();
	g.main_pbs = 1 << 20;
	g.target_len = 2048 * 3;
	g.spare_start = 2048 * 3;
	g.spare_len = 2048;
	g = geo_ok(g);
	assert_int_equal(g.unit_sectors, 2048);
	assert_int_equal(g.unit_shift, 11);
	assert_int_equal(g.nr_lunits, 3);
	assert_int_equal(g.nr_sunits, 1);
}

static void test_geo_explicit_unit(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	g.unit_sectors = 64;
	g.target_len = 65;	/* partial last unit */
	g.spare_len = 64 * 3 + 63;	/* partial unit not counted */
	g = geo_ok(g);
	assert_int_equal(g.unit_sectors, 64);
	assert_int_equal(g.unit_shift, 6);
	assert_int_equal(g.nr_lunits, 2);
	assert_int_equal(g.nr_sunits, 3);

	g = good_geometry();
	g.unit_sectors = 1;
	g.main_pbs = 4096;
	g = geo_ok(g);
	assert_int_equal(g.unit_sectors, 1);
	assert_int_equal(g.nr_lunits, 8000);

	g = good_geometry();
	g.unit_sectors = REMAP_MAX_UNIT_SECTORS;
	g.spare_len = REMAP_MAX_UNIT_SECTORS;
	g = geo_ok(g);
	assert_int_equal(g.unit_shift, 11);
	assert_int_equal(g.nr_lunits, 4);	/* ceil(8000 / 2048) */
	assert_int_equal(g.nr_sunits, 1);
}

static void test_geo_huge(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	/* A whole 2^64-1 sector device, spare elsewhere. */
	g.same_device = false;
	g.main_pbs = 512;
	g.main_dev_sectors = U64_MAX;
	g.target_len = U64_MAX;
	g.spare_dev_sectors = U64_MAX;
	g.spare_start = 0;
	g.spare_len = U64_MAX;
	g.unit_sectors = 2048;
	g = geo_ok(g);
	assert_int_equal(g.nr_lunits, (U64_MAX >> 11) + 1);
	assert_int_equal(g.nr_sunits, U64_MAX >> 11);

	/* Ending exactly at the last sector. */
	g = good_geometry();
	g.same_device = false;
	g.main_dev_sectors = U64_MAX;
	g.main_start = U64_MAX - 8;
	g.target_len = 8;
	geo_ok(g);
}

static void test_geo_lbs(void **state)
{
	struct remap_geometry g;
	static const u32 bad[] = { 0, 1, 256, 511, 513, 1000, 4095, 0x80000001 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g = good_geometry();
		g.main_lbs = bad[i];
		geo_fails(g, "Invalid logical block size of main device");
		g = good_geometry();
		g.spare_lbs = bad[i];
		geo_fails(g, "Invalid logical block size of spare device");
	}
	g = good_geometry();
	g.spare_lbs = 4096;
	geo_fails(g, "Logical block sizes of main and spare devices differ");
	g = good_geometry();
	g.main_lbs = 4096;
	geo_fails(g, "Logical block sizes of main and spare devices differ");
}

static void test_geo_pbs(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	g.main_pbs = 3000;
	geo_fails(g, "Invalid physical block size of main device");
	g.main_pbs = 2U << 20;
	geo_fails(g, "Physical block size above 1 MiB: set unit_sectors");
	/* An explicit unit makes the physical block size irrelevant. */
	g.unit_sectors = 8;
	geo_ok(g);
	g.main_pbs = 3000;
	geo_ok(g);
}

static void test_geo_unit(void **state)
{
	struct remap_geometry g;
	static const u32 npot[] = { 3, 5, 6, 7, 12, 100, 2047, 2049, 3072,
				    0xffffffff };
	static const u32 big[] = { 4096, 1U << 20, 1U << 31 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(npot) / sizeof(npot[0]); i++) {
		g = good_geometry();
		g.unit_sectors = npot[i];
		geo_fails(g, "unit_sectors is not a power of two");
	}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		g = good_geometry();
		g.unit_sectors = big[i];
		geo_fails(g, "unit_sectors larger than 2048 (1 MiB)");
	}
	g = good_geometry();
	g.main_lbs = g.spare_lbs = 4096;
	g.unit_sectors = 4;
	geo_fails(g, "Unit smaller than the logical block size");
	g.unit_sectors = 8;
	geo_ok(g);
}

static void test_geo_target_len(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	g.target_len = 0;
	geo_fails(g, "Zero-length target");
}

static void test_geo_alignment(void **state)
{
	struct remap_geometry g;

	(void)state;
	g = good_geometry();
	g.main_lbs = g.spare_lbs = 4096;
	geo_ok(g);

	g.main_start = 4;
	geo_fails(g, "main_start not a multiple of the logical block size");
	g.main_start = 0;
	g.spare_start += 1;
	geo_fails(g, "spare_start not a multiple of the logical block size");
	g.spare_start -= 1;
	g.spare_len += 7;
	geo_fails(g, "spare_len not a multiple of the logical block size");
	g.spare_len -= 7;
	g.target_len += 2;
	geo_fails(g,
		  "Target length not a multiple of the logical block size");
	g.target_len -= 2;
	geo_ok(g);
}

static void test_geo_main_size(void **state)
{
	struct remap_geometry g = good_geometry();
	const char *msg = "Main device too small for target length/start";

	(void)state;
	g.same_device = false;
	g.main_dev_sectors = g.target_len - 1;
	geo_fails(g, msg);
	g.main_dev_sectors = g.target_len;
	geo_ok(g);
	g.main_start = 8;
	geo_fails(g, msg);
	g.main_start = g.main_dev_sectors + 8;
	geo_fails(g, msg);
	/* main_start + target_len overflows u64. */
	g.main_dev_sectors = U64_MAX;
	g.main_start = U64_MAX - 7;
	g.target_len = 16;
	geo_fails(g, msg);
	g.main_start = 16;
	g.target_len = U64_MAX - 8;
	geo_fails(g, msg);
	g.main_start = U64_MAX;
	g.target_len = U64_MAX;
	geo_fails(g, msg);
}

static void test_geo_spare_size(void **state)
{
	struct remap_geometry g = good_geometry();
	const char *msg = "Spare device too small for spare_start/spare_len";

	(void)state;
	g.spare_dev_sectors = g.spare_start + g.spare_len - 1;
	geo_fails(g, msg);
	g.spare_dev_sectors += 1;
	geo_ok(g);
	g.spare_start = g.spare_dev_sectors + 1;
	geo_fails(g, msg);
	/* spare_start + spare_len overflows u64. */
	g.same_device = false;
	g.spare_dev_sectors = U64_MAX;
	g.spare_start = U64_MAX - 7;
	g.spare_len = 16;
	geo_fails(g, msg);
	g.spare_start = U64_MAX;
	g.spare_len = U64_MAX;
	geo_fails(g, msg);
}

static void test_geo_spare_unit(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	g.spare_len = 7;	/* unit is 8 sectors */
	geo_fails(g, "Spare area smaller than one unit");
	g.spare_len = 0;
	geo_fails(g, "Spare area smaller than one unit");
	g.spare_len = 8;
	g = geo_ok(g);
	assert_int_equal(g.nr_sunits, 1);
}

static void test_geo_overlap(void **state)
{
	struct remap_geometry g = good_geometry();
	const char *msg = "Spare area overlaps the target on the same device";

	(void)state;
	/* Spare right after the target: fine. */
	geo_ok(g);
	/* One sector of overlap at the end of the target. */
	g.spare_start = g.target_len - 1;
	geo_fails(g, msg);
	/* Spare right before the target: fine. */
	g = good_geometry();
	g.spare_start = 0;
	g.spare_len = 800;
	g.main_start = 800;
	geo_ok(g);
	g.main_start = 799;
	geo_fails(g, msg);
	/* Spare inside the target, and target inside the spare. */
	g = good_geometry();
	g.spare_start = 80;
	g.spare_len = 8;
	geo_fails(g, msg);
	g = good_geometry();
	g.main_start = 1000;
	g.target_len = 8;
	g.spare_start = 0;
	g.spare_len = 4000;
	geo_fails(g, msg);
	/* Identical ranges. */
	g = good_geometry();
	g.spare_start = 0;
	g.spare_len = g.target_len;
	geo_fails(g, msg);
	/* Different devices may use the same numbers. */
	g.same_device = false;
	geo_ok(g);
}

static void test_geo_null_error(void **state)
{
	struct remap_geometry g = good_geometry();

	(void)state;
	g.target_len = 0;
	assert_int_equal(remap_geometry_check(&g, NULL), -EINVAL);
}

/* ---- remap_parse_message ---- */

static void msg_fails(unsigned int argc, char **argv, u64 len,
		      const char *msg)
{
	struct remap_msg m;
	const char *err = NULL;

	assert_int_equal(remap_parse_message(argc, argv, len, &m, &err),
			 -EINVAL);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static struct remap_msg msg_ok(unsigned int argc, char **argv, u64 len)
{
	struct remap_msg m;
	const char *err = NULL;

	memset(&m, 0x5a, sizeof(m));
	if (remap_parse_message(argc, argv, len, &m, &err))
		fail_msg("unexpected refusal: %s", err ? err : "(null)");
	assert_null(err);
	return m;
}

static void test_msg_ok(void **state)
{
	char *r1[] = { "remap", "5" };
	char *r2[] = { "remap", "5", "10" };
	char *u1[] = { "unremap", "0" };
	char *u2[] = { "unremap", "0", "100" };
	char *last[] = { "remap", "99" };
	char *cl[] = { "clear" };
	char *li[] = { "list" };
	struct remap_msg m;

	(void)state;
	m = msg_ok(2, r1, 100);
	assert_int_equal(m.op, REMAP_MSG_REMAP);
	assert_int_equal(m.sector, 5);
	assert_int_equal(m.nr_sectors, 1);
	m = msg_ok(3, r2, 100);
	assert_int_equal(m.op, REMAP_MSG_REMAP);
	assert_int_equal(m.sector, 5);
	assert_int_equal(m.nr_sectors, 10);
	m = msg_ok(2, u1, 100);
	assert_int_equal(m.op, REMAP_MSG_UNREMAP);
	assert_int_equal(m.sector, 0);
	assert_int_equal(m.nr_sectors, 1);
	m = msg_ok(3, u2, 100);
	assert_int_equal(m.op, REMAP_MSG_UNREMAP);
	assert_int_equal(m.nr_sectors, 100);
	m = msg_ok(2, last, 100);
	assert_int_equal(m.sector, 99);
	m = msg_ok(1, cl, 100);
	assert_int_equal(m.op, REMAP_MSG_CLEAR);
	m = msg_ok(1, li, 0);
	assert_int_equal(m.op, REMAP_MSG_LIST);
}

static void test_msg_extremes(void **state)
{
	char *a[] = { "remap", "18446744073709551614", "1" };
	char *b[] = { "remap", "0", "18446744073709551615" };
	struct remap_msg m;

	(void)state;
	m = msg_ok(3, a, U64_MAX);
	assert_int_equal(m.sector, U64_MAX - 1);
	m = msg_ok(3, b, U64_MAX);
	assert_int_equal(m.nr_sectors, U64_MAX);
	msg_fails(3, b, U64_MAX - 1, "Sector range beyond end of device");
}

static void test_msg_verbs(void **state)
{
	char *empty[] = { "" };
	char *unk[] = { "bogus" };
	char *caps[] = { "REMAP", "1" };
	char *pfx[] = { "rem", "1" };
	char *lst[] = { "list", "x" };
	char *clr[] = { "clear", "1" };

	(void)state;
	msg_fails(0, NULL, 100, "Empty message");
	msg_fails(1, empty, 100, "Empty message");
	msg_fails(1, unk, 100, "Unrecognised message");
	msg_fails(2, caps, 100, "Unrecognised message");
	msg_fails(2, pfx, 100, "Unrecognised message");
	msg_fails(2, lst, 100, "Usage: list (no arguments)");
	msg_fails(2, clr, 100, "Usage: clear (no arguments)");
}

static void test_msg_protect(void **state)
{
	char *p[] = { "protect", "2048", "16" };
	char *p0[] = { "protect", "0", "0" };
	char *pbig[] = { "protect", "101", "0" };
	char *pbad[] = { "protect", "1", "x" };
	char *u[] = { "unprotect", "1" };
	struct remap_msg m;

	(void)state;
	m = msg_ok(3, p, 4096);
	assert_int_equal(m.op, REMAP_MSG_PROTECT);
	assert_int_equal(m.sector, 2048);
	assert_int_equal(m.value, 16);
	m = msg_ok(3, pbig, 101);
	assert_int_equal(m.sector, 101);
	msg_fails(2, p, 4096, "Usage: protect <head_sectors> <tail_sectors>");
	msg_fails(3, p0, 100, "protect: nothing to protect");
	msg_fails(3, pbig, 100,
		  "protect: sector counts must be numbers from 0 to the target's length");
	msg_fails(3, pbad, 100,
		  "protect: sector counts must be numbers from 0 to the target's length");
	m = msg_ok(1, u, 100);
	assert_int_equal(m.op, REMAP_MSG_UNPROTECT);
	msg_fails(2, u, 100, "Usage: unprotect (no arguments)");
}

static void test_msg_arity(void **state)
{
	char *r[] = { "remap", "1", "2", "3" };
	char *u[] = { "unremap", "1", "2", "3" };

	(void)state;
	msg_fails(1, r, 100, "Usage: remap <sector> [<nr_sectors>]");
	msg_fails(4, r, 100, "Usage: remap <sector> [<nr_sectors>]");
	msg_fails(1, u, 100, "Usage: unremap <sector> [<nr_sectors>]");
	msg_fails(4, u, 100, "Usage: unremap <sector> [<nr_sectors>]");
}

static void test_msg_numbers(void **state)
{
	char *s1[] = { "remap", "-1" };
	char *s2[] = { "unremap", "1k" };
	char *s3[] = { "remap", "18446744073709551616" };
	char *n1[] = { "remap", "1", "x" };
	char *n2[] = { "unremap", "1", "+1" };
	char *z[] = { "remap", "1", "0" };
	char *z2[] = { "unremap", "1", "000" };

	(void)state;
	msg_fails(2, s1, 100, "Invalid sector");
	msg_fails(2, s2, 100, "Invalid sector");
	msg_fails(2, s3, U64_MAX, "Invalid sector");
	msg_fails(3, n1, 100, "Invalid number of sectors");
	msg_fails(3, n2, 100, "Invalid number of sectors");
	msg_fails(3, z, 100, "Number of sectors must not be zero");
	msg_fails(3, z2, 100, "Number of sectors must not be zero");
}

static void test_msg_bounds(void **state)
{
	char *at_end[] = { "remap", "100" };
	char *past[] = { "unremap", "18446744073709551615" };
	char *range[] = { "remap", "90", "11" };
	char *range_ok[] = { "remap", "90", "10" };
	char *ovf[] = { "unremap", "50", "18446744073709551615" };
	char *any[] = { "remap", "0" };

	(void)state;
	msg_fails(2, at_end, 100, "Sector beyond end of device");
	msg_fails(2, past, 100, "Sector beyond end of device");
	msg_fails(2, past, U64_MAX, "Sector beyond end of device");
	msg_fails(2, any, 0, "Sector beyond end of device");
	msg_fails(3, range, 100, "Sector range beyond end of device");
	msg_ok(3, range_ok, 100);
	msg_fails(3, ovf, 100, "Sector range beyond end of device");
	msg_fails(3, ovf, U64_MAX, "Sector range beyond end of device");
}

static void test_ctr_auto_remap_features(void **state)
{
	char *plain[] = { "/dev/a", "0", "/dev/b", "0", "64" };
	char *off[] = { "/dev/a", "0", "/dev/b", "0", "64", "1",
			"no_auto_remap" };
	char *rr[] = { "/dev/a", "0", "/dev/b", "0", "64", "3",
		       "read_retries", "0", "no_auto_remap" };
	char *rr16[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
			 "read_retries", "16" };
	char *rr17[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
			 "read_retries", "17" };
	char *rrx[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
			"read_retries", "-1" };
	char *rrmiss[] = { "/dev/a", "0", "/dev/b", "0", "64", "1",
			   "read_retries" };
	char *rr2[] = { "/dev/a", "0", "/dev/b", "0", "64", "4",
			"read_retries", "1", "read_retries", "2" };
	char *off2[] = { "/dev/a", "0", "/dev/b", "0", "64", "2",
			 "no_auto_remap", "no_auto_remap" };
	struct remap_ctr_args a;
	const char *err = NULL;

	(void)state;
	assert_int_equal(remap_parse_ctr(ARGC(plain), plain, &a, &err), 0);
	assert_false(a.features.no_auto_remap);
	assert_int_equal(a.features.read_retries, REMAP_DEFAULT_READ_RETRIES);
	assert_int_equal(remap_parse_ctr(ARGC(off), off, &a, &err), 0);
	assert_true(a.features.no_auto_remap);
	assert_int_equal(remap_parse_ctr(ARGC(rr), rr, &a, &err), 0);
	assert_true(a.features.no_auto_remap);
	assert_int_equal(a.features.read_retries, 0);
	assert_int_equal(remap_parse_ctr(ARGC(rr16), rr16, &a, &err), 0);
	assert_int_equal(a.features.read_retries, 16);
	assert_null(err);
	ctr_fails(ARGC(rr17), rr17, "read_retries must be a number from 0 to 16");
	ctr_fails(ARGC(rrx), rrx, "read_retries must be a number from 0 to 16");
	ctr_fails(ARGC(rrmiss), rrmiss, "Missing value for feature read_retries");
	ctr_fails(ARGC(rr2), rr2, "Duplicate feature argument read_retries");
	ctr_fails(ARGC(off2), off2, "Duplicate feature argument no_auto_remap");
}

static void test_msg_new_verbs(void **state)
{
	char *st[] = { "stats" };
	char *st2[] = { "stats", "x" };
	char *on[] = { "auto_remap", "on" };
	char *off[] = { "auto_remap", "off" };
	char *bad[] = { "auto_remap", "yes" };
	char *none[] = { "auto_remap" };
	char *rr[] = { "read_retries", "5" };
	char *rr17[] = { "read_retries", "17" };
	char *rr0[] = { "read_retries" };
	struct remap_msg m;

	(void)state;
	m = msg_ok(1, st, 100);
	assert_int_equal(m.op, REMAP_MSG_STATS);
	msg_fails(2, st2, 100, "Usage: stats (no arguments)");
	m = msg_ok(2, on, 100);
	assert_int_equal(m.op, REMAP_MSG_AUTO_REMAP);
	assert_int_equal(m.value, 1);
	m = msg_ok(2, off, 100);
	assert_int_equal(m.value, 0);
	msg_fails(2, bad, 100, "Usage: auto_remap on|off");
	msg_fails(1, none, 100, "Usage: auto_remap on|off");
	m = msg_ok(2, rr, 100);
	assert_int_equal(m.op, REMAP_MSG_READ_RETRIES);
	assert_int_equal(m.value, 5);
	msg_fails(2, rr17, 100, "read_retries must be a number from 0 to 16");
	msg_fails(1, rr0, 100, "Usage: read_retries <n>");
}

static void test_msg_remap_many(void **state)
{
	char *ok[] = { "remap_many", "5", "10+3", "99", "0+100" };
	char *none[] = { "remap_many" };
	char *plus0[] = { "remap_many", "1+0" };
	char *past[] = { "remap_many", "1", "100" };
	char *range[] = { "remap_many", "90+11" };
	char *junk[] = { "remap_many", "1", "x" };
	char *junk2[] = { "remap_many", "1+" };
	char *junk3[] = { "remap_many", "+1" };
	char *junk4[] = { "remap_many", "1+2+3" };
	char *junk5[] = { "remap_many", "" };
	char *ovf[] = { "remap_many", "18446744073709551616" };
	char *zf[] = { "remap_many", "zero_fill", "5", "10+3" };
	char *zfnone[] = { "remap_many", "zero_fill" };
	char *zflate[] = { "remap_many", "5", "zero_fill" };
	char *zfcase[] = { "remap_many", "Zero_fill" };
	char *zftwice[] = { "remap_many", "zero_fill", "zero_fill" };
	char *zfpast[] = { "remap_many", "zero_fill", "100" };
	struct remap_msg m;
	const char *err = NULL;
	u64 s, n;

	(void)state;
	m = msg_ok(ARGC(ok), ok, 100);
	assert_int_equal(m.op, REMAP_MSG_REMAP_MANY);
	assert_int_equal(m.nr_extents, 4);
	assert_int_equal(m.first_extent, 1);
	assert_int_equal(m.value, 0);
	m = msg_ok(ARGC(zf), zf, 100);
	assert_int_equal(m.op, REMAP_MSG_REMAP_MANY);
	assert_int_equal(m.value, 1);
	assert_int_equal(m.first_extent, 2);
	assert_int_equal(m.nr_extents, 2);
	msg_fails(1, none, 100, "Usage: remap_many [zero_fill] <sector>[+<nr_sectors>]...");
	msg_fails(2, zfnone, 100, "Usage: remap_many [zero_fill] <sector>[+<nr_sectors>]...");
	/* the keyword only first, spelt exactly */
	msg_fails(3, zflate, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(2, zfcase, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(3, zftwice, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(3, zfpast, 100, "Sector beyond end of device");
	msg_fails(2, plus0, 100, "Number of sectors must not be zero");
	msg_fails(3, past, 100, "Sector beyond end of device");
	msg_fails(2, range, 100, "Sector range beyond end of device");
	msg_fails(3, junk, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(2, junk2, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(2, junk3, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(2, junk4, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(2, junk5, 100, "Invalid extent (want <sector>[+<nr_sectors>])");
	msg_fails(2, ovf, U64_MAX, "Invalid extent (want <sector>[+<nr_sectors>])");
	assert_int_equal(remap_parse_extent("10+3", 100, &s, &n, &err), 0);
	assert_int_equal(s, 10);
	assert_int_equal(n, 3);
	assert_int_equal(remap_parse_extent("7", 100, &s, &n, &err), 0);
	assert_int_equal(s, 7);
	assert_int_equal(n, 1);
	assert_int_equal(remap_parse_extent("0+18446744073709551615", U64_MAX,
					    &s, &n, &err), 0);
	assert_int_equal(n, U64_MAX);
}

static void test_msg_scrub(void **state)
{
	char *all[] = { "scrub", "start" };
	char *range[] = { "scrub", "start", "8", "16" };
	char *tail[] = { "scrub", "start", "99", "1" };
	char *pa[] = { "scrub", "pause" };
	char *re[] = { "scrub", "resume" };
	char *ca[] = { "scrub", "cancel" };
	char *none[] = { "scrub" };
	char *bad[] = { "scrub", "stop" };
	char *one[] = { "scrub", "start", "8" };
	char *extra[] = { "scrub", "pause", "1" };
	char *zero[] = { "scrub", "start", "8", "0" };
	char *past[] = { "scrub", "start", "100", "1" };
	char *over[] = { "scrub", "start", "90", "11" };
	char *junk[] = { "scrub", "start", "8x", "1" };
	char *junk2[] = { "scrub", "start", "8", "-1" };
	char *rate[] = { "scrub_rate", "0" };
	char *rate_max[] = { "scrub_rate", "16777216" };
	char *rate_big[] = { "scrub_rate", "16777217" };
	char *rate_none[] = { "scrub_rate" };
	char *slow[] = { "scrub_slow_ms", "250" };
	char *slow_big[] = { "scrub_slow_ms", "60001" };
	char *slow_neg[] = { "scrub_slow_ms", "-1" };
	const char *usage =
		"Usage: scrub start [<first_sector> <nr_sectors>]|pause|resume|cancel";
	struct remap_msg m;

	(void)state;
	m = msg_ok(ARGC(all), all, 100);
	assert_int_equal(m.op, REMAP_MSG_SCRUB);
	assert_int_equal(m.value, REMAP_SCRUB_START);
	assert_int_equal(m.sector, 0);
	assert_int_equal(m.nr_sectors, 100);
	m = msg_ok(ARGC(range), range, 100);
	assert_int_equal(m.value, REMAP_SCRUB_START);
	assert_int_equal(m.sector, 8);
	assert_int_equal(m.nr_sectors, 16);
	m = msg_ok(ARGC(tail), tail, 100);
	assert_int_equal(m.sector, 99);
	assert_int_equal(m.nr_sectors, 1);
	m = msg_ok(ARGC(pa), pa, 100);
	assert_int_equal(m.value, REMAP_SCRUB_PAUSE);
	m = msg_ok(ARGC(re), re, 100);
	assert_int_equal(m.value, REMAP_SCRUB_RESUME);
	m = msg_ok(ARGC(ca), ca, 100);
	assert_int_equal(m.value, REMAP_SCRUB_CANCEL);
	msg_fails(ARGC(none), none, 100, usage);
	msg_fails(ARGC(bad), bad, 100, usage);
	msg_fails(ARGC(one), one, 100, usage);
	msg_fails(ARGC(extra), extra, 100, usage);
	msg_fails(ARGC(zero), zero, 100, "Number of sectors must not be zero");
	msg_fails(ARGC(past), past, 100, "Sector beyond end of device");
	msg_fails(ARGC(over), over, 100, "Sector range beyond end of device");
	msg_fails(ARGC(junk), junk, 100, "Invalid sector");
	msg_fails(ARGC(junk2), junk2, 100, "Invalid number of sectors");
	m = msg_ok(ARGC(rate), rate, 100);
	assert_int_equal(m.op, REMAP_MSG_SCRUB_RATE);
	assert_int_equal(m.value, 0);
	m = msg_ok(ARGC(rate_max), rate_max, 100);
	assert_int_equal(m.value, REMAP_MAX_SCRUB_RATE);
	msg_fails(ARGC(rate_big), rate_big, 100,
		  "scrub_rate must be a number from 0 to 16777216 (KiB/s, 0: unthrottled)");
	msg_fails(ARGC(rate_none), rate_none, 100, "Usage: scrub_rate <KiB/s>");
	m = msg_ok(ARGC(slow), slow, 100);
	assert_int_equal(m.op, REMAP_MSG_SCRUB_SLOW_MS);
	assert_int_equal(m.value, 250);
	msg_fails(ARGC(slow_big), slow_big, 100,
		  "scrub_slow_ms must be a number from 0 to 60000 (0: off)");
	msg_fails(ARGC(slow_neg), slow_neg, 100,
		  "scrub_slow_ms must be a number from 0 to 60000 (0: off)");
}

/* "identity <serial>|- <wwn>|- <partition>" (docs: metadata "Identity"). */
static void test_msg_identity(void **state)
{
	char *both[] = { "identity", "WD-WX12", "0x5000c500a1b2c3d4", "2" };
	char *none[] = { "identity", "-", "-", "0" };
	char *pmax[] = { "identity", "s", "-", "4294967295" };
	char *pbig[] = { "identity", "s", "-", "4294967296" };
	char *pjunk[] = { "identity", "s", "-", "1x" };
	char *three[] = { "identity", "s", "-" };
	char *ctl[] = { "identity", "s\x01", "-", "0" };
	char *longw[] = { "identity", "-",
		"0123456789012345678901234567890123456789012345678901234567890123",
		"0" };
	const char *usage = "Usage: identity <serial>|- <wwn>|- <partition>";
	struct remap_msg m;

	(void)state;
	m = msg_ok(ARGC(both), both, 100);
	assert_int_equal(m.op, REMAP_MSG_IDENTITY);
	assert_string_equal(m.serial, "WD-WX12");
	assert_string_equal(m.wwn, "0x5000c500a1b2c3d4");
	assert_int_equal(m.value, 2);
	m = msg_ok(ARGC(none), none, 100);
	assert_null(m.serial);
	assert_null(m.wwn);
	m = msg_ok(ARGC(pmax), pmax, 100);
	assert_int_equal(m.value, 4294967295ULL);
	msg_fails(ARGC(pbig), pbig, 100,
		  "identity: the partition must be a number from 0 to 4294967295");
	msg_fails(ARGC(pjunk), pjunk, 100,
		  "identity: the partition must be a number from 0 to 4294967295");
	msg_fails(ARGC(three), three, 100, usage);
	msg_fails(ARGC(ctl), ctl, 100,
		  "identity serial or WWN: a blank or control character");
	msg_fails(ARGC(longw), longw, 100, "identity string too long");
}

/* ---- the feature words elsewhere ---- */

/* @s with every run of blanks and newlines made one space; malloc'd. */
static char *one_space(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Append core's feature words to @buf: @pre word [ <n>] @post each. */
static void feature_list(char *buf, size_t len, const char *pre,
			 const char *post, const char *sep)
{
	size_t n = strlen(buf);
	int k;

	for (k = 0; k < REMAP_NR_FEATURES; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s%s",
				      k ? sep : "", pre,
				      remap_feature_words[k].word,
				      remap_feature_words[k].value ? " <n>" : "",
				      post);
}

/*
 * remap_create_safe.sh builds the table line's features in shell (it
 * needs nothing but dmsetup and coreutils, so not remapctl): the words
 * its FEATURES+=(...) lines add, in their order, each with a value or
 * not, are core's table; so is the list its --help shows.  And
 * docs/dm-remap.rst gives the order "dmsetup table" writes them in.
 */
static void test_feature_words_elsewhere(void **state)
{
	char *sh = read_tree_file("remap_create_safe.sh");
	char *doc = read_tree_file("docs/dm-remap.rst");
	char *sh1 = one_space(sh), *doc1 = one_space(doc);
	char want[512] = "", got[512] = "";
	const char *p = sh, *end;
	size_t n = 0;

	(void)state;
	feature_list(want, sizeof(want), "", "", "|");
	while ((p = strstr(p, "FEATURES+=("))) {
		p += strlen("FEATURES+=(");
		end = strchr(p, ')');
		assert_non_null(end);
		/* "word" or "word "$VALUE"": the value is " <n>". */
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%.*s%s",
				      n ? "|" : "",
				      (int)strcspn(p, " )"), p,
				      memchr(p, '$', (size_t)(end - p)) ?
				      " <n>" : "");
		p = end;
	}
	assert_string_equal(got, want);

	strcpy(want, "[<#features> ");
	feature_list(want, sizeof(want), "[", "]", " ");
	strcat(want, "]");
	if (!strstr(sh1, want))
		fail_msg("remap_create_safe.sh --help does not show %s", want);

	strcpy(want, "in the order ");
	feature_list(want, sizeof(want), "``", "``", ", ");
	if (!strstr(doc1, want))
		fail_msg("docs/dm-remap.rst does not say %s", want);
	free(sh);
	free(doc);
	free(sh1);
	free(doc1);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_msg_identity),
	cmocka_unit_test(test_msg_scrub),
	cmocka_unit_test(test_ctr_auto_remap_features),
	cmocka_unit_test(test_msg_new_verbs),
	cmocka_unit_test(test_msg_remap_many),
	cmocka_unit_test(test_u64_ok),
	cmocka_unit_test(test_u64_bad),
	cmocka_unit_test(test_ctr_ok),
	cmocka_unit_test(test_ctr_ok_extremes),
	cmocka_unit_test(test_ctr_features_ok),
	cmocka_unit_test(test_ctr_same),
	cmocka_unit_test(test_ctr_volatile),
	cmocka_unit_test(test_ctr_not_enough),
	cmocka_unit_test(test_ctr_bad_fixed),
	cmocka_unit_test(test_ctr_feature_count),
	cmocka_unit_test(test_ctr_feature_words),
	cmocka_unit_test(test_ctr_unit_sectors_value),
	cmocka_unit_test(test_geo_default_unit),
	cmocka_unit_test(test_geo_explicit_unit),
	cmocka_unit_test(test_geo_huge),
	cmocka_unit_test(test_geo_lbs),
	cmocka_unit_test(test_geo_pbs),
	cmocka_unit_test(test_geo_unit),
	cmocka_unit_test(test_geo_target_len),
	cmocka_unit_test(test_geo_alignment),
	cmocka_unit_test(test_geo_main_size),
	cmocka_unit_test(test_geo_spare_size),
	cmocka_unit_test(test_geo_spare_unit),
	cmocka_unit_test(test_geo_overlap),
	cmocka_unit_test(test_geo_null_error),
	cmocka_unit_test(test_msg_ok),
	cmocka_unit_test(test_msg_extremes),
	cmocka_unit_test(test_msg_verbs),
	cmocka_unit_test(test_msg_protect),
	cmocka_unit_test(test_msg_arity),
	cmocka_unit_test(test_msg_numbers),
	cmocka_unit_test(test_msg_bounds),
	cmocka_unit_test(test_feature_words_elsewhere),
};

TEST_MAIN(tests)
