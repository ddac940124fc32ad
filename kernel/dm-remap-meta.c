// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-meta.c - the persistent remap table: loading, formatting and
 * committing the metadata at the start of the spare area.
 *
 * The format and the reasoning for why a crash at any instant is safe are
 * in docs/metadata-format.md; the bytes are encoded and checked by
 * core/remap_meta.c, the very code remapctl uses.  This file only moves
 * blocks (synchronous dm-io).
 *
 * The slot table is not kept in memory (issue 18: it cost 8 bytes per
 * spare unit, more than the index of a million remaps).  Of each loaded
 * slot block only the seq of the commit that last wrote it and the
 * CRC-32C of its entries are (12 bytes a block of 508 slots): together
 * they say which bytes the block must hold.  A commit reads the changed
 * blocks back from the disk, copy A, or copy B where A is not exactly
 * what the last commit left (meta_read_current()), changes the entries,
 * and writes copy A then copy B as before.  Reading back was chosen over
 * rebuilding a block from the index and the spare pool (a reverse
 * lookup): the disk holds the slots exactly, retired and in-doubt units
 * included, while the index and the pool do not tell a retired unit from
 * one a move has taken but not committed yet.  No cache is kept: the
 * blocks of a commit are read into its own buffers and freed with them.
 * The price: a block neither copy of which can be read back as last
 * committed (both damaged since) cannot be changed or rewritten any more;
 * the commit or the scrub that finds it fails the metadata (read-only
 * table) instead of writing a guess.
 *
 * Only the initialized slot blocks are loaded (docs/metadata-format.md,
 * "Initialized slot blocks"): those a spare_len has needed so far, not the
 * whole slot capacity, which may reach to the end of a large spare
 * device.  A table with a larger spare_len first initializes the blocks it
 * needs (remap_meta_extend()).
 *
 * The metadata commit is remap_meta_set_slots(): copy A of every changed
 * block with REQ_PREFLUSH | REQ_FUA (the flush also makes the unit data
 * copied just before durable), then copy B with REQ_FUA.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <linux/dm-io.h>
#include <linux/sort.h>
#include <linux/sched/mm.h>

#include "dm-remap.h"
#include "remap_meta.h"

/* Blocks read or written by one dm-io call: 1 MiB. */
#define META_CHUNK_BLOCKS 256U

/*
 * Synchronous dm-io of one region, the one wrapper every metadata block
 * and every data copy of a move goes through.
 */
int remap_sync_io(struct dm_io_client *client, blk_opf_t opf,
		  struct block_device *bdev, sector_t sector, sector_t count,
		  void *buf)
{
	struct dm_io_region where = {
		.bdev = bdev,
		.sector = sector,
		.count = count,
	};
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = is_vmalloc_addr(buf) ? DM_IO_VMA : DM_IO_KMEM,
		.mem.ptr.addr = buf,	/* a union with .vma */
		.client = client,
	};
	unsigned long error_bits = 0;
	int r;

	r = dm_io(&req, 1, &where, &error_bits, IOPRIO_DEFAULT);
	return r ? r : (error_bits ? -EIO : 0);
}

struct remap_meta {
	struct dm_io_client *io;
	struct block_device *bdev;	/* the spare device */
	sector_t start;			/* spare_start: block 0 */
	struct remap_sb sb;		/* current superblock */
	u64 seq;			/* highest commit sequence written */
	u64 *pending;			/* pending_blocks * PER_BLOCK entries */
	u64 *slot_seq;			/* seq of the commit that last wrote
					 * each slot block */
	u32 *slot_crc;			/* CRC-32C of each slot block's entries */
	u64 nr_blocks;			/* slot blocks loaded */
	u64 alloc_blocks;		/* room in slot_seq and slot_crc */
	u64 nr_in_use;			/* in-use slots found at load */
	int sb_stale;			/* superblock copy to rewrite, or -1 */
	bool writable;			/* the table may write (repairs) */
	bool failed;			/* a commit failed: no more changes */
};

static int meta_io(struct remap_meta *m, blk_opf_t opf, u64 block,
		   u64 nr_blocks, void *buf)
{
	return remap_sync_io(m->io, opf, m->bdev,
			     m->start + block * REMAP_META_BLOCK_SECTORS,
			     nr_blocks * REMAP_META_BLOCK_SECTORS, buf);
}

/*
 * The slots of the loaded blocks that the slot capacity covers: every
 * spare unit a table of this metadata may use is one of them.
 */
static u64 meta_nr_slots(struct remap_meta *m)
{
	return remap_meta_block_slots(&m->sb.layout, m->nr_blocks);
}

/*
 * Write blocks that are consecutive in the layout: the first write of a
 * commit carries REQ_PREFLUSH, so everything written before (the units'
 * data) is durable before the metadata says where it is.
 */
static int meta_write(struct remap_meta *m, u64 block, u64 nr, void *buf,
		      bool preflush)
{
	return meta_io(m, REQ_OP_WRITE | REQ_FUA | REQ_SYNC |
		       (preflush ? REQ_PREFLUSH : 0), block, nr, buf);
}

/*
 * Encode blocks [first_block, first_block + nr) of a region into @buf,
 * from @entries (those of block @first_block on).
 */
static void meta_encode_run(struct remap_meta *m, u32 magic,
			    const u64 *entries, u64 region, u64 first_block,
			    u64 nr, u8 *buf)
{
	u64 i;

	for (i = 0; i < nr; i++)
		remap_entries_encode(magic, m->sb.instance,
				     region + first_block + i, m->seq,
				     entries + i * REMAP_META_PER_BLOCK,
				     buf + i * REMAP_META_BLOCK_SIZE);
}

/*
 * Write blocks [first, first + nr) of a region to both copies, from
 * @entries (those of block @first on).
 */
static int meta_write_both(struct remap_meta *m, u32 magic,
			   const u64 *entries, u64 region_a, u64 region_b,
			   u64 first, u64 nr, u8 *buf, bool *preflush)
{
	int r;

	meta_encode_run(m, magic, entries, region_a, first, nr, buf);
	r = meta_write(m, region_a + first, nr, buf, *preflush);
	*preflush = false;
	if (r)
		return r;
	meta_encode_run(m, magic, entries, region_b, first, nr, buf);
	return meta_write(m, region_b + first, nr, buf, false);
}

/*
 * A commit that failed leaves the on-disk state unknown: mark the metadata
 * failed, so no later change is made on top of it.  Returns @r.
 */
static int meta_commit_result(struct remap_meta *m, int r, const char *what)
{
	if (r) {
		DMERR("metadata %s failed (%d): the remap table is now read-only",
		      what, r);
		m->failed = true;
	}
	return r;
}

/* The CRC-32C of a slot block's entries, as kept in m->slot_crc. */
static u32 meta_entries_crc(const u64 *entries)
{
	return remap_crc32c(entries, REMAP_META_PER_BLOCK * sizeof(u64));
}

/*
 * Is @b, read from copy @region of slot block @blk, exactly what the last
 * commit of that block wrote (valid, its seq, its entries)?  Its entries
 * are decoded into @e either way.
 */
