// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-state.c - the state of a remapped device that outlives any one
 * table, and the publishing of new versions of its remap index.
 *
 * dm-thin keeps its pool in a table keyed by the mapped device so that a
 * table reload does not lose it; dm-remap does the same with its index: a
 * new table for the same mapped device and spare area picks up the state
 * the live table is using, so remapped units (whose data lives on the
 * spare) stay remapped across suspend, reload and resume.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sort.h>

#include "dm-remap.h"

static LIST_HEAD(remap_states);
static DEFINE_MUTEX(remap_states_mutex);

void remap_states_lock(void)
{
	mutex_lock(&remap_states_mutex);
}

void remap_states_unlock(void)
{
	mutex_unlock(&remap_states_mutex);
}

struct list_head *remap_states_head(void)
{
	return &remap_states;
}

static void remap_table_free_rcu(struct rcu_head *rcu)
{
	kvfree(container_of(rcu, struct remap_table, rcu));
}

/*
 * Every st->lock is of this class, which lockdep is told reclaim may wait
 * for (remap_lockdep_prime): writes to pending and moving units wait for
 * st->lock, and reclaim may wait for those writes.  So an allocation that
 * may recurse into I/O (not GFP_NOIO, no memalloc_noio scope) under
 * st->lock is reported by lockdep as a deadlock, at once, on any debug
 * kernel run, not only when memory runs short at the wrong moment.
 */
static struct lock_class_key remap_state_lock_key;

void remap_lockdep_prime(void)
{
	static struct mutex prime;

	mutex_init(&prime);
	lockdep_set_class(&prime, &remap_state_lock_key);
	fs_reclaim_acquire(GFP_KERNEL);
	mutex_lock(&prime);
	mutex_unlock(&prime);
	fs_reclaim_release(GFP_KERNEL);
}

/*
 * Record the counters and the scrubber's checkpoint in the superblock
 * (persistent tables; written only when a word changed).
 */
void remap_save_counters(struct remap_state *st)
{
	u64 c[REMAP_META_NR_COUNTERS];
	struct remap_scrub_ckpt ck;
	int i;

	lockdep_assert_held(&st->lock);
	if (!st->meta || remap_meta_failed(st->meta))
		return;
	for (i = 0; i < REMAP_CTR_NR; i++)
		c[i] = atomic64_read(&st->counters[i]);
	remap_scrub_snapshot(&st->scrub, &ck);
	remap_scrub_ckpt_put(c, &ck);
	remap_meta_save_counters(st->meta, c, REMAP_SBW_NR);
}

/* Checkpoint the scrubber now (st->lock not held). */
void remap_scrub_checkpoint(struct remap_state *st)
{
	unsigned int noio;

	if (!st->meta)
		return;
	mutex_lock(&st->lock);
	noio = memalloc_noio_save();
	remap_save_counters(st);
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
	st->scrub.ckpt_at = jiffies;
}

/* The pending set the metadata holds (state creation). */
static void remap_pending_load(struct remap_state *st)
{
	size_t n, i, j;

	n = remap_meta_get_pending(st->meta, st->pending, REMAP_MAX_PENDING);
	sort(st->pending, n, sizeof(*st->pending), remap_cmp_u64, NULL);
	for (i = 0, j = 0; i < n; i++)
		if (!j || st->pending[i] != st->pending[j - 1])
			st->pending[j++] = st->pending[i];
	st->nr_pending = j;
}

static struct remap_table *remap_table_alloc(size_t nr)
{
	struct remap_table *t;

	t = kvmalloc(struct_size(t, e, nr), GFP_KERNEL);
	if (t)
		t->nr = nr;
	return t;
}

static struct remap_table *remap_table_current(struct remap_state *st)
{
	return rcu_dereference_protected(st->table, lockdep_is_held(&st->lock));
}

/* Where @lunit lives: true and *sunit when on the spare.  Holds st->lock. */
bool remap_table_where(struct remap_state *st, u64 lunit, u64 *sunit)
{
	struct remap_table *t = remap_table_current(st);

	return t && remap_index_lookup(t->e, t->nr, lunit, sunit);
}

