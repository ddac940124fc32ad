// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-protect.c - the protective mode: the raw main device shows no
 * file system (docs/metadata-format.md, "Protection"; docs/dm-remap.rst,
 * "Protection").
 *
 * "protect <head_sectors> <tail_sectors>" remaps the units holding the
 * target's first and last sectors (with their data, as "remap" does),
 * records them in the superblock, and only then writes the member
 * signature over their main-device copies.  From the record on, those
 * units are never unremapped ("unremap" and "clear" refuse them): their
 * main copies hold the signature, not data.  Relocating them to other
 * spare units stays allowed.
 *
 * "unprotect" copies their data back over the signature, flushes the main
 * device, clears the record, and only then unremaps them (the ordinary
 * unremap, which copies once more with their I/O held).
 *
 * Every crash point leaves the data where the metadata on disk says:
 * a unit is remapped before it is recorded, recorded before its main copy
 * is overwritten, copied back before the record goes, and the record goes
 * before the remap.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/blkdev.h>
#include <linux/sched/mm.h>

#include "dm-remap.h"
#include "remap_meta.h"

/* Zeroes and signatures are written 1 MiB at a time. */
#define REMAP_PROTECT_CHUNK_SECTORS 2048U

/*
 * Read the first logical block at @main_start of @main: *found when it
 * starts with a valid member signature (whose uuid goes to @uuid).  A
 * damaged one is reported and ignored.
 */
