/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-remap: software bad-sector reallocation for device-mapper.
 *
 * Map of the module (a newcomer starts here):
 *   dm-remap-target.c   constructor, destructor, status, device limits
 *   dm-remap-io.c       the I/O path: map() and its fast path, end_io()
 *   dm-remap-gate.c     the per-unit gate: unit states (normal, moving,
 *                       pending, doubt), where a bio goes or waits
 *   dm-remap-state.c    per-device state shared across table reloads,
 *                       and publishing new versions of the remap index
 *   dm-remap-move.c     data-preserving remap/unremap (dm-kcopyd), and
 *                       salvaging the readable part of a failing unit
 *   dm-remap-recover.c  the error path: automatic remapping of units that
 *                       fail on the main or the spare device
 *   dm-remap-scrub.c    the scrubber: reads every unit in the background
 *                       and hands what it finds to the error path's
 *                       relocation, before a user reads it
 *   dm-remap-meta.c     the persistent table; remap_meta_set_slots() is
 *                       the metadata commit; remap_sync_io(), the dm-io
 *                       wrapper
 *   dm-remap-message.c  dmsetup messages
 *   dm-remap-debugfs.c  /sys/kernel/debug/dm_remap/remap_table
 *   ../core/            kernel-agnostic index, allocator, parsers and the
 *                       metadata codec, also built and tested on the host
 *
 * Calls go one way, down this chain (no file calls one above it):
 *   target -> message -> scrub -> move, recover -> io -> gate -> state,
 *   meta -> core
 * (recover calls move's salvage helpers; gate and state both call meta;
 * debugfs calls state; scrub calls recover's relocation).  The target
 * hands the recovery worker's and the scrubber's functions to the state
 * it creates, and the gate hands the bios it held back to the mover, which
 * routes them again through io (remap_reissue), so that neither calls up.
 *
 * Lock order (outermost first):
 *   remap_states_mutex   the list of states (table load and unload only)
 *   st->scrub.ctl        scrub messages, suspend and resume: the scrubber's
 *                        state changes one at a time; its holder may wait
 *                        for the scrub work (cancel_delayed_work_sync),
 *                        which never takes it
 *   st->lock             one change of the index, the pool, the metadata
 *                        or a unit's state at a time; moves, the recovery
 *                        worker and messages hold it throughout, and
 *                        allocate as GFP_NOIO meanwhile (memalloc_noio):
 *                        writes to pending or moving units wait for it
 *   io_srcu              synchronize_srcu() runs under st->lock, so no
 *                        holder of an io_srcu read section (a mapped bio)
 *                        may ever wait for st->lock: the I/O path takes
 *                        only the spinlocks below
 *   st->move_lock        the gate's sets and st->deferred (irq-safe)
 *   st->recover_lock     the recovery worker's queue (irq-safe, a leaf)
 *   st->scrub.lock       the scrubber's position and state (irq-safe, a
 *                        leaf: never held across I/O)
 */
#ifndef DM_REMAP_H
#define DM_REMAP_H

#include <linux/device-mapper.h>
#include <linux/dm-kcopyd.h>
#include <linux/dm-io.h>
#include <linux/bio.h>
#include <linux/workqueue.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/ktime.h>

#include "remap_index.h"
#include "remap_summary.h"
#include "spare_pool.h"
#include "remap_args.h"
#include "remap_meta.h"
#include "remap_status.h"
#include "dm-remap-compat.h"
#include "dm-bio-record.h"

#define DM_MSG_PREFIX "remap"

struct remap_meta;
struct remap_slot_change;

/*
 * Most units moved in one step (st->move_batch): 8192, or 32 MiB of data
 * for large units.  It bounds how long I/O to a moving unit waits, and
 * how often a bulk remap copies the index (once a batch): remapctl
 * import's 64 KiB messages (about 5000 units) are one batch each.
 */
#define REMAP_MOVE_MAX_UNITS 8192U
#define REMAP_MOVE_MAX_BYTES (32U << 20)

/* Spare units tried for one relocation before giving up (spare errors). */
#define REMAP_RELOCATE_TRIES 3


