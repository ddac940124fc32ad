// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-move.c - remapping and unremapping units without losing data.
 *
 * A unit changes place in four steps, st->move_batch units at a time:
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
 * bad sectors do: the unit is salvaged block by block (remap_salvage_unit),
 * its unreadable blocks are zeroed on the spare, counted in status and
 * logged with their sector numbers, and the remap goes ahead.
 * remap_many zero_fill does that for units the caller knows are
 * unreadable: no read of the main device, the spare units are written with
 * zeroes, and every sector of those units is counted and logged as lost.
 *
 * The moving units are a sorted set (st->moving), so a batch of scattered
 * units (remap_many) holds I/O to those units only.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/blkdev.h>
#include <linux/sched/mm.h>

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
	}
}

/*
 * Copy every unit of @e one way or the other and wait for all of them:
 * remap_unit_span() sectors when copying to the spare (the spare unit keeps
 * the whole unit the main device has, so a later, longer table reads the
 * main device's sectors past the old end), remap_unit_len() back to the
 * main device (never past the table).
 */
static void remap_copy_units(struct remap_c *rc, const struct remap_entry *e,
			     struct remap_copy_job *jobs, size_t nr,
			     bool to_spare)
{
	struct remap_copy_batch b;
	struct dm_io_region main, spare;
	sector_t count;
	size_t i;

	remap_copy_batch_init(&b, jobs, nr);
	for (i = 0; i < nr; i++) {
		count = to_spare ? remap_unit_span(rc, e[i].lunit) :
				   remap_unit_len(rc, e[i].lunit);
		main = (struct dm_io_region) {
			.bdev = rc->main->bdev,
			.sector = remap_unit_to_main(rc->st, e[i].lunit),
			.count = count,
		};
		spare = (struct dm_io_region) {
			.bdev = rc->spare->bdev,
			.sector = remap_unit_to_spare(rc->st, e[i].sunit),
			.count = count,
		};
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
 * Copy the remapped units @e back to their main-device places (their
 * spare units stay theirs): the protective mode's unprotect.  0 or -EIO,
 * -ENOMEM.
 */
int remap_copy_back(struct remap_c *rc, const struct remap_entry *e,
		    size_t nr)
{
	struct remap_copy_job *jobs;
	size_t i;
	int r = 0;

	if (!nr)
		return 0;
	jobs = kvmalloc_array(nr, sizeof(*jobs), GFP_KERNEL);
	if (!jobs)
		return -ENOMEM;
	remap_copy_units(rc, e, jobs, nr, false);
	for (i = 0; i < nr; i++)
		if (jobs[i].read_err || jobs[i].write_err)
			r = -EIO;
	kvfree(jobs);
	return r;
}

/*
 * Copying a batch to the spare without dm-kcopyd: the units are read from
 * the main device into one buffer, units adjacent there as one region,
 * and written back to the spare, units whose spare units are adjacent as
 * one region, all regions of a pass in flight at once (async dm-io).  One
 * read and one write per run instead of a kcopyd job (two I/Os, two
 * workqueue hops) per unit.
 */
#define REMAP_COPY_BUF_BYTES (1U << 20)

struct remap_run_io {
	struct remap_copy_batch *batch;
	size_t first, nr;		/* units of the run: e[first..+nr) */
	unsigned long error;		/* dm-io's error bits */
};

static void remap_run_done(unsigned long error, void *context)
{
	struct remap_run_io *run = context;

	run->error = error;
	if (atomic_dec_and_test(&run->batch->pending))
		complete(&run->batch->done);
}

/*
 * Units e[i] and e[i + 1] are one region: adjacent on the main device
 * (@spare false) or on the spare (@spare true).  Only the device's last
 * unit may be partial, and it is the last of any run it is in.
 */
static bool remap_run_next(const struct remap_entry *e, size_t i, bool spare)
{
	return spare ? e[i + 1].sunit == e[i].sunit + 1 :
		       e[i + 1].lunit == e[i].lunit + 1;
}

/*
 * One pass over units e[0..nr) (they fit in @buf, one unit_sectors slot
 * each): read them from the main device (@write false) or write them to
 * their spare units (@write true), a region per run, and wait.  Returns
 * how many runs there were; runs[] tells which failed.
 */
static size_t remap_copy_pass(struct remap_c *rc, const struct remap_entry *e,
			      size_t nr, u8 *buf, struct remap_run_io *runs,
			      bool write)
{
	struct remap_state *st = rc->st;
	struct remap_copy_batch b;
	struct dm_io_region where;
	struct dm_io_request req = {
		.bi_opf = write ? REQ_OP_WRITE : REQ_OP_READ,
		.mem.type = is_vmalloc_addr(buf) ? DM_IO_VMA : DM_IO_KMEM,
		.client = st->io,
		.notify.fn = remap_run_done,
	};
	size_t i, j, nr_runs = 0;
	sector_t count;

	atomic_set(&b.pending, 1);
	init_completion(&b.done);
	for (i = 0; i < nr; i = j) {
		count = remap_unit_span(rc, e[i].lunit);
		for (j = i + 1; j < nr && remap_run_next(e, j - 1, write); j++)
			count += remap_unit_span(rc, e[j].lunit);
		runs[nr_runs] = (struct remap_run_io) {
			.batch = &b, .first = i, .nr = j - i,
		};
		where = (struct dm_io_region) {
			.bdev = write ? rc->spare->bdev : rc->main->bdev,
			.sector = write ? remap_unit_to_spare(st, e[i].sunit) :
					  remap_unit_to_main(st, e[i].lunit),
			.count = count,
		};
		req.mem.ptr.addr = buf + ((size_t)i << (st->unit_shift +
						       SECTOR_SHIFT));
		req.notify.context = &runs[nr_runs];
		atomic_inc(&b.pending);
		if (dm_io(&req, 1, &where, NULL, IOPRIO_DEFAULT)) {
			/* Not submitted: the callback will not run. */
			runs[nr_runs].error = 1;
			atomic_dec(&b.pending);
		}
		nr_runs++;
	}
	if (!atomic_dec_and_test(&b.pending))
		wait_for_completion(&b.done);
	return nr_runs;
}

/*
 * Copy the units @e (sorted by logical unit, nr of them) to their spare
 * units, remap_unit_span() sectors each, through a buffer of at most
 * REMAP_COPY_BUF_BYTES; set each unit's jobs[] as a kcopyd job would: a
 * unit of a region that could not be read has read_err (and is salvaged
 * unit by unit later), one of a region that could not be written
 * write_err.  @zero: nothing is read, the spare units get zeroes.
 * -ENOMEM when the buffer cannot be had (nothing copied).
 */
static int remap_copy_to_spare(struct remap_c *rc, const struct remap_entry *e,
			       struct remap_copy_job *jobs, size_t nr,
			       bool zero)
{
	size_t unit_bytes = (size_t)rc->st->unit_sectors << SECTOR_SHIFT;
	size_t per_pass = max_t(size_t, 1, REMAP_COPY_BUF_BYTES / unit_bytes);
	struct remap_run_io *runs;
	size_t done, n, i, k, nr_runs;
	u8 *buf;

	per_pass = min(per_pass, nr);
	buf = zero ? kvzalloc(per_pass * unit_bytes, GFP_KERNEL) :
		     kvmalloc(per_pass * unit_bytes, GFP_KERNEL);
	runs = kvmalloc_array(per_pass, sizeof(*runs), GFP_KERNEL);
	if (!buf || !runs) {
		kvfree(buf);
		kvfree(runs);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		jobs[i].read_err = 0;
		jobs[i].write_err = 0;
	}
	for (done = 0; done < nr; done += n) {
		n = min(per_pass, nr - done);
		nr_runs = zero ? 0 :
			  remap_copy_pass(rc, e + done, n, buf, runs, false);
		for (i = 0; i < nr_runs; i++) {
			if (!runs[i].error)
				continue;
			for (k = runs[i].first; k < runs[i].first + runs[i].nr;
			     k++) {
				jobs[done + k].read_err = 1;
				/* Salvaged later; write no stale bytes. */
				memset(buf + k * unit_bytes, 0, unit_bytes);
			}
		}
		nr_runs = remap_copy_pass(rc, e + done, n, buf, runs, true);
		for (i = 0; i < nr_runs; i++)
			for (k = runs[i].first;
			     runs[i].error && k < runs[i].first + runs[i].nr;
			     k++)
				jobs[done + k].write_err = 1;
		cond_resched();
	}
	kvfree(runs);
	kvfree(buf);
	return 0;
}

/* Log sectors [first, first + n) of @lunit as lost (rate limited). */
static void remap_log_lost(struct remap_state *st, u64 lunit, sector_t first,
			   sector_t n)
{
	sector_t s = ((sector_t)lunit << st->unit_shift) + first;

	DMERR_LIMIT("%s: sectors %llu-%llu unreadable; replaced by zeroes",
		    dm_device_name(st->md), (unsigned long long)s,
		    (unsigned long long)(s + n - 1));
}

/*
 * Read unit @lunit (remap_unit_span() sectors) from @src_sector of @src
 * into @buf.  If it cannot be read as a whole, it is read one logical block
 * at a time and the blocks that still fail are zeroed, counted as lost and
 * logged (past the table's end too: a longer table shows them later).  Sectors [keep_first, keep_first +
 * keep_len) of the unit are about to be overwritten by the caller: they
 * are not read and never count as lost.
 */
void remap_salvage_read(struct remap_c *rc, struct block_device *src,
			sector_t src_sector, u64 lunit, sector_t keep_first,
			sector_t keep_len, u8 *buf)
{
	struct remap_state *st = rc->st;
	sector_t len = remap_unit_span(rc, lunit);
	sector_t lbs = bdev_logical_block_size(src) >> SECTOR_SHIFT;
	sector_t s, bad_first = 0, nr_bad = 0, lost = 0;
	int r;

	r = remap_sync_io(st->io, REQ_OP_READ, src, src_sector, len, buf);
	for (s = 0; r && s < len; s += lbs) {
		bool keep = s >= keep_first && s + lbs <= keep_first + keep_len;
		bool bad = false;

		if (!keep && remap_sync_io(st->io, REQ_OP_READ, src,
					   src_sector + s, lbs,
					   buf + (s << SECTOR_SHIFT))) {
			memset(buf + (s << SECTOR_SHIFT), 0, lbs << SECTOR_SHIFT);
			bad = true;
			lost += lbs;
		}
		if (bad && !nr_bad)
			bad_first = s;
		if (bad) {
			nr_bad += lbs;
		} else if (nr_bad) {
			remap_log_lost(st, lunit, bad_first, nr_bad);
			nr_bad = 0;
		}
	}
	if (nr_bad)
		remap_log_lost(st, lunit, bad_first, nr_bad);
	if (lost)
		remap_count(st, REMAP_CTR_LOST_SECTORS, lost);
}

/*
 * Copy unit @lunit from @src_sector of @src to @dst_sector of the spare
 * device, synchronously, salvaging what can be read (remap_salvage_read).
 * 0, or -EIO when the spare could not be written, -ENOMEM.
 */
static int remap_salvage_unit(struct remap_c *rc, struct block_device *src,
			      sector_t src_sector, sector_t dst_sector,
			      u64 lunit, sector_t keep_first,
			      sector_t keep_len)
{
	sector_t len = remap_unit_span(rc, lunit);
	u8 *buf;
	int r;

	buf = kvmalloc(len << SECTOR_SHIFT, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	remap_salvage_read(rc, src, src_sector, lunit, keep_first, keep_len,
			   buf);
	r = remap_sync_io(rc->st->io, REQ_OP_WRITE, rc->spare->bdev,
			  dst_sector, len, buf);
	kvfree(buf);
	return r ? -EIO : 0;
}

/*
 * Units whose main copy could not be read as a whole (kcopyd reported a
 * read error) are salvaged block by block.  Returns false if a spare unit
 * could not be written.
 */
static bool remap_salvage_unreadable(struct remap_c *rc,
				     const struct remap_entry *e,
				     struct remap_copy_job *jobs, size_t nr)
{
	struct remap_state *st = rc->st;
	bool ok = true;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (!jobs[i].read_err || jobs[i].write_err)
			continue;
		if (remap_salvage_unit(rc, rc->main->bdev,
				       remap_unit_to_main(st, e[i].lunit),
				       remap_unit_to_spare(st, e[i].sunit),
				       e[i].lunit, 0, 0))
			ok = false;
	}
	return ok;
}

/*
 * The units @e were zero-filled (remap_many zero_fill): count their
 * sectors as lost, as the error path counts a block it could not read,
 * and log them, a line per run of adjacent units.
 */
static void remap_zero_filled(struct remap_c *rc, const struct remap_entry *e,
			      size_t nr)
{
	sector_t n, lost = 0;
	size_t i, j;

	for (i = 0; i < nr; i = j) {
		n = remap_unit_span(rc, e[i].lunit);
		for (j = i + 1; j < nr && remap_run_next(e, j - 1, false); j++)
			n += remap_unit_span(rc, e[j].lunit);
		remap_log_lost(rc->st, e[i].lunit, 0, n);
		lost += n;
	}
	remap_count(rc->st, REMAP_CTR_LOST_SECTORS, lost);
}

/*
 * Record the batch on disk: each entry's spare unit slot becomes its
 * logical unit (@remap) or free.  A no-op for a volatile table.
 */
static int remap_commit_batch(struct remap_state *st,
			      const struct remap_entry *e, size_t nr,
			      bool remap)
{
	struct remap_slot_change *c;
	size_t i;
	int r;

	if (!st->meta)
		return 0;
	c = kvmalloc_array(nr, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		c[i].sunit = e[i].sunit;
		c[i].value = remap ? e[i].lunit + 1 : REMAP_SLOT_FREE;
	}
	r = remap_meta_set_slots(st->meta, c, nr);
	kvfree(c);
	return r;
}

/*
 * The end of a message's move of a batch: @r is the outcome of its commit
 * and index update, @undo_r that of undoing the commit after an index
 * update failed.  A commit whose outcome is unknown leaves the units in
 * doubt.  Returns true when their spare units may go back to the pool.
 */
static bool remap_batch_end(struct remap_state *st, int r, int undo_r)
{
	bool doubt = r == -REMAP_EDOUBT || undo_r;
	struct bio_list held;
	bool changed;

	changed = remap_gate_end(st, r ? (doubt ? REMAP_GATE_DOUBT :
					 REMAP_GATE_STAYED) : REMAP_GATE_MOVED,
				 &held);
	remap_reissue(st, &held);
	if (changed)
		remap_pending_commit(st);
	return !doubt;
}

/*
 * Remap @lunits (sorted, none remapped yet, enough spare, <= a batch);
 * @zero: zero-fill their spare units instead of copying.
 */
static int remap_batch(struct remap_c *rc, const u64 *lunits, size_t nr,
		       bool zero)
{
	struct remap_state *st = rc->st;
	struct remap_copy_job *jobs;
	struct remap_entry *e;
	size_t i;
	int r = 0, undo_r = 0;

	e = kvmalloc_array(nr, sizeof(*e), GFP_KERNEL);
	jobs = kvmalloc_array(nr, sizeof(*jobs), GFP_KERNEL);
	if (!e || !jobs) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		e[i].lunit = lunits[i];
		if (WARN_ON_ONCE(spare_pool_alloc(&st->pool, &e[i].sunit))) {
			nr = i;
			r = -ENOSPC;
			goto undo;
		}
	}

	remap_gate_start(st, lunits, nr);
	r = remap_copy_to_spare(rc, e, jobs, nr, zero);
	for (i = 0; i < nr && !r; i++)
		if (jobs[i].write_err)
			r = -EIO;
	if (!r && !remap_salvage_unreadable(rc, e, jobs, nr))
		r = -EIO;
	if (!r)
		r = remap_commit_batch(st, e, nr, true);
	if (!r) {
		r = remap_table_insert(st, e, nr);
		/* On disk but not in memory: undo on disk too. */
		if (r)
			undo_r = remap_commit_batch(st, e, nr, false);
	}
	if (!remap_batch_end(st, r, undo_r)) {
		DMERR("%s: remapping %zu units from sector %llu: metadata commit failed, their place is in doubt: writes to them now fail",
		      dm_device_name(st->md), nr,
		      (unsigned long long)(lunits[0] << st->unit_shift));
		goto out;	/* the disk may name their spare units */
	}
	if (r) {
		DMERR("%s: remapping %zu units from sector %llu failed: %d",
		      dm_device_name(st->md), nr,
		      (unsigned long long)(lunits[0] << st->unit_shift), r);
		goto undo;
	}
	remap_count(st, REMAP_CTR_REALLOC_EVENTS, nr);
	if (zero)
		remap_zero_filled(rc, e, nr);
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
 * Remap the units of @x[0..nr) that are not remapped yet, a batch at a
 * time; *added counts the units done.  Caller holds st->lock and has
 * checked that the pool has room for all of them.  @none_remapped: the
 * caller found none of them remapped (with st->lock held since, so only
 * these batches add any): no unit needs looking up.  @zero: zero-fill.
 */
static int remap_extents_locked(struct remap_c *rc,
				const struct remap_extent *x, size_t nr,
				bool none_remapped, bool zero, u64 *added)
{
	struct remap_state *st = rc->st;
	struct remap_table *t;
	size_t i, n = 0;
	u64 *batch, u, s;
	int r = 0;

	batch = kvmalloc_array(st->move_batch, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	for (i = 0; i < nr && !r; i++) {
		for (u = x[i].first; u <= x[i].last && !r; u++) {
			t = rcu_dereference_protected(st->table,
						      lockdep_is_held(&st->lock));
			if (!none_remapped && t &&
			    remap_index_lookup(t->e, t->nr, u, &s))
				continue;
			batch[n++] = u;
			if (n < st->move_batch)
				continue;
			r = remap_batch(rc, batch, n, zero);
			*added += r ? 0 : n;
			n = 0;
			cond_resched();
		}
	}
	if (!r && n) {
		r = remap_batch(rc, batch, n, zero);
		*added += r ? 0 : n;
	}
	kvfree(batch);
	return r;
}

/*
 * May units up to @last be given a new place now (st->lock held)?  Not
 * once the metadata is read-only (-EROFS), while a loaded table replaces
 * this state (-EBUSY), nor past the end of a loaded, shorter table
 * (-EINVAL): the state a reload gets must hold every remap.
 */
int remap_may_remap(struct remap_state *st, u64 last)
{
	lockdep_assert_held(&st->lock);
	if (st->meta && remap_meta_failed(st->meta))
		return -EROFS;
	if (st->frozen) {
		DMERR_LIMIT("%s: a loaded table replaces this one: no remap until it is resumed or cleared",
			    dm_device_name(st->md));
		return -EBUSY;
	}
	if (last >= st->limit_lunits) {
		DMERR_LIMIT("%s: sector %llu lies past the end of a loaded, shorter table",
			    dm_device_name(st->md),
			    (unsigned long long)(last << st->unit_shift));
		return -EINVAL;
	}
	return 0;
}

/* Units of [first, last] that the index has. */
static u64 remap_count_remapped(struct remap_state *st, u64 first, u64 last)
{
	struct remap_table *t;
	u64 s;

	t = rcu_dereference_protected(st->table, lockdep_is_held(&st->lock));
	if (!t)
		return 0;
	if (first == last)
		return remap_index_lookup(t->e, t->nr, first, &s);
	return remap_index_lower_bound(t->e, t->nr, last + 1) -
	       remap_index_lower_bound(t->e, t->nr, first);
}

/*
 * Remap units first..last, all or nothing as far as checks go: -EEXIST if
 * one of them is remapped already, -ENOSPC if the spare cannot hold them.
 */
int remap_units(struct remap_c *rc, u64 first, u64 last)
{
	struct remap_state *st = rc->st;
	struct remap_extent x = { .first = first, .last = last };
	u64 added = 0;
	int r;
	unsigned int noio;	/* nothing under st->lock may wait for I/O */

	mutex_lock(&st->lock);
	noio = memalloc_noio_save();
	r = remap_may_remap(st, last);
	if (!r && remap_count_remapped(st, first, last))
		r = -EEXIST;
	else if (!r && last - first + 1 > spare_pool_free_units(&st->pool))
		r = -ENOSPC;
	else if (!r)
		r = remap_extents_locked(rc, &x, 1, true, false, &added);
	if (added)
		remap_save_counters(st);
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
	return r;
}

/*
 * remap_many: remap every unit of @nr extents (sorted by first unit, not
 * overlapping) that is not remapped yet; @zero: zero-fill their spare
 * units instead of copying (remap_zero_filled).  All or nothing as far as
 * checks go: -ENOSPC when the spare pool has fewer free units than that.
 * *added and *skipped count the units remapped now and the units that
 * were remapped already.
 */
int remap_extents(struct remap_c *rc, const struct remap_extent *x, size_t nr,
		  bool zero, u64 *added, u64 *skipped)
{
	struct remap_state *st = rc->st;
	u64 want = 0, total = 0, n;
	size_t i;
	int r;
	unsigned int noio;	/* nothing under st->lock may wait for I/O */

	*added = 0;
	*skipped = 0;
	mutex_lock(&st->lock);
	noio = memalloc_noio_save();
	for (i = 0; i < nr; i++) {
		n = x[i].last - x[i].first + 1;
		total += n;
		want += n - remap_count_remapped(st, x[i].first, x[i].last);
	}
	*skipped = total - want;
	r = nr ? remap_may_remap(st, x[nr - 1].last) : 0;
	if (!r && want > spare_pool_free_units(&st->pool))
		r = -ENOSPC;
	else if (!r)
		r = remap_extents_locked(rc, x, nr, !*skipped, zero, added);
	if (*added)
		remap_save_counters(st);
	if (zero && *added)
		DMWARN("%s: remap_many zero_fill: %llu units zero-filled on the spare, not copied; their sectors count as lost",
		       dm_device_name(st->md), (unsigned long long)*added);
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
	return r;
}

/* Move the remapped units @e back to the main device, then forget them. */
static int unremap_batch(struct remap_c *rc, const struct remap_entry *e,
			 size_t nr)
{
	struct remap_state *st = rc->st;
	struct remap_copy_job *jobs;
	u64 *lunits;
	size_t i;
	int r = 0, undo_r = 0;

	jobs = kvmalloc_array(nr, sizeof(*jobs), GFP_KERNEL);
	lunits = kvmalloc_array(nr, sizeof(*lunits), GFP_KERNEL);
	if (!jobs || !lunits) {
		kvfree(jobs);
		kvfree(lunits);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++)
		lunits[i] = e[i].lunit;
	remap_gate_start(st, lunits, nr);
	kvfree(lunits);
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
			undo_r = remap_commit_batch(st, e, nr, true);
	}
	if (!remap_batch_end(st, r, undo_r))
		DMERR("%s: moving sectors %llu-%llu back: metadata commit failed, their place is in doubt: writes to them now fail",
		      dm_device_name(st->md),
		      (unsigned long long)(e[0].lunit << st->unit_shift),
		      (unsigned long long)((e[nr - 1].lunit << st->unit_shift) +
					   st->unit_sectors - 1));
	else if (r)
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
 * (-ENOENT otherwise, and nothing changes).  Protected units (their main
 * copies hold the member signature) are never unremapped: -EPERM, and
 * nothing changes; "unprotect" copies them back first.
 */
int unremap_units(struct remap_c *rc, u64 first, u64 last, bool strict)
{
	struct remap_state *st = rc->st;
	struct remap_entry *batch;
	struct remap_table *t;
	size_t lo, hi, nr;
	int r = 0;
	unsigned int noio;	/* nothing under st->lock may wait for I/O */

	batch = kvmalloc_array(st->move_batch, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	mutex_lock(&st->lock);
	noio = memalloc_noio_save();
	if (st->meta && remap_meta_failed(st->meta)) {
		r = -EROFS;
		goto out;
	}
	if (st->meta) {
		struct remap_protect p;
		u64 hit;

		remap_meta_get_protect(st->meta, &p, NULL);
		if (remap_protect_overlaps(&p, first, last, &hit)) {
			DMERR("%s: sector %llu is protected (the raw main device holds the member signature there): unprotect first",
			      dm_device_name(st->md),
			      (unsigned long long)(hit << st->unit_shift));
			r = -EPERM;
			goto out;
		}
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
		nr = min_t(size_t, hi - lo, st->move_batch);
		memcpy(batch, &t->e[lo], nr * sizeof(*batch));
		r = unremap_batch(rc, batch, nr);
		first = batch[nr - 1].lunit + 1;
		t = rcu_dereference_protected(st->table,
					      lockdep_is_held(&st->lock));
		cond_resched();
	}
out:
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
	kvfree(batch);
	return r;
}