/*
 * Make @t (or NULL: nothing remapped) the index the I/O path sees.  The
 * old version is freed once no bio that may have looked at it is left:
 * every lookup happens inside an io_srcu read section.
 */
static struct remap_table *remap_table_swap(struct remap_state *st,
					    struct remap_table *t)
{
	struct remap_table *old = remap_table_current(st);

	rcu_assign_pointer(st->table, t);
	st->generation++;
	return old;
}

/* Free @old once no bio that may have looked at it is left. */
static void remap_table_retire(struct remap_state *st, struct remap_table *old)
{
	if (old)
		call_srcu(&st->io_srcu, &old->rcu, remap_table_free_rcu);
}

static void remap_table_publish(struct remap_state *st, struct remap_table *t)
{
	remap_table_retire(st, remap_table_swap(st, t));
}

u64 remap_table_count(struct remap_state *st)
{
	struct remap_table *t;
	u64 nr;
	int idx;

	idx = srcu_read_lock(&st->io_srcu);
	t = srcu_dereference(st->table, &st->io_srcu);
	nr = t ? t->nr : 0;
	srcu_read_unlock(&st->io_srcu, idx);
	return nr;
}

/*
 * Add @nr_add entries, sorted and not yet in the index, with their spare
 * units already taken from the pool.  Caller holds st->lock.
 */
int remap_table_insert(struct remap_state *st, const struct remap_entry *add,
		       size_t nr_add)
{
	struct remap_table *old = remap_table_current(st);
	size_t nr_old = old ? old->nr : 0;
	struct remap_table *t;
	int r;

	if (!nr_add)
		return 0;
	t = remap_table_alloc(nr_old + nr_add);
	if (!t)
		return -ENOMEM;
	r = remap_index_merge(t->e, old ? old->e : NULL, nr_old, add, nr_add);
	if (r) {
		kvfree(t);
		return r;
	}
	/* The summary names the new units before any index does. */
	remap_summary_add(&st->summary, add, nr_add);
	remap_table_publish(st, t);
	return 0;
}

/*
 * Give remapped unit @lunit the spare unit @sunit instead of its current
 * one (a relocation); the caller retires the old one.  Holds st->lock.
 */
int remap_table_move_unit(struct remap_state *st, u64 lunit, u64 sunit)
{
	struct remap_table *old = remap_table_current(st);
	struct remap_table *t;
	size_t pos;

	if (!old)
		return -ENOENT;
	pos = remap_index_lower_bound(old->e, old->nr, lunit);
	if (pos == old->nr || old->e[pos].lunit != lunit)
		return -ENOENT;
	t = remap_table_alloc(old->nr);
	if (!t)
		return -ENOMEM;
	memcpy(t->e, old->e, old->nr * sizeof(*t->e));
	t->e[pos].sunit = sunit;
	remap_table_publish(st, t);
	return 0;
}

/*
 * Drop every entry in [first, last] and give their spare units back to
 * the pool.  The caller holds st->lock and has made sure no I/O uses those
 * spare units any more (they are moving, and moves wait for I/O).
 */
int remap_table_delete(struct remap_state *st, u64 first, u64 last)
{
	struct remap_table *old = remap_table_current(st);
	struct remap_table *t = NULL;
	size_t lo, hi, nr_drop, i;

	if (!old)
		return 0;
	lo = remap_index_lower_bound(old->e, old->nr, first);
	hi = last == U64_MAX ? old->nr :
			       remap_index_lower_bound(old->e, old->nr, last + 1);
	nr_drop = hi > lo ? hi - lo : 0;
	if (!nr_drop)
		return 0;
	if (nr_drop < old->nr) {
		t = remap_table_alloc(old->nr);
		if (!t)
			return -ENOMEM;
		remap_index_delete_range_copy(t->e, old->e, old->nr, first,
					      last, NULL);
		t->nr = old->nr - nr_drop;
	}
	remap_table_swap(st, t);
	/*
	 * Bits are cleared only after the index without the units is
	 * published: a bio that sees a clear bit goes to the main device.
	 * @old is retired (freed after a grace period) only after this.
	 */
	smp_wmb();
	remap_summary_drop(&st->summary, t ? t->e : NULL, t ? t->nr : 0,
			   old->e + lo, nr_drop);
	for (i = lo; i < hi; i++)
		WARN_ON_ONCE(spare_pool_free(&st->pool, old->e[i].sunit));
	remap_table_retire(st, old);
	return 0;
}

