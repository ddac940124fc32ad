// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-move.c - remapping and unremapping units without losing data.
 *
 * A unit changes place in four steps, REMAP_MOVE_BATCH units at a time:
 *  1. mark the units moving: from now on the I/O path holds new bios that
 *     touch them (dm-remap-io.c);
 *  2. synchronize_srcu(): wait for the writes already on their way to the
 *     old place, so the copy sees them;
 *  3. copy each unit to its new place with dm-kcopyd;
 *  4. publish the new index, clear the moving mark, send the held bios.
 * With on-disk metadata, step 4 starts with the metadata commit
 * (remap_meta_set_slots(), see docs/metadata-format.md): held writes are
 * acknowledged only after it, so a remap they depend on is durable first.
 * Every other unit keeps flowing throughout.  If a copy cannot be written
 * the batch is undone: the index is unchanged and the data is where it was.
 * A remapped unit whose main copy cannot be read is a bad sector doing what
 * bad sectors do: its spare unit is zeroed, the loss is counted in status
 * and logged with the sector numbers, and the remap goes ahead.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/blkdev.h>

#include "dm-remap.h"
#include "remap_meta.h"

struct remap_copy_batch {
	atomic_t pending;
	struct completion done;
};

struct remap_copy_job {
	struct remap_copy_batch *batch;
	int read_err;
	unsigned long write_err;
	bool unreadable;	/* the main copy could not be read */
};

static void remap_copy_done(int read_err, unsigned long write_err,
			    void *context)
{
	struct remap_copy_job *job = context;

	job->read_err = read_err;
	job->write_err = write_err;
	if (atomic_dec_and_test(&job->batch->pending))
		complete(&job->batch->done);
}

static void remap_copy_batch_init(struct remap_copy_batch *b,
				  struct remap_copy_job *jobs, size_t nr)
{
	size_t i;

	atomic_set(&b->pending, nr);
	init_completion(&b->done);
	for (i = 0; i < nr; i++) {
		jobs[i].batch = b;
		jobs[i].read_err = 0;
		jobs[i].write_err = 0;
		jobs[i].unreadable = false;
	}
}

static struct dm_io_region remap_main_region(struct remap_c *rc, u64 lunit)
{
	struct dm_io_region r = {
		.bdev = rc->main->bdev,
		.sector = remap_unit_to_main(rc->st, lunit),
		.count = remap_unit_len(rc, lunit),
	};
	return r;
}

static struct dm_io_region remap_spare_region(struct remap_c *rc, u64 lunit,
					      u64 sunit)
{
	struct dm_io_region r = {
		.bdev = rc->spare->bdev,
		.sector = remap_unit_to_spare(rc->st, sunit),
		.count = remap_unit_len(rc, lunit),
	};
	return r;
}

/* Copy every unit of @e one way or the other and wait for all of them. */
static void remap_copy_units(struct remap_c *rc, const struct remap_entry *e,
			     struct remap_copy_job *jobs, size_t nr,
			     bool to_spare)
{
	struct remap_copy_batch b;
	struct dm_io_region main, spare;
	size_t i;

	remap_copy_batch_init(&b, jobs, nr);
	for (i = 0; i < nr; i++) {
		main = remap_main_region(rc, e[i].lunit);
		spare = remap_spare_region(rc, e[i].lunit, e[i].sunit);
		if (to_spare)
			dm_kcopyd_copy(rc->st->kc, &main, 1, &spare, 0,
				       remap_copy_done, &jobs[i]);
		else
			dm_kcopyd_copy(rc->st->kc, &spare, 1, &main, 0,
				       remap_copy_done, &jobs[i]);
	}
	wait_for_completion(&b.done);
}

/*
 * Units whose main copy could not be read get a zeroed spare unit; they
 * are counted and logged.  Returns false if a zeroing write failed.
 */
static bool remap_zero_unreadable(struct remap_c *rc,
				  const struct remap_entry *e,
				  struct remap_copy_job *jobs, size_t nr)
{
	struct remap_state *st = rc->st;
	struct remap_copy_batch b;
	struct dm_io_region spare;
	size_t i, nr_bad = 0;
	bool ok = true;

	for (i = 0; i < nr; i++) {
		jobs[i].unreadable = jobs[i].read_err && !jobs[i].write_err;
		if (jobs[i].unreadable)
			nr_bad++;
	}
	if (!nr_bad)
		return true;

	atomic_set(&b.pending, nr_bad);
	init_completion(&b.done);
	for (i = 0; i < nr; i++) {
		if (!jobs[i].unreadable)
			continue;
		jobs[i].batch = &b;
		spare = remap_spare_region(rc, e[i].lunit, e[i].sunit);
		dm_kcopyd_zero(st->kc, 1, &spare, 0, remap_copy_done, &jobs[i]);
	}
	wait_for_completion(&b.done);