/* Pending units the metadata can hold (one block of 508 entries). */
#define REMAP_MAX_PENDING 508

/*
 * The scrubber (dm-remap-scrub.c); its states (enum remap_scrub_state) are
 * in core/remap_meta.h, since the checkpoint stores them.
 */

/* Most bytes read at once: a run of units sharing a place. */
#define REMAP_SCRUB_RUN_BYTES (128U << 10)
/*
 * A running scrub's checkpoint (the superblock) is written at most this
 * long after its position moved, and at every change of its state.
 */
#define REMAP_SCRUB_CKPT_MS 5000U

/* Default scrub_rate, KiB/s (64 MiB/s); 0 is unthrottled. */
#define REMAP_SCRUB_DEFAULT_RATE 65536U

struct remap_scrub {
	struct mutex ctl;		/* messages, suspend, resume */
	struct workqueue_struct *wq;
	struct delayed_work work;	/* one step: one run of units */
	u8 *buf;			/* a run or a unit: buf_len bytes */
	size_t buf_len;
	ktime_t next;			/* bucket; start, scrub_rate reset it */
	/* Set with ->lock held (irq-safe, a leaf), read locklessly. */
	spinlock_t lock;
	struct remap_c *rc;		/* the live table; NULL: suspended */
	unsigned int state;		/* enum remap_scrub_state */
	u64 epoch;			/* bumped by start and cancel */
	sector_t start, pos, end;	/* logical sectors of the pass */
	u64 passes;			/* passes completed */
	time64_t last_pass_end;		/* Unix time, 0: never */
	unsigned int rate;		/* scrub_rate, KiB/s; 0: no cap */
	unsigned int slow_ms;		/* scrub_slow_ms; 0: off */
	bool active;			/* running: map() notes I/O times */
	unsigned long last_io;		/* jiffies of the last mapped bio */
	atomic64_t read_errors, relocated, weak, pending, meta_repaired;
	/* The work's own (one step at a time). */
	unsigned long ckpt_at;		/* jiffies of the last checkpoint */
	bool ckpt_now;			/* start, resume: checkpoint at once */
	u64 meta_pos;			/* metadata blocks scrubbed this pass */
	bool meta_done;			/* ... all of them */
};

/* The scrubber's checkpoint, as the superblock keeps it. */
static inline void remap_scrub_snapshot(struct remap_scrub *sc,
					struct remap_scrub_ckpt *c)
{
	unsigned long flags;

