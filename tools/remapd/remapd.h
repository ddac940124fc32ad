/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remapd.h - the parts of remapd that do not talk to the kernel: its
 * configuration (conf.c) and the events it derives from two status
 * snapshots of a device (events.c).  Both are built into the host unit
 * tests (tests/unit/test_remapd.c) as well as into remapd.
 */
#ifndef REMAPD_H
#define REMAPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "remap_status.h"

/*
 * X(ID, name, condition): the named events.  A condition event stands for
 * a state that lasts (a pending unit, a spare pool filling up, failed
 * metadata): it is announced when the state begins (pending: when it
 * grows) and reminded of while it lasts (reminder in remapd.conf(5)).
 * The names are part of remapd's interface (REMAPD_EVENT, events =, the
 * state file): append new ones, never rename.
 */
#define RD_EVENTS(X)					\
	X(REMAP, remap, false)				\
	X(AUTO_REMAP, auto_remap, false)		\
	X(PENDING, pending, true)			\
	X(UNCORRECTABLE_READ, uncorrectable_read, false)	\
	X(LOST_SECTORS, lost_sectors, false)		\
	X(SPARE_ERROR, spare_error, false)		\
	X(SPARE_WARNING, spare_warning, true)		\
	X(SPARE_CRITICAL, spare_critical, true)		\
	X(SPARE_EXHAUSTED, spare_exhausted, true)	\
	X(METADATA_FAILED, metadata_failed, true)	\
	X(SCRUB_STARTED, scrub_started, false)		\
	X(SCRUB_FOUND, scrub_found, false)		\
	X(SCRUB_FINISHED, scrub_finished, false)	\
	X(DEVICE_ADDED, device_added, false)		\
	X(DEVICE_REMOVED, device_removed, false)	\
	X(TEST, test, false)

enum rd_event {
#define RD_EVENT_ENUM(id, name, cond) RD_EV_##id,
	RD_EVENTS(RD_EVENT_ENUM)
#undef RD_EVENT_ENUM
	RD_NR_EVENTS
};

extern const char *const rd_event_names[RD_NR_EVENTS];
extern const bool rd_event_is_condition[RD_NR_EVENTS];

/* The event called @name (length @len), or -1. */
int rd_event_by_name(const char *name, size_t len);

#define RD_EVENT_BIT(e) (1ULL << (e))
#define RD_ALL_EVENTS ((1ULL << RD_NR_EVENTS) - 1)

enum rd_reminder {
	RD_REMIND_ONCE,		/* announce a condition once */
	RD_REMIND_DAILY,	/* and again every interval while it lasts */
	RD_REMIND_DIMINISHING,	/* after 1, 2, 4, 8, ... intervals */
};

/* Settings a [device] or [uuid] section may override. */
enum rd_setting {
	RD_S_SPARE_WARNING,
	RD_S_SPARE_CRITICAL,
	RD_S_PROGRAM,
	RD_S_EVENTS,
	RD_S_PROGRAM_TIMEOUT,
	RD_S_REMINDER,
	RD_S_REMINDER_INTERVAL,
	RD_S_IGNORE,
	RD_S_SCRUB_INTERVAL,
	RD_S_SCRUB_WINDOW,
	RD_S_SCRUB_RATE,
	RD_NR_SETTINGS
};

struct rd_settings {
	unsigned int spare_warning;	/* percent of spare units used */
	unsigned int spare_critical;
	char *program;			/* NULL: none */
	uint64_t events;		/* RD_EVENT_BIT mask for the program */
	unsigned int program_timeout;	/* seconds */
	enum rd_reminder reminder;
	unsigned int reminder_interval;	/* seconds */
	bool ignore;			/* no events, no metrics */
	/* Scrub schedule: off while scrub_interval is 0. */
	unsigned int scrub_interval;	/* seconds between passes */
	int scrub_window_start;		/* minutes after local midnight, */
	int scrub_window_end;		/* or -1 for any time */
	int64_t scrub_rate;		/* KiB/s to set, or -1 to leave it */
};