	for (i = 0; i < nr; i++) {
		if (!jobs[i].unreadable)
			continue;
		if (jobs[i].write_err) {
			ok = false;
			continue;
		}
		atomic64_add(remap_unit_len(rc, e[i].lunit),
			     &st->lost_sectors);
		DMERR("%s: sectors %llu-%llu unreadable on the main device; remapped with zeroes",
		      dm_device_name(st->md),
		      (unsigned long long)(e[i].lunit << st->unit_shift),
		      (unsigned long long)((e[i].lunit << st->unit_shift) +
					   remap_unit_len(rc, e[i].lunit) - 1));
	}
	return ok;
}

static int remap_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Record the batch on disk: each entry's spare unit slot becomes its
 * logical unit (@remap) or free.  A no-op for a volatile table.
 */
static int remap_commit_batch(struct remap_state *st,
			      const struct remap_entry *e, size_t nr,
			      bool remap)
{
	struct { u64 sunit, value; } *s;
	u64 *sunits, *values;
	size_t i;
	int r;

	if (!st->meta)
		return 0;
	s = kvmalloc_array(nr, sizeof(*s), GFP_KERNEL);
	sunits = kvmalloc_array(nr, sizeof(u64), GFP_KERNEL);
	values = kvmalloc_array(nr, sizeof(u64), GFP_KERNEL);
	r = -ENOMEM;
	if (!s || !sunits || !values)
		goto out;
	for (i = 0; i < nr; i++) {
		s[i].sunit = e[i].sunit;
		s[i].value = remap ? e[i].lunit + 1 : REMAP_SLOT_FREE;
	}
	/* The commit wants ascending spare units; the key is the first u64. */
	sort(s, nr, sizeof(*s), remap_cmp_u64, NULL);
	for (i = 0; i < nr; i++) {
		sunits[i] = s[i].sunit;
		values[i] = s[i].value;
	}
	r = remap_meta_set_slots(st->meta, sunits, values, nr);
out:
	kvfree(values);
	kvfree(sunits);
	kvfree(s);
	return r;
}

static void remap_start_moving(struct remap_state *st, u64 first, u64 last)
{
	spin_lock_irq(&st->move_lock);
	st->move_first = first;
	st->move_last = last;
	WRITE_ONCE(st->nr_moving, last - first + 1);
	spin_unlock_irq(&st->move_lock);
	/* Wait for I/O that was mapped before it could see the mark. */
	synchronize_srcu(&st->io_srcu);
}

static void remap_end_moving(struct remap_state *st)
{
	struct bio_list held;

	spin_lock_irq(&st->move_lock);
	/* Pairs with smp_load_acquire() in remap_map_slow(). */
	smp_store_release(&st->nr_moving, 0);
	held = st->deferred;
	bio_list_init(&st->deferred);
	spin_unlock_irq(&st->move_lock);
	remap_reissue_deferred(st, &held);
}

/* Remap the units first..last (none remapped yet, enough spare). */
static int remap_batch(struct remap_c *rc, u64 first, u64 last)
{
	struct remap_state *st = rc->st;
	size_t nr = last - first + 1, i;
	struct remap_copy_job *jobs;
	struct remap_entry *e;
	int r = 0;

	e = kvmalloc_array(nr, sizeof(*e), GFP_KERNEL);
	jobs = kvmalloc_array(nr, sizeof(*jobs), GFP_KERNEL);
	if (!e || !jobs) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		e[i].lunit = first + i;
		if (WARN_ON_ONCE(spare_pool_alloc(&st->pool, &e[i].sunit))) {
			nr = i;
			r = -ENOSPC;
			goto undo;
		}
	}

	remap_start_moving(st, first, last);
	remap_copy_units(rc, e, jobs, nr, true);
	for (i = 0; i < nr; i++)
		if (jobs[i].write_err)
			r = -EIO;
	if (!r && !remap_zero_unreadable(rc, e, jobs, nr))
		r = -EIO;
	if (!r)
		r = remap_commit_batch(st, e, nr, true);
	if (!r) {
		r = remap_table_insert(st, e, nr);
		/* On disk but not in memory: undo on disk too. */
		if (r)
			remap_commit_batch(st, e, nr, false);
	}
	remap_end_moving(st);
	if (r) {
		DMERR("%s: remapping sectors %llu-%llu failed: %d",
		      dm_device_name(st->md),
		      (unsigned long long)(first << st->unit_shift),
		      (unsigned long long)(((last + 1) << st->unit_shift) - 1),
		      r);
		goto undo;
	}
	goto out;