	spin_lock_irqsave(&sc->lock, flags);
	c->state = sc->state;
	c->start = sc->start;
	c->pos = sc->pos;
	c->end = sc->end;
	c->passes = sc->passes;
	c->last_pass_end = sc->last_pass_end;
	spin_unlock_irqrestore(&sc->lock, flags);
	c->read_errors = atomic64_read(&sc->read_errors);
	c->relocated = atomic64_read(&sc->relocated);
	c->weak = atomic64_read(&sc->weak);
	c->pending = atomic64_read(&sc->pending);
	c->meta_repaired = atomic64_read(&sc->meta_repaired);
}

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
	struct list_head tables;	/* remap_c of the tables using it */
	struct remap_spare_place {	/* the spare area on its whole disk */
		struct block_device *whole;
		sector_t start, len;
	} spare_place;
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
	/*
	 * Which groups of units the index may hold a unit of: looked at
	 * before io_srcu and the index.  Its bitmap is allocated with the
	 * state; the bits change with st->lock held, in the functions that
	 * publish the index (dm-remap-state.c), so that every change of the
	 * index (messages, the error path, the scrubber) keeps it exact.
	 */
	struct remap_summary summary;
	u32 summary_sector_shift;	/* sector to group: unit + group shift */
	struct srcu_struct io_srcu;	/* I/O that a move must wait for */
	unsigned int nr_moving;		/* entries in moving[] */
	unsigned int nr_pending;	/* entries in pending[] */
	unsigned int nr_doubt;		/* entries in doubt[] */

	/*
	 * The per-unit gate (dm-remap-gate.c): the units that are not
	 * normal, each set sorted, changed under move_lock with st->lock
	 * held.  A unit is in at most one of moving and doubt.
	 */
	spinlock_t move_lock;
	u64 *moving;			/* move_batch entries */
	unsigned int move_batch;
	struct bio_list deferred;	/* I/O held for the moving units */
	u64 *pending;			/* REMAP_MAX_PENDING entries */
	u64 *doubt;			/* move_batch entries */
	bool pending_full;		/* a pending unit was not recorded */
	unsigned int move_noio;		/* memalloc_noio_save() of a move */

	/* The error path (dm-remap-recover.c): bios failed or diverted. */
	spinlock_t recover_lock;
	struct bio_list recover_bios;
	struct work_struct recover_work;
	struct workqueue_struct *wq;
	struct bio_set bs;		/* clones the recovery path sends */
	struct dm_io_client *io;	/* synchronous unit copies */
	bool exhausted;			/* a relocation found no spare unit */

	/* Changes to the index and the pool: one at a time. */
	struct mutex lock;
	u64 generation;			/* bumped by every index change */
	struct spare_pool pool;
	unsigned long *pool_bitmap;
	u64 pool_capacity;		/* units pool_bitmap has room for */
	u64 limit_lunits;		/* the shortest table's units */
	unsigned int frozen;		/* tables loaded to replace it */
	struct dm_kcopyd_client *kc;
	struct remap_meta *meta;	/* NULL: volatile table */

	/* Counters reported by status, kept in the superblock. */
	atomic64_t counters[REMAP_CTR_NR];
	atomic64_t nr_retired;		/* spare units never handed out again */

	/*
	 * The scrubber; its position, state and counters are checkpointed in
	 * the superblock with the counters (remap_save_counters()).
	 */
	struct remap_scrub scrub;
};


/* One table's instance of the target. */
struct remap_c {
	struct dm_target *ti;
	struct dm_dev *main;
	struct dm_dev *spare;
	sector_t spare_len;
	u64 nr_lunits;			/* units of this table's length */
	u64 nr_sunits;			/* whole units in this spare_len */
	sector_t main_avail;		/* main device sectors from main_start */
	bool unit_sectors_given;	/* echo the feature in the table line */
	bool volatile_table;		/* the "volatile" feature */
	bool auto_remap;		/* the error path remaps failing units */
	unsigned int read_retries;
	struct remap_state *st;
	struct list_head st_node;	/* in st->tables */
	struct remap_state *frozen_st;	/* the state a reload replaces */
};

/* Where the I/O path sent a bio (remap_io.where). */
enum remap_where {
	REMAP_TO_NONE,		/* not sent: held, or diverted to recovery */
	REMAP_TO_MAIN,
	REMAP_TO_SPARE,
};

/* What the gate decided for a bio (remap_gate_route). */
enum remap_route {
	REMAP_ROUTE_ON,		/* send it; *units may have been shortened */
	REMAP_ROUTE_HELD,	/* held until a move is over */
	REMAP_ROUTE_DIVERT,	/* a data write to a pending unit: recovery */
	REMAP_ROUTE_FAIL,	/* a write to a unit in doubt: EIO */
};

/* What the moving units become when their move ends (remap_gate_end). */
enum remap_gate_end {
	REMAP_GATE_STAYED,	/* nothing moved: back to what they were */
	REMAP_GATE_MOVED,	/* in their new place, and not pending */
	REMAP_GATE_PENDING,	/* unreadable: pending */
	REMAP_GATE_DOUBT,	/* a failed commit left their place unknown */
};

/*
 * remap_meta_set_slots() failed and could not write the old state back:
 * the blocks on disk may hold the old state or the new one.
 */
#define REMAP_EDOUBT EUCLEAN

/*
 * The one media-error predicate: the device could not read or write those
 * sectors (BLK_STS_IOERR, _MEDIUM, _PROTECTION, _TARGET as errnos).
 */
static inline bool remap_is_media_errno(int r)
{
	return r == -EIO || r == -ENODATA || r == -EILSEQ || r == -EREMOTEIO;
}

