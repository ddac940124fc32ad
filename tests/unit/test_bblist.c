// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bblist.c - unit tests of tools/remapctl/bblist.c: parsing
 * badblocks(8) lists and sector lists, merging them into unit extents,
 * and cutting them into remap_many messages that the module's own parser
 * (core/remap_args.c) accepts and that cover exactly the listed units.
 */
#include "test_common.h"
#include "bblist.h"
#include "remap_args.h"

static struct bb_opts blocks(u32 bs, u64 dev)
{
	struct bb_opts o = { .block_size = bs, .dev_sectors = dev };

	return o;
}

static void test_parse_blocks(void **state)
{
	struct bb_opts o = blocks(1024, 1000);
	struct bb_list l;
	char err[256];

	(void)state;
	bb_list_init(&l);
	assert_int_equal(bb_parse_line(&o, "5\n", &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_line(&o, "  7 \r\n", &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_line(&o, "\n", &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_line(&o, "# comment", &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_line(&o, "\t", &l, err, sizeof(err)), 0);
	assert_int_equal(l.entries, 2);
	assert_int_equal(l.n, 2);
	/* block 5 of 1024 bytes: sectors 10-11 */
	assert_int_equal(l.x[0].first, 10);
	assert_int_equal(l.x[0].last, 11);
	assert_int_equal(l.x[1].first, 14);
	assert_int_equal(l.x[1].last, 15);
	/* the next block touches: merged while reading */
	assert_int_equal(bb_parse_line(&o, "8", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.x[1].last, 17);
	bb_list_free(&l);
}

static void test_parse_sectors(void **state)
{
	struct bb_opts o = { .block_size = 512, .dev_sectors = 100,
			     .sectors = true };
	struct bb_list l;
	char err[256];

	(void)state;
	bb_list_init(&l);
	assert_int_equal(bb_parse_line(&o, "0", &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_line(&o, "99", &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_line(&o, "100", &l, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "sector 100 is beyond the end of the device (100 sectors)");
	assert_int_equal(bb_parse_line(&o, "x1", &l, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "'x1' is not a sector number");
	assert_int_equal(l.n, 2);
	assert_int_equal(l.x[1].first, 99);
	assert_int_equal(l.x[1].last, 99);
	bb_list_free(&l);
}

static void test_parse_refusals(void **state)
{
	struct bb_opts o = blocks(4096, 80);	/* 10 blocks of 4 KiB */
	struct bb_list l;
	char err[256];

	(void)state;
	bb_list_init(&l);
	assert_int_equal(bb_parse_line(&o, "-1", &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'-1' is not a block number");
	assert_int_equal(bb_parse_line(&o, "1 2", &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'1 2' is not a block number");
	assert_int_equal(bb_parse_line(&o, "0x10", &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(bb_parse_line(&o, "+3", &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(bb_parse_line(&o, "18446744073709551616", &l, err,
				       sizeof(err)), -EINVAL);
	assert_string_equal(err, "'18446744073709551616' is too large");
	/* fits u64 but not as a sector */
	assert_int_equal(bb_parse_line(&o, "18446744073709551615", &l, err,
				       sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "block 18446744073709551615 is beyond the end of the device (80 sectors, wrong --block-size?)");
	assert_int_equal(bb_parse_line(&o, "10", &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(bb_parse_line(&o, "9", &l, err, sizeof(err)), 0);
	assert_int_equal(l.entries, 1);
	assert_int_equal(l.x[0].first, 72);
	assert_int_equal(l.x[0].last, 79);
	bb_list_free(&l);
}

/* A block that runs past the end of the device is cut to it. */
static void test_parse_partial_last_block(void **state)
{
	struct bb_opts o = blocks(4096, 20);
	struct bb_list l;
	char err[256];

	(void)state;
	bb_list_init(&l);
	assert_int_equal(bb_parse_line(&o, "2", &l, err, sizeof(err)), 0);
	assert_int_equal(l.x[0].first, 16);
	assert_int_equal(l.x[0].last, 19);
	bb_list_free(&l);
}

static FILE *text(const char *s)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	fputs(s, f);
	rewind(f);
	return f;
}

static void test_parse_file(void **state)
{
	struct bb_opts o = blocks(1024, 1 << 20);
	struct bb_list l;
	char err[256];
	u64 line;
	FILE *f;

	(void)state;
	bb_list_init(&l);
	f = text("1\n2\n\n3\n10");	/* no final newline */
	assert_int_equal(bb_parse_file(f, &o, &l, &line, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(line, 5);
	assert_int_equal(l.entries, 4);
	assert_int_equal(l.n, 2);
	bb_list_free(&l);

	f = text("1\n2\n# x\nthree\n4\n");
	assert_int_equal(bb_parse_file(f, &o, &l, &line, err, sizeof(err)),
			 -EINVAL);
	fclose(f);
	assert_int_equal(line, 4);
	assert_string_equal(err, "line 4: 'three' is not a block number");
	bb_list_free(&l);

	f = tmpfile();
	assert_non_null(f);
	fwrite("1\n\0\n", 1, 4, f);
	rewind(f);
	assert_int_equal(bb_parse_file(f, &o, &l, &line, err, sizeof(err)),
			 -EINVAL);
	fclose(f);
	assert_string_equal(err, "line 2: NUL byte (not a text list)");
	bb_list_free(&l);
}

static void test_block_size_ok(void **state)
{
	(void)state;
	assert_true(bb_block_size_ok(512));
	assert_true(bb_block_size_ok(1024));
	assert_true(bb_block_size_ok(1536));
	assert_true(bb_block_size_ok(1ULL << 30));
	assert_false(bb_block_size_ok(0));
	assert_false(bb_block_size_ok(256));
	assert_false(bb_block_size_ok(1000));
	assert_false(bb_block_size_ok((1ULL << 30) + 512));
}

static void test_to_units(void **state)
{
	struct bb_opts o = { .block_size = 512, .dev_sectors = 1000,
			     .sectors = true };
	static const char *const in[] = {
		"100", "3", "4", "101", "7", "8", "300", "15", "0", "16",
	};
	struct bb_list l;
	char err[256];
	size_t i;

	(void)state;
	bb_list_init(&l);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(bb_parse_line(&o, in[i], &l, err, sizeof(err)),
				 0);
	/* 8-sector units: 0 (0,3,4,7), 1 (8,15), 2 (16), 12 (100,101), 37 */
	bb_to_units(&l, 8);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.x[0].first, 0);
	assert_int_equal(l.x[0].last, 2);
	assert_int_equal(l.x[1].first, 12);
	assert_int_equal(l.x[1].last, 12);
	assert_int_equal(l.x[2].first, 37);
	assert_int_equal(l.x[2].last, 37);
	assert_int_equal(bb_count_units(&l), 5);
	bb_list_free(&l);
}

/*
 * Parse every message with the module's parser, mark the units it covers,
 * and compare with the expected set.  Also checks the size bound.
 */
static u64 replay(struct bb_cursor *c, size_t size, u64 max_units,
		  u32 unit_sectors, u64 dev_sectors, unsigned char *seen)
{
	char *buf = xmalloc(size), *argv[4096], *save, *tok;
	u64 n, total = 0, sector, nr, u, msg_units;
	const char *error;
	struct remap_msg m;
	unsigned int argc;

	while ((n = bb_next_message(c, buf, size, max_units))) {
		assert_true(strlen(buf) < size);
		assert_true(n <= max_units);
		argc = 0;
		for (tok = strtok_r(buf, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			assert_true(argc < 4096);
			argv[argc++] = tok;
		}
		assert_int_equal(remap_parse_message(argc, argv, dev_sectors,
						     &m, &error), 0);
		assert_int_equal(m.op, REMAP_MSG_REMAP_MANY);
		assert_int_equal(m.value, c->zero_fill);
		assert_int_equal(m.first_extent, 1 + c->zero_fill);
		msg_units = 0;
		for (unsigned int i = m.first_extent; i < argc; i++) {
			assert_int_equal(remap_parse_extent(argv[i], dev_sectors,
							    &sector, &nr,
							    &error), 0);
			assert_int_equal(sector % unit_sectors, 0);
			for (u = sector / unit_sectors;
			     u <= (sector + nr - 1) / unit_sectors; u++) {
				assert_int_equal(seen[u], 0);
				seen[u] = 1;
				msg_units++;
			}
		}
		assert_int_equal(msg_units, n);
		total += n;
	}
	free(buf);
	return total;
}

static void test_messages_cover_exactly(void **state)
{
	const u32 us = 8;
	const u64 dev = 8 * 5000 - 3;	/* last unit partial */
	const u64 nunits = (dev + us - 1) / us;
	struct bb_opts o = { .block_size = 512, .dev_sectors = dev,
			     .sectors = true };
	unsigned char *want = calloc(nunits, 1), *seen = calloc(nunits, 1);
	static const size_t sizes[] = { 64, 100, 4096 };
	size_t n;
	struct bb_cursor c;
	struct bb_list l;
	char err[256], line[32];
	uint64_t rng = 42;
	u64 s, i, expect = 0, got;
	size_t k;

	(void)state;
	assert_non_null(want);
	assert_non_null(seen);
	bb_list_init(&l);
	for (i = 0; i < 3000; i++) {
		s = rng_below(&rng, dev);
		if (i % 7 == 0)	/* some runs */
			for (u64 j = 0; j < 20 && s + j < dev; j++) {
				snprintf(line, sizeof(line), "%llu",
					 (unsigned long long)(s + j));
				assert_int_equal(bb_parse_line(&o, line, &l, err,
							       sizeof(err)), 0);
				want[(s + j) / us] = 1;
			}
		snprintf(line, sizeof(line), "%llu\n", (unsigned long long)s);
		assert_int_equal(bb_parse_line(&o, line, &l, err, sizeof(err)),
				 0);
		want[s / us] = 1;
	}
	/* the very last sector: the partial unit */
	assert_int_equal(bb_parse_line(&o, "39996", &l, err, sizeof(err)), 0);
	want[nunits - 1] = 1;
	bb_to_units(&l, us);
	for (i = 0; i < nunits; i++)
		expect += want[i];
	assert_int_equal(bb_count_units(&l), expect);

	for (k = 0; k < 2 * sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(seen, 0, nunits);
		bb_cursor_init(&c, &l, us, dev);
		c.zero_fill = k >= sizeof(sizes) / sizeof(sizes[0]);
		n = sizeof(sizes) / sizeof(sizes[0]);
		got = replay(&c, sizes[k % n], k % n == 1 ? 7 : 65536, us, dev,
			     seen);
		assert_int_equal(got, expect);
		assert_memory_equal(seen, want, nunits);
	}
	bb_list_free(&l);
	free(want);
	free(seen);
}

/* One long extent is split by max_units; single sectors print bare. */
static void test_message_format(void **state)
{
	struct bb_opts o = { .block_size = 512, .dev_sectors = 1 << 20,
			     .sectors = true };
	struct bb_cursor c;
	struct bb_list l;
	char err[256], buf[256];

	(void)state;
	bb_list_init(&l);
	for (int i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "%d", 1000 + i);
		assert_int_equal(bb_parse_line(&o, buf, &l, err, sizeof(err)), 0);
	}
	assert_int_equal(bb_parse_line(&o, "5000", &l, err, sizeof(err)), 0);
	bb_to_units(&l, 1);
	bb_cursor_init(&c, &l, 1, 1 << 20);
	assert_int_equal(bb_next_message(&c, buf, sizeof(buf), 4), 4);
	assert_string_equal(buf, "remap_many 1000+4");
	assert_int_equal(bb_next_message(&c, buf, sizeof(buf), 100), 7);
	assert_string_equal(buf, "remap_many 1004+6 5000");
	assert_int_equal(bb_next_message(&c, buf, sizeof(buf), 100), 0);
	/* --zero-fill */
	bb_cursor_init(&c, &l, 1, 1 << 20);
	c.zero_fill = true;
	assert_int_equal(bb_next_message(&c, buf, sizeof(buf), 100), 11);
	assert_string_equal(buf, "remap_many zero_fill 1000+10 5000");
	bb_list_free(&l);

	/* nothing listed: no message */
	bb_list_init(&l);
	bb_to_units(&l, 8);
	bb_cursor_init(&c, &l, 8, 100);
	assert_int_equal(bb_next_message(&c, buf, sizeof(buf), 100), 0);
	bb_list_free(&l);
}

static void test_parse_ddrescue(void **state)
{
	struct bb_opts o = { .block_size = 512, .dev_sectors = 64,
			     .ddrescue = true };
	struct bb_list l;
	bool seen = false;
	char err[256];

	(void)state;
	bb_list_init(&l);
	assert_int_equal(bb_parse_ddrescue_line(&o, "# Mapfile\n", &seen, &l, err, sizeof(err)), 0);
	assert_false(seen);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x00010000 + 1\n", &seen, &l, err, sizeof(err)), 0);
	assert_true(seen);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x00000000 0x00000400 +\n", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x00000400  0x00000200  -\n", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_ddrescue_line(&o, "2048 1024 -", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0xC00 0x200 /", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0xE00 0x200 *", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x1000 0x200 ?", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(l.entries, 2);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.x[0].first, 2);
	assert_int_equal(l.x[0].last, 2);
	assert_int_equal(l.x[1].first, 4);
	assert_int_equal(l.x[1].last, 5);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x0 0x200 x", &seen, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'0x0 0x200 x' is not a ddrescue mapfile line");
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x0 0x200 - extra", &seen, &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x0 0x100 -", &seen, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad area at byte 0, 256 bytes, is not in whole 512-byte sectors");
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x7E00 0x400 -", &seen, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad area at byte 32256, 1024 bytes, is beyond the end of the device (64 sectors)");
	assert_int_equal(bb_parse_ddrescue_line(&o, "0xG0 0x200 -", &seen, &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(bb_parse_ddrescue_line(&o, "0xFFFFFFFFFFFFFFFFF 0x200 -", &seen, &l, err, sizeof(err)), -EINVAL);
	/* A zero-size bad area is nothing. */
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x0 0x0 -", &seen, &l, err, sizeof(err)), 0);
	assert_int_equal(l.entries, 2);
	/* A status line must come first. */
	seen = false;
	assert_int_equal(bb_parse_ddrescue_line(&o, "0x0 0x200 -", &seen, &l, err, sizeof(err)), -EINVAL);
	bb_list_free(&l);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_parse_blocks),
	cmocka_unit_test(test_parse_sectors),
	cmocka_unit_test(test_parse_refusals),
	cmocka_unit_test(test_parse_partial_last_block),
	cmocka_unit_test(test_parse_file),
	cmocka_unit_test(test_block_size_ok),
	cmocka_unit_test(test_to_units),
	cmocka_unit_test(test_messages_cover_exactly),
	cmocka_unit_test(test_message_format),
	cmocka_unit_test(test_parse_ddrescue),
};

TEST_MAIN(tests)