/*
 * Give the pool @nr_sunits units (a table with another spare_len).  The
 * used units stay where they are; shrinking below a used unit is refused.
 * The bitmap keeps its size when the pool shrinks, so it can grow back
 * without an allocation.
 */
int remap_state_resize_pool(struct remap_state *st, u64 nr_sunits)
{
	unsigned long *bitmap;
	unsigned int noio;
	int r;

	lockdep_assert_held(&st->lock);
	if (nr_sunits == st->pool.nr_units)
		return 0;
	if (nr_sunits <= st->pool_capacity)
		return spare_pool_resize(&st->pool, st->pool_bitmap, nr_sunits);
	/* st->lock is held: the recovery worker, which writes wait for, waits. */
	noio = memalloc_noio_save();
	bitmap = kvcalloc(spare_pool_bitmap_longs(nr_sunits),
			  sizeof(unsigned long), GFP_KERNEL);
	memalloc_noio_restore(noio);
	if (!bitmap)
		return -ENOMEM;
	r = spare_pool_resize(&st->pool, bitmap, nr_sunits);
	if (r) {
		kvfree(bitmap);
		return r;
	}
	kvfree(st->pool_bitmap);
	st->pool_bitmap = bitmap;
	st->pool_capacity = nr_sunits;
	return 0;
}

/*
 * Where a spare area lies on its whole disk: a partition and its disk
 * name the same sectors with two device numbers.
 */
static void remap_spare_place_of(struct block_device *spare,
				 sector_t spare_start, sector_t spare_len,
				 struct remap_spare_place *p)
{
	p->whole = bdev_whole(spare);
	p->start = get_start_sect(spare) + spare_start;
	p->len = spare_len;
}

static bool remap_spare_overlaps(struct remap_state *st,
				 const struct remap_spare_place *p)
{
	return st->spare_place.whole == p->whole &&
	       p->start < st->spare_place.start + st->spare_place.len &&
	       st->spare_place.start < p->start + p->len;
}

/* Does a target of table @t use @st? */
static bool remap_state_in_table(struct remap_state *st, struct dm_table *t)
{
	struct remap_c *rc;

	list_for_each_entry(rc, &st->tables, st_node)
		if (rc->ti->table == t)
			return true;
	return false;
}

/*
 * The state that the target at the same place of another table of this
 * device (the live one) uses: what a reload of @ti replaces.
 */
static struct remap_state *remap_state_replaced(struct dm_target *ti)
{
	struct mapped_device *md = dm_table_get_md(ti->table);
	struct remap_state *st;
	struct remap_c *rc;

	list_for_each_entry(st, &remap_states, list) {
		if (st->md != md)
			continue;
		list_for_each_entry(rc, &st->tables, st_node)
			if (rc->ti->table != ti->table &&
			    rc->ti->begin == ti->begin)
				return st;
	}
	return NULL;
}

static void remap_state_free(struct remap_state *st)
{
	/* Every table is gone, and presuspend stopped the scrubber. */
	if (st->scrub.wq) {
		cancel_delayed_work_sync(&st->scrub.work);
		destroy_workqueue(st->scrub.wq);
	}
	kvfree(st->scrub.buf);
	if (st->wq)
		destroy_workqueue(st->wq);
	remap_meta_close(st->meta);
	if (st->kc)
		dm_kcopyd_client_destroy(st->kc);
	if (st->io)
		dm_io_client_destroy(st->io);
	bioset_exit(&st->bs);
	kfree(st->pending);
	kvfree(st->doubt);
	kvfree(st->moving);
	/* Wait for the call_srcu() frees of old index versions. */
	srcu_barrier(&st->io_srcu);
	cleanup_srcu_struct(&st->io_srcu);
	kvfree(rcu_dereference_protected(st->table, true));
	kvfree(st->pool_bitmap);
	kvfree(st->summary.bits);
	kfree(st);
}

