/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * online.h - remapctl's online commands: they talk to a loaded dm-remap
 * device through libdevmapper (the ioctls dmsetup uses), never by running
 * or parsing dmsetup.
 */
#ifndef REMAPCTL_ONLINE_H
#define REMAPCTL_ONLINE_H

extern const char usage_import[];
extern const char usage_status[];
extern const char usage_list[];
extern const char usage_remap[];
extern const char usage_watch[];
extern const char usage_scrub[];

#include <stdbool.h>
#include <linux/dm-ioctl.h>
#include <libdevmapper.h>

#include "remap_status.h"
#include "remapctl.h"

/* What DM_DEVICE_STATUS says about a device with one remap target. */
struct remap_dev {
	u64 len;		/* sectors */
	u32 major, minor;
	bool suspended;
	char name[DM_NAME_LEN];
	char uuid[DM_UUID_LEN];
	char params[1024];	/* the status line, INFO */
};

/*
 * Look @name up: it must exist, be active and be one "remap" target
 * (and not suspended unless @allow_suspended).  @quiet: EXIT_REFUSED,
 * without a word, for a device with another table.  0, or an exit status
 * after printing why.
 */
int remap_dev_get(const char *cmd, const char *name, struct remap_dev *d,
		  bool allow_suspended, bool quiet);

/* Send @msg to sector 0 of @name: 0 (answer in @resp), or an errno. */
int dm_message(const char *name, const char *msg, char *resp,
	       size_t resplen);

/* libdevmapper's log function that says nothing: we print our own. */
void dm_quiet_log(int level, const char *file, int line, int dm_errno,
		  const char *f, ...);

/* CLOCK_MONOTONIC in seconds. */
double now(void);

/*
 * Scrub progress (scrub.c): the part of the current or last pass done,
 * 0..1, or -1 when the status has no scrub fields; and the derived
 * lines remapctl status prints (@kib_s < 0: not measured).
 */
double scrub_progress(const struct remap_status *st);
void scrub_print_progress(const struct remap_status *st, double kib_s,
			  bool json);

int cmd_import(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_remap(int argc, char **argv, bool remap);
int cmd_watch(int argc, char **argv);
int cmd_scrub(int argc, char **argv);

#endif /* REMAPCTL_ONLINE_H */