/* Per-bio data. */
struct remap_io {
	int srcu_idx;			/* -1: none held */
	u8 where;			/* enum remap_where */
	bool recovered;			/* the error path has finished it */
	bool diverted;			/* a write to a pending unit */
	struct remap_c *rc;		/* the table that mapped the bio */
	u64 sunit;			/* REMAP_TO_SPARE: its first unit */
	struct dm_bio_details details;	/* as mapped: for the error path */
};

/* dm-remap-state.c */
int remap_state_get(struct remap_c *rc, struct remap_ctr_args *a,
		    struct remap_geometry *g, work_func_t recover_fn,
		    work_func_t scrub_fn);
void remap_save_counters(struct remap_state *st);
void remap_scrub_checkpoint(struct remap_state *st);
void remap_lockdep_prime(void);
void remap_state_put(struct remap_c *rc);
int remap_table_insert(struct remap_state *st, const struct remap_entry *add,
		       size_t nr_add);
int remap_table_move_unit(struct remap_state *st, u64 lunit, u64 sunit);
bool remap_table_where(struct remap_state *st, u64 lunit, u64 *sunit);
int remap_table_delete(struct remap_state *st, u64 first, u64 last);
int remap_state_resize_pool(struct remap_state *st, u64 nr_sunits);
u64 remap_table_count(struct remap_state *st);
void remap_states_lock(void);
void remap_states_unlock(void);
struct list_head *remap_states_head(void);

/* dm-remap-state.c: synchronous I/O of @count sectors at @buf (dm-io). */
int remap_sync_io(struct dm_io_client *client, blk_opf_t opf,
		  struct block_device *bdev, sector_t sector, sector_t count,
		  void *buf);

/* dm-remap-state.c: the device-mapper name of @md ("" if none). */
void remap_dm_name(struct mapped_device *md, char *name);

/* dm-remap-meta.c */
struct remap_meta *remap_meta_open(struct block_device *spare,
				   struct remap_geometry *g,
				   struct remap_ctr_args *a, const char *name,
				   bool writable, const u8 *member_uuid,
				   const char **error);
void remap_meta_close(struct remap_meta *m);
int remap_meta_build(struct remap_meta *m, u64 nr_lunits,
		     struct spare_pool *pool, struct remap_entry **entries,
		     size_t *nr, const char **error);
int remap_meta_set_slots(struct remap_meta *m, struct remap_slot_change *c,
			 size_t n);
int remap_meta_set_pending(struct remap_meta *m, const u64 *lunits, size_t n);
int remap_meta_save_counters(struct remap_meta *m, const u64 *counters,
			     size_t n);
int remap_meta_get_scrub(struct remap_meta *m, struct remap_scrub_ckpt *c,
			 const char **error);
int remap_meta_scrub(struct remap_meta *m, u64 *pos, u8 *buf, size_t len,
		     u64 *bytes, u64 *repaired);
int remap_meta_set_identity(struct remap_meta *m, const char *name,
			    const char *serial, const char *wwn, u32 partition,
			    const char **error);
void remap_meta_get_counters(struct remap_meta *m, u64 *counters, size_t n);
size_t remap_meta_get_pending(struct remap_meta *m, u64 *lunits, size_t max);
bool remap_meta_failed(struct remap_meta *m);
void remap_meta_get_protect(struct remap_meta *m, struct remap_protect *p,
			    u8 *uuid);
int remap_meta_set_protect(struct remap_meta *m, const struct remap_protect *p);
sector_t remap_meta_data_offset(struct remap_meta *m);
u64 remap_meta_nr_units(struct remap_meta *m, sector_t spare_len);
int remap_meta_check_spare_len(struct remap_meta *m, sector_t spare_len,
			       const char **error);
int remap_meta_extend(struct remap_meta *m, sector_t spare_len,
		      bool writable, const char **error);

/* dm-remap-io.c */
int remap_map(struct dm_target *ti, struct bio *bio);
int remap_map_slow(struct remap_c *rc, struct bio *bio, struct remap_io *io);
void remap_reissue(struct remap_state *st, struct bio_list *bios);
int remap_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error);

