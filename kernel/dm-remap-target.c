// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-target.c - the "remap" target: software bad-sector reallocation.
 *
 * Table line:
 *   <start> <len> remap <main_dev> <main_start> <spare_dev> <spare_start>
 *       <spare_len> [<#feature_args> <feature_arg>...]
 *
 * Logical sectors listed in the remap index are served from units of the
 * spare area; everything else passes straight to the main device.  See
 * docs/dm-remap.rst for the interface and dm-remap.h for a map of the code.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/blkdev.h>

#include "dm-remap.h"
#include "remap_version.h"

/* Fill in what the geometry check needs to know about the devices. */
static void remap_read_geometry(struct dm_target *ti, struct remap_c *rc,
				struct remap_ctr_args *a,
				struct remap_geometry *g)
{
	struct block_device *main = rc->main->bdev;
	struct block_device *spare = rc->spare->bdev;

	memset(g, 0, sizeof(*g));
	g->target_len = ti->len;
	g->main_dev_sectors = bdev_nr_sectors(main);
	g->main_start = a->main_start;
	g->spare_dev_sectors = bdev_nr_sectors(spare);
	g->spare_start = a->spare_start;
	g->spare_len = a->spare_len;
	g->main_lbs = bdev_logical_block_size(main);
	g->spare_lbs = bdev_logical_block_size(spare);
	g->main_pbs = bdev_physical_block_size(main);
	g->unit_sectors = a->features.unit_sectors;
	g->same_device = main == spare;
}

/*
 * Main and spare may be two partitions of one disk, or a disk and one of
 * its partitions: compare the ranges on the whole disk, not the numbers
 * the user typed.
 */
static int remap_check_disk_overlap(struct remap_c *rc,
				    struct remap_ctr_args *a, sector_t len)
{
	struct block_device *main = rc->main->bdev;
	struct block_device *spare = rc->spare->bdev;
	sector_t m0, s0;

	if (main == spare || bdev_whole(main) != bdev_whole(spare))
		return 0;
	m0 = get_start_sect(main) + a->main_start;
	s0 = get_start_sect(spare) + a->spare_start;
	if (m0 < s0 + a->spare_len && s0 < m0 + len)
		return -EINVAL;
	return 0;
}

static int remap_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct remap_ctr_args a;
	struct remap_geometry g;
	struct remap_c *rc;
	const char *error;
	int r;

	r = remap_parse_ctr(argc, argv, &a, &error);
	if (r) {
		ti->error = (char *)error;
		return r;
	}

	rc = kzalloc(sizeof(*rc), GFP_KERNEL);
	if (!rc) {
		ti->error = "Cannot allocate remap context";
		return -ENOMEM;
	}
	rc->ti = ti;

	r = dm_get_device(ti, a.main_path, dm_table_get_mode(ti->table),
			  &rc->main);
	if (r) {
		ti->error = "Main device lookup failed";
		goto bad;
	}
	r = dm_get_device(ti, a.spare_path, dm_table_get_mode(ti->table),
			  &rc->spare);
	if (r) {
		ti->error = "Spare device lookup failed";
		goto bad;
	}

	remap_read_geometry(ti, rc, &a, &g);
	r = remap_geometry_check(&g, &error);
	if (r) {
		ti->error = (char *)error;
		goto bad;
	}
	r = remap_check_disk_overlap(rc, &a, ti->len);
	if (r) {
		ti->error = "Main and spare ranges overlap on the same disk";
		goto bad;
	}
	rc->spare_len = a.spare_len;
	rc->nr_lunits = g.nr_lunits;
	rc->main_avail = bdev_nr_sectors(rc->main->bdev) - a.main_start;
	rc->unit_sectors_given = a.features.unit_sectors != 0;
	rc->volatile_table = a.features.volatile_table;
	rc->auto_remap = !a.features.no_auto_remap;
	rc->read_retries = a.features.read_retries;

	/*
	 * A new state's recovery worker runs remap_recover_work(), its
	 * scrubber remap_scrub_work().
	 */
	r = remap_state_get(rc, &a, &g, remap_recover_work,
			    remap_scrub_work);
	if (r)
		goto bad;

	/* A flush must reach both devices: bio 0 to main, 1 to spare. */
	ti->num_flush_bios = 2;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct remap_io);
	/* Bios held during a move are sent later with dm_submit_bio_remap. */
	ti->accounts_remapped_io = true;
	ti->private = rc;
	return 0;

bad:
	if (rc->spare)
		dm_put_device(ti, rc->spare);
	if (rc->main)
		dm_put_device(ti, rc->main);
	kfree(rc);
	return r;
}

static void remap_dtr(struct dm_target *ti)
{
	struct remap_c *rc = ti->private;

	remap_scrub_suspend(rc);	/* presuspend did, when it was live */
	remap_state_put(rc);
	dm_put_device(ti, rc->spare);
	dm_put_device(ti, rc->main);
	kfree(rc);
}

/* A table with a larger spare_len grows the pool as it goes live. */
static int remap_preresume(struct dm_target *ti)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;
	int r;

	mutex_lock(&st->lock);
	r = remap_state_resize_pool(st, rc->nr_sunits);
	if (!r && spare_pool_free_units(&st->pool))
		st->exhausted = false;
	mutex_unlock(&st->lock);
	if (r)
		DMERR("%s: cannot resize the spare pool to %llu units: %d",
		      dm_device_name(st->md),
		      (unsigned long long)rc->nr_sunits, r);
	return r;
}

