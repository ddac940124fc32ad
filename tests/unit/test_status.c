// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_status.c - unit tests of core/remap_status.c: the status line and
 * the stats answer read into named fields, the field table itself.
 */
#include "test_common.h"
#include "remap_status.h"
#include "core_test_only.h"

static void test_table(void **state)
{
	int i, j, pos[REMAP_STATUS_NR_POS] = { 0 };

	(void)state;
	for (i = 0; i < REMAP_NR_FIELDS; i++) {
		assert_non_null(remap_fields[i].key);
		assert_non_null(remap_fields[i].desc);
		assert_int_equal(remap_field_by_key(remap_fields[i].key,
						    strlen(remap_fields[i].key)), i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(remap_fields[i].key,
						remap_fields[j].key);
		if (remap_fields[i].status_pos >= 0)
			pos[remap_fields[i].status_pos]++;
	}
	/* Every position of the line has its field; 2 has two. */
	for (i = 0; i < REMAP_STATUS_NR_POS; i++)
		assert_int_equal(pos[i], i == 2 ? 2 : 1);
	assert_int_equal(remap_field_by_key("nonsense", 8), -1);
	assert_int_equal(remap_field_by_key("spare_used", 5), -1);
}

static void test_line(void **state)
{
	struct remap_status s;

	(void)state;
	/* The example of README's failing-disk section. */
	assert_int_equal(remap_status_parse_line(
		"8 16 16/2544 0 ok 1 16 5 1 0 0 auto_remap ok 0", &s), 0);
	assert_int_equal(s.v[REMAP_F_UNIT_SECTORS], 8);
	assert_int_equal(s.v[REMAP_F_REMAPPED_UNITS], 16);
	assert_int_equal(s.v[REMAP_F_SPARE_USED], 16);
	assert_int_equal(s.v[REMAP_F_SPARE_UNITS], 2544);
	assert_int_equal(s.v[REMAP_F_SPARE_FREE], 2528);
	assert_int_equal(s.v[REMAP_F_PENDING_UNITS], 1);
	assert_int_equal(s.v[REMAP_F_REALLOCATION_EVENTS], 16);
	assert_int_equal(s.v[REMAP_F_AUTO_REMAPS], 5);
	assert_int_equal(s.v[REMAP_F_UNCORRECTABLE_READS], 1);
	assert_int_equal(s.v[REMAP_F_METADATA], REMAP_W_META_OK);
	assert_int_equal(s.v[REMAP_F_AUTO_REMAP], REMAP_W_ON);
	assert_int_equal(s.v[REMAP_F_SPARE_EXHAUSTED], REMAP_W_OFF);
	assert_true(s.have[REMAP_F_DOUBT_UNITS]);
	assert_false(s.have[REMAP_F_READ_RETRIES]);
	/* A line of a module without the scrubber: no scrub fields. */
	assert_false(s.have[REMAP_F_SCRUB_STATE]);
	assert_int_equal(s.extra, 0);

	assert_int_equal(remap_status_parse_line(
		"8 0 3/3 0 failed 0 3 1 0 2 2 no_auto_remap exhausted 4 "
		"paused 4096 8192 3 1796543536 5 2 1 1 512 x y", &s), 0);
	assert_int_equal(s.v[REMAP_F_SCRUB_START], 512);
	{
		struct remap_status c = s;
		u64 total;

		/* 4096 - 512 of 8192 - 512 sectors. */
		assert_int_equal(remap_scrub_done(&c, &total), 3584);
		assert_int_equal(total, 7680);
		c.v[REMAP_F_SCRUB_POSITION] = 8192;
		assert_int_equal(remap_scrub_done(&c, &total), 7680);
		c.v[REMAP_F_SCRUB_POSITION] = 100;
		assert_int_equal(remap_scrub_done(&c, &total), 0);
		c.v[REMAP_F_SCRUB_END] = 0;
		assert_int_equal(remap_scrub_done(&c, &total), 0);
		assert_int_equal(total, 0);
		c.have[REMAP_F_SCRUB_START] = false;
		c.v[REMAP_F_SCRUB_END] = 8192;
		assert_int_equal(remap_scrub_done(&c, &total), 0);
		assert_int_equal(total, 0);
	}
	assert_int_equal(s.v[REMAP_F_SCRUB_STATE], REMAP_W_SCRUB_PAUSED);
	assert_string_equal(remap_field_word(REMAP_F_SCRUB_STATE, s.v[REMAP_F_SCRUB_STATE]), "paused");
	assert_int_equal(s.v[REMAP_F_SCRUB_POSITION], 4096);
	assert_int_equal(s.v[REMAP_F_SCRUB_END], 8192);
	assert_int_equal(s.v[REMAP_F_SCRUB_PASSES], 3);
	assert_int_equal(s.v[REMAP_F_SCRUB_LAST_PASS_END], 1796543536);
	assert_int_equal(s.v[REMAP_F_SCRUB_READ_ERRORS], 5);
	assert_int_equal(s.v[REMAP_F_SCRUB_RELOCATED], 2);
	assert_int_equal(s.v[REMAP_F_SCRUB_WEAK], 1);
	assert_int_equal(s.v[REMAP_F_SCRUB_PENDING], 1);
	assert_int_equal(s.v[REMAP_F_METADATA], REMAP_W_META_FAILED);
	assert_int_equal(s.v[REMAP_F_AUTO_REMAP], REMAP_W_OFF);
	assert_int_equal(s.v[REMAP_F_SPARE_EXHAUSTED], REMAP_W_ON);
	assert_int_equal(s.v[REMAP_F_DOUBT_UNITS], 4);
	assert_int_equal(s.extra, 2);
	assert_string_equal(remap_field_word(REMAP_F_SPARE_EXHAUSTED, s.v[REMAP_F_SPARE_EXHAUSTED]), "yes");

	/* A line of 1.2.0 (no scrub_start): read, scrub_start absent. */
	assert_int_equal(remap_status_parse_line(
		"8 0 3/3 0 ok 0 3 1 0 2 2 auto_remap ok 0 "
		"running 4096 8192 3 0 0 0 0 0", &s), 0);
	assert_true(s.have[REMAP_F_SCRUB_PENDING]);
	assert_false(s.have[REMAP_F_SCRUB_START]);

	/* An older line (no mode, pool state, doubt): read, those absent. */
	assert_int_equal(remap_status_parse_line("8 1 1/10 0 volatile 0 1 0 0 0 0", &s), 0);
	assert_false(s.have[REMAP_F_AUTO_REMAP]);
	assert_int_equal(s.v[REMAP_F_METADATA], REMAP_W_META_VOLATILE);

	assert_int_equal(remap_status_parse_line("8 1 1/10 0 ok 0 1 0 0 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("8 1 11/10 0 ok 0 1 0 0 0 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("8 1 1-10 0 ok 0 1 0 0 0 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("8 1 1/10 0 bad 0 1 0 0 0 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("8 -1 1/10 0 ok 0 1 0 0 0 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("8 1 1/10 0 ok 0 1 0 0 0 0 maybe ok 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("99999999999999999999 1 1/10 0 ok 0 1 0 0 0 0", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line("", &s), -EINVAL);
	assert_int_equal(remap_status_parse_line(
		"8 0 3/3 0 ok 0 3 1 0 2 2 auto_remap ok 0 scrubbing 0 0 0 0 0 0 0 0", &s), -EINVAL);
}

static void test_stats(void **state)
{
	struct remap_status s, l;

	(void)state;
	assert_int_equal(remap_status_parse_stats(
		"unit_sectors 8\nremapped_units 4\nspare_units 2544\nspare_used 5\n"
		"spare_free 2539\nretired_units 1\npending_units 0\n"
		"reallocation_events 5\nauto_remaps 3\nuncorrectable_reads 1\n"
		"spare_errors 1\nlost_sectors 6\nmetadata ok\nauto_remap on\n"
		"read_retries 3\nspare_exhausted no\ndoubt_units 0\nnew_key 7\n", &s), 0);
	assert_int_equal(remap_status_parse_line("8 4 5/2544 6 ok 0 5 3 1 1 1 auto_remap ok 0", &l), 0);
	/* The same values by either route, field by field. */
	for (int f = 0; f < REMAP_NR_FIELDS; f++) {
		if (!l.have[f])
			continue;
		assert_true(s.have[f]);
		assert_int_equal(s.v[f], l.v[f]);
	}
	assert_int_equal(s.v[REMAP_F_READ_RETRIES], 3);
	assert_int_equal(remap_status_parse_stats("metadata maybe\n", &s), -EINVAL);
	assert_int_equal(remap_status_parse_stats("pending_units\n", &s), -EINVAL);
	assert_int_equal(remap_status_parse_stats("pending_units x\n", &s), -EINVAL);
	assert_int_equal(remap_status_parse_stats("", &s), 0);
}

/* One field of a stats answer, the stats-only ones included. */
static void test_stats_field(void **state)
{
	static const char *const st =
		"unit_sectors 8\nspare_used 5\nmetadata failed\n"
		"scrub_rate 65536\nscrub_slow_ms\nread_retries 3x\n"
		"pending_units 18446744073709551616\nprotected_units 512";
	u64 v = 99;

	(void)state;
	assert_int_equal(remap_stats_field(st, REMAP_F_UNIT_SECTORS, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(remap_stats_field(st, REMAP_F_SCRUB_RATE, &v), 0);
	assert_int_equal(v, 65536);
	/* The last line without its newline. */
	assert_int_equal(remap_stats_field(st, REMAP_F_PROTECTED_UNITS, &v), 0);
	assert_int_equal(v, 512);
	/* A WORD field: its word's value. */
	assert_int_equal(remap_stats_field(st, REMAP_F_METADATA, &v), 0);
	assert_int_equal(v, REMAP_W_META_FAILED);
	/* Absent (spare_units is not "spare_used"): not found. */
	assert_int_equal(remap_stats_field(st, REMAP_F_SPARE_UNITS, &v), -ENOENT);
	assert_int_equal(remap_stats_field("", REMAP_F_SPARE_USED, &v), -ENOENT);
	/* "scrub_slow_ms" alone is not "scrub_slow_ms <number>". */
	assert_int_equal(remap_stats_field(st, REMAP_F_SCRUB_SLOW_MS, &v), -ENOENT);
	assert_int_equal(remap_stats_field("scrub_slow_ms\nscrub_slow_ms 3\n",
					   REMAP_F_SCRUB_SLOW_MS, &v), 0);
	assert_int_equal(v, 3);
	/* Trailing junk, too large, an empty value, an unknown word. */
	assert_int_equal(remap_stats_field(st, REMAP_F_READ_RETRIES, &v), -EINVAL);
	assert_int_equal(remap_stats_field(st, REMAP_F_PENDING_UNITS, &v), -EINVAL);
	assert_int_equal(remap_stats_field("doubt_units \n", REMAP_F_DOUBT_UNITS,
					   &v), -EINVAL);
	assert_int_equal(remap_stats_field("auto_remap maybe\n",
					   REMAP_F_AUTO_REMAP, &v), -EINVAL);
}

/* What the module writes (remap_status_format) reads back the same. */
static void test_format(void **state)
{
	static const char line[] =
		"8 0 3/5 7 failed 1 3 1 0 2 2 no_auto_remap exhausted 4 "
		"paused 4096 8192 3 1796543536 5 2 1 1 512";
	struct remap_status s, t;
	char buf[1024], small[12];
	size_t n;
	int f;

	(void)state;
	assert_int_equal(remap_status_parse_line(line, &s), 0);
	s.v[REMAP_F_READ_RETRIES] = 3;
	s.v[REMAP_F_SCRUB_META_REPAIRED] = 9;
	n = remap_status_format(&s, true, buf, sizeof(buf));
	assert_string_equal(buf, line);
	assert_int_equal(n, strlen(line));

	n = remap_status_format(&s, false, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "unit_sectors 8\nremapped_units 0\n"
				    "spare_units 5\nspare_used 3\nspare_free 2\n"));
	assert_non_null(strstr(buf, "\nmetadata failed\nauto_remap off\n"
				    "read_retries 3\nspare_exhausted yes\n"));
	assert_non_null(strstr(buf, "\nscrub_state paused\nscrub_start 512\n"));
	assert_int_equal(remap_status_parse_stats(buf, &t), 0);
	for (f = 0; f < REMAP_NR_FIELDS; f++) {
		assert_true(t.have[f]);
		assert_int_equal(t.v[f], s.v[f]);
	}

	/* Cut short like scnprintf: NUL-terminated, the length written. */
	n = remap_status_format(&s, true, small, sizeof(small));
	assert_string_equal(small, "8 0 3/5 7 f");
	assert_int_equal(n, sizeof(small) - 1);
	assert_int_equal(remap_status_format(&s, true, small, 1), 0);
	assert_string_equal(small, "");
}

/*
 * docs/dm-remap.rst's example of the stats answer ("stats", the block
 * after "Answers one ...::") has every key of core's table, in its
 * order, each with a value its field reads.
 */
static void test_doc_stats(void **state)
{
	char *doc = read_tree_file("docs/dm-remap.rst");
	const char *p = strstr(doc, "\nstats\n    Answers one "), *end, *sp;
	int f = 0;
	u64 v;

	(void)state;
	assert_non_null(p);
	p = strstr(p, "::\n\n");
	assert_non_null(p);
	for (p += 4; !strncmp(p, "        ", 8); p = end + 1) {
		p += 8;
		end = strchr(p, '\n');
		assert_non_null(end);
		sp = memchr(p, ' ', (size_t)(end - p));
		assert_non_null(sp);
		if (f == REMAP_NR_FIELDS)
			fail_msg("docs/dm-remap.rst, stats: '%.*s' is not in core's table",
				 (int)(sp - p), p);
		if (strlen(remap_fields[f].key) != (size_t)(sp - p) ||
		    strncmp(p, remap_fields[f].key, (size_t)(sp - p)))
			fail_msg("docs/dm-remap.rst, stats: '%.*s' where core's table has %s",
				 (int)(sp - p), p, remap_fields[f].key);
		assert_int_equal(remap_field_parse((enum remap_field)f, sp + 1,
						   (size_t)(end - sp - 1), false,
						   &v), 0);
		f++;
	}
	if (f != REMAP_NR_FIELDS)
		fail_msg("docs/dm-remap.rst, stats: no %s", remap_fields[f].key);
	free(doc);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_table),
	cmocka_unit_test(test_line),
	cmocka_unit_test(test_stats),
	cmocka_unit_test(test_stats_field),
	cmocka_unit_test(test_format),
	cmocka_unit_test(test_doc_stats),
};

TEST_MAIN(tests)
