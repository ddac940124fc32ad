// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-recover.c - the error path: what a drive's firmware does when a
 * sector fails.
 *
 * remap_end_io() hands a read or write that failed with a media error to
 * this worker (remap_recover_queue), and the per-unit gate hands it data
 * writes to pending units.  The worker takes st->lock, so it is one more
 * user of the move machinery, holds each unit it moves in the gate
 * (dm-remap-gate.c) and looks at the bio unit by unit:
 *
 *  - write failed: retried on its own (to learn which units of a longer
 *    bio are bad); a unit whose write fails again is relocated: held in
 *    the gate, a new spare unit gets what can still be read of the unit,
 *    then the bio's data, the metadata is committed, and only then is the
 *    write acknowledged;
 *  - read failed: the unit is held in the gate, then retried
 *    rc->read_retries times; if a retry reads, the data goes up and the
 *    unit is relocated with exactly that data (no write could land in
 *    between); if none does, the error goes up and the unit becomes
 *    pending (persisted);
 *  - data write to a pending unit: the unit is relocated with the write's
 *    data (zeroes for WRITE_ZEROES), and is pending no more before any
 *    write held meanwhile is routed again; a write diverted before that
 *    goes to the new place as an ordinary write: one bad unit costs one
 *    spare unit, whatever the queue depth;
 *  - errors from the spare device: the same, and the failing spare unit
 *    is retired (never handed out again);
 *  - a failed commit whose outcome is unknown leaves the unit in doubt:
 *    the write that needed it fails, and so do later writes to it.
 *
 * A relocation that finds no free spare unit marks the pool exhausted
 * (status, a table event, a rate-limited message) and the error goes up
 * unchanged.  Retried and relocated pieces are clones of the original bio
 * (bio_alloc_clone + bio_trim) sent synchronously; the original is then
 * completed with the outcome.
 */
#include <linux/slab.h>
#include <linux/blkdev.h>
#include <linux/sched/mm.h>

#include "dm-remap.h"
#include "remap_meta.h"

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
	if (op_is_write(op))
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

/*
 * Commit a relocation: @lunit now lives in @sunit (when @mapped), and the
 * spare units in @retire (its old place first when @from_spare, then the
 * ones that failed on the way) are retired.  The slot block that gets the
 * new place is committed first, with whatever else changes in it, and the
 * other blocks after it: a crash in between leaves the unit named twice,
 * and the load takes the block with the higher seq (docs/metadata-format.md,
 * "Relocations").
 *
 * So once the first commit is done the new place is durable, unless the
 * second commit, which retires the old place in another block, fails: its
 * rollback writes the old place back with a newer seq, and the old place
 * wins at the next load (-EIO: the relocation did not happen), or the
 * rollback fails too (-REMAP_EDOUBT).  A failure of a second commit that
 * only retires failed spare units leaves the relocation standing.
 * *named: the disk may name @sunit (keep it out of the pool).
 */
static int remap_relocate_commit(struct remap_state *st, u64 lunit, u64 sunit,
				 bool mapped, bool from_spare,
				 const u64 *retire, unsigned int nr,
				 bool *named)
{
	struct remap_slot_change c[REMAP_RELOCATE_TRIES + 2];
	u64 block = div_u64(sunit, REMAP_META_PER_BLOCK);
	bool old_later = false;
	unsigned int i, n, pass;
	int r;

	*named = false;
	if (!st->meta)
		return 0;
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		if (mapped && !pass) {
			c[n].sunit = sunit;
			c[n++].value = lunit + 1;
		}
		for (i = 0; i < nr; i++) {
			bool first = mapped &&
				div_u64(retire[i], REMAP_META_PER_BLOCK) == block;

			if (first == !pass) {
				c[n].sunit = retire[i];
				c[n++].value = REMAP_SLOT_RETIRED;
				if (pass && !i && from_spare)
					old_later = true;
			}
		}
		r = remap_meta_set_slots(st->meta, c, n);
		if (mapped && !pass)
			*named = r != -EIO && r != -ENOMEM && r != -EROFS;
		if (r && (!pass || !mapped || old_later))
			return r;
	}
	return 0;
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
 * Give @lunit, which the caller holds in the gate (moving), a new spare
 * unit with its data: @data when the caller has read the whole unit
 * (remap_unit_span() sectors) since it holds it, otherwise what can be
 * read from where it lives now, and over it sectors [skip, skip + len) of
 * @bio at unit offset @uoff (none when @len is 0; zeroes for a WRITE_ZEROES
 * bio, which carries no data).  A spare unit that fails on the way is
 * retired and another one is tried.  Returns 0 (moved: end the gate with
 * REMAP_GATE_MOVED); -REMAP_EDOUBT (the commit's outcome is unknown:
 * REMAP_GATE_DOUBT); or -ENOSPC (no spare unit left), -EROFS, -EBUSY,
 * -EINVAL (remap_may_remap), -ENOMEM or a spare error on every try, with
 * nothing changed but retirements.
 */
