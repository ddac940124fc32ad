// SPDX-License-Identifier: GPL-2.0-only
/*
 * assemble.c - remapctl assemble: the dm-remap devices of /etc/remaptab.
 *
 *   remapctl assemble [--tab FILE] [--wait SEC] [--dry-run] <name>...|--all
 *   remapctl assemble --scan [--wait SEC] [--dry-run] [<name>...]  (scan.c)
 *   remapctl assemble --stop [--tab FILE] <name>...|--all
 *   remapctl assemble --udev-match DEVNODE [LINK...]
 *   remapctl assemble --udev-member-links [LINK...]
 *
 * The file is parsed by core/remap_tab.c; the table line's parameters are
 * written by remap_tab_format_params() and read back by remap_parse_ctr()
 * (the module's own parser) before they are sent, and the layout is checked
 * with remap_geometry_check(), the rule the module applies at table load,
 * so a bad entry is refused here with the module's words.  Devices are
 * created and removed through libdevmapper with udev synchronisation (as
 * dmsetup does), never by running dmsetup.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <libdevmapper.h>

#include "assemble.h"
#include "protect.h"
#include "remap_args.h"
#include "remap_tab.h"
#include "remapctl.h"
#include "online.h"


#define DEFAULT_TAB "/etc/remaptab"

const char usage_assemble[] =
"Usage: remapctl assemble [--tab FILE] [--wait SEC] [--dry-run] <name>...\n"
"       remapctl assemble [--tab FILE] [--wait SEC] [--dry-run] --all\n"
"       remapctl assemble [--tab FILE] [--wait SEC] [--dry-run] --initramfs\n"
"       remapctl assemble --scan [--tab FILE] [--wait SEC] [--dry-run] [<name>...]\n"
"       remapctl assemble --stop [--tab FILE] <name>...|--all\n"
"       remapctl assemble --stop --scan <name>...\n"
"       remapctl assemble --udev-match DEVNODE [LINK...]\n"
"       remapctl assemble --udev-member-links [LINK...]\n"
"\n"
"Create the dm-remap devices that /etc/remaptab names (remaptab(5)): the\n"
"named entries, or with --all every entry without the noauto option.  The\n"
"table is \"0 <len> remap <main> <main_start> <spare> <spare_start>\n"
"<spare_len> [<#features> <feature>...]\" with the devices as major:minor,\n"
"<len> and <spare_len> from the options or else the rest of each device.\n"
"Both devices must exist and be in use by nothing else (not mounted, not\n"
"held by another device).  A device of that name that already has this\n"
"table is left as it is.  After creating a device, assemble records its\n"
"name and its main device's identity in the metadata (remapctl identify).\n"
"\n"
"With --scan, no remaptab entry is needed: every whole disk and partition\n"
"carrying dm-remap metadata at sector 0 (a spare area at another offset\n"
"needs remaptab) whose metadata records a name is assembled under that\n"
"name (only the named ones, when names are given), its main device being\n"
"the one block device with the serial and WWN (udev's ID_SERIAL, ID_WWN),\n"
"partition number and size the metadata records; none, several, or one\n"
"that differs in part are refused.  The table is the one the metadata\n"
"implies: its main_start and unit_sectors, the spare area from sector 0,\n"
"the other options at their defaults.  A name remaptab has is left to it.\n"
"An entry with the protect option is then protected (remapctl protect,\n"
"default sizes) unless it is already.\n"
"\n"
"Options:\n"
"  --all            every entry of the file without noauto\n"
"  --initramfs      every entry with the initramfs option (noauto or not):\n"
"                   what the initramfs assembles before it mounts the\n"
"                   root file system; none is not an error\n"
"  --scan           the devices found by their metadata (see above)\n"
"  --tab FILE       read FILE instead of /etc/remaptab\n"
"  --wait SEC       wait up to SEC seconds for the entry's devices to\n"
"                   appear (default 0: they must be there now)\n"
"  --dry-run        check everything and print the table; create nothing\n"
"  --stop           remove the named (--all: every existing) remaptab\n"
"                   device instead (--scan: the named devices, remaptab or\n"
"                   not); only a device whose table is one remap target is\n"
"                   removed; one that holds the root file system is left\n"
"                   in place (exit 0) for the end of the shutdown\n"
"  --udev-match DEVNODE [LINK...]\n"
"                   for the udev rules: when DEVNODE (or one of its\n"
"                   symlinks LINK, relative to /dev or absolute) is the main\n"
"                   or spare device of an entry, print DM_REMAP_NAME=,\n"
"                   DM_REMAP_ROLE=main|spare, DM_REMAP_AUTO=0|1 and\n"
"                   DM_REMAP_UNIT= (the systemd unit that assembles it);\n"
"                   else the same (with dm-remap-scan@<name>.service) when\n"
"                   it carries metadata recording a name (then\n"
"                   DM_REMAP_MAIN= the syspath of its main device, when\n"
"                   present) or is the main device such metadata\n"
"                   identifies; nothing otherwise.  Entries with errors\n"
"                   are skipped (and reported on stderr)\n"
"  --udev-member-links [LINK...]\n"
"                   for the udev rules: print DM_REMAP_MEMBER_LINKS= with\n"
"                   the links of a claimed main device that it keeps: all\n"
"                   but disk/by-uuid/, by-label/, by-partuuid/ and\n"
"                   by-partlabel/ ones, which belong to the remapped device\n"
"  -h, --help       this help\n"
"\n"
"Exit status: 0 done (--all, --scan: every entry or device found); 1 a\n"
"device could not be created or removed (missing or busy device, a\n"
"refused table; --scan: no metadata recording a given name, a main\n"
"device missing, ambiguous or not matching; the reason is printed); 3\n"
"usage error, an error in the file (printed as FILE:LINE: message), an\n"
"unknown name, device-mapper unavailable.\n";

struct tab_line {
	char *buf;
	unsigned int lineno;
	struct remap_tab_entry e;
};

struct tab {
	const char *path;
	struct tab_line *v;
	size_t n;
};

/* "remapctl assemble: <message>" on stderr; EXIT_FAILED. */
int aerr(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "remapctl assemble: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILED;
}

