// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tab.c - unit tests of core/remap_tab.c: /etc/remaptab lines, every
 * refusal with its message, and the table parameters written from an
 * entry, read back by the table line's own parser.
 */
#include "test_common.h"
#include "remap_tab.h"

static struct remap_tab_entry ent;
static char buf[REMAP_TAB_LINE_MAX + 64];

static int parse(const char *line, const char **err)
{
	snprintf(buf, sizeof(buf), "%s", line);
	*err = NULL;
	return remap_tab_parse_line(buf, &ent, err);
}

static void ok(const char *line)
{
	const char *err;
	int r = parse(line, &err);

	if (r != 1)
		fail_msg("'%s': %d %s", line, r, err ? err : "");
}

static void bad(const char *line, const char *msg)
{
	const char *err;

	assert_int_equal(parse(line, &err), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void test_comments(void **state)
{
	const char *err;

	(void)state;
	assert_int_equal(parse("", &err), 0);
	assert_int_equal(parse("   \t ", &err), 0);
	assert_int_equal(parse("# name main spare", &err), 0);
	assert_int_equal(parse("  \t#x", &err), 0);
	assert_null(ent.name);
}

static void test_minimal(void **state)
{
	(void)state;
	ok("data0 /dev/disk/by-id/virtio-main /dev/disk/by-id/virtio-spare");
	assert_string_equal(ent.name, "data0");
	assert_string_equal(ent.main_dev, "/dev/disk/by-id/virtio-main");
	assert_string_equal(ent.spare_dev, "/dev/disk/by-id/virtio-spare");
	assert_int_equal(ent.main_start, 0);
	assert_int_equal(ent.spare_start, 0);
	assert_int_equal(ent.spare_len, 0);
	assert_int_equal(ent.len, 0);
	assert_false(ent.noauto);
	assert_int_equal(ent.nr_feat, 0);
	assert_int_equal(ent.features.read_retries, REMAP_DEFAULT_READ_RETRIES);

	ok("\t a\t/dev/a  /dev/b\t-  ");
	assert_string_equal(ent.name, "a");
	assert_string_equal(ent.spare_dev, "/dev/b");
	ok("a /dev/a /dev/b defaults");
	assert_int_equal(ent.nr_feat, 0);
}

static void test_options(void **state)
{
	(void)state;
	ok("d /dev/a /dev/b main_start=8,spare_start=2048,spare_len=65536,len=1000,noauto");
	assert_int_equal(ent.main_start, 8);
	assert_int_equal(ent.spare_start, 2048);
	assert_int_equal(ent.spare_len, 65536);
	assert_int_equal(ent.len, 1000);
	assert_true(ent.noauto);
	assert_int_equal(ent.nr_feat, 0);

	ok("d /dev/a /dev/b unit_sectors=64,volatile,no_auto_remap,read_retries=0");
	assert_int_equal(ent.nr_feat, 6);
	assert_string_equal(ent.feat[0], "unit_sectors");
	assert_string_equal(ent.feat[1], "64");
	assert_string_equal(ent.feat[2], "volatile");
	assert_string_equal(ent.feat[3], "no_auto_remap");
	assert_string_equal(ent.feat[4], "read_retries");
	assert_string_equal(ent.feat[5], "0");
	assert_int_equal(ent.features.unit_sectors, 64);
	assert_true(ent.features.volatile_table);
	assert_true(ent.features.no_auto_remap);
	assert_int_equal(ent.features.read_retries, 0);

	ok("d /dev/a /dev/b spare_start=18446744073709551615");
	assert_int_equal(ent.spare_start, U64_MAX);
	assert_false(ent.protect);

	ok("d /dev/a /dev/b noauto,protect,unit_sectors=8");
	assert_true(ent.protect);
	assert_true(ent.noauto);
	assert_false(ent.initramfs);
	assert_int_equal(ent.nr_feat, 2);

	ok("root /dev/a /dev/b initramfs");
	assert_true(ent.initramfs);
	assert_false(ent.noauto);
	assert_false(ent.protect);
}

static void test_bad_fields(void **state)
{
	char longname[200];

	(void)state;
	bad("d", "Missing field: <name> <main_dev> <spare_dev> [<options>]");
	bad("d /dev/a", "Missing field: <name> <main_dev> <spare_dev> [<options>]");
	bad("d /dev/a /dev/b - x", "Too many fields: <name> <main_dev> <spare_dev> [<options>]");
	bad("d /dev/a /dev/b - # comment", "Too many fields: <name> <main_dev> <spare_dev> [<options>]");
	bad("-d /dev/a /dev/b", "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	bad("a/b /dev/a /dev/b", "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	bad(". /dev/a /dev/b", "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	bad(".. /dev/a /dev/b", "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	bad("d\xc3\xa9 /dev/a /dev/b", "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	memset(longname, 'n', 128);
	snprintf(longname + 128, sizeof(longname) - 128, " /dev/a /dev/b");
	bad(longname, "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	longname[127] = ' ';
	ok(longname);
	assert_int_equal(strlen(ent.name), 127);
	bad("d dev/a /dev/b", "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d /dev//a /dev/b", "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d /dev/a/ /dev/b", "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d /dev/../a /dev/b", "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d /dev/./a /dev/b", "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d / /dev/b", "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d /dev/a UUID=1234", "spare_dev must be an absolute path (such as /dev/disk/by-id/...)");
	bad("d /dev/a /dev/a", "main_dev and spare_dev are the same (a spare region on the main device is not supported in remaptab)");
	bad("d /dev/a /dev/b\r", "Control character in line");
	bad("d /dev/a\x01 /dev/b", "Control character in line");
}

static void test_bad_options(void **state)
{
	(void)state;
	bad("d /dev/a /dev/b ,", "Empty option (two commas, or a comma at an end)");
	bad("d /dev/a /dev/b noauto,", "Empty option (two commas, or a comma at an end)");
	bad("d /dev/a /dev/b noauto,,volatile", "Empty option (two commas, or a comma at an end)");
	bad("d /dev/a /dev/b frob", "Unknown option");
	bad("d /dev/a /dev/b UNIT_SECTORS=8", "Unknown option");
	bad("d /dev/a /dev/b noauto,defaults", "defaults cannot be combined with other options");
	bad("d /dev/a /dev/b noauto,noauto", "Duplicate option noauto");
	bad("d /dev/a /dev/b noauto=1", "noauto takes no value");
	bad("d /dev/a /dev/b protect=1", "protect takes no value");
	bad("d /dev/a /dev/b protect,protect", "Duplicate option protect");
	bad("d /dev/a /dev/b initramfs=yes", "initramfs takes no value");
	bad("d /dev/a /dev/b initramfs,noauto,initramfs", "Duplicate option initramfs");
	bad("d /dev/a /dev/b protect,volatile", "protect needs persistent metadata: not with volatile");
	bad("d /dev/a /dev/b volatile,protect", "protect needs persistent metadata: not with volatile");
	bad("d /dev/a /dev/b volatile=yes", "volatile and no_auto_remap take no value");
	bad("d /dev/a /dev/b main_start", "main_start needs a number of sectors (main_start=N)");
	bad("d /dev/a /dev/b main_start=", "main_start needs a number of sectors (main_start=N)");
	bad("d /dev/a /dev/b main_start=-1", "main_start needs a number of sectors (main_start=N)");
	bad("d /dev/a /dev/b main_start=1,main_start=1", "Duplicate option main_start");
	bad("d /dev/a /dev/b spare_start=18446744073709551616", "spare_start needs a number of sectors (spare_start=N)");
	bad("d /dev/a /dev/b spare_start=0,spare_start=0", "Duplicate option spare_start");
	bad("d /dev/a /dev/b spare_len=0", "spare_len needs a number of sectors above 0 (spare_len=N)");
	bad("d /dev/a /dev/b spare_len=1,spare_len=2", "Duplicate option spare_len");
	bad("d /dev/a /dev/b len=0", "len needs a number of sectors above 0 (len=N)");
	bad("d /dev/a /dev/b len=1,len=1", "Duplicate option len");
	bad("d /dev/a /dev/b len=0x10", "len needs a number of sectors above 0 (len=N)");
	bad("d /dev/a /dev/b unit_sectors", "unit_sectors needs a value (unit_sectors=N)");
	bad("d /dev/a /dev/b read_retries=", "read_retries needs a value (read_retries=N)");
	/* The table line's own feature parser speaks from here on. */
	bad("d /dev/a /dev/b unit_sectors=3", "unit_sectors must be a power of two from 1 to 2048");
	bad("d /dev/a /dev/b unit_sectors=4096", "unit_sectors must be a power of two from 1 to 2048");
	bad("d /dev/a /dev/b unit_sectors=8,unit_sectors=8", "Duplicate feature argument unit_sectors");
	bad("d /dev/a /dev/b read_retries=17", "read_retries must be a number from 0 to 16");
	bad("d /dev/a /dev/b volatile,volatile", "Duplicate feature argument volatile");
	bad("d /dev/a /dev/b no_auto_remap,no_auto_remap", "Duplicate feature argument no_auto_remap");
	bad("d /dev/a /dev/b volatile,volatile,volatile,volatile,volatile,volatile,volatile", "Duplicate option");
}

static void test_conflict(void **state)
{
	struct remap_tab_entry a;
	char l1[64] = "x /dev/a /dev/b", l2[64];
	const char *err = NULL;

	(void)state;
	assert_int_equal(remap_tab_parse_line(l1, &a, &err), 1);

	snprintf(l2, sizeof(l2), "y /dev/c /dev/d");
	assert_int_equal(remap_tab_parse_line(l2, &ent, &err), 1);
	assert_int_equal(remap_tab_conflict(&a, &ent, &err), 0);

	snprintf(l2, sizeof(l2), "x /dev/c /dev/d");
	assert_int_equal(remap_tab_parse_line(l2, &ent, &err), 1);
	assert_int_equal(remap_tab_conflict(&a, &ent, &err), -EINVAL);
	assert_string_equal(err, "Name used by an earlier entry");

	static const char *const dev_clash[] = {
		"y /dev/a /dev/d", "y /dev/c /dev/b", "y /dev/b /dev/d",
		"y /dev/c /dev/a",
	};
	for (size_t i = 0; i < 4; i++) {
		snprintf(l2, sizeof(l2), "%s", dev_clash[i]);
		assert_int_equal(remap_tab_parse_line(l2, &ent, &err), 1);
		err = NULL;
		assert_int_equal(remap_tab_conflict(&a, &ent, &err), -EINVAL);
		assert_string_equal(err, "Device used by an earlier entry");
	}
}

/* Parse back what format_params wrote with the table line's parser. */
static void roundtrip(const char *line, const char *want)
{
	char out[512], copy[512], *argv[16], *p, *save = NULL;
	struct remap_ctr_args a;
	const char *err = NULL;
	unsigned int argc = 0;
	int n;

	ok(line);
	n = remap_tab_format_params(&ent, "/dev/vda", "/dev/vdb", 4096, out,
				    sizeof(out));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);

	snprintf(copy, sizeof(copy), "%s", out);
	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	assert_int_equal(remap_parse_ctr(argc, argv, &a, &err), 0);
	assert_string_equal(a.main_path, "/dev/vda");
	assert_int_equal(a.main_start, ent.main_start);
	assert_string_equal(a.spare_path, "/dev/vdb");
	assert_int_equal(a.spare_start, ent.spare_start);
	assert_int_equal(a.spare_len, 4096);
	assert_memory_equal(&a.features, &ent.features, sizeof(a.features));
}

static void test_format(void **state)
{
	char small[8];

	(void)state;
	roundtrip("d /x /y", "/dev/vda 0 /dev/vdb 0 4096");
	roundtrip("d /x /y main_start=8,spare_start=16",
		  "/dev/vda 8 /dev/vdb 16 4096");
	roundtrip("d /x /y unit_sectors=8,volatile",
		  "/dev/vda 0 /dev/vdb 0 4096 3 unit_sectors 8 volatile");
	roundtrip("d /x /y read_retries=5,no_auto_remap,noauto,spare_start=18446744073709551615",
		  "/dev/vda 0 /dev/vdb 18446744073709551615 4096 3 read_retries 5 no_auto_remap");

	/* Too small: -ENOSPC and a NUL-terminated prefix. */
	assert_int_equal(remap_tab_format_params(&ent, "/dev/vda", "/dev/vdb",
						 1, small, sizeof(small)),
			 -ENOSPC);
	assert_string_equal(small, "/dev/vd");
	assert_int_equal(remap_tab_format_params(&ent, "/dev/vda", "/dev/vdb",
						 1, small, 0),
			 -ENOSPC);
}

static void test_line_length(void **state)
{
	static char line[REMAP_TAB_LINE_MAX + 8];
	const char *err = NULL;

	(void)state;
	memset(line, ' ', REMAP_TAB_LINE_MAX + 1);
	line[REMAP_TAB_LINE_MAX + 1] = '\0';
	assert_int_equal(remap_tab_parse_line(line, &ent, &err), -EINVAL);
	assert_string_equal(err, "Line too long");
	line[REMAP_TAB_LINE_MAX] = '\0';
	assert_int_equal(remap_tab_parse_line(line, &ent, &err), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_comments),
	cmocka_unit_test(test_minimal),
	cmocka_unit_test(test_options),
	cmocka_unit_test(test_bad_fields),
	cmocka_unit_test(test_bad_options),
	cmocka_unit_test(test_conflict),
	cmocka_unit_test(test_format),
	cmocka_unit_test(test_line_length),
};

TEST_MAIN(tests)