static bool meta_block_current(struct remap_meta *m, u64 region, u64 blk,
			       const u8 *b, u64 *e)
{
	u64 seq;

	return !remap_entries_decode(b, REMAP_MAGIC_SLOTS, m->sb.instance,
				     region + blk, &seq, e) &&
	       seq == m->slot_seq[blk] &&
	       meta_entries_crc(e) == m->slot_crc[blk];
}

/*
 * The entries of slot blocks [first, first + nr) as the last commit left
 * them, into @e (@nr <= META_CHUNK_BLOCKS, @buf as many blocks): copy A,
 * read as one run, and where a block of it is not that (unreadable, torn,
 * stale), that block of copy B.  -EIO when neither copy of a block is:
 * its state is then known nowhere.
 */
static int meta_read_current(struct remap_meta *m, u64 first, u64 nr,
			     u64 *e, u8 *buf)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	int rd = meta_io(m, REQ_OP_READ, l->slots_a + first, nr, buf);
	u64 i, *ei;
	u8 *b;

	for (i = 0; i < nr; i++) {
		b = buf + i * REMAP_META_BLOCK_SIZE;
		ei = e + i * REMAP_META_PER_BLOCK;
		/* A failed run: this block of copy A alone first. */
		if ((!rd || !meta_io(m, REQ_OP_READ, l->slots_a + first + i,
				     1, b)) &&
		    meta_block_current(m, l->slots_a, first + i, b, ei))
			continue;
		if (!meta_io(m, REQ_OP_READ, l->slots_b + first + i, 1, b) &&
		    meta_block_current(m, l->slots_b, first + i, b, ei))
			continue;
		DMERR("metadata slot block %llu: neither copy holds what its last commit wrote",
		      (unsigned long long)(first + i));
		return -EIO;
	}
	return 0;
}

/* The slot block of spare unit @sunit. */
static u64 meta_block_of(u64 sunit)
{
	return div_u64(sunit, REMAP_META_PER_BLOCK);
}

/*
 * Runs of consecutive blocks of @blocks (@nb, ascending) from @k, at most
 * META_CHUNK_BLOCKS long: the length of the one starting at @k.
 */
static u64 meta_run_len(const u64 *blocks, u64 nb, u64 k)
{
	u64 j;

	for (j = k + 1; j < nb && blocks[j] == blocks[j - 1] + 1 &&
	     j - k < META_CHUNK_BLOCKS; j++)
		;
	return j - k;
}

/*
 * Write the changed blocks @blocks (@nb, ascending; their entries in @e)
 * to both copies with a new seq, a run at a time; @preflush for the first
 * write.  On success each block's seq and CRC are recorded; the first
 * error is returned (the blocks after it are still tried when @all).
 */
static int meta_write_blocks(struct remap_meta *m, const u64 *blocks, u64 nb,
			     const u64 *e, u8 *buf, bool preflush, bool all)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u64 k, i, len;
	int r = 0, w;

	m->seq++;
	for (k = 0; k < nb && (all || !r); k += len) {
		len = all ? 1 : meta_run_len(blocks, nb, k);
		w = meta_write_both(m, REMAP_MAGIC_SLOTS,
				    e + k * REMAP_META_PER_BLOCK, l->slots_a,
				    l->slots_b, blocks[k], len, buf,
				    &preflush);
		if (w) {
			r = r ? r : w;
			continue;
		}
		for (i = k; i < k + len; i++) {
			m->slot_seq[blocks[i]] = m->seq;
			m->slot_crc[blocks[i]] =
				meta_entries_crc(e + i * REMAP_META_PER_BLOCK);
		}
	}
	return r;
}

/*
 * The one commit of slot changes: apply @c (@n changes, any order, each
 * spare unit at most once; sorted here by spare unit, in place) and commit
 * the blocks that hold them, copy A then copy B.  The blocks' other
 * entries are read back from the disk first (meta_read_current()).  On
 * failure the old state is written back over both copies with a newer seq
 * and the metadata is marked failed: no further change is made.  Returns
 * 0; -EROFS (failed before: nothing written); -ENOMEM (nothing written);
 * -EIO (nothing written, a block could not be read back; or the old state
 * is back on disk); or -REMAP_EDOUBT (the old state could not be written
 * back either: each block on disk may hold the old or the new state).
 */
int remap_meta_set_slots(struct remap_meta *m, struct remap_slot_change *c,
			 size_t n)
{
	u64 *old = NULL, *e = NULL, *blocks = NULL, nb, k, len;
	u8 *buf = NULL;
	size_t i;
	int r = 0;

	if (!n)
		return 0;
	if (m->failed)
		return -EROFS;
	/*
	 * remap_many and the error path hand the changes over sorted (the
	 * pool gives out the lowest free units): one pass says so, and the
	 * heapsort (O(n log n) on sorted input too) is skipped.
	 */
	for (i = 1; i < n && c[i - 1].sunit < c[i].sunit; i++)
		;
	if (i < n)
		sort(c, n, sizeof(*c), remap_cmp_slot_change, NULL);
	/* The pool hands out only units whose slot block is loaded. */
	if (WARN_ON_ONCE(c[n - 1].sunit >= meta_nr_slots(m)))
		return -EINVAL;
	for (i = 1, nb = 1; i < n; i++)
		nb += meta_block_of(c[i].sunit) != meta_block_of(c[i - 1].sunit);
	old = kvmalloc_array(n, sizeof(*old), GFP_NOIO);
	blocks = kvmalloc_array(nb, sizeof(*blocks), GFP_NOIO);
	e = kvmalloc_array(nb * REMAP_META_PER_BLOCK, sizeof(*e), GFP_NOIO);
	buf = kvmalloc(REMAP_META_BLOCK_SIZE * min_t(u64, nb, META_CHUNK_BLOCKS),
		       GFP_NOIO);
	if (!old || !blocks || !e || !buf) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0, k = 0; i < n; i++)
		if (!i || meta_block_of(c[i].sunit) != blocks[k - 1])
			blocks[k++] = meta_block_of(c[i].sunit);
	for (k = 0; k < nb && !r; k += len) {
		len = meta_run_len(blocks, nb, k);
		r = meta_read_current(m, blocks[k], len,
				      e + k * REMAP_META_PER_BLOCK, buf);
	}
	if (meta_commit_result(m, r, "read-back"))
		goto out;
	for (i = 0, k = 0; i < n; i++) {
		u64 *slot;

		while (blocks[k] != meta_block_of(c[i].sunit))
			k++;
		slot = e + k * REMAP_META_PER_BLOCK +
		       (c[i].sunit - blocks[k] * REMAP_META_PER_BLOCK);
		old[i] = *slot;
		*slot = c[i].value;
	}

	r = meta_write_blocks(m, blocks, nb, e, buf, true, false);
	if (meta_commit_result(m, r, "commit")) {
		for (i = n, k = nb - 1; i-- > 0; ) {
			while (blocks[k] != meta_block_of(c[i].sunit))
				k--;
			e[k * REMAP_META_PER_BLOCK + c[i].sunit -
			  blocks[k] * REMAP_META_PER_BLOCK] = old[i];
		}
		if (meta_write_blocks(m, blocks, nb, e, buf, false, true)) {
			r = -REMAP_EDOUBT;
			DMERR("metadata rollback failed: the on-disk place of the units of that commit is unknown");
		} else {
			r = -EIO;
		}
	}