/*
 * The device's device-mapper name ("data"; dm_device_name() gives
 * "253:0") into @name (DM_NAME_LEN bytes); "" when it has none (yet).
 */
void remap_dm_name(struct mapped_device *md, char *name)
{
	if (dm_copy_name_and_uuid(md, name, NULL))
		name[0] = '\0';
}

/*
 * Persistent mode: load (or format) the metadata at the start of the spare
 * area.  The spare units start after it, and how many there are depends on
 * its layout, so g->nr_sunits is corrected here.
 */
static int remap_state_open_meta(struct dm_target *ti, struct remap_state *st,
				 struct remap_ctr_args *a,
				 struct remap_geometry *g,
				 struct block_device *spare,
				 const u8 *member_uuid)
{
	const char *error = NULL;
	bool writable = dm_table_get_mode(ti->table) & REMAP_MODE_WRITE;
	char name[DM_NAME_LEN];

	remap_dm_name(dm_table_get_md(ti->table), name);
	st->meta = remap_meta_open(spare, g, a, name, writable, member_uuid,
				   &error);
	if (IS_ERR(st->meta)) {
		int r = PTR_ERR(st->meta);

		st->meta = NULL;
		ti->error = (char *)error;
		return r;
	}
	st->spare_data_start = a->spare_start + remap_meta_data_offset(st->meta);
	g->nr_sunits = remap_meta_nr_units(st->meta, a->spare_len);
	return 0;
}

/* The index the metadata describes, published before any I/O. */
static int remap_state_load_index(struct dm_target *ti,
				  struct remap_state *st,
				  struct remap_geometry *g)
{
	struct remap_entry *e;
	struct remap_table *t;
	const char *error;
	size_t nr;
	int r;

	r = remap_meta_build(st->meta, g->nr_lunits, &st->pool, &e, &nr,
			     &error);
	if (r) {
		ti->error = (char *)error;
		return r;
	}
	if (!nr)
		return 0;
	t = remap_table_alloc(nr);
	if (!t) {
		kvfree(e);
		ti->error = "Cannot allocate the remap index";
		return -ENOMEM;
	}
	memcpy(t->e, e, nr * sizeof(*e));
	kvfree(e);
	remap_summary_add(&st->summary, t->e, t->nr);
	rcu_assign_pointer(st->table, t);
	return 0;
}

/*
 * The counters the superblock kept, and the retired units: every used
 * spare unit that the freshly loaded index does not name.
 */
static void remap_state_load_counters(struct remap_state *st)
{
	struct remap_table *t = rcu_dereference_protected(st->table, true);
	u64 c[REMAP_CTR_NR];
	int i;

	remap_meta_get_counters(st->meta, c, REMAP_CTR_NR);
	for (i = 0; i < REMAP_CTR_NR; i++)
		atomic64_set(&st->counters[i], c[i]);
	atomic64_set(&st->nr_retired, st->pool.nr_used - (t ? t->nr : 0));
}

/*
 * The summary covers every unit the main device has from main_start (or
 * the table, if longer): a longer table loaded later finds its units past
 * the end "maybe remapped", which is slower, never wrong.
 */
static int remap_summary_alloc(struct remap_state *st,
			       struct remap_geometry *g,
			       struct block_device *main)
{
	sector_t main_sectors = bdev_nr_sectors(main);
	u64 nr_lunits = g->nr_lunits, main_units = 0;
	unsigned int shift;
	unsigned long *bits;

