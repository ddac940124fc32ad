// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-io.c - the I/O path.
 *
 * Fast path (remap_map): while nothing is remapped and nothing is moving,
 * a bio goes to the main device exactly as dm-linear sends it: one pointer
 * load decides, no lock is taken.  Writes also enter an SRCU read section
 * (a per-CPU counter, no lock) that ends when they complete, so that a
 * data-preserving move can wait for the writes that could race its copy.
 *
 * Slow path (remap_map_slow): the index is searched (lock free, under that
 * SRCU section), and the bio is cut with dm_accept_partial_bio() at the
 * first unit whose fate differs, so each piece goes to one place: the main
 * device, or a run of consecutive spare units.  A piece that touches a
 * unit being moved is cut to that one unit and held (st->deferred) until
 * the move is done; then remap_reissue_deferred() routes it afresh.
 */
#include "dm-remap.h"

static void remap_to_main(struct remap_c *rc, struct bio *bio,
			  sector_t offset)
{
	bio_set_dev(bio, rc->main->bdev);
	bio->bi_iter.bi_sector = rc->st->main_start + offset;
}

static void remap_to_spare(struct remap_c *rc, struct bio *bio, u64 sunit,
			   sector_t offset)
{
	struct remap_state *st = rc->st;

	bio_set_dev(bio, rc->spare->bdev);
	bio->bi_iter.bi_sector = remap_unit_to_spare(st, sunit) +
				 (offset & (st->unit_sectors - 1));
}

/*
 * If the bio starts in a moving unit, cut it to that unit, hold it and
 * return true.  Otherwise limit *units so the piece stops short of the
 * moving units.
 */
static bool remap_hold_if_moving(struct remap_c *rc, struct bio *bio,
				 sector_t offset, u64 first, u64 *units)
{
	struct remap_state *st = rc->st;
	unsigned long flags;
	sector_t len;
	bool held = false;

	spin_lock_irqsave(&st->move_lock, flags);
	if (st->nr_moving && first <= st->move_last &&
	    first + *units - 1 >= st->move_first) {
		if (first >= st->move_first) {
			len = ((sector_t)(first + 1) << st->unit_shift) - offset;
			if (len < bio_sectors(bio))
				dm_accept_partial_bio(bio, len);
			bio_list_add(&st->deferred, bio);
			held = true;
		} else {
			*units = st->move_first - first;
		}
	}
	spin_unlock_irqrestore(&st->move_lock, flags);
	return held;
}

static int remap_map_slow(struct remap_c *rc, struct bio *bio,
			  struct remap_io *io)
{
	struct remap_state *st = rc->st;
	sector_t offset = dm_target_offset(rc->ti, bio->bi_iter.bi_sector);
	sector_t nr = bio_sectors(bio);
	u64 first = offset >> st->unit_shift;
	u64 units = ((offset + nr - 1) >> st->unit_shift) - first + 1;
	struct remap_table *t;
	bool remapped = false;
	u64 sunit = 0;
	sector_t len;

	/*
	 * Look at moves before the index: a move publishes its new index
	 * before it clears nr_moving, so seeing no move here means seeing
	 * the index it left behind.
	 */
	if (smp_load_acquire(&st->nr_moving)) {
		io->rc = rc;
		if (remap_hold_if_moving(rc, bio, offset, first, &units)) {
			srcu_up_read(&st->io_srcu, io->srcu_idx);
			io->srcu_idx = -1;
			return DM_MAPIO_SUBMITTED;
		}
	}

	t = srcu_dereference(st->table, &st->io_srcu);
	if (t)
		units = remap_index_run(t->e, t->nr, first, units, &remapped,
					&sunit);

	len = ((sector_t)(first + units) << st->unit_shift) - offset;
	if (len < nr)
		dm_accept_partial_bio(bio, len);
	if (remapped)
		remap_to_spare(rc, bio, sunit, offset);
	else
		remap_to_main(rc, bio, offset);
	return DM_MAPIO_REMAPPED;
}

int remap_map(struct dm_target *ti, struct bio *bio)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;
	struct remap_io *io = dm_per_bio_data(bio, sizeof(*io));

	io->srcu_idx = -1;
	if (unlikely(!bio_sectors(bio))) {
		/* An empty flush, sent once to each device: num_flush_bios. */
		bio_set_dev(bio, dm_bio_get_target_bio_nr(bio) ?
				 rc->spare->bdev : rc->main->bdev);
		return DM_MAPIO_REMAPPED;
	}

	if (op_is_write(bio_op(bio)))
		io->srcu_idx = srcu_down_read(&st->io_srcu);

	if (likely(!rcu_access_pointer(st->table) &&
		   !READ_ONCE(st->nr_moving))) {
		remap_to_main(rc, bio, dm_target_offset(ti,
							bio->bi_iter.bi_sector));
		return DM_MAPIO_REMAPPED;
	}

	if (io->srcu_idx < 0)
		io->srcu_idx = srcu_down_read(&st->io_srcu);
	return remap_map_slow(rc, bio, io);
}

int remap_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct remap_c *rc = ti->private;
	struct remap_io *io = dm_per_bio_data(bio, sizeof(*io));

	if (io->srcu_idx >= 0)
		srcu_up_read(&rc->st->io_srcu, io->srcu_idx);
	return DM_ENDIO_DONE;
}

/*
 * Send the bios held during a move, now that it is over.  Each lies within
 * one unit, so it goes to one place without being cut again.  Called with
 * st->lock held, so no other move can start meanwhile.  Each bio is routed
 * by the table that held it (a reload may have happened meanwhile).
 */
void remap_reissue_deferred(struct remap_state *st, struct bio_list *bios)
{
	struct remap_table *t;
	struct remap_io *io;
	struct remap_c *rc;
	struct bio *bio;
	sector_t offset;
	u64 sunit;

	while ((bio = bio_list_pop(bios))) {
		io = dm_per_bio_data(bio, sizeof(*io));
		rc = io->rc;
		io->srcu_idx = srcu_down_read(&st->io_srcu);
		offset = dm_target_offset(rc->ti, bio->bi_iter.bi_sector);
		t = srcu_dereference(st->table, &st->io_srcu);
		if (t && remap_index_lookup(t->e, t->nr,
					    offset >> st->unit_shift, &sunit))
			remap_to_spare(rc, bio, sunit, offset);
		else
			remap_to_main(rc, bio, offset);
		dm_submit_bio_remap(bio, NULL);
	}
}
