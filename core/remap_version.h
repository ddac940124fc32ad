/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_version.h - the one place dm-remap's version is written.
 *
 * The target's version triple (target_type .version, shown by
 * "dmsetup targets"), MODULE_VERSION() of dm_remap.ko, "remapctl --version",
 * dkms.conf's PACKAGE_VERSION (filled in at install time) and the Debian
 * package version all come from these three numbers: the top Makefile reads
 * them (make print-version), and scripts/check-version.sh fails when
 * debian/changelog or a built module or tool says otherwise.
 *
 * The numbers follow device-mapper's convention for a target's version:
 * MAJOR changes when the table line or on-disk format changes
 * incompatibly, MINOR when features or messages are added, PATCH for
 * fixes.
 */
#ifndef DM_REMAP_CORE_VERSION_H
#define DM_REMAP_CORE_VERSION_H

#define DM_REMAP_VERSION_MAJOR 1
#define DM_REMAP_VERSION_MINOR 5
#define DM_REMAP_VERSION_PATCH 1

#define DM_REMAP_STR_(x) #x
#define DM_REMAP_STR(x) DM_REMAP_STR_(x)
/* "1.1.0" */
#define DM_REMAP_VERSION \
	DM_REMAP_STR(DM_REMAP_VERSION_MAJOR) "." \
	DM_REMAP_STR(DM_REMAP_VERSION_MINOR) "." \
	DM_REMAP_STR(DM_REMAP_VERSION_PATCH)

#endif
