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

#include <stdbool.h>

int cmd_import(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_remap(int argc, char **argv, bool remap);
int cmd_watch(int argc, char **argv);

#endif /* REMAPCTL_ONLINE_H */
