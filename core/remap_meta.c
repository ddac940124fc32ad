// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_meta.c - the on-disk metadata codec (docs/metadata-format.md).
 *
 * See remap_meta.h.  Every integer goes through the byte-wise little-endian
 * helpers below, never through a cast of the block buffer: the bytes are
 * the same on every host, and nothing here depends on the buffer's
 * alignment.  Decoding checks everything the format fixes, so a block that
 * decodes re-encodes to the very same 4096 bytes.
 */
#include "remap_meta.h"
#include "remap_args.h"

/* Header fields (docs: "Every block: the 32-byte header"). */
#define RM_OFF_MAGIC		0
#define RM_OFF_CRC		4
#define RM_OFF_BLOCK_NR		8
#define RM_OFF_INSTANCE		16
#define RM_OFF_SEQ		24
/* The CRC covers the block from block_nr to its end. */
#define RM_CRC_START		RM_OFF_BLOCK_NR

/* Superblock fields (docs: "Superblock"). */
#define RM_OFF_UUID		32
#define RM_OFF_VERSION		48
#define RM_OFF_UNIT		52
#define RM_OFF_LBS		56
#define RM_OFF_FLAGS		60
#define RM_OFF_MAIN_DEV		64
#define RM_OFF_MAIN_START	72
#define RM_OFF_SPARE_START	80
#define RM_OFF_META_BLOCKS	88
#define RM_OFF_DATA_OFFSET	96
#define RM_OFF_CAPACITY		104
#define RM_OFF_PENDING_BLOCKS	112
#define RM_OFF_SLOT_BLOCKS	120
#define RM_OFF_GENERATION	128
#define RM_OFF_FORMAT_TIME	136
#define RM_OFF_COUNTERS		144
#define RM_OFF_INIT_BLOCKS	272
#define RM_OFF_PROT_HEAD	280
#define RM_OFF_PROT_TAIL	284
#define RM_OFF_PROT_TAIL_FIRST	288
#define RM_OFF_NAME		296
#define RM_OFF_SERIAL		(RM_OFF_NAME + REMAP_ID_NAME_SIZE)	/* 424 */
#define RM_OFF_WWN		(RM_OFF_SERIAL + REMAP_ID_SERIAL_SIZE)	/* 552 */
#define RM_OFF_PARTITION	(RM_OFF_WWN + REMAP_ID_WWN_SIZE)	/* 616 */
/* First byte after the partition number (620): from here to the end, zero. */
#define RM_SB_END		(RM_OFF_PARTITION + 4)

/* ---- little-endian, byte by byte ---- */

int remap_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

int remap_cmp_slot_change(const void *a, const void *b)
{
	return remap_cmp_u64(&((const struct remap_slot_change *)a)->sunit,
			     &((const struct remap_slot_change *)b)->sunit);
}