static void tab_free(struct tab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].buf);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/*
 * Read the whole file.  @lenient: skip bad lines (reporting them) instead
 * of failing, for the udev rules, which must still claim the devices of the
 * good entries.  0 or EXIT_USAGE.
 */
static int tab_load(const char *path, struct tab *t, bool lenient)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned int lineno = 0;
	int r = 0;
	FILE *f;

	t->path = path;
	t->v = NULL;
	t->n = 0;
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "remapctl: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct tab_line *nv, *tl;
		const char *err = NULL;
		size_t i;
		int pr;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			err = "NUL byte in line";
			goto bad;
		}
		nv = realloc(t->v, (t->n + 1) * sizeof(*nv));
		if (!nv) {
			r = EXIT_USAGE;
			fprintf(stderr, "remapctl: out of memory\n");
			break;
		}
		t->v = nv;
		tl = &t->v[t->n];
		tl->lineno = lineno;
		tl->buf = strdup(line);
		if (!tl->buf) {
			r = EXIT_USAGE;
			fprintf(stderr, "remapctl: out of memory\n");
			break;
		}
		pr = remap_tab_parse_line(tl->buf, &tl->e, &err);
		if (pr == 1) {
			for (i = 0; i < t->n; i++)
				if (remap_tab_conflict(&t->v[i].e, &tl->e, &err))
					break;
			if (i == t->n) {
				t->n++;
				continue;
			}
		}
		free(tl->buf);
		if (pr == 0)
			continue;
bad:
		fprintf(stderr, "remapctl: %s:%u: %s\n", path, lineno, err);
		if (!lenient) {
			r = EXIT_USAGE;
			break;
		}
	}
	if (!r && ferror(f)) {
		fprintf(stderr, "remapctl: %s: read error\n", path);
		r = EXIT_USAGE;
	}
	free(line);
	fclose(f);
	if (r)
		tab_free(t);
	return r;
}

static struct tab_line *tab_find(struct tab *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].e.name, name))
			return &t->v[i];
	return NULL;
}

/* A block device as the table needs it. */
struct bdev {
	dev_t rdev;
	u64 sectors;
	u32 lbs, pbs;
};

static int bdev_probe(const char *name, const char *role, const char *path,
		      struct bdev *b)
{
	struct stat st;
	uint64_t bytes;
	int fd, lbs, e;
	unsigned int pbs;