out:
	kvfree(buf);
	kvfree(e);
	kvfree(blocks);
	kvfree(old);
	return r;
}

/*
 * Replace the pending list with @lunits (at most the list's capacity) and
 * commit it, copy A then copy B.  A failure marks the metadata failed.
 */
int remap_meta_set_pending(struct remap_meta *m, const u64 *lunits, size_t n)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u64 cap = l->pending_blocks * REMAP_META_PER_BLOCK, i;
	bool preflush = false;
	u8 *buf;
	int r;

	if (m->failed)
		return -EROFS;
	if (n > cap)
		return -ENOSPC;
	buf = kvmalloc(REMAP_META_BLOCK_SIZE * l->pending_blocks, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		m->pending[i] = i < n ? lunits[i] + 1 : 0;
	m->seq++;
	r = meta_write_both(m, REMAP_MAGIC_PENDING, m->pending, l->pending_a,
			    l->pending_b, 0, l->pending_blocks, buf, &preflush);
	meta_commit_result(m, r, "commit");
	kvfree(buf);
	return r;
}

/* The logical units of the pending list, at most @max. */
size_t remap_meta_get_pending(struct remap_meta *m, u64 *lunits, size_t max)
{
	u64 cap = m->sb.layout.pending_blocks * REMAP_META_PER_BLOCK, i;
	size_t n = 0;

	for (i = 0; i < cap && n < max; i++)
		if (m->pending[i])
			lunits[n++] = m->pending[i] - 1;
	return n;
}

static int meta_write_sb(struct remap_meta *m, u8 *buf);

/*
 * Store @n counters in the superblock (both copies) if they changed.
 * Counters are statistics: a crash loses at most the changes since the
 * last save, never a remap.
 */