static void rm_put32(u8 *p, u32 v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void rm_put64(u8 *p, u64 v)
{
	rm_put32(p, (u32)v);
	rm_put32(p + 4, (u32)(v >> 32));
}

static u32 rm_get32(const u8 *p)
{
	u32 v = 0;
	unsigned int i;

	for (i = 4; i-- > 0; )
		v = (v << 8) | p[i];
	return v;
}

static u64 rm_get64(const u8 *p)
{
	return (u64)rm_get32(p) | (u64)rm_get32(p + 4) << 32;
}

/*
 * The one u64 division of the codec: REMAP_META_PER_BLOCK (508) is not a
 * power of two.  Plain division is fine on the 64-bit kernels this module
 * is built for; a 32-bit build would change this line to div_u64().
 */
static u64 rm_div508(u64 x)
{
	return x / REMAP_META_PER_BLOCK;
}

/* log2 of a unit size; false unless it is a power of two (not 0). */
static bool rm_unit_shift(u32 unit_sectors, unsigned int *shift)
{
	unsigned int s = 0;

	if (!unit_sectors || (unit_sectors & (unit_sectors - 1)))
		return false;
	while ((1U << s) != unit_sectors)
		s++;
	*shift = s;
	return true;
}

static bool rm_is_zero(const u8 *p, size_t len)
{
	u8 acc = 0;

	while (len--)
		acc |= *p++;
	return !acc;
}

static int rm_fail(const char **error, const char *msg)
{
	if (error)
		*error = msg;
	return -EINVAL;
}

/* ---- layout ---- */

bool remap_meta_layout(u64 capacity, u32 unit_sectors,
		       struct remap_meta_layout *l)
{
	u64 pending = REMAP_META_PENDING_BLOCKS, slots, meta, off, mask;
	unsigned int shift;

	if (!capacity || !rm_unit_shift(unit_sectors, &shift))
		return false;
	slots = rm_div508(capacity);
	if (capacity - slots * REMAP_META_PER_BLOCK)
		slots++;
	/* slots <= 2^64 / 508 + 1: none of these can overflow. */
	meta = 2 + 2 * pending + 2 * slots;
	mask = (u64)unit_sectors - 1;
	off = (meta * REMAP_META_BLOCK_SECTORS + mask) & ~mask;
	/* The units the table describes must have sector numbers. */
	if (capacity > (U64_MAX - off) >> shift)
		return false;

	l->slot_capacity = capacity;
	l->pending_blocks = pending;
	l->slot_blocks = slots;
	l->meta_blocks = meta;
	l->data_offset = off;
	l->pending_a = 2;
	l->pending_b = 2 + pending;
	l->slots_a = 2 + 2 * pending;
	l->slots_b = 2 + 2 * pending + slots;
	return true;
}

/* At least one unit after the metadata in a spare area of @spare_len. */
static bool rm_fits_one(const struct remap_meta_layout *l, u64 spare_len,
			u32 unit_sectors)
{
	return spare_len >= l->data_offset &&
	       spare_len - l->data_offset >= unit_sectors;
}

bool remap_meta_layout_for_format(u64 spare_dev_sectors, u64 spare_start,
				  u64 spare_len, u32 unit_sectors,
				  struct remap_meta_layout *l)
{
	struct remap_meta_layout t;
	unsigned int shift;
	u64 in_len;

	if (!rm_unit_shift(unit_sectors, &shift))
		return false;
	/*
	 * Capacity to the end of the spare device, so that the spare area
	 * can grow later, when its metadata takes at most half of spare_len:
	 * room to grow never costs more than half the spare units asked for.
	 * It never describes fewer units than spare_len holds (which only a
	 * spare area past the device's end could make happen, and the
	 * geometry check refuses that anyway).
	 */
	in_len = spare_len >> shift;
	if (spare_dev_sectors > spare_start) {
		u64 to_end = (spare_dev_sectors - spare_start) >> shift;

		if (to_end >= in_len &&
		    remap_meta_layout(to_end, unit_sectors, &t) &&
		    rm_fits_one(&t, spare_len, unit_sectors) &&
		    t.data_offset <= spare_len / 2) {
			*l = t;
			return true;
		}
	}
	/* Otherwise spare_len's units: an upper bound of what follows. */
	if (remap_meta_layout(in_len, unit_sectors, &t) &&
	    rm_fits_one(&t, spare_len, unit_sectors)) {
		*l = t;
		return true;
	}
	return false;
}

u64 remap_meta_units(const struct remap_meta_layout *l, u64 spare_len,
		     u32 unit_sectors)
{
	unsigned int shift;
	u64 n;

	if (!rm_unit_shift(unit_sectors, &shift) || spare_len <= l->data_offset)
		return 0;
	n = (spare_len - l->data_offset) >> shift;
	return n < l->slot_capacity ? n : l->slot_capacity;
}

u64 remap_meta_blocks_for(const struct remap_meta_layout *l, u64 spare_len,
			  u32 unit_sectors)
{
	u64 n = remap_meta_units(l, spare_len, unit_sectors);
	u64 blocks = rm_div508(n);

	return blocks + (n - blocks * REMAP_META_PER_BLOCK != 0);
}

u64 remap_meta_blocks_to_init(const struct remap_meta_layout *l,
			      u64 spare_len, u32 unit_sectors)
{
	u64 need = remap_meta_blocks_for(l, spare_len, unit_sectors);

	if (l->slot_blocks - need <= REMAP_META_INIT_SLACK &&
	    l->slot_blocks <= REMAP_META_MAX_LOADED_BLOCKS)
		return l->slot_blocks;
	return need;
}

u64 remap_meta_block_slots(const struct remap_meta_layout *l, u64 blocks)
{
	if (blocks >= l->slot_blocks)
		return l->slot_capacity;
	/* blocks < slot_blocks <= 2^64 / 508 + 1: no overflow. */
	return blocks * REMAP_META_PER_BLOCK;
}

/* ---- initialized slot blocks (docs: "Initialized slot blocks") ---- */

u64 remap_sb_init_blocks(const struct remap_sb *sb)
{
	return sb->slot_blocks_init ? sb->slot_blocks_init :
				      sb->layout.slot_blocks;
}

void remap_sb_set_init_blocks(struct remap_sb *sb, u64 n)
{
	if (!n)
		n = 1;
	if (n >= sb->layout.slot_blocks) {
		sb->slot_blocks_init = 0;
		sb->version = REMAP_META_VERSION;
	} else {
		sb->slot_blocks_init = n;
		sb->version = REMAP_META_VERSION_PARTIAL;
	}
}

bool remap_sb_init_valid(u32 version, u64 init, u64 slot_blocks)
{
	if (version == REMAP_META_VERSION)
		return !init;
	return version == REMAP_META_VERSION_PARTIAL && init &&
	       init < slot_blocks;
}

/* ---- blocks ---- */

static void rm_put_header(u8 *block, u32 magic, u64 block_nr, u64 instance,
			  u64 seq)
{
	rm_put32(block + RM_OFF_MAGIC, magic);
	rm_put32(block + RM_OFF_CRC, 0);
	rm_put64(block + RM_OFF_BLOCK_NR, block_nr);
	rm_put64(block + RM_OFF_INSTANCE, instance);
	rm_put64(block + RM_OFF_SEQ, seq);
}

static u32 rm_block_crc(const u8 *block)
{
	return remap_crc32c(block + RM_CRC_START,
			    REMAP_META_BLOCK_SIZE - RM_CRC_START);
}

static void rm_seal(u8 *block)
{
	rm_put32(block + RM_OFF_CRC, rm_block_crc(block));
}

static bool rm_crc_ok(const u8 *block)
{
	return rm_get32(block + RM_OFF_CRC) == rm_block_crc(block);
}

bool remap_meta_block_is_zero(const u8 *block)
{
	return rm_is_zero(block, REMAP_META_BLOCK_SIZE);
}

/* ---- the identity (docs: "Identity") ---- */

/* Length of @s within @size bytes; @size when no NUL is there. */
static size_t rm_strnlen(const char *s, size_t size)
{
	size_t n = 0;

	while (n < size && s[n])
		n++;
	return n;
}

int remap_id_check(const char *s, size_t size, const char *what,
		   const char **error)
{
	size_t i, n = rm_strnlen(s, size);

	if (n == size) {
		if (error)
			*error = "identity string too long";
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!remap_id_char(s[i])) {
			if (error)
				*error = !strcmp(what, "name") ?
					 "identity name: a blank or control character" :
					 "identity serial or WWN: a blank or control character";
			return -EINVAL;
		}
	return 0;
}

/* NULL and "" are "not recorded". */
static const char *rm_id_arg(const char *s)
{
	return s ? s : "";
}

int remap_identity_set(struct remap_identity *id, const char *name,
		       const char *serial, const char *wwn, u32 partition,
		       const char **error)
{
	name = rm_id_arg(name);
	serial = rm_id_arg(serial);
	wwn = rm_id_arg(wwn);
	if (remap_id_check(name, REMAP_ID_NAME_SIZE, "name", error) ||
	    remap_id_check(serial, REMAP_ID_SERIAL_SIZE, "serial", error) ||
	    remap_id_check(wwn, REMAP_ID_WWN_SIZE, "wwn", error))
		return -EINVAL;
	memset(id, 0, sizeof(*id));
	memcpy(id->name, name, strlen(name));
	memcpy(id->serial, serial, strlen(serial));
	memcpy(id->wwn, wwn, strlen(wwn));
	id->partition = partition;
	return 0;
}

int remap_id_match(const struct remap_sb *sb, const char *serial,
		   const char *wwn, u32 partition, u64 sectors,
		   const char **error)
{
	const struct remap_identity *id = &sb->id;
	const char *why = NULL;

	if (!id->serial[0] && !id->wwn[0]) {
		if (error)
			*error = "the metadata records neither serial nor WWN of its main device";
		return -ENODATA;
	}
	if (id->serial[0] && (!serial || strcmp(serial, id->serial)))
		why = "serial differs";
	else if (id->wwn[0] && (!wwn || strcmp(wwn, id->wwn)))
		why = "WWN differs";
	else if (partition != id->partition)
		why = "partition number differs";
	else if (sectors != sb->main_dev_sectors)
		why = "size differs";
	if (!why)
		return 0;
	if (error)
		*error = why;
	return -ENODEV;
}

/* A string field: the string, then NULs to @size. */
static void rm_put_str(u8 *p, const char *s, size_t size)
{
	size_t n = rm_strnlen(s, size - 1);

	memcpy(p, s, n);
	memset(p + n, 0, size - n);
}

/*
 * Read a string field: false unless it is a remap_id_check() string padded
 * with NULs to @size (so that it re-encodes to the same bytes).
 */
static bool rm_get_str(const u8 *p, char *s, size_t size)
{
	size_t n = rm_strnlen((const char *)p, size);

	if (n == size || !rm_is_zero(p + n, size - n))
		return false;
	memcpy(s, p, size);
	return !remap_id_check(s, size, "", NULL);
}

/* ---- superblock ---- */

void remap_sb_encode(const struct remap_sb *sb, u64 block_nr, u8 *block)
{
	const struct remap_meta_layout *l = &sb->layout;
	unsigned int i;

	memset(block, 0, REMAP_META_BLOCK_SIZE);
	rm_put_header(block, REMAP_MAGIC_SUPER, block_nr, sb->instance,
		      sb->seq);
	memcpy(block + RM_OFF_UUID, sb->uuid, sizeof(sb->uuid));
	rm_put32(block + RM_OFF_VERSION, sb->version);
	rm_put32(block + RM_OFF_UNIT, sb->unit_sectors);
	rm_put32(block + RM_OFF_LBS, sb->logical_block_size);
	rm_put32(block + RM_OFF_FLAGS, sb->flags);
	rm_put64(block + RM_OFF_MAIN_DEV, sb->main_dev_sectors);
	rm_put64(block + RM_OFF_MAIN_START, sb->main_start);
	rm_put64(block + RM_OFF_SPARE_START, sb->spare_start);
	rm_put64(block + RM_OFF_META_BLOCKS, l->meta_blocks);
	rm_put64(block + RM_OFF_DATA_OFFSET, l->data_offset);
	rm_put64(block + RM_OFF_CAPACITY, l->slot_capacity);
	rm_put64(block + RM_OFF_PENDING_BLOCKS, l->pending_blocks);
	rm_put64(block + RM_OFF_SLOT_BLOCKS, l->slot_blocks);
	rm_put64(block + RM_OFF_GENERATION, sb->generation);
	rm_put64(block + RM_OFF_FORMAT_TIME, sb->format_time);
	for (i = 0; i < REMAP_META_NR_COUNTERS; i++)
		rm_put64(block + RM_OFF_COUNTERS + 8 * i, sb->counters[i]);
	rm_put64(block + RM_OFF_INIT_BLOCKS, sb->slot_blocks_init);
	rm_put32(block + RM_OFF_PROT_HEAD, sb->prot.head);
	rm_put32(block + RM_OFF_PROT_TAIL, sb->prot.tail);
	rm_put64(block + RM_OFF_PROT_TAIL_FIRST, sb->prot.tail_first);
	rm_put_str(block + RM_OFF_NAME, sb->id.name, REMAP_ID_NAME_SIZE);
	rm_put_str(block + RM_OFF_SERIAL, sb->id.serial, REMAP_ID_SERIAL_SIZE);
	rm_put_str(block + RM_OFF_WWN, sb->id.wwn, REMAP_ID_WWN_SIZE);
	rm_put32(block + RM_OFF_PARTITION, sb->id.partition);
	rm_seal(block);
}

enum remap_sb_status remap_sb_decode_copy(const u8 *block, u64 block_nr,
					  struct remap_sb *sb)
{
	struct remap_sb s;
	struct remap_meta_layout *l = &s.layout;
	unsigned int i;

	if (rm_get32(block + RM_OFF_MAGIC) != REMAP_MAGIC_SUPER)
		return REMAP_SB_FOREIGN;
	if (!rm_crc_ok(block))
		return REMAP_SB_BAD_CRC;
	if (block_nr > 1 || rm_get64(block + RM_OFF_BLOCK_NR) != block_nr)
		return REMAP_SB_MISPLACED;
	s.version = rm_get32(block + RM_OFF_VERSION);
	if (s.version != REMAP_META_VERSION &&
	    s.version != REMAP_META_VERSION_PARTIAL)
		return REMAP_SB_BAD_VERSION;

	s.instance = rm_get64(block + RM_OFF_INSTANCE);
	s.seq = rm_get64(block + RM_OFF_SEQ);
	memcpy(s.uuid, block + RM_OFF_UUID, sizeof(s.uuid));
	s.unit_sectors = rm_get32(block + RM_OFF_UNIT);
	s.logical_block_size = rm_get32(block + RM_OFF_LBS);
	s.flags = rm_get32(block + RM_OFF_FLAGS);
	s.main_dev_sectors = rm_get64(block + RM_OFF_MAIN_DEV);
	s.main_start = rm_get64(block + RM_OFF_MAIN_START);
	s.spare_start = rm_get64(block + RM_OFF_SPARE_START);
	s.generation = rm_get64(block + RM_OFF_GENERATION);
	s.format_time = rm_get64(block + RM_OFF_FORMAT_TIME);
	for (i = 0; i < REMAP_META_NR_COUNTERS; i++)
		s.counters[i] = rm_get64(block + RM_OFF_COUNTERS + 8 * i);
	s.slot_blocks_init = rm_get64(block + RM_OFF_INIT_BLOCKS);
	s.prot.head = rm_get32(block + RM_OFF_PROT_HEAD);
	s.prot.tail = rm_get32(block + RM_OFF_PROT_TAIL);
	s.prot.tail_first = rm_get64(block + RM_OFF_PROT_TAIL_FIRST);
	s.id.partition = rm_get32(block + RM_OFF_PARTITION);
	if (!rm_get_str(block + RM_OFF_NAME, s.id.name, REMAP_ID_NAME_SIZE) ||
	    !rm_get_str(block + RM_OFF_SERIAL, s.id.serial,
			REMAP_ID_SERIAL_SIZE) ||
	    !rm_get_str(block + RM_OFF_WWN, s.id.wwn, REMAP_ID_WWN_SIZE))
		return REMAP_SB_INCONSISTENT;

	/* The stored layout must be the one its capacity and unit give. */
	if (s.unit_sectors > REMAP_MAX_UNIT_SECTORS ||
	    !remap_meta_layout(rm_get64(block + RM_OFF_CAPACITY),
			       s.unit_sectors, l) ||
	    rm_get64(block + RM_OFF_META_BLOCKS) != l->meta_blocks ||
	    rm_get64(block + RM_OFF_DATA_OFFSET) != l->data_offset ||
	    rm_get64(block + RM_OFF_PENDING_BLOCKS) != l->pending_blocks ||
	    rm_get64(block + RM_OFF_SLOT_BLOCKS) != l->slot_blocks)
		return REMAP_SB_INCONSISTENT;
	if (!remap_sb_init_valid(s.version, s.slot_blocks_init, l->slot_blocks))
		return REMAP_SB_INCONSISTENT;
	if (!remap_protect_valid(&s.prot,
				 remap_protect_main_units(s.main_dev_sectors,
							  s.main_start,
							  s.unit_sectors)))
		return REMAP_SB_INCONSISTENT;
	/* The instance is the uuid's first 8 bytes; the rest is zero. */
	if (s.instance != rm_get64(s.uuid) ||
	    !rm_is_zero(block + RM_SB_END, REMAP_META_BLOCK_SIZE - RM_SB_END))
		return REMAP_SB_INCONSISTENT;
	*sb = s;
	return REMAP_SB_VALID;
}

const char *remap_sb_status_str(enum remap_sb_status st)
{
	switch (st) {
	case REMAP_SB_VALID:
		return "valid";
	case REMAP_SB_FOREIGN:
		return "not a dm-remap superblock";
	case REMAP_SB_BAD_CRC:
		return "superblock checksum mismatch";
	case REMAP_SB_MISPLACED:
		return "superblock in the wrong place";
	case REMAP_SB_BAD_VERSION:
		return "unsupported metadata version";
	case REMAP_SB_INCONSISTENT:
		break;
	}
	return "inconsistent superblock";
}

void remap_sb_choose(const u8 *blocks, struct remap_sb_choice *c)
{
	unsigned int i;
	bool v[2];

	memset(c, 0, sizeof(*c));
	c->pick = -1;
	if (remap_meta_block_is_zero(blocks) &&
	    remap_meta_block_is_zero(blocks + REMAP_META_BLOCK_SIZE)) {
		c->verdict = REMAP_SB_IS_NEW;
		return;
	}
	for (i = 0; i < 2; i++) {
		c->status[i] = remap_sb_decode_copy(blocks +
						    i * REMAP_META_BLOCK_SIZE,
						    i, &c->copy[i]);
		v[i] = c->status[i] == REMAP_SB_VALID;
	}
	if (!v[0] && !v[1]) {
		if (c->status[0] == REMAP_SB_FOREIGN &&
		    c->status[1] == REMAP_SB_FOREIGN)
			c->verdict = REMAP_SB_IS_FOREIGN;
		else if (c->status[0] == REMAP_SB_BAD_VERSION ||
			 c->status[1] == REMAP_SB_BAD_VERSION)
			c->verdict = REMAP_SB_IS_UNSUPPORTED;
		else
			c->verdict = REMAP_SB_IS_CORRUPT;
		return;
	}
	c->verdict = REMAP_SB_CHOSEN;
	c->pick = v[0] && (!v[1] ||
			   c->copy[0].generation >= c->copy[1].generation) ? 0 : 1;
	i = !c->pick;
	if (!v[i])
		c->other = REMAP_SB_OTHER_INVALID;
	else if (c->copy[i].generation != c->copy[c->pick].generation)
		c->other = REMAP_SB_OTHER_STALE;
	else
		c->other = REMAP_SB_OTHER_SAME;
}

/* ---- slot and pending blocks ---- */

void remap_entries_encode(u32 magic, u64 instance, u64 block_nr, u64 seq,
			  const u64 *entries, u8 *block)
{
	unsigned int i;

	rm_put_header(block, magic, block_nr, instance, seq);
	for (i = 0; i < REMAP_META_PER_BLOCK; i++)
		rm_put64(block + REMAP_META_HEADER_SIZE + 8 * i, entries[i]);
	rm_seal(block);
}

enum remap_block_status remap_entries_check(const u8 *block, u32 magic,
					    u64 instance, u64 block_nr)
{
	u32 mg = rm_get32(block + RM_OFF_MAGIC);

	if (mg != magic) {
		if (remap_meta_block_is_zero(block))
			return REMAP_BLOCK_ZERO;
		if (mg == REMAP_MAGIC_SUPER || mg == REMAP_MAGIC_SLOTS ||
		    mg == REMAP_MAGIC_PENDING)
			return REMAP_BLOCK_OTHER_KIND;
		return REMAP_BLOCK_FOREIGN;
	}
	if (!rm_crc_ok(block))
		return REMAP_BLOCK_BAD_CRC;
	if (rm_get64(block + RM_OFF_BLOCK_NR) != block_nr)
		return REMAP_BLOCK_MISPLACED;
	if (rm_get64(block + RM_OFF_INSTANCE) != instance)
		return REMAP_BLOCK_OTHER_INSTANCE;
	return REMAP_BLOCK_VALID;
}

static const char *const rm_block_why[] = {
	[REMAP_BLOCK_VALID] = "valid",
	[REMAP_BLOCK_ZERO] = "all zero",
	[REMAP_BLOCK_OTHER_KIND] = "a different kind of metadata block",
	[REMAP_BLOCK_FOREIGN] = "not a dm-remap metadata block (bad magic)",
	[REMAP_BLOCK_BAD_CRC] = "checksum mismatch",
	[REMAP_BLOCK_MISPLACED] =
		"written for another block number (a misdirected write)",
	[REMAP_BLOCK_OTHER_INSTANCE] =
		"from another metadata instance (an earlier format)",
};

const char *remap_block_status_str(enum remap_block_status st)
{
	return rm_block_why[st];
}

int remap_entries_decode(const u8 *block, u32 magic, u64 instance,
			 u64 block_nr, u64 *seq, u64 *entries)
{
	unsigned int i;

	if (remap_entries_check(block, magic, instance, block_nr) !=
	    REMAP_BLOCK_VALID)
		return -EINVAL;
	*seq = rm_get64(block + RM_OFF_SEQ);
	for (i = 0; i < REMAP_META_PER_BLOCK; i++)
		entries[i] = rm_get64(block + REMAP_META_HEADER_SIZE + 8 * i);
	return 0;
}

int remap_meta_pick(bool valid_a, u64 seq_a, bool valid_b, u64 seq_b,
		    bool *repair)
{
	if (valid_a && valid_b) {
		/* Equal seq: equal contents, nothing to repair. */
		if (seq_a >= seq_b) {
			*repair = seq_a != seq_b;
			return 0;
		}
		*repair = true;
		return 1;
	}
	*repair = valid_a || valid_b;
	if (valid_a)
		return 0;
	return valid_b ? 1 : -1;
}

long remap_slots_to_entries(const u64 *slots, size_t nr, u64 first_sunit,
			    u64 nr_lunits, struct remap_entry *e,
			    u64 *retired)
{
	size_t i, n = 0;

	for (i = 0; i < nr; i++) {
		u64 v = slots[i];

		if (v == REMAP_SLOT_FREE)
			continue;
		if (v == REMAP_SLOT_RETIRED) {
			if (retired)
				(*retired)++;
			continue;
		}
		/* 1 .. 2^63 name logical units 0 .. REMAP_SLOT_MAX_LUNIT. */
		if (v - 1 > REMAP_SLOT_MAX_LUNIT || v - 1 >= nr_lunits ||
		    first_sunit + i < first_sunit)
			return -EINVAL;
		e[n].lunit = v - 1;
		e[n].sunit = first_sunit + i;
		n++;
	}
	return (long)n;
}

long remap_resolve_relocations(struct remap_entry *e, size_t *n,
			       const u64 *block_seq, u64 *losers)
{
	size_t i = 0, j = 0;
	long nr_lost = 0;

	while (i < *n) {
		u64 sa, sb;
		size_t keep;

		if (i + 1 == *n || e[i + 1].lunit != e[i].lunit) {
			e[j++] = e[i++];
			continue;
		}
		if (i + 2 < *n && e[i + 2].lunit == e[i].lunit)
			return -EINVAL;
		sa = block_seq[e[i].sunit / REMAP_META_PER_BLOCK];
		sb = block_seq[e[i + 1].sunit / REMAP_META_PER_BLOCK];
		if (sa == sb)
			return -EINVAL;
		keep = sa > sb ? i : i + 1;
		losers[nr_lost++] = e[keep == i ? i + 1 : i].sunit;
		e[j++] = e[keep];
		i += 2;
	}
	*n = j;
	return nr_lost;
}

/* ---- the scrub checkpoint (docs: "Scrub checkpoint") ---- */

const char *remap_scrub_state_str(u64 state)
{
	switch (state) {
	case REMAP_SCRUB_IDLE:
		return "idle";
	case REMAP_SCRUB_RUNNING:
		return "running";
	case REMAP_SCRUB_PAUSED:
		return "paused";
	}
	return NULL;
}

void remap_scrub_ckpt_put(u64 *counters, const struct remap_scrub_ckpt *c)
{
	counters[REMAP_SBW_SCRUB_READ_ERRORS] = c->read_errors;
	counters[REMAP_SBW_SCRUB_RELOCATED] = c->relocated;
	counters[REMAP_SBW_SCRUB_WEAK] = c->weak;
	counters[REMAP_SBW_SCRUB_PENDING] = c->pending;
	counters[REMAP_SBW_SCRUB_PASSES] = c->passes;
	counters[REMAP_SBW_SCRUB_LAST_PASS_END] = c->last_pass_end;
	counters[REMAP_SBW_SCRUB_STATE] = c->state;
	counters[REMAP_SBW_SCRUB_START] = c->start;
	counters[REMAP_SBW_SCRUB_POS] = c->pos;
	counters[REMAP_SBW_SCRUB_END] = c->end;
	counters[REMAP_SBW_SCRUB_META_REPAIRED] = c->meta_repaired;
}

int remap_scrub_ckpt_get(const struct remap_sb *sb, struct remap_scrub_ckpt *c,
			 const char **error)
{
	const u64 *w = sb->counters;
	u64 len = sb->main_dev_sectors > sb->main_start ?
		  sb->main_dev_sectors - sb->main_start : 0;
	const char *why = NULL;

	c->read_errors = w[REMAP_SBW_SCRUB_READ_ERRORS];
	c->relocated = w[REMAP_SBW_SCRUB_RELOCATED];
	c->weak = w[REMAP_SBW_SCRUB_WEAK];
	c->pending = w[REMAP_SBW_SCRUB_PENDING];
	c->passes = w[REMAP_SBW_SCRUB_PASSES];
	c->last_pass_end = w[REMAP_SBW_SCRUB_LAST_PASS_END];
	c->state = w[REMAP_SBW_SCRUB_STATE];
	c->start = w[REMAP_SBW_SCRUB_START];
	c->pos = w[REMAP_SBW_SCRUB_POS];
	c->end = w[REMAP_SBW_SCRUB_END];
	c->meta_repaired = w[REMAP_SBW_SCRUB_META_REPAIRED];

	if (!remap_scrub_state_str(c->state))
		why = "scrub checkpoint: unknown state";
	else if (c->start > c->pos || c->pos > c->end)
		why = "scrub checkpoint: position outside its pass";
	else if (!sb->unit_sectors || (c->start & (sb->unit_sectors - 1)))
		why = "scrub checkpoint: pass starts inside a unit";
	else if (c->end > len)
		why = "scrub checkpoint: pass ends past the main device";
	else if (c->state != REMAP_SCRUB_IDLE && c->start == c->end)
		why = "scrub checkpoint: a scrub of nothing";
	if (!why)
		return 0;
	memset(c, 0, sizeof(*c));
	return rm_fail(error, why);
}

/* ---- the protective mode (docs/metadata-format.md, "Protection") ---- */

u64 remap_protect_main_units(u64 main_dev_sectors, u64 main_start,
			     u32 unit_sectors)
{
	unsigned int shift;
	u64 len;

	if (!rm_unit_shift(unit_sectors, &shift) ||
	    main_dev_sectors <= main_start)
		return 0;
	len = main_dev_sectors - main_start;
	return (len >> shift) + ((len & (unit_sectors - 1)) != 0);
}

bool remap_protect_valid(const struct remap_protect *p, u64 nr_lunits)
{
	if (!p->tail)
		return !p->tail_first && p->head <= nr_lunits;
	return p->tail_first >= p->head && p->tail_first <= nr_lunits &&
	       p->tail <= nr_lunits - p->tail_first;
}

bool remap_protect_covers(const struct remap_protect *p, u64 lunit)
{
	return lunit < p->head ||
	       (p->tail && lunit >= p->tail_first &&
		lunit - p->tail_first < p->tail);
}

bool remap_protect_overlaps(const struct remap_protect *p, u64 first,
			    u64 last, u64 *hit)
{
	u64 h;

	if (first > last)
		return false;
	if (first < p->head)
		h = first;
	else if (p->tail && first < p->tail_first + p->tail &&
		 last >= p->tail_first)
		h = first > p->tail_first ? first : p->tail_first;
	else
		return false;
	if (hit)
		*hit = h;
	return true;
}

int remap_protect_plan(u64 len_sectors, u32 unit_sectors, u64 head_sectors,
		       u64 tail_sectors, struct remap_protect *p,
		       const char **error)
{
	unsigned int shift;
	u64 nr, head, first;

	memset(p, 0, sizeof(*p));
	if (!rm_unit_shift(unit_sectors, &shift) || !len_sectors)
		return rm_fail(error, "protect: an empty device");
	nr = (len_sectors >> shift) + ((len_sectors & (unit_sectors - 1)) != 0);
	head = (head_sectors >> shift) +
	       ((head_sectors & (unit_sectors - 1)) != 0);
	if (head > nr)
		head = nr;
	first = nr;
	if (tail_sectors)
		first = tail_sectors >= len_sectors ? 0 :
			(len_sectors - tail_sectors) >> shift;
	if (first < head)
		first = head;
	if (!head && first == nr)
		return rm_fail(error, "protect: nothing to protect");
	if (head > U32_MAX || nr - first > U32_MAX)
		return rm_fail(error, "protect: more than 2^32 - 1 units in a range");
	p->head = (u32)head;
	p->tail = (u32)(nr - first);
	p->tail_first = p->tail ? first : 0;
	return 0;
}

/* Are all of first .. first + n - 1 in @e? */
static bool rm_all_in(const struct remap_entry *e, size_t nr, u64 first,
		      u64 n, u64 *missing)
{
	size_t lo = remap_index_lower_bound(e, nr, first);
	u64 i;

	for (i = 0; i < n; i++) {
		if (lo + i >= nr || e[lo + i].lunit != first + i) {
			*missing = first + i;
			return false;
		}
	}
	return true;
}

bool remap_protect_all_remapped(const struct remap_protect *p,
				const struct remap_entry *e, size_t n,
				u64 *missing)
{
	u64 m;

	if (!missing)
		missing = &m;
	return rm_all_in(e, n, 0, p->head, missing) &&
	       rm_all_in(e, n, p->tail_first, p->tail, missing);
}

/* The member signature (docs/metadata-format.md, "The member signature"). */
#define RM_MB_OFF_VERSION	16
#define RM_MB_OFF_CRC		20
#define RM_MB_OFF_UUID		24
#define RM_MB_OFF_MAIN_START	40
#define RM_MB_OFF_UNIT		48
#define RM_MB_OFF_WHERE		52
#define RM_MB_OFF_HEAD		56
#define RM_MB_OFF_TAIL		60
#define RM_MB_OFF_TAIL_FIRST	64
#define RM_MB_CRC_START		RM_MB_OFF_UUID

static const char rm_member_text[] =
	"This disk is the main device of a protected dm-remap device.\n"
	"Its first and last units hold this signature, not data: use the\n"
	"remapped device (/dev/mapper/<name>), never this disk.\n"
	"Undo with: remapctl unprotect /dev/mapper/<name>; remapctl(8).\n"
	"metadata uuid: ";

static void rm_put_uuid_text(char *out, const u8 *u)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o++] = '\n';
}