	if (stat(path, &st))
		return aerr("%s: %s device %s: %s", name, role, path,
			    strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return aerr("%s: %s device %s is not a block device", name,
			    role, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return aerr("%s: %s device %s: %s", name, role, path,
			    strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &bytes) || ioctl(fd, BLKSSZGET, &lbs) ||
	    ioctl(fd, BLKPBSZGET, &pbs)) {
		e = errno;
		close(fd);
		return aerr("%s: %s device %s: %s", name, role, path,
			    strerror(e));
	}
	close(fd);
	b->rdev = st.st_rdev;
	b->sectors = bytes >> REMAP_SECTOR_SHIFT;
	b->lbs = (u32)lbs;
	b->pbs = pbs;
	return 0;
}

/* O_EXCL on a block device: EBUSY when mounted or held. */
static int bdev_free(const char *name, const char *role, const char *path)
{
	int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EBUSY)
		return aerr("%s: %s device %s is in use (mounted, or held by another device)",
			    name, role, path);
	return aerr("%s: %s device %s: %s", name, role, path,
		    strerror(errno));
}

/* Whether both devices of @e exist, waiting up to @wait_s seconds. */
static bool devices_wait(const struct remap_tab_entry *e, unsigned int wait_s)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	unsigned int tries = wait_s * 10;
	struct stat st;

	for (;;) {
		if (!stat(e->main_dev, &st) && !stat(e->spare_dev, &st))
			return true;
		if (!tries--)
			return false;
		nanosleep(&ts, NULL);
	}
}

/* Run "modprobe dm_remap" when no target "remap" is registered. */
static bool target_loaded(void)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_LIST_VERSIONS);
	struct dm_versions *v;
	unsigned int next = 0;
	bool found = false;

	if (!dmt)
		return false;
	if (dm_task_run(dmt)) {
		v = dm_task_get_versions(dmt);
		do {
			v = (struct dm_versions *)((char *)v + next);
			if (!strcmp(v->name, "remap"))
				found = true;
			next = v->next;
		} while (next && !found);
	}
	dm_task_destroy(dmt);
	return found;
}

