/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_meta.h - the on-disk metadata codec (docs/metadata-format.md).
 *
 * Shared by the module and remapctl, so both read and write the very same
 * bytes.  Pure functions over caller-provided 4096-byte blocks: no I/O, no
 * allocation.  The CRC-32C is core/crc32c.c's, in the module too: the
 * kernel's crc32c() lives in libcrc32c.ko, which would make the seed's
 * plain "insmod dm_remap.ko" fail wherever that module is not loaded yet.
 */
#ifndef DM_REMAP_CORE_META_H
#define DM_REMAP_CORE_META_H

#include "remap_types.h"
#include "remap_index.h"

#define REMAP_META_BLOCK_SIZE 4096U
#define REMAP_META_BLOCK_SECTORS 8U
#define REMAP_META_HEADER_SIZE 32U
/*
 * Version 1: every slot block is initialized.  Version 2: the same layout,
 * with only the first slot_blocks_init slot blocks initialized (docs:
 * "Initialized slot blocks").  A superblock says 2 exactly when its
 * slot_blocks_init is not 0, so an area whose slot blocks are all
 * initialized stays readable by version-1-only readers.
 */
#define REMAP_META_VERSION 1U
#define REMAP_META_VERSION_PARTIAL 2U
/* u64 entries after the header in slot and pending blocks. */
#define REMAP_META_PER_BLOCK ((REMAP_META_BLOCK_SIZE - REMAP_META_HEADER_SIZE) / 8)
#define REMAP_META_PENDING_BLOCKS 1U
#define REMAP_META_NR_COUNTERS 16U
/*
 * The most slot blocks a table loads (133169152 spare units, 1016 MiB of
 * slot table per copy, read at every load; 12 bytes of memory each: the
 * module keeps each block's seq and CRC, not its slots); a spare_len whose
 * units need more is refused (docs: "Initialized slot blocks").  Not a
 * format limit: a policy of the module, here so that remapctl can say what
 * the module will do.
 */
#define REMAP_META_MAX_LOADED_BLOCKS (1ULL << 18)
/*
 * When no more than this many slot blocks (1 MiB a copy) would be left
 * uninitialized, all of them are initialized: the metadata stays version
 * 1 (readable by version-1-only modules) for the price of a little more.
 */
#define REMAP_META_INIT_SLACK 256ULL

#define REMAP_MAGIC_SUPER 0x42535252U	/* "RRSB" */
#define REMAP_MAGIC_SLOTS 0x4c535252U	/* "RRSL" */
#define REMAP_MAGIC_PENDING 0x44505252U	/* "RRPD" */

/* Slot values (docs/metadata-format.md, "Slot blocks"). */
#define REMAP_SLOT_FREE 0ULL
#define REMAP_SLOT_RETIRED 0xFFFFFFFFFFFFFFFFULL
#define REMAP_SLOT_MAX_LUNIT 0x7FFFFFFFFFFFFFFFULL

/*
 * One change of a slot: spare unit @sunit gets slot value @value.  The
 * module commits a set of them with remap_meta_set_slots(), in any order.
 */
struct remap_slot_change {
	u64 sunit;
	u64 value;
};

/* sort()/qsort() comparators: u64 ascending; slot changes by spare unit. */
int remap_cmp_u64(const void *a, const void *b);
int remap_cmp_slot_change(const void *a, const void *b);

/*
 * The counters, by their index in the superblock's counter array
 * (docs/metadata-format.md), in the spirit of SMART attributes 196 and 198.
 * The module keeps them in this order too.
 */
enum remap_counter {
	REMAP_CTR_REALLOC_EVENTS,	/* units given a (new) spare unit */
	REMAP_CTR_AUTO_REMAPS,		/* ... of them by the error path */
	REMAP_CTR_UNCORRECTABLE,	/* reads failed after every retry */
	REMAP_CTR_SPARE_ERRORS,		/* I/O errors from the spare device */
	REMAP_CTR_LOST_SECTORS,		/* unreadable sectors replaced by zeroes */
	REMAP_CTR_NR			/* <= REMAP_META_NR_COUNTERS */
};

/*
 * Counters 5 .. 15 of the superblock: the scrubber's checkpoint
 * (docs/metadata-format.md, "Scrub checkpoint").  Modules that predate it
 * read these words as reserved counters and write them back unchanged, so
 * no new format version is needed.
 */
