// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_meta.c - unit tests of core/remap_meta.c and core/crc32c.c, the
 * on-disk metadata codec (docs/metadata-format.md).
 *
 * Besides round trips and refusals, test_fixture decodes
 * fixtures/meta_v1.img, an image built by fixtures/meta_fixture.py from
 * the document alone (its own packing, its own CRC), and checks every
 * field and every choice between copies: the document and the codec are
 * checked against each other from both sides.
 */
#include "test_common.h"
#include "remap_meta.h"
#include "core_test_only.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "fixtures"
#endif

#define BS REMAP_META_BLOCK_SIZE
#define PER REMAP_META_PER_BLOCK

/* ---- helpers ---- */

static u64 le64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put_le32(u8 *p, u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* Recompute a block's CRC after the test changed it on purpose. */
static void reseal(u8 *block)
{
	put_le32(block + 4, remap_crc32c(block + 8, BS - 8));
}

/* Bit-by-bit CRC-32C, the textbook way: the reference for the table. */
static u32 ref_crc32c(const u8 *p, size_t len)
{
	u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
	}
	return ~crc;
}

/* The layout rules of the document, in 128-bit arithmetic. */
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

static void assert_layout_equal(const struct remap_meta_layout *a,
				const struct remap_meta_layout *b)
{
	assert_int_equal(a->slot_capacity, b->slot_capacity);
	assert_int_equal(a->pending_blocks, b->pending_blocks);
	assert_int_equal(a->slot_blocks, b->slot_blocks);
	assert_int_equal(a->meta_blocks, b->meta_blocks);
	assert_int_equal(a->data_offset, b->data_offset);
	assert_int_equal(a->pending_a, b->pending_a);
	assert_int_equal(a->pending_b, b->pending_b);
	assert_int_equal(a->slots_a, b->slots_a);
	assert_int_equal(a->slots_b, b->slots_b);
}

static void assert_sb_equal(const struct remap_sb *a, const struct remap_sb *b)
{
	unsigned int i;

	assert_int_equal(a->instance, b->instance);
	assert_int_equal(a->seq, b->seq);
	assert_memory_equal(a->uuid, b->uuid, sizeof(a->uuid));
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->unit_sectors, b->unit_sectors);
	assert_int_equal(a->logical_block_size, b->logical_block_size);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->main_dev_sectors, b->main_dev_sectors);
	assert_int_equal(a->main_start, b->main_start);
	assert_int_equal(a->spare_start, b->spare_start);
	assert_int_equal(a->generation, b->generation);
	assert_int_equal(a->format_time, b->format_time);
	assert_layout_equal(&a->layout, &b->layout);
	for (i = 0; i < REMAP_META_NR_COUNTERS; i++)
		assert_int_equal(a->counters[i], b->counters[i]);
	assert_int_equal(a->slot_blocks_init, b->slot_blocks_init);
	assert_int_equal(a->prot.head, b->prot.head);
	assert_int_equal(a->prot.tail, b->prot.tail);
	assert_int_equal(a->prot.tail_first, b->prot.tail_first);
	assert_memory_equal(&a->id, &b->id, sizeof(a->id));
}

/* A plausible superblock, every field distinct. */
static void make_sb(struct remap_sb *sb, u64 capacity, u32 unit)
{
	unsigned int i;

	memset(sb, 0, sizeof(*sb));
	for (i = 0; i < sizeof(sb->uuid); i++)
		sb->uuid[i] = (u8)(0xa0 + 7 * i);
	sb->instance = le64(sb->uuid);
	sb->seq = 0x1122334455667788ULL;
	sb->version = REMAP_META_VERSION;
	sb->unit_sectors = unit;
	sb->logical_block_size = 4096;
	sb->flags = 0;
	sb->main_dev_sectors = 0x0123456789abcdefULL;
	sb->main_start = 2048;
	sb->spare_start = 0xfedcba98ULL;
	sb->generation = 42;
	sb->format_time = 1767225600;
	for (i = 0; i < REMAP_META_NR_COUNTERS; i++)
		sb->counters[i] = 1000 + i;
	assert_true(remap_meta_layout(capacity, unit, &sb->layout));
	assert_int_equal(remap_identity_set(&sb->id, "data-1", "WD-WX12_34",
					    "0x5000c500a1b2c3d4", 2, NULL), 0);
}

/* ---- CRC-32C ---- */