int remap_meta_save_counters(struct remap_meta *m, const u64 *counters,
			     size_t n)
{
	u8 *buf;
	int r;

	/* A read-only table writes nothing, statistics included. */
	if (m->failed || !m->writable)
		return -EROFS;
	n = min_t(size_t, n, REMAP_META_NR_COUNTERS);
	if (!memcmp(m->sb.counters, counters, n * sizeof(*counters)))
		return 0;
	buf = kvmalloc(REMAP_META_BLOCK_SIZE, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	memcpy(m->sb.counters, counters, n * sizeof(*counters));
	r = meta_commit_result(m, meta_write_sb(m, buf), "superblock write");
	kvfree(buf);
	return r;
}

/*
 * Record the device's @name and the main device's identity in the
 * superblock ("identity" message; docs/metadata-format.md, "Identity"),
 * written at once (B, then A) unless nothing changed.  Every later
 * superblock write carries it.  Called with the state's lock held.
 */
int remap_meta_set_identity(struct remap_meta *m, const char *name,
			    const char *serial, const char *wwn, u32 partition,
			    const char **error)
{
	struct remap_identity id;
	u8 *buf;
	int r;

	if (remap_identity_set(&id, name, serial, wwn, partition, error))
		return -EINVAL;
	if (m->failed || !m->writable) {
		*error = "identity: the metadata is read-only";
		return -EROFS;
	}
	if (!memcmp(&id, &m->sb.id, sizeof(id)))
		return 0;
	buf = kvmalloc(REMAP_META_BLOCK_SIZE, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	/* A failed write makes the metadata read-only, as any other. */
	m->sb.id = id;
	r = meta_commit_result(m, meta_write_sb(m, buf), "superblock write");
	if (r)
		*error = "identity: the superblock write failed";
	kvfree(buf);
	return r;
}

void remap_meta_get_counters(struct remap_meta *m, u64 *counters, size_t n)
{
	n = min_t(size_t, n, REMAP_META_NR_COUNTERS);
	memcpy(counters, m->sb.counters, n * sizeof(*counters));
}

/* The scrubber's checkpoint the superblock holds (see the core codec). */
int remap_meta_get_scrub(struct remap_meta *m, struct remap_scrub_ckpt *c,
			 const char **error)
{
	return remap_scrub_ckpt_get(&m->sb, c, error);
}

/* The protection the superblock records (docs: "Protection"). */
void remap_meta_get_protect(struct remap_meta *m, struct remap_protect *p,
			    u8 *uuid)
{
	*p = m->sb.prot;
	if (uuid)
		memcpy(uuid, m->sb.uuid, sizeof(m->sb.uuid));
}

/*
 * Record @p in the superblock (copy B, then A, each FUA: a crash leaves
 * either the old or the new protection, both valid).  The caller holds
 * st->lock and has made sure every unit @p covers is remapped.
 */
int remap_meta_set_protect(struct remap_meta *m, const struct remap_protect *p)
{
	struct remap_protect old = m->sb.prot;
	u8 *buf;
	int r;

	if (m->failed || !m->writable)
		return -EROFS;
	if (!remap_protect_valid(p, remap_protect_main_units(m->sb.main_dev_sectors,
							     m->sb.main_start,
							     m->sb.unit_sectors)))
		return -EINVAL;
	buf = kvmalloc(REMAP_META_BLOCK_SIZE, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	m->sb.prot = *p;
	r = meta_commit_result(m, meta_write_sb(m, buf), "superblock write");
	/*
	 * A failed write fails the metadata (no more changes); the disk may
	 * hold either superblock.  Memory keeps whichever protects, so that
	 * nothing is unremapped on the strength of a maybe-cleared record.
	 */
	if (r && !remap_protect_on(p))
		m->sb.prot = old;
	kvfree(buf);
	return r;
}

bool remap_meta_failed(struct remap_meta *m)
{
	return m->failed;
}

sector_t remap_meta_data_offset(struct remap_meta *m)
{
	return m->sb.layout.data_offset;
}

/* Never more than the slots loaded (remap_meta_extend() adds them). */
u64 remap_meta_nr_units(struct remap_meta *m, sector_t spare_len)
{
	return min(remap_meta_units(&m->sb.layout, spare_len,
				    m->sb.unit_sectors), meta_nr_slots(m));
}

/*
 * The slot blocks the units of a spare area of @spare_len need must fit
 * in memory (REMAP_META_MAX_LOADED_BLOCKS): checked before anything is
 * written or allocated.
 */
static int meta_check_memory(const struct remap_meta_layout *l, u32 unit,
			     u64 spare_len, const char **error)
{
	u64 need = remap_meta_blocks_for(l, spare_len, unit);

	if (need <= REMAP_META_MAX_LOADED_BLOCKS)
		return 0;
	DMERR("spare_len %llu holds %llu spare units of %u sectors, %llu slot blocks; at most %llu slot blocks (%llu units) are kept in memory: use a larger unit_sectors or a smaller spare_len",
	      (unsigned long long)spare_len,
	      (unsigned long long)remap_meta_units(l, spare_len, unit), unit,
	      (unsigned long long)need,
	      (unsigned long long)REMAP_META_MAX_LOADED_BLOCKS,
	      (unsigned long long)(REMAP_META_MAX_LOADED_BLOCKS *
				   REMAP_META_PER_BLOCK));
	*error = "spare_len holds more spare units than the slot table can keep in memory (use a larger unit_sectors)";
	return -EINVAL;
}

/*
 * A spare area of @spare_len must hold the metadata, fit its slots and
 * their memory.
 */
int remap_meta_check_spare_len(struct remap_meta *m, sector_t spare_len,
			       const char **error)
{
	const struct remap_meta_layout *l = &m->sb.layout;

	if (spare_len < l->data_offset + m->sb.unit_sectors)
		*error = "Spare area too small for its metadata and one unit";
	else if (div_u64(spare_len - l->data_offset, m->sb.unit_sectors) >
		 l->slot_capacity)
		*error = "spare_len beyond the metadata's slot capacity";
	else
		return meta_check_memory(l, m->sb.unit_sectors, spare_len,
					 error);
	return -EINVAL;
}

static int meta_write_sb(struct remap_meta *m, u8 *buf)
{
	int r;

	m->sb.generation++;
	m->sb.seq = ++m->seq;
	remap_sb_encode(&m->sb, 1, buf);
	r = meta_write(m, 1, 1, buf, true);
	if (r)
		return r;
	remap_sb_encode(&m->sb, 0, buf);
	return meta_write(m, 0, 1, buf, false);
}

/* Write an empty region (both copies) in chunks. */
static int meta_write_empty(struct remap_meta *m, u32 magic, u64 region_a,
			    u64 region_b, u64 nr_blocks, const u64 *zeroes,
			    u8 *buf)
{
	u64 first, nr, i;
	int r = 0;

	for (first = 0; first < nr_blocks && !r; first += nr) {
		nr = min_t(u64, nr_blocks - first, META_CHUNK_BLOCKS);
		for (i = 0; i < nr; i++)
			remap_entries_encode(magic, m->sb.instance,
					     region_a + first + i, m->seq,
					     zeroes,
					     buf + i * REMAP_META_BLOCK_SIZE);
		r = meta_write(m, region_a + first, nr, buf, false);
		for (i = 0; !r && i < nr; i++)
			remap_entries_encode(magic, m->sb.instance,
					     region_b + first + i, m->seq,
					     zeroes,
					     buf + i * REMAP_META_BLOCK_SIZE);
		if (!r)
			r = meta_write(m, region_b + first, nr, buf, false);
		/* A device that completes at once (dm-zero) never sleeps here. */
		cond_resched();
	}
	return r;
}

/*
 * Room for @blocks slot blocks in m->slot_seq and m->slot_crc, those of
 * the loaded blocks kept.  Nothing else changes: the caller sets
 * m->nr_blocks once the blocks are loaded.
 */
static int meta_alloc_blocks(struct remap_meta *m, u64 blocks)
{
	u64 *seq;
	u32 *crc;

	if (blocks <= m->alloc_blocks)
		return 0;
	seq = kvcalloc(blocks, sizeof(*seq), GFP_KERNEL);
	crc = kvcalloc(blocks, sizeof(*crc), GFP_KERNEL);
	if (!seq || !crc) {
		kvfree(seq);
		kvfree(crc);
		return -ENOMEM;
	}
	if (m->alloc_blocks) {
		memcpy(seq, m->slot_seq, m->nr_blocks * sizeof(*seq));
		memcpy(crc, m->slot_crc, m->nr_blocks * sizeof(*crc));
	}
	kvfree(m->slot_seq);
	kvfree(m->slot_crc);
	m->slot_seq = seq;
	m->slot_crc = crc;
	m->alloc_blocks = blocks;
	return 0;
}

/* Slot blocks [from, to) were just written free with seq @seq. */
static void meta_blocks_written_free(struct remap_meta *m, u64 from, u64 to,
				     u64 seq, const u64 *zeroes)
{
	u32 crc = meta_entries_crc(zeroes);

	for (; from < to; from++) {
		m->slot_seq[from] = seq;
		m->slot_crc[from] = crc;
	}
}

/*
 * A new metadata area: everything free, then the superblocks.  Only the
 * slot blocks that spare_len's units need are written (the capacity may
 * reach much further); the memory for them is checked and allocated
 * before anything is written.
 */
static int meta_format(struct remap_meta *m, struct remap_geometry *g,
		       struct remap_ctr_args *a, const char *name, u8 *buf,
		       const char **error)
{
	struct remap_sb *sb = &m->sb;
	const struct remap_meta_layout *l = &sb->layout;
	u64 *zeroes, need, i;
	int r;

	memset(sb, 0, sizeof(*sb));
	if (!remap_meta_layout_for_format(g->spare_dev_sectors, a->spare_start,
					  a->spare_len, g->unit_sectors,
					  &sb->layout)) {
		*error = "Spare area too small for its metadata and one unit";
		return -EINVAL;
	}
	r = meta_check_memory(l, g->unit_sectors, a->spare_len, error);
	if (r)
		return r;
	need = remap_meta_blocks_to_init(l, a->spare_len, g->unit_sectors);
	zeroes = kcalloc(REMAP_META_PER_BLOCK, sizeof(u64), GFP_KERNEL);
	if (!zeroes || meta_alloc_blocks(m, need)) {
		kfree(zeroes);
		*error = "Cannot allocate the metadata slot table";
		return -ENOMEM;
	}
	get_random_bytes(sb->uuid, sizeof(sb->uuid));
	for (i = 8; i-- > 0; )
		sb->instance = (sb->instance << 8) | sb->uuid[i];
	remap_sb_set_init_blocks(sb, need);	/* and the version */
	sb->unit_sectors = g->unit_sectors;
	sb->logical_block_size = g->main_lbs;
	sb->main_dev_sectors = g->main_dev_sectors;
	sb->main_start = a->main_start;
	sb->spare_start = a->spare_start;
	sb->format_time = ktime_get_real_seconds();
	/*
	 * The device's name, for "remapctl assemble --scan"; one the
	 * identity rule refuses (a blank in it) is not recorded.  The main
	 * device's serial and WWN come later from userspace (the "identity"
	 * message).
	 */
	if (remap_identity_set(&sb->id, name, NULL, NULL, 0, NULL))
		memset(&sb->id, 0, sizeof(sb->id));
	m->seq = 1;

	r = meta_write_empty(m, REMAP_MAGIC_PENDING, l->pending_a,
			     l->pending_b, l->pending_blocks, zeroes, buf);
	if (!r)
		r = meta_write_empty(m, REMAP_MAGIC_SLOTS, l->slots_a,
				     l->slots_b, need, zeroes, buf);
	if (!r)
		r = meta_write_sb(m, buf);
	if (r) {
		kfree(zeroes);
		*error = "Cannot write new metadata to the spare device";
		return r;
	}
	meta_blocks_written_free(m, 0, need, 1, zeroes);
	kfree(zeroes);
	m->nr_blocks = need;
	return 0;
}

/* Read the superblocks and choose; or learn that the area is new. */
static int meta_read_sb(struct remap_meta *m, u8 *buf, bool *is_new,
			const char **error)
{
	struct remap_sb_choice *c;
	int r;

	*is_new = false;
	r = meta_io(m, REQ_OP_READ, 0, 2, buf);
	if (r) {
		*error = "Cannot read the metadata superblocks";
		return r;
	}
	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		*error = "Cannot allocate memory";
		return -ENOMEM;
	}
	remap_sb_choose(buf, c);
	switch (c->verdict) {
	case REMAP_SB_CHOSEN:
		m->sb = c->copy[c->pick];
		/* The copy to rewrite at the next superblock write. */
		m->sb_stale = c->other == REMAP_SB_OTHER_SAME ? -1 : !c->pick;
		break;
	case REMAP_SB_IS_NEW:
		*is_new = true;
		break;
	case REMAP_SB_IS_FOREIGN:
		*error = "Spare area holds foreign data, not dm-remap metadata";
		r = -EINVAL;
		break;
	case REMAP_SB_IS_UNSUPPORTED:
		*error = "Unsupported metadata version";
		r = -EINVAL;
		break;
	case REMAP_SB_IS_CORRUPT:
		*error = "Both metadata superblock copies are corrupt";
		r = -EINVAL;
		break;
	}
	kfree(c);
	return r;
}

/* The superblock must describe this table's devices. */
static int meta_check_sb(struct remap_meta *m, struct remap_geometry *g,
			 struct remap_ctr_args *a, const char **error)
{
	struct remap_sb *sb = &m->sb;

	if (sb->unit_sectors != g->unit_sectors)
		*error = "Metadata unit size differs from the table's (set unit_sectors)";
	else if (sb->logical_block_size != g->main_lbs)
		*error = "Metadata logical block size differs from the devices'";
	else if (sb->main_dev_sectors != g->main_dev_sectors)
		*error = "Main device size differs from the one the metadata was formatted for";
	else if (sb->spare_start != a->spare_start)
		*error = "Metadata was formatted for another spare_start";
	else if (sb->main_start != a->main_start)
		*error = "Metadata was formatted for another main_start";
	else
		return remap_meta_check_spare_len(m, a->spare_len, error);
	return -EINVAL;
}

/*
 * Rewrite the copy of block @block (of a region whose copy lives at
 * @region) that was not chosen, from the chosen one now in @entries.  Only
 * that copy is written, so a torn repair still leaves the good copy.  The
 * repaired copy gets the chosen copy's sequence number: it then holds the
 * same state with the same seq, which keeps the seq of every block the
 * seq of the commit that last wrote it (remap_resolve_relocations relies
 * on that).
 */
static int meta_repair_block(struct remap_meta *m, u32 magic,
			     const u64 *entries, u64 region, u64 block,
			     u64 seq, u8 *buf)
{
	DMWARN("repairing metadata block %llu from its other copy",
	       (unsigned long long)(region + block));
	remap_entries_encode(magic, m->sb.instance, region + block, seq,
			     entries + block * REMAP_META_PER_BLOCK, buf);
	return meta_write(m, region + block, 1, buf, false);
}

/*
 * Read both copies of a region, keep the current version of each block in
 * @entries (and its seq in @block_seq, when not NULL) and rewrite the
 * other copy where it is missing or stale.
 */
static int meta_read_region(struct remap_meta *m, u32 magic, u64 region_a,
			    u64 region_b, u64 nr_blocks, u64 *entries,
			    u64 *block_seq, u8 *buf, bool writable,
			    const char **error)
{
	u8 *copy_b = buf + META_CHUNK_BLOCKS * REMAP_META_BLOCK_SIZE;
	u64 first, nr, i, seq_a, seq_b, *e;
	bool repair;
	int va, vb, pick, r;

	for (first = 0; first < nr_blocks; first += nr) {
		nr = min_t(u64, nr_blocks - first, META_CHUNK_BLOCKS);
		r = meta_io(m, REQ_OP_READ, region_a + first, nr, buf);
		if (!r)
			r = meta_io(m, REQ_OP_READ, region_b + first, nr,
				    copy_b);
		if (r) {
			*error = "Cannot read the metadata";
			return r;
		}
		for (i = 0; i < nr; i++) {
			e = entries + (first + i) * REMAP_META_PER_BLOCK;
			va = !remap_entries_decode(buf + i * REMAP_META_BLOCK_SIZE,
						   magic, m->sb.instance,
						   region_a + first + i,
						   &seq_a, e);
			vb = !remap_entries_decode(copy_b + i * REMAP_META_BLOCK_SIZE,
						   magic, m->sb.instance,
						   region_b + first + i,
						   &seq_b, e);
			pick = remap_meta_pick(va, seq_a, vb, seq_b, &repair);
			if (pick < 0) {
				*error = "Metadata block corrupt in both copies";
				return -EINVAL;
			}
			/* Decode the chosen copy last, so @e holds it. */
			if (pick == 0)
				remap_entries_decode(buf + i * REMAP_META_BLOCK_SIZE,
						     magic, m->sb.instance,
						     region_a + first + i,
						     &seq_a, e);
			m->seq = max(m->seq, pick ? seq_b : seq_a);
			if (block_seq)
				block_seq[first + i] = pick ? seq_b : seq_a;
			if (repair && writable) {
				r = meta_repair_block(m, magic, entries,
						      pick ? region_a : region_b,
						      first + i,
						      pick ? seq_b : seq_a,
						      copy_b + nr *
						      REMAP_META_BLOCK_SIZE);
				if (r) {
					*error = "Cannot repair the metadata";
					return r;
				}
			}
		}
	}
	return 0;
}

/*
 * Read initialized slot blocks [@from, @to) a chunk at a time (repairing
 * a copy when @writable), and keep of each its seq and the CRC of its
 * entries; m->nr_in_use counts their in-use slots.  With @free_only
 * (blocks past those a spare_len needs, not kept) nothing is kept and
 * every slot must be free, else the spare_len is too small for the
 * metadata, as remap_meta_build() would say.
 */
static int meta_load_blocks(struct remap_meta *m, u64 from, u64 to,
			    bool free_only, bool writable, u8 *buf,
			    const char **error)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u64 first, nr, i, *e;
	int r = 0;

	e = kvmalloc_array(META_CHUNK_BLOCKS * REMAP_META_PER_BLOCK,
			   sizeof(u64), GFP_KERNEL);
	if (!e) {
		*error = "Cannot allocate the metadata slot table";
		return -ENOMEM;
	}
	for (first = from; first < to && !r; first += nr) {
		nr = min_t(u64, to - first, META_CHUNK_BLOCKS);
		r = meta_read_region(m, REMAP_MAGIC_SLOTS, l->slots_a + first,
				     l->slots_b + first, nr, e,
				     free_only ? NULL : m->slot_seq + first,
				     buf, writable, error);
		for (i = 0; !r && !free_only && i < nr; i++)
			m->slot_crc[first + i] =
				meta_entries_crc(e + i * REMAP_META_PER_BLOCK);
		for (i = 0; !r && i < nr * REMAP_META_PER_BLOCK &&
		     first * REMAP_META_PER_BLOCK + i < l->slot_capacity; i++) {
			if (e[i] == REMAP_SLOT_FREE)
				continue;
			if (free_only) {
				*error = "spare_len too small for the spare units the metadata uses";
				r = -EINVAL;
			} else if (e[i] != REMAP_SLOT_RETIRED) {
				m->nr_in_use++;
			}
		}
		cond_resched();
	}
	kvfree(e);
	return r;
}

/*
 * Load the first @target slot blocks (m->nr_blocks from now): the
 * initialized ones are read (and repaired, when @writable);
 * those past the initialized ones are written empty, copy A then copy B,
 * and then the superblock records the new count.  A crash before that
 * superblock write leaves the old count and the new blocks ignored:
 * nothing is lost.  Memory is allocated before anything is written.  The
 * caller has checked @target against REMAP_META_MAX_LOADED_BLOCKS.
 */
static int meta_extend(struct remap_meta *m, u64 target, bool writable,
		       u8 *buf, const char **error)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u64 init = remap_sb_init_blocks(&m->sb), have = m->nr_blocks;
	u64 old_init = m->sb.slot_blocks_init, *zeroes = NULL, to, seq;
	u32 old_version = m->sb.version;
	int r;

	if (target <= have)
		return 0;
	if (WARN_ON_ONCE(target > l->slot_blocks ||
			 target > REMAP_META_MAX_LOADED_BLOCKS)) {
		*error = "Slot table larger than its capacity or memory";
		return -EINVAL;
	}
	if (target > init && !writable) {
		*error = "spare_len needs slot blocks the metadata has not initialized, and the table is read-only";
		return -EROFS;
	}
	if (target > init && m->failed) {
		*error = "Metadata failed: cannot initialize slot blocks for a larger spare_len";
		return -EROFS;
	}
	if (target > init)
		zeroes = kcalloc(REMAP_META_PER_BLOCK, sizeof(u64), GFP_KERNEL);
	if ((target > init && !zeroes) || meta_alloc_blocks(m, target)) {
		kfree(zeroes);
		*error = "Cannot allocate the metadata slot table";
		return -ENOMEM;
	}

	to = min(target, init);
	if (to > have) {
		r = meta_load_blocks(m, have, to, false, writable, buf, error);
		if (r)
			goto out;
	}
	if (target > init) {
		seq = ++m->seq;
		r = meta_write_empty(m, REMAP_MAGIC_SLOTS, l->slots_a + init,
				     l->slots_b + init, target - init, zeroes,
				     buf);
		if (!r) {
			remap_sb_set_init_blocks(&m->sb, target);
			r = meta_write_sb(m, buf);
			if (r) {
				/* Either count on disk is right: keep the old. */
				m->sb.slot_blocks_init = old_init;
				m->sb.version = old_version;
			}
		}
		if (r) {
			*error = "Cannot initialize new metadata slot blocks on the spare device";
			goto out;
		}
		meta_blocks_written_free(m, init, target, seq, zeroes);
		DMINFO("slot table extended from %llu to %llu initialized blocks",
		       (unsigned long long)init, (unsigned long long)target);
	}
	m->nr_blocks = target;
	r = 0;
out:
	kfree(zeroes);
	return r;
}

