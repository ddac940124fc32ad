// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_meta.c - libFuzzer harness for core/remap_meta.c (the on-disk
 * metadata codec) and core/crc32c.c.
 *
 * Input: one flags byte, then a 4096-byte block (zero-padded when the
 * input is shorter).  The flags optionally repair parts of the block
 * (magic, block number, instance, version, layout fields, CRC) so that the
 * fuzzer also gets past each check, not only stop at the first.  Then:
 *
 *  - remap_sb_decode() must not crash; it fails with -EINVAL and one of
 *    its five messages, or succeeds, and then remap_sb_encode() of what it
 *    decoded reproduces the block byte for byte, and version and
 *    slot_blocks_init follow the document's rule (version 1: 0; version
 *    2: 1 .. slot_blocks - 1);
 *  - remap_entries_decode() likewise, with remap_entries_encode();
 *    remap_entries_check() names the first header field that is off;
 *  - remap_slots_to_entries() over the block's 508 u64s (and parameters
 *    from the header) must agree with a naive model;
 *  - remap_meta_layout(), remap_meta_layout_for_format(),
 *    remap_meta_units(), remap_meta_blocks_for(), remap_meta_blocks_to_init()
 *    and remap_meta_block_slots() over u64s taken from the block must agree
 *    with a 128-bit model of the document's arithmetic and keep their
 *    promises;
 *  - remap_meta_pick() must agree with the document's table;
 *  - a decoded superblock's protection (bytes 280..295) is valid for its
 *    main device, and remap_protect_covers()/overlaps() agree with a naive
 *    model; remap_protect_plan() over u64s from the block gives a valid
 *    protection covering what it was asked to;
 *  - remap_member_decode() of the block's first 512 bytes (the magic
 *    forced by F_MAGIC, the checksum by F_CRC) must not crash, and what it
 *    decodes re-encodes to a signature with the same header that decodes
 *    to the same fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remap_meta.h"
#include "fuzz_check.h"
#include "core_test_only.h"

#define BS REMAP_META_BLOCK_SIZE
#define PER REMAP_META_PER_BLOCK

/* Flags (the input's first byte). */
#define F_MAGIC		0x01	/* set the magic the decoder wants */
#define F_BLOCK_NR	0x02	/* set block_nr to the expected one */
#define F_INSTANCE	0x04	/* superblock: instance = uuid[0..7] */
#define F_VERSION	0x08	/* superblock: version 1, or 2 if slot_blocks_init */
#define F_LAYOUT	0x10	/* superblock: layout fields from capacity */
#define F_CRC		0x20	/* recompute the CRC (applied last) */
#define F_COPY_B	0x40	/* superblock copy B (block 1), else A */
#define F_PENDING	0x80	/* entries: pending, else slots */