	if (main_sectors > st->main_start)
		main_units = (main_sectors - st->main_start) >> g->unit_shift;
	nr_lunits = max(nr_lunits, main_units);
	shift = remap_summary_shift(nr_lunits, REMAP_SUMMARY_MAX_BITS);
	bits = kvcalloc(max_t(size_t, 1, remap_summary_longs(nr_lunits, shift)),
			sizeof(*bits), GFP_KERNEL);
	if (!bits)
		return -ENOMEM;
	remap_summary_init(&st->summary, bits, nr_lunits, shift);
	st->summary_sector_shift = g->unit_shift + shift;
	return 0;
}

/*
 * The scrubber as its checkpoint left it: a running or paused scrub goes
 * on from its position (running: once the table resumes).  An
 * inconsistent checkpoint is ignored (an idle scrubber), with a warning.
 */
static int remap_state_load_scrub(struct dm_target *ti,
				  struct remap_state *st)
{
	struct remap_scrub *sc = &st->scrub;
	struct remap_scrub_ckpt ck;
	const char *error = NULL;

	if (remap_meta_get_scrub(st->meta, &ck, &error))
		DMWARN("%s: %s: ignored (no scrub running)",
		       dm_device_name(st->md), error);
	sc->state = ck.state;
	sc->start = ck.start;
	sc->pos = ck.pos;
	sc->end = ck.end;
	sc->passes = ck.passes;
	sc->last_pass_end = ck.last_pass_end;
	atomic64_set(&sc->read_errors, ck.read_errors);
	atomic64_set(&sc->relocated, ck.relocated);
	atomic64_set(&sc->weak, ck.weak);
	atomic64_set(&sc->pending, ck.pending);
	atomic64_set(&sc->meta_repaired, ck.meta_repaired);
	if (ck.state == REMAP_SCRUB_IDLE)
		return 0;
	sc->buf_len = max_t(size_t, REMAP_SCRUB_RUN_BYTES,
			    (size_t)st->unit_sectors << SECTOR_SHIFT);
	sc->buf = kvmalloc(sc->buf_len, GFP_KERNEL);
	if (!sc->buf) {
		ti->error = "Cannot allocate the scrub buffer";
		return -ENOMEM;
	}
	DMINFO("%s: scrub of sectors %llu-%llu %s at sector %llu (checkpoint)",
	       dm_device_name(st->md), (unsigned long long)ck.start,
	       (unsigned long long)ck.end - 1, remap_scrub_state_str(ck.state),
	       (unsigned long long)ck.pos);
	return 0;
}