/*
 * The slot table of metadata just read: every initialized block loaded,
 * then those spare_len needs beyond them initialized.  Metadata written
 * before slot_blocks_init existed may have more initialized blocks than
 * are loaded (every block of a capacity that reaches to the end of a
 * large device): then only those spare_len needs are kept, the others must
 * be free, and (when writable) the superblock records that only those are
 * initialized, so that later loads read no more than they need.
 */
static int meta_load_slots(struct remap_meta *m, sector_t spare_len,
			   bool writable, u8 *buf, const char **error)
{
	u64 init = remap_sb_init_blocks(&m->sb);
	u64 need = remap_meta_blocks_for(&m->sb.layout, spare_len,
					 m->sb.unit_sectors);
	int r;

	if (init <= REMAP_META_MAX_LOADED_BLOCKS) {
		if (need > init)
			need = remap_meta_blocks_to_init(&m->sb.layout,
							 spare_len,
							 m->sb.unit_sectors);
		return meta_extend(m, max(init, need), writable, buf, error);
	}

	DMWARN("metadata with %llu initialized slot blocks, more than are loaded: reading them once, keeping the %llu spare_len needs",
	       (unsigned long long)init, (unsigned long long)need);
	r = meta_extend(m, need, writable, buf, error);
	if (!r)
		r = meta_load_blocks(m, need, init, true, writable, buf,
				     error);
	if (r || !writable)
		return r;
	remap_sb_set_init_blocks(&m->sb, need);
	r = meta_write_sb(m, buf);
	if (r)
		*error = "Cannot write the metadata superblock";
	return r;
}