static void load_module(void)
{
	pid_t pid;
	int status;

	if (target_loaded())
		return;
	pid = fork();
	if (pid == 0) {
		execlp("modprobe", "modprobe", "-q", "dm_remap", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
}

/*
 * A table line's parameters (what follows "remap"), read by the module's
 * own parser; @copy keeps the strings *a points to.
 */
static int parse_params(const char *params, char *copy, size_t size,
			struct remap_ctr_args *a, const char **err)
{
	char *argv[16], *tok, *save = NULL;
	unsigned int argc = 0;

	if ((size_t)snprintf(copy, size, "%s", params) >= size) {
		*err = "table line too long";
		return -1;
	}
	for (tok = strtok_r(copy, " ", &save); tok && argc < 16;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	return remap_parse_ctr(argc, argv, a, err);
}

/*
 * The existing device called @name: 0 none; 1 one remap target (*same:
 * whether its table, of @len sectors, makes the device @want does, with
 * @unit the unit size of a table without unit_sectors); -1 something else
 * (printed).
 */
static int existing(const char *name, u64 len,
		    const struct remap_ctr_args *want, u32 unit, bool *same)
{
	struct remap_ctr_args have;
	const char *err;
	char copy[256];
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TABLE);
	struct dm_info info;
	uint64_t start, length;
	char *type = NULL, *p = NULL;
	void *next;
	int r = -1;

	*same = false;
	if (!dmt || !dm_task_set_name(dmt, name)) {
		aerr("%s: cannot create a device-mapper task", name);
		goto out;
	}
	if (!dm_task_run(dmt)) {
		/* the table ioctl of a name that does not exist: ENXIO */
		if (dm_task_get_errno(dmt) == ENXIO)
			r = 0;
		else
			aerr("%s: device-mapper: %s", name,
			     strerror(dm_task_get_errno(dmt) ?: EIO));
		goto out;
	}
	if (!dm_task_get_info(dmt, &info)) {
		aerr("%s: device-mapper: no device information", name);
		goto out;
	}
	if (!info.exists) {
		r = 0;
		goto out;
	}
	next = dm_get_next_target(dmt, NULL, &start, &length, &type, &p);
	if (!type || strcmp(type, "remap") || start || next) {
		aerr("%s: a device-mapper device of that name exists and is not one remap target",
		     name);
		goto out;
	}
	r = 1;
	/* Not the same string, maybe the same table: defaults spelt out. */
	*same = want && length == len && p &&
		!parse_params(p, copy, sizeof(copy), &have, &err) &&
		remap_ctr_same(&have, want, unit);
out:
	if (dmt)
		dm_task_destroy(dmt);
	return r;
}

int assemble_entry(const struct remap_tab_entry *e, const char *where,
		   unsigned int wait_s, bool dry_run)
{
	char mainid[32], spareid[32], params[256], copy[256];
	struct remap_geometry g = { 0 };
	struct remap_ctr_args a;
	struct bdev m, s;
	const char *err = NULL;
	uint32_t cookie = 0;
	struct dm_task *dmt;
	u64 len, spare_len;
	bool same;
	int r;

	if (!devices_wait(e, wait_s))
		return aerr("%s: %s and %s are not both present%s (%s)",
			    e->name, e->main_dev, e->spare_dev,
			    wait_s ? " after waiting" : "", where);
	if (bdev_probe(e->name, "main", e->main_dev, &m) ||
	    bdev_probe(e->name, "spare", e->spare_dev, &s))
		return EXIT_FAILED;
	if (m.rdev == s.rdev)
		return aerr("%s: %s and %s are the same device", e->name,
			    e->main_dev, e->spare_dev);
	if (e->main_start >= m.sectors)
		return aerr("%s: main_start %llu is beyond the end of %s (%llu sectors)",
			    e->name, (unsigned long long)e->main_start,
			    e->main_dev, (unsigned long long)m.sectors);
	if (e->spare_start >= s.sectors)
		return aerr("%s: spare_start %llu is beyond the end of %s (%llu sectors)",
			    e->name, (unsigned long long)e->spare_start,
			    e->spare_dev, (unsigned long long)s.sectors);
	len = e->len ? e->len : m.sectors - e->main_start;
	spare_len = e->spare_len ? e->spare_len : s.sectors - e->spare_start;

	/* The module's own layout rule, with its words. */
	g.target_len = len;
	g.main_dev_sectors = m.sectors;
	g.main_start = e->main_start;
	g.spare_dev_sectors = s.sectors;
	g.spare_start = e->spare_start;
	g.spare_len = spare_len;
	g.main_lbs = m.lbs;
	g.spare_lbs = s.lbs;
	g.main_pbs = m.pbs;
	g.same_device = false;
	g.unit_sectors = e->features.unit_sectors;
	if (remap_geometry_check(&g, &err))
		return aerr("%s: %s (%s)", e->name, err, where);

	snprintf(mainid, sizeof(mainid), "%u:%u", major(m.rdev),
		 minor(m.rdev));
	snprintf(spareid, sizeof(spareid), "%u:%u", major(s.rdev),
		 minor(s.rdev));
	if (remap_tab_format_params(e, mainid, spareid, spare_len, params,
				    sizeof(params)) < 0)
		return aerr("%s: table line too long", e->name);
	/* Read back by the module's parser: what is sent is what it reads. */
	if (parse_params(params, copy, sizeof(copy), &a, &err))
		return aerr("%s: %s", e->name, err);

	if (dry_run) {
		printf("%s: 0 %llu remap %s\n", e->name,
		       (unsigned long long)len, params);
		return EXIT_OK;
	}

	load_module();
	r = existing(e->name, len, &a, g.unit_sectors, &same);
	if (r < 0)
		return EXIT_FAILED;
	if (r == 1) {
		if (!same)
			return aerr("%s: already exists with another table (remove it first)",
				    e->name);
		printf("%s: already assembled\n", e->name);
		return e->protect ? protect_unless_protected("assemble", e->name) :
				    EXIT_OK;
	}
	if (bdev_free(e->name, "main", e->main_dev) ||
	    bdev_free(e->name, "spare", e->spare_dev))
		return EXIT_FAILED;

	dmt = dm_task_create(DM_DEVICE_CREATE);
	if (!dmt)
		return aerr("%s: cannot create a device-mapper task", e->name);
	if (!dm_task_set_name(dmt, e->name) ||
	    !dm_task_add_target(dmt, 0, len, "remap", params) ||
	    !dm_task_set_cookie(dmt, &cookie, 0)) {
		dm_task_destroy(dmt);
		return aerr("%s: cannot set up the device-mapper task", e->name);
	}
	if (!dm_task_run(dmt)) {
		int errn = dm_task_get_errno(dmt);

		dm_udev_wait(cookie);
		dm_task_destroy(dmt);
		return aerr("%s: the kernel refused the table \"0 %llu remap %s\": %s (the kernel log has the target's reason)",
			    e->name, (unsigned long long)len, params,
			    strerror(errn ?: EINVAL));
	}
	dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	printf("%s: assembled: 0 %llu remap %s\n", e->name,
	       (unsigned long long)len, params);
	/* The name and the main device's identity, for assemble --scan. */
	scan_record_identity(e->name, m.rdev);
	return e->protect ? protect_unless_protected("assemble", e->name) :
			    EXIT_OK;
}

/* A remaptab entry, with its file and line for the messages. */
static int assemble_one(const struct tab *t, const struct tab_line *tl,
			unsigned int wait_s, bool dry_run)
{
	char where[PATH_MAX + 16];

	snprintf(where, sizeof(where), "%s:%u", t->path, tl->lineno);
	return assemble_entry(&tl->e, where, wait_s, dry_run);
}

/* Whether block device @top is @want or stacked on it (its slaves in sysfs). */
static bool dev_below(dev_t top, dev_t want, unsigned int depth)
{
	char path[64], line[32];
	struct dirent *d;
	unsigned int ma, mi;
	bool found = false;
	DIR *dir;
	FILE *f;

	if (top == want)
		return true;
	if (depth > 16)
		return false;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/slaves",
		 major(top), minor(top));
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		char dev[PATH_MAX];

		if (d->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "/sys/class/block/%s/dev", d->d_name);
		f = fopen(dev, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) &&
		    sscanf(line, "%u:%u", &ma, &mi) == 2)
			found = dev_below(makedev(ma, mi), want, depth + 1);
		fclose(f);
	}
	closedir(dir);
	return found;
}

