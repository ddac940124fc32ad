// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-message.c - "dmsetup message <dev> 0 <verb> ...".
 *
 *   remap <sector> [<nr_sectors>]     remap the units holding those sectors
 *   remap_many [zero_fill] <sector>[+<nr>]...
 *                                     the same for many extents at once,
 *                                     skipping units already remapped
 *                                     (zero_fill: zeroes, counted lost)
 *   unremap <sector> [<nr_sectors>]   move them back to the main device
 *   clear                             unremap every unit
 *   list                              one line per remapped unit
 *   stats                             every counter, one "name value" line
 *   auto_remap on|off                 the error path remaps failing units
 *   read_retries <n>                  re-reads of a failed read (0-16)
 *   scrub start [<sector> <nr>]       read every unit in the background
 *   scrub pause|resume|cancel         (dm-remap-scrub.c)
 *   scrub_rate <KiB/s>                the scrubber's rate cap (0: none)
 *   scrub_slow_ms <ms>                a slower read is weak (0: off)
 *   protect <head> <tail>             hide the raw main device's signatures
 *   unprotect                         undo it (dm-remap-protect.c)
 *   identity <serial>|- <wwn>|- <partition>
 *                                     record the device's name and the
 *                                     main device's identity in the
 *                                     superblock (for assemble --scan)
 *
 * The syntax is checked by core/remap_args.c.  A refused message changes
 * nothing; the reason goes to the kernel log, the errno to the caller
 * (EINVAL bad message, EEXIST already remapped, ENOENT not remapped,
 * ENOSPC spare pool too small, EIO the data could not be moved, EUCLEAN
 * its commit failed with an unknown outcome, EROFS metadata read-only,
 * EBUSY a loaded table replaces this one, EPERM the unit is protected),
 * as the
 * ioctl carries no text back on failure.
 */
#include <linux/slab.h>
#include <linux/sort.h>

#include "dm-remap.h"

/* "<logical_sector> <spare_sector> <nr_sectors>" per remapped unit. */
static int remap_list(struct remap_c *rc, char *result, unsigned int maxlen)
{
	struct remap_state *st = rc->st;
	struct remap_table *t;
	unsigned int sz = 0;
	size_t i;
	int idx;

	idx = srcu_read_lock(&st->io_srcu);
	t = srcu_dereference(st->table, &st->io_srcu);
	for (i = 0; t && i < t->nr && sz < maxlen; i++)
		DMEMIT("%llu %llu %llu\n",
		       (unsigned long long)(t->e[i].lunit << st->unit_shift),
		       (unsigned long long)remap_unit_to_spare(st, t->e[i].sunit),
		       (unsigned long long)st->unit_sectors);
	srcu_read_unlock(&st->io_srcu, idx);
	return 1;
}

