/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_args.h - parsing and checking what users type: the table line's
 * arguments, its geometry, and target messages.
 *
 * Every refusal comes with a precise, static message for ti->error or the
 * message reply, and nothing here touches a device: the module opens the
 * devices, fills in struct remap_geometry and asks remap_geometry_check().
 */
#ifndef DM_REMAP_CORE_ARGS_H
#define DM_REMAP_CORE_ARGS_H

#include "remap_types.h"

/* Largest remap unit: 1 MiB, so one unit is always one kcopyd job. */
#define REMAP_MAX_UNIT_SECTORS 2048U

/*
 * Strict unsigned decimal: digits only, no sign, no spaces, no trailing
 * characters, no overflow.  0 or -EINVAL.
 */
int remap_parse_u64(const char *s, u64 *out);
/* The same over s[0 .. len) (no terminating NUL needed). */
int remap_parse_u64_n(const char *s, size_t len, u64 *out);

/* Largest read_retries: each retry is a synchronous read of one unit. */
#define REMAP_MAX_READ_RETRIES 16U
#define REMAP_DEFAULT_READ_RETRIES 3U

/* Optional feature arguments: <#args> <arg>... after the five fixed ones. */
struct remap_features {
	u32 unit_sectors;	/* "unit_sectors <n>"; 0 = the default */
	bool volatile_table;	/* "volatile": no on-disk metadata */
	bool no_auto_remap;	/* "no_auto_remap": I/O errors pass up */
	u32 read_retries;	/* "read_retries <n>"; default 3 */
};

/*
 * The feature words of the table line, in the order "dmsetup table"
 * writes them.  remap_feature_words[] is the list of them; a unit test
 * checks remap_create_safe.sh's words (it builds the table line in shell)
 * and docs/dm-remap.rst's order against it.
 */
enum remap_feature {
	REMAP_FEAT_UNIT_SECTORS,	/* unit_sectors <n> */
	REMAP_FEAT_VOLATILE,		/* volatile */
	REMAP_FEAT_NO_AUTO_REMAP,	/* no_auto_remap */
	REMAP_FEAT_READ_RETRIES,	/* read_retries <n> */
	REMAP_NR_FEATURES
};

struct remap_feature_info {
	const char *word;
	bool value;		/* a number follows the word */
	const char *dup;	/* the error when it is given twice */
	const char *missing;	/* ... when its number is missing */
	/* /etc/remaptab's error for "word=N" without N, or "word=" with one */
	const char *tab_bad;
};

extern const struct remap_feature_info remap_feature_words[REMAP_NR_FEATURES];

/* The feature @word names (enum remap_feature), or -1. */
int remap_feature_find(const char *word);

/*
 * The feature words argv[first .. argc) (their count already checked) into
 * *f, which the caller has zeroed (read_retries set to its default).  The
 * one parser of them: the table line's and /etc/remaptab's (remap_tab.h).
 * 0, or -EINVAL with *error set.
 */
int remap_parse_features(unsigned int argc, char **argv, unsigned int first,
			 struct remap_features *f, const char **error);

/* The constructor's arguments, device paths left as the user gave them. */
struct remap_ctr_args {
	const char *main_path;
	u64 main_start;
	const char *spare_path;
	u64 spare_start;
	u64 spare_len;
	struct remap_features features;
};

/*
 * Parse the constructor arguments (argv[0] is <main_dev>):
 *   <main_dev> <main_start> <spare_dev> <spare_start> <spare_len>
 *   [<#feature_args> <feature_arg>...]
 * 0, or -EINVAL with *error set.
 */
int remap_parse_ctr(unsigned int argc, char **argv, struct remap_ctr_args *a,
		    const char **error);

/*
 * Whether two parsed tables make the same device: the same devices, offsets
 * and spare length, and the same features once defaulted (@default_unit:
 * the unit size a table without unit_sectors gets, the main device's
 * physical block size).  "2 unit_sectors 1" and no features are the same
 * table on a 512-byte disk: remaptab writes the one, assemble --scan (from
 * the metadata) the other, and either may find the other's device.
 */
bool remap_ctr_same(const struct remap_ctr_args *a,
		    const struct remap_ctr_args *b, u32 default_unit);