/*
 * A table with @spare_len uses this metadata (a reload): initialize and
 * load the slot blocks its units need.  remap_meta_check_spare_len() has
 * accepted @spare_len.  Called with the state's lock held, maybe while
 * I/O waits for it: no allocation may recurse into I/O.
 */
int remap_meta_extend(struct remap_meta *m, sector_t spare_len,
		      bool writable, const char **error)
{
	u64 need = remap_meta_blocks_for(&m->sb.layout, spare_len,
					 m->sb.unit_sectors);
	unsigned int noio;
	u8 *buf;
	int r;

	if (need <= m->nr_blocks)
		return 0;
	/* Initialize (or, past a legacy count, read) what the rule says. */
	need = remap_meta_blocks_to_init(&m->sb.layout, spare_len,
					 m->sb.unit_sectors);
	noio = memalloc_noio_save();
	buf = kvmalloc((2 * META_CHUNK_BLOCKS + 1) * REMAP_META_BLOCK_SIZE,
		       GFP_KERNEL);
	if (buf) {
		r = meta_extend(m, need, writable, buf, error);
		kvfree(buf);
	} else {
		*error = "Cannot allocate metadata buffers";
		r = -ENOMEM;
	}
	memalloc_noio_restore(noio);
	return r;
}

void remap_meta_close(struct remap_meta *m)
{
	if (!m)
		return;
	if (m->io)
		dm_io_client_destroy(m->io);
	kvfree(m->pending);
	kvfree(m->slot_seq);
	kvfree(m->slot_crc);
	kfree(m);
}

/*
 * Open the metadata of a new state: load it, or format an all-zero area.
 * Anything else is refused with *error set and nothing written.
 */
