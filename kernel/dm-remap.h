/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-remap: software bad-sector reallocation for device-mapper.
 *
 * Map of the module (a newcomer starts here):
 *   dm-remap-target.c   constructor, destructor, status, device limits
 *   dm-remap-io.c       the I/O path: map() and its fast path, end_io()
 *   dm-remap-state.c    per-device state shared across table reloads,
 *                       and publishing new versions of the remap index
 *   dm-remap-move.c     data-preserving remap/unremap (dm-kcopyd)
 *   dm-remap-message.c  dmsetup messages
 *   dm-remap-debugfs.c  /sys/kernel/debug/dm_remap/remap_table
 *   ../core/            kernel-agnostic index, allocator and parsers,
 *                       also built and tested on the host
 */
#ifndef DM_REMAP_H
#define DM_REMAP_H

#include <linux/device-mapper.h>
#include <linux/dm-kcopyd.h>
#include <linux/bio.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>

#include "remap_index.h"
#include "spare_pool.h"
#include "remap_args.h"
#include "dm-remap-compat.h"

#define DM_MSG_PREFIX "remap"

struct remap_meta;

/* Most units moved in one step, to bound how long I/O to them waits. */
#define REMAP_MOVE_BATCH 256

/* One immutable version of the index; see core/remap_index.h. */
struct remap_table {
	struct rcu_head rcu;
	size_t nr;
	struct remap_entry e[];
};

/*
 * What a remapped device is, independent of any one table: the index, the
 * spare allocator and the machinery that moves data.  Like dm-thin's pool,
 * it is shared by every table loaded on the same mapped device with the
 * same spare area, so reloading a table (suspend, load, resume) keeps the
 * remaps whose data lives on the spare.
 */
struct remap_state {
	struct list_head list;		/* all states: remap_states */
	refcount_t ref;
	struct mapped_device *md;	/* key, with spare_dev and spare_start */
	dev_t main_dev;
	dev_t spare_dev;
	sector_t main_start;
	sector_t spare_start;		/* first sector of the spare region */
	sector_t spare_data_start;	/* first sector of spare unit 0 */
	u32 unit_sectors;
	u32 unit_shift;

	/* The I/O path: read without locks. */
	struct remap_table __rcu *table;	/* NULL: nothing remapped */
	struct srcu_struct io_srcu;	/* I/O that a move must wait for */
	unsigned int nr_moving;		/* 0, or units in [move_first, last] */

	/* Moves: units whose I/O is held while their data moves. */
	spinlock_t move_lock;
	u64 move_first;
	u64 move_last;
	struct bio_list deferred;	/* I/O held for the moving units */

	/* Changes to the index and the pool: one at a time. */
	struct mutex lock;
	u64 generation;			/* bumped by every index change */
	struct spare_pool pool;
	unsigned long *pool_bitmap;
	struct dm_kcopyd_client *kc;
	struct remap_meta *meta;	/* NULL: volatile table */

	/* Counters reported by status. */
	atomic64_t lost_sectors;	/* unreadable on main when remapped */
};

/* One table's instance of the target. */
struct remap_c {
	struct dm_target *ti;
	struct dm_dev *main;
	struct dm_dev *spare;
	sector_t spare_len;
	u64 nr_lunits;			/* units of this table's length */
	u64 nr_sunits;			/* whole units in this spare_len */
	bool unit_sectors_given;	/* echo the feature in the table line */
	bool volatile_table;		/* the "volatile" feature */
	struct remap_state *st;
};

/* Per-bio data: the SRCU section the bio holds, if any. */
struct remap_io {
	int srcu_idx;			/* -1: none held */
	struct remap_c *rc;		/* the table that held the bio */
};

/* dm-remap-state.c */
struct remap_state *remap_state_get(struct dm_target *ti,
				    struct remap_ctr_args *a,
				    struct remap_geometry *g,
				    struct block_device *main,
				    struct block_device *spare);
void remap_state_put(struct remap_state *st);
int remap_table_insert(struct remap_state *st, const struct remap_entry *add,
		       size_t nr_add);
int remap_table_delete(struct remap_state *st, u64 first, u64 last);
int remap_state_resize_pool(struct remap_state *st, u64 nr_sunits);
u64 remap_table_count(struct remap_state *st);
void remap_states_lock(void);
void remap_states_unlock(void);
struct list_head *remap_states_head(void);

/* dm-remap-meta.c */
struct remap_meta *remap_meta_open(struct block_device *spare,
				   struct remap_geometry *g,
				   struct remap_ctr_args *a, bool writable,
				   const char **error);
void remap_meta_close(struct remap_meta *m);
int remap_meta_build(struct remap_meta *m, u64 nr_lunits,
		     struct spare_pool *pool, struct remap_entry **entries,
		     size_t *nr, const char **error);
int remap_meta_set_slots(struct remap_meta *m, const u64 *sunits,
			 const u64 *values, size_t n);
bool remap_meta_failed(struct remap_meta *m);
sector_t remap_meta_data_offset(struct remap_meta *m);
u64 remap_meta_nr_units(struct remap_meta *m, sector_t spare_len);
u64 remap_meta_capacity(struct remap_meta *m);
int remap_meta_check_spare_len(struct remap_meta *m, sector_t spare_len,
			       const char **error);

/* dm-remap-io.c */
int remap_map(struct dm_target *ti, struct bio *bio);
int remap_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error);
void remap_reissue_deferred(struct remap_state *st, struct bio_list *bios);

/* dm-remap-move.c */
int remap_units(struct remap_c *rc, u64 first, u64 last);
int unremap_units(struct remap_c *rc, u64 first, u64 last, bool strict);

/* dm-remap-message.c */
int remap_message(struct dm_target *ti, unsigned int argc, char **argv,
		  char *result, unsigned int maxlen);

/* dm-remap-debugfs.c */
void remap_debugfs_init(void);
void remap_debugfs_exit(void);

static inline sector_t remap_unit_to_main(struct remap_state *st, u64 lunit)
{
	return st->main_start + ((sector_t)lunit << st->unit_shift);
}

static inline sector_t remap_unit_to_spare(struct remap_state *st, u64 sunit)
{
	return st->spare_data_start + ((sector_t)sunit << st->unit_shift);
}

/* Sectors of logical unit @lunit that exist (the last may be partial). */
static inline sector_t remap_unit_len(struct remap_c *rc, u64 lunit)
{
	sector_t start = (sector_t)lunit << rc->st->unit_shift;

	return min_t(sector_t, rc->st->unit_sectors, rc->ti->len - start);
}

#endif /* DM_REMAP_H */