undo:
	while (nr--)
		spare_pool_free(&st->pool, e[nr].sunit);
out:
	kvfree(jobs);
	kvfree(e);
	return r;
}

/*
 * Remap units first..last, all or nothing as far as checks go: -EEXIST if
 * one of them is remapped already, -ENOSPC if the spare cannot hold them.
 */
int remap_units(struct remap_c *rc, u64 first, u64 last)
{
	struct remap_state *st = rc->st;
	struct remap_table *t;
	u64 u, end;
	size_t pos;
	int r = 0;

	mutex_lock(&st->lock);
	if (st->meta && remap_meta_failed(st->meta)) {
		r = -EROFS;
		goto out;
	}
	t = rcu_dereference_protected(st->table, lockdep_is_held(&st->lock));
	if (t) {
		pos = remap_index_lower_bound(t->e, t->nr, first);
		if (pos < t->nr && t->e[pos].lunit <= last) {
			r = -EEXIST;
			goto out;
		}
	}
	if (last - first + 1 > spare_pool_free_units(&st->pool)) {
		r = -ENOSPC;
		goto out;
	}
	for (u = first; u <= last && !r; u = end + 1) {
		end = min_t(u64, last, u + REMAP_MOVE_BATCH - 1);
		r = remap_batch(rc, u, end);
		cond_resched();
	}
out:
	mutex_unlock(&st->lock);
	return r;
}

/* Move the remapped units @e back to the main device, then forget them. */
static int unremap_batch(struct remap_c *rc, const struct remap_entry *e,
			 size_t nr)
{
	struct remap_state *st = rc->st;
	struct remap_copy_job *jobs;
	size_t i;
	int r = 0;

	jobs = kvmalloc_array(nr, sizeof(*jobs), GFP_KERNEL);
	if (!jobs)
		return -ENOMEM;
	remap_start_moving(st, e[0].lunit, e[nr - 1].lunit);
	remap_copy_units(rc, e, jobs, nr, false);
	for (i = 0; i < nr; i++)
		if (jobs[i].read_err || jobs[i].write_err)
			r = -EIO;
	/* The data must be durable on main before the metadata forgets it. */
	if (!r && st->meta)
		r = blkdev_issue_flush(rc->main->bdev);
	if (!r)
		r = remap_commit_batch(st, e, nr, false);
	if (!r) {
		r = remap_table_delete(st, e[0].lunit, e[nr - 1].lunit);
		/* Forgotten on disk but not in memory: put it back. */
		if (r)
			remap_commit_batch(st, e, nr, true);
	}
	remap_end_moving(st);
	if (r)
		DMERR("%s: moving sectors %llu-%llu back to the main device failed: %d",
		      dm_device_name(st->md),
		      (unsigned long long)(e[0].lunit << st->unit_shift),
		      (unsigned long long)((e[nr - 1].lunit << st->unit_shift) +
					   st->unit_sectors - 1), r);
	kvfree(jobs);
	return r;
}

/*
 * Unremap the remapped units in first..last, copying their data back to
 * the main device.  @strict: every unit in the range must be remapped
 * (-ENOENT otherwise, and nothing changes).
 */
int unremap_units(struct remap_c *rc, u64 first, u64 last, bool strict)
{
	struct remap_state *st = rc->st;
	struct remap_entry *batch;
	struct remap_table *t;
	size_t lo, hi, nr;
	int r = 0;

	batch = kvmalloc_array(REMAP_MOVE_BATCH, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	mutex_lock(&st->lock);
	if (st->meta && remap_meta_failed(st->meta)) {
		r = -EROFS;
		goto out;
	}
	t = rcu_dereference_protected(st->table, lockdep_is_held(&st->lock));
	lo = t ? remap_index_lower_bound(t->e, t->nr, first) : 0;
	hi = t ? remap_index_lower_bound(t->e, t->nr, last + 1) : 0;
	if (strict && hi - lo != last - first + 1) {
		r = -ENOENT;
		goto out;
	}
	while (t && !r) {
		lo = remap_index_lower_bound(t->e, t->nr, first);
		hi = remap_index_lower_bound(t->e, t->nr, last + 1);
		if (lo >= hi)
			break;
		nr = min_t(size_t, hi - lo, REMAP_MOVE_BATCH);
		memcpy(batch, &t->e[lo], nr * sizeof(*batch));
		r = unremap_batch(rc, batch, nr);
		first = batch[nr - 1].lunit + 1;
		t = rcu_dereference_protected(st->table,
					      lockdep_is_held(&st->lock));
		cond_resched();
	}
out:
	mutex_unlock(&st->lock);
	kvfree(batch);
	return r;
}