/*
 * Whether device @name holds the root file system (directly, or under LVM,
 * a partition table or dm-crypt): it stays until the end of the shutdown,
 * where systemd-shutdown remounts / read-only and detaches what it can.
 */
static bool holds_root(const char *name)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_INFO);
	struct dm_info info;
	struct stat st;
	bool r = false;

	if (dmt && dm_task_set_name(dmt, name) && dm_task_run(dmt) &&
	    dm_task_get_info(dmt, &info) && info.exists && !stat("/", &st))
		r = dev_below(st.st_dev, makedev(info.major, info.minor), 0);
	if (dmt)
		dm_task_destroy(dmt);
	return r;
}

static int remove_one(const char *name, bool missing_ok)
{
	struct dm_task *dmt;
	uint32_t cookie = 0;
	bool same;
	int r = existing(name, 0, NULL, 0, &same);

	if (r < 0)
		return EXIT_FAILED;
	if (r == 0) {
		if (missing_ok)
			return EXIT_OK;
		return aerr("%s: no such device", name);
	}
	dmt = dm_task_create(DM_DEVICE_REMOVE);
	if (!dmt)
		return aerr("%s: cannot create a device-mapper task", name);
	if (!dm_task_set_name(dmt, name) || !dm_task_retry_remove(dmt) ||
	    !dm_task_set_cookie(dmt, &cookie, 0)) {
		dm_task_destroy(dmt);
		return aerr("%s: cannot set up the device-mapper task", name);
	}
	if (!dm_task_run(dmt)) {
		int errn = dm_task_get_errno(dmt);

		dm_udev_wait(cookie);
		dm_task_destroy(dmt);
		if (errn == EBUSY && holds_root(name)) {
			printf("%s: holds the root file system: left for the end of the shutdown\n",
			       name);
			return EXIT_OK;
		}
		return aerr("%s: cannot remove: %s", name,
			    errn == EBUSY ? "in use (mounted, or held by another device)" :
			    strerror(errn ?: EIO));
	}
	dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	printf("%s: removed\n", name);
	return EXIT_OK;
}

/* systemd's unit name escaping (systemd-escape) of a remaptab name. */
void unit_escape(const char *name, char *out, size_t size)
{
	size_t at = 0;
	const char *c;

	for (c = name; *c && at + 5 < size; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' ||
		    (*c == '.' && c != name))
			out[at++] = *c;
		else
			at += (size_t)snprintf(out + at, size - at, "\\x%02x",
					       (unsigned char)*c);
	}
	out[at] = '\0';
}