static void test_crc32c_vectors(void **state)
{
	u8 buf[32];
	unsigned int i;

	(void)state;
	assert_int_equal(remap_crc32c("123456789", 9), 0xE3069283U);
	assert_int_equal(remap_crc32c("", 0), 0);
	/* RFC 3720 (iSCSI), B.4. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(remap_crc32c(buf, 32), 0x8A9136AAU);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(remap_crc32c(buf, 32), 0x62A8AB43U);
	for (i = 0; i < 32; i++)
		buf[i] = (u8)i;
	assert_int_equal(remap_crc32c(buf, 32), 0x46DD794EU);
	for (i = 0; i < 32; i++)
		buf[i] = (u8)(31 - i);
	assert_int_equal(remap_crc32c(buf, 32), 0x113FDB5CU);
}

static void test_crc32c_random(void **state)
{
	u64 s = 0x5eed;
	u8 *buf = xmalloc(5000);
	size_t i;

	(void)state;
	for (i = 0; i < 5000; i++)
		buf[i] = (u8)rng_next(&s);
	for (i = 0; i < 500; i++) {
		size_t off = rng_below(&s, 64);
		size_t len = rng_below(&s, 5000 - off);

		assert_int_equal(remap_crc32c(buf + off, len),
				 ref_crc32c(buf + off, len));
	}
	free(buf);
}

/* ---- layout ---- */

static void test_layout_small(void **state)
{
	struct remap_meta_layout l;

	(void)state;
	assert_true(remap_meta_layout(1, 8, &l));
	assert_int_equal(l.slot_capacity, 1);
	assert_int_equal(l.pending_blocks, 1);
	assert_int_equal(l.slot_blocks, 1);
	assert_int_equal(l.meta_blocks, 6);
	assert_int_equal(l.data_offset, 48);
	assert_int_equal(l.pending_a, 2);
	assert_int_equal(l.pending_b, 3);
	assert_int_equal(l.slots_a, 4);
	assert_int_equal(l.slots_b, 5);

	assert_true(remap_meta_layout(508, 8, &l));
	assert_int_equal(l.slot_blocks, 1);
	assert_true(remap_meta_layout(509, 8, &l));
	assert_int_equal(l.slot_blocks, 2);
	assert_int_equal(l.slots_b, 6);

	assert_true(remap_meta_layout(1000, 8, &l));
	assert_int_equal(l.slot_blocks, 2);
	assert_int_equal(l.meta_blocks, 8);
	assert_int_equal(l.data_offset, 64);

	/* Rounded up to the unit. */
	assert_true(remap_meta_layout(1000, 1, &l));
	assert_int_equal(l.data_offset, 64);
	assert_true(remap_meta_layout(1000, 128, &l));
	assert_int_equal(l.data_offset, 128);
	assert_true(remap_meta_layout(1000, 2048, &l));
	assert_int_equal(l.data_offset, 2048);
	assert_true(remap_meta_layout(1, 32, &l));
	assert_int_equal(l.data_offset, 64);
}

static void test_layout_refused(void **state)
{
	struct remap_meta_layout l;

	(void)state;
	assert_false(remap_meta_layout(0, 8, &l));
	assert_false(remap_meta_layout(100, 0, &l));
	assert_false(remap_meta_layout(100, 3, &l));
	assert_false(remap_meta_layout(100, 24, &l));
	assert_false(remap_meta_layout(U64_MAX, 1, &l));
	assert_false(remap_meta_layout(U64_MAX, 2048, &l));
	/* capacity * unit alone overflows. */
	assert_false(remap_meta_layout(1ULL << 53, 2048, &l));
	/* capacity * unit fits, but not with the metadata in front. */
	assert_false(remap_meta_layout((1ULL << 53) - 1, 2048, &l));
}

/* The largest capacity whose units all have sector numbers. */
static u64 ref_max_capacity(u32 unit)
{
	struct remap_meta_layout l;
	u64 lo = 1, hi = U64_MAX;

	while (lo < hi) {	/* largest lo with ref_layout(lo) */
		u64 mid = lo + (hi - lo) / 2 + 1;

		if (ref_layout(mid, unit, &l))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void test_layout_huge_and_model(void **state)
{
	struct remap_meta_layout l, r;
	u64 s = 0xabcdef, cap;
	u32 unit;
	int i, k;

	(void)state;
	for (unit = 1; unit <= 2048; unit <<= 1) {
		u64 max = ref_max_capacity(unit);

		assert_true(remap_meta_layout(max, unit, &l));
		assert_true(ref_layout(max, unit, &r));
		assert_layout_equal(&l, &r);
		assert_false(remap_meta_layout(max + 1, unit, &l));
		/* The units end right at the top of the sector space. */
		assert_true(U64_MAX - l.data_offset - max * unit < unit);

		for (i = 0; i < 2000; i++) {
			k = (int)rng_below(&s, 64);
			cap = rng_next(&s) >> k;
			if (i < 1100)	/* every remainder mod 508 */
				cap = (u64)i;
			assert_int_equal(remap_meta_layout(cap, unit, &l),
					 ref_layout(cap, unit, &r));
			if (!ref_layout(cap, unit, &r))
				continue;
			assert_layout_equal(&l, &r);
			assert_int_equal(l.data_offset % unit, 0);
			assert_true(l.data_offset >= l.meta_blocks * 8);
			assert_true(l.data_offset < l.meta_blocks * 8 + unit);
			assert_true(l.slot_blocks * PER >= cap);
			assert_true((l.slot_blocks - 1) * PER < cap);
		}
	}
}

static void test_layout_for_format(void **state)
{
	struct remap_meta_layout l;

	(void)state;
	/* Spare area to the device's end: capacity to the end. */
	assert_true(remap_meta_layout_for_format(2097152, 0, 2097152, 8, &l));
	assert_int_equal(l.slot_capacity, 262144);
	assert_int_equal(l.slot_blocks, 517);
	assert_int_equal(l.data_offset, (2 + 2 + 2 * 517) * 8);

	/*
	 * The device-end metadata (8288 sectors from spare_start 1000) is
	 * used when it takes at most half of spare_len: from 16576.
	 */
	assert_true(remap_meta_layout_for_format(2097152, 1000, 16576, 8, &l));
	assert_int_equal(l.slot_capacity, (2097152 - 1000) / 8);
	assert_int_equal(l.slot_blocks, 516);
	assert_int_equal(l.data_offset, 8288);
	assert_int_equal(remap_meta_units(&l, 16576, 8), (16576 - 8288) / 8);
	assert_true(remap_meta_layout_for_format(2097152, 1000, 100000, 8, &l));
	assert_int_equal(l.slot_capacity, 262019);

	/* One sector short: capacity covers spare_len only. */
	assert_true(remap_meta_layout_for_format(2097152, 1000, 16575, 8, &l));
	assert_int_equal(l.slot_capacity, 16575 / 8);
	assert_int_equal(l.slot_blocks, 5);
	assert_int_equal(l.data_offset, 112);
	assert_int_equal(remap_meta_units(&l, 16575, 8), (16575 - 112) / 8);

	/*
	 * A small spare area that would still hold the device-end metadata
	 * (before, the capacity went to the end whenever one unit fitted
	 * after it: here 214 spare units instead of 1240).  Now spare_len's
	 * own.
	 */
	assert_true(remap_meta_layout_for_format(2097152, 1000, 10000, 8, &l));
	assert_int_equal(l.slot_capacity, 1250);
	assert_int_equal(l.data_offset, 80);
	assert_true(remap_meta_layout_for_format(2097152, 1000, 8296, 8, &l));
	assert_int_equal(l.slot_capacity, 1037);
	assert_true(remap_meta_layout_for_format(2097152, 1000, 8295, 8, &l));
	assert_int_equal(l.slot_capacity, 8295 / 8);
	assert_int_equal(l.slot_blocks, 3);
	assert_int_equal(l.data_offset, 80);
	assert_int_equal(remap_meta_units(&l, 8295, 8), (8295 - 80) / 8);

	assert_true(remap_meta_layout_for_format(2097152, 1000, 5000, 8, &l));
	assert_int_equal(l.slot_capacity, 625);
	assert_int_equal(l.data_offset, 64);

	/* Smallest spare areas. */
	assert_true(remap_meta_layout_for_format(1ULL << 40, 0, 56, 8, &l));
	assert_int_equal(l.slot_capacity, 7);
	assert_int_equal(l.data_offset, 48);
	assert_int_equal(remap_meta_units(&l, 56, 8), 1);
	assert_false(remap_meta_layout_for_format(1ULL << 40, 0, 55, 8, &l));
	assert_false(remap_meta_layout_for_format(1ULL << 40, 0, 0, 8, &l));
	assert_true(remap_meta_layout_for_format(4096, 0, 4096, 2048, &l));
	assert_int_equal(l.slot_capacity, 2);
	assert_int_equal(l.data_offset, 2048);
	assert_false(remap_meta_layout_for_format(4095, 0, 4095, 2048, &l));
	assert_true(remap_meta_layout_for_format(49, 0, 49, 1, &l));
	assert_int_equal(l.slot_capacity, 49);
	assert_false(remap_meta_layout_for_format(48, 0, 48, 1, &l));

	/* A spare area past the device's end: never below spare_len. */
	assert_true(remap_meta_layout_for_format(100, 50, 8000, 8, &l));
	assert_int_equal(l.slot_capacity, 1000);
	assert_true(remap_meta_layout_for_format(100, 500, 8000, 8, &l));
	assert_int_equal(l.slot_capacity, 1000);

	/* Bad units. */
	assert_false(remap_meta_layout_for_format(1 << 20, 0, 1 << 20, 0, &l));
	assert_false(remap_meta_layout_for_format(1 << 20, 0, 1 << 20, 12, &l));

	/* Huge: 2^54 sectors (the largest loff_t in bytes). */
	assert_true(remap_meta_layout_for_format(1ULL << 54, 0, 1ULL << 54, 1,
						 &l));
	assert_int_equal(l.slot_capacity, 1ULL << 54);
	assert_true(remap_meta_layout_for_format(1ULL << 54, 0, 1ULL << 54,
						 2048, &l));
	assert_int_equal(l.slot_capacity, 1ULL << 43);
	/*
	 * Devices within data_offset of 2^64 sectors: the units would have
	 * no sector numbers, and no such device exists.  Refused.
	 */
	assert_false(remap_meta_layout_for_format(U64_MAX, 0, U64_MAX, 2048,
						  &l));
}

/* Random geometries: whatever is chosen, the kernel's checks accept it. */
static void test_layout_for_format_random(void **state)
{
	struct remap_meta_layout l;
	u64 s = 77, units;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		u32 unit = 1U << rng_below(&s, 12);
		u64 dev = rng_next(&s) >> rng_below(&s, 64);
		u64 start = dev ? rng_below(&s, dev) : 0;
		u64 len = dev - start;

		if (len && rng_below(&s, 2))
			len = rng_below(&s, len) + 1;
		if (!remap_meta_layout_for_format(dev, start, len, unit, &l)) {
			/*
			 * Only when not even the smallest metadata (6 blocks)
			 * and one unit fit, or at the very top of u64.
			 */
			assert_true(len < (48 + unit - 1) / unit * unit + unit ||
				    len > (1ULL << 62));
			continue;
		}
		assert_int_equal(l.data_offset % unit, 0);
		assert_true(l.data_offset + unit <= len);
		units = remap_meta_units(&l, len, unit);
		assert_true(units >= 1);
		/* Never truncated by the capacity: the kernel accepts it. */
		assert_int_equal(units, (len - l.data_offset) / unit);
		assert_true(l.slot_capacity >= len / unit);
		assert_true(l.slot_capacity == (dev - start) / unit ||
			    l.slot_capacity == len / unit);
		/* Room to grow costs at most half of spare_len. */
		if (l.slot_capacity != len / unit)
			assert_true(l.data_offset <= len / 2);
	}
}

static void test_units(void **state)
{
	struct remap_meta_layout l;

	(void)state;
	assert_true(remap_meta_layout(100, 8, &l));	/* data_offset 48 */
	assert_int_equal(remap_meta_units(&l, 0, 8), 0);
	assert_int_equal(remap_meta_units(&l, 48, 8), 0);
	assert_int_equal(remap_meta_units(&l, 55, 8), 0);
	assert_int_equal(remap_meta_units(&l, 56, 8), 1);
	assert_int_equal(remap_meta_units(&l, 48 + 99 * 8 + 7, 8), 99);
	assert_int_equal(remap_meta_units(&l, 48 + 100 * 8, 8), 100);
	assert_int_equal(remap_meta_units(&l, 48 + 1000 * 8, 8), 100);
	assert_int_equal(remap_meta_units(&l, U64_MAX, 8), 100);
}

/*
 * The module sorts every slot commit with remap_cmp_slot_change: by spare
 * unit, the whole u64 range (a difference-based comparator would overflow).
 */
static void test_cmp_slot_change(void **state)
{
	struct remap_slot_change c[] = {
		{ U64_MAX, 1 }, { 5, REMAP_SLOT_RETIRED }, { 0, 9 },
		{ 1ULL << 63, 2 }, { 6, REMAP_SLOT_FREE },
	};
	u64 v[] = { U64_MAX, 0, 1ULL << 63, 7 };
	size_t i;

	(void)state;
	qsort(c, 5, sizeof(c[0]), remap_cmp_slot_change);
	for (i = 1; i < 5; i++)
		assert_true(c[i - 1].sunit < c[i].sunit);
	assert_true(c[0].sunit == 0 && c[0].value == 9);
	assert_true(c[1].sunit == 5 && c[1].value == REMAP_SLOT_RETIRED);
	assert_true(c[4].sunit == U64_MAX && c[4].value == 1);
	qsort(v, 4, sizeof(v[0]), remap_cmp_u64);
	assert_true(v[0] == 0 && v[1] == 7 && v[2] == 1ULL << 63 && v[3] == U64_MAX);
	assert_int_equal(remap_cmp_u64(&v[1], &v[1]), 0);
}

/* ---- superblock ---- */

static void test_sb_roundtrip(void **state)
{
	struct remap_sb sb, got;
	const char *err = NULL;
	u8 *a = xmalloc(BS), *b = xmalloc(BS);
	u32 unit;
	int i;

	(void)state;
	for (unit = 1; unit <= 2048; unit <<= 1) {
		make_sb(&sb, 1000 + unit, unit);
		remap_sb_encode(&sb, 0, a);
		remap_sb_encode(&sb, 1, b);
		memset(&got, 0x5a, sizeof(got));
		assert_int_equal(remap_sb_decode(a, 0, &got, &err), 0);
		assert_null(err);
		assert_sb_equal(&got, &sb);
		memset(&got, 0x5a, sizeof(got));
		assert_int_equal(remap_sb_decode(b, 1, &got, &err), 0);
		assert_sb_equal(&got, &sb);
		/* The copies differ in block_nr and crc only. */
		assert_memory_equal(a, b, 4);
		assert_memory_equal(a + 16, b + 16, BS - 16);
		assert_int_equal(le64(a + 8), 0);
		assert_int_equal(le64(b + 8), 1);
	}

	/* Byte positions, straight from the document's table. */
	make_sb(&sb, 1000, 8);
	remap_sb_encode(&sb, 0, a);
	assert_int_equal(le32(a + 0), 0x42535252);
	assert_memory_equal(a, "RRSB", 4);
	assert_int_equal(le32(a + 4), ref_crc32c(a + 8, BS - 8));
	assert_int_equal(le64(a + 16), sb.instance);
	assert_int_equal(le64(a + 24), sb.seq);
	assert_memory_equal(a + 32, sb.uuid, 16);
	assert_int_equal(le32(a + 48), 1);
	assert_int_equal(le32(a + 52), 8);
	assert_int_equal(le32(a + 56), 4096);
	assert_int_equal(le32(a + 60), 0);
	assert_int_equal(le64(a + 64), sb.main_dev_sectors);
	assert_int_equal(le64(a + 72), 2048);
	assert_int_equal(le64(a + 80), sb.spare_start);
	assert_int_equal(le64(a + 88), 8);
	assert_int_equal(le64(a + 96), 64);
	assert_int_equal(le64(a + 104), 1000);
	assert_int_equal(le64(a + 112), 1);
	assert_int_equal(le64(a + 120), 2);
	assert_int_equal(le64(a + 128), 42);
	assert_int_equal(le64(a + 136), 1767225600);
	for (i = 0; i < 16; i++)
		assert_int_equal(le64(a + 144 + 8 * i), 1000 + i);
	for (i = 272; i < 296; i++)
		assert_int_equal(a[i], 0);
	/* The identity (test_sb_identity), then zero. */
	for (i = 620; i < (int)BS; i++)
		assert_int_equal(a[i], 0);

	/* Extremes survive. */
	make_sb(&sb, 1, 1);
	sb.seq = U64_MAX;
	sb.generation = U64_MAX;
	sb.logical_block_size = U32_MAX;
	sb.flags = U32_MAX;
	sb.main_dev_sectors = U64_MAX;
	sb.counters[15] = U64_MAX;
	remap_sb_encode(&sb, 1, a);
	assert_int_equal(remap_sb_decode(a, 1, &got, &err), 0);
	assert_sb_equal(&got, &sb);
	free(a);
	free(b);
}

/*
 * The rule for the two superblock copies (remap_sb_choose), which the
 * module and remapctl both apply.
 */
static void test_sb_choose(void **state)
{
	struct remap_sb_choice *c = xmalloc(sizeof(*c));
	struct remap_sb sa, sb;
	u8 *two = xmalloc(2 * BS);

	(void)state;
	memset(two, 0, 2 * BS);
	remap_sb_choose(two, c);
	assert_int_equal(c->verdict, REMAP_SB_IS_NEW);
	assert_int_equal(c->pick, -1);

	/* A valid, B zero: A current, B invalid (foreign: no magic). */
	make_sb(&sa, 1000, 8);
	sa.generation = 5;
	remap_sb_encode(&sa, 0, two);
	remap_sb_choose(two, c);
	assert_int_equal(c->verdict, REMAP_SB_CHOSEN);
	assert_int_equal(c->pick, 0);
	assert_int_equal(c->other, REMAP_SB_OTHER_INVALID);
	assert_int_equal(c->status[1], REMAP_SB_FOREIGN);
	assert_sb_equal(&c->copy[0], &sa);

	/* B newer wins; A stale. */
	sb = sa;
	sb.generation = 6;
	remap_sb_encode(&sb, 1, two + BS);
	remap_sb_choose(two, c);
	assert_int_equal(c->pick, 1);
	assert_int_equal(c->other, REMAP_SB_OTHER_STALE);
	assert_int_equal(c->copy[1].generation, 6);

	/* Equal generations: copy A, nothing to rewrite. */
	remap_sb_encode(&sa, 1, two + BS);
	remap_sb_choose(two, c);
	assert_int_equal(c->pick, 0);
	assert_int_equal(c->other, REMAP_SB_OTHER_SAME);

	/* A corrupt (one bit), B valid and older: B is current anyway. */
	sb.generation = 1;
	remap_sb_encode(&sa, 0, two);
	remap_sb_encode(&sb, 1, two + BS);
	two[200] ^= 1;
	remap_sb_choose(two, c);
	assert_int_equal(c->pick, 1);
	assert_int_equal(c->other, REMAP_SB_OTHER_INVALID);
	assert_int_equal(c->status[0], REMAP_SB_BAD_CRC);

	/* A copy in the other's place is not valid there. */
	remap_sb_encode(&sa, 1, two);
	remap_sb_choose(two, c);
	assert_int_equal(c->status[0], REMAP_SB_MISPLACED);
	assert_int_equal(c->pick, 1);

	/* Neither valid: foreign, unsupported, corrupt. */
	memset(two, 0xab, 2 * BS);
	remap_sb_choose(two, c);
	assert_int_equal(c->verdict, REMAP_SB_IS_FOREIGN);
	remap_sb_encode(&sa, 0, two);
	two[48] = 9;			/* version 9 */
	remap_sb_choose(two, c);
	assert_int_equal(c->status[0], REMAP_SB_BAD_CRC);
	assert_int_equal(c->verdict, REMAP_SB_IS_CORRUPT);
	put_le32(two + 4, ref_crc32c(two + 8, BS - 8));
	remap_sb_choose(two, c);
	assert_int_equal(c->status[0], REMAP_SB_BAD_VERSION);
	assert_int_equal(c->verdict, REMAP_SB_IS_UNSUPPORTED);
	assert_string_equal(remap_sb_status_str(c->status[0]),
			    "unsupported metadata version");
	assert_string_equal(remap_sb_status_str(c->status[1]),
			    "not a dm-remap superblock");
	free(two);
	free(c);
}

/* Decode @block at @nr and expect refusal with exactly @msg. */
static void expect_sb_error(const u8 *block, u64 nr, const char *msg)
{
	struct remap_sb got;
	const char *err = NULL;

	assert_int_equal(remap_sb_decode(block, nr, &got, &err), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void test_sb_refusals(void **state)
{
	static const char *const not_sb = "not a dm-remap superblock";
	static const char *const bad_crc = "superblock checksum mismatch";
	static const char *const misplaced = "superblock in the wrong place";
	static const char *const version = "unsupported metadata version";
	static const char *const inconsistent = "inconsistent superblock";
	struct remap_sb sb, t;
	u8 *blk = xmalloc(BS);
	u64 zero[PER];

	(void)state;
	memset(zero, 0, sizeof(zero));
	memset(blk, 0, BS);
	expect_sb_error(blk, 0, not_sb);
	remap_entries_encode(REMAP_MAGIC_SLOTS, 1, 0, 1, zero, blk);
	expect_sb_error(blk, 0, not_sb);

	make_sb(&sb, 1000, 8);
	remap_sb_encode(&sb, 0, blk);
	blk[100] ^= 1;
	expect_sb_error(blk, 0, bad_crc);
	blk[0] ^= 1;		/* magic first */
	expect_sb_error(blk, 0, not_sb);

	remap_sb_encode(&sb, 1, blk);
	expect_sb_error(blk, 0, misplaced);
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 1, misplaced);
	remap_sb_encode(&sb, 2, blk);
	expect_sb_error(blk, 2, misplaced);
	blk[4] ^= 1;		/* crc before place */
	expect_sb_error(blk, 0, bad_crc);

	t = sb;
	t.version = 3;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, version);
	expect_sb_error(blk, 1, misplaced);	/* place before version */
	t.version = 0;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, version);
	t.unit_sectors = 3;	/* version before consistency */
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, version);

	/* Units: powers of two 1 .. 2048. */
	t = sb;
	t.unit_sectors = 0;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t.unit_sectors = 24;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	make_sb(&t, 1000, 4096);
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	make_sb(&t, 1000, 2048);
	remap_sb_encode(&t, 0, blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);

	/* Each stored layout field. */
	t = sb;
	t.layout.meta_blocks++;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.layout.data_offset += 8;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.layout.slot_capacity = 1017;	/* 3 slot blocks */
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.layout.slot_capacity = 0;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.layout.slot_capacity = U64_MAX;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.layout.slot_capacity = 1016;	/* still 2 slot blocks: fine */
	remap_sb_encode(&t, 0, blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);
	t = sb;
	t.layout.pending_blocks = 2;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.layout.slot_blocks = 3;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);

	/* instance = uuid[0..7], little-endian. */
	t = sb;
	t.instance ^= 1ULL << 63;
	remap_sb_encode(&t, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	t = sb;
	t.uuid[8] ^= 0xff;	/* the second half is free */
	remap_sb_encode(&t, 0, blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);

	/*
	 * Version 1: slot_blocks_init (272) is 0; 280 .. 295 the protection;
	 * 296 .. 619 the identity; bytes 620 .. 4095 zero.
	 */
	remap_sb_encode(&sb, 0, blk);
	blk[272] = 1;
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	blk[272] = 0;
	/* A tail without a head is fine; a tail_first without a tail is not. */
	blk[288] = 1;
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	blk[284] = 1;
	reseal(blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);
	assert_int_equal(t.prot.tail, 1);
	assert_int_equal(t.prot.tail_first, 1);
	/* The tail must not start inside the head. */
	blk[280] = 2;
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	blk[280] = 1;
	reseal(blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);
	assert_int_equal(t.prot.head, 1);
	blk[280] = 0;
	blk[284] = 0;
	blk[288] = 0;
	blk[620] = 1;
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	blk[620] = 0;
	blk[BS - 1] = 0x80;
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	blk[BS - 1] = 0;
	reseal(blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);
	free(blk);
}