void remap_member_encode(const struct remap_member *m, u8 *buf)
{
	char *text = (char *)buf + REMAP_MEMBER_TEXT_OFF;

	memset(buf, 0, REMAP_MEMBER_SIZE);
	memcpy(buf, REMAP_MEMBER_MAGIC, sizeof(REMAP_MEMBER_MAGIC));
	rm_put32(buf + RM_MB_OFF_VERSION, REMAP_MEMBER_VERSION);
	memcpy(buf + RM_MB_OFF_UUID, m->uuid, sizeof(m->uuid));
	rm_put64(buf + RM_MB_OFF_MAIN_START, m->main_start);
	rm_put32(buf + RM_MB_OFF_UNIT, m->unit_sectors);
	rm_put32(buf + RM_MB_OFF_WHERE, m->where);
	rm_put32(buf + RM_MB_OFF_HEAD, m->prot.head);
	rm_put32(buf + RM_MB_OFF_TAIL, m->prot.tail);
	rm_put64(buf + RM_MB_OFF_TAIL_FIRST, m->prot.tail_first);
	memcpy(text, rm_member_text, sizeof(rm_member_text) - 1);
	rm_put_uuid_text(text + sizeof(rm_member_text) - 1, m->uuid);
	rm_put32(buf + RM_MB_OFF_CRC,
		 remap_crc32c(buf + RM_MB_CRC_START,
			      REMAP_MEMBER_SIZE - RM_MB_CRC_START));
}