/*
 * The table line, with the feature arguments that differ from the
 * defaults as they are now (a message may have changed auto_remap or
 * read_retries), so that reloading what "dmsetup table" shows keeps them.
 */
static void remap_emit_table(struct remap_c *rc, char *result,
			     unsigned int maxlen)
{
	const struct remap_feature_info *w = remap_feature_words;
	struct remap_state *st = rc->st;
	unsigned int retries = READ_ONCE(rc->read_retries);
	bool no_auto = !READ_ONCE(rc->auto_remap);
	bool retries_set = retries != REMAP_DEFAULT_READ_RETRIES;
	unsigned int sz = 0, n;

	DMEMIT("%s %llu %s %llu %llu", rc->main->name,
	       (unsigned long long)st->main_start, rc->spare->name,
	       (unsigned long long)st->spare_start,
	       (unsigned long long)rc->spare_len);
	n = (rc->unit_sectors_given ? 2 : 0) + rc->volatile_table + no_auto +
	    (retries_set ? 2 : 0);
	if (n)
		DMEMIT(" %u", n);
	/* The words of core's table, in its order. */
	if (rc->unit_sectors_given)
		DMEMIT(" %s %u", w[REMAP_FEAT_UNIT_SECTORS].word,
		       st->unit_sectors);
	if (rc->volatile_table)
		DMEMIT(" %s", w[REMAP_FEAT_VOLATILE].word);
	if (no_auto)
		DMEMIT(" %s", w[REMAP_FEAT_NO_AUTO_REMAP].word);
	if (retries_set)
		DMEMIT(" %s %u", w[REMAP_FEAT_READ_RETRIES].word, retries);
}

/* The table goes live (or a suspend failed): the scrubber goes on. */
static void remap_resume(struct dm_target *ti)
{
	remap_scrub_resume(ti->private);
}

/*
 * Stop the scrubber before the device suspends, without losing its place:
 * it reads the devices of this table, which a reload may replace.
 */
static void remap_presuspend(struct dm_target *ti)
{
	remap_scrub_suspend(ti->private);
}

/*
 * Suspended: every bio has completed (the recovery worker's included), so
 * the counters are final for now; keep them.
 */
static void remap_postsuspend(struct dm_target *ti)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;

	flush_workqueue(st->wq);
	mutex_lock(&st->lock);
	remap_save_counters(st);
	mutex_unlock(&st->lock);
}

static void remap_status(struct dm_target *ti, status_type_t type,
			 unsigned int status_flags, char *result,
			 unsigned int maxlen)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;
	struct remap_status s;
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		remap_status_get(rc, &s);
		remap_status_format(&s, true, result, maxlen);
		break;
	case STATUSTYPE_TABLE:
		remap_emit_table(rc, result, maxlen);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",main_device=%s,main_start=%llu,spare_device=%s,spare_start=%llu,spare_len=%llu,unit_sectors=%u;",
		       rc->main->name, (unsigned long long)st->main_start,
		       rc->spare->name, (unsigned long long)st->spare_start,
		       (unsigned long long)rc->spare_len, st->unit_sectors);
		break;
	}
}

static int remap_iterate_devices(struct dm_target *ti,
				 iterate_devices_callout_fn fn, void *data)
{
	struct remap_c *rc = ti->private;
	int r;

	r = fn(ti, rc->main, rc->st->main_start, ti->len, data);
	if (!r)
		r = fn(ti, rc->spare, rc->st->spare_start, rc->spare_len, data);
	return r;
}

/*
 * Suggest I/O in whole units (as dm-era does with its blocks): aligned
 * I/O of a unit or more never needs cutting at a remapped unit.
 */
static void remap_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	struct remap_c *rc = ti->private;
	unsigned int unit_bytes = rc->st->unit_sectors << SECTOR_SHIFT;

	if (limits->io_opt < unit_bytes || limits->io_opt % unit_bytes) {
		limits->io_min = max(limits->io_min, unit_bytes);
		limits->io_opt = unit_bytes;
	}
}

static struct target_type remap_target = {
	.name = "remap",
	.version = {DM_REMAP_VERSION_MAJOR, DM_REMAP_VERSION_MINOR,
		     DM_REMAP_VERSION_PATCH},
	.module = THIS_MODULE,
	.ctr = remap_ctr,
	.dtr = remap_dtr,
	.map = remap_map,
	.end_io = remap_end_io,
	.preresume = remap_preresume,
	.resume = remap_resume,
	.presuspend = remap_presuspend,
	.presuspend_undo = remap_resume,
	.postsuspend = remap_postsuspend,
	.status = remap_status,
	.message = remap_message,
	.iterate_devices = remap_iterate_devices,
	.io_hints = remap_io_hints,
};

static int __init dm_remap_init(void)
{
	int r;

	remap_lockdep_prime();
	r = dm_register_target(&remap_target);
	if (r < 0) {
		DMERR("register failed %d", r);
		return r;
	}
	remap_debugfs_init();
	return 0;
}

static void __exit dm_remap_exit(void)
{
	remap_debugfs_exit();
	dm_unregister_target(&remap_target);
}

module_init(dm_remap_init);
module_exit(dm_remap_exit);

MODULE_DESCRIPTION(DM_NAME " target for software bad-sector reallocation");
MODULE_AUTHOR("dm-remap developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DM_REMAP_VERSION);