struct rd_override {
	bool by_uuid;			/* [uuid X] rather than [device X] */
	char *match;
	unsigned int line;
	unsigned int set;		/* bit i: setting i given */
	struct rd_settings s;
};

struct rd_conf {
	struct rd_settings global;
	struct rd_override *ov;
	size_t nov;
	char *textfile_dir;		/* NULL: none (--textfile-dir wins) */
	char *listen;			/* "addr:port" of /metrics, or NULL */
	unsigned int max_programs;	/* programs running at once */
	unsigned int startup_grace;	/* seconds before a missing device
					   of the state file is removed */
};

void rd_conf_defaults(struct rd_conf *c);
void rd_conf_free(struct rd_conf *c);

/*
 * Parse a configuration file's text.  0, or -1 with "FILE:LINE: what"
 * in @err (nothing of @c is kept then: it is freed and set to defaults).
 */
int rd_conf_parse(const char *file, const char *text, struct rd_conf *c,
		  char *err, size_t errlen);

/* Read and parse @file; a missing file is an error unless @optional. */
int rd_conf_load(const char *file, bool optional, struct rd_conf *c,
		 char *err, size_t errlen);

/*
 * "ADDRESS:PORT" of listen = and --listen (an IPv6 address in brackets):
 * the address into @host, 0; or -1.
 */
int rd_parse_listen(const char *spec, char *host, size_t hostlen,
		    uint16_t *port);

/* The settings for a device: the global ones, then matching sections. */
void rd_conf_resolve(const struct rd_conf *c, const char *name,
		     const char *uuid, struct rd_settings *out);

/* One event derived from a status change. */
struct rd_ev {
	enum rd_event e;
	uint64_t count;		/* how many (units, reads, sectors, errors) */
};

/* The conditions a status is in, RD_EVENT_BIT mask of condition events. */
uint64_t rd_conditions(const struct remap_status *s,
		       const struct rd_settings *cf);

/* Spare use in percent (rounded down); 0 without a pool. */
unsigned int rd_spare_pct(const struct remap_status *s);

/*
 * The events between two snapshots of one device, in the order of
 * RD_EVENTS; at most RD_NR_EVENTS.  @old_cond is the condition mask last
 * announced (so a condition that went away and came back is announced
 * again); pending is announced whenever pending_units grows.
 */
size_t rd_diff(const struct remap_status *old, const struct remap_status *cur,
	       uint64_t old_cond, const struct rd_settings *cf,
	       struct rd_ev *out);

/*
 * Reminders: when a condition announced @n times so far, the last time
 * at @last, is due again by @cf's policy; 0 for never.
 */
time_t rd_reminder_due(const struct rd_settings *cf, time_t last,
		       unsigned int n);

/*
 * The scrub schedule (remapd.conf(5), scrub_interval and friends): what
 * remapd asks a device's scrubber to do now.  @st: its status; @last_end:
 * the latest end of a pass remapd knows of (the status's, or an earlier
 * one it remembers), 0 for none; @ours: the running or paused scrub is
 * one remapd started; @paused_by_us: remapd paused it at a window's end;
 * @now, @minute: the time, and minutes since local midnight.
 */
enum rd_scrub_action {
	RD_SCRUB_NOTHING,
	RD_SCRUB_START,		/* a new pass: "scrub start" */
	RD_SCRUB_PAUSE,		/* the window ended: "scrub pause" */
	RD_SCRUB_RESUME,	/* the window began: "scrub resume" */
};

enum rd_scrub_action rd_scrub_due(const struct rd_settings *cf,
				  const struct remap_status *st,
				  time_t last_end, bool ours,
				  bool paused_by_us, time_t now, int minute);

/* Whether minute @m of the day is in @cf's scrub window. */
bool rd_in_window(const struct rd_settings *cf, int m);

/*
 * Parse a duration: a number with an optional suffix s, m, h, d or w
 * (seconds when none), at most @max seconds.  0 or -1.
 */
int rd_parse_duration(const char *v, unsigned long max, unsigned int *out);

#endif /* REMAPD_H */
