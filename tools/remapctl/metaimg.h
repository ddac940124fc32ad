/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metaimg.h - a dm-remap metadata area read from a device or image file,
 * with the same choices between copies the module makes at table load
 * (docs/metadata-format.md), and everything found wrong with it.
 */
#ifndef REMAPCTL_METAIMG_H
#define REMAPCTL_METAIMG_H

#include "remap_meta.h"

/* How bad a problem is; also check's exit status. */
enum severity {
	SEV_NOTE,		/* worth saying, nothing wrong */
	SEV_REPAIRABLE,		/* the module repairs it at table load */
	SEV_BROKEN,		/* the module refuses the table */
};

struct problem {
	enum severity sev;
	char *msg;
};

/* One copy of a block. */
struct copy_info {
	bool valid;
	u64 seq;
	const char *why;	/* when invalid */
};

/* One block number of the pending or slot region, both copies. */
struct block_info {
	struct copy_info c[2];
	int pick;		/* 0 (A), 1 (B) or -1 (neither valid) */
	bool repair;		/* the other copy must be rewritten */
	bool conflict;		/* equal seq but different contents */
	bool rewrite;		/* contents changed (a relocation resolved) */
};

struct meta_img {
	const char *path;
	int fd;
	u64 dev_bytes;
	u64 start;		/* sector the area was read at (block 0) */

	bool is_zero;		/* both superblocks all zero: a new area */
	struct remap_sb_choice sbc;	/* core's verdict on blocks 0 and 1 */
	int sb_pick;		/* -1: no valid superblock */
	bool sb_repair;
	struct remap_sb sb;	/* the current superblock */

	bool loaded;		/* regions read: the fields below are set */
	u64 init_blocks;	/* slot blocks initialized (and read) */
	u64 nr_slots;		/* slots in them within the slot capacity */
	struct block_info *pend_bi, *slot_bi;	/* slot_bi: init_blocks */
	u64 *pending, *slots;	/* the current copies' entries */
	u64 max_seq;		/* highest seq of the current copies */
	u64 lunit_limit;	/* logical units of the main device */
	u64 nr_remapped, nr_retired, nr_pending;

	struct problem *problems;
	size_t nr_problems;
	enum severity severity;	/* the worst problem's */
};

/* Open @path (read-only or read-write) and learn its size.  0 or -1. */
int meta_open(struct meta_img *m, const char *path, u64 start,
	      bool writable);

/*
 * Read and check the whole area.  0 (problems recorded in @m), or -1 on an
 * I/O error (message printed).
 */
int meta_load(struct meta_img *m);

/* Rewrite every repairable copy from the current one.  Blocks written. */
long meta_repair(struct meta_img *m);

/* Forget what meta_load() found (the file stays open). */
void meta_reset(struct meta_img *m);

void meta_close(struct meta_img *m);

/* Read/write @len bytes at byte @off: 0, 1 (past the end) or -1 (errno). */
int read_at(int fd, void *buf, size_t len, u64 off);
int write_at(int fd, const void *buf, size_t len, u64 off);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes with the NUL). */
void uuid_format(const u8 *uuid, char *out);

/* Logical units of a main device, as bounded by the superblock. */
u64 meta_lunit_limit(const struct remap_sb *sb);

#endif /* REMAPCTL_METAIMG_H */