static struct remap_state *remap_state_create(struct dm_target *ti,
					      struct remap_ctr_args *a,
					      struct remap_geometry *g,
					      struct block_device *main,
					      struct block_device *spare,
					      work_func_t recover_fn,
					      work_func_t scrub_fn)
{
	struct remap_state *st;
	u8 member_uuid[16];
	bool member = false;
	int r;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		ti->error = "Cannot allocate remap state";
		return ERR_PTR(-ENOMEM);
	}
	r = init_srcu_struct(&st->io_srcu);
	if (r) {
		kfree(st);
		ti->error = "Cannot initialise SRCU";
		return ERR_PTR(r);
	}
	refcount_set(&st->ref, 1);
	INIT_LIST_HEAD(&st->tables);
	st->limit_lunits = U64_MAX;
	st->md = dm_table_get_md(ti->table);
	st->main_dev = main->bd_dev;
	st->spare_dev = spare->bd_dev;
	st->main_start = a->main_start;
	st->spare_start = a->spare_start;
	st->spare_data_start = a->spare_start;
	st->unit_sectors = g->unit_sectors;
	st->unit_shift = g->unit_shift;
	spin_lock_init(&st->move_lock);
	bio_list_init(&st->deferred);
	spin_lock_init(&st->recover_lock);
	bio_list_init(&st->recover_bios);
	INIT_WORK(&st->recover_work, recover_fn);
	mutex_init(&st->lock);
	lockdep_set_class(&st->lock, &remap_state_lock_key);
	st->move_batch = min_t(unsigned int, REMAP_MOVE_MAX_UNITS,
			       max_t(unsigned int, 1, REMAP_MOVE_MAX_BYTES /
				     (g->unit_sectors << SECTOR_SHIFT)));
	st->moving = kvmalloc_array(st->move_batch, sizeof(*st->moving),
				    GFP_KERNEL);
	st->doubt = kvmalloc_array(st->move_batch, sizeof(*st->doubt),
				   GFP_KERNEL);
	st->pending = kcalloc(REMAP_MAX_PENDING, sizeof(*st->pending),
			      GFP_KERNEL);
	if (!st->moving || !st->doubt || !st->pending) {
		ti->error = "Cannot allocate remap state";
		r = -ENOMEM;
		goto bad;
	}
	r = bioset_init(&st->bs, BIO_POOL_SIZE, 0, BIOSET_NEED_BVECS);
	if (r) {
		ti->error = "Cannot allocate the recovery bio set";
		goto bad;
	}
	st->io = dm_io_client_create();
	if (IS_ERR(st->io)) {
		r = PTR_ERR(st->io);
		st->io = NULL;
		ti->error = "Cannot create dm-io client";
		goto bad;
	}
	st->wq = alloc_workqueue("dm-remap-recover", WQ_MEM_RECLAIM, 1);
	if (!st->wq) {
		ti->error = "Cannot create the recovery workqueue";
		r = -ENOMEM;
		goto bad;
	}
	/*
	 * The scrubber has its own queue: a step reads for a while, and the
	 * recovery worker must not wait behind it.
	 */
	mutex_init(&st->scrub.ctl);
	spin_lock_init(&st->scrub.lock);
	INIT_DELAYED_WORK(&st->scrub.work, scrub_fn);
	st->scrub.rate = REMAP_SCRUB_DEFAULT_RATE;
	st->scrub.wq = alloc_workqueue("dm-remap-scrub", WQ_UNBOUND, 1);
	if (!st->scrub.wq) {
		ti->error = "Cannot create the scrub workqueue";
		r = -ENOMEM;
		goto bad;
	}

	/*
	 * A main device protected by dm-remap metadata (docs: "Protection")
	 * is used with that metadata only: its first units hold the member
	 * signature, their data is on the spare.
	 */
	r = remap_protect_read_member(st, main, a->main_start, member_uuid,
				      &member);
	if (r) {
		ti->error = "Cannot allocate memory";
		goto bad;
	}
	if (member && a->features.volatile_table) {
		DMERR("main device carries the dm-remap member signature of metadata %pUb",
		      member_uuid);
		ti->error = "Main device is protected by dm-remap metadata (member signature): a volatile table would read the signature as data";
		r = -EINVAL;
		goto bad;
	}
	if (!a->features.volatile_table) {
		r = remap_state_open_meta(ti, st, a, g, spare,
					  member ? member_uuid : NULL);
		if (r)
			goto bad;
	}

	r = remap_summary_alloc(st, g, main);
	if (r) {
		ti->error = "Cannot allocate the remap summary";
		goto bad;
	}

	st->pool_bitmap = kvcalloc(spare_pool_bitmap_longs(g->nr_sunits),
				   sizeof(unsigned long), GFP_KERNEL);
	if (!st->pool_bitmap) {
		ti->error = "Cannot allocate spare pool";
		r = -ENOMEM;
		goto bad;
	}
	spare_pool_init(&st->pool, st->pool_bitmap, g->nr_sunits);
	st->pool_capacity = g->nr_sunits;
	if (st->meta) {
		r = remap_state_load_index(ti, st, g);
		if (!r)
			r = remap_protect_check_load(ti, st);
		if (r)
			goto bad;
		remap_pending_load(st);
		remap_state_load_counters(st);
		r = remap_state_load_scrub(ti, st);
		if (r)
			goto bad;
	}

	st->kc = dm_kcopyd_client_create(NULL);
	if (IS_ERR(st->kc)) {
		r = PTR_ERR(st->kc);
		st->kc = NULL;
		ti->error = "Cannot create kcopyd client";
		goto bad;
	}
	return st;