static bool same_node(const char *want, const char *devnode, dev_t rdev,
		      char **links, int nlinks)
{
	struct stat st;
	int i;

	if (!strcmp(want, devnode))
		return true;
	for (i = 0; i < nlinks; i++) {
		const char *l = links[i];

		if (l[0] == '/' ? !strcmp(want, l) :
		    !strncmp(want, "/dev/", 5) && !strcmp(want + 5, l))
			return true;
	}
	return rdev && !stat(want, &st) && S_ISBLK(st.st_mode) &&
	       st.st_rdev == rdev;
}

static int udev_match(const char *path, const char *devnode, char **links,
		      int nlinks)
{
	struct tab t;
	struct stat st;
	dev_t rdev = 0;
	bool found;
	size_t i;

	/* No file, or not in it: the metadata of the devices may say. */
	if (access(path, F_OK) || tab_load(path, &t, true))
		return scan_udev_match(devnode);
	if (!stat(devnode, &st) && S_ISBLK(st.st_mode))
		rdev = st.st_rdev;
	for (i = 0; i < t.n; i++) {
		const struct remap_tab_entry *e = &t.v[i].e;
		const char *role = NULL;
		char unit[4 * REMAP_TAB_NAME_MAX + 1];

		if (same_node(e->main_dev, devnode, rdev, links, nlinks))
			role = "main";
		else if (same_node(e->spare_dev, devnode, rdev, links, nlinks))
			role = "spare";
		if (!role)
			continue;
		unit_escape(e->name, unit, sizeof(unit));
		printf("DM_REMAP_NAME=%s\nDM_REMAP_ROLE=%s\nDM_REMAP_AUTO=%d\n"
		       "DM_REMAP_UNIT=dm-remap@%s.service\n", e->name, role,
		       !e->noauto, unit);
		break;
	}
	found = i < t.n;
	tab_free(&t);
	return found ? EXIT_OK : scan_udev_match(devnode);
}