static int remap_cmp_extent(const void *a, const void *b)
{
	const struct remap_extent *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * "remap_many [zero_fill] <extent>...": the units of every extent, sorted
 * and merged, then remapped (zero_fill: zero-filled, not copied); answers
 * "<remapped_units> <skipped_units>".
 */
static int remap_many(struct remap_c *rc, const struct remap_msg *m,
		      char **argv, char *result, unsigned int maxlen)
{
	struct remap_state *st = rc->st;
	struct remap_extent *x;
	unsigned int i, n = 0, sz = 0;
	u64 sector, nr, added, skipped;
	const char *error;
	int r;

	x = kvmalloc_array(m->nr_extents, sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	for (i = m->first_extent; i < m->first_extent + m->nr_extents; i++) {
		/* Checked by remap_parse_message() already. */
		if (remap_parse_extent(argv[i], rc->ti->len, &sector, &nr,
				       &error)) {
			kvfree(x);
			return -EINVAL;
		}
		x[n].first = sector >> st->unit_shift;
		x[n].last = (sector + nr - 1) >> st->unit_shift;
		n++;
	}
	/* remapctl sends them sorted: then the sort is one pass. */
	for (i = 1; i < n && x[i - 1].first <= x[i].first; i++)
		;
	if (i < n)
		sort(x, n, sizeof(*x), remap_cmp_extent, NULL);
	for (i = 1, nr = n ? 1 : 0; i < n; i++) {
		if (x[i].first <= x[nr - 1].last + 1)
			x[nr - 1].last = max(x[nr - 1].last, x[i].last);
		else
			x[nr++] = x[i];
	}
	r = remap_extents(rc, x, nr, m->value, &added, &skipped);
	kvfree(x);
	if (r == -ENOSPC)
		DMERR("%s: remap_many: spare pool has %llu free units, fewer than needed",
		      dm_device_name(st->md),
		      (unsigned long long)spare_pool_free_units(&st->pool));
	else if (r)
		DMERR("%s: remap_many failed after %llu units: %d",
		      dm_device_name(st->md), (unsigned long long)added, r);
	if (r)
		return r;
	DMEMIT("%llu %llu", (unsigned long long)added,
	       (unsigned long long)skipped);
	return 1;
}

void remap_status_get(struct remap_c *rc, struct remap_status *s)
{
	struct remap_state *st = rc->st;
	u64 used = READ_ONCE(st->pool.nr_used);
	u64 total = READ_ONCE(st->pool.nr_units);
	struct remap_scrub_ckpt ck;
	u64 *v = s->v;

	remap_scrub_snapshot(&st->scrub, &ck);
	v[REMAP_F_UNIT_SECTORS] = st->unit_sectors;
	v[REMAP_F_REMAPPED_UNITS] = remap_table_count(st);
	v[REMAP_F_SPARE_UNITS] = total;
	v[REMAP_F_SPARE_USED] = used;
	v[REMAP_F_SPARE_FREE] = total - used;
	v[REMAP_F_RETIRED_UNITS] = atomic64_read(&st->nr_retired);
	v[REMAP_F_PENDING_UNITS] = READ_ONCE(st->nr_pending);
	v[REMAP_F_REALLOCATION_EVENTS] =
		atomic64_read(&st->counters[REMAP_CTR_REALLOC_EVENTS]);
	v[REMAP_F_AUTO_REMAPS] =
		atomic64_read(&st->counters[REMAP_CTR_AUTO_REMAPS]);
	v[REMAP_F_UNCORRECTABLE_READS] =
		atomic64_read(&st->counters[REMAP_CTR_UNCORRECTABLE]);
	v[REMAP_F_SPARE_ERRORS] =
		atomic64_read(&st->counters[REMAP_CTR_SPARE_ERRORS]);
	v[REMAP_F_LOST_SECTORS] =
		atomic64_read(&st->counters[REMAP_CTR_LOST_SECTORS]);
	v[REMAP_F_METADATA] = remap_meta_state(st);
	v[REMAP_F_AUTO_REMAP] = READ_ONCE(rc->auto_remap) ? REMAP_W_ON :
							     REMAP_W_OFF;
	v[REMAP_F_READ_RETRIES] = READ_ONCE(rc->read_retries);
	v[REMAP_F_SPARE_EXHAUSTED] = remap_spare_exhausted(st) ? REMAP_W_ON :
								 REMAP_W_OFF;
	v[REMAP_F_DOUBT_UNITS] = READ_ONCE(st->nr_doubt);
	v[REMAP_F_SCRUB_STATE] = ck.state;
	v[REMAP_F_SCRUB_START] = ck.start;
	v[REMAP_F_SCRUB_POSITION] = ck.pos;
	v[REMAP_F_SCRUB_END] = ck.end;
	v[REMAP_F_SCRUB_PASSES] = ck.passes;
	v[REMAP_F_SCRUB_LAST_PASS_END] = ck.last_pass_end;
	v[REMAP_F_SCRUB_READ_ERRORS] = ck.read_errors;
	v[REMAP_F_SCRUB_RELOCATED] = ck.relocated;
	v[REMAP_F_SCRUB_WEAK] = ck.weak;
	v[REMAP_F_SCRUB_PENDING] = ck.pending;
	v[REMAP_F_SCRUB_META_REPAIRED] = ck.meta_repaired;
	v[REMAP_F_SCRUB_RATE] = READ_ONCE(st->scrub.rate);
	v[REMAP_F_SCRUB_SLOW_MS] = READ_ONCE(st->scrub.slow_ms);
	v[REMAP_F_PROTECTED_UNITS] = remap_protected_units(st);
}

/* "stats": every field of core's table, one "<key> <value>" line each. */
static int remap_stats(struct remap_c *rc, char *result, unsigned int maxlen)
{
	struct remap_status s;

	remap_status_get(rc, &s);
	remap_status_format(&s, false, result, maxlen);
	return 1;
}

/*
 * "identity ...": the name the device has now and the main device's
 * identity that userspace read from udev, into the superblock.
 */
static int remap_identity(struct remap_c *rc, struct remap_msg *m)
{
	struct remap_state *st = rc->st;
	const char *error = NULL;
	char *name;
	int r;

	if (!st->meta) {
		DMERR("%s: identity: a volatile table has no metadata",
		      dm_device_name(st->md));
		return -EINVAL;
	}
	name = kmalloc(DM_NAME_LEN, GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	remap_dm_name(st->md, name);
	mutex_lock(&st->lock);
	r = remap_meta_set_identity(st->meta, name, m->serial, m->wwn,
				    (u32)m->value, &error);
	mutex_unlock(&st->lock);
	if (r)
		DMERR("%s: %s", dm_device_name(st->md),
		      error ? error : "identity failed");
	kfree(name);
	return r;
}

static void remap_message_failed(struct remap_c *rc, struct remap_msg *m,
				 int r)
{
	struct remap_state *st = rc->st;
	const char *name = dm_device_name(st->md);
	unsigned long long s = m->sector, n = m->nr_sectors;

	switch (r) {
	case -EEXIST:
		DMERR("%s: remap %llu %llu: a unit in that range is already remapped",
		      name, s, n);
		break;
	case -ENOENT:
		DMERR("%s: unremap %llu %llu: a unit in that range is not remapped",
		      name, s, n);
		break;
	case -ENOSPC:
		DMERR("%s: remap %llu %llu: spare pool has %llu free units, fewer than needed",
		      name, s, n,
		      (unsigned long long)spare_pool_free_units(&st->pool));
		break;
	default:
		DMERR("%s: %s %llu %llu failed: %d", name,
		      m->op == REMAP_MSG_REMAP ? "remap" : "unremap", s, n, r);
	}
}

int remap_message(struct dm_target *ti, unsigned int argc, char **argv,
		  char *result, unsigned int maxlen)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;
	const char *error;
	struct remap_health before;
	struct remap_msg m;
	u64 first, last;
	int r;

	r = remap_parse_message(argc, argv, ti->len, &m, &error);
	if (r) {
		DMERR("%s: %s", dm_device_name(st->md), error);
		return r;
	}

	remap_health_get(st, &before);
	first = m.sector >> st->unit_shift;
	last = (m.sector + m.nr_sectors - 1) >> st->unit_shift;
	switch (m.op) {
	case REMAP_MSG_LIST:
		return remap_list(rc, result, maxlen);
	case REMAP_MSG_STATS:
		return remap_stats(rc, result, maxlen);
	case REMAP_MSG_AUTO_REMAP:
		WRITE_ONCE(rc->auto_remap, m.value);
		return 0;
	case REMAP_MSG_READ_RETRIES:
		WRITE_ONCE(rc->read_retries, m.value);
		return 0;
	case REMAP_MSG_SCRUB:
	case REMAP_MSG_SCRUB_RATE:
	case REMAP_MSG_SCRUB_SLOW_MS:
		return remap_scrub_message(rc, &m);
	case REMAP_MSG_IDENTITY:
		return remap_identity(rc, &m);
	case REMAP_MSG_REMAP_MANY:
		r = remap_many(rc, &m, argv, result, maxlen);
		if (remap_health_changed(st, &before))
			dm_table_event(ti->table);
		return r;
	case REMAP_MSG_CLEAR:
		r = unremap_units(rc, 0, rc->nr_lunits - 1, false);
		break;
	case REMAP_MSG_PROTECT:
		r = remap_protect(rc, m.sector, m.value);
		if (remap_health_changed(st, &before))
			dm_table_event(ti->table);
		return r;
	case REMAP_MSG_UNPROTECT:
		r = remap_unprotect(rc);
		if (remap_health_changed(st, &before))
			dm_table_event(ti->table);
		return r;
	case REMAP_MSG_REMAP:
		r = remap_units(rc, first, last);
		break;
	case REMAP_MSG_UNREMAP:
		r = unremap_units(rc, first, last, true);
		break;
	default:
		return -EINVAL;
	}
	if (r)
		remap_message_failed(rc, &m, r);
	/*
	 * Every change makes a new index; a failed commit, a lost sector or
	 * a unit in doubt changes the status too: wake "dmsetup wait" and
	 * remapd.
	 */
	if (remap_health_changed(st, &before))
		dm_table_event(ti->table);
	return r;
}