static u64 get64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put64(u8 *p, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void put32(u8 *p, u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void seal(u8 *b)
{
	put32(b + 4, remap_crc32c(b + 8, BS - 8));
}

/* The document's layout, in 128-bit arithmetic. */
static bool ref_layout(u64 cap, u32 unit, struct remap_meta_layout *l)
{
	unsigned __int128 s, meta, off;

	if (!cap || !unit || (unit & (unit - 1)))
		return false;
	s = ((unsigned __int128)cap + PER - 1) / PER;
	meta = 2 + 2 * REMAP_META_PENDING_BLOCKS + 2 * s;
	off = (meta * 8 + unit - 1) / unit * unit;
	if (off + (unsigned __int128)cap * unit > U64_MAX)
		return false;
	l->slot_capacity = cap;
	l->pending_blocks = REMAP_META_PENDING_BLOCKS;
	l->slot_blocks = (u64)s;
	l->meta_blocks = (u64)meta;
	l->data_offset = (u64)off;
	l->pending_a = 2;
	l->pending_b = 2 + REMAP_META_PENDING_BLOCKS;
	l->slots_a = 2 + 2 * REMAP_META_PENDING_BLOCKS;
	l->slots_b = 2 + 2 * REMAP_META_PENDING_BLOCKS + (u64)s;
	return true;
}

static bool layout_equal(const struct remap_meta_layout *a,
			 const struct remap_meta_layout *b)
{
	return a->slot_capacity == b->slot_capacity &&
	       a->pending_blocks == b->pending_blocks &&
	       a->slot_blocks == b->slot_blocks &&
	       a->meta_blocks == b->meta_blocks &&
	       a->data_offset == b->data_offset &&
	       a->pending_a == b->pending_a && a->pending_b == b->pending_b &&
	       a->slots_a == b->slots_a && a->slots_b == b->slots_b;
}

/*
 * remap_sb_choose() with copy @nr = @b and the other copy all zero must
 * agree with remap_sb_decode() (@r, @err) on that one copy.
 */
static void choose_one(const u8 *b, u64 nr, int r, const char *err)
{
	static u8 two[2 * BS];
	static struct remap_sb_choice c;

	memset(two, 0, sizeof(two));
	memcpy(two + nr * BS, b, BS);
	remap_sb_choose(two, &c);
	if (!r) {
		CHECK(c.verdict == REMAP_SB_CHOSEN && c.pick == (int)nr);
		CHECK(c.other == REMAP_SB_OTHER_INVALID);
		CHECK(c.status[!nr] == REMAP_SB_FOREIGN);
		return;
	}
	CHECK(c.verdict != REMAP_SB_CHOSEN && c.pick == -1);
	if (c.verdict == REMAP_SB_IS_NEW)
		return;		/* @b is all zero too */
	CHECK(!strcmp(remap_sb_status_str(c.status[nr]), err));
	CHECK(c.verdict == (c.status[nr] == REMAP_SB_FOREIGN ? REMAP_SB_IS_FOREIGN :
			    c.status[nr] == REMAP_SB_BAD_VERSION ? REMAP_SB_IS_UNSUPPORTED :
			    REMAP_SB_IS_CORRUPT));
}

static void fuzz_sb(const u8 *in, u8 flags)
{
	static const char *const msgs[] = {
		"not a dm-remap superblock", "superblock checksum mismatch",
		"superblock in the wrong place", "unsupported metadata version",
		"inconsistent superblock",
	};
	u64 nr = (flags & F_COPY_B) ? 1 : 0;
	struct remap_meta_layout l;
	struct remap_sb sb;
	u8 b[BS], again[BS];
	const char *err = NULL;
	int r;

	memcpy(b, in, BS);
	if (flags & F_MAGIC)
		put32(b, REMAP_MAGIC_SUPER);
	if (flags & F_BLOCK_NR)
		put64(b + 8, nr);
	if (flags & F_INSTANCE)
		put64(b + 16, get64(b + 32));
	if (flags & F_VERSION)
		put32(b + 48, get64(b + 272) ? REMAP_META_VERSION_PARTIAL :
					      REMAP_META_VERSION);
	if ((flags & F_LAYOUT) &&
	    remap_meta_layout(get64(b + 104), get32(b + 52), &l)) {
		put64(b + 88, l.meta_blocks);
		put64(b + 96, l.data_offset);
		put64(b + 112, l.pending_blocks);
		put64(b + 120, l.slot_blocks);
	}
	if (flags & F_CRC)
		seal(b);

	r = remap_sb_decode(b, nr, &sb, &err);
	choose_one(b, nr, r, err);
	if (r) {
		size_t i;

		CHECK(r == -EINVAL);
		CHECK(err);
		for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
			if (!strcmp(err, msgs[i]))
				break;
		CHECK(i < sizeof(msgs) / sizeof(msgs[0]));
		return;
	}
	CHECK(sb.version == 1 || sb.version == 2);
	CHECK(sb.slot_blocks_init == get64(b + 272));
	if (sb.version == 1)
		CHECK(sb.slot_blocks_init == 0 &&
		      remap_sb_init_blocks(&sb) == sb.layout.slot_blocks);
	else
		CHECK(sb.slot_blocks_init >= 1 &&
		      sb.slot_blocks_init < sb.layout.slot_blocks &&
		      remap_sb_init_blocks(&sb) == sb.slot_blocks_init);
	CHECK(remap_sb_init_valid(sb.version, sb.slot_blocks_init,
				  sb.layout.slot_blocks));
	CHECK(sb.unit_sectors >= 1 && sb.unit_sectors <= 2048);
	CHECK(ref_layout(sb.layout.slot_capacity, sb.unit_sectors, &l));
	CHECK(layout_equal(&l, &sb.layout));
	CHECK(sb.instance == get64(sb.uuid));
	/* The protection: valid, and its predicates agree with a model. */
	{
		const struct remap_protect *p = &sb.prot;
		u64 nl = remap_protect_main_units(sb.main_dev_sectors,
						  sb.main_start,
						  sb.unit_sectors);
		u64 probe[6], hit, i;

		CHECK(p->head == get32(b + 280) && p->tail == get32(b + 284) &&
		      p->tail_first == get64(b + 288));
		CHECK(remap_protect_valid(p, nl));
		CHECK(p->head <= nl && (!p->tail ? !p->tail_first :
			(p->tail_first >= p->head &&
			 p->tail_first + p->tail <= nl)));
		probe[0] = 0;
		probe[1] = p->head;
		probe[2] = p->head ? p->head - 1 : 0;
		probe[3] = p->tail_first;
		probe[4] = p->tail_first + p->tail;
		probe[5] = p->tail_first + p->tail - 1;
		for (i = 0; i < 6; i++) {
			bool cov = probe[i] < p->head ||
				   (p->tail && probe[i] >= p->tail_first &&
				    probe[i] < p->tail_first + p->tail);

			CHECK(remap_protect_covers(p, probe[i]) == cov);
			CHECK(remap_protect_overlaps(p, probe[i], probe[i],
						     &hit) == cov);
			if (cov)
				CHECK(hit == probe[i]);
		}
		CHECK(remap_protect_overlaps(p, 0, U64_MAX, NULL) ==
		      remap_protect_on(p));
	}
	/*
	 * The scrub checkpoint in counters 5..15: read back as stored when
	 * consistent (and then consistent), all zero when not; the words go
	 * back unchanged either way.
	 */
	{
		struct remap_scrub_ckpt ck;
		u64 w[REMAP_META_NR_COUNTERS];
		const char *why = NULL;

		if (!remap_scrub_ckpt_get(&sb, &ck, &why)) {
			CHECK(!why);
			CHECK(remap_scrub_state_str(ck.state));
			CHECK(ck.start <= ck.pos && ck.pos <= ck.end);
			CHECK(!(ck.start & (sb.unit_sectors - 1)));
			CHECK(ck.end <= sb.main_dev_sectors - sb.main_start ||
			      !ck.end);
			memcpy(w, sb.counters, sizeof(w));
			remap_scrub_ckpt_put(w, &ck);
			CHECK(!memcmp(w, sb.counters, sizeof(w)));
		} else {
			CHECK(why && !strncmp(why, "scrub checkpoint: ", 18));
			CHECK(!ck.state && !ck.pos && !ck.end && !ck.passes &&
			      !ck.meta_repaired);
		}
	}
	/*
	 * The identity: strings the setter accepts (so the module's message
	 * and remapctl restore can write them back), the same after a set.
	 */
	{
		struct remap_identity id;

		CHECK(!remap_id_check(sb.id.name, REMAP_ID_NAME_SIZE, "name",
				      NULL));
		CHECK(!remap_id_check(sb.id.serial, REMAP_ID_SERIAL_SIZE,
				      "serial", NULL));
		CHECK(!remap_id_check(sb.id.wwn, REMAP_ID_WWN_SIZE, "wwn",
				      NULL));
		CHECK(!remap_identity_set(&id, sb.id.name, sb.id.serial,
					  sb.id.wwn, sb.id.partition, NULL));
		CHECK(!memcmp(&id, &sb.id, sizeof(id)));
	}
	remap_sb_encode(&sb, nr, again);
	CHECK(!memcmp(again, b, BS));
	/* The other copy decodes to the same superblock. */
	remap_sb_encode(&sb, !nr, again);
	CHECK(!remap_sb_decode(again, !nr, &sb, &err));
	CHECK(!memcmp(again + 16, b + 16, BS - 16));
}

static void fuzz_entries(const u8 *in, u8 flags)
{
	u32 magic = (flags & F_PENDING) ? REMAP_MAGIC_PENDING :
					  REMAP_MAGIC_SLOTS;
	u64 e[PER], seq, nr, instance;
	enum remap_block_status st;
	u8 b[BS], again[BS];
	int r;

	memcpy(b, in, BS);
	if (flags & F_MAGIC)
		put32(b, magic);
	if (flags & F_CRC)
		seal(b);
	/* Expect what the header says, or something else. */
	nr = get64(b + 8);
	instance = get64(b + 16);
	if (!(flags & F_BLOCK_NR))
		nr ^= flags & F_COPY_B;
	if (!(flags & F_INSTANCE))
		instance ^= (u64)(flags & F_VERSION) << 60;

	memset(e, 0x5a, sizeof(e));
	seq = 0x5a5a;
	r = remap_entries_decode(b, magic, instance, nr, &seq, e);
	st = remap_entries_check(b, magic, instance, nr);
	if (r) {
		CHECK(r == -EINVAL);
		/* The first header field that is off says why. */
		if (get32(b) != magic)
			CHECK(st == REMAP_BLOCK_ZERO || st == REMAP_BLOCK_OTHER_KIND ||
			      st == REMAP_BLOCK_FOREIGN);
		else if (get32(b + 4) != remap_crc32c(b + 8, BS - 8))
			CHECK(st == REMAP_BLOCK_BAD_CRC);
		else if (get64(b + 8) != nr)
			CHECK(st == REMAP_BLOCK_MISPLACED);
		else
			CHECK(st == REMAP_BLOCK_OTHER_INSTANCE &&
			      get64(b + 16) != instance);
		CHECK(strcmp(remap_block_status_str(st), "valid"));
		return;
	}
	CHECK(st == REMAP_BLOCK_VALID);
	CHECK(get32(b) == magic);
	CHECK(get64(b + 8) == nr && get64(b + 16) == instance);
	CHECK(seq == get64(b + 24));
	remap_entries_encode(magic, instance, nr, seq, e, again);
	CHECK(!memcmp(again, b, BS));
}

static void fuzz_slots(const u8 *b)
{
	static struct remap_entry e[PER];
	u64 slots[PER], first = get64(b + 8), nr_lunits = get64(b + 16);
	u64 retired = 7, want_retired = 7;
	size_t nr = get32(b + 24) % (PER + 1), i, n = 0;
	bool bad = false;
	long got;

	for (i = 0; i < PER; i++)
		slots[i] = get64(b + 32 + 8 * i);
	/* Small values and nr_lunits now and then, to reach the success path. */
	if (b[28] & 1)
		for (i = 0; i < PER; i++)
			if (slots[i] != REMAP_SLOT_RETIRED)
				slots[i] &= 0xff;
	if (b[28] & 2)
		nr_lunits &= 0xffff;

	got = remap_slots_to_entries(slots, nr, first, nr_lunits, e, &retired);
	for (i = 0; i < nr && !bad; i++) {
		u64 v = slots[i];

		if (v == REMAP_SLOT_FREE)
			continue;
		if (v == REMAP_SLOT_RETIRED) {
			want_retired++;
			continue;
		}
		if (v > (1ULL << 63) || v - 1 >= nr_lunits ||
		    first + i < first) {
			bad = true;
			break;
		}
		if (got >= 0) {
			CHECK(n < (size_t)got);
			CHECK(e[n].lunit == v - 1 && e[n].sunit == first + i);
		}
		n++;
	}
	if (bad) {
		CHECK(got == -EINVAL);
		return;
	}
	CHECK(got == (long)n);
	CHECK(retired == want_retired);
}

/* remap_meta_blocks_for() and remap_meta_block_slots() against the model. */
static void check_blocks_for(const struct remap_meta_layout *l, u64 len,
			     u32 unit)
{
	unsigned __int128 units = 0;
	u64 blocks = remap_meta_blocks_for(l, len, unit), slots;

	if (len > l->data_offset)
		units = (len - l->data_offset) / unit;
	if (units > l->slot_capacity)
		units = l->slot_capacity;
	CHECK(blocks == (u64)((units + PER - 1) / PER));
	CHECK(blocks <= l->slot_blocks);
	slots = remap_meta_block_slots(l, blocks);
	CHECK(slots >= units && slots <= l->slot_capacity);
	CHECK(slots == (blocks >= l->slot_blocks ? l->slot_capacity :
			blocks * PER));
	/* All of them when at most 256 are left and all fit in memory. */
	if (l->slot_blocks - blocks <= 256 && l->slot_blocks <= (1ULL << 18))
		CHECK(remap_meta_blocks_to_init(l, len, unit) == l->slot_blocks);
	else
		CHECK(remap_meta_blocks_to_init(l, len, unit) == blocks);
}

static void fuzz_layout(const u8 *b)
{
	struct remap_meta_layout l, r;
	u64 cap = get64(b + 104), dev = get64(b + 64), start = get64(b + 80);
	u64 len = get64(b + 72), units;
	u32 unit = get32(b + 52);
	int k;

	for (k = 0; k < 2; k++) {
		if (k)	/* a power of two, most of the time */
			unit = 1U << (unit % 13);
		if ((b[29] & 1) && k)
			cap >>= b[30] % 64;
		CHECK(remap_meta_layout(cap, unit, &l) == ref_layout(cap, unit, &r));
		if (ref_layout(cap, unit, &r)) {
			CHECK(layout_equal(&l, &r));
			check_blocks_for(&l, len, unit);
		}

		if ((b[29] & 2) && dev)
			start %= dev;
		if ((b[29] & 4) && dev > start && dev - start < U64_MAX)
			len %= dev - start + 1;
		if (b[29] & 8)
			len >>= b[31] % 64;
		if (!remap_meta_layout_for_format(dev, start, len, unit, &l)) {
			CHECK(!ref_layout(1, unit, &r) ||
			      len < r.data_offset + unit || len > (1ULL << 62));
			continue;
		}
		CHECK(ref_layout(l.slot_capacity, unit, &r));
		CHECK(layout_equal(&l, &r));
		CHECK(l.data_offset % unit == 0);
		CHECK(l.data_offset + unit <= len);
		CHECK(l.slot_capacity >= len / unit);
		units = remap_meta_units(&l, len, unit);
		check_blocks_for(&l, len, unit);
		CHECK(units >= 1);
		CHECK(units == (len - l.data_offset) / unit);
		CHECK(l.slot_capacity == len / unit ||
		      (dev > start && l.slot_capacity == (dev - start) / unit));
		/* Room to grow costs at most half of spare_len. */
		CHECK(l.slot_capacity == len / unit || l.data_offset <= len / 2);
	}
}

static void fuzz_pick(const u8 *b)
{
	bool va = b[0] & 1, vb = b[0] & 2, repair;
	u64 sa = b[1] & 3, sb = b[2] & 3;
	int p = remap_meta_pick(va, sa, vb, sb, &repair);

	if (va && vb)
		CHECK(p == (sa >= sb ? 0 : 1) && repair == (sa != sb));
	else if (va || vb)
		CHECK(p == (va ? 0 : 1) && repair);
	else
		CHECK(p == -1);
}

/* remap_protect_plan() over numbers from the block. */
static void fuzz_protect_plan(const u8 *b)
{
	u64 len = get64(b + 8) >> (b[7] & 63), head = get64(b + 16) >> (b[6] & 63);
	u64 tail = get64(b + 24) >> (b[5] & 63), nl, h;
	u32 unit = 1U << (b[4] % 12);
	struct remap_protect p;
	const char *err = NULL;

	if (remap_protect_plan(len, unit, head, tail, &p, &err)) {
		CHECK(err && !strncmp(err, "protect: ", 9));
		CHECK(!p.head && !p.tail && !p.tail_first);
		return;
	}
	nl = remap_protect_main_units(len, 0, unit);
	CHECK(remap_protect_valid(&p, nl));
	CHECK(remap_protect_on(&p));
	/* The first head sectors, the last tail sectors are covered. */
	h = head < len ? head : len;
	if (h)
		CHECK(remap_protect_covers(&p, 0) &&
		      remap_protect_covers(&p, (h - 1) / unit));
	if (tail)
		CHECK(remap_protect_covers(&p, nl - 1) &&
		      remap_protect_covers(&p, tail >= len ? 0 :
					   (len - tail) / unit));
	/* Nothing more than that, in whole units. */
	if (p.head)
		CHECK((u64)(p.head - 1) * unit < h);
	if (p.tail)
		CHECK(p.tail_first == p.head ||
		      (tail < len && p.tail_first == (len - tail) / unit));
}

/* The member signature. */
static void fuzz_member(const u8 *in, u8 flags)
{
	u8 b[REMAP_MEMBER_SIZE], again[REMAP_MEMBER_SIZE];
	struct remap_member m, m2;
	const char *err = NULL;
	int r;

	memset(&m, 0, sizeof(m));
	memset(&m2, 0, sizeof(m2));
	memcpy(b, in, sizeof(b));
	if (flags & F_MAGIC)
		memcpy(b, REMAP_MEMBER_MAGIC, sizeof(REMAP_MEMBER_MAGIC));
	if (flags & F_VERSION)
		put32(b + 16, REMAP_MEMBER_VERSION);
	if (flags & F_CRC)
		put32(b + 20, remap_crc32c(b + 24, sizeof(b) - 24));
	r = remap_member_decode(b, &m, &err);
	if (r <= 0) {
		CHECK(r == 0 || (r == -EINVAL && err));
		CHECK(r == -EINVAL ||
		      memcmp(b, REMAP_MEMBER_MAGIC, sizeof(REMAP_MEMBER_MAGIC)));
		return;
	}
	CHECK(r == 1);
	/* What it decodes re-encodes to a signature that decodes the same. */
	remap_member_encode(&m, again);
	CHECK(!memcmp(again, b, 20) && !memcmp(again + 24, b + 24, 16));
	CHECK(remap_member_decode(again, &m2, &err) == 1);
	CHECK(!memcmp(&m, &m2, sizeof(m)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 zero[BS];
	u8 block[BS];
	u8 flags;

	if (!size)
		return 0;
	flags = data[0];
	memset(block, 0, sizeof(block));
	memcpy(block, data + 1, size - 1 < BS ? size - 1 : BS);

	fuzz_sb(block, flags);
	fuzz_entries(block, flags);
	fuzz_slots(block);
	fuzz_layout(block);
	fuzz_pick(block);
	fuzz_protect_plan(block);
	fuzz_member(block, flags);
	CHECK(remap_meta_block_is_zero(block) == !memcmp(block, zero, BS));
	return 0;
}