/* ---- the protective mode (docs: "Protection") ---- */

static void test_protect(void **state)
{
	struct remap_protect p, q;
	struct remap_sb sb, got;
	struct remap_entry e[600];
	struct remap_member m, mg;
	const char *err = NULL;
	u8 *blk = xmalloc(BS);
	size_t n = 0;
	u64 miss, hit, u;

	(void)state;
	/* Units of the main device from main_start; the last may be partial. */
	assert_int_equal(remap_protect_main_units(1000, 0, 8), 125);
	assert_int_equal(remap_protect_main_units(1001, 0, 8), 126);
	assert_int_equal(remap_protect_main_units(1001, 1, 8), 125);
	assert_int_equal(remap_protect_main_units(8, 8, 8), 0);
	assert_int_equal(remap_protect_main_units(8, 0, 3), 0);

	/* 1 MiB at each end of 64 MiB in 4 KiB units. */
	assert_int_equal(remap_protect_plan(131072, 8, 2048, 2048, &p, &err), 0);
	assert_int_equal(p.head, 256);
	assert_int_equal(p.tail, 256);
	assert_int_equal(p.tail_first, 16384 - 256);
	assert_true(remap_protect_valid(&p, 16384));
	assert_false(remap_protect_valid(&p, 16383));
	assert_true(remap_protect_covers(&p, 0));
	assert_true(remap_protect_covers(&p, 255));
	assert_false(remap_protect_covers(&p, 256));
	assert_false(remap_protect_covers(&p, 16127));
	assert_true(remap_protect_covers(&p, 16128));
	assert_true(remap_protect_covers(&p, 16383));
	assert_true(remap_protect_overlaps(&p, 100, 300, &hit));
	assert_int_equal(hit, 100);
	assert_false(remap_protect_overlaps(&p, 256, 16127, NULL));
	assert_true(remap_protect_overlaps(&p, 300, 16200, &hit));
	assert_int_equal(hit, 16128);
	assert_true(remap_protect_overlaps(&p, 16300, U64_MAX, &hit));
	assert_int_equal(hit, 16300);
	assert_false(remap_protect_overlaps(&p, 300, 200, NULL));
	/* Partial units round outwards; a partial last unit is a unit. */
	assert_int_equal(remap_protect_plan(1001, 8, 9, 1, &p, &err), 0);
	assert_int_equal(p.head, 2);
	assert_int_equal(p.tail_first, 125);
	assert_int_equal(p.tail, 1);
	/* No tail; a tail reaching into the head starts after it. */
	assert_int_equal(remap_protect_plan(1000, 8, 8, 0, &p, &err), 0);
	assert_int_equal(p.head, 1);
	assert_int_equal(p.tail, 0);
	assert_int_equal(p.tail_first, 0);
	assert_int_equal(remap_protect_plan(1000, 8, 800, 800, &p, &err), 0);
	assert_int_equal(p.head, 100);
	assert_int_equal(p.tail_first, 100);
	assert_int_equal(p.tail, 25);
	assert_int_equal(remap_protect_plan(1000, 8, 8000, 8000, &p, &err), 0);
	assert_int_equal(p.head, 125);
	assert_int_equal(p.tail, 0);
	assert_int_equal(remap_protect_plan(1000, 8, 0, 8, &p, &err), 0);
	assert_int_equal(p.head, 0);
	assert_int_equal(p.tail_first, 124);
	assert_int_equal(p.tail, 1);
	assert_int_equal(remap_protect_plan(1000, 8, 0, 0, &p, &err), -EINVAL);
	assert_string_equal(err, "protect: nothing to protect");
	assert_int_equal(remap_protect_plan(0, 8, 8, 8, &p, &err), -EINVAL);
	assert_int_equal(remap_protect_plan(1ULL << 40, 1, 1ULL << 33, 0, &p,
					    &err), -EINVAL);
	assert_int_equal(p.head, 0);

	/* Validity. */
	q = (struct remap_protect){ 0, 0, 0 };
	assert_true(remap_protect_valid(&q, 0));
	assert_false(remap_protect_on(&q));
	q = (struct remap_protect){ 0, 0, 5 };
	assert_false(remap_protect_valid(&q, 100));
	q = (struct remap_protect){ 101, 0, 0 };
	assert_false(remap_protect_valid(&q, 100));
	q = (struct remap_protect){ 10, 5, 9 };
	assert_false(remap_protect_valid(&q, 100));
	q = (struct remap_protect){ 10, 5, 95 };
	assert_true(remap_protect_valid(&q, 100));
	q = (struct remap_protect){ 10, 5, 96 };
	assert_false(remap_protect_valid(&q, 100));
	q = (struct remap_protect){ 10, U32_MAX, U64_MAX };
	assert_false(remap_protect_valid(&q, U64_MAX));

	/* Every protected unit remapped. */
	q = (struct remap_protect){ 3, 2, 10 };
	for (u = 0; u < 3; u++)
		e[n++] = (struct remap_entry){ .lunit = u, .sunit = u };
	e[n++] = (struct remap_entry){ .lunit = 7, .sunit = 9 };
	assert_false(remap_protect_all_remapped(&q, e, n, &miss));
	assert_int_equal(miss, 10);
	e[n++] = (struct remap_entry){ .lunit = 10, .sunit = 3 };
	assert_false(remap_protect_all_remapped(&q, e, n, &miss));
	assert_int_equal(miss, 11);
	e[n++] = (struct remap_entry){ .lunit = 11, .sunit = 4 };
	assert_true(remap_protect_all_remapped(&q, e, n, NULL));
	assert_false(remap_protect_all_remapped(&q, e + 1, n - 1, &miss));
	assert_int_equal(miss, 0);

	/* Superblock round trip, the bytes at 280 .. 295. */
	make_sb(&sb, 1000, 8);
	sb.prot = (struct remap_protect){ 256, 128, 0x0102030405ULL };
	remap_sb_encode(&sb, 0, blk);
	assert_int_equal(le32(blk + 280), 256);
	assert_int_equal(le32(blk + 284), 128);
	assert_int_equal(le64(blk + 288), 0x0102030405ULL);
	assert_int_equal(remap_sb_decode(blk, 0, &got, &err), 0);
	assert_sb_equal(&got, &sb);
	/* Past the main device (from main_start): inconsistent. */
	sb.main_dev_sectors = sb.main_start + 8 * (0x0102030405ULL + 127);
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 0, "inconsistent superblock");
	sb.main_dev_sectors += 8;
	remap_sb_encode(&sb, 0, blk);
	assert_int_equal(remap_sb_decode(blk, 0, &got, &err), 0);

	/* The member signature. */
	memset(&m, 0, sizeof(m));
	memcpy(m.uuid, sb.uuid, 16);
	m.main_start = 2048;
	m.unit_sectors = 8;
	m.where = 1;
	m.prot = sb.prot;
	memset(blk, 0x77, BS);
	remap_member_encode(&m, blk);
	assert_memory_equal(blk, "DM-REMAP-MEMBER", 16);
	assert_int_equal(blk[510], 0);	/* no MBR boot signature */
	assert_int_equal(blk[511], 0);
	assert_int_equal(blk[REMAP_MEMBER_SIZE], 0x77);	/* 512 bytes only */
	assert_non_null(strstr((char *)blk + REMAP_MEMBER_TEXT_OFF,
			       "metadata uuid: a0a7aeb5-bcc3-cad1-d8df-e6edf4fb0209\n"));
	memset(&mg, 0, sizeof(mg));
	assert_int_equal(remap_member_decode(blk, &mg, &err), 1);
	assert_memory_equal(&mg, &m, sizeof(m));
	blk[300] ^= 1;
	assert_int_equal(remap_member_decode(blk, &mg, &err), -EINVAL);
	assert_string_equal(err, "member signature checksum mismatch");
	blk[300] ^= 1;
	blk[16] = 2;
	put_le32(blk + 20, ref_crc32c(blk + 24, REMAP_MEMBER_SIZE - 24));
	assert_int_equal(remap_member_decode(blk, &mg, &err), -EINVAL);
	assert_string_equal(err, "unsupported member signature version");
	blk[3] = 'x';
	assert_int_equal(remap_member_decode(blk, &mg, &err), 0);
	memset(blk, 0, BS);
	assert_int_equal(remap_member_decode(blk, &mg, &err), 0);
	free(blk);
}

