// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-io.c - the I/O path.
 *
 * Fast path (remap_map): while the gate holds no unit and the bio touches
 * no group of units the summary (core/remap_summary.h) marks as holding a
 * remapped unit, or nothing is remapped at all, the bio goes to the main
 * device exactly as dm-linear sends it: a few loads decide, no lock is
 * taken, no index is searched.  Writes also enter an SRCU read section
 * (a per-CPU counter, no lock) that ends when they complete, so that a
 * data-preserving move can wait for the writes that could race its copy.
 *
 * Slow path (remap_map_slow): the per-unit gate (dm-remap-gate.c) decides
 * first whether the bio may go on, must wait for a move, goes to the
 * recovery worker (a data write to a pending unit) or fails (a write to a
 * unit in doubt); then the index is searched (lock free, under that SRCU
 * section, which reads take here too), and the bio is cut with
 * dm_accept_partial_bio() at the first unit whose fate differs, so each
 * piece goes to one place: the main device, or a run of consecutive spare
 * units.
 *
 * Error path (remap_end_io): a read or write that failed with a media
 * error is handed to the recovery worker (DM_ENDIO_INCOMPLETE), which
 * retries, remaps and completes it; every mapped bio is recorded with
 * dm_bio_record() so that the worker can see it as it was mapped.
 */
#include "dm-remap.h"

/*
 * The index as a bio holding an io_srcu read section sees it.  The section
 * was entered with srcu_down_read(), which lockdep does not track (it ends
 * in end_io, maybe in another task), so a plain srcu_dereference() would be
 * reported by PROVE_RCU as a use outside any read section.  The bio's
 * srcu_idx is what holds the section.
 */
static struct remap_table *remap_bio_table(struct remap_state *st,
					   struct remap_io *io)
{
	return srcu_dereference_check(st->table, &st->io_srcu,
				      io->srcu_idx >= 0);
}

static void remap_to_main(struct remap_c *rc, struct bio *bio,
			  struct remap_io *io, sector_t offset)
{
	io->where = REMAP_TO_MAIN;
	bio_set_dev(bio, rc->main->bdev);
	bio->bi_iter.bi_sector = rc->st->main_start + offset;
}

static void remap_to_spare(struct remap_c *rc, struct bio *bio,
			   struct remap_io *io, u64 sunit, sector_t offset)
{
	struct remap_state *st = rc->st;

	io->where = REMAP_TO_SPARE;
	io->sunit = sunit;
	bio_set_dev(bio, rc->spare->bdev);
	bio->bi_iter.bi_sector = remap_unit_to_spare(st, sunit) +
				 (offset & (st->unit_sectors - 1));
}

/* Record the bio as mapped, for the error path, when it may need it. */
static void remap_record(struct remap_c *rc, struct bio *bio,
			 struct remap_io *io)
{
	if (READ_ONCE(rc->auto_remap))
		dm_bio_record(&io->details, bio);
}

/*
 * Map a bio that may touch a remapped unit or one the gate holds, with
 * io_srcu held (io->srcu_idx).  Also routes the bios a move held, from
 * remap_reissue(): those lie within one unit and are never cut.
 */
int remap_map_slow(struct remap_c *rc, struct bio *bio, struct remap_io *io)
{
	struct remap_state *st = rc->st;
	sector_t offset = dm_target_offset(rc->ti, bio->bi_iter.bi_sector);
	sector_t nr = bio_sectors(bio);
	u64 first = offset >> st->unit_shift;
	u64 units = ((offset + nr - 1) >> st->unit_shift) - first + 1;
	enum remap_route route;
	struct remap_table *t;
	bool remapped = false;
	u64 sunit = 0;
	sector_t len;

	/*
	 * Look at the gate before the index: a move publishes its new index
	 * before it clears nr_moving, so seeing no move here means seeing
	 * the index it left behind.
	 */
	if (remap_gate_busy(st)) {
		route = remap_gate_route(st, bio, offset, first, &units);
		if (route != REMAP_ROUTE_ON) {
			remap_bio_srcu_exit(st, io);
			if (route == REMAP_ROUTE_FAIL)
				return DM_MAPIO_KILL;
			if (route == REMAP_ROUTE_DIVERT) {
				io->diverted = true;
				dm_bio_record(&io->details, bio);
				remap_recover_queue(st, bio);
			}
			return DM_MAPIO_SUBMITTED;
		}
	}

	t = remap_bio_table(st, io);
	if (t)
		units = remap_index_run(t->e, t->nr, first, units, &remapped,
					&sunit);

	len = ((sector_t)(first + units) << st->unit_shift) - offset;
	if (len < nr)
		dm_accept_partial_bio(bio, len);
	remap_record(rc, bio, io);
	if (remapped)
		remap_to_spare(rc, bio, io, sunit, offset);
	else
		remap_to_main(rc, bio, io, offset);
	return DM_MAPIO_REMAPPED;
}

