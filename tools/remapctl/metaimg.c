// SPDX-License-Identifier: GPL-2.0-only
/*
 * metaimg.c - reading and checking a dm-remap metadata area (metaimg.h).
 *
 * The choices are the module's (kernel/dm-remap-meta.c): of two valid
 * superblocks the higher generation (A on a tie); of two valid copies of a
 * pending or slot block remap_meta_pick().  Like the module, it reads only
 * the initialized slot blocks (remap_sb_init_blocks(); docs/
 * metadata-format.md, "Initialized slot blocks"): the others hold nothing.
 * On top of that it names every problem it sees, including the ones the
 * module does not look for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "metaimg.h"

#define BS REMAP_META_BLOCK_SIZE
#define PER REMAP_META_PER_BLOCK
/* Blocks per read: 1 MiB. */
#define CHUNK_BLOCKS 256U

static const char *const copy_name[2] = { "A", "B" };

static void add_problem(struct meta_img *m, enum severity sev,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_problem(struct meta_img *m, enum severity sev,
			const char *fmt, ...)
{
	struct problem *p;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	p = realloc(m->problems, (m->nr_problems + 1) * sizeof(*p));
	if (!p || !msg) {
		fprintf(stderr, "remapctl: out of memory\n");
		exit(3);
	}
	m->problems = p;
	p[m->nr_problems].sev = sev;
	p[m->nr_problems].msg = msg;
	m->nr_problems++;
	if (sev > m->severity)
		m->severity = sev;
}

int read_at(int fd, void *buf, size_t len, u64 off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
			  (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 1;
		done += (size_t)r;
	}
	return 0;
}

int write_at(int fd, const void *buf, size_t len, u64 off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done,
			   (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

void uuid_format(const u8 *u, char *out)
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

u64 meta_lunit_limit(const struct remap_sb *sb)
{
	u64 len;

	if (sb->main_dev_sectors <= sb->main_start || !sb->unit_sectors)
		return 0;
	len = sb->main_dev_sectors - sb->main_start;
	return len / sb->unit_sectors + !!(len % sb->unit_sectors);
}

int meta_open(struct meta_img *m, const char *path, u64 start, bool writable)
{
	struct stat st;
	uint64_t size;

	memset(m, 0, sizeof(*m));
	m->path = path;
	m->start = start;
	m->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (m->fd < 0) {
		fprintf(stderr, "remapctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(m->fd, &st)) {
		fprintf(stderr, "remapctl: %s: %s\n", path, strerror(errno));
		goto bad;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(m->fd, BLKGETSIZE64, &size)) {
			fprintf(stderr, "remapctl: %s: cannot get its size: %s\n",
				path, strerror(errno));
			goto bad;
		}
		m->dev_bytes = size;
	} else if (S_ISREG(st.st_mode)) {
		m->dev_bytes = (u64)st.st_size;
	} else {
		fprintf(stderr, "remapctl: %s: not a block device or a regular file\n",
			path);
		goto bad;
	}
	if (start > (U64_MAX >> 9)) {
		fprintf(stderr, "remapctl: spare start %llu is out of range\n",
			(unsigned long long)start);
		goto bad;
	}
	return 0;
bad:
	close(m->fd);
	m->fd = -1;
	return -1;
}

void meta_reset(struct meta_img *m)
{
	size_t i;

	for (i = 0; i < m->nr_problems; i++)
		free(m->problems[i].msg);
	free(m->problems);
	free(m->pend_bi);
	free(m->slot_bi);
	free(m->pending);
	free(m->slots);
	m->problems = NULL;
	m->nr_problems = 0;
	m->severity = SEV_NOTE;
	m->pend_bi = m->slot_bi = NULL;
	m->pending = m->slots = NULL;
	m->init_blocks = m->nr_slots = 0;
	m->loaded = false;
}

void meta_close(struct meta_img *m)
{
	meta_reset(m);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static u64 byte_of_block(const struct meta_img *m, u64 block)
{
	return (m->start << 9) + block * BS;
}

/* The superblocks: which is current, and what is wrong with them. */
/*
 * The identity (docs/metadata-format.md, "Identity"): the codec checked
 * its strings; what is missing for "remapctl assemble --scan" is a note.
 */
static void note_identity(struct meta_img *m)
{
	const struct remap_identity *id = &m->sb.id;

	if (!id->name[0])
		add_problem(m, SEV_NOTE,
			    "no device name recorded: assemble --scan cannot assemble it (a remaptab entry can; remapctl identify records one)");
	else if (!id->serial[0] && !id->wwn[0])
		add_problem(m, SEV_NOTE,
			    "no serial or WWN of the main device recorded: assemble --scan cannot find it (a remaptab entry can; remapctl identify records them)");
}

/*
 * The scrubber's checkpoint (docs/metadata-format.md, "Scrub checkpoint"):
 * a note, since the module loads the table either way (it ignores an
 * inconsistent checkpoint, and rewrites it at its next superblock write).
 */
static void note_scrub(struct meta_img *m)
{
	struct remap_scrub_ckpt c;
	const char *why = NULL;
	u64 len, done;

	if (remap_scrub_ckpt_get(&m->sb, &c, &why)) {
		add_problem(m, SEV_NOTE, "%s (the module ignores it: no scrub runs)",
			    why);
		return;
	}
	if (c.state != REMAP_SCRUB_IDLE) {
		len = c.end - c.start;
		done = c.pos - c.start;
		add_problem(m, SEV_NOTE,
			    "scrub checkpoint: %s at sector %llu of sectors %llu-%llu (%.1f%%); it goes on from there when the table is loaded",
			    remap_scrub_state_str(c.state),
			    (unsigned long long)c.pos,
			    (unsigned long long)c.start,
			    (unsigned long long)c.end - 1,
			    (double)done * 100.0 / (double)len);
	}
	if (c.state != REMAP_SCRUB_IDLE || c.passes || c.read_errors ||
	    c.meta_repaired)
		add_problem(m, SEV_NOTE,
			    "scrub: %llu passes (the last ended at %llu, Unix time), %llu read errors, %llu relocated, %llu weak, %llu pending, %llu metadata copies repaired",
			    (unsigned long long)c.passes,
			    (unsigned long long)c.last_pass_end,
			    (unsigned long long)c.read_errors,
			    (unsigned long long)c.relocated,
			    (unsigned long long)c.weak,
			    (unsigned long long)c.pending,
			    (unsigned long long)c.meta_repaired);
}

static int load_sb(struct meta_img *m)
{
	u8 *buf = malloc(2 * BS), *again;
	int i, r;

	if (!buf) {
		fprintf(stderr, "remapctl: out of memory\n");
		return -1;
	}
	m->sb_pick = -1;
	r = read_at(m->fd, buf, 2 * BS, byte_of_block(m, 0));
	if (r < 0) {
		fprintf(stderr, "remapctl: %s: read error: %s\n", m->path,
			strerror(errno));
		free(buf);
		return -1;
	}
	if (r > 0) {
		add_problem(m, SEV_BROKEN,
			    "%s is too small to hold dm-remap metadata at sector %llu",
			    m->path, (unsigned long long)m->start);
		free(buf);
		return 0;
	}
	remap_sb_choose(buf, &m->sbc);
	switch (m->sbc.verdict) {
	case REMAP_SB_CHOSEN:
		break;
	case REMAP_SB_IS_NEW:
		m->is_zero = true;
		add_problem(m, SEV_BROKEN,
			    "no dm-remap metadata: both superblocks are all zero (a new area, which the module formats at its first table load)");
		free(buf);
		return 0;
	case REMAP_SB_IS_FOREIGN:
		add_problem(m, SEV_BROKEN,
			    "no dm-remap metadata: neither superblock copy (blocks 0 and 1) is a dm-remap superblock (foreign data, or the wrong --spare-start?)");
		free(buf);
		return 0;
	case REMAP_SB_IS_UNSUPPORTED:
	case REMAP_SB_IS_CORRUPT:
		add_problem(m, SEV_BROKEN,
			    "no valid superblock: copy A: %s; copy B: %s",
			    remap_sb_status_str(m->sbc.status[0]),
			    remap_sb_status_str(m->sbc.status[1]));
		free(buf);
		return 0;
	}
	m->sb_pick = m->sbc.pick;
	m->sb = m->sbc.copy[m->sb_pick];
	i = !m->sb_pick;	/* the other copy */
	if (m->sbc.other == REMAP_SB_OTHER_INVALID) {
		m->sb_repair = true;
		add_problem(m, SEV_REPAIRABLE,
			    "superblock copy %s (block %d) is invalid (%s); copy %s is current",
			    copy_name[i], i, remap_sb_status_str(m->sbc.status[i]),
			    copy_name[m->sb_pick]);
	} else if (m->sbc.other == REMAP_SB_OTHER_STALE) {
		m->sb_repair = true;
		add_problem(m, SEV_REPAIRABLE,
			    "superblock copy %s (block %d) is stale (generation %llu, copy %s has %llu)",
			    copy_name[i], i,
			    (unsigned long long)m->sbc.copy[i].generation,
			    copy_name[m->sb_pick],
			    (unsigned long long)m->sb.generation);
	} else {
		/* Same generation: the copies must say the same. */
		again = malloc(BS);
		if (!again) {
			free(buf);
			fprintf(stderr, "remapctl: out of memory\n");
			return -1;
		}
		remap_sb_encode(&m->sb, (u64)i, again);
		if (memcmp(again, buf + i * BS, BS))
			add_problem(m, SEV_BROKEN,
				    "the superblock copies differ at the same generation %llu (copy A is used)",
				    (unsigned long long)m->sb.generation);
		free(again);
	}
	if (m->sb.spare_start != m->start)
		add_problem(m, SEV_NOTE,
			    "the superblock was written for spare_start %llu, read here at sector %llu (an extracted copy?)",
			    (unsigned long long)m->sb.spare_start,
			    (unsigned long long)m->start);
	note_scrub(m);
	note_identity(m);
	free(buf);
	return 0;
}

/*
 * Read both copies of a region of @nr blocks, keep the current entries in
 * @entries and the choices in @bi.
 */
static int load_region(struct meta_img *m, const char *what, u32 magic,
		       u64 region_a, u64 region_b, u64 nr, u64 *entries,
		       struct block_info *bi)
{
	u8 *buf = malloc(2 * CHUNK_BLOCKS * BS);
	u64 *tmp = malloc(2 * PER * sizeof(u64));
	u64 first, n, i, blk[2];
	struct block_info *b;
	const u8 *cp[2];
	u64 *e[2];
	int c, r = 0;

	if (!buf || !tmp) {
		fprintf(stderr, "remapctl: out of memory\n");
		r = -1;
		goto out;
	}
	e[0] = tmp;
	e[1] = tmp + PER;
	for (first = 0; first < nr; first += n) {
		n = nr - first < CHUNK_BLOCKS ? nr - first : CHUNK_BLOCKS;
		for (c = 0; c < 2; c++) {
			r = read_at(m->fd, buf + c * CHUNK_BLOCKS * BS, n * BS,
				    byte_of_block(m, (c ? region_b : region_a) +
						  first));
			if (r < 0) {
				fprintf(stderr, "remapctl: %s: read error: %s\n",
					m->path, strerror(errno));
				goto out;
			}
			if (r > 0) {
				r = -2;
				goto out;
			}
		}
		for (i = 0; i < n; i++) {
			b = &bi[first + i];
			blk[0] = region_a + first + i;
			blk[1] = region_b + first + i;
			for (c = 0; c < 2; c++) {
				cp[c] = buf + (c * CHUNK_BLOCKS + i) * BS;
				b->c[c].valid = !remap_entries_decode(cp[c], magic,
							m->sb.instance, blk[c],
							&b->c[c].seq, e[c]);
				if (!b->c[c].valid)
					b->c[c].why = remap_block_status_str(
						remap_entries_check(cp[c], magic,
							m->sb.instance, blk[c]));
			}
			b->pick = remap_meta_pick(b->c[0].valid, b->c[0].seq,
						  b->c[1].valid, b->c[1].seq,
						  &b->repair);
			if (b->pick < 0) {
				add_problem(m, SEV_BROKEN,
					    "%s block %llu: both copies are invalid (A, block %llu: %s; B, block %llu: %s)",
					    what, (unsigned long long)(first + i),
					    (unsigned long long)blk[0],
					    b->c[0].why,
					    (unsigned long long)blk[1],
					    b->c[1].why);
				memset(entries + (first + i) * PER, 0,
				       PER * sizeof(u64));
				continue;
			}
			memcpy(entries + (first + i) * PER, e[b->pick],
			       PER * sizeof(u64));
			if (b->c[b->pick].seq > m->max_seq)
				m->max_seq = b->c[b->pick].seq;
			c = !b->pick;
			if (!b->c[c].valid)
				add_problem(m, SEV_REPAIRABLE,
					    "%s block %llu: copy %s (block %llu) is invalid (%s); copy %s (seq %llu) is current",
					    what, (unsigned long long)(first + i),
					    copy_name[c],
					    (unsigned long long)blk[c], b->c[c].why,
					    copy_name[b->pick],
					    (unsigned long long)b->c[b->pick].seq);
			else if (b->repair)
				add_problem(m, SEV_REPAIRABLE,
					    "%s block %llu: copy %s (block %llu) is stale (seq %llu, copy %s has seq %llu)",
					    what, (unsigned long long)(first + i),
					    copy_name[c],
					    (unsigned long long)blk[c],
					    (unsigned long long)b->c[c].seq,
					    copy_name[b->pick],
					    (unsigned long long)b->c[b->pick].seq);
			else if (memcmp(e[0], e[1], PER * sizeof(u64))) {
				b->conflict = true;
				add_problem(m, SEV_BROKEN,
					    "%s block %llu: the copies differ at the same seq %llu (copy A is used)",
					    what, (unsigned long long)(first + i),
					    (unsigned long long)b->c[0].seq);
			}
		}
	}
	r = 0;
out:
	free(buf);
	free(tmp);
	return r;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct remap_entry *a = x, *b = y;

	if (a->lunit != b->lunit)
		return a->lunit < b->lunit ? -1 : 1;
	return a->sunit < b->sunit ? -1 : (a->sunit > b->sunit);
}

/*
 * A logical unit named by two slots in blocks of different seq is a
 * relocation a crash cut short (docs/metadata-format.md, "Relocations"):
 * the module keeps the newer block's slot and retires the other.  Do the
 * same to the image in memory, mark the loser's block for rewriting, and
 * call it repairable.  What cannot be resolved is left in @e for the
 * duplicate check to call broken.
 */
static void resolve_relocations(struct meta_img *m, struct remap_entry *e,
				size_t *n)
{
	u64 *seq = calloc(m->init_blocks ? m->init_blocks : 1, sizeof(*seq));
	u64 *losers = malloc((*n ? *n : 1) * sizeof(*losers));
	size_t before = *n, k;
	u64 j;
	long nr;

	if (!seq || !losers) {
		fprintf(stderr, "remapctl: out of memory\n");
		exit(3);
	}
	for (j = 0; j < m->init_blocks; j++)
		if (m->slot_bi[j].pick >= 0)
			seq[j] = m->slot_bi[j].c[m->slot_bi[j].pick].seq;
	nr = remap_resolve_relocations(e, n, seq, losers);
	if (nr < 0) {
		*n = before;	/* untouched: reported as duplicates */
	} else {
		for (k = 0; k < (size_t)nr; k++) {
			u64 su = losers[k];

			add_problem(m, SEV_REPAIRABLE,
				    "spare unit %llu: logical unit %llu, relocated from here by an interrupted commit; retired at repair",
				    (unsigned long long)su,
				    (unsigned long long)(m->slots[su] - 1));
			m->slots[su] = REMAP_SLOT_RETIRED;
			m->slot_bi[su / PER].rewrite = true;
			m->nr_remapped--;
			m->nr_retired++;
		}
	}
	free(losers);
	free(seq);
}

/* What the slot table and the pending list say, beyond the checksums. */
static void check_tables(struct meta_img *m)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u64 total = m->init_blocks * PER, i, v, limit = m->lunit_limit;
	u64 bad_values = 0, beyond = 0, past_cap = 0, dups = 0;
	struct remap_entry *e;
	size_t n = 0, j;

	e = malloc((m->nr_remapped ? m->nr_remapped : 1) * sizeof(*e));
	for (i = 0; i < total; i++) {
		v = m->slots[i];
		if (v == REMAP_SLOT_FREE)
			continue;
		if (i >= l->slot_capacity) {
			if (!past_cap++)
				add_problem(m, SEV_BROKEN,
					    "slot %llu is past the slot capacity (%llu) but not free (0x%llx)",
					    (unsigned long long)i,
					    (unsigned long long)l->slot_capacity,
					    (unsigned long long)v);
			continue;
		}
		if (v == REMAP_SLOT_RETIRED)
			continue;
		if (v - 1 > REMAP_SLOT_MAX_LUNIT) {
			if (!bad_values++)
				add_problem(m, SEV_BROKEN,
					    "spare unit %llu: slot value 0x%llx is neither a logical unit nor retired",
					    (unsigned long long)i,
					    (unsigned long long)v);
			continue;
		}
		if (v - 1 >= limit && !beyond++)
			add_problem(m, SEV_BROKEN,
				    "spare unit %llu holds logical unit %llu, beyond the main device (%llu units)",
				    (unsigned long long)i,
				    (unsigned long long)(v - 1),
				    (unsigned long long)limit);
		if (e && n < m->nr_remapped) {
			e[n].lunit = v - 1;
			e[n].sunit = i;
			n++;
		}
	}
	if (past_cap > 1)
		add_problem(m, SEV_BROKEN, "(%llu slots past the capacity are not free)",
			    (unsigned long long)past_cap);
	if (bad_values > 1)
		add_problem(m, SEV_BROKEN, "(%llu slots hold invalid values)",
			    (unsigned long long)bad_values);
	if (beyond > 1)
		add_problem(m, SEV_BROKEN,
			    "(%llu spare units hold logical units beyond the main device)",
			    (unsigned long long)beyond);

	if (!e) {
		fprintf(stderr, "remapctl: out of memory\n");
		exit(3);
	}
	qsort(e, n, sizeof(*e), cmp_entry);
	resolve_relocations(m, e, &n);
	for (j = 1; j < n; j++) {
		if (e[j].lunit != e[j - 1].lunit)
			continue;
		if (dups++ < 10)
			add_problem(m, SEV_BROKEN,
				    "logical unit %llu is remapped twice: to spare units %llu and %llu",
				    (unsigned long long)e[j].lunit,
				    (unsigned long long)e[j - 1].sunit,
				    (unsigned long long)e[j].sunit);
	}
	if (dups > 10)
		add_problem(m, SEV_BROKEN, "(%llu duplicated logical units in all)",
			    (unsigned long long)dups);
	/* The module's rule (remap_protect_check_load). */
	if (!dups) {
		u64 miss;

		if (!remap_protect_all_remapped(&m->sb.prot, e, n, &miss))
			add_problem(m, SEV_BROKEN,
				    "logical unit %llu is protected (the main device holds the member signature there) but not remapped",
				    (unsigned long long)miss);
	}
	free(e);

	for (i = 0; i < l->pending_blocks * PER; i++) {
		v = m->pending[i];
		if (v && v - 1 >= limit)
			add_problem(m, SEV_BROKEN,
				    "pending entry %llu names logical unit %llu, beyond the main device (%llu units)",
				    (unsigned long long)i,
				    (unsigned long long)(v - 1),
				    (unsigned long long)limit);
	}
}

int meta_load(struct meta_img *m)
{
	const struct remap_meta_layout *l;
	u64 i, end;
	int r;

	meta_reset(m);
	m->is_zero = false;
	m->sb_repair = false;
	m->max_seq = 0;
	m->nr_remapped = m->nr_retired = m->nr_pending = 0;
	if (load_sb(m))
		return -1;
	if (m->sb_pick < 0)
		return 0;
	l = &m->sb.layout;
	m->lunit_limit = meta_lunit_limit(&m->sb);
	m->max_seq = m->sb.seq;

	/* The whole area must be on the device. */
	end = byte_of_block(m, 0) / BS + l->meta_blocks;
	if (l->meta_blocks > (U64_MAX >> 12) - byte_of_block(m, 0) / BS ||
	    end > m->dev_bytes / BS) {
		add_problem(m, SEV_BROKEN,
			    "%s is too small for the metadata its superblock describes (%llu blocks of 4096 bytes from sector %llu)",
			    m->path, (unsigned long long)l->meta_blocks,
			    (unsigned long long)m->start);
		return 0;
	}
	/* Only the initialized slot blocks hold anything. */
	m->init_blocks = remap_sb_init_blocks(&m->sb);
	m->nr_slots = remap_meta_block_slots(l, m->init_blocks);
	if (m->init_blocks > REMAP_META_MAX_LOADED_BLOCKS)
		add_problem(m, SEV_NOTE,
			    "%llu initialized slot blocks, more than the module loads (%llu): at its first writable load it reads them all once, keeps those its spare_len needs (the others must be free) and records that only those are initialized",
			    (unsigned long long)m->init_blocks,
			    (unsigned long long)REMAP_META_MAX_LOADED_BLOCKS);
	m->pend_bi = calloc(l->pending_blocks, sizeof(*m->pend_bi));
	m->slot_bi = calloc(m->init_blocks, sizeof(*m->slot_bi));
	m->pending = calloc(l->pending_blocks * PER, sizeof(u64));
	m->slots = calloc(m->init_blocks * PER, sizeof(u64));
	if (!m->pend_bi || !m->slot_bi || !m->pending || !m->slots) {
		fprintf(stderr, "remapctl: out of memory for %llu slot blocks\n",
			(unsigned long long)m->init_blocks);
		return -1;
	}
	r = load_region(m, "pending", REMAP_MAGIC_PENDING, l->pending_a,
			l->pending_b, l->pending_blocks, m->pending, m->pend_bi);
	if (!r)
		r = load_region(m, "slot", REMAP_MAGIC_SLOTS, l->slots_a,
				l->slots_b, m->init_blocks, m->slots,
				m->slot_bi);
	if (r == -2) {
		add_problem(m, SEV_BROKEN, "%s ends inside the metadata",
			    m->path);
		return 0;
	}
	if (r)
		return -1;

	for (i = 0; i < m->nr_slots; i++) {
		u64 v = m->slots[i];

		if (v == REMAP_SLOT_RETIRED)
			m->nr_retired++;
		else if (v != REMAP_SLOT_FREE)
			m->nr_remapped++;
	}
	for (i = 0; i < l->pending_blocks * PER; i++)
		if (m->pending[i])
			m->nr_pending++;
	check_tables(m);
	m->loaded = true;
	return 0;
}

/* Rewrite copy @c of region block @j from the current entries. */
static int repair_block(struct meta_img *m, u32 magic, u64 region_a,
			u64 region_b, const u64 *entries, struct block_info *b,
			u64 j, u8 *buf)
{
	int c = !b->pick;
	u64 blk = (c ? region_b : region_a) + j;

	remap_entries_encode(magic, m->sb.instance, blk, b->c[b->pick].seq,
			     entries + j * PER, buf);
	if (write_at(m->fd, buf, BS, byte_of_block(m, blk))) {
		fprintf(stderr, "remapctl: %s: write error: %s\n", m->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Write slot block @j from m->slots to copy A, then B, with a new seq. */
static int rewrite_block(struct meta_img *m, u64 region_a, u64 region_b,
			 u64 j, u8 *buf)
{
	u64 seq = ++m->max_seq;
	int c;

	for (c = 0; c < 2; c++) {
		u64 blk = (c ? region_b : region_a) + j;

		remap_entries_encode(REMAP_MAGIC_SLOTS, m->sb.instance, blk, seq,
				     m->slots + j * PER, buf);
		if (write_at(m->fd, buf, BS, byte_of_block(m, blk)) ||
		    fsync(m->fd)) {
			fprintf(stderr, "remapctl: %s: write error: %s\n",
				m->path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

long meta_repair(struct meta_img *m)
{
	const struct remap_meta_layout *l = &m->sb.layout;
	u8 *buf = malloc(BS);
	long done = 0;
	u64 j;
	int other;

	if (!buf) {
		fprintf(stderr, "remapctl: out of memory\n");
		return -1;
	}
	for (j = 0; j < l->pending_blocks; j++) {
		if (!m->pend_bi[j].repair)
			continue;
		if (repair_block(m, REMAP_MAGIC_PENDING, l->pending_a,
				 l->pending_b, m->pending, &m->pend_bi[j], j,
				 buf))
			goto bad;
		done++;
	}
	for (j = 0; j < m->init_blocks; j++) {
		if (m->slot_bi[j].rewrite) {
			/* Changed content: both copies, A first, a new seq. */
			if (rewrite_block(m, l->slots_a, l->slots_b, j, buf))
				goto bad;
			done += 2;
			continue;
		}
		if (!m->slot_bi[j].repair)
			continue;
		if (repair_block(m, REMAP_MAGIC_SLOTS, l->slots_a, l->slots_b,
				 m->slots, &m->slot_bi[j], j, buf))
			goto bad;
		done++;
	}
	/* The superblock last, as the module writes it after the tables. */
	if (fsync(m->fd))
		goto bad_sync;
	if (m->sb_repair) {
		other = !m->sb_pick;
		remap_sb_encode(&m->sb, (u64)other, buf);
		if (write_at(m->fd, buf, BS, byte_of_block(m, (u64)other))) {
			fprintf(stderr, "remapctl: %s: write error: %s\n",
				m->path, strerror(errno));
			goto bad;
		}
		done++;
		if (fsync(m->fd))
			goto bad_sync;
	}
	free(buf);
	return done;
bad_sync:
	fprintf(stderr, "remapctl: %s: fsync: %s\n", m->path, strerror(errno));
bad:
	free(buf);
	return -1;
}
