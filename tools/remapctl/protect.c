// SPDX-License-Identifier: GPL-2.0-only
/*
 * protect.c - remapctl protect|unprotect: the protective mode
 * (docs/remapctl.md, docs/metadata-format.md "Protection"): the kernel's
 * "protect" and "unprotect" messages, which do the work in a crash-safe
 * order; this file only names the sizes and says what happened.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "online.h"
#include "protect.h"
#include "remap_args.h"
#include "remap_meta.h"
#include "remap_status.h"

const char usage_protect[] =
"Usage: remapctl protect <dm_name> [--size SIZE] [--tail SIZE]\n"
"       remapctl unprotect <dm_name>\n"
"\n"
"protect: hide the raw main device's signatures (file system, LVM PV\n"
"label, partition table, RAID superblock), so that blkid, LVM, udev and\n"
"mount by UUID see the remapped device only.  The units holding the\n"
"device's first SIZE (default 1M) and last --tail SIZE (default 1M; 0:\n"
"none) are remapped with their data, the protection is recorded in the\n"
"metadata, and then their main-device copies are overwritten with a\n"
"dm-remap member signature and zeroes.  Protected units are never\n"
"unremapped (unremap and clear refuse them); the device must have\n"
"persistent metadata.  Running it again with the same sizes rewrites the\n"
"signature.\n"
"\n"
"unprotect: copy the protected units' data back to the main device,\n"
"drop the protection from the metadata, and only then unremap them: the\n"
"raw main device holds its own data again, byte for byte.\n"
"\n"
"<dm_name> may be given as /dev/mapper/<dm_name>.  SIZE is bytes with an\n"
"optional K, M or G suffix (powers of 1024), a multiple of 512.\n"
"\n"
"Exit status: 0 done; 2 refused by the kernel (volatile table, spare pool\n"
"too small, already protected with other sizes, not protected, read-only\n"
"metadata, ...; the reason is printed and the kernel log has more); 3\n"
"usage error, no such device, not a remap target, device-mapper error.\n";

/* "1M" -> sectors; false when not a multiple of 512 bytes or too large. */
static bool parse_size(const char *s, u64 *sectors)
{
	char *end;
	unsigned long long v;
	u64 mul = 1;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		default: return false;
		}
		if (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
			return false;
	}
	if (v && mul > U64_MAX / v)
		return false;
	v *= mul;
	if (v % 512)
		return false;
	*sectors = v / 512;
	return true;
}

static const char *dm_name_of(const char *dev)
{
	return strncmp(dev, "/dev/mapper/", 12) ? dev : dev + 12;
}

/* A field of the "stats" answer (remap_stats_field); false if absent. */
static bool stats_value(const char *stats, enum remap_field f, u64 *v)
{
	return !remap_stats_field(stats, f, v);
}

static const char *protect_why(int e)
{
	switch (e) {
	case EINVAL:
		return "a volatile table (no metadata to record it in), or nothing to protect";
	case EEXIST:
		return "already protected with other sizes: unprotect first";
	case ENOENT:
		return "the device is not protected";
	case ENOSPC:
		return "the spare pool has too few free units";
	case EROFS:
		return "the metadata is read-only (a commit failed, or a read-only table)";
	case EBUSY:
		return "a loaded table replaces this one; resume or clear it first";
	case EAGAIN:
		return "a protected unit was unremapped meanwhile; try again";
	case EIO:
		return "a copy or a write failed (I/O error)";
	case EUCLEAN:
		return "a metadata commit failed with an unknown outcome";
	default:
		return strerror(e);
	}
}