bad:
	remap_state_free(st);
	return ERR_PTR(r);
}

/*
 * The limits every table that uses @st puts on it (st->lock held): no unit
 * is remapped at or past the shortest table's end, and the pool is the
 * smallest table's (so that a loaded but not yet resumed table that
 * shrinks the target or the spare cannot find a unit in use past its end
 * when it is resumed).  remap_preresume() gives the pool the size of the
 * table that goes live.
 */
static void remap_state_limits(struct remap_state *st)
{
	u64 lunits = U64_MAX, sunits = U64_MAX;
	struct remap_c *rc;

	lockdep_assert_held(&st->lock);
	list_for_each_entry(rc, &st->tables, st_node) {
		lunits = min(lunits, rc->nr_lunits);
		sunits = min(sunits, rc->nr_sunits);
	}
	st->limit_lunits = lunits;
	if (sunits != U64_MAX && sunits != st->pool.nr_units &&
	    remap_state_resize_pool(st, sunits))
		DMWARN("%s: cannot resize the spare pool to %llu units",
		       dm_device_name(st->md), (unsigned long long)sunits);
}

/* Table @rc uses @st from now on (remap_states_mutex held). */
static void remap_state_attach(struct remap_state *st, struct remap_c *rc)
{
	mutex_lock(&st->lock);
	list_add_tail(&rc->st_node, &st->tables);
	remap_state_limits(st);
	mutex_unlock(&st->lock);
	rc->st = st;
}

/*
 * A reload that gives the device a new state replaces @old, which the live
 * table keeps using until the new table is resumed (or dropped).  Nothing
 * may be remapped in @old meanwhile, or the new state would not have it:
 * it is frozen (remaps refused, I/O errors pass up) for as long as table
 * @rc exists.  Refused (false) when @old already holds what it would lose.
 * remap_states_mutex held.
 */
static bool remap_state_freeze(struct remap_state *old, struct remap_c *rc)
{
	bool ok;

	mutex_lock(&old->lock);
	ok = !remap_table_current(old) && !old->meta && !old->nr_pending;
	if (ok) {
		old->frozen++;
		refcount_inc(&old->ref);
		rc->frozen_st = old;
	}
	mutex_unlock(&old->lock);
	return ok;
}

/* Drop a reference (remap_states_mutex held); true: free it now. */
static bool remap_state_unref(struct remap_state *st)
{
	if (!refcount_dec_and_test(&st->ref))
		return false;
	list_del(&st->list);
	return true;
}

/*
 * The state for table @rc's target: the one the device already has for
 * this spare area when the main device, its start, the unit size and the
 * persistence are the same, otherwise a new one.  Refused: a reload that
 * would change those, or the spare area, while units are remapped, pending
 * or the table is persistent; one whose length or spare_len no longer
 * holds a remapped unit; a spare area that overlaps another device's, or
 * another target's of the same table (compared on the whole disk, so a
 * partition and its disk are one area).  g->nr_sunits is set to the spare
 * units the table gets (fewer than spare_len / unit when metadata comes
 * first).  0 and rc->st set, or an error with ti->error set.
 */