/* The links a claimed main device keeps (udev's $links, relative). */
static int udev_member_links(char **links, int nlinks)
{
	static const char *const drop[] = {
		"disk/by-uuid/", "disk/by-label/", "disk/by-partuuid/",
		"disk/by-partlabel/",
	};
	const char *sep = "";
	int i;
	size_t k;

	printf("DM_REMAP_MEMBER_LINKS=");
	for (i = 0; i < nlinks; i++) {
		const char *l = links[i];

		if (!strncmp(l, "/dev/", 5))
			l += 5;
		for (k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
			if (!strncmp(l, drop[k], strlen(drop[k])))
				break;
		if (k < sizeof(drop) / sizeof(drop[0]) || !*l ||
		    strpbrk(l, " \t\n\"\\"))
			continue;
		printf("%s%s", sep, l);
		sep = " ";
	}
	printf("\n");
	return EXIT_OK;
}

/* What assemble was asked to do. */
struct assemble_opts {
	const char *path, *udev_node;
	bool all, stop, dry_run, member_links, scan, initramfs;
	unsigned long wait_s;
};

static const struct option assemble_longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "initramfs", no_argument, NULL, 'i' },
	{ "scan", no_argument, NULL, 'S' },
	{ "stop", no_argument, NULL, 's' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "tab", required_argument, NULL, 't' },
	{ "wait", required_argument, NULL, 'w' },
	{ "udev-match", required_argument, NULL, 'u' },
	{ "udev-member-links", no_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int assemble_opt(void *ctx, int c, const char *arg)
{
	struct assemble_opts *ao = ctx;
	bool *const on[] = { &ao->all, &ao->scan, &ao->stop, &ao->dry_run,
			     &ao->member_links, &ao->initramfs };
	u64 v;

	if (set_flag("aSsnli", on, c))
		return -1;
	switch (c) {
	case 't':
	case 'u':
		if (!*arg)
			return uerr("assemble", "option '--%s' needs a value",
				    c == 't' ? "tab" : "udev-match");
		if (c == 't')
			ao->path = arg;
		else
			ao->udev_node = arg;
		break;
	case 'w':
		if (remap_parse_u64(arg, &v) || v > 86400)
			return uerr("assemble", "--wait: '%s' is not a number of seconds (0 to 86400)",
				    arg);
		ao->wait_s = (unsigned long)v;
		break;
	default:
		return OPT_NOT_HERE;
	}
	return -1;
}

static int run(int argc, char **argv, bool stop)
{
	const char *path, *udev_node;
	bool all, dry_run;
	unsigned long wait_s;
	char **names = NULL, **pos;
	int nnames = 0, i, r = EXIT_OK, nlinks = 0, npos;
	char **links = NULL;
	struct assemble_opts ao;
	struct tab t;
	size_t k;

	memset(&ao, 0, sizeof(ao));
	ao.path = DEFAULT_TAB;
	ao.stop = stop;
	r = cmd_options("assemble", usage_assemble, argc, argv, "",
			assemble_longopts, assemble_opt, &ao, -1, NULL, &pos,
			&npos);
	if (r >= 0)
		return r;
	path = ao.path;
	udev_node = ao.udev_node;
	all = ao.all;
	stop = ao.stop;
	dry_run = ao.dry_run;
	wait_s = ao.wait_s;
	if (ao.initramfs) {
		/* The initramfs's entries: "all" with another selection. */
		if (all || stop || ao.scan || udev_node || ao.member_links ||
		    npos)
			return uerr("assemble", "--initramfs takes no names and no --all, --scan, --stop or --udev-* option");
		all = true;
	}
	if (ao.member_links) {
		if (all || stop || dry_run || wait_s || udev_node ||
		    strcmp(path, DEFAULT_TAB))
			return uerr("assemble", "--udev-member-links takes no other option");
		return udev_member_links(pos, npos);
	}
	if (udev_node) {
		links = pos;
		nlinks = npos;
	} else {
		names = pos;
		nnames = npos;
	}
	if (udev_node) {
		if (all || stop || dry_run || nnames || wait_s || ao.scan)
			return uerr("assemble", "--udev-match takes no other option");
		return udev_match(path, udev_node, links, nlinks);
	}
	if (ao.scan) {
		if (all)
			return uerr("assemble", "--scan takes no --all (without names it assembles every device it finds)");
		if (stop && (dry_run || wait_s))
			return uerr("assemble", "--stop takes no --dry-run or --wait");
		if (stop && !nnames)
			return uerr("assemble", "--stop --scan needs names");
		for (i = 0; i < nnames; i++)
			if (!remap_tab_name_ok(names[i]))
				return uerr("assemble", "'%s' is not a name remaptab(5) allows",
					    names[i]);
		dm_log_with_errno_init(dm_quiet_log);
		dm_udev_set_sync_support(1);
		if (stop) {
			r = EXIT_OK;
			for (i = 0; i < nnames; i++)
				if (remove_one(names[i], true))
					r = EXIT_FAILED;
			return r;
		}
		return scan_assemble(names, nnames,
				     access(path, F_OK) ? NULL : path,
				     (unsigned int)wait_s, dry_run);
	}
	if (all == !!nnames)
		return uerr("assemble", "give names or --all");
	if (stop && (dry_run || wait_s))
		return uerr("assemble", "--stop takes no --dry-run or --wait");

	r = tab_load(path, &t, false);
	if (r)
		return r;
	for (i = 0; i < nnames; i++)
		if (!tab_find(&t, names[i])) {
			fprintf(stderr, "remapctl assemble: no entry '%s' in %s\n",
				names[i], path);
			tab_free(&t);
			return EXIT_USAGE;
		}

	dm_log_with_errno_init(dm_quiet_log);
	dm_udev_set_sync_support(1);
	if (all) {
		for (k = 0; k < t.n; k++) {
			const struct tab_line *tl = &t.v[k];

			if (stop) {
				if (remove_one(tl->e.name, true))
					r = EXIT_FAILED;
			} else if (ao.initramfs ? tl->e.initramfs :
				   !tl->e.noauto) {
				if (assemble_one(&t, tl, (unsigned int)wait_s,
						 dry_run))
					r = EXIT_FAILED;
			}
		}
	} else {
		for (i = 0; i < nnames; i++) {
			int one = stop ? remove_one(names[i], false) :
				  assemble_one(&t, tab_find(&t, names[i]),
					       (unsigned int)wait_s, dry_run);
			if (one)
				r = EXIT_FAILED;
		}
	}
	tab_free(&t);
	return r;
}

int cmd_assemble(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_remove(int argc, char **argv)
{
	return run(argc, argv, true);
}
