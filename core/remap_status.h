/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_status.h - one vocabulary for a remap device's status fields.
 *
 * The target reports its counters twice: the INFO status line ("dmsetup
 * status", fields by position) and the "stats" message (one "<key>
 * <value>" line each).  REMAP_FIELDS lists every field once, with its
 * stats key (the field's name everywhere: remapctl status, its JSON,
 * remapd's events and metrics) and its position in the status line, so
 * that userspace reads fields by name and no tool keeps its own list.
 * docs/dm-remap.rst ("Status", "stats") describes them.
 *
 * Kernel-agnostic like the rest of core/; the module does not use it
 * (its status and stats code emit the same names and order).
 */
#ifndef DM_REMAP_CORE_STATUS_H
#define DM_REMAP_CORE_STATUS_H

#include "remap_types.h"

/*
 * X(ID, key, status position or -1, kind, description)
 * kind: NUM (a decimal count) or WORD (one of a few words, kept as a
 * small number: see the REMAP_W_* values).
 * spare_used and spare_units share position 2 ("<used>/<total>");
 * spare_free and read_retries exist only in stats (spare_free is derived
 * from the status line).
 */
#define REMAP_FIELDS(X)							\
	X(UNIT_SECTORS, unit_sectors, 0, NUM,				\
	  "remap unit size in 512-byte sectors")			\
	X(REMAPPED_UNITS, remapped_units, 1, NUM,			\
	  "logical units served from the spare")			\
	X(SPARE_UNITS, spare_units, 2, NUM,				\
	  "spare units in the pool")					\
	X(SPARE_USED, spare_used, 2, NUM,				\
	  "spare units in use or retired")				\
	X(SPARE_FREE, spare_free, -1, NUM,				\
	  "spare units the pool can still hand out")			\
	X(RETIRED_UNITS, retired_units, 10, NUM,			\
	  "spare units retired after a failed write")			\
	X(PENDING_UNITS, pending_units, 5, NUM,				\
	  "units that failed a read and wait for a write")		\
	X(REALLOCATION_EVENTS, reallocation_events, 6, NUM,		\
	  "units remapped since the metadata was formatted")		\
	X(AUTO_REMAPS, auto_remaps, 7, NUM,				\
	  "remaps made by the error handling")				\
	X(UNCORRECTABLE_READS, uncorrectable_reads, 8, NUM,		\
	  "reads that failed upward after every retry")			\
	X(SPARE_ERRORS, spare_errors, 9, NUM,				\
	  "I/O errors the spare device returned")			\
	X(LOST_SECTORS, lost_sectors, 3, NUM,				\
	  "sectors replaced by zeroes because they could not be read")	\
	X(METADATA, metadata, 4, WORD,					\
	  "metadata state: ok, volatile or failed")			\
	X(AUTO_REMAP, auto_remap, 11, WORD,				\
	  "whether I/O errors remap: on or off")			\
	X(READ_RETRIES, read_retries, -1, NUM,				\
	  "times a failed read is retried")				\
	X(SPARE_EXHAUSTED, spare_exhausted, 12, WORD,			\
	  "spare pool exhausted: yes or no")				\
	X(DOUBT_UNITS, doubt_units, 13, NUM,				\
	  "units whose place is in doubt after a failed commit")

enum remap_field {
#define REMAP_FIELD_ENUM(id, key, pos, kind, desc) REMAP_F_##id,
	REMAP_FIELDS(REMAP_FIELD_ENUM)
#undef REMAP_FIELD_ENUM
	REMAP_NR_FIELDS
};

/* Values of the WORD fields. */
enum {
	REMAP_W_META_OK = 0,
	REMAP_W_META_VOLATILE = 1,
	REMAP_W_META_FAILED = 2,
	REMAP_W_OFF = 0,		/* auto_remap off, spare_exhausted no */
	REMAP_W_ON = 1,			/* auto_remap on, spare_exhausted yes */
};

/* Fields of the status line, the last one included. */
#define REMAP_STATUS_NR_POS 14

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
 * Parse the "stats" message's answer ("<key> <value>" lines).  Unknown
 * keys are ignored (new keys may be added).  0 or -EINVAL.
 */
int remap_status_parse_stats(const char *text, struct remap_status *s);

/* The field whose key is @key (length @len), or -1. */
int remap_field_by_key(const char *key, size_t len);

/*
 * A WORD field's value as the stats message writes it ("ok", "on",
 * "yes", ...); NULL for a NUM field or an unknown value.
 */
const char *remap_field_word(enum remap_field f, u64 v);

#endif /* DM_REMAP_CORE_STATUS_H */