struct remap_meta *remap_meta_open(struct block_device *spare,
				   struct remap_geometry *g,
				   struct remap_ctr_args *a, const char *name,
				   bool writable, const u8 *member_uuid,
				   const char **error)
{
	struct remap_meta *m;
	bool is_new;
	u8 *buf;
	int r;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	/* Two chunks to compare copies, plus one block to repair from. */
	buf = kvmalloc((2 * META_CHUNK_BLOCKS + 1) * REMAP_META_BLOCK_SIZE,
		       GFP_KERNEL);
	if (m)
		m->pending = kvcalloc(REMAP_META_PENDING_BLOCKS *
				      REMAP_META_PER_BLOCK, sizeof(u64),
				      GFP_KERNEL);
	if (!m || !buf || !m->pending) {
		r = -ENOMEM;
		*error = "Cannot allocate metadata buffers";
		goto bad;
	}
	m->bdev = spare;
	m->start = a->spare_start;
	m->writable = writable;
	m->io = dm_io_client_create();
	if (IS_ERR(m->io)) {
		r = PTR_ERR(m->io);
		m->io = NULL;
		*error = "Cannot create dm-io client";
		goto bad;
	}

	r = meta_read_sb(m, buf, &is_new, error);
	if (r)
		goto bad;
	/*
	 * The main device is protected by metadata: only that metadata may
	 * be used with it (a new area would read the signature as data).
	 */
	if (member_uuid && (is_new ||
			    memcmp(m->sb.uuid, member_uuid, sizeof(m->sb.uuid)))) {
		DMERR("main device carries the dm-remap member signature of metadata %pUb%s%pUb",
		      member_uuid, is_new ? ", but the spare area is new" :
		      "; the spare area holds metadata ", m->sb.uuid);
		r = -EINVAL;
		*error = "Main device is protected by other dm-remap metadata (member signature): wrong spare device or spare_start?";
		goto bad;
	}
	if (is_new && !writable) {
		r = -EROFS;
		*error = "Cannot format metadata on a read-only table";
		goto bad;
	}
	if (is_new) {
		r = meta_format(m, g, a, name, buf, error);
		if (r)
			goto bad;
		kvfree(buf);
		return m;
	}
	r = meta_check_sb(m, g, a, error);
	if (r)
		goto bad;
	if (m->sb_stale >= 0 && writable) {
		DMWARN("repairing metadata superblock copy %d", m->sb_stale);
		remap_sb_encode(&m->sb, m->sb_stale, buf);
		r = meta_write(m, m->sb_stale, 1, buf, false);
		if (r) {
			*error = "Cannot repair the metadata superblock";
			goto bad;
		}
	}
	r = meta_read_region(m, REMAP_MAGIC_PENDING, m->sb.layout.pending_a,
			     m->sb.layout.pending_b,
			     m->sb.layout.pending_blocks, m->pending, NULL, buf,
			     writable, error);
	if (!r)
		r = meta_load_slots(m, a->spare_len, writable, buf, error);
	if (r)
		goto bad;
	kvfree(buf);
	return m;
bad:
	kvfree(buf);
	remap_meta_close(m);
	return ERR_PTR(r);
}

/*
 * Finish relocations a crash interrupted (see remap_resolve_relocations):
 * the old slot of such a unit is retired, in memory and, when the table
 * may write, on disk.  @e (*n entries) sorted by lunit.
 */
static int meta_resolve_relocations(struct remap_meta *m,
				    struct remap_entry *e, size_t *n)
{
	struct remap_slot_change *c;
	u64 *losers;
	long nr, i;
	int r = 0;

	losers = kvmalloc_array(*n, sizeof(*losers), GFP_KERNEL);
	if (!losers)
		return -ENOMEM;
	nr = remap_resolve_relocations(e, n, m->slot_seq, losers);
	if (nr <= 0) {
		kvfree(losers);
		return nr;
	}
	DMWARN("finishing %ld interrupted relocations", nr);
	c = kvmalloc_array(nr, sizeof(*c), GFP_KERNEL);
	if (!c) {
		kvfree(losers);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		c[i].sunit = losers[i];
		c[i].value = REMAP_SLOT_RETIRED;
	}
	if (m->writable)
		r = remap_meta_set_slots(m, c, nr);
	kvfree(c);
	kvfree(losers);
	return r;
}

/*
 * The index and the pool as the slot table describes them: entries for the
 * in-use slots (sorted by logical unit) and every used or retired spare
 * unit claimed in @pool.  The loaded blocks are read once more, a chunk at
 * a time (meta_read_current(): what the load chose and repaired).  Refuses
 * a slot table that maps a unit beyond the target or one logical unit
 * twice.
 */
int remap_meta_build(struct remap_meta *m, u64 nr_lunits,
		     struct spare_pool *pool, struct remap_entry **entries,
		     size_t *nr, const char **error)
{
	u64 cap = meta_nr_slots(m), retired = 0, first, nb, n, u;
	u64 *slots = NULL;
	struct remap_entry *e = NULL;
	bool beyond_pool = false;
	size_t i = 0;
	u8 *buf = NULL;
	long got;
	int r = 0;

	*entries = NULL;
	*nr = 0;
	if (m->nr_in_use)
		e = kvmalloc_array(m->nr_in_use, sizeof(*e), GFP_KERNEL);
	slots = kvmalloc_array(META_CHUNK_BLOCKS * REMAP_META_PER_BLOCK,
			       sizeof(*slots), GFP_KERNEL);
	buf = kvmalloc(META_CHUNK_BLOCKS * REMAP_META_BLOCK_SIZE, GFP_KERNEL);
	if ((m->nr_in_use && !e) || !slots || !buf) {
		*error = "Cannot allocate the remap index";
		r = -ENOMEM;
		goto out;
	}
	for (first = 0; first < m->nr_blocks; first += nb) {
		u64 from = first * REMAP_META_PER_BLOCK;

		nb = min_t(u64, m->nr_blocks - first, META_CHUNK_BLOCKS);
		r = meta_read_current(m, first, nb, slots, buf);
		if (r) {
			*error = "Cannot read the metadata";
			goto out;
		}
		n = min(nb * REMAP_META_PER_BLOCK, cap - from);
		for (u = 0, got = 0; u < n; u++)
			got += slots[u] != REMAP_SLOT_FREE &&
			       slots[u] != REMAP_SLOT_RETIRED;
		/* The load counted them; the blocks read back are the same. */
		if (WARN_ON_ONCE(got > m->nr_in_use - i)) {
			*error = "Metadata changed while it was loaded";
			r = -EIO;
			goto out;
		}
		got = remap_slots_to_entries(slots, n, from, nr_lunits, e + i,
					     &retired);
		if (got < 0) {
			*error = "Metadata remaps a unit beyond the target's length";
			r = -EINVAL;
			goto out;
		}
		i += got;
		/* Used and retired units alike are never handed out again. */
		for (u = 0; u < n; u++) {
			if (slots[u] == REMAP_SLOT_FREE)
				continue;
			if (from + u >= pool->nr_units)
				beyond_pool = true;
			else
				WARN_ON_ONCE(spare_pool_claim(pool, from + u));
		}
		cond_resched();
	}
	kvfree(buf);
	buf = NULL;
	if (i) {
		remap_index_sort(e, i);
		r = meta_resolve_relocations(m, e, &i);
		if (r || remap_index_validate(e, i, nr_lunits, U64_MAX, NULL)) {
			*error = r == -ENOMEM ? "Cannot allocate the remap index" :
				 "Metadata maps one logical unit to two spare units";
			r = r ? r : -EINVAL;
			goto out;
		}
	}
	if (beyond_pool) {
		*error = "spare_len too small for the spare units the metadata uses";
		r = -EINVAL;
		goto out;
	}
	*entries = i ? e : NULL;
	*nr = i;
	if (!i)
		kvfree(e);
	e = NULL;
out:
	kvfree(buf);
	kvfree(slots);
	kvfree(e);
	return r;
}

