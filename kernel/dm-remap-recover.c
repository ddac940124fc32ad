// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-recover.c - the error path: what a drive's firmware does when a
 * sector fails.
 *
 * remap_end_io() hands a read or write that failed with a media error to
 * this worker (remap_recover_queue), and the I/O path hands it writes to
 * pending units.  The worker takes st->lock, so it is one more user of the
 * move machinery of dm-remap-move.c, and looks at the bio unit by unit:
 *
 *  - write failed: retried on its own (to learn which units of a longer
 *    bio are bad); a unit whose write fails again is relocated: a new spare
 *    unit gets what can still be read of the unit, then the bio's data,
 *    the metadata is committed, and only then is the write acknowledged;
 *  - read failed: retried rc->read_retries times; if a retry reads, the
 *    data goes up and the unit is relocated with it; if none does, the
 *    error goes up and the unit becomes pending (persisted);
 *  - write to a pending unit: the unit is relocated with the write's data,
 *    and is no longer pending;
 *  - errors from the spare device: the same, and the failing spare unit
 *    is retired (never handed out again).
 *
 * A relocation that finds no free spare unit marks the pool exhausted
 * (status, a table event, a rate-limited message) and the error goes up
 * unchanged.  Retried and relocated pieces are clones of the original bio
 * (bio_alloc_clone + bio_trim) sent synchronously; the original is then
 * completed with the outcome.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/blkdev.h>

#include "dm-remap.h"
#include "remap_meta.h"

void remap_recover_queue(struct remap_state *st, struct bio *bio)
{
	struct remap_io *io = dm_per_bio_data(bio, sizeof(*io));
	unsigned long flags;

	dm_bio_restore(&io->details, bio);
	bio->bi_status = BLK_STS_OK;
	spin_lock_irqsave(&st->recover_lock, flags);
	bio_list_add(&st->recover_bios, bio);
	spin_unlock_irqrestore(&st->recover_lock, flags);
	queue_work(st->wq, &st->recover_work);
}

/* ---- the pending set: unreadable units waiting for a write ---- */

bool remap_is_pending(struct remap_state *st, u64 lunit)
{
	unsigned long flags;
	size_t pos;
	bool r;

	spin_lock_irqsave(&st->move_lock, flags);
	pos = remap_u64_lower_bound(st->pending, st->nr_pending, lunit);
	r = pos < st->nr_pending && st->pending[pos] == lunit;
	spin_unlock_irqrestore(&st->move_lock, flags);
	return r;
}

static int remap_pending_commit(struct remap_state *st)
{
	if (!st->meta)
		return 0;
	return remap_meta_set_pending(st->meta, st->pending, st->nr_pending);
}

/* Add or remove @lunit (st->lock held) and commit; -ENOSPC when full. */
static int remap_pending_set(struct remap_state *st, u64 lunit, bool pending)
{
	size_t pos;
	bool there;

	lockdep_assert_held(&st->lock);
	spin_lock_irq(&st->move_lock);
	pos = remap_u64_lower_bound(st->pending, st->nr_pending, lunit);
	there = pos < st->nr_pending && st->pending[pos] == lunit;
	if (there == pending) {
		spin_unlock_irq(&st->move_lock);
		return 0;
	}
	if (pending && st->nr_pending == REMAP_MAX_PENDING) {
		spin_unlock_irq(&st->move_lock);
		return -ENOSPC;
	}
	if (pending) {
		memmove(&st->pending[pos + 1], &st->pending[pos],
			(st->nr_pending - pos) * sizeof(*st->pending));
		st->pending[pos] = lunit;
		WRITE_ONCE(st->nr_pending, st->nr_pending + 1);
	} else {
		memmove(&st->pending[pos], &st->pending[pos + 1],
			(st->nr_pending - pos - 1) * sizeof(*st->pending));
		WRITE_ONCE(st->nr_pending, st->nr_pending - 1);
	}
	spin_unlock_irq(&st->move_lock);
	return remap_pending_commit(st);
}

/*
 * Forget the pending units among @lunits (st->lock held), and commit once:
 * they were remapped by a message, so what could not be read of them is
 * already zeroed and counted, and a write no longer needs to move them.
 */