/*
 * Route the bios the gate held during a move again, now that it is over
 * (remap_gate_end() hands them over).  Each lies
 * within one unit, so remap_map_slow() never cuts it.  Called with
 * st->lock held, so no other move starts meanwhile.  Each bio is routed by
 * the table that held it (a reload may have happened meanwhile), and holds
 * io_srcu like any bio the slow path maps: reads too, since the spare unit
 * they go to must not change hands while they are in flight.
 */
void remap_reissue(struct remap_state *st, struct bio_list *bios)
{
	struct remap_io *io;
	struct bio *bio;

	while ((bio = bio_list_pop(bios))) {
		io = dm_per_bio_data(bio, sizeof(*io));
		remap_bio_srcu_enter(st, io);
		switch (remap_map_slow(io->rc, bio, io)) {
		case DM_MAPIO_REMAPPED:
			dm_submit_bio_remap(bio, NULL);
			break;
		case DM_MAPIO_KILL:
			bio->bi_status = BLK_STS_IOERR;
			bio_endio(bio);
			break;
		default:	/* held again, or with the recovery worker */
			break;
		}
	}
}

int remap_map(struct dm_target *ti, struct bio *bio)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;
	struct remap_io *io = dm_per_bio_data(bio, sizeof(*io));
	sector_t offset;

	io->srcu_idx = -1;
	io->where = REMAP_TO_NONE;
	io->rc = rc;
	io->recovered = false;
	io->diverted = false;
	io->details.bi_bdev = NULL;	/* not recorded */
	remap_scrub_note_io(st);
	if (unlikely(!bio_sectors(bio))) {
		/* An empty flush, sent once to each device: num_flush_bios. */
		bio_set_dev(bio, dm_bio_get_target_bio_nr(bio) ?
				 rc->spare->bdev : rc->main->bdev);
		return DM_MAPIO_REMAPPED;
	}

	if (op_is_write(bio_op(bio)))
		remap_bio_srcu_enter(st, io);

	/*
	 * The gate first (its acquire pairs with the release that ends a
	 * move, which published the index and the summary before), then
	 * the index: empty, or no unit of the bio's in a group the summary
	 * marks.  Such a bio goes to the main device like dm-linear's.  A
	 * read takes no io_srcu section for it: it goes to a main unit that
	 * no spare unit stands for, and a move of that unit copies from the
	 * main device without changing it.
	 */
	offset = dm_target_offset(ti, bio->bi_iter.bi_sector);
	if (likely(!remap_gate_busy(st)) &&
	    (likely(!rcu_access_pointer(st->table)) ||
	     !remap_summary_maybe_groups(&st->summary,
					 offset >> st->summary_sector_shift,
					 (offset + bio_sectors(bio) - 1) >>
					 st->summary_sector_shift))) {
		remap_record(rc, bio, io);
		remap_to_main(rc, bio, io, offset);
		return DM_MAPIO_REMAPPED;
	}

	if (io->srcu_idx < 0)
		remap_bio_srcu_enter(st, io);
	return remap_map_slow(rc, bio, io);
}

/*
 * Errors the error path handles: the device could not read or write those
 * sectors (remap_is_media_errno).  Anything else (unsupported operation,
 * no space, would block, a path or transport failure) says nothing about
 * the medium and goes up.
 */
static bool remap_media_error(struct bio *bio, blk_status_t error)
{
	if (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE)
		return false;
	if (bio->bi_opf & REQ_RAHEAD)
		return false;
	return remap_is_media_errno(blk_status_to_errno(error));
}

int remap_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct remap_c *rc = ti->private;
	struct remap_io *io = dm_per_bio_data(bio, sizeof(*io));

	remap_bio_srcu_exit(rc->st, io);
	if (likely(!*error) || io->recovered || !io->details.bi_bdev ||
	    io->where == REMAP_TO_NONE || !remap_media_error(bio, *error) ||
	    !READ_ONCE(rc->auto_remap))
		return DM_ENDIO_DONE;

	remap_recover_queue(rc->st, bio);
	return DM_ENDIO_INCOMPLETE;
}