static int __remap_relocate(struct remap_c *rc, struct bio *bio, u64 lunit,
			    sector_t skip, sector_t uoff, sector_t len,
			    u8 *data)
{
	struct remap_state *st = rc->st;
	sector_t ulen = remap_unit_span(rc, lunit);
	u64 retire[REMAP_RELOCATE_TRIES + 1], sunit = 0;
	unsigned int nr_retire = 0, tries;
	bool zeroes = len && !bio_has_data(bio), no_unit = false, named;
	struct remap_entry e;
	struct remap_place from;
	u8 *old = NULL;
	sector_t dst;
	int r = -EIO;

	/* Read-only metadata, a table replacing this state, or a shorter one. */
	r = remap_may_remap(st, lunit);
	if (r)
		return r;
	remap_place_of(rc, lunit, &from);
	if (from.on_spare)
		retire[nr_retire++] = from.sunit;
	/* The rest of the unit, read (and its losses counted) once. */
	if (data) {
		old = data;
	} else if (uoff || len < ulen || zeroes) {
		old = kvmalloc(ulen << SECTOR_SHIFT, GFP_NOIO);
		if (!old)
			return -ENOMEM;
		remap_salvage_read(rc, from.bdev, from.sector, lunit, uoff,
				   len, old);
		if (zeroes)
			memset(old + (uoff << SECTOR_SHIFT), 0,
			       len << SECTOR_SHIFT);
	}
	for (tries = 0; tries < REMAP_RELOCATE_TRIES; tries++) {
		no_unit = spare_pool_alloc(&st->pool, &sunit);
		if (no_unit) {
			r = -ENOSPC;
			break;
		}
		dst = remap_unit_to_spare(st, sunit);
		r = 0;
		if (old && remap_sync_io(st->io, REQ_OP_WRITE, rc->spare->bdev,
					 dst, ulen, old))
			r = -EIO;
		if (!r && len && !zeroes)
			r = remap_piece_io(st, bio, skip, len, rc->spare->bdev,
					   dst + uoff, REQ_OP_WRITE);
		if (!remap_is_media_errno(r))
			break;
		remap_count(st, REMAP_CTR_SPARE_ERRORS, 1);
		retire[nr_retire++] = sunit;
		DMERR_LIMIT("%s: spare unit %llu failed a write; retired",
			    dm_device_name(st->md), (unsigned long long)sunit);
	}
	if (!data)
		kvfree(old);
	/* Not the unit's fault (e.g. -ENOMEM, or the spare's -ENOSPC). */
	if (r && !remap_is_media_errno(r) && !no_unit)
		spare_pool_free(&st->pool, sunit);

	if (!r) {
		r = remap_relocate_commit(st, lunit, sunit, true, from.on_spare,
					  retire, nr_retire, &named);
		if (!r) {
			e.lunit = lunit;
			e.sunit = sunit;
			r = from.on_spare ?
				remap_table_move_unit(st, lunit, sunit) :
				remap_table_insert(st, &e, 1);
			/*
			 * On disk but not in memory: undo on disk (@sunit is
			 * retired there, and stays taken here); if even that
			 * fails, the disk names the new place.
			 */
			if (r && remap_relocate_commit(st, lunit, from.sunit,
						       from.on_spare, false,
						       &sunit, 1, &named))
				r = -REMAP_EDOUBT;
		} else if (!named) {
			spare_pool_free(&st->pool, sunit);
		}
		/* Otherwise @sunit stays taken: the disk may name it. */
	} else if (nr_retire > from.on_spare) {
		/* Record the spare units that failed; the unit stays put. */
		remap_relocate_commit(st, lunit, 0, false, false,
				      retire + from.on_spare,
				      nr_retire - from.on_spare, &named);
	}

	/* Retired now: the ones that failed, and the old place if it was
	 * on the spare (only when the unit moved off it).
	 */
	atomic64_add(nr_retire - (r && from.on_spare), &st->nr_retired);
	if (no_unit)
		remap_note_exhausted(rc);
	if (r == -REMAP_EDOUBT)
		DMERR("%s: sectors %llu-%llu: relocation commit failed, their place is in doubt: writes to them now fail",
		      dm_device_name(st->md),
		      (unsigned long long)(lunit << st->unit_shift),
		      (unsigned long long)((lunit << st->unit_shift) +
					   remap_unit_len(rc, lunit) - 1));
	if (r)
		return r;
	st->exhausted = false;
	remap_count(st, REMAP_CTR_REALLOC_EVENTS, 1);
	remap_count(st, REMAP_CTR_AUTO_REMAPS, 1);
	DMINFO_LIMIT("%s: sectors %llu-%llu remapped to spare unit %llu",
		     dm_device_name(st->md),
		     (unsigned long long)(lunit << st->unit_shift),
		     (unsigned long long)((lunit << st->unit_shift) +
					  remap_unit_len(rc, lunit) - 1),
		     (unsigned long long)sunit);
	return 0;
}