/*
 * Scrubbing the metadata: both copies of every block the table uses, read
 * and compared with what the module knows is on disk (its in-memory
 * superblock and pending list, from which their writes are encoded; of a
 * slot block, the seq and entries CRC of its last commit).  A copy that
 * cannot be read, fails its checksum or says anything else is rewritten:
 *
 *  - a superblock copy, from memory, as exactly the bytes the last
 *    superblock write wrote (same generation and seq);
 *  - a pending or slot block copy, from the other copy when that one is
 *    right, with its seq (a repair at load does the same), so that the seq
 *    of a block stays that of the commit that last wrote it;
 *  - a pending block neither of whose copies is right, from memory, by a
 *    commit of that one block (a new seq, copy A with a flush, then copy
 *    B), as the next change of it would;
 *  - a slot block neither of whose copies is right: its entries are kept
 *    nowhere else, so nothing is written and the metadata is failed (no
 *    further change; a commit of that block could not be made anyway).
 *
 * Only one copy of a block is written at a time, so a crash during a
 * repair leaves the other.  Called with st->lock held (no commit runs
 * meanwhile), a few blocks at a time (@len bytes of @buf, half for each
 * copy): *@pos counts the block pairs done in this pass (0: the
 * superblocks, then the pending blocks, then the slot blocks loaded).
 * Returns 1 while blocks remain, 0 when the pass is over, or an error.
 */
static bool meta_scrub_copy(struct remap_meta *m, u32 magic, u64 region,
			    u64 blk, int rd, const u8 *b, u64 *seq, u64 *tmp)
{
	if (rd)
		return false;
	if (magic == REMAP_MAGIC_SLOTS) {
		*seq = m->slot_seq[blk];
		return meta_block_current(m, region, blk, b, tmp);
	}
	if (remap_entries_decode(b, magic, m->sb.instance, region + blk, seq,
				 tmp))
		return false;
	return !memcmp(tmp, m->pending + blk * REMAP_META_PER_BLOCK,
		       REMAP_META_PER_BLOCK * sizeof(u64));
}

static int meta_scrub_rewrite(struct remap_meta *m, u64 blk, u8 *b)
{
	DMWARN("scrub: metadata block %llu rewritten from its other copy",
	       (unsigned long long)blk);
	return meta_write(m, blk, 1, b, false);
}

int remap_meta_scrub(struct remap_meta *m, u64 *pos, u8 *buf, size_t len,
		     u64 *bytes, u64 *repaired)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u64 nr_pend = l->pending_blocks, total = 1 + nr_pend + m->nr_blocks;
	u64 chunk = len / 2 / REMAP_META_BLOCK_SIZE, first, nr, i, blk[2], k;
	u64 seq[2], *tmp, *w;
	u8 *copy[2], *enc;
	bool good[2];
	int rd[2], r = 0, c;
	u32 magic;

	*bytes = 0;
	if (!m->writable || m->failed || *pos >= total)
		return 0;
	if (!chunk)
		return -EINVAL;
	tmp = kmalloc_array(2 * REMAP_META_PER_BLOCK, sizeof(u64), GFP_NOIO);
	enc = kmalloc(REMAP_META_BLOCK_SIZE, GFP_NOIO);
	if (!tmp || !enc) {
		r = -ENOMEM;
		goto out;
	}
	copy[0] = buf;
	copy[1] = buf + chunk * REMAP_META_BLOCK_SIZE;

	if (*pos == 0) {
		/* The superblocks: the bytes the last write wrote. */
		rd[0] = meta_io(m, REQ_OP_READ, 0, 2, buf);
		for (c = 0; c < 2; c++) {
			remap_sb_encode(&m->sb, c, enc);
			if (!rd[0] && !memcmp(enc, buf + c * REMAP_META_BLOCK_SIZE,
					      REMAP_META_BLOCK_SIZE))
				continue;
			if (rd[0] && !meta_io(m, REQ_OP_READ, c, 1, copy[1]) &&
			    !memcmp(enc, copy[1], REMAP_META_BLOCK_SIZE))
				continue;
			r = meta_commit_result(m, meta_scrub_rewrite(m, c, enc),
					       "superblock repair");
			if (r)
				goto out;
			(*repaired)++;
		}
		*bytes += 2 * REMAP_META_BLOCK_SIZE;
		*pos = 1;
		r = *pos < total;
		goto out;
	}

	/* A run of blocks of one region: pending, or slots. */
	if (*pos < 1 + nr_pend) {
		magic = REMAP_MAGIC_PENDING;
		first = *pos - 1;
		nr = min(chunk, nr_pend - first);
		blk[0] = l->pending_a;
		blk[1] = l->pending_b;
	} else {
		magic = REMAP_MAGIC_SLOTS;
		first = *pos - 1 - nr_pend;
		nr = min(chunk, m->nr_blocks - first);
		blk[0] = l->slots_a;
		blk[1] = l->slots_b;
	}
	for (c = 0; c < 2; c++) {
		rd[c] = meta_io(m, REQ_OP_READ, blk[c] + first, nr, copy[c]);
		*bytes += nr * REMAP_META_BLOCK_SIZE;
	}
	for (i = 0; i < nr; i++) {
		for (c = 0; c < 2; c++) {
			u8 *b = copy[c] + i * REMAP_META_BLOCK_SIZE;
			int e = rd[c];

			/* A failed run: this block alone. */
			if (e)
				e = meta_io(m, REQ_OP_READ, blk[c] + first + i,
					    1, b);
			good[c] = meta_scrub_copy(m, magic, blk[c], first + i,
						  e, b, &seq[c],
						  tmp + c * REMAP_META_PER_BLOCK);
		}
		if (good[0] && good[1])
			continue;
		if (good[0] || good[1]) {
			c = good[0];	/* the bad copy: 1 if A is good */
			w = tmp + !c * REMAP_META_PER_BLOCK;
			remap_entries_encode(magic, m->sb.instance,
					     blk[c] + first + i, seq[!c], w,
					     enc);
			r = meta_scrub_rewrite(m, blk[c] + first + i, enc);
			(*repaired)++;
		} else if (magic == REMAP_MAGIC_SLOTS) {
			/* Its entries are known nowhere now: change nothing. */
			DMERR("scrub: metadata block %llu is wrong in both copies, and a slot block is not kept in memory to write it from",
			      (unsigned long long)(blk[0] + first + i));
			r = -EIO;
		} else {
			w = m->pending + (first + i) * REMAP_META_PER_BLOCK;
			k = ++m->seq;
			DMWARN("scrub: metadata block %llu is wrong in both copies: writing it again",
			       (unsigned long long)(blk[0] + first + i));
			remap_entries_encode(magic, m->sb.instance,
					     blk[0] + first + i, k, w, enc);
			r = meta_write(m, blk[0] + first + i, 1, enc, true);
			if (!r) {
				remap_entries_encode(magic, m->sb.instance,
						     blk[1] + first + i, k, w,
						     enc);
				r = meta_write(m, blk[1] + first + i, 1, enc,
					       false);
			}
			*repaired += 2;
		}
		if (meta_commit_result(m, r, "repair"))
			goto out;
	}
	*pos += nr;
	r = *pos < total;
out:
	kfree(enc);
	kfree(tmp);
	return r;
}