/*
 * dm-remap-gate.c's question for the I/O path (inline: every bio asks it):
 * does the gate have anything to say about any unit?  The acquire pairs
 * with the release in remap_gate_end(): a move publishes its new index
 * (and the summary) before it clears nr_moving, so a caller that sees no
 * move sees the index the move left behind.
 */
static inline bool remap_gate_busy(struct remap_state *st)
{
	/* Pairs with smp_store_release() in remap_gate_end(). */
	return smp_load_acquire(&st->nr_moving) || READ_ONCE(st->nr_pending) ||
	       READ_ONCE(st->nr_doubt);
}

/* dm-remap-gate.c */
enum remap_route remap_gate_route(struct remap_state *st, struct bio *bio,
				  sector_t offset, u64 first, u64 *units);
void remap_gate_start(struct remap_state *st, const u64 *lunits,
		      unsigned int nr);
bool remap_gate_end(struct remap_state *st, enum remap_gate_end to,
		    struct bio_list *held);
void remap_recover_queue(struct remap_state *st, struct bio *bio);
bool remap_is_pending(struct remap_state *st, u64 lunit);
u64 remap_first_pending(struct remap_state *st, u64 first, u64 n);
bool remap_is_doubt(struct remap_state *st, u64 lunit);
int remap_pending_commit(struct remap_state *st);

/* dm-remap-move.c */
struct remap_extent {
	u64 first, last;	/* logical units */
};

int remap_units(struct remap_c *rc, u64 first, u64 last);
int remap_extents(struct remap_c *rc, const struct remap_extent *x, size_t nr,
		  bool zero, u64 *added, u64 *skipped);
int unremap_units(struct remap_c *rc, u64 first, u64 last, bool strict);
int remap_may_remap(struct remap_state *st, u64 last);
int remap_copy_back(struct remap_c *rc, const struct remap_entry *e,
		    size_t nr);

/* dm-remap-protect.c: the protective mode (docs/metadata-format.md). */
int remap_protect_read_member(struct remap_state *st, struct block_device *main,
			      sector_t main_start, u8 *uuid, bool *found);
int remap_protect_check_load(struct dm_target *ti, struct remap_state *st);
int remap_protect(struct remap_c *rc, u64 head_sectors, u64 tail_sectors);
int remap_unprotect(struct remap_c *rc);
u64 remap_protected_units(struct remap_state *st);
void remap_salvage_read(struct remap_c *rc, struct block_device *src,
			sector_t src_sector, u64 lunit, sector_t keep_first,
			sector_t keep_len, u8 *buf);

/* dm-remap-recover.c */
void remap_recover_work(struct work_struct *work);
int remap_relocate_held(struct remap_c *rc, u64 lunit, u8 *data);
void remap_unit_end(struct remap_state *st, enum remap_gate_end to);
void remap_unit_done(struct remap_state *st, int r);

/* dm-remap-scrub.c */
void remap_scrub_work(struct work_struct *work);
int remap_scrub_message(struct remap_c *rc, const struct remap_msg *m);
void remap_scrub_resume(struct remap_c *rc);
void remap_scrub_suspend(struct remap_c *rc);

/*
 * The I/O path tells a running scrubber that the device is busy (it backs
 * off, dm-remap-scrub.c): at most one store a jiffy, none when no scrub
 * runs.
 */
static inline void remap_scrub_note_io(struct remap_state *st)
{
	unsigned long now = jiffies;

	if (unlikely(READ_ONCE(st->scrub.active)) &&
	    READ_ONCE(st->scrub.last_io) != now)
		WRITE_ONCE(st->scrub.last_io, now);
}

/*
 * A bio's io_srcu read section: entered when it is mapped, left when it
 * completes, or when the gate holds or diverts it, maybe in another task.
 * The __release()/__acquire() pair tells sparse that the section leaves
 * with the bio rather than with the function.
 */
static inline void remap_bio_srcu_enter(struct remap_state *st,
					struct remap_io *io)
{
	io->srcu_idx = srcu_down_read(&st->io_srcu);
	__release(&st->io_srcu);
}

