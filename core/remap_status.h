/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_status.h - one vocabulary for a remap device's status fields.
 *
 * The target reports its counters twice: the INFO status line ("dmsetup
 * status", fields by position) and the "stats" message (one "<key>
 * <value>" line each).  remap_fields[] lists every field once, with its
 * stats key (the field's name everywhere: remapctl status, its JSON,
 * remapd's events and metrics) and its position in the status line, so
 * that userspace reads fields by name and no tool keeps its own list.
 * docs/dm-remap.rst ("Status", "stats") describes them.
 *
 * Kernel-agnostic like the rest of core/: the module writes both texts
 * with remap_status_format(), the tools read them with the parsers.
 */
#ifndef DM_REMAP_CORE_STATUS_H
#define DM_REMAP_CORE_STATUS_H

#include "remap_types.h"

/*
 * The fields, in the order remapctl prints them and stats writes them.
 * remap_fields[] (in remap_status.c) gives each its key, its position in
 * the status line (-1 for the fields only stats has: spare_free,
 * read_retries, scrub_meta_repaired and the last three, the scrubber's
 * two settings and the protected units; spare_used and spare_units share
 * position 2, "<used>/<total>"), whether it is a WORD (one of a few words,
 * kept as a REMAP_W_* number) and a description.  A tool reading the
 * status line never has the stats-only fields (->have false) but
 * spare_free, which it computes.
 */
enum remap_field {
	REMAP_F_UNIT_SECTORS,
	REMAP_F_REMAPPED_UNITS,
	REMAP_F_SPARE_UNITS,
	REMAP_F_SPARE_USED,
	REMAP_F_SPARE_FREE,
	REMAP_F_RETIRED_UNITS,
	REMAP_F_PENDING_UNITS,
	REMAP_F_REALLOCATION_EVENTS,
	REMAP_F_AUTO_REMAPS,
	REMAP_F_UNCORRECTABLE_READS,
	REMAP_F_SPARE_ERRORS,
	REMAP_F_LOST_SECTORS,
	REMAP_F_METADATA,
	REMAP_F_AUTO_REMAP,
	REMAP_F_READ_RETRIES,
	REMAP_F_SPARE_EXHAUSTED,
	REMAP_F_DOUBT_UNITS,
	REMAP_F_SCRUB_STATE,
	REMAP_F_SCRUB_START,
	REMAP_F_SCRUB_POSITION,
	REMAP_F_SCRUB_END,
	REMAP_F_SCRUB_PASSES,
	REMAP_F_SCRUB_LAST_PASS_END,
	REMAP_F_SCRUB_READ_ERRORS,
	REMAP_F_SCRUB_RELOCATED,
	REMAP_F_SCRUB_WEAK,
	REMAP_F_SCRUB_PENDING,
	REMAP_F_SCRUB_META_REPAIRED,
	REMAP_F_SCRUB_RATE,
	REMAP_F_SCRUB_SLOW_MS,
	REMAP_F_PROTECTED_UNITS,
	REMAP_NR_FIELDS
};

/* Values of the WORD fields. */
enum {
	REMAP_W_META_OK = 0,
	REMAP_W_META_VOLATILE = 1,
	REMAP_W_META_FAILED = 2,
	REMAP_W_OFF = 0,		/* auto_remap off, spare_exhausted no */
	REMAP_W_ON = 1,			/* auto_remap on, spare_exhausted yes */
	REMAP_W_SCRUB_IDLE = 0,
	REMAP_W_SCRUB_RUNNING = 1,
	REMAP_W_SCRUB_PAUSED = 2,
};

/* Fields of the status line, the last one included. */
#define REMAP_STATUS_NR_POS 24

struct remap_field_info {
	const char *key;	/* stats key and the field's name */
	int status_pos;		/* position in the status line, or -1 */
	bool word;		/* a WORD field */
	const char *desc;	/* one line, for help texts and metrics */
};

extern const struct remap_field_info remap_fields[REMAP_NR_FIELDS];

/* A parsed status line or stats answer. */
struct remap_status {
	u64 v[REMAP_NR_FIELDS];
	bool have[REMAP_NR_FIELDS];	/* the field was there */
	unsigned int extra;		/* status fields past the known ones */
};

/*
 * Parse a status line (the INFO params of one remap target, as
 * DM_DEVICE_STATUS returns them, without "<start> <len> remap").
 * Fields this version knows must be well formed; fields appended by a
 * later module are counted in ->extra and ignored; a line shorter than
 * REMAP_STATUS_NR_POS leaves the missing fields absent (->have false).
 * 0, or -EINVAL (a malformed field, or fewer than the first 11 fields).
 */
int remap_status_parse_line(const char *line, struct remap_status *s);

/*
 * The current (or last) scrub pass: sectors of it read so far, and in
 * *@total the sectors it covers ((position - start) of (end - start));
 * 0 and 0 before any pass, or without scrub fields.
 */
u64 remap_scrub_done(const struct remap_status *s, u64 *total);

/*
 * Write @s as the status line (@line: the fields by position, separated
 * by one space) or as the stats answer ("<key> <value>\n" for every
 * field, in enum order) into @buf, @len bytes.  Like the kernel's
 * scnprintf(): cut short at the end of @buf, always NUL-terminated (when
 * @len > 0), and the number of characters written is returned.  Every
 * field is written; ->have is not read.
 */
size_t remap_status_format(const struct remap_status *s, bool line, char *buf,
			   size_t len);

/*
 * Parse @s (@len bytes) as field @f's value, as the status line (@line)
 * or the stats answer writes it: its word (a WORD field) or its number.
 * 0 and *@out, or -EINVAL.
 */
int remap_field_parse(enum remap_field f, const char *s, size_t len, bool line,
		      u64 *out);

/* The field whose key is @key (length @len), or -1. */
int remap_field_by_key(const char *key, size_t len);

/*
 * Field @f's value in a stats answer @stats (the line "<key> <value>"
 * with remap_fields[@f].key), as remap_field_parse() reads it.  0 and
 * *@out; -ENOENT when no line has that key; -EINVAL when its value is
 * malformed.
 */
int remap_stats_field(const char *stats, enum remap_field f, u64 *out);

/*
 * A WORD field's value as the stats message writes it ("ok", "on",
 * "yes", ...); NULL for a NUM field or an unknown value.
 */
const char *remap_field_word(enum remap_field f, u64 v);

#endif /* DM_REMAP_CORE_STATUS_H */