/* ---- the identity (docs: "Identity") ---- */

static void test_sb_identity(void **state)
{
	static const char *const inconsistent = "inconsistent superblock";
	struct remap_sb sb, t;
	struct remap_identity id;
	const char *err = NULL;
	char longs[200];
	u8 *blk = xmalloc(BS);
	int i;

	(void)state;
	/* Where the fields are (docs): name 296, serial 424, wwn 552, part 616. */
	make_sb(&sb, 1000, 8);
	remap_sb_encode(&sb, 0, blk);
	assert_memory_equal(blk + 296, "data-1\0", 7);
	for (i = 296 + 6; i < 424; i++)
		assert_int_equal(blk[i], 0);
	assert_memory_equal(blk + 424, "WD-WX12_34\0", 11);
	assert_memory_equal(blk + 552, "0x5000c500a1b2c3d4\0", 19);
	assert_int_equal(blk[616], 2);
	assert_int_equal(blk[617] | blk[618] | blk[619], 0);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);
	assert_sb_equal(&t, &sb);

	/* Older metadata: zeros there, an empty identity, still valid. */
	memset(&sb.id, 0, sizeof(sb.id));
	remap_sb_encode(&sb, 0, blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, &err), 0);
	assert_string_equal(t.id.name, "");
	assert_string_equal(t.id.serial, "");
	assert_int_equal(t.id.partition, 0);
	assert_int_equal(remap_id_match(&t, "x", NULL, 0, t.main_dev_sectors,
					&err), -ENODATA);

	/* Set: "" and NULL are "not recorded"; bad strings change nothing. */
	memset(&id, 0x5a, sizeof(id));
	assert_int_equal(remap_identity_set(&id, "a", "", NULL, 0, &err), 0);
	assert_string_equal(id.name, "a");
	assert_string_equal(id.serial, "");
	assert_string_equal(id.wwn, "");
	t.id = id;
	assert_int_equal(remap_identity_set(&id, "a b", "s", "w", 1, &err),
			 -EINVAL);
	assert_string_equal(err, "identity name: a blank or control character");
	assert_int_equal(remap_identity_set(&id, "n", "s\t", "w", 1, &err),
			 -EINVAL);
	assert_string_equal(err, "identity serial or WWN: a blank or control character");
	assert_int_equal(remap_identity_set(&id, "n", "s", "w\x7f", 1, &err),
			 -EINVAL);
	memset(longs, 'x', sizeof(longs));
	longs[127] = '\0';	/* 127 characters: the longest name */
	assert_int_equal(remap_identity_set(&id, longs, longs, "", 0, &err),
			 0);
	longs[127] = 'x';
	longs[128] = '\0';
	assert_int_equal(remap_identity_set(&id, longs, "", "", 0, &err),
			 -EINVAL);
	assert_string_equal(err, "identity string too long");
	longs[64] = '\0';	/* a WWN: 63 at most */
	assert_int_equal(remap_identity_set(&id, "n", "", longs, 0, &err),
			 -EINVAL);
	longs[63] = '\0';
	assert_int_equal(remap_identity_set(&id, "n", "", longs, 0, &err), 0);
	assert_int_equal(remap_identity_set(&id, "n~", "!", "-", 7, &err), 0);
	assert_string_equal(id.name, "n~");
	assert_int_equal(id.partition, 7);

	/* Decoding refuses what the setter refuses, and unclean padding. */
	make_sb(&sb, 1000, 8);
	remap_sb_encode(&sb, 0, blk);
	blk[296 + 2] = ' ';		/* "da ta-1" */
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	remap_sb_encode(&sb, 0, blk);
	blk[296 + 100] = 'x';		/* after the NUL */
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	remap_sb_encode(&sb, 0, blk);
	memset(blk + 424, 'x', 128);	/* no NUL */
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	remap_sb_encode(&sb, 0, blk);
	blk[552 + 63] = 'x';
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	remap_sb_encode(&sb, 0, blk);
	blk[552 + 1] = '\n';
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	remap_sb_encode(&sb, 0, blk);
	blk[616 + 3] = 0x80;		/* partition 0x80000002: any u32 */
	reseal(blk);
	assert_int_equal(remap_sb_decode(blk, 0, &t, NULL), 0);
	assert_int_equal(t.id.partition, 0x80000002U);

	/* Matching a device: serial and WWN as recorded, partition, size. */
	make_sb(&sb, 1000, 8);
	assert_int_equal(remap_id_match(&sb, "WD-WX12_34", "0x5000c500a1b2c3d4",
					2, sb.main_dev_sectors, &err), 0);
	assert_int_equal(remap_id_match(&sb, "WD-WX12_35", "0x5000c500a1b2c3d4",
					2, sb.main_dev_sectors, &err), -ENODEV);
	assert_string_equal(err, "serial differs");
	assert_int_equal(remap_id_match(&sb, NULL, "0x5000c500a1b2c3d4",
					2, sb.main_dev_sectors, &err), -ENODEV);
	assert_int_equal(remap_id_match(&sb, "WD-WX12_34", NULL,
					2, sb.main_dev_sectors, &err), -ENODEV);
	assert_string_equal(err, "WWN differs");
	assert_int_equal(remap_id_match(&sb, "WD-WX12_34", "0x5000c500a1b2c3d4",
					0, sb.main_dev_sectors, &err), -ENODEV);
	assert_string_equal(err, "partition number differs");
	assert_int_equal(remap_id_match(&sb, "WD-WX12_34", "0x5000c500a1b2c3d4",
					2, sb.main_dev_sectors - 1, &err),
			 -ENODEV);
	assert_string_equal(err, "size differs");
	/* Only a WWN recorded: any serial; only a serial: any WWN. */
	sb.id.serial[0] = '\0';
	assert_int_equal(remap_id_match(&sb, NULL, "0x5000c500a1b2c3d4",
					2, sb.main_dev_sectors, &err), 0);
	make_sb(&sb, 1000, 8);
	sb.id.wwn[0] = '\0';
	assert_int_equal(remap_id_match(&sb, "WD-WX12_34", "0x1", 2,
					sb.main_dev_sectors, &err), 0);
	free(blk);
}