int remap_pending_forget(struct remap_state *st, const u64 *lunits, size_t nr)
{
	bool changed = false;
	size_t i, pos;

	lockdep_assert_held(&st->lock);
	if (!READ_ONCE(st->nr_pending))
		return 0;
	spin_lock_irq(&st->move_lock);
	for (i = 0; i < nr && st->nr_pending; i++) {
		pos = remap_u64_lower_bound(st->pending, st->nr_pending,
					    lunits[i]);
		if (pos == st->nr_pending || st->pending[pos] != lunits[i])
			continue;
		memmove(&st->pending[pos], &st->pending[pos + 1],
			(st->nr_pending - pos - 1) * sizeof(*st->pending));
		WRITE_ONCE(st->nr_pending, st->nr_pending - 1);
		changed = true;
	}
	spin_unlock_irq(&st->move_lock);
	return changed ? remap_pending_commit(st) : 0;
}

static int remap_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The pending set the metadata holds (state creation). */
int remap_pending_load(struct remap_state *st)
{
	size_t n, i, j;

	n = remap_meta_get_pending(st->meta, st->pending, REMAP_MAX_PENDING);
	sort(st->pending, n, sizeof(*st->pending), remap_cmp_u64, NULL);
	for (i = 0, j = 0; i < n; i++)
		if (!j || st->pending[i] != st->pending[j - 1])
			st->pending[j++] = st->pending[i];
	st->nr_pending = j;
	return 0;
}

/* ---- pieces of a bio ---- */

/*
 * Send sectors [skip, skip + len) of @bio to @sector of @bdev as @op, and
 * wait.  A clone shares the bio's pages: a read lands in them, and a write
 * of read data (relocating it) takes it from them.
 */
static int remap_piece_io(struct remap_state *st, struct bio *bio,
			  sector_t skip, sector_t len,
			  struct block_device *bdev, sector_t sector,
			  enum req_op op)
{
	struct bio *clone;
	int r;

	clone = bio_alloc_clone(bdev, bio, GFP_NOIO, &st->bs);
	if (!clone)
		return -ENOMEM;
	bio_trim(clone, skip, len);
	clone->bi_iter.bi_sector = sector;
	clone->bi_opf = op | REQ_SYNC;
	if (op == REQ_OP_WRITE)
		clone->bi_opf |= bio->bi_opf & REQ_FUA;
	r = submit_bio_wait(clone);
	bio_put(clone);
	return r;
}

/* Where sector @uoff of unit @lunit lives now. */
struct remap_place {
	bool on_spare;
	u64 sunit;
	struct block_device *bdev;
	sector_t sector;		/* of the unit's first sector */
};

static void remap_place_of(struct remap_c *rc, u64 lunit,
			   struct remap_place *p)
{
	struct remap_state *st = rc->st;

	p->on_spare = remap_table_where(st, lunit, &p->sunit);
	if (p->on_spare) {
		p->bdev = rc->spare->bdev;
		p->sector = remap_unit_to_spare(st, p->sunit);
	} else {
		p->bdev = rc->main->bdev;
		p->sector = remap_unit_to_main(st, lunit);
	}
}

/* ---- relocation ---- */