int remap_protect_read_member(struct remap_state *st, struct block_device *main,
			      sector_t main_start, u8 *uuid, bool *found)
{
	unsigned int lbs = bdev_logical_block_size(main);
	struct remap_member mb;
	const char *error = NULL;
	u8 *buf;
	int r;

	*found = false;
	if (bdev_nr_sectors(main) < main_start + (lbs >> SECTOR_SHIFT))
		return 0;
	buf = kmalloc(max_t(unsigned int, lbs, REMAP_MEMBER_SIZE), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	r = remap_sync_io(st->io, REQ_OP_READ, main, main_start,
			  lbs >> SECTOR_SHIFT, buf);
	if (r) {
		/* A failing main device: the metadata check still applies. */
		DMWARN("cannot read the main device at sector %llu to look for a member signature: %d",
		       (unsigned long long)main_start, r);
		kfree(buf);
		return 0;
	}
	r = remap_member_decode(buf, &mb, &error);
	if (r < 0)
		DMWARN("main device at sector %llu: %s (ignored)",
		       (unsigned long long)main_start, error);
	if (r > 0) {
		memcpy(uuid, mb.uuid, sizeof(mb.uuid));
		*found = true;
	}
	kfree(buf);
	return 0;
}

/* The protected units of @p as up to two extents; returns how many. */
static unsigned int remap_protect_extents(const struct remap_protect *p,
					  struct remap_extent *x)
{
	unsigned int n = 0;

	if (p->head)
		x[n++] = (struct remap_extent){ 0, p->head - 1 };
	if (p->tail)
		x[n++] = (struct remap_extent){ p->tail_first,
						p->tail_first + p->tail - 1 };
	return n;
}

/*
 * At table load: a protected unit that the metadata does not remap would
 * read the signature as data.  No order of operations leaves that, so
 * the metadata is refused as inconsistent.
 */
int remap_protect_check_load(struct dm_target *ti, struct remap_state *st)
{
	struct remap_table *t = rcu_dereference_protected(st->table, true);
	struct remap_protect p;
	u64 miss;

	remap_meta_get_protect(st->meta, &p, NULL);
	if (!remap_protect_on(&p))
		return 0;
	if (remap_protect_all_remapped(&p, t ? t->e : NULL, t ? t->nr : 0,
				       &miss)) {
		DMINFO("%s: protected: units 0-%u and %u from %llu (the main device holds the member signature there)",
		       dm_device_name(st->md), p.head, p.tail,
		       (unsigned long long)p.tail_first);
		return 0;
	}
	DMERR("%s: metadata protects unit %llu (sector %llu) but does not remap it",
	      dm_device_name(st->md), (unsigned long long)miss,
	      (unsigned long long)(miss << st->unit_shift));
	ti->error = "Metadata protects a unit it does not remap (inconsistent metadata: remapctl check)";
	return -EINVAL;
}

u64 remap_protected_units(struct remap_state *st)
{
	struct remap_protect p;

	if (!st->meta)
		return 0;
	remap_meta_get_protect(st->meta, &p, NULL);
	return (u64)p.head + p.tail;
}

/*
 * Write zeroes over the main-device copies of the units of @x (table
 * sectors only), the member signature in the first 512 bytes of the head
 * and of the last 4 KiB of the tail, then flush the main device.  The
 * units are remapped, so no bio goes to these sectors meanwhile.
 */
static int remap_protect_write_member(struct remap_c *rc,
				      const struct remap_protect *p,
				      const u8 *uuid)
{
	struct remap_state *st = rc->st;
	struct remap_extent x[2];
	struct remap_member mb = {
		.main_start = st->main_start,
		.unit_sectors = st->unit_sectors,
		.prot = *p,
	};
	unsigned int i, n = remap_protect_extents(p, x);
	sector_t first, end, s, len, sig;
	u8 *buf;
	int r = 0;

	memcpy(mb.uuid, uuid, sizeof(mb.uuid));
	buf = kvmalloc(REMAP_PROTECT_CHUNK_SECTORS << SECTOR_SHIFT, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n && !r; i++) {
		first = (sector_t)x[i].first << st->unit_shift;
		end = min_t(sector_t, rc->ti->len,
			    (sector_t)(x[i].last + 1) << st->unit_shift);
		/* The head's signature at its start, the tail's 4 KiB before its end. */
		mb.where = x[i].first ? 1 : 0;
		sig = mb.where && end - first >= 8 ? end - 8 : first;
		for (s = first; s < end && !r; s += len) {
			len = min_t(sector_t, end - s,
				    REMAP_PROTECT_CHUNK_SECTORS);
			memset(buf, 0, len << SECTOR_SHIFT);
			if (sig >= s && sig < s + len)
				remap_member_encode(&mb, buf +
						    ((sig - s) << SECTOR_SHIFT));
			r = remap_sync_io(st->io, REQ_OP_WRITE, rc->main->bdev,
					  st->main_start + s, len, buf);
		}
	}
	kvfree(buf);
	if (!r)
		r = blkdev_issue_flush(rc->main->bdev);
	/* blkid and udev read the raw device through its page cache. */
	invalidate_bdev(rc->main->bdev);
	return r;
}

/* May the protection change now?  st->lock held. */
static int remap_protect_may(struct remap_state *st, const char *verb)
{
	if (!st->meta) {
		DMERR("%s: %s: a volatile table has no metadata to record the protection in",
		      dm_device_name(st->md), verb);
		return -EINVAL;
	}
	if (remap_meta_failed(st->meta))
		return -EROFS;
	if (st->frozen) {
		DMERR("%s: %s: a loaded table replaces this one", dm_device_name(st->md),
		      verb);
		return -EBUSY;
	}
	return 0;
}

/*
 * Take st->lock for a change of the protection, with no I/O reclaim
 * (*@noio, for remap_protect_unlock()), and say whether it may be made.
 */
static int remap_protect_lock(struct remap_state *st, const char *verb,
			      unsigned int *noio)
{
	mutex_lock(&st->lock);
	*noio = memalloc_noio_save();
	return remap_protect_may(st, verb);
}

static void remap_protect_unlock(struct remap_state *st, unsigned int noio)
{
	memalloc_noio_restore(noio);
	mutex_unlock(&st->lock);
}

int remap_protect(struct remap_c *rc, u64 head_sectors, u64 tail_sectors)
{
	struct remap_state *st = rc->st;
	const char *name = dm_device_name(st->md);
	struct remap_protect p, cur;
	struct remap_extent x[2];
	struct remap_table *t;
	const char *error = NULL;
	u64 added, skipped, miss;
	unsigned int noio, n;
	u8 uuid[16];
	int r;

	r = remap_protect_plan(rc->ti->len, st->unit_sectors, head_sectors,
			       tail_sectors, &p, &error);
	if (r) {
		DMERR("%s: %s", name, error);
		return r;
	}
	mutex_lock(&st->lock);
	r = remap_protect_may(st, "protect");
	if (!r) {
		remap_meta_get_protect(st->meta, &cur, NULL);
		if (remap_protect_on(&cur) && memcmp(&cur, &p, sizeof(p))) {
			DMERR("%s: protect: already protected (units 0-%u, %u from %llu): unprotect first",
			      name, cur.head, cur.tail,
			      (unsigned long long)cur.tail_first);
			r = -EEXIST;
		}
	}
	mutex_unlock(&st->lock);
	if (r)
		return r;

	/* 1. Remap what is not remapped yet, with its data. */
	n = remap_protect_extents(&p, x);
	r = remap_extents(rc, x, n, false, &added, &skipped);
	if (r) {
		DMERR("%s: protect: remapping units 0-%u and %u from %llu failed: %d",
		      name, p.head, p.tail, (unsigned long long)p.tail_first, r);
		return r;
	}

	r = remap_protect_lock(st, "protect", &noio);
	if (r)
		goto out;
	t = rcu_dereference_protected(st->table, lockdep_is_held(&st->lock));
	if (!remap_protect_all_remapped(&p, t ? t->e : NULL, t ? t->nr : 0,
					&miss)) {
		DMERR("%s: protect: unit %llu was unremapped meanwhile", name,
		      (unsigned long long)miss);
		r = -EAGAIN;
		goto out;
	}
	/* 2. Record the protection: from here on they stay remapped. */
	remap_meta_get_protect(st->meta, &cur, uuid);
	if (memcmp(&cur, &p, sizeof(p)))
		r = remap_meta_set_protect(st->meta, &p);
	/* 3. Only then overwrite their main copies with the signature. */
	if (!r)
		r = remap_protect_write_member(rc, &p, uuid);
	if (r)
		DMERR("%s: protect failed: %d", name, r);
	else
		DMINFO("%s: protected: units 0-%u and %u from %llu (%llu remapped now)",
		       name, p.head, p.tail, (unsigned long long)p.tail_first,
		       (unsigned long long)added);
out:
	remap_protect_unlock(st, noio);
	return r;
}

int remap_unprotect(struct remap_c *rc)
{
	static const struct remap_protect none;
	struct remap_state *st = rc->st;
	const char *name = dm_device_name(st->md);
	struct remap_entry *e = NULL;
	struct remap_protect p;
	struct remap_extent x[2];
	struct remap_table *t;
	unsigned int i, n, noio;
	size_t nr = 0, lo;
	u64 miss;
	int r;

	r = remap_protect_lock(st, "unprotect", &noio);
	if (r)
		goto out;
	remap_meta_get_protect(st->meta, &p, NULL);
	if (!remap_protect_on(&p)) {
		DMERR("%s: unprotect: the device is not protected", name);
		r = -ENOENT;
		goto out;
	}
	t = rcu_dereference_protected(st->table, lockdep_is_held(&st->lock));
	if (!remap_protect_all_remapped(&p, t ? t->e : NULL, t ? t->nr : 0,
					&miss)) {
		/* remap_protect_check_load() refused such metadata. */
		DMERR("%s: unprotect: protected unit %llu is not remapped",
		      name, (unsigned long long)miss);
		r = -EINVAL;
		goto out;
	}
	/* 1. Copy the data back over the signature, and make it durable. */
	e = kvmalloc_array((size_t)p.head + p.tail, sizeof(*e), GFP_KERNEL);
	if (!e) {
		r = -ENOMEM;
		goto out;
	}
	n = remap_protect_extents(&p, x);
	for (i = 0; i < n; i++) {
		lo = remap_index_lower_bound(t->e, t->nr, x[i].first);
		memcpy(e + nr, t->e + lo,
		       (x[i].last - x[i].first + 1) * sizeof(*e));
		nr += x[i].last - x[i].first + 1;
	}
	r = remap_copy_back(rc, e, nr);
	if (!r)
		r = blkdev_issue_flush(rc->main->bdev);
	if (r) {
		DMERR("%s: unprotect: copying the protected units back failed: %d (still protected)",
		      name, r);
		goto out;
	}
	/* 2. Drop the record: the main copies hold data again. */
	r = remap_meta_set_protect(st->meta, &none);
	if (r)
		DMERR("%s: unprotect: superblock write failed: %d", name, r);
out:
	remap_protect_unlock(st, noio);
	kvfree(e);
	if (r)
		return r;
	/* 3. Only then unremap them, the ordinary way (copied once more). */
	for (i = 0; i < n && !r; i++)
		r = unremap_units(rc, x[i].first, x[i].last, false);
	invalidate_bdev(rc->main->bdev);
	if (r)
		DMERR("%s: unprotect: no longer protected, but unremapping the units failed: %d (they stay remapped)",
		      name, r);
	else
		DMINFO("%s: unprotected", name);
	return r;
}