/* ---- initialized slot blocks (docs: "Initialized slot blocks") ---- */

static void test_sb_init_blocks(void **state)
{
	static const char *const inconsistent = "inconsistent superblock";
	struct remap_sb sb, got;
	u8 *blk = xmalloc(BS), *v1 = xmalloc(BS);
	const char *err = NULL;
	u64 n;

	(void)state;
	make_sb(&sb, 5000, 8);		/* 10 slot blocks */
	assert_int_equal(sb.layout.slot_blocks, 10);
	assert_int_equal(sb.slot_blocks_init, 0);
	assert_int_equal(remap_sb_init_blocks(&sb), 10);
	remap_sb_encode(&sb, 0, v1);

	/* Every count from 1 to all: field, version, bytes, round trip. */
	for (n = 1; n <= 12; n++) {
		struct remap_sb t = sb;

		remap_sb_set_init_blocks(&t, n);
		if (n >= 10) {
			assert_int_equal(t.slot_blocks_init, 0);
			assert_int_equal(t.version, 1);
			assert_int_equal(remap_sb_init_blocks(&t), 10);
		} else {
			assert_int_equal(t.slot_blocks_init, n);
			assert_int_equal(t.version, 2);
			assert_int_equal(remap_sb_init_blocks(&t), n);
		}
		remap_sb_encode(&t, 1, blk);
		assert_int_equal(le32(blk + 48), t.version);
		assert_int_equal(le64(blk + 272), t.slot_blocks_init);
		for (unsigned int i = 280; i < BS; i++)
			if (i < 296 || i >= 620)
				assert_int_equal(blk[i], 0);
		memset(&got, 0x5a, sizeof(got));
		assert_int_equal(remap_sb_decode(blk, 1, &got, &err), 0);
		assert_sb_equal(&got, &t);
		/* All initialized: the very bytes of a version 1 superblock. */
		if (n >= 10) {
			remap_sb_encode(&t, 0, blk);
			assert_memory_equal(blk, v1, BS);
		}
	}
	/* 0 is taken as 1: the first block is always initialized. */
	remap_sb_set_init_blocks(&sb, 0);
	assert_int_equal(sb.slot_blocks_init, 1);
	assert_int_equal(sb.version, 2);
	/* Back to all of them: version 1 again. */
	remap_sb_set_init_blocks(&sb, 10);
	assert_int_equal(sb.slot_blocks_init, 0);
	assert_int_equal(sb.version, 1);

	/* The rule, alone. */
	assert_true(remap_sb_init_valid(1, 0, 10));
	assert_false(remap_sb_init_valid(1, 1, 10));
	assert_false(remap_sb_init_valid(1, 10, 10));
	assert_false(remap_sb_init_valid(2, 0, 10));
	assert_true(remap_sb_init_valid(2, 1, 10));
	assert_true(remap_sb_init_valid(2, 9, 10));
	assert_false(remap_sb_init_valid(2, 10, 10));
	assert_false(remap_sb_init_valid(2, 11, 10));
	assert_false(remap_sb_init_valid(2, U64_MAX, 10));
	assert_false(remap_sb_init_valid(2, 1, 1));	/* one block: all */
	assert_true(remap_sb_init_valid(1, 0, 1));
	assert_false(remap_sb_init_valid(0, 0, 10));
	assert_false(remap_sb_init_valid(3, 0, 10));
	assert_false(remap_sb_init_valid(3, 1, 10));

	/* Decoding refuses what the rule refuses: "inconsistent". */
	make_sb(&sb, 5000, 8);
	sb.version = 2;			/* version 2 with 0 */
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	sb.slot_blocks_init = 10;	/* all, spelt as a count */
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	sb.slot_blocks_init = 11;
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	sb.slot_blocks_init = U64_MAX;
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	sb.slot_blocks_init = 9;
	remap_sb_encode(&sb, 0, blk);
	assert_int_equal(remap_sb_decode(blk, 0, &got, NULL), 0);
	blk[BS - 1] = 1;		/* still zero after the field */
	reseal(blk);
	expect_sb_error(blk, 0, inconsistent);
	sb.version = 1;			/* version 1 with a count */
	remap_sb_encode(&sb, 0, blk);
	expect_sb_error(blk, 0, inconsistent);
	/* One bit of the field flipped: the checksum says so first. */
	sb.version = 2;
	remap_sb_encode(&sb, 0, blk);
	blk[272] ^= 2;
	expect_sb_error(blk, 0, "superblock checksum mismatch");
	free(blk);
	free(v1);
}

/* The model: slot blocks that spare_len's units need, in 128 bits. */
static u64 ref_blocks_for(const struct remap_meta_layout *l, u64 len,
			  u32 unit)
{
	unsigned __int128 units;

	if (len <= l->data_offset)
		return 0;
	units = (len - l->data_offset) / unit;
	if (units > l->slot_capacity)
		units = l->slot_capacity;
	return (u64)((units + PER - 1) / PER);
}

static void test_blocks_for(void **state)
{
	struct remap_meta_layout l;
	u64 s = 4242, len;
	u32 unit;
	int i;

	(void)state;
	assert_true(remap_meta_layout(1000, 8, &l));	/* data_offset 64 */
	assert_int_equal(remap_meta_blocks_for(&l, 0, 8), 0);
	assert_int_equal(remap_meta_blocks_for(&l, 71, 8), 0);
	assert_int_equal(remap_meta_blocks_for(&l, 72, 8), 1);
	assert_int_equal(remap_meta_blocks_for(&l, 64 + 508 * 8, 8), 1);
	assert_int_equal(remap_meta_blocks_for(&l, 64 + 509 * 8, 8), 2);
	assert_int_equal(remap_meta_blocks_for(&l, U64_MAX, 8), 2);
	assert_int_equal(remap_meta_block_slots(&l, 0), 0);
	assert_int_equal(remap_meta_block_slots(&l, 1), 508);
	assert_int_equal(remap_meta_block_slots(&l, 2), 1000);
	assert_int_equal(remap_meta_block_slots(&l, 3), 1000);

	/*
	 * The defect's geometry: 4 KiB units, a 2 TiB spare device, a
	 * 20 GiB spare area at its start.  The capacity reaches to the end
	 * (2^29 units, 1056833 slot blocks: over 8 GiB of metadata, more
	 * than INT_MAX bytes of slots in memory); the blocks 20 GiB needs
	 * are a few thousand.  (16 GiB: the 8 GiB of metadata would take
	 * more than half; its own capacity then.)
	 */
	len = 20ULL << 21;
	assert_true(remap_meta_layout_for_format(1ULL << 32, 0, len, 8, &l));
	assert_int_equal(l.slot_capacity, 1ULL << 29);
	assert_int_equal(l.slot_blocks, 1056833);
	assert_true(l.slot_blocks * PER * 8 > 0x7fffffffULL);
	assert_int_equal(remap_meta_blocks_for(&l, len, 8),
			 ref_blocks_for(&l, len, 8));
	assert_true(remap_meta_blocks_for(&l, len, 8) < 6200);
	assert_true(remap_meta_blocks_for(&l, len, 8) <=
		    REMAP_META_MAX_LOADED_BLOCKS);
	/* The whole device as spare: more than memory allows. */
	assert_true(remap_meta_blocks_for(&l, 1ULL << 32, 8) >
		    REMAP_META_MAX_LOADED_BLOCKS);

	/* To initialize: only what 20 GiB needs, the rest is far more. */
	assert_int_equal(remap_meta_blocks_to_init(&l, len, 8),
			 remap_meta_blocks_for(&l, len, 8));
	assert_true(remap_meta_layout_for_format(1ULL << 32, 0, 16ULL << 21, 8,
						 &l));
	assert_int_equal(l.slot_capacity, 16ULL << 18);

	/*
	 * All of them when at most REMAP_META_INIT_SLACK (256) would be
	 * left: version 1.  1000 blocks of slots, data_offset 16032.
	 */
	assert_true(remap_meta_layout(1000 * PER, 8, &l));
	assert_int_equal(l.data_offset, (2 + 2 + 2000) * 8);
	len = l.data_offset + 744 * PER * 8;		/* 744 blocks */
	assert_int_equal(remap_meta_blocks_for(&l, len, 8), 744);
	assert_int_equal(remap_meta_blocks_to_init(&l, len, 8), 1000);
	len -= 8;					/* 744 - 1 slot */
	assert_int_equal(remap_meta_blocks_for(&l, len, 8), 744);
	len -= (PER - 1) * 8;				/* 743 blocks */
	assert_int_equal(remap_meta_blocks_for(&l, len, 8), 743);
	assert_int_equal(remap_meta_blocks_to_init(&l, len, 8), 743);
	assert_int_equal(remap_meta_blocks_to_init(&l, 0, 8), 0);
	/* More than memory allows in all: never all of them. */
	assert_true(remap_meta_layout((REMAP_META_MAX_LOADED_BLOCKS + 1) * PER,
				      8, &l));
	len = U64_MAX;
	assert_int_equal(remap_meta_blocks_to_init(&l, len, 8),
			 REMAP_META_MAX_LOADED_BLOCKS + 1);	/* = need */
	len = l.data_offset + (REMAP_META_MAX_LOADED_BLOCKS - 10) * PER * 8;
	assert_int_equal(remap_meta_blocks_to_init(&l, len, 8),
			 REMAP_META_MAX_LOADED_BLOCKS - 10);

	/*
	 * The memory limit: the slots (8 bytes) and even a full index (16
	 * bytes a unit) stay under kvmalloc's INT_MAX.
	 */
	assert_true(REMAP_META_MAX_LOADED_BLOCKS * PER * 16 < 0x7fffffffULL);

	for (i = 0; i < 20000; i++) {
		u64 cap = (rng_next(&s) >> rng_below(&s, 64)) + 1;

		unit = 1U << rng_below(&s, 12);
		if (!remap_meta_layout(cap, unit, &l))
			continue;
		len = rng_next(&s) >> rng_below(&s, 64);
		assert_int_equal(remap_meta_blocks_for(&l, len, unit),
				 ref_blocks_for(&l, len, unit));
		assert_true(remap_meta_blocks_for(&l, len, unit) <=
			    l.slot_blocks);
		assert_true(remap_meta_block_slots(&l,
			remap_meta_blocks_for(&l, len, unit)) >=
			remap_meta_units(&l, len, unit));
		if (l.slot_blocks - ref_blocks_for(&l, len, unit) <= 256 &&
		    l.slot_blocks <= REMAP_META_MAX_LOADED_BLOCKS)
			assert_int_equal(remap_meta_blocks_to_init(&l, len, unit),
					 l.slot_blocks);
		else
			assert_int_equal(remap_meta_blocks_to_init(&l, len, unit),
					 ref_blocks_for(&l, len, unit));
	}
}

