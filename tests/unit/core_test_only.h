/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core_test_only.h - helpers over core/ that only the unit tests and the
 * fuzzers use.  core/ keeps what the module and the tools call; these
 * build on its public functions (docs/source-map.md).
 */
#ifndef DM_REMAP_CORE_TEST_ONLY_H
#define DM_REMAP_CORE_TEST_ONLY_H

#include "remap_index.h"
#include "remap_meta.h"
#include "remap_status.h"
#include "spare_pool.h"

/*
 * Copy @src (n entries) to @dst (room for n + 1) with @ne inserted in order.
 * -EEXIST (and @dst undefined) when ne.lunit is already present.
 */
int remap_index_insert_copy(struct remap_entry *dst,
			    const struct remap_entry *src, size_t n,
			    struct remap_entry ne);

/*
 * Copy @src (n entries) to @dst (room for n - 1) without the entry for
 * @lunit, whose spare unit is stored in *sunit.  -ENOENT when absent.
 */
int remap_index_delete_copy(struct remap_entry *dst,
			    const struct remap_entry *src, size_t n, u64 lunit,
			    u64 *sunit);

/* Is spare unit @unit handed out (or retired)? */
bool spare_pool_is_used(const struct spare_pool *p, u64 unit);

/*
 * remap_sb_decode_copy() as 0, or -EINVAL with *error (when not NULL) its
 * remap_sb_status_str().
 */
int remap_sb_decode(const u8 *block, u64 block_nr, struct remap_sb *sb,
		    const char **error);

/*
 * Parse the "stats" message's answer ("<key> <value>" lines) into @s.
 * Unknown keys are ignored (new keys may be added).  0 or -EINVAL.
 */
int remap_status_parse_stats(const char *text, struct remap_status *s);

#endif /* DM_REMAP_CORE_TEST_ONLY_H */