enum remap_sb_scrub_word {
	REMAP_SBW_SCRUB_READ_ERRORS = REMAP_CTR_NR,	/* 5 */
	REMAP_SBW_SCRUB_RELOCATED,	/* 6 */
	REMAP_SBW_SCRUB_WEAK,		/* 7 */
	REMAP_SBW_SCRUB_PENDING,	/* 8 */
	REMAP_SBW_SCRUB_PASSES,		/* 9 */
	REMAP_SBW_SCRUB_LAST_PASS_END,	/* 10: Unix time, 0: never */
	REMAP_SBW_SCRUB_STATE,		/* 11: enum remap_scrub_state */
	REMAP_SBW_SCRUB_START,		/* 12: logical sectors of the pass */
	REMAP_SBW_SCRUB_POS,		/* 13 */
	REMAP_SBW_SCRUB_END,		/* 14 */
	REMAP_SBW_SCRUB_META_REPAIRED,	/* 15: metadata copies rewritten */
	REMAP_SBW_NR			/* == REMAP_META_NR_COUNTERS */
};

/* The scrubber's state, as the module keeps it and the checkpoint says. */
enum remap_scrub_state {
	REMAP_SCRUB_IDLE,
	REMAP_SCRUB_RUNNING,
	REMAP_SCRUB_PAUSED,
	REMAP_SCRUB_NR_STATES
};

/* "idle", "running", "paused"; NULL for anything else. */
const char *remap_scrub_state_str(u64 state);

struct remap_sb;

/* The checkpoint, decoded (every field a superblock word). */
struct remap_scrub_ckpt {
	u64 state;
	u64 start, pos, end;		/* logical sectors */
	u64 passes, last_pass_end;
	u64 read_errors, relocated, weak, pending, meta_repaired;
};

/* Store @c in a superblock's counter array @counters (16 words). */
void remap_scrub_ckpt_put(u64 *counters, const struct remap_scrub_ckpt *c);

/*
 * The checkpoint @sb holds.  0, or -EINVAL with *error (and @c all zero:
 * an idle scrub that never ran) when it is inconsistent: an unknown
 * state, start > pos > end, a start that is not on a unit boundary, an
 * end past the main device, or a running or paused scrub of nothing.  An
 * all-zero checkpoint (every superblock written before it existed) is an
 * idle scrubber that never ran.
 */
int remap_scrub_ckpt_get(const struct remap_sb *sb, struct remap_scrub_ckpt *c,
			 const char **error);

/* CRC-32C (Castagnoli): initial ~0, final XOR ~0. */
u32 remap_crc32c(const void *data, size_t len);

/* Where everything is, in blocks from spare_start (see the layout table). */
struct remap_meta_layout {
	u64 slot_capacity;	/* spare units describable */
	u64 pending_blocks;	/* per copy */
	u64 slot_blocks;	/* per copy */
	u64 meta_blocks;	/* all of it */
	u64 data_offset;	/* sectors from spare_start to spare unit 0 */
	u64 pending_a, pending_b, slots_a, slots_b;	/* first blocks */
};

/*
 * The layout for a slot table of @capacity spare units with @unit_sectors
 * units.  Returns false if @capacity is 0 or the arithmetic overflows.
 */
bool remap_meta_layout(u64 capacity, u32 unit_sectors,
		       struct remap_meta_layout *l);

/*
 * The layout a new metadata area gets (docs: "Formatting and loading"):
 * capacity covering the spare device from spare_start to its end when that
 * metadata takes at most half of spare_len (and one unit fits after it),
 * otherwise covering spare_len.
 * Returns false when not even one unit fits after the metadata.
 */
bool remap_meta_layout_for_format(u64 spare_dev_sectors, u64 spare_start,
				  u64 spare_len, u32 unit_sectors,
				  struct remap_meta_layout *l);

/* Spare units usable with this layout in a spare area of @spare_len. */
u64 remap_meta_units(const struct remap_meta_layout *l, u64 spare_len,
		     u32 unit_sectors);

/*
 * The slot blocks that describe the spare units of a spare area of
 * @spare_len (remap_meta_units()): what must be initialized before a table
 * with that spare_len is used.  0 when not even one unit fits.
 */
u64 remap_meta_blocks_for(const struct remap_meta_layout *l, u64 spare_len,
			  u32 unit_sectors);

/*
 * The slot blocks to initialize for a spare area of @spare_len (at format
 * time, or when a table with a larger one is loaded):
 * remap_meta_blocks_for(), or all of them when at most
 * REMAP_META_INIT_SLACK would be left and all fit in memory.
 */
u64 remap_meta_blocks_to_init(const struct remap_meta_layout *l,
			      u64 spare_len, u32 unit_sectors);

/* Slots in the first @blocks slot blocks that the slot capacity covers. */
u64 remap_meta_block_slots(const struct remap_meta_layout *l, u64 blocks);