/* ---- slot and pending blocks ---- */

static void fill_entries(u64 *e, u64 seed)
{
	unsigned int i;

	for (i = 0; i < PER; i++)
		e[i] = rng_next(&seed);
}

static void test_entries_roundtrip(void **state)
{
	u64 in[PER], out[PER], seq;
	u8 *blk = xmalloc(BS), *again = xmalloc(BS);
	unsigned int i;

	(void)state;
	fill_entries(in, 1);
	in[0] = 0;
	in[1] = REMAP_SLOT_RETIRED;
	remap_entries_encode(REMAP_MAGIC_SLOTS, 0xdeadbeefcafef00dULL, 12345,
			     99, in, blk);
	assert_memory_equal(blk, "RRSL", 4);
	assert_int_equal(le32(blk + 4), ref_crc32c(blk + 8, BS - 8));
	assert_int_equal(le64(blk + 8), 12345);
	assert_int_equal(le64(blk + 16), 0xdeadbeefcafef00dULL);
	assert_int_equal(le64(blk + 24), 99);
	for (i = 0; i < PER; i++)
		assert_int_equal(le64(blk + 32 + 8 * i), in[i]);

	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SLOTS,
					      0xdeadbeefcafef00dULL, 12345,
					      &seq, out), 0);
	assert_int_equal(seq, 99);
	assert_memory_equal(in, out, sizeof(in));
	remap_entries_encode(REMAP_MAGIC_SLOTS, 0xdeadbeefcafef00dULL, 12345,
			     seq, out, again);
	assert_memory_equal(blk, again, BS);

	remap_entries_encode(REMAP_MAGIC_PENDING, 7, 2, U64_MAX, in, blk);
	assert_memory_equal(blk, "RRPD", 4);
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_PENDING, 7, 2,
					      &seq, out), 0);
	assert_int_equal(seq, U64_MAX);
	free(blk);
	free(again);
}

static void test_entries_refusals(void **state)
{
	u64 in[PER], out[PER], seq = 5;
	u8 *blk = xmalloc(BS);

	(void)state;
	fill_entries(in, 2);
	remap_entries_encode(REMAP_MAGIC_SLOTS, 1000, 4, 9, in, blk);
	memset(out, 0x77, sizeof(out));
	/* Wrong magic, instance, block number: refused, nothing written. */
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_PENDING, 1000, 4),
			 REMAP_BLOCK_OTHER_KIND);
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_SLOTS, 1001, 4),
			 REMAP_BLOCK_OTHER_INSTANCE);
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_SLOTS, 1000, 5),
			 REMAP_BLOCK_MISPLACED);
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_SLOTS, 1000, 4),
			 REMAP_BLOCK_VALID);
	assert_string_equal(remap_block_status_str(REMAP_BLOCK_MISPLACED),
			    "written for another block number (a misdirected write)");
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_PENDING, 1000,
					      4, &seq, out), -EINVAL);
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SUPER, 1000,
					      4, &seq, out), -EINVAL);
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SLOTS, 1001,
					      4, &seq, out), -EINVAL);
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SLOTS, 1000,
					      5, &seq, out), -EINVAL);
	blk[2000] ^= 0x10;
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_SLOTS, 1000, 4),
			 REMAP_BLOCK_BAD_CRC);
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SLOTS, 1000,
					      4, &seq, out), -EINVAL);
	assert_int_equal(seq, 5);
	assert_int_equal(out[0], 0x7777777777777777ULL);
	assert_int_equal(out[PER - 1], 0x7777777777777777ULL);
	blk[2000] ^= 0x10;
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SLOTS, 1000,
					      4, &seq, out), 0);
	/* An all-zero block is not a valid block. */
	memset(blk, 0, BS);
	assert_true(remap_meta_block_is_zero(blk));
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_SLOTS, 0, 0),
			 REMAP_BLOCK_ZERO);
	blk[0] = 1;
	assert_int_equal(remap_entries_check(blk, REMAP_MAGIC_SLOTS, 0, 0),
			 REMAP_BLOCK_FOREIGN);
	blk[0] = 0;
	assert_int_equal(remap_entries_decode(blk, 0, 0, 0, &seq, out),
			 -EINVAL);
	blk[BS - 1] = 1;
	assert_false(remap_meta_block_is_zero(blk));
	blk[BS - 1] = 0;
	blk[0] = 1;
	assert_false(remap_meta_block_is_zero(blk));
	free(blk);
}

/* Every single bit flip anywhere in a block is detected. */
static void test_bit_flips(void **state)
{
	struct remap_sb sb, got;
	u64 in[PER], out[PER], seq;
	u8 *blk = xmalloc(BS);
	unsigned int bit;

	(void)state;
	make_sb(&sb, 5000, 8);
	remap_sb_encode(&sb, 1, blk);
	for (bit = 0; bit < BS * 8; bit++) {
		blk[bit / 8] ^= (u8)(1U << (bit % 8));
		if (remap_sb_decode(blk, 1, &got, NULL) != -EINVAL)
			fail_msg("superblock bit %u flipped: not detected", bit);
		blk[bit / 8] ^= (u8)(1U << (bit % 8));
	}
	assert_int_equal(remap_sb_decode(blk, 1, &got, NULL), 0);

	fill_entries(in, 3);
	remap_entries_encode(REMAP_MAGIC_SLOTS, sb.instance, 6, 17, in, blk);
	for (bit = 0; bit < BS * 8; bit++) {
		blk[bit / 8] ^= (u8)(1U << (bit % 8));
		if (remap_entries_decode(blk, REMAP_MAGIC_SLOTS, sb.instance, 6,
					 &seq, out) != -EINVAL)
			fail_msg("slot block bit %u flipped: not detected", bit);
		blk[bit / 8] ^= (u8)(1U << (bit % 8));
	}
	assert_int_equal(remap_entries_decode(blk, REMAP_MAGIC_SLOTS,
					      sb.instance, 6, &seq, out), 0);
	free(blk);
}

/* A write torn at any sector boundary leaves an invalid block. */
static void test_torn_block(void **state)
{
	u64 old_e[PER], new_e[PER], out[PER], seq;
	u8 *old_b = xmalloc(BS), *new_b = xmalloc(BS), *torn = xmalloc(BS);
	struct remap_sb sb, got;
	unsigned int cut, i;

	(void)state;
	for (i = 0; i < PER; i++) {
		old_e[i] = i + 1;
		new_e[i] = i + 2;
	}
	remap_entries_encode(REMAP_MAGIC_SLOTS, 55, 4, 10, old_e, old_b);
	remap_entries_encode(REMAP_MAGIC_SLOTS, 55, 4, 11, new_e, new_b);
	for (cut = 512; cut < BS; cut += 512) {
		memcpy(torn, new_b, cut);
		memcpy(torn + cut, old_b + cut, BS - cut);
		assert_int_equal(remap_entries_decode(torn, REMAP_MAGIC_SLOTS,
						      55, 4, &seq, out),
				 -EINVAL);
		/* And the other way round (old first half, new second). */
		memcpy(torn, old_b, cut);
		memcpy(torn + cut, new_b + cut, BS - cut);
		assert_int_equal(remap_entries_decode(torn, REMAP_MAGIC_SLOTS,
						      55, 4, &seq, out),
				 -EINVAL);
	}

	/* Superblocks: a generation and counters in both halves. */
	make_sb(&sb, 1000, 8);
	remap_sb_encode(&sb, 0, old_b);
	sb.generation++;
	sb.counters[0]++;
	remap_sb_encode(&sb, 0, new_b);
	memcpy(torn, new_b, BS / 2);
	memcpy(torn + BS / 2, old_b + BS / 2, BS / 2);
	/* The halves after byte 272 are equal zero: torn == new, valid. */
	assert_memory_equal(torn, new_b, BS);
	memcpy(torn, new_b, 128);
	memcpy(torn + 128, old_b + 128, BS - 128);
	expect_sb_error(torn, 0, "superblock checksum mismatch");
	assert_int_equal(remap_sb_decode(new_b, 0, &got, NULL), 0);
	free(old_b);
	free(new_b);
	free(torn);
}

/* ---- choosing between copies ---- */

static void test_pick(void **state)
{
	bool repair;

	(void)state;
	/* Both valid. */
	repair = true;
	assert_int_equal(remap_meta_pick(true, 5, true, 5, &repair), 0);
	assert_false(repair);
	assert_int_equal(remap_meta_pick(true, 6, true, 5, &repair), 0);
	assert_true(repair);
	repair = false;
	assert_int_equal(remap_meta_pick(true, 5, true, 6, &repair), 1);
	assert_true(repair);
	assert_int_equal(remap_meta_pick(true, U64_MAX, true, 0, &repair), 0);
	assert_true(repair);
	assert_int_equal(remap_meta_pick(true, 0, true, U64_MAX, &repair), 1);
	assert_true(repair);
	/* One valid: the seq of the other one does not matter. */
	repair = false;
	assert_int_equal(remap_meta_pick(true, 1, false, 9, &repair), 0);
	assert_true(repair);
	repair = false;
	assert_int_equal(remap_meta_pick(false, 9, true, 1, &repair), 1);
	assert_true(repair);
	/* Neither. */
	assert_int_equal(remap_meta_pick(false, 1, false, 2, &repair), -1);
	assert_false(repair);
}

/* ---- slots to entries ---- */

static void test_slots_to_entries(void **state)
{
	u64 slots[10] = {
		0, 5, REMAP_SLOT_RETIRED, 1, 0,
		REMAP_SLOT_MAX_LUNIT + 1, REMAP_SLOT_RETIRED, 0, 0, 100,
	};
	struct remap_entry e[10];
	u64 retired = 3;
	long n;

	(void)state;
	n = remap_slots_to_entries(slots, 10, 1000, U64_MAX, e, &retired);
	assert_int_equal(n, 4);
	assert_int_equal(retired, 5);	/* added to what was there */
	assert_int_equal(e[0].lunit, 4);
	assert_int_equal(e[0].sunit, 1001);
	assert_int_equal(e[1].lunit, 0);
	assert_int_equal(e[1].sunit, 1003);
	assert_int_equal(e[2].lunit, REMAP_SLOT_MAX_LUNIT);
	assert_int_equal(e[2].sunit, 1005);
	assert_int_equal(e[3].lunit, 99);
	assert_int_equal(e[3].sunit, 1009);

	/* lunit bound: nr_lunits is exclusive. */
	slots[5] = 0;
	retired = 0;
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, 100, e, &retired),
			 3);
	assert_int_equal(retired, 2);
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, 99, e, &retired),
			 -EINVAL);
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, 0, e, &retired),
			 -EINVAL);

	/* Above 2^63 and not RETIRED: corrupt. */
	slots[5] = REMAP_SLOT_MAX_LUNIT + 2;
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, U64_MAX, e,
						&retired), -EINVAL);
	slots[5] = REMAP_SLOT_RETIRED - 1;
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, U64_MAX, e,
						&retired), -EINVAL);
	slots[5] = 0;

	/* Empty, all free, retired-only, NULL retired. */
	assert_int_equal(remap_slots_to_entries(NULL, 0, 0, 10, NULL, NULL),
			 0);
	memset(slots, 0, sizeof(slots));
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, 10, e, NULL), 0);
	slots[9] = REMAP_SLOT_RETIRED;
	assert_int_equal(remap_slots_to_entries(slots, 10, 0, 10, e, NULL), 0);

	/* Spare unit numbers past U64_MAX. */
	slots[0] = 1;
	slots[9] = 1;
	assert_int_equal(remap_slots_to_entries(slots, 10, U64_MAX - 9, 10, e,
						NULL), 2);
	assert_int_equal(e[1].sunit, U64_MAX);
	assert_int_equal(remap_slots_to_entries(slots, 10, U64_MAX - 8, 10, e,
						NULL), -EINVAL);
}

