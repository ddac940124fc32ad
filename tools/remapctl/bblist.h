/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bblist.h - bad-block lists for "remapctl import": parsing, merging into
 * unit extents, and cutting them into bounded "remap_many" messages.
 *
 * Pure code (no device-mapper, no I/O beyond the FILE it is given), unit
 * tested in tests/unit/test_bblist.c.
 *
 * Input: e2fsprogs badblocks(8) output, one block number per line, blocks
 * of --block-size bytes (badblocks' -b, default 1024); or, with
 * --sectors, one 512-byte sector number per line.  Blank lines and lines
 * starting with '#' are ignored; leading and trailing blanks are allowed.
 */
#ifndef REMAPCTL_BBLIST_H
#define REMAPCTL_BBLIST_H

#include <stdio.h>

#include "remap_types.h"

/* badblocks' default block size. */
#define BB_DEFAULT_BLOCK_SIZE 1024U

/* A run of sectors, or (after bb_to_units) of units. */
struct bb_extent {
	u64 first;
	u64 last;	/* inclusive */
};

struct bb_list {
	struct bb_extent *x;
	size_t n, cap;
	u64 entries;	/* numbers read (lines that were not blank) */
};

struct bb_opts {
	u32 block_size;		/* bytes per listed number: 512 with --sectors */
	u64 dev_sectors;	/* the target's length: larger numbers are refused */
	bool sectors;		/* --sectors: the numbers are sectors */
	bool ddrescue;		/* --ddrescue: a GNU ddrescue mapfile */
};

void bb_list_init(struct bb_list *l);
void bb_list_free(struct bb_list *l);

/*
 * Parse one line (without or with its '\n').  Adds the sectors of the
 * block it names to @l.  0, or -EINVAL (err holds the reason, without a
 * line number) or -ENOMEM.
 */
int bb_parse_line(const struct bb_opts *o, const char *line,
		  struct bb_list *l, char *err, size_t errlen);

/*
 * Parse one line of a GNU ddrescue mapfile: comments ('#'), then the
 * status line ("<pos> <status> [<pass>]", *@status_seen set after it),
 * then data blocks "<pos> <size> <status>" (bytes, hex with 0x or
 * decimal).  The sectors of every '-' (bad-sector) block are added to @l;
 * other blocks ('?', '*', '/', '+') are checked and skipped.  0, or
 * -EINVAL (err holds the reason) or -ENOMEM.
 */
int bb_parse_ddrescue_line(const struct bb_opts *o, const char *line,
			   bool *status_seen, struct bb_list *l, char *err,
			   size_t errlen);

/*
 * Parse a whole file (a ddrescue mapfile with o->ddrescue).  0, or -EINVAL / -ENOMEM / -EIO with err
 * "line N: reason" (or the read error); *lineno is the last line read.
 */
int bb_parse_file(FILE *f, const struct bb_opts *o, struct bb_list *l,
		  u64 *lineno, char *err, size_t errlen);

/* Is @bs a block size the parser takes (a multiple of 512, up to 1 GiB)? */
bool bb_block_size_ok(u64 bs);

/*
 * Turn the sector extents of @l into unit extents (units of
 * @unit_sectors, a power of two), sorted, with overlapping and adjacent
 * ones merged.
 */
void bb_to_units(struct bb_list *l, u32 unit_sectors);

/* Units in the (merged) unit extents. */
u64 bb_count_units(const struct bb_list *l);

/*
 * A cursor over the unit extents, handing out "remap_many" messages.
 * An extent is split between messages when a message would hold more
 * than @max_units units, so each message is bounded in bytes and in work.
 */
struct bb_cursor {
	const struct bb_list *l;
	size_t i;		/* current extent */
	u64 next;		/* first unit of it not sent yet */
	u32 unit_sectors;
	u64 dev_sectors;
	bool zero_fill;		/* "remap_many zero_fill ..." (init: false) */
};

void bb_cursor_init(struct bb_cursor *c, const struct bb_list *l,
		    u32 unit_sectors, u64 dev_sectors);

/*
 * Write the next message into @buf (at most @size bytes with the NUL;
 * @size >= 64): "remap_many [zero_fill] <sector>+<nr> ...", every
 * extent in sectors (a unit at the end of the device is cut to the device).  At most
 * @max_units units.  Returns the number of units in it (0: nothing left).
 */
u64 bb_next_message(struct bb_cursor *c, char *buf, size_t size,
		    u64 max_units);

#endif /* REMAPCTL_BBLIST_H */