/* What the module learnt about the devices, checked as a whole. */
struct remap_geometry {
	u64 target_len;		/* sectors */
	u64 main_dev_sectors;
	u64 main_start;
	u64 spare_dev_sectors;
	u64 spare_start;
	u64 spare_len;
	u32 main_lbs;		/* logical block size, bytes */
	u32 spare_lbs;
	u32 main_pbs;		/* physical block size, bytes */
	bool same_device;
	u32 unit_sectors;	/* in: requested or 0; out: resolved */
	/* out: */
	u32 unit_shift;		/* log2(unit_sectors) */
	u64 nr_lunits;		/* logical units, the last may be partial */
	u64 nr_sunits;		/* whole spare units */
};

/*
 * Resolve the unit size (default: the main device's physical block size)
 * and check everything that can be wrong with the layout.  0, or -EINVAL
 * with *error set.
 */
int remap_geometry_check(struct remap_geometry *g, const char **error);

enum remap_msg_op {
	REMAP_MSG_REMAP,	/* remap <sector> [<nr_sectors>] */
	REMAP_MSG_UNREMAP,	/* unremap <sector> [<nr_sectors>] */
	REMAP_MSG_CLEAR,	/* clear */
	REMAP_MSG_LIST,		/* list */
	REMAP_MSG_REMAP_MANY,	/* remap_many [zero_fill] <extent>... */
	REMAP_MSG_STATS,	/* stats */
	REMAP_MSG_AUTO_REMAP,	/* auto_remap on|off */
	REMAP_MSG_READ_RETRIES,	/* read_retries <n> */
	REMAP_MSG_SCRUB,	/* scrub start [<sector> <nr>]|pause|resume|cancel */
	REMAP_MSG_SCRUB_RATE,	/* scrub_rate <KiB/s> */
	REMAP_MSG_SCRUB_SLOW_MS,	/* scrub_slow_ms <ms> */
	REMAP_MSG_PROTECT,	/* protect <head_sectors> <tail_sectors> */
	REMAP_MSG_UNPROTECT,	/* unprotect */
	REMAP_MSG_IDENTITY,	/* identity <serial>|- <wwn>|- <partition> */
};

/* What "scrub ..." asks for (remap_msg.value). */
enum remap_scrub_op {
	REMAP_SCRUB_START,	/* sector, nr_sectors: the range (default all) */
	REMAP_SCRUB_PAUSE,
	REMAP_SCRUB_RESUME,
	REMAP_SCRUB_CANCEL,
};

/* Largest scrub_rate (KiB/s, 0 = unthrottled) and scrub_slow_ms. */
#define REMAP_MAX_SCRUB_RATE 16777216U
#define REMAP_MAX_SCRUB_SLOW_MS 60000U

struct remap_msg {
	enum remap_msg_op op;
	u64 sector;		/* first 512-byte sector */
	u64 nr_sectors;		/* >= 1; 1 when not given */
	/*
	 * auto_remap: 0/1; read_retries: n; scrub: enum remap_scrub_op;
	 * scrub_rate: KiB/s; scrub_slow_ms: ms; remap_many: 1 for zero_fill;
	 * protect: tail sectors (and sector: head sectors); identity: the
	 * partition
	 */
	u64 value;
	/*
	 * remap_many: the extents are argv[first_extent ..
	 * first_extent + nr_extents)
	 */
	unsigned int first_extent;
	unsigned int nr_extents;
	/* identity: argv[1] and argv[2], NULL for "-" (not recorded) */
	const char *serial, *wwn;
};

/*
 * Parse a target message.  @target_len bounds the sectors (a range must lie
 * inside the target).  For remap_many every extent is checked here; the
 * caller walks them again with remap_parse_extent().  0, or -EINVAL with
 * *error set.
 */
int remap_parse_message(unsigned int argc, char **argv, u64 target_len,
			struct remap_msg *m, const char **error);

/*
 * One extent of remap_many: "<sector>" or "<sector>+<nr_sectors>", lying
 * inside a target of @target_len sectors.  0, or -EINVAL with *error set.
 */
int remap_parse_extent(const char *s, u64 target_len, u64 *sector,
		       u64 *nr_sectors, const char **error);

#endif /* DM_REMAP_CORE_ARGS_H */