static int remap_relocate(struct remap_c *rc, struct bio *bio, u64 lunit,
			  sector_t skip, sector_t uoff, sector_t len)
{
	return __remap_relocate(rc, bio, lunit, skip, uoff, len, NULL);
}

/*
 * The scrubber's relocation: @lunit, which the caller holds in the gate
 * (st->lock held), moves to a new spare unit with @data, the whole unit as
 * the caller read it after it started holding it.  Its old spare unit, if
 * it had one, is retired.  Returns as remap_relocate(); end the gate with
 * remap_unit_done().
 */
int remap_relocate_held(struct remap_c *rc, u64 lunit, u8 *data)
{
	lockdep_assert_held(&rc->st->lock);
	return __remap_relocate(rc, NULL, lunit, 0, 0, 0, data);
}

/*
 * End the gate of a unit the worker held, as @to says, route the bios held
 * meanwhile again, and commit the pending set if that changed it.
 */
void remap_unit_end(struct remap_state *st, enum remap_gate_end to)
{
	struct bio_list held;
	bool changed;

	changed = remap_gate_end(st, to, &held);
	remap_reissue(st, &held);
	if (changed)
		remap_pending_commit(st);
}

/* The same, as the outcome @r of a relocation (remap_relocate) says. */
void remap_unit_done(struct remap_state *st, int r)
{
	enum remap_gate_end to = REMAP_GATE_STAYED;

	if (!r)
		to = REMAP_GATE_MOVED;
	else if (r == -REMAP_EDOUBT)
		to = REMAP_GATE_DOUBT;
	remap_unit_end(st, to);
}

/* Hold @lunit, relocate it, and end its gate: remap_relocate's result. */
static int remap_relocate_unit(struct remap_c *rc, struct bio *bio,
			       u64 lunit, sector_t skip, sector_t uoff,
			       sector_t len)
{
	int r;

	remap_gate_start(rc->st, &lunit, 1);
	r = remap_relocate(rc, bio, lunit, skip, uoff, len);
	remap_unit_done(rc->st, r);
	return r;
}

/* ---- one unit's piece of a failed or diverted bio ---- */

struct remap_piece {
	u64 lunit;
	sector_t skip;		/* first sector of the piece in the bio */
	sector_t uoff;		/* ... in the unit */
	sector_t len;
	bool alone;		/* the bio touched this unit only */
};

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

/* Write the piece where the unit lives now, as an ordinary write. */
static int remap_write_in_place(struct remap_c *rc, struct bio *bio,
				const struct remap_piece *pc)
{
	struct remap_place p;

	remap_place_of(rc, pc->lunit, &p);
	return remap_piece_io(rc->st, bio, pc->skip, pc->len, p.bdev,
			      p.sector + pc->uoff, bio_op(bio));
}