int remap_state_get(struct remap_c *rc, struct remap_ctr_args *a,
		    struct remap_geometry *g, work_func_t recover_fn,
		    work_func_t scrub_fn)
{
	struct dm_target *ti = rc->ti;
	struct mapped_device *md = dm_table_get_md(ti->table);
	struct remap_state *st, *found = NULL, *old, *replaced = NULL;
	struct remap_spare_place place;
	struct remap_table *t;
	const char *error;
	bool writable = dm_table_get_mode(ti->table) & REMAP_MODE_WRITE;
	int r = 0;

	remap_spare_place_of(rc->spare->bdev, a->spare_start, a->spare_len,
			     &place);
	remap_states_lock();
	list_for_each_entry(st, &remap_states, list) {
		if (!remap_spare_overlaps(st, &place))
			continue;
		if (st->md != md) {
			ti->error = "Spare area already used by another dm-remap device";
			r = -EBUSY;
		} else if (remap_state_in_table(st, ti->table)) {
			ti->error = "Two targets of the table share a spare area";
			r = -EINVAL;
		} else if (st->spare_place.start != place.start) {
			ti->error = "Spare area overlaps the one the device uses";
			r = -EINVAL;
		} else {
			found = st;
			continue;
		}
		goto out;
	}
	old = remap_state_replaced(ti);
	if (old && old != found)
		replaced = old;

	if (found) {
		st = found;
		mutex_lock(&st->lock);
		t = remap_table_current(found);
		if (found->main_dev != rc->main->bdev->bd_dev ||
		    found->main_start != a->main_start ||
		    found->unit_sectors != g->unit_sectors ||
		    !found->meta != a->features.volatile_table) {
			if (t || found->meta || found->nr_pending) {
				ti->error = "Reload changes main device, main_start, unit size or persistence of a remapped device";
				r = -EINVAL;
			} else {
				replaced = found;	/* start anew */
				found = NULL;
			}
		} else if (t && t->e[t->nr - 1].lunit >= g->nr_lunits) {
			ti->error = "Reload shortens the target below a remapped unit";
			r = -EINVAL;
		} else if (found->meta &&
			   remap_meta_check_spare_len(found->meta, a->spare_len,
						      &error)) {
			ti->error = (char *)error;
			r = -EINVAL;
		} else {
			/* A larger spare_len: its slot blocks first. */
			if (found->meta) {
				r = remap_meta_extend(found->meta, a->spare_len,
						      writable, &error);
				if (!r)
					g->nr_sunits = remap_meta_nr_units(found->meta,
									   a->spare_len);
			}
			if (r) {
				ti->error = (char *)error;
			} else if (!spare_pool_fits(&found->pool, g->nr_sunits)) {
				ti->error = "Reload shrinks spare_len below a spare unit in use";
				r = -EINVAL;
			} else {
				refcount_inc(&found->ref);
			}
		}
		mutex_unlock(&st->lock);
		if (r)
			goto out;
	}
	if (!found) {
		if (replaced && !remap_state_freeze(replaced, rc)) {
			ti->error = "Reload changes the spare device or spare_start of a remapped device";
			r = -EINVAL;
			goto out;
		}
		st = remap_state_create(ti, a, g, rc->main->bdev,
					rc->spare->bdev, recover_fn,
					scrub_fn);
		if (IS_ERR(st)) {
			r = PTR_ERR(st);
			goto out;
		}
		st->spare_place = place;
		list_add(&st->list, &remap_states);
		found = st;
	}
	rc->nr_sunits = g->nr_sunits;
	remap_state_attach(found, rc);
out:
	if (r && rc->frozen_st) {
		old = rc->frozen_st;
		rc->frozen_st = NULL;
		mutex_lock(&old->lock);
		old->frozen--;
		mutex_unlock(&old->lock);
		if (WARN_ON_ONCE(remap_state_unref(old)))
			remap_state_free(old);
	}
	remap_states_unlock();
	return r;
}

/* Table @rc no longer uses its state (nor the one it froze). */
void remap_state_put(struct remap_c *rc)
{
	struct remap_state *st = rc->st, *old = rc->frozen_st;
	bool free_st, free_old = false;

	remap_states_lock();
	mutex_lock(&st->lock);
	list_del(&rc->st_node);
	remap_state_limits(st);
	mutex_unlock(&st->lock);
	if (old) {
		mutex_lock(&old->lock);
		old->frozen--;
		mutex_unlock(&old->lock);
		free_old = remap_state_unref(old);
	}
	free_st = remap_state_unref(st);
	remap_states_unlock();
	if (free_old)
		remap_state_free(old);
	if (free_st)
		remap_state_free(st);
}