/*
 * The scrub checkpoint (docs: "Scrub checkpoint"): counters 5..15 of the
 * superblock, encoded and decoded as words, survive a superblock round
 * trip, an all-zero one is an idle scrubber that never ran (every
 * superblock written before the checkpoint existed), and an inconsistent
 * one is refused with its reason and read as idle.
 */
static void test_scrub_ckpt(void **state)
{
	struct remap_scrub_ckpt c = {
		.state = REMAP_SCRUB_PAUSED, .start = 64, .pos = 4096,
		.end = 8192, .passes = 3, .last_pass_end = 1767225600,
		.read_errors = 5, .relocated = 2, .weak = 1, .pending = 4,
		.meta_repaired = 7,
	}, d;
	struct remap_sb sb, back;
	const char *err = NULL;
	u8 *b = xmalloc(BS);
	unsigned int i;

	(void)state;
	make_sb(&sb, 1000, 8);
	sb.main_dev_sectors = 1 << 20;
	sb.main_start = 0;
	/* Words 5..15 and nothing else. */
	memset(sb.counters, 0, sizeof(sb.counters));
	remap_scrub_ckpt_put(sb.counters, &c);
	for (i = 0; i < REMAP_CTR_NR; i++)
		assert_int_equal(sb.counters[i], 0);
	assert_int_equal(sb.counters[REMAP_SBW_SCRUB_STATE], 2);
	assert_int_equal(sb.counters[REMAP_SBW_SCRUB_POS], 4096);
	assert_int_equal(sb.counters[15], 7);
	assert_int_equal(REMAP_SBW_NR, REMAP_META_NR_COUNTERS);
	/* Through the bytes: word 11 at byte 144 + 8 * 11. */
	remap_sb_encode(&sb, 0, b);
	assert_int_equal(b[144 + 8 * REMAP_SBW_SCRUB_STATE], 2);
	assert_int_equal(remap_sb_decode(b, 0, &back, &err), 0);
	memset(&d, 0xff, sizeof(d));
	assert_int_equal(remap_scrub_ckpt_get(&back, &d, &err), 0);
	assert_memory_equal(&c, &d, sizeof(c));
	assert_string_equal(remap_scrub_state_str(d.state), "paused");

	/* All zero: idle, never ran. */
	memset(back.counters + REMAP_CTR_NR, 0,
	       (REMAP_META_NR_COUNTERS - REMAP_CTR_NR) * sizeof(u64));
	assert_int_equal(remap_scrub_ckpt_get(&back, &d, &err), 0);
	assert_int_equal(d.state, REMAP_SCRUB_IDLE);
	assert_int_equal(d.pos, 0);
	assert_int_equal(d.passes, 0);

	/* Refusals: each reads as all zero, with its reason. */
	{
		static const struct {
			unsigned int word;
			u64 v;
			const char *why;
		} bad[] = {
			{ REMAP_SBW_SCRUB_STATE, 3, "unknown state" },
			{ REMAP_SBW_SCRUB_POS, 63, "position outside" },
			{ REMAP_SBW_SCRUB_POS, 8193, "position outside" },
			{ REMAP_SBW_SCRUB_START, 4097, "position outside" },
			{ REMAP_SBW_SCRUB_START, 68, "inside a unit" },
			{ REMAP_SBW_SCRUB_END, (1 << 20) + 8, "past the main" },
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct remap_sb x = sb;

			x.counters[bad[i].word] = bad[i].v;
			if (bad[i].word == REMAP_SBW_SCRUB_START && bad[i].v == 68)
				x.counters[REMAP_SBW_SCRUB_POS] = 68;
			if (bad[i].word == REMAP_SBW_SCRUB_END) {
				x.counters[REMAP_SBW_SCRUB_POS] = bad[i].v;
				x.counters[REMAP_SBW_SCRUB_END] = bad[i].v;
			}
			err = NULL;
			memset(&d, 0xff, sizeof(d));
			assert_int_equal(remap_scrub_ckpt_get(&x, &d, &err),
					 -EINVAL);
			assert_non_null(err);
			assert_non_null(strstr(err, bad[i].why));
			assert_int_equal(d.state, 0);
			assert_int_equal(d.passes, 0);
			assert_int_equal(d.meta_repaired, 0);
		}
	}
	/* A running scrub of nothing; an idle one may be empty. */
	sb.counters[REMAP_SBW_SCRUB_STATE] = REMAP_SCRUB_RUNNING;
	sb.counters[REMAP_SBW_SCRUB_START] = 128;
	sb.counters[REMAP_SBW_SCRUB_POS] = 128;
	sb.counters[REMAP_SBW_SCRUB_END] = 128;
	assert_int_equal(remap_scrub_ckpt_get(&sb, &d, &err), -EINVAL);
	sb.counters[REMAP_SBW_SCRUB_STATE] = REMAP_SCRUB_IDLE;
	assert_int_equal(remap_scrub_ckpt_get(&sb, &d, &err), 0);
	/* At the end of its main device: fine; main_start counts. */
	sb.main_start = 1024;
	sb.counters[REMAP_SBW_SCRUB_END] = (1 << 20) - 1024;
	assert_int_equal(remap_scrub_ckpt_get(&sb, &d, &err), 0);
	sb.counters[REMAP_SBW_SCRUB_END] = (1 << 20) - 1016;
	assert_int_equal(remap_scrub_ckpt_get(&sb, &d, &err), -EINVAL);
	assert_null(remap_scrub_state_str(3));
	free(b);
}

/* ---- the fixture image from fixtures/meta_fixture.py ---- */

#define FX_UNIT 8
#define FX_CAPACITY 1000
#define FX_META_BLOCKS 8
#define FX_NR_LUNITS (2097152 / FX_UNIT)

static u8 *read_fixture_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;

	if (!f)
		fail_msg("cannot open %s", path);
	buf = xmalloc(FX_META_BLOCKS * BS + 1);
	*len = fread(buf, 1, FX_META_BLOCKS * BS + 1, f);
	fclose(f);
	return buf;
}

static u8 *read_fixture(size_t *len)
{
	return read_fixture_file(FIXTURE_DIR "/meta_v1.img", len);
}

