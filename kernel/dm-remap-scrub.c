// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-scrub.c - the scrubber: a drive's background media scan.
 *
 * "scrub start" reads every unit of a range, in logical order, where it
 * lives: a unit that is not remapped on the main device, a remapped one on
 * its spare unit.  Reads go to the underlying devices (a bio of the
 * scrubber's own, never through the mapped device), so what the scrubber
 * finds never fails a user's I/O and is not counted as a user's error.
 * Units are read in runs (REMAP_SCRUB_RUN_BYTES, one read in flight) of
 * units that share a place (remap_index_run); a run whose read fails or is
 * slow is read again unit by unit, so that a finding is always one unit's.
 *
 * A finding is handled as the error path handles a failed user read
 * (dm-remap-recover.c), under st->lock: the unit is held in the gate
 * first, then read again (up to read_retries times), so that the data a
 * relocation carries is what the unit holds and no user write can land in
 * between (issue 12, defect 2):
 *
 *  - a unit whose read failed and that reads on a retry is relocated with
 *    exactly that data (scrub_relocated); on the spare device its old spare
 *    unit is retired and a spare error counted;
 *  - a unit that never reads becomes pending, on either device (a later
 *    write relocates it; a read of it fails as it would have): nothing is
 *    zero-filled on a guess (scrub_pending);
 *  - a unit on the main device whose own read took longer than
 *    scrub_slow_ms is weak: relocated while it still reads (scrub_weak).
 *    A slow spare unit is only logged: a spare unit is retired only for an
 *    error (DESIGN.md, invariant 7);
 *  - a pending unit that reads again is relocated with its data, and is
 *    pending no more.
 *
 * Manners: a token bucket caps the rate at scrub_rate KiB/s (default 64
 * MiB/s, 0: no cap); while the device maps user I/O (a bio in the last
 * REMAP_SCRUB_IDLE_MS) the rate drops to REMAP_SCRUB_BUSY_RATE.  One read
 * is in flight at a time.  The scrubber is a delayed work on its own
 * queue, one step a run; presuspend stops it (the table's devices may be
 * replaced) and resume starts it again where it was.
 *
 * A pass first reads both copies of every metadata block the table uses
 * and rewrites a copy that fails its read or checksum, or is not what was
 * committed, from the other copy, or from memory for the superblock and
 * the pending list (remap_meta_scrub()); then the units.
 * A scrub that goes on from its checkpoint (a new device) scrubs the
 * metadata again first (it is small).
 *
 * Persistence: the position, state and counters are checkpointed in the
 * superblock (remap_save_counters(); docs/metadata-format.md, "Scrub
 * checkpoint") at every change of state, after every finding, at the end
 * of a pass, at presuspend, and every REMAP_SCRUB_CKPT_MS while the
 * position moves; a new state (a table load after the device's removal
 * or a reboot) goes on from there, a paused scrub stays paused.  A crash
 * loses at most the progress of the last REMAP_SCRUB_CKPT_MS (those units
 * are read again).  A volatile table keeps them across reloads only.
 *
 * Locking: st->scrub.ctl orders messages, presuspend and resume; the work
 * takes st->scrub.lock (a leaf) to read and move the position, and
 * st->lock for a finding, like the recovery worker.
 */
#include <linux/slab.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/timekeeping.h>

#include "dm-remap.h"

/* KiB/s while user I/O is active. */
#define REMAP_SCRUB_BUSY_RATE 1024U
/* The device is busy if it mapped a bio this recently. */
#define REMAP_SCRUB_IDLE_MS 500U
/* Reading credit an idle bucket keeps (at the rate's pace). */
#define REMAP_SCRUB_BURST_MS 100U

static const char *remap_scrub_name(struct remap_state *st)
{
	return dm_device_name(st->md);
}

/*
 * Read @count sectors at @sector of @bdev into @buf (kmalloc'ed or
 * vmalloc'ed), with a bio of our own so that the error is the device's
 * (dm-io reports every error as -EIO; a media error and a transport error
 * are told apart here as in the error path).
 */
static int remap_scrub_read(struct remap_state *st, struct block_device *bdev,
			    sector_t sector, sector_t count, u8 *buf)
{
	unsigned int bytes = count << SECTOR_SHIFT, off, n;
	bool vm = is_vmalloc_addr(buf);
	struct bio *bio;
	int r;

	bio = bio_alloc_bioset(bdev, DIV_ROUND_UP(bytes, PAGE_SIZE),
			       REQ_OP_READ | REQ_SYNC, GFP_NOIO, &st->bs);
	if (!bio)
		return -ENOMEM;
	bio->bi_iter.bi_sector = sector;
	for (off = 0; off < bytes; off += n) {
		u8 *p = buf + off;
		struct page *page = vm ? vmalloc_to_page(p) : virt_to_page(p);

		n = min_t(unsigned int, bytes - off,
			  PAGE_SIZE - offset_in_page(p));
		if (bio_add_page(bio, page, n, offset_in_page(p)) != n) {
			bio_put(bio);
			return -ENOMEM;
		}
	}
	if (vm)
		flush_kernel_vmap_range(buf, bytes);
	r = submit_bio_wait(bio);
	if (vm)
		invalidate_kernel_vmap_range(buf, bytes);
	bio_put(bio);
	return r;
}

/*
 * Only a writable table scrubs: a finding writes (a relocation, a pending
 * unit, the checkpoint).  A read-only table loaded on metadata whose
 * checkpoint says running keeps it as it is.
 */
static bool remap_scrub_writable(struct remap_c *rc)
{
	return dm_table_get_mode(rc->ti->table) & REMAP_MODE_WRITE;
}

/* Was the read that took @ns slow (scrub_slow_ms)? */
static bool remap_scrub_slow(struct remap_scrub *sc, s64 ns)
{
	unsigned int ms = READ_ONCE(sc->slow_ms);

	return ms && ns > (s64)ms * NSEC_PER_MSEC;
}

/*
 * Has the device mapped user I/O since REMAP_SCRUB_IDLE_MS before the step
 * that began at @began?  Counting from the step's start, not its end: a
 * long step (a finding, a slow read, or a CPU the step kept busy) must not
 * make a busy device look idle.
 */
static bool remap_scrub_busy(struct remap_scrub *sc, unsigned long began)
{
	return time_before(began, READ_ONCE(sc->last_io) +
			   msecs_to_jiffies(REMAP_SCRUB_IDLE_MS));
}

/*
 * The token bucket: @bytes were just read by the step that began at
 * @began (jiffies); how long (jiffies) to wait before the next read.  sc->next is when the bytes read so far would have
 * been read at the rate; it never lags now by more than a burst.
 */
static unsigned long remap_scrub_delay(struct remap_scrub *sc, u64 bytes,
				       unsigned long began)
{
	unsigned int kib = READ_ONCE(sc->rate);
	ktime_t now = ktime_get(), floor;

	if (remap_scrub_busy(sc, began))
		kib = kib ? min(kib, REMAP_SCRUB_BUSY_RATE) :
			    REMAP_SCRUB_BUSY_RATE;
	if (!kib) {
		sc->next = now;
		return 0;
	}
	floor = ktime_sub_ms(now, REMAP_SCRUB_BURST_MS);
	if (ktime_before(sc->next, floor))
		sc->next = floor;
	sc->next = ktime_add_ns(sc->next, div64_u64(bytes * NSEC_PER_SEC,
						    (u64)kib << 10));
	if (!ktime_after(sc->next, now))
		return 0;
	return nsecs_to_jiffies(ktime_to_ns(ktime_sub(sc->next, now)));
}

/* Why the scan looks closer at a unit. */
enum remap_scrub_why {
	REMAP_SCRUB_FAILED,	/* its own read failed with a media error */
	REMAP_SCRUB_SLOW,	/* its own read took longer than slow_ms */
	REMAP_SCRUB_PENDING,	/* it is pending: does it read again? */
};

/* Log a finding that is left in place (rate limited). */
static void remap_scrub_log(struct remap_state *st, sector_t first,
			    sector_t last, const char *what)
{
	DMWARN_LIMIT("%s: scrub: sectors %llu-%llu %s",
		     remap_scrub_name(st), (unsigned long long)first,
		     (unsigned long long)last, what);
}

/*
 * A finding: hold @lunit in the gate, as the recovery worker holds a unit
 * whose read failed, check it still lives where the scan read it
 * (@on_spare, @sunit), read it again (up to read_retries times) and act on
 * what that read says.  Runs with st->lock, like the recovery worker.
 * Returns whether anything changed (a table event is due).
 */
static bool remap_scrub_finding(struct remap_c *rc, u64 lunit, bool on_spare,
				u64 sunit, enum remap_scrub_why why)
{
	struct remap_state *st = rc->st;
	struct remap_scrub *sc = &st->scrub;
	unsigned int tries = max(READ_ONCE(rc->read_retries), 1U), i, noio;
	sector_t first = (sector_t)lunit << st->unit_shift;
	sector_t last = first + remap_unit_len(rc, lunit) - 1;
	sector_t span = remap_unit_span(rc, lunit), at;
	bool failed = why == REMAP_SCRUB_FAILED, was_pending, here, move;
	bool changed = false;
	struct block_device *bdev;
	u64 before[REMAP_CTR_NR], now_sunit = 0;
	int r = -EIO, moved, j;

	/* auto_remap off: the target moves nothing on its own; say so. */
	if (!READ_ONCE(rc->auto_remap)) {
		if (why != REMAP_SCRUB_PENDING)
			remap_scrub_log(st, first, last, why == REMAP_SCRUB_SLOW ?
					"read slowly (auto_remap off: left in place)" :
					"failed a read (auto_remap off: left in place)");
		return false;
	}
	mutex_lock(&st->lock);
	noio = memalloc_noio_save();
	for (j = 0; j < REMAP_CTR_NR; j++)
		before[j] = atomic64_read(&st->counters[j]);
	/* Its place is in doubt: only a new table may touch it. */
	if (remap_is_doubt(st, lunit))
		goto out;
	was_pending = remap_is_pending(st, lunit);
	remap_gate_start(st, &lunit, 1);
	here = remap_table_where(st, lunit, &now_sunit) == on_spare &&
	       (!on_spare || now_sunit == sunit);
	if (!here) {
		/* It moved since the scan read it: the new place is fine. */
		remap_unit_end(st, REMAP_GATE_STAYED);
		goto out;
	}
	bdev = on_spare ? rc->spare->bdev : rc->main->bdev;
	at = on_spare ? remap_unit_to_spare(st, sunit) :
			remap_unit_to_main(st, lunit);
	for (i = 0; i < tries; i++) {
		r = remap_scrub_read(st, bdev, at, span, sc->buf);
		if (!r || !remap_is_media_errno(r))
			break;
		failed = true;
	}
	if (failed && on_spare)
		remap_count(st, REMAP_CTR_SPARE_ERRORS, 1);

	/*
	 * It reads now.  Move it, with what was just read, if a read of it
	 * failed, if it was pending, or if it is a slow main unit (weak); a
	 * slow spare unit stays (a spare unit is retired for errors only).
	 */
	move = failed || why == REMAP_SCRUB_PENDING || !on_spare;
	if (!r && !move) {
		remap_unit_end(st, REMAP_GATE_STAYED);
		remap_scrub_log(st, first, last, "read slowly from the spare device (left in place)");
	} else if (!r) {
		moved = remap_relocate_held(rc, lunit, sc->buf);
		remap_unit_done(st, moved);
		changed = true;
		if (moved) {
			DMERR_LIMIT("%s: scrub: sectors %llu-%llu %s, but could not be relocated: %d",
				    remap_scrub_name(st),
				    (unsigned long long)first,
				    (unsigned long long)last,
				    why == REMAP_SCRUB_SLOW && !failed ?
				    "read slowly" : "failed a read", moved);
		} else if (why == REMAP_SCRUB_SLOW && !failed) {
			atomic64_inc(&sc->weak);
			remap_scrub_log(st, first, last, "read slowly (weak): relocated with their data");
		} else {
			atomic64_inc(&sc->relocated);
			remap_scrub_log(st, first, last, why == REMAP_SCRUB_PENDING && !failed ?
					"were pending and read again: relocated with their data" :
					"failed a read and then read: relocated with their data");
		}
	} else if (remap_is_media_errno(r)) {
		/* Unreadable: pending until written, as for a user's read. */
		remap_unit_end(st, REMAP_GATE_PENDING);
		if (!remap_is_pending(st, lunit)) {
			changed = true;
			DMERR_LIMIT("%s: scrub: pending list full; sectors %llu-%llu not recorded",
				    remap_scrub_name(st),
				    (unsigned long long)first,
				    (unsigned long long)last);
		} else if (!was_pending) {
			changed = true;
			atomic64_inc(&sc->pending);
			DMERR_LIMIT("%s: scrub: sectors %llu-%llu unreadable after %u retries; pending until written",
				    remap_scrub_name(st),
				    (unsigned long long)first,
				    (unsigned long long)last, tries);
		}
	} else {
		remap_unit_end(st, REMAP_GATE_STAYED);
		DMERR_LIMIT("%s: scrub: reading sectors %llu-%llu failed: %d",
			    remap_scrub_name(st), (unsigned long long)first,
			    (unsigned long long)last, r);
	}
out:
	for (j = 0; j < REMAP_CTR_NR; j++)
		if (atomic64_read(&st->counters[j]) != before[j])
			break;
	if (j < REMAP_CTR_NR) {
		remap_save_counters(st);
		changed = true;
	}
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
	return changed;
}

/*
 * Scan the run of units that starts at unit @first (no further than unit
 * @last): read it, and look closer at each unit if that read failed or was
 * slow.  Returns the units scanned; *bytes, what was read.
 */
static u64 remap_scrub_run(struct remap_c *rc, u64 first, u64 last,
			   u64 *bytes, bool *changed)
{
	struct remap_state *st = rc->st;
	struct remap_scrub *sc = &st->scrub;
	u64 units = min_t(u64, last - first + 1,
			  max_t(u64, 1, (REMAP_SCRUB_RUN_BYTES >> SECTOR_SHIFT)
				>> st->unit_shift));
	u64 sunit = 0, p, u;
	struct remap_table *t;
	struct block_device *bdev;
	bool spare = false, slow;
	sector_t at, len;
	ktime_t t0;
	int idx, r;

	/* A pending unit is a finding of its own: does it read again? */
	if (READ_ONCE(st->nr_pending)) {
		p = remap_first_pending(st, first, units);
		if (p == first)
			units = 1;
		else if (p != U64_MAX)
			units = p - first;
	}
	idx = srcu_read_lock(&st->io_srcu);
	t = srcu_dereference(st->table, &st->io_srcu);
	if (t)
		units = remap_index_run(t->e, t->nr, first, units, &spare,
					&sunit);
	srcu_read_unlock(&st->io_srcu, idx);

	if (units == 1 && remap_is_pending(st, first)) {
		*changed |= remap_scrub_finding(rc, first, spare, sunit,
						REMAP_SCRUB_PENDING);
		*bytes = 0;
		return 1;
	}

	bdev = spare ? rc->spare->bdev : rc->main->bdev;
	at = spare ? remap_unit_to_spare(st, sunit) :
		     remap_unit_to_main(st, first);
	len = min_t(sector_t, units << st->unit_shift,
		    rc->ti->len - ((sector_t)first << st->unit_shift));
	*bytes = (u64)len << SECTOR_SHIFT;
	t0 = ktime_get();
	r = remap_scrub_read(st, bdev, at, len, sc->buf);
	slow = remap_scrub_slow(sc, ktime_to_ns(ktime_sub(ktime_get(), t0)));
	if (!r && !slow)
		return units;
	if (r && !remap_is_media_errno(r)) {
		DMERR_LIMIT("%s: scrub: reading sectors %llu-%llu failed: %d; skipped",
			    remap_scrub_name(st),
			    (unsigned long long)first << st->unit_shift,
			    (unsigned long long)(first << st->unit_shift) + len - 1,
			    r);
		return units;
	}
	if (r) {
		atomic64_inc(&sc->read_errors);
		*changed = true;
	}
	if (units == 1) {
		*changed |= remap_scrub_finding(rc, first, spare, sunit, r ?
						REMAP_SCRUB_FAILED :
						REMAP_SCRUB_SLOW);
		return 1;
	}
	/* Which unit was it?  Each alone. */
	for (u = 0; u < units; u++) {
		len = remap_unit_len(rc, first + u);
		*bytes += (u64)len << SECTOR_SHIFT;
		t0 = ktime_get();
		r = remap_scrub_read(st, bdev, at + (u << st->unit_shift), len,
				     sc->buf);
		slow = remap_scrub_slow(sc, ktime_to_ns(ktime_sub(ktime_get(),
								   t0)));
		if (r && remap_is_media_errno(r)) {
			atomic64_inc(&sc->read_errors);
			*changed = true;
			*changed |= remap_scrub_finding(rc, first + u, spare,
							sunit + u,
							REMAP_SCRUB_FAILED);
		} else if (!r && slow) {
			*changed |= remap_scrub_finding(rc, first + u, spare,
							sunit + u,
							REMAP_SCRUB_SLOW);
		}
		cond_resched();
	}
	return units;
}

/*
 * One step of the metadata's scrub (persistent tables): a few blocks, both
 * copies, under st->lock, so that no commit writes them meanwhile
 * (remap_meta_scrub()).  Returns 1 while blocks remain, 0 when they are
 * done, or -EBUSY when st->lock is held (a move) and !@wait: the units go
 * first then, and the metadata is tried again at the next step.
 */
static int remap_scrub_meta(struct remap_state *st, bool wait, u64 *bytes,
			    bool *changed)
{
	struct remap_scrub *sc = &st->scrub;
	unsigned int noio;
	u64 repaired = 0;
	int r;

	if (!st->meta)
		return 0;
	if (wait)
		mutex_lock(&st->lock);
	else if (!mutex_trylock(&st->lock))
		return -EBUSY;
	noio = memalloc_noio_save();
	r = remap_meta_scrub(st->meta, &sc->meta_pos, sc->buf, sc->buf_len,
			     bytes, &repaired);
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
	if (repaired) {
		atomic64_add(repaired, &sc->meta_repaired);
		*changed = true;
	}
	if (r < 0)
		DMERR_LIMIT("%s: scrub: metadata scrub stopped: %d",
			    remap_scrub_name(st), r);
	return r > 0;
}

/* One step of a running scrub: one run, then the next step is queued. */
void remap_scrub_work(struct work_struct *work)
{
	struct remap_scrub *sc = container_of(to_delayed_work(work),
					      struct remap_scrub, work);
	struct remap_state *st = container_of(sc, struct remap_state, scrub);
	struct remap_c *rc;
	u64 first, last, units = 0, bytes = 0, epoch;
	sector_t pos, end, start = 0;
	unsigned long delay, began = jiffies;
	bool done = false, changed = false, meta_left;
	int r;

	spin_lock_irq(&sc->lock);
	rc = sc->rc;
	pos = sc->pos;
	end = sc->end;
	epoch = sc->epoch;
	if (sc->state != REMAP_SCRUB_RUNNING || !rc || !sc->buf) {
		spin_unlock_irq(&sc->lock);
		return;
	}
	spin_unlock_irq(&sc->lock);

	/*
	 * The metadata first, both copies (before this step's checkpoint
	 * writes the superblock over whatever its copies held), then the
	 * units; while a move holds st->lock, units meanwhile.
	 */
	r = -EBUSY;
	if (!sc->meta_done) {
		r = remap_scrub_meta(st, pos >= end, &bytes, &changed);
		if (r != -EBUSY)
			sc->meta_done = !r;
	}
	meta_left = !sc->meta_done;
	if (r == -EBUSY && pos < end) {
		first = pos >> st->unit_shift;
		last = (end - 1) >> st->unit_shift;
		units = remap_scrub_run(rc, first, last, &bytes, &changed);
		pos = min_t(sector_t, (first + units) << st->unit_shift, end);
	}
	delay = remap_scrub_delay(sc, bytes, began);

	spin_lock_irq(&sc->lock);
	/* A cancel or a new start meanwhile: this step's place is not it. */
	if (sc->epoch == epoch) {
		sc->pos = max(sc->pos, pos);
		if (sc->pos >= sc->end && !meta_left) {
			done = true;
			sc->state = REMAP_SCRUB_IDLE;
			WRITE_ONCE(sc->active, false);
			sc->passes++;
			sc->last_pass_end = ktime_get_real_seconds();
			start = sc->start;
			end = sc->end;
		} else if (sc->state == REMAP_SCRUB_RUNNING && sc->rc) {
			queue_delayed_work(sc->wq, &sc->work, delay);
		}
	}
	spin_unlock_irq(&sc->lock);
	if (done)
		DMINFO("%s: scrub of sectors %llu-%llu done: %lld read errors, %lld relocated, %lld weak, %lld pending so far",
		       remap_scrub_name(st), (unsigned long long)start,
		       (unsigned long long)end - 1,
		       atomic64_read(&sc->read_errors),
		       atomic64_read(&sc->relocated),
		       atomic64_read(&sc->weak), atomic64_read(&sc->pending));
	/*
	 * The checkpoint: at the end of a pass, after a finding, and at
	 * least every REMAP_SCRUB_CKPT_MS while the position moves.
	 */
	if (done || changed || xchg(&sc->ckpt_now, false) ||
	    time_after(jiffies, sc->ckpt_at +
		       msecs_to_jiffies(REMAP_SCRUB_CKPT_MS)))
		remap_scrub_checkpoint(st);
	/* rc stays valid: presuspend waits for this step. */
	if (done || changed)
		dm_table_event(rc->ti->table);
}

/*
 * Start the work if it may run (sc->lock held).  map() notes I/O times only
 * while a scrub runs, so the scrubber starts as if the device were busy:
 * it goes faster only once it has been idle for REMAP_SCRUB_IDLE_MS.
 */
static void remap_scrub_kick(struct remap_scrub *sc)
{
	lockdep_assert_held(&sc->lock);
	WRITE_ONCE(sc->last_io, jiffies);
	WRITE_ONCE(sc->active, sc->state == REMAP_SCRUB_RUNNING);
	if (sc->state == REMAP_SCRUB_RUNNING && sc->rc)
		queue_delayed_work(sc->wq, &sc->work, 0);
}

/* "scrub start [<first> <nr>]": @m's range, widened to whole units. */
static int remap_scrub_start(struct remap_c *rc, const struct remap_msg *m)
{
	struct remap_state *st = rc->st;
	struct remap_scrub *sc = &st->scrub;
	size_t len = max_t(size_t, REMAP_SCRUB_RUN_BYTES,
			   (size_t)st->unit_sectors << SECTOR_SHIFT);
	sector_t mask = st->unit_sectors - 1;
	unsigned int state = READ_ONCE(sc->state);

	if (!remap_scrub_writable(rc)) {
		DMERR("%s: scrub start: the table is read-only",
		      remap_scrub_name(st));
		return -EROFS;
	}
	if (state != REMAP_SCRUB_IDLE) {
		DMERR("%s: scrub start: a scrub is %s (scrub cancel first%s)",
		      remap_scrub_name(st), remap_scrub_state_str(state),
		      state == REMAP_SCRUB_PAUSED ? ", or scrub resume" : "");
		return -EBUSY;
	}
	if (!sc->buf) {
		sc->buf = kvmalloc(len, GFP_KERNEL);
		if (!sc->buf)
			return -ENOMEM;
		sc->buf_len = len;
	}
	spin_lock_irq(&sc->lock);
	sc->start = m->sector & ~mask;
	sc->pos = sc->start;
	sc->end = min_t(sector_t, (m->sector + m->nr_sectors + mask) & ~mask,
			rc->ti->len);
	sc->epoch++;
	sc->meta_pos = 0;
	sc->meta_done = false;
	sc->ckpt_now = true;
	sc->state = REMAP_SCRUB_RUNNING;
	sc->next = ktime_get();
	remap_scrub_kick(sc);
	spin_unlock_irq(&sc->lock);
	DMINFO("%s: scrub of sectors %llu-%llu started",
	       remap_scrub_name(st), (unsigned long long)sc->start,
	       (unsigned long long)sc->end - 1);
	return 0;
}

/* pause, resume, cancel: from the state @from to @to, or refused. */
static int remap_scrub_change(struct remap_state *st, const char *verb,
			      unsigned int from, unsigned int to)
{
	struct remap_scrub *sc = &st->scrub;
	unsigned int state;

	spin_lock_irq(&sc->lock);
	state = sc->state;
	if (from == REMAP_SCRUB_IDLE ? state == REMAP_SCRUB_IDLE :
				       state != from) {
		spin_unlock_irq(&sc->lock);
		DMERR("%s: scrub %s: no %sscrub to %s (the scrub is %s)",
		      remap_scrub_name(st), verb,
		      from == REMAP_SCRUB_RUNNING ? "running " :
		      from == REMAP_SCRUB_PAUSED ? "paused " : "", verb,
		      remap_scrub_state_str(state));
		return -EINVAL;
	}
	sc->state = to;
	if (to == REMAP_SCRUB_IDLE)
		sc->epoch++;
	/* A resumed scrub's first step writes the checkpoint. */
	sc->ckpt_now = to == REMAP_SCRUB_RUNNING;
	remap_scrub_kick(sc);
	spin_unlock_irq(&sc->lock);
	/* Paused or cancelled: no scrub read is in flight once we return. */
	if (to != REMAP_SCRUB_RUNNING)
		cancel_delayed_work_sync(&sc->work);
	return 0;
}

int remap_scrub_message(struct remap_c *rc, const struct remap_msg *m)
{
	struct remap_state *st = rc->st;
	struct remap_scrub *sc = &st->scrub;
	int r = -EINVAL;

	switch (m->op) {
	case REMAP_MSG_SCRUB_RATE:
		/*
		 * At once: a step waiting out the old rate (at 1 KiB/s a run
		 * is 128 s of it) starts again with the new one.
		 */
		spin_lock_irq(&sc->lock);
		WRITE_ONCE(sc->rate, m->value);
		sc->next = ktime_get();
		if (sc->state == REMAP_SCRUB_RUNNING && sc->rc)
			mod_delayed_work(sc->wq, &sc->work, 0);
		spin_unlock_irq(&sc->lock);
		return 0;
	case REMAP_MSG_SCRUB_SLOW_MS:
		WRITE_ONCE(sc->slow_ms, m->value);
		return 0;
	default:
		break;
	}
	mutex_lock(&sc->ctl);
	switch (m->value) {
	case REMAP_SCRUB_START:
		r = remap_scrub_start(rc, m);
		break;
	case REMAP_SCRUB_PAUSE:
		r = remap_scrub_change(st, "pause", REMAP_SCRUB_RUNNING,
				       REMAP_SCRUB_PAUSED);
		break;
	case REMAP_SCRUB_RESUME:
		r = remap_scrub_change(st, "resume", REMAP_SCRUB_PAUSED,
				       REMAP_SCRUB_RUNNING);
		break;
	case REMAP_SCRUB_CANCEL:
		r = remap_scrub_change(st, "cancel", REMAP_SCRUB_IDLE,
				       REMAP_SCRUB_IDLE);
		break;
	}
	/*
	 * A pause or a cancel is in the checkpoint when the message returns;
	 * a start or a resume, from the scrub's first step (which a move
	 * holding st->lock may delay: the message does not wait for it).
	 */
	if (!r && (m->value == REMAP_SCRUB_PAUSE ||
		   m->value == REMAP_SCRUB_CANCEL))
		remap_scrub_checkpoint(st);
	mutex_unlock(&sc->ctl);
	if (!r)
		dm_table_event(rc->ti->table);
	return r;
}

/*
 * Table @rc is live (resumed, or a suspend of it failed): the scrubber
 * reads through its devices, from where it was, within its length.
 */
void remap_scrub_resume(struct remap_c *rc)
{
	struct remap_scrub *sc = &rc->st->scrub;

	if (!remap_scrub_writable(rc))
		return;
	mutex_lock(&sc->ctl);
	spin_lock_irq(&sc->lock);
	sc->rc = rc;
	if (sc->end > rc->ti->len)
		sc->end = rc->ti->len;
	if (sc->pos > sc->end)
		sc->pos = sc->end;
	remap_scrub_kick(sc);
	spin_unlock_irq(&sc->lock);
	mutex_unlock(&sc->ctl);
}

/*
 * Table @rc goes (presuspend, or its destructor): stop the scrubber if it
 * reads through this table, and wait for its step.  It keeps its place.
 */
void remap_scrub_suspend(struct remap_c *rc)
{
	struct remap_scrub *sc = &rc->st->scrub;
	bool ours;

	mutex_lock(&sc->ctl);
	spin_lock_irq(&sc->lock);
	ours = sc->rc == rc;
	if (ours)
		sc->rc = NULL;
	spin_unlock_irq(&sc->lock);
	if (ours) {
		cancel_delayed_work_sync(&sc->work);
		/* Where it stopped, before the table's devices may go. */
		remap_scrub_checkpoint(rc->st);
	}
	mutex_unlock(&sc->ctl);
}