/*
 * The protective mode (docs/metadata-format.md, "Protection"): logical
 * units whose main-device copy is replaced by the member signature, so the
 * raw main device shows no file system.  Units [0, head) and [tail_first,
 * tail_first + tail); all zero: not protected.  Superblock bytes 280..295.
 */
struct remap_protect {
	u32 head;		/* units from logical unit 0 */
	u32 tail;		/* units from tail_first */
	u64 tail_first;		/* 0 when tail is 0 */
};

/* Room for the identity strings, their NUL included (see struct remap_sb). */
#define REMAP_ID_NAME_SIZE 128U		/* device-mapper's DM_NAME_LEN */
#define REMAP_ID_SERIAL_SIZE 128U
#define REMAP_ID_WWN_SIZE 64U

/*
 * A character an identity string may hold: printable ASCII but the space
 * (udev writes ID_SERIAL with '_' for blanks; a message word has none).
 */
static inline bool remap_id_char(char c)
{
	return c > ' ' && c <= '~';
}

/*
 * What "remapctl assemble --scan" needs to find and name a device
 * (docs/metadata-format.md, "Identity"): its name, and udev's ID_SERIAL and
 * ID_WWN of the main device and its partition number (with the superblock's
 * main_dev_sectors).  NUL-terminated, NUL-padded strings; "" when not
 * recorded (every superblock written before they existed).
 */
struct remap_identity {
	char name[REMAP_ID_NAME_SIZE];
	char serial[REMAP_ID_SERIAL_SIZE];
	char wwn[REMAP_ID_WWN_SIZE];
	u32 partition;		/* 0: a whole disk */
};

/*
 * Check an identity field: 0, or -EINVAL with *error when @s does not fit
 * @size with its NUL or holds a character remap_id_char() refuses.  "" is
 * valid (not recorded).  @what names the field in the message: "name",
 * "serial" or "wwn".
 */
int remap_id_check(const char *s, size_t size, const char *what,
		   const char **error);

/*
 * Store @name, @serial, @wwn (NULL or "": not recorded) and
 * @partition in @id after remap_id_check() of each; on error @id is left
 * unchanged.
 */
int remap_identity_set(struct remap_identity *id, const char *name,
		       const char *serial, const char *wwn, u32 partition,
		       const char **error);

struct remap_sb {
	u64 instance;		/* = first 8 bytes of uuid, little-endian */
	u64 seq;
	u8 uuid[16];
	u32 version;
	u32 unit_sectors;
	u32 logical_block_size;
	u32 flags;
	u64 main_dev_sectors;
	u64 main_start;
	u64 spare_start;
	u64 generation;
	u64 format_time;
	struct remap_meta_layout layout;	/* as stored */
	u64 counters[REMAP_META_NR_COUNTERS];
	/*
	 * As stored: 0, every slot block is initialized (version 1);
	 * otherwise 1 .. slot_blocks - 1 (version 2).  Read it with
	 * remap_sb_init_blocks(), set it with remap_sb_set_init_blocks().
	 */
	u64 slot_blocks_init;
	struct remap_protect prot;	/* bytes 280..295 */
	/* Name and main device identity; set with remap_identity_set(). */
	struct remap_identity id;
};

/*
 * Does a block device (@serial and @wwn: udev's ID_SERIAL and ID_WWN, NULL
 * when it has none; @partition its partition number, 0 for a whole disk;
 * @sectors its size) have the main device identity @sb recorded?  0 yes;
 * -ENODATA the superblock records neither serial nor WWN (nothing to
 * match by); -ENODEV no: *error says which part differs.
 */
int remap_id_match(const struct remap_sb *sb, const char *serial,
		   const char *wwn, u32 partition, u64 sectors,
		   const char **error);

/* Slot blocks initialized on disk: 1 .. slot_blocks. */
u64 remap_sb_init_blocks(const struct remap_sb *sb);

/*
 * Record that the first @n slot blocks are initialized (@n from 1; an @n
 * of slot_blocks or more means all of them): sets slot_blocks_init and the
 * version that goes with it.
 */
void remap_sb_set_init_blocks(struct remap_sb *sb, u64 n);

/*
 * May a superblock of @version with a layout of @slot_blocks slot blocks
 * store @init as slot_blocks_init?  Version 1: only 0; version 2: 1 ..
 * slot_blocks - 1.
 */
bool remap_sb_init_valid(u32 version, u64 init, u64 slot_blocks);

/* Encode @sb as superblock copy @block_nr (0 or 1) into @block. */
void remap_sb_encode(const struct remap_sb *sb, u64 block_nr, u8 *block);