static void test_fixture(void **state)
{
	static const u8 uuid[16] = {
		0x5e, 0xed, 0x00, 0x01, 0xc0, 0xde, 0x4d, 0x2e,
		0x8a, 0x11, 0x00, 0x11, 0x22, 0x33, 0x44, 0x5f,
	};
	static const u64 counters[16] = { 3, 2, 1, 0, 8 };
	struct remap_sb sa, sb;
	const struct remap_meta_layout *l = &sa.layout;
	u64 slots[2 * PER], pend[PER], e_a[PER], e_b[PER], seq_a, seq_b;
	u64 nr_retired = 0, inst;
	struct remap_entry ent[16];
	bool va, vb, repair;
	u8 *img, *again = xmalloc(BS);
	const char *err = NULL;
	size_t len;
	unsigned int i, j;
	long n;

	(void)state;
	img = read_fixture(&len);
	assert_int_equal(len, FX_META_BLOCKS * BS);

	/* Superblocks: both valid, identical but for block_nr and crc. */
	assert_int_equal(remap_sb_decode(img, 0, &sa, &err), 0);
	assert_int_equal(remap_sb_decode(img + BS, 1, &sb, &err), 0);
	assert_null(err);
	assert_sb_equal(&sa, &sb);
	inst = 0x2e4ddec00100ed5eULL;
	assert_int_equal(sa.instance, inst);
	/* Written before the scrub checkpoint existed: an idle scrubber. */
	{
		struct remap_scrub_ckpt ck;

		assert_int_equal(remap_scrub_ckpt_get(&sa, &ck, &err), 0);
		assert_int_equal(ck.state, REMAP_SCRUB_IDLE);
		assert_int_equal(ck.passes, 0);
	}
	assert_memory_equal(sa.uuid, uuid, 16);
	assert_int_equal(sa.seq, 3);
	assert_int_equal(sa.version, 1);
	assert_int_equal(sa.unit_sectors, FX_UNIT);
	assert_int_equal(sa.logical_block_size, 512);
	assert_int_equal(sa.flags, 0);
	assert_int_equal(sa.main_dev_sectors, 2097152);
	assert_int_equal(sa.main_start, 0);
	assert_int_equal(sa.spare_start, 0);
	assert_int_equal(sa.generation, 5);
	assert_int_equal(sa.format_time, 1767225600);
	for (i = 0; i < 16; i++)
		assert_int_equal(sa.counters[i], counters[i]);
	assert_int_equal(l->slot_capacity, FX_CAPACITY);
	assert_int_equal(l->pending_blocks, 1);
	assert_int_equal(l->slot_blocks, 2);
	assert_int_equal(l->meta_blocks, FX_META_BLOCKS);
	assert_int_equal(l->data_offset, 64);
	assert_int_equal(l->pending_a, 2);
	assert_int_equal(l->pending_b, 3);
	assert_int_equal(l->slots_a, 4);
	assert_int_equal(l->slots_b, 6);
	/* The codec writes the very bytes the script wrote. */
	remap_sb_encode(&sa, 0, again);
	assert_memory_equal(again, img, BS);
	remap_sb_encode(&sa, 1, again);
	assert_memory_equal(again, img + BS, BS);

	/* Pending: both copies valid, seq 7, one entry (lunit 4242). */
	va = !remap_entries_decode(img + l->pending_a * BS, REMAP_MAGIC_PENDING,
				   inst, l->pending_a, &seq_a, e_a);
	vb = !remap_entries_decode(img + l->pending_b * BS, REMAP_MAGIC_PENDING,
				   inst, l->pending_b, &seq_b, e_b);
	assert_true(va && vb);
	assert_int_equal(seq_a, 7);
	assert_int_equal(seq_b, 7);
	assert_int_equal(remap_meta_pick(va, seq_a, vb, seq_b, &repair), 0);
	assert_false(repair);
	memcpy(pend, e_a, sizeof(pend));
	assert_memory_equal(e_a, e_b, sizeof(e_a));
	for (i = 0; i < PER; i++)
		assert_int_equal(pend[i], i == 3 ? 4243 : 0);
	remap_entries_encode(REMAP_MAGIC_PENDING, inst, l->pending_b, seq_b,
			     e_b, again);
	assert_memory_equal(again, img + l->pending_b * BS, BS);
	/* A pending block is not a slot block, and copies are not moveable. */
	assert_int_equal(remap_entries_decode(img + l->pending_a * BS,
					      REMAP_MAGIC_SLOTS, inst,
					      l->pending_a, &seq_a, e_a),
			 -EINVAL);
	assert_int_equal(remap_entries_decode(img + l->pending_a * BS,
					      REMAP_MAGIC_PENDING, inst,
					      l->pending_b, &seq_a, e_a),
			 -EINVAL);

	/* Slot block 0: copy A seq 9, copy B stale (seq 8, no sunit 3). */
	va = !remap_entries_decode(img + l->slots_a * BS, REMAP_MAGIC_SLOTS,
				   inst, l->slots_a, &seq_a, e_a);
	vb = !remap_entries_decode(img + l->slots_b * BS, REMAP_MAGIC_SLOTS,
				   inst, l->slots_b, &seq_b, e_b);
	assert_true(va && vb);
	assert_int_equal(seq_a, 9);
	assert_int_equal(seq_b, 8);
	assert_int_equal(remap_meta_pick(va, seq_a, vb, seq_b, &repair), 0);
	assert_true(repair);
	for (i = 0; i < PER; i++)
		if (i != 3)
			assert_int_equal(e_a[i], e_b[i]);
	assert_int_equal(e_a[3], 5001);
	assert_int_equal(e_b[3], 0);
	memcpy(slots, e_a, sizeof(e_a));
	remap_entries_encode(REMAP_MAGIC_SLOTS, inst, l->slots_a, 9, e_a,
			     again);
	assert_memory_equal(again, img + l->slots_a * BS, BS);

	/* Slot block 1: copy A corrupt (a flipped bit), copy B seq 6. */
	va = !remap_entries_decode(img + (l->slots_a + 1) * BS,
				   REMAP_MAGIC_SLOTS, inst, l->slots_a + 1,
				   &seq_a, e_a);
	vb = !remap_entries_decode(img + (l->slots_b + 1) * BS,
				   REMAP_MAGIC_SLOTS, inst, l->slots_b + 1,
				   &seq_b, e_b);
	assert_false(va);
	assert_true(vb);
	assert_int_equal(seq_b, 6);
	assert_int_equal(remap_meta_pick(va, seq_a, vb, seq_b, &repair), 1);
	assert_true(repair);
	memcpy(slots + PER, e_b, sizeof(e_b));
	/* The corruption is one bit of slot 0 (lunit 7 + 1, bit 62). */
	remap_entries_encode(REMAP_MAGIC_SLOTS, inst, l->slots_a + 1, 6, e_b,
			     again);
	for (i = 0; i < BS; i++)
		if (i != 32 + 7)
			assert_int_equal(again[i], img[(l->slots_a + 1) * BS + i]);
	assert_int_equal(again[32 + 7] ^ img[(l->slots_a + 1) * BS + 32 + 7],
			 0x40);

	/* The slot table: 6 remaps, 1 retired, slots past capacity free. */
	for (j = FX_CAPACITY; j < 2 * PER; j++)
		assert_int_equal(slots[j], 0);
	n = remap_slots_to_entries(slots, FX_CAPACITY, 0, FX_NR_LUNITS, ent,
				   &nr_retired);
	assert_int_equal(n, 6);
	assert_int_equal(nr_retired, 1);
	assert_int_equal(slots[2], REMAP_SLOT_RETIRED);
	{
		static const u64 want[6][2] = {
			{ 100, 0 }, { 101, 1 }, { 5000, 3 }, { 0, 507 },
			{ 7, 508 }, { FX_NR_LUNITS - 1, 999 },
		};

		for (i = 0; i < 6; i++) {
			assert_int_equal(ent[i].lunit, want[i][0]);
			assert_int_equal(ent[i].sunit, want[i][1]);
		}
	}
	/* One unit fewer and the last remap is beyond the target. */
	assert_int_equal(remap_slots_to_entries(slots, FX_CAPACITY, 0,
						FX_NR_LUNITS - 1, ent, NULL),
			 -EINVAL);
	free(img);
	free(again);
}

/*
 * fixtures/meta_v2.img (meta_fixture.py --variant partial): version 2,
 * slot_blocks_init 1.  Slot block 1 is not initialized: its copy B is a
 * valid block naming a unit, which only slot_blocks_init tells a reader
 * to ignore.
 */
static void test_fixture_v2(void **state)
{
	struct remap_sb sa, sb;
	const struct remap_meta_layout *l = &sa.layout;
	u64 e_a[PER], e_b[PER], seq_a, seq_b, retired = 0, inst;
	struct remap_entry ent[8];
	u8 *img, *again = xmalloc(BS);
	bool repair;
	size_t len;
	long n;

	(void)state;
	img = read_fixture_file(FIXTURE_DIR "/meta_v2.img", &len);
	assert_int_equal(len, FX_META_BLOCKS * BS);
	assert_int_equal(le32(img + 48), 2);
	assert_int_equal(le64(img + 272), 1);
	assert_int_equal(remap_sb_decode(img, 0, &sa, NULL), 0);
	assert_int_equal(remap_sb_decode(img + BS, 1, &sb, NULL), 0);
	assert_sb_equal(&sa, &sb);
	assert_int_equal(sa.version, 2);
	assert_int_equal(sa.slot_blocks_init, 1);
	assert_int_equal(remap_sb_init_blocks(&sa), 1);
	assert_int_equal(l->slot_capacity, FX_CAPACITY);
	assert_int_equal(l->slot_blocks, 2);
	assert_int_equal(remap_meta_block_slots(l, 1), PER);
	remap_sb_encode(&sa, 0, again);
	assert_memory_equal(again, img, BS);
	inst = sa.instance;

	/* Slot block 0: both copies current. */
	assert_int_equal(remap_entries_decode(img + l->slots_a * BS,
					      REMAP_MAGIC_SLOTS, inst,
					      l->slots_a, &seq_a, e_a), 0);
	assert_int_equal(remap_entries_decode(img + l->slots_b * BS,
					      REMAP_MAGIC_SLOTS, inst,
					      l->slots_b, &seq_b, e_b), 0);
	assert_int_equal(remap_meta_pick(true, seq_a, true, seq_b, &repair), 0);
	assert_false(repair);
	n = remap_slots_to_entries(e_a, PER, 0, FX_NR_LUNITS, ent, &retired);
	assert_int_equal(n, 4);
	assert_int_equal(retired, 1);
	assert_int_equal(ent[3].lunit, 0);
	assert_int_equal(ent[3].sunit, 507);

	/*
	 * Slot block 1, past the initialized ones: copy A all zero, copy B a
	 * valid block of this instance (seq 99, above every other) naming
	 * logical unit 7.  Were it read, the table would change.
	 */
	assert_true(remap_meta_block_is_zero(img + (l->slots_a + 1) * BS));
	assert_int_equal(remap_entries_decode(img + (l->slots_b + 1) * BS,
					      REMAP_MAGIC_SLOTS, inst,
					      l->slots_b + 1, &seq_b, e_b), 0);
	assert_int_equal(seq_b, 99);
	assert_int_equal(e_b[0], 8);
	free(img);
	free(again);
}

/* Interrupted relocations: the slot in the newer block wins. */
static void test_resolve_relocations(void **state)
{
	u64 seq[4] = { 10, 20, 30, 30 };
	u64 losers[8];
	const u64 P = REMAP_META_PER_BLOCK;
	/* lunit 5 in block 0 (seq 10) and block 1 (seq 20): block 1 wins.
	 * lunit 7 in block 2 (seq 30) and block 0: block 2 wins.
	 */
	struct remap_entry e[] = {
		{ 1, 3 }, { 5, 4 }, { 5, P + 1 }, { 7, 2 * P }, { 7, 9 },
		{ 8, 2 },
	};
	struct remap_entry same[] = { { 5, 2 * P }, { 5, 3 * P } };
	struct remap_entry three[] = { { 5, 1 }, { 5, P }, { 5, 2 * P } };
	struct remap_entry clean[] = { { 1, 1 }, { 2, 2 } };
	size_t n = 6;

	(void)state;
	assert_int_equal(remap_resolve_relocations(e, &n, seq, losers), 2);
	assert_int_equal(n, 4);
	assert_int_equal(e[0].lunit, 1);
	assert_int_equal(e[1].lunit, 5);
	assert_int_equal(e[1].sunit, P + 1);
	assert_int_equal(e[2].lunit, 7);
	assert_int_equal(e[2].sunit, 2 * P);
	assert_int_equal(e[3].lunit, 8);
	assert_int_equal(losers[0], 4);
	assert_int_equal(losers[1], 9);
	n = 2;
	assert_int_equal(remap_resolve_relocations(same, &n, seq, losers),
			 -EINVAL);
	n = 3;
	assert_int_equal(remap_resolve_relocations(three, &n, seq, losers),
			 -EINVAL);
	n = 2;
	assert_int_equal(remap_resolve_relocations(clean, &n, seq, losers), 0);
	assert_int_equal(n, 2);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_resolve_relocations),
	cmocka_unit_test(test_crc32c_vectors),
	cmocka_unit_test(test_crc32c_random),
	cmocka_unit_test(test_layout_small),
	cmocka_unit_test(test_layout_refused),
	cmocka_unit_test(test_layout_huge_and_model),
	cmocka_unit_test(test_layout_for_format),
	cmocka_unit_test(test_layout_for_format_random),
	cmocka_unit_test(test_units),
	cmocka_unit_test(test_cmp_slot_change),
	cmocka_unit_test(test_sb_choose),
	cmocka_unit_test(test_sb_roundtrip),
	cmocka_unit_test(test_sb_refusals),
	cmocka_unit_test(test_sb_identity),
	cmocka_unit_test(test_sb_init_blocks),
	cmocka_unit_test(test_protect),
	cmocka_unit_test(test_blocks_for),
	cmocka_unit_test(test_entries_roundtrip),
	cmocka_unit_test(test_entries_refusals),
	cmocka_unit_test(test_bit_flips),
	cmocka_unit_test(test_torn_block),
	cmocka_unit_test(test_pick),
	cmocka_unit_test(test_slots_to_entries),
	cmocka_unit_test(test_scrub_ckpt),
	cmocka_unit_test(test_fixture),
	cmocka_unit_test(test_fixture_v2),
};

TEST_MAIN(tests)