static inline void remap_bio_srcu_exit(struct remap_state *st,
				       struct remap_io *io)
{
	if (io->srcu_idx < 0)
		return;
	__acquire(&st->io_srcu);
	srcu_up_read(&st->io_srcu, io->srcu_idx);
	io->srcu_idx = -1;
}

static inline void remap_count(struct remap_state *st,
			       enum remap_counter c, u64 n)
{
	atomic64_add(n, &st->counters[c]);
}

/* dm-remap-message.c */
int remap_message(struct dm_target *ti, unsigned int argc, char **argv,
		  char *result, unsigned int maxlen);
/*
 * Every field of the status line and of stats, read locklessly (status
 * must not wait for a move); core/remap_status.c writes them out.
 */
void remap_status_get(struct remap_c *rc, struct remap_status *s);

/* dm-remap-debugfs.c */
void remap_debugfs_init(void);
void remap_debugfs_exit(void);

/* The metadata field: REMAP_W_META_OK, _VOLATILE or _FAILED. */
static inline u64 remap_meta_state(struct remap_state *st)
{
	if (!st->meta)
		return REMAP_W_META_VOLATILE;
	return remap_meta_failed(st->meta) ? REMAP_W_META_FAILED :
					     REMAP_W_META_OK;
}

/* A relocation found no spare unit, and none has been freed since. */
static inline bool remap_spare_exhausted(struct remap_state *st)
{
	return READ_ONCE(st->exhausted) &&
	       !spare_pool_free_units(&st->pool);
}

/*
 * What "dmsetup status" shows about a device's health, to tell whether an
 * operation changed it: a change raises a table event (remapd waits for
 * those).  Compared as a whole with memcmp(), so zeroed first.
 */
struct remap_health {
	u64 generation;
	u64 counters[REMAP_CTR_NR];
	u64 retired;
	unsigned int pending, doubt;
	bool meta_failed, exhausted;
};

static inline void remap_health_get(struct remap_state *st,
				    struct remap_health *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->generation = READ_ONCE(st->generation);
	for (i = 0; i < REMAP_CTR_NR; i++)
		h->counters[i] = atomic64_read(&st->counters[i]);
	h->retired = atomic64_read(&st->nr_retired);
	h->pending = READ_ONCE(st->nr_pending);
	h->doubt = READ_ONCE(st->nr_doubt);
	h->meta_failed = st->meta && remap_meta_failed(st->meta);
	h->exhausted = remap_spare_exhausted(st);
}

/* Whether the health changed since @before (refreshed to now). */
static inline bool remap_health_changed(struct remap_state *st,
					struct remap_health *before)
{
	struct remap_health now;

	remap_health_get(st, &now);
	if (!memcmp(&now, before, sizeof(now)))
		return false;
	*before = now;
	return true;
}

static inline sector_t remap_unit_to_main(struct remap_state *st, u64 lunit)
{
	return st->main_start + ((sector_t)lunit << st->unit_shift);
}

static inline sector_t remap_unit_to_spare(struct remap_state *st, u64 sunit)
{
	return st->spare_data_start + ((sector_t)sunit << st->unit_shift);
}

/* Sectors of logical unit @lunit in the table (the last may be partial). */
static inline sector_t remap_unit_len(struct remap_c *rc, u64 lunit)
{
	sector_t start = (sector_t)lunit << rc->st->unit_shift;

	return min_t(sector_t, rc->st->unit_sectors, rc->ti->len - start);
}

/*
 * Sectors of logical unit @lunit on the main device, past the table's end
 * for a partial last unit: what a spare unit keeps of it, so that a table
 * grown later reads the main device's sectors there, not a spare unit's
 * old contents.
 */
static inline sector_t remap_unit_span(struct remap_c *rc, u64 lunit)
{
	sector_t start = (sector_t)lunit << rc->st->unit_shift;

	return min_t(sector_t, rc->st->unit_sectors, rc->main_avail - start);
}

#endif /* DM_REMAP_H */