/* Is the block all zero bytes? */
bool remap_meta_block_is_zero(const u8 *block);

/*
 * Slot and pending blocks: REMAP_META_PER_BLOCK u64 entries.
 * @magic is REMAP_MAGIC_SLOTS or REMAP_MAGIC_PENDING.
 */
void remap_entries_encode(u32 magic, u64 instance, u64 block_nr, u64 seq,
			  const u64 *entries, u8 *block);

/* Why a superblock copy is not valid (or REMAP_SB_VALID). */
enum remap_sb_status {
	REMAP_SB_VALID,
	REMAP_SB_FOREIGN,	/* bad magic */
	REMAP_SB_BAD_CRC,
	REMAP_SB_MISPLACED,	/* block_nr is not where it was read */
	REMAP_SB_BAD_VERSION,	/* neither 1 nor 2 */
	REMAP_SB_INCONSISTENT,	/* layout, slot_blocks_init or padding */
};

/*
 * Decode and check a superblock copy read from block @block_nr (0 or 1):
 * REMAP_SB_VALID (and *@sb filled) or why not.  Inconsistent: the stored
 * layout is not what remap_meta_layout() gives for its capacity and unit,
 * slot_blocks_init is not valid for the version, or a byte after it is
 * not zero.  remap_sb_choose() applies it to both copies.
 */
enum remap_sb_status remap_sb_decode_copy(const u8 *block, u64 block_nr,
					  struct remap_sb *sb);

/*
 * Its text: "not a dm-remap superblock" (bad magic), "superblock checksum
 * mismatch", "superblock in the wrong place", "unsupported metadata
 * version", "inconsistent superblock".
 */
const char *remap_sb_status_str(enum remap_sb_status st);

/*
 * The rule for the two superblock copies, the one the module and remapctl
 * both apply (docs/metadata-format.md, "Superblock"): both all zero is a
 * new area; otherwise the valid copy with the higher generation is
 * current, copy A on a tie; with neither valid, the area is foreign (both
 * have a wrong magic), of an unsupported version (either says so), or
 * corrupt.
 */
enum remap_sb_verdict {
	REMAP_SB_CHOSEN,	/* copy[pick] is current */
	REMAP_SB_IS_NEW,	/* both copies all zero */
	REMAP_SB_IS_FOREIGN,
	REMAP_SB_IS_UNSUPPORTED,
	REMAP_SB_IS_CORRUPT,
};

/* REMAP_SB_CHOSEN: the copy that was not picked. */
enum remap_sb_other {
	REMAP_SB_OTHER_SAME,	/* valid, same generation */
	REMAP_SB_OTHER_STALE,	/* valid, older generation: rewrite it */
	REMAP_SB_OTHER_INVALID,	/* status[!pick] says why: rewrite it */
};

struct remap_sb_choice {
	enum remap_sb_verdict verdict;
	int pick;			/* 0 (copy A, block 0) or 1; else -1 */
	enum remap_sb_other other;
	enum remap_sb_status status[2];
	struct remap_sb copy[2];	/* valid where status[i] is VALID */
};

/* Apply that rule to blocks 0 and 1 (@blocks: 2 * 4096 bytes). */
void remap_sb_choose(const u8 *blocks, struct remap_sb_choice *c);

/* Why a slot or pending block copy is not valid (or REMAP_BLOCK_VALID). */
enum remap_block_status {
	REMAP_BLOCK_VALID,
	REMAP_BLOCK_ZERO,		/* all zero bytes */
	REMAP_BLOCK_OTHER_KIND,		/* another metadata block's magic */
	REMAP_BLOCK_FOREIGN,		/* bad magic */
	REMAP_BLOCK_BAD_CRC,
	REMAP_BLOCK_MISPLACED,		/* written for another block number */
	REMAP_BLOCK_OTHER_INSTANCE,	/* of an earlier format */
};

/*
 * Check the header of a slot or pending block (@magic) read from
 * @block_nr: magic, checksum, block number, instance, in that order.
 */
enum remap_block_status remap_entries_check(const u8 *block, u32 magic,
					    u64 instance, u64 block_nr);

/* Its text, for remapctl check. */
const char *remap_block_status_str(enum remap_block_status st);

/*
 * Decode a slot or pending block read from @block_nr.  0 when valid (and
 * *seq, @entries filled: remap_entries_check() says valid), -EINVAL
 * otherwise.
 */
int remap_entries_decode(const u8 *block, u32 magic, u64 instance,
			 u64 block_nr, u64 *seq, u64 *entries);

/*
 * Of two copies of a block: which is current.  Returns 0 (copy A), 1 (copy
 * B), or -1 (neither valid).  *repair is set when the other copy needs
 * rewriting (invalid, or older).
 */