int protect_device(const char *cmd, const char *dev, u64 head, u64 tail,
		   bool quiet)
{
	const char *name = dm_name_of(dev);
	struct remap_protect p;
	struct remap_dev d;
	const char *error = NULL;
	char msg[96], stats[4096];
	u64 unit = 0, prot = 0;
	int r;

	r = remap_dev_get(cmd, name, &d, false, false);
	if (r)
		return r;
	if (head > d.len || tail > d.len) {
		fprintf(stderr, "remapctl %s: %s: the sizes exceed the device (%llu sectors)\n",
			cmd, name, (unsigned long long)d.len);
		return EXIT_REFUSED;
	}
	snprintf(msg, sizeof(msg), "protect %llu %llu",
		 (unsigned long long)head, (unsigned long long)tail);
	r = dm_message(name, msg, NULL, 0);
	if (r) {
		fprintf(stderr, "remapctl %s: %s: refused: %s (%s; see dmesg)\n",
			cmd, name, protect_why(r), strerror(r));
		return EXIT_REFUSED;
	}
	if (quiet)
		return EXIT_OK;
	if (!dm_message(name, "stats", stats, sizeof(stats)) &&
	    stats_value(stats, REMAP_F_UNIT_SECTORS, &unit) &&
	    stats_value(stats, REMAP_F_PROTECTED_UNITS, &prot) &&
	    !remap_protect_plan(d.len, (u32)unit, head, tail, &p, &error)) {
		printf("remapctl %s: %s: protected %llu units of %llu sectors:",
		       cmd, name, (unsigned long long)prot,
		       (unsigned long long)unit);
		if (p.head)
			printf(" sectors 0-%llu",
			       (unsigned long long)(p.head * unit - 1));
		if (p.tail)
			printf("%s sectors %llu-%llu", p.head ? " and" : "",
			       (unsigned long long)(p.tail_first * unit),
			       (unsigned long long)(d.len - 1));
		printf("; the raw main device holds the member signature there\n");
	} else {
		printf("remapctl %s: %s: protected\n", cmd, name);
	}
	return EXIT_OK;
}

int protect_unless_protected(const char *cmd, const char *name)
{
	char stats[4096];
	u64 prot = 0;

	if (dm_message(name, "stats", stats, sizeof(stats)) ||
	    !stats_value(stats, REMAP_F_PROTECTED_UNITS, &prot)) {
		fprintf(stderr, "remapctl %s: %s: cannot read its protection (a module without the protective mode?)\n",
			cmd, name);
		return EXIT_FAILED;
	}
	if (prot) {
		printf("%s: protected already (%llu units)\n", name,
		       (unsigned long long)prot);
		return EXIT_OK;
	}
	return protect_device(cmd, name, PROTECT_DEFAULT_SECTORS,
			      PROTECT_DEFAULT_SECTORS, false) ? EXIT_FAILED :
								EXIT_OK;
}

static int size_opt(void *ctx, int c, const char *arg)
{
	u64 *sizes = ctx;

	if (c != 's' && c != 't')
		return OPT_NOT_HERE;
	if (!parse_size(arg, &sizes[c == 't']))
		return uerr("protect", "'%s' is not a size (bytes, K, M or G; a multiple of 512)",
			    arg);
	return -1;
}

int cmd_protect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "tail", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	u64 sizes[2] = { PROTECT_DEFAULT_SECTORS, PROTECT_DEFAULT_SECTORS };
	char **pos;
	int r, npos;

	r = cmd_options("protect", usage_protect, argc, argv, "", longopts,
			size_opt, sizes, 1, "<dm_name>", &pos, &npos);
	if (r >= 0)
		return r;
	if (!sizes[0] && !sizes[1])
		return uerr("protect", "nothing to protect (--size 0 --tail 0)");
	return protect_device("protect", pos[0], sizes[0], sizes[1], false);
}

int cmd_unprotect(int argc, char **argv)
{
	const char *name;
	struct remap_dev d;
	char **pos;
	int r, npos;

	r = cmd_options("unprotect", usage_protect, argc, argv, "", NULL, NULL,
			NULL, 1, "<dm_name>", &pos, &npos);
	if (r >= 0)
		return r;
	name = dm_name_of(pos[0]);
	r = remap_dev_get("unprotect", name, &d, false, false);
	if (r)
		return r;
	r = dm_message(name, "unprotect", NULL, 0);
	if (r) {
		char stats[4096];
		u64 prot = 1;

		/* The record goes before the unremap: which step failed? */
		if (r != ENOENT &&
		    !dm_message(name, "stats", stats, sizeof(stats)) &&
		    stats_value(stats, REMAP_F_PROTECTED_UNITS, &prot) && !prot)
			fprintf(stderr, "remapctl unprotect: %s: the raw main device holds its data again and the protection is gone, but moving the units back failed: %s (%s; see dmesg); they stay remapped\n",
				name, protect_why(r), strerror(r));
		else
			fprintf(stderr, "remapctl unprotect: %s: refused: %s (%s; see dmesg)\n",
				name, protect_why(r), strerror(r));
		return EXIT_REFUSED;
	}
	printf("remapctl unprotect: %s: the raw main device holds its data again; the units are unremapped\n",
	       name);
	return EXIT_OK;
}
