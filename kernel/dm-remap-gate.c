// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-gate.c - the per-unit gate: the one place that decides whether
 * a bio for a logical unit goes on to the unit's place, waits, goes to the
 * recovery worker, or fails.
 *
 * A logical unit is in exactly one of these states (docs/dm-remap.rst,
 * "Unit states"):
 *
 *   normal    I/O goes to the unit's place: the main device, or its spare
 *             unit when the index names one.
 *   moving    its data is being copied to a new place, by a message
 *             (remap, unremap, clear, remap_many) or by the error path
 *             (a relocation).  Every bio for it is held (st->deferred)
 *             and routed afresh when the move ends.
 *   pending   it could not be read (a drive's Current_Pending_Sector).
 *             Reads and discards go to its place; data writes (WRITE,
 *             WRITE_ZEROES) go to the recovery worker, which relocates
 *             the unit with the written data.
 *   doubt     a metadata commit about its place failed and could not be
 *             undone, so the disk may name the old place or the new one
 *             (both hold the same data when the commit was tried).  Reads
 *             go to the place memory knows; writes fail with EIO, as
 *             nothing may be acknowledged that a reload could lose.
 *
 * Spare units are free, used or retired (the pool, core/spare_pool.c);
 * sectors zero-filled because they could not be read are "lost" (a
 * counter, not a state).
 *
 * Transitions, all made with st->lock held, each set changed under
 * st->move_lock:
 *
 *   normal  -> moving    remap_gate_start()
 *   pending -> moving    remap_gate_start(): a write or a message moves it
 *   moving  -> normal    remap_gate_end(REMAP_GATE_MOVED): the unit is in
 *                        its new place, and no longer pending
 *   moving  -> (before)  remap_gate_end(REMAP_GATE_STAYED): nothing moved
 *   moving  -> pending   remap_gate_end(REMAP_GATE_PENDING): every read
 *                        retry failed
 *   moving  -> doubt     remap_gate_end(REMAP_GATE_DOUBT): the commit's
 *                        outcome is unknown; only a new table leaves it
 *
 * remap_gate_end() sets the new state in the same move_lock section that
 * ends the move and takes the held bios off st->deferred; the mover routes
 * them again at once (remap_reissue(), st->lock still held): a held write
 * to a unit that was pending and has just been relocated goes to the new
 * place, not to the recovery worker a second time.
 *
 * Locking: the lock order is in dm-remap.h.
 */
#include <linux/sched/mm.h>
#include <linux/sort.h>

#include "dm-remap.h"
#include "remap_meta.h"

/* ---- where a bio goes ---- */

/* Operations that put data in a unit: a pending unit must move first. */
static bool remap_op_writes_data(struct bio *bio)
{
	return bio_op(bio) == REQ_OP_WRITE ||
	       bio_op(bio) == REQ_OP_WRITE_ZEROES;
}

/*
 * Route a bio that starts in logical unit @first and covers @units units.
 * If the bio starts in a unit that is not normal (for its operation), it is
 * cut to that unit (in map context: remap_gate_route is called from map
 * and, for bios already cut to one unit, from remap_reissue) and
 * REMAP_ROUTE_HELD (put on st->deferred), _DIVERT or _FAIL is returned.
 * Otherwise *units is shortened so that the piece stops short of the first
 * unit that is not normal, and REMAP_ROUTE_ON is returned.
 */
enum remap_route remap_gate_route(struct remap_state *st, struct bio *bio,
				  sector_t offset, u64 first, u64 *units)
{
	enum remap_route route = REMAP_ROUTE_ON;
	unsigned long flags;
	sector_t len;
	u64 u, w;

	spin_lock_irqsave(&st->move_lock, flags);
	u = remap_uset_first_in(st->moving, st->nr_moving, first, *units);
	if (u != U64_MAX)
		route = REMAP_ROUTE_HELD;
	if (op_is_write(bio_op(bio))) {
		w = remap_uset_first_in(st->doubt, st->nr_doubt, first, *units);
		if (w < u) {
			u = w;
			route = REMAP_ROUTE_FAIL;
		}
	}
	if (remap_op_writes_data(bio)) {
		w = remap_uset_first_in(st->pending, st->nr_pending, first,
				      *units);
		if (w < u) {
			u = w;
			route = REMAP_ROUTE_DIVERT;
		}
	}
	if (route != REMAP_ROUTE_ON && u != first) {
		*units = u - first;
		route = REMAP_ROUTE_ON;
	}
	if (route != REMAP_ROUTE_ON) {
		len = ((sector_t)(first + 1) << st->unit_shift) - offset;
		if (len < bio_sectors(bio))
			dm_accept_partial_bio(bio, len);
		if (route == REMAP_ROUTE_HELD)
			bio_list_add(&st->deferred, bio);
	}
	spin_unlock_irqrestore(&st->move_lock, flags);
	return route;
}

/* ---- moves ---- */

/*
 * Hold new I/O to @lunits (sorted, at most st->move_batch) and wait for the
 * I/O mapped before the mark could be seen (every bio that may touch a
 * remapped or moving unit holds io_srcu).  Until remap_gate_end(), the
 * task allocates as GFP_NOIO: the held bios may be what reclaim waits for.
 */
void remap_gate_start(struct remap_state *st, const u64 *lunits,
		      unsigned int nr)
{
	lockdep_assert_held(&st->lock);
	st->move_noio = memalloc_noio_save();
	spin_lock_irq(&st->move_lock);
	memcpy(st->moving, lunits, nr * sizeof(*lunits));
	WRITE_ONCE(st->nr_moving, nr);
	spin_unlock_irq(&st->move_lock);
	synchronize_srcu(&st->io_srcu);
}

/*
 * The move is over; the moving units become what @to says, and the bios
 * held meanwhile are handed to the caller in @held, which routes them again
 * at once (remap_reissue()) with st->lock still held.  Returns true when
 * the pending set changed (the caller commits it after the reissue:
 * remap_pending_commit()).
 */
bool remap_gate_end(struct remap_state *st, enum remap_gate_end to,
		    struct bio_list *held)
{
	bool pending_changed = false;
	unsigned int i;

	lockdep_assert_held(&st->lock);
	spin_lock_irq(&st->move_lock);
	for (i = 0; i < st->nr_moving; i++) {
		u64 u = st->moving[i];

		switch (to) {
		case REMAP_GATE_STAYED:
			break;
		case REMAP_GATE_MOVED:
			if (remap_uset_del(st->pending, &st->nr_pending, u))
				pending_changed = true;
			break;
		case REMAP_GATE_PENDING:
			if (!remap_uset_has(st->pending, st->nr_pending, u)) {
				if (remap_uset_add(st->pending, &st->nr_pending,
						 REMAP_MAX_PENDING, u))
					pending_changed = true;
				else
					st->pending_full = true;
			}
			break;
		case REMAP_GATE_DOUBT:
			/* Room for a batch: one failed commit, then no more. */
			WARN_ON_ONCE(!remap_uset_add(st->doubt, &st->nr_doubt,
						   st->move_batch, u));
			break;
		}
	}
	/* Pairs with smp_load_acquire() in remap_gate_busy(). */
	smp_store_release(&st->nr_moving, 0);
	*held = st->deferred;
	bio_list_init(&st->deferred);
	spin_unlock_irq(&st->move_lock);
	memalloc_noio_restore(st->move_noio);
	return pending_changed;
}

/*
 * Hand @bio (failed with a media error, or a write the gate diverted) to
 * the recovery worker, as it was when mapped.
 */
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

/* ---- the pending set ---- */

/* Is @lunit in @set (one of st's gate sets)? */
static bool remap_gate_has(struct remap_state *st, const u64 *set,
			   const unsigned int *nr, u64 lunit)
{
	unsigned long flags;
	bool r;

	spin_lock_irqsave(&st->move_lock, flags);
	r = remap_uset_has(set, *nr, lunit);
	spin_unlock_irqrestore(&st->move_lock, flags);
	return r;
}

/* The first pending unit in [first, first + n), or U64_MAX. */
u64 remap_first_pending(struct remap_state *st, u64 first, u64 n)
{
	unsigned long flags;
	u64 u;

	spin_lock_irqsave(&st->move_lock, flags);
	u = remap_uset_first_in(st->pending, st->nr_pending, first, n);
	spin_unlock_irqrestore(&st->move_lock, flags);
	return u;
}

bool remap_is_pending(struct remap_state *st, u64 lunit)
{
	return remap_gate_has(st, st->pending, &st->nr_pending, lunit);
}

bool remap_is_doubt(struct remap_state *st, u64 lunit)
{
	return remap_gate_has(st, st->doubt, &st->nr_doubt, lunit);
}

/*
 * Write the pending set to the metadata.  st->lock is held: the set only
 * changes with it held, so it stays still while it is written.
 */
int remap_pending_commit(struct remap_state *st)
{
	int r;

	lockdep_assert_held(&st->lock);
	if (!st->meta)
		return 0;
	r = remap_meta_set_pending(st->meta, st->pending, st->nr_pending);
	return r == -EROFS ? 0 : r;	/* read-only already: memory only */
}