int remap_meta_pick(bool valid_a, u64 seq_a, bool valid_b, u64 seq_b,
		    bool *repair);

/*
 * Add the in-use slots of one slot block (describing spare units from
 * @first_sunit, @nr slots) to @e as (lunit, sunit) entries, in spare unit
 * order.  Returns how many were added.  Retired slots are counted in
 * *retired.  A value naming a logical unit >= @nr_lunits makes it return
 * -EINVAL (corrupt).
 */
long remap_slots_to_entries(const u64 *slots, size_t nr, u64 first_sunit,
			    u64 nr_lunits, struct remap_entry *e,
			    u64 *retired);

/*
 * A relocation (a unit moving from one spare unit to another) commits the
 * block holding the new slot first and the block retiring the old slot
 * second; a crash between the two leaves one logical unit named by two
 * slots.  The slot in the block with the higher seq is then current, the
 * other is the old place.  @e (*n entries, sorted by lunit), @block_seq[b]
 * the seq of slot block b as loaded: the losers are dropped from @e (*n is
 * updated) and their spare units stored in @losers (room for *n).
 * Returns how many, or -EINVAL when a logical unit is named three times,
 * or twice in blocks of the same seq (no crash leaves that: corruption).
 */
long remap_resolve_relocations(struct remap_entry *e, size_t *n,
			       const u64 *block_seq, u64 *losers);

/* ---- the protective mode (docs/metadata-format.md, "Protection") ---- */

/* Logical units of a main device of @sectors from main_start (the last may be partial). */
u64 remap_protect_main_units(u64 main_dev_sectors, u64 main_start,
			     u32 unit_sectors);

/*
 * Is @p a protection a superblock may hold, for @nr_lunits logical units
 * (remap_protect_main_units())?  All zero; or tail 0 with tail_first 0; the
 * head within the units, the tail after the head (tail_first >= head) and
 * within the units.
 */
bool remap_protect_valid(const struct remap_protect *p, u64 nr_lunits);

static inline bool remap_protect_on(const struct remap_protect *p)
{
	return p->head || p->tail;
}

/* Is logical unit @lunit protected? */
bool remap_protect_covers(const struct remap_protect *p, u64 lunit);

/* Is any unit of first..last protected?  *hit (if not NULL): the first one. */
bool remap_protect_overlaps(const struct remap_protect *p, u64 first,
			    u64 last, u64 *hit);

/*
 * The protection of a device of @len_sectors in @unit_sectors units: the
 * units holding its first @head_sectors and its last @tail_sectors (0:
 * none), the tail starting after the head.  0, or -EINVAL with *error
 * when the device is empty, nothing would be protected, or a range needs
 * more than 2^32 - 1 units.
 */
int remap_protect_plan(u64 len_sectors, u32 unit_sectors, u64 head_sectors,
		       u64 tail_sectors, struct remap_protect *p,
		       const char **error);

/*
 * Every protected unit must be remapped (its data lives on the spare; the
 * main device holds the signature).  @e (@n entries, sorted by lunit):
 * true when each is; otherwise false and *missing is the first that is not.
 */
bool remap_protect_all_remapped(const struct remap_protect *p,
				const struct remap_entry *e, size_t n,
				u64 *missing);

/*
 * The member signature: written on the raw main device in place of the
 * protected units' data (the first 512 bytes of the first protected unit,
 * and of the last 4096 bytes of the tail), the rest of those units zero.
 * docs/metadata-format.md, "The member signature".
 */
#define REMAP_MEMBER_SIZE 512U
#define REMAP_MEMBER_MAGIC "DM-REMAP-MEMBER"	/* 16 bytes with its NUL */
#define REMAP_MEMBER_VERSION 1U
#define REMAP_MEMBER_TEXT_OFF 128U

struct remap_member {
	u8 uuid[16];		/* the metadata's uuid */
	u64 main_start;
	u32 unit_sectors;
	u32 where;		/* 0: at the head, 1: at the end */
	struct remap_protect prot;
};

/* Encode @m into @buf (REMAP_MEMBER_SIZE bytes). */
void remap_member_encode(const struct remap_member *m, u8 *buf);

/*
 * Decode @buf (REMAP_MEMBER_SIZE bytes): 1 when it is a valid member
 * signature (*m filled), 0 when it does not start with the magic, -EINVAL
 * with *error when it does but is damaged (checksum, version).
 */
int remap_member_decode(const u8 *buf, struct remap_member *m,
			const char **error);

#endif /* DM_REMAP_CORE_META_H */