/* Commit slot values @val of spare units @su (n <= 5, any order). */
static int remap_commit_slots(struct remap_state *st, u64 *su, u64 *val,
			      unsigned int n)
{
	unsigned int i, j;

	/* Insertion sort by spare unit, as the commit wants them. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && su[j - 1] > su[j]; j--) {
			swap(su[j - 1], su[j]);
			swap(val[j - 1], val[j]);
		}
	}
	return n ? remap_meta_set_slots(st->meta, su, val, n) : 0;
}

/*
 * Commit a relocation: @lunit now lives in @sunit (when @mapped), and the
 * spare units in @retire (its old one, ones that failed on the way) are
 * retired.  The slot block that gets the new place is committed first,
 * with whatever else changes in it, and the other blocks after it: a crash
 * in between leaves the unit named twice, and the load takes the newer
 * block (docs/metadata-format.md, "Relocations").
 */
static int remap_relocate_commit(struct remap_state *st, u64 lunit, u64 sunit,
				 bool mapped, const u64 *retire,
				 unsigned int nr)
{
	u64 su[REMAP_RELOCATE_TRIES + 2], val[REMAP_RELOCATE_TRIES + 2];
	u64 block = div_u64(sunit, REMAP_META_PER_BLOCK);
	unsigned int i, n = 0, pass;
	int r = 0;

	if (!st->meta)
		return 0;
	for (pass = 0; pass < 2 && !r; pass++) {
		n = 0;
		if (mapped && !pass) {
			su[n] = sunit;
			val[n++] = lunit + 1;
		}
		for (i = 0; i < nr; i++) {
			bool first = mapped &&
				div_u64(retire[i], REMAP_META_PER_BLOCK) == block;

			if (first == !pass) {
				su[n] = retire[i];
				val[n++] = REMAP_SLOT_RETIRED;
			}
		}
		r = remap_commit_slots(st, su, val, n);
	}
	return r;
}

static void remap_note_exhausted(struct remap_c *rc)
{
	struct remap_state *st = rc->st;

	if (!st->exhausted)
		dm_table_event(rc->ti->table);
	st->exhausted = true;
	DMERR_LIMIT("%s: spare pool exhausted: I/O errors now pass up unchanged",
		    dm_device_name(st->md));
}

/*
 * Give @lunit a new spare unit, with its data: what can be read from where
 * it lives now, and over it sectors [skip, skip + len) of @bio (unit
 * offset @uoff; none when @len is 0).  The unit's I/O is held meanwhile.
 * A spare unit that fails on the way is retired and another one is tried.
 * 0, -ENOSPC (no spare unit left), or another error; on error nothing
 * changes but retirements.
 */
static int remap_relocate(struct remap_c *rc, struct bio *bio, u64 lunit,
			  sector_t skip, sector_t uoff, sector_t len)
{
	struct remap_state *st = rc->st;
	sector_t ulen = remap_unit_len(rc, lunit);
	u64 retire[REMAP_RELOCATE_TRIES + 1], sunit = 0;
	unsigned int nr_retire = 0, tries;
	struct remap_entry e;
	struct remap_place from;
	u8 *old = NULL;
	sector_t dst;
	int r = -EIO;

	remap_start_moving(st, &lunit, 1);
	remap_place_of(rc, lunit, &from);
	if (from.on_spare)
		retire[nr_retire++] = from.sunit;
	/* The rest of the unit, read (and its losses counted) once. */
	if (uoff || len < ulen) {
		old = kvmalloc(ulen << SECTOR_SHIFT, GFP_NOIO);
		if (!old) {
			r = -ENOMEM;
			goto end;
		}
		remap_salvage_read(rc, from.bdev, from.sector, lunit, uoff,
				   len, old);
	}
	for (tries = 0; tries < REMAP_RELOCATE_TRIES; tries++) {
		r = spare_pool_alloc(&st->pool, &sunit);
		if (r)
			break;
		dst = remap_unit_to_spare(st, sunit);
		r = 0;
		if (old && remap_sync_io(st->io, REQ_OP_WRITE, rc->spare->bdev,
					 dst, ulen, old))
			r = -EIO;
		if (!r && len)
			r = remap_piece_io(st, bio, skip, len, rc->spare->bdev,
					   dst + uoff, REQ_OP_WRITE);
		if (r != -EIO && r != -ENODATA && r != -EILSEQ)
			break;
		remap_count(st, REMAP_C_SPARE_ERRORS, 1);
		retire[nr_retire++] = sunit;
		DMERR_LIMIT("%s: spare unit %llu failed a write; retired",
			    dm_device_name(st->md), (unsigned long long)sunit);
	}
	if (r && !(r == -EIO || r == -ENODATA || r == -EILSEQ || r == -ENOSPC))
		spare_pool_free(&st->pool, sunit);	/* e.g. -ENOMEM */

	if (!r) {
		r = remap_relocate_commit(st, lunit, sunit, true, retire,
					  nr_retire);
		if (r) {
			spare_pool_free(&st->pool, sunit);
		} else {
			e.lunit = lunit;
			e.sunit = sunit;
			r = from.on_spare ?
				remap_table_move_unit(st, lunit, sunit) :
				remap_table_insert(st, &e, 1);
			if (r) {
				/* On disk but not in memory: undo on disk. */
				remap_relocate_commit(st, lunit, from.sunit,
						      from.on_spare, &sunit, 1);
			}
		}
	} else if (nr_retire > from.on_spare) {
		/* Record the spare units that failed; the unit stays put. */
		remap_relocate_commit(st, lunit, 0, false,
				      retire + from.on_spare,
				      nr_retire - from.on_spare);
	}
end:
	kvfree(old);
	remap_end_moving(st);

	/* Retired now: the ones that failed, and the old place if it was
	 * on the spare (only when the unit moved off it).
	 */
	atomic64_add(nr_retire - (r && from.on_spare), &st->nr_retired);
	if (r == -ENOSPC)
		remap_note_exhausted(rc);
	if (r)
		return r;
	st->exhausted = false;
	remap_count(st, REMAP_C_REALLOC_EVENTS, 1);
	remap_count(st, REMAP_C_AUTO_REMAPS, 1);
	remap_pending_set(st, lunit, false);
	DMINFO_LIMIT("%s: sectors %llu-%llu remapped to spare unit %llu",
		     dm_device_name(st->md),
		     (unsigned long long)(lunit << st->unit_shift),
		     (unsigned long long)((lunit << st->unit_shift) + ulen - 1),
		     (unsigned long long)sunit);
	return 0;
}

/* ---- one unit's piece of a failed or diverted bio ---- */

struct remap_piece {
	u64 lunit;
	sector_t skip;		/* first sector of the piece in the bio */
	sector_t uoff;		/* ... in the unit */
	sector_t len;
	bool alone;		/* the bio touched this unit only */
};

static bool remap_is_media_errno(int r)
{
	return r == -EIO || r == -ENODATA || r == -EILSEQ || r == -EREMOTEIO;
}

/* Did the bio go where the unit lives now? */
static bool remap_went_here(struct remap_io *io, u64 ufirst,
			    const struct remap_piece *pc,
			    const struct remap_place *p)
{
	if (io->where == REMAP_TO_MAIN)
		return !p->on_spare;
	if (io->where == REMAP_TO_SPARE)
		return p->on_spare && p->sunit == io->sunit + (pc->lunit - ufirst);
	return false;
}

static blk_status_t remap_recover_write(struct remap_c *rc, struct bio *bio,
					struct remap_io *io, u64 ufirst,
					const struct remap_piece *pc)
{
	struct remap_state *st = rc->st;
	struct remap_place p;
	int r;

	remap_place_of(rc, pc->lunit, &p);
	if (io->diverted) {
		/* A write to a pending unit: remap it with the new data. */
		r = remap_relocate(rc, bio, pc->lunit, pc->skip, pc->uoff,
				   pc->len);
		if (r != -ENOSPC && r != -ENOMEM)
			return errno_to_blk_status(r);
		/* No spare unit: the write goes where the unit is. */
		remap_place_of(rc, pc->lunit, &p);
		r = remap_piece_io(st, bio, pc->skip, pc->len, p.bdev,
				   p.sector + pc->uoff, REQ_OP_WRITE);
		return errno_to_blk_status(r);
	}

	/*
	 * The write failed where it went.  If that was this unit alone, this
	 * unit is bad; otherwise write it alone to find out (it may also
	 * have moved since, and then the write goes to its new place).
	 */
	r = -EIO;
	if (!pc->alone || !remap_went_here(io, ufirst, pc, &p))
		r = remap_piece_io(st, bio, pc->skip, pc->len, p.bdev,
				   p.sector + pc->uoff, REQ_OP_WRITE);
	if (!r || !remap_is_media_errno(r))
		return errno_to_blk_status(r);
	if (p.on_spare)
		remap_count(st, REMAP_C_SPARE_ERRORS, 1);
	if (!remap_relocate(rc, bio, pc->lunit, pc->skip, pc->uoff, pc->len))
		return BLK_STS_OK;
	return errno_to_blk_status(r);
}

static blk_status_t remap_recover_read(struct remap_c *rc, struct bio *bio,
				       struct remap_io *io, u64 ufirst,
				       const struct remap_piece *pc)
{
	struct remap_state *st = rc->st;
	unsigned int tries = READ_ONCE(rc->read_retries), i;
	bool failed = false;
	struct remap_place p;
	int r = -EIO;

	remap_place_of(rc, pc->lunit, &p);
	/* The failure is this unit's only if the bio read it alone, here. */
	if (pc->alone && remap_went_here(io, ufirst, pc, &p))
		failed = true;
	else
		tries = max(tries, 1U);
	for (i = 0; i < tries; i++) {
		r = remap_piece_io(st, bio, pc->skip, pc->len, p.bdev,
				   p.sector + pc->uoff, REQ_OP_READ);
		if (!r || !remap_is_media_errno(r))
			break;
		failed = true;
	}
	if (failed && p.on_spare)
		remap_count(st, REMAP_C_SPARE_ERRORS, 1);
	if (!r) {
		/* Read at last: move the unit, with the data just read. */
		if (failed)
			remap_relocate(rc, bio, pc->lunit, pc->skip, pc->uoff,
				       pc->len);
		return BLK_STS_OK;
	}
	if (!failed || !remap_is_media_errno(r))
		return errno_to_blk_status(r);

	remap_count(st, REMAP_C_UNCORRECTABLE, 1);
	if (remap_pending_set(st, pc->lunit, true) == -ENOSPC)
		DMERR_LIMIT("%s: pending list full; sectors %llu-%llu not recorded",
			    dm_device_name(st->md),
			    (unsigned long long)(pc->lunit << st->unit_shift),
			    (unsigned long long)((pc->lunit << st->unit_shift) +
						 remap_unit_len(rc, pc->lunit) - 1));
	else
		DMERR_LIMIT("%s: sectors %llu-%llu unreadable after %u retries; pending until written",
			    dm_device_name(st->md),
			    (unsigned long long)(pc->lunit << st->unit_shift),
			    (unsigned long long)((pc->lunit << st->unit_shift) +
						 remap_unit_len(rc, pc->lunit) - 1),
			    tries);
	return errno_to_blk_status(r);
}

/* Recover every unit of @bio, then complete it with the outcome. */
static void remap_recover_bio(struct remap_state *st, struct bio *bio)
{
	struct remap_io *io = dm_per_bio_data(bio, sizeof(*io));
	struct remap_c *rc = io->rc;
	sector_t offset = dm_target_offset(rc->ti, bio->bi_iter.bi_sector);
	sector_t nr = bio_sectors(bio), ustart, end = offset + nr;
	u64 ufirst = offset >> st->unit_shift;
	u64 ulast = (end - 1) >> st->unit_shift;
	u64 before[REMAP_NR_COUNTERS], gen;
	blk_status_t status = BLK_STS_OK, s;
	unsigned int pending;
	struct remap_piece pc;
	bool changed = false;
	int i;

	mutex_lock(&st->lock);
	gen = st->generation;
	pending = st->nr_pending;
	for (i = 0; i < REMAP_NR_COUNTERS; i++)
		before[i] = atomic64_read(&st->counters[i]);

	for (pc.lunit = ufirst; pc.lunit <= ulast; pc.lunit++) {
		ustart = (sector_t)pc.lunit << st->unit_shift;
		pc.uoff = max(offset, ustart) - ustart;
		pc.skip = ustart + pc.uoff - offset;
		pc.len = min(end, ustart + st->unit_sectors) - (ustart + pc.uoff);
		pc.alone = ufirst == ulast;
		if (op_is_write(bio_op(bio)))
			s = remap_recover_write(rc, bio, io, ufirst, &pc);
		else
			s = remap_recover_read(rc, bio, io, ufirst, &pc);
		if (s && !status)
			status = s;
	}

	for (i = 0; i < REMAP_NR_COUNTERS; i++)
		if (atomic64_read(&st->counters[i]) != before[i])
			changed = true;
	if (changed)
		remap_save_counters(st);
	if (changed || gen != st->generation || pending != st->nr_pending)
		dm_table_event(rc->ti->table);
	mutex_unlock(&st->lock);

	io->recovered = true;
	bio->bi_status = status;
	bio_endio(bio);
}

void remap_recover_work(struct work_struct *work)
{
	struct remap_state *st = container_of(work, struct remap_state,
					      recover_work);
	struct bio_list bios;
	struct bio *bio;

	spin_lock_irq(&st->recover_lock);
	bios = st->recover_bios;
	bio_list_init(&st->recover_bios);
	spin_unlock_irq(&st->recover_lock);

	while ((bio = bio_list_pop(&bios))) {
		remap_recover_bio(st, bio);
		cond_resched();
	}
}