int remap_member_decode(const u8 *buf, struct remap_member *m,
			const char **error)
{
	if (memcmp(buf, REMAP_MEMBER_MAGIC, sizeof(REMAP_MEMBER_MAGIC)))
		return 0;
	if (rm_get32(buf + RM_MB_OFF_CRC) !=
	    remap_crc32c(buf + RM_MB_CRC_START,
			 REMAP_MEMBER_SIZE - RM_MB_CRC_START))
		return rm_fail(error, "member signature checksum mismatch");
	if (rm_get32(buf + RM_MB_OFF_VERSION) != REMAP_MEMBER_VERSION)
		return rm_fail(error, "unsupported member signature version");
	memcpy(m->uuid, buf + RM_MB_OFF_UUID, sizeof(m->uuid));
	m->main_start = rm_get64(buf + RM_MB_OFF_MAIN_START);
	m->unit_sectors = rm_get32(buf + RM_MB_OFF_UNIT);
	m->where = rm_get32(buf + RM_MB_OFF_WHERE);
	m->prot.head = rm_get32(buf + RM_MB_OFF_HEAD);
	m->prot.tail = rm_get32(buf + RM_MB_OFF_TAIL);
	m->prot.tail_first = rm_get64(buf + RM_MB_OFF_TAIL_FIRST);
	return 1;
}
