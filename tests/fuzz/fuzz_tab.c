// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_tab.c - libFuzzer harness for core/remap_tab.c.
 *
 * The input (up to its first NUL) is one /etc/remaptab line.  When it
 * parses as an entry: the name passes remap_tab_name_ok(), both devices
 * are absolute paths with no blank in them, and the table parameters
 * remap_tab_format_params() writes for it parse back with the table line's
 * own parser (remap_parse_ctr) to the same starts and features.  An entry
 * conflicts with itself.  Any disagreement aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remap_tab.h"
#include "fuzz_check.h"

static void check_path(const char *p)
{
	CHECK(p && p[0] == '/');
	CHECK(!strchr(p, ' ') && !strchr(p, '\t'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[REMAP_TAB_LINE_MAX + 2];
	static char params[3 * REMAP_TAB_LINE_MAX];
	static char copy[3 * REMAP_TAB_LINE_MAX];
	struct remap_tab_entry e;
	struct remap_ctr_args a;
	const char *err = NULL;
	char *argv[16], *p, *save = NULL;
	unsigned int argc = 0;
	int r, n;

	if (size > REMAP_TAB_LINE_MAX + 1)
		size = REMAP_TAB_LINE_MAX + 1;
	memcpy(line, data, size);
	line[size] = '\0';

	r = remap_tab_parse_line(line, &e, &err);
	CHECK(r == 1 || r == 0 || r == -EINVAL);
	if (r == -EINVAL) {
		CHECK(err && *err);
		return 0;
	}
	if (r == 0)
		return 0;

	CHECK(remap_tab_name_ok(e.name));
	check_path(e.main_dev);
	check_path(e.spare_dev);
	CHECK(strcmp(e.main_dev, e.spare_dev));
	CHECK(e.nr_feat <= REMAP_TAB_MAX_FEAT);
	CHECK(remap_tab_conflict(&e, &e, &err) == -EINVAL);

	n = remap_tab_format_params(&e, e.main_dev, e.spare_dev,
				    e.spare_len ? e.spare_len : 1,
				    params, sizeof(params));
	CHECK(n > 0 && (size_t)n == strlen(params));
	memcpy(copy, params, (size_t)n + 1);
	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		CHECK(argc < 16);
		argv[argc++] = p;
	}
	CHECK(remap_parse_ctr(argc, argv, &a, &err) == 0);
	CHECK(!strcmp(a.main_path, e.main_dev));
	CHECK(!strcmp(a.spare_path, e.spare_dev));
	CHECK(a.main_start == e.main_start);
	CHECK(a.spare_start == e.spare_start);
	CHECK(!memcmp(&a.features, &e.features, sizeof(a.features)));
	return 0;
}