static blk_status_t remap_recover_write(struct remap_c *rc, struct bio *bio,
					struct remap_io *io, u64 ufirst,
					const struct remap_piece *pc)
{
	struct remap_state *st = rc->st;
	struct remap_place p;
	int r, moved;

	/* Its place is in doubt (a commit failed since): not acknowledged. */
	if (remap_is_doubt(st, pc->lunit))
		return BLK_STS_IOERR;
	if (io->diverted) {
		/*
		 * A data write to a pending unit: relocate the unit with it.
		 * An earlier write may have relocated it since this one was
		 * diverted: then it is an ordinary write to the new place.
		 */
		if (!remap_is_pending(st, pc->lunit))
			return errno_to_blk_status(remap_write_in_place(rc, bio,
									 pc));
		r = remap_relocate_unit(rc, bio, pc->lunit, pc->skip, pc->uoff,
					pc->len);
		if (r != -ENOSPC && r != -ENOMEM && r != -EROFS &&
		    r != -EBUSY && r != -EINVAL)
			return r == -REMAP_EDOUBT ? BLK_STS_IOERR :
			       errno_to_blk_status(r);
		/* No new place: the write goes where the unit is. */
		return errno_to_blk_status(remap_write_in_place(rc, bio, pc));
	}

	/*
	 * The write failed where it went.  If that was this unit alone, this
	 * unit is bad; otherwise write it alone to find out (it may also
	 * have moved since, and then the write goes to its new place).
	 */
	remap_place_of(rc, pc->lunit, &p);
	r = -EIO;
	if (!pc->alone || !remap_went_here(io, ufirst, pc, &p))
		r = remap_piece_io(st, bio, pc->skip, pc->len, p.bdev,
				   p.sector + pc->uoff, REQ_OP_WRITE);
	if (!r || !remap_is_media_errno(r))
		return errno_to_blk_status(r);
	if (p.on_spare)
		remap_count(st, REMAP_CTR_SPARE_ERRORS, 1);
	moved = remap_relocate_unit(rc, bio, pc->lunit, pc->skip, pc->uoff,
				    pc->len);
	return moved ? errno_to_blk_status(r) : BLK_STS_OK;
}

/*
 * A failed read: the unit is held in the gate first, so that what the
 * retries read is what the unit holds (no write can land in between), and
 * then read again up to rc->read_retries times.  If a retry reads, the data
 * goes up and the unit moves with it; if none does, the unit becomes
 * pending.
 */
static blk_status_t remap_recover_read(struct remap_c *rc, struct bio *bio,
				       struct remap_io *io, u64 ufirst,
				       const struct remap_piece *pc)
{
	struct remap_state *st = rc->st;
	unsigned int tries = READ_ONCE(rc->read_retries), i;
	sector_t first = pc->lunit << st->unit_shift;
	sector_t last = first + remap_unit_len(rc, pc->lunit) - 1;
	bool failed = false;
	struct remap_place p;
	int r = -EIO;

	remap_gate_start(st, &pc->lunit, 1);
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
		remap_count(st, REMAP_CTR_SPARE_ERRORS, 1);
	if (!r) {
		/* Read at last: move the unit, with the data just read. */
		remap_unit_done(st, failed ?
				remap_relocate(rc, bio, pc->lunit, pc->skip,
					       pc->uoff, pc->len) : -EAGAIN);
		return BLK_STS_OK;
	}
	if (!failed || !remap_is_media_errno(r)) {
		remap_unit_done(st, r);
		return errno_to_blk_status(r);
	}

	remap_count(st, REMAP_CTR_UNCORRECTABLE, 1);
	remap_unit_end(st, REMAP_GATE_PENDING);
	if (!remap_is_pending(st, pc->lunit))
		DMERR_LIMIT("%s: pending list full; sectors %llu-%llu not recorded",
			    dm_device_name(st->md), (unsigned long long)first,
			    (unsigned long long)last);
	else
		DMERR_LIMIT("%s: sectors %llu-%llu unreadable after %u retries; pending until written",
			    dm_device_name(st->md), (unsigned long long)first,
			    (unsigned long long)last, tries);
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
	u64 before[REMAP_CTR_NR];
	blk_status_t status = BLK_STS_OK, s;
	struct remap_health health;
	struct remap_piece pc;
	bool changed = false;
	int i;

	mutex_lock(&st->lock);
	remap_health_get(st, &health);
	for (i = 0; i < REMAP_CTR_NR; i++)
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

	for (i = 0; i < REMAP_CTR_NR; i++)
		if (atomic64_read(&st->counters[i]) != before[i])
			changed = true;
	if (changed)
		remap_save_counters(st);
	/* Counters, remaps, pending, doubt, failed metadata: wake remapd. */
	if (remap_health_changed(st, &health))
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
	unsigned int noio;
	struct bio *bio;

	spin_lock_irq(&st->recover_lock);
	bios = st->recover_bios;
	bio_list_init(&st->recover_bios);
	spin_unlock_irq(&st->recover_lock);

	/* Writes wait for this worker: its allocations must not wait for them. */
	noio = memalloc_noio_save();
	while ((bio = bio_list_pop(&bios))) {
		remap_recover_bio(st, bio);
		cond_resched();
	}
	memalloc_noio_restore(noio);
}
