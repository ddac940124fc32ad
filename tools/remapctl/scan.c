// SPDX-License-Identifier: GPL-2.0-only
/*
 * scan.c - dm-remap devices found by their metadata, without remaptab:
 *
 *   remapctl assemble --scan [--wait SEC] [--dry-run] [<name>...]
 *   remapctl assemble --udev-match DEVNODE   (when remaptab does not name it)
 *   remapctl identify <name>
 *
 * Every whole disk and partition (libudev's enumeration of the "block"
 * subsystem) is read at sector 0; a valid superblock there (the codec's
 * remap_sb_choose()) is a spare area starting at sector 0.  The main
 * device is the one block device whose udev properties ID_SERIAL and
 * ID_WWN, partition number and size are the ones the superblock records
 * (remap_id_match(), docs/metadata-format.md "Identity"); none, several,
 * or one that matches in part are refused with what differs.  The table
 * is then written as a remaptab line would be and assembled by
 * assemble_entry(), so both paths create devices the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <libudev.h>
#include <libdevmapper.h>

#include "assemble.h"
#include "online.h"
#include "remap_tab.h"
#include "remapctl.h"

const char usage_identify[] =
"Usage: remapctl identify <dm_name>\n"
"\n"
"Record in the metadata of the dm-remap device <dm_name> its name and the\n"
"identity of its main device, for \"remapctl assemble --scan\": udev's\n"
"ID_SERIAL and ID_WWN of the main device and its partition number (its\n"
"size is recorded already).  Sends the target's \"identity\" message; the\n"
"module writes the superblock only when something changed.  remapctl\n"
"assemble does this itself after creating a device from remaptab.\n"
"\n"
"Exit status: 0 recorded; 1 udev knows no serial or WWN of the main\n"
"device (nothing recorded); 2 the kernel refused (a volatile or\n"
"read-only table: the kernel log says why); 3 usage error, no such\n"
"device, device-mapper unavailable.\n";

/* One block device as --scan sees it. */
struct sdev {
	char *node;		/* /dev/sdb */
	char *syspath;
	dev_t rdev;
	u64 sectors;
	u32 partition;		/* 0: a whole disk */
	char serial[REMAP_ID_SERIAL_SIZE];	/* "": udev has none */
	char wwn[REMAP_ID_WWN_SIZE];
	bool has_sb;		/* dm-remap metadata at sector 0 */
	struct remap_sb sb;
};

struct sdevs {
	struct sdev *v;
	size_t n;
};

static void sdevs_free(struct sdevs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].node);
		free(d->v[i].syspath);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static void copy_prop(char *dst, size_t size, const char *v)
{
	/* A value the identity rule refuses cannot match anything. */
	if (!v || strlen(v) >= size || remap_id_check(v, size, "", NULL))
		v = "";
	snprintf(dst, size, "%s", v);
}

/*
 * The superblock at sector 0 of @node, if there is a valid one there
 * that says it starts there.  O_DIRECT: the module writes the metadata
 * past the page cache.
 */
static bool read_sb(const char *node, struct remap_sb *sb)
{
	struct remap_sb_choice c;
	void *buf = NULL;
	bool ok = false;
	ssize_t got;
	int fd;

	fd = open(node, O_RDONLY | O_CLOEXEC | O_DIRECT | O_NONBLOCK);
	if (fd < 0 && errno == EINVAL)
		fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (posix_memalign(&buf, BS, 2 * BS))
		goto out;
	got = pread(fd, buf, 2 * BS, 0);
	if (got != (ssize_t)(2 * BS))
		goto out;
	remap_sb_choose(buf, &c);
	if (c.verdict == REMAP_SB_CHOSEN && !c.copy[c.pick].spare_start) {
		*sb = c.copy[c.pick];
		ok = true;
	}
out:
	free(buf);
	close(fd);
	return ok;
}

/* Whole disks and partitions that can hold data (not CD/floppy, not empty). */
static bool scan_candidate(struct udev_device *d)
{
	const char *type = udev_device_get_devtype(d);
	const char *sys = udev_device_get_sysname(d);
	const char *size = udev_device_get_sysattr_value(d, "size");
	struct udev_device *disk = d;
	const char *rem;

	if (!type || (strcmp(type, "disk") && strcmp(type, "partition")))
		return false;
	if (!sys || !strncmp(sys, "sr", 2) || !strncmp(sys, "fd", 2))
		return false;
	if (!size || !strcmp(size, "0"))
		return false;
	if (!strcmp(type, "partition"))
		disk = udev_device_get_parent_with_subsystem_devtype(d, "block",
								     "disk");
	rem = disk ? udev_device_get_sysattr_value(disk, "removable") : NULL;
	return !rem || strcmp(rem, "1");
}

static void sdev_fill(struct udev_device *d, struct sdev *s)
{
	const char *part = udev_device_get_sysattr_value(d, "partition");
	unsigned long long v;

	s->rdev = udev_device_get_devnum(d);
	v = strtoull(udev_device_get_sysattr_value(d, "size") ?: "0", NULL,
		     10);
	s->sectors = v;
	s->partition = part ? (u32)strtoul(part, NULL, 10) : 0;
	copy_prop(s->serial, sizeof(s->serial),
		  udev_device_get_property_value(d, "ID_SERIAL"));
	copy_prop(s->wwn, sizeof(s->wwn),
		  udev_device_get_property_value(d, "ID_WWN"));
}

/* Every candidate block device, with its superblock when @read. */
static int scan_all(struct udev *u, struct sdevs *out, bool read)
{
	struct udev_enumerate *en = udev_enumerate_new(u);
	struct udev_list_entry *le;
	int r = 0;

	out->v = NULL;
	out->n = 0;
	if (!en || udev_enumerate_add_match_subsystem(en, "block") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		fprintf(stderr, "remapctl: cannot list the block devices (libudev)\n");
		udev_enumerate_unref(en);
		return -1;
	}
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(en)) {
		const char *path = udev_list_entry_get_name(le);
		struct udev_device *d = udev_device_new_from_syspath(u, path);
		const char *node = d ? udev_device_get_devnode(d) : NULL;
		struct sdev *nv, *s;

		if (!d || !node || !scan_candidate(d)) {
			udev_device_unref(d);
			continue;
		}
		nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
		if (!nv) {
			udev_device_unref(d);
			r = -1;
			break;
		}
		out->v = nv;
		s = &out->v[out->n];
		memset(s, 0, sizeof(*s));
		s->node = strdup(node);
		s->syspath = strdup(path);
		out->n++;
		sdev_fill(d, s);
		udev_device_unref(d);
		if (!s->node || !s->syspath) {
			r = -1;
			break;
		}
		if (read)
			s->has_sb = read_sb(s->node, &s->sb);
	}
	udev_enumerate_unref(en);
	if (r) {
		fprintf(stderr, "remapctl: out of memory\n");
		sdevs_free(out);
	}
	return r;
}

/* "serial S, WWN W, partition P, N sectors" of what a superblock records. */
static void id_text(const struct remap_sb *sb, char *buf, size_t size)
{
	snprintf(buf, size, "serial %s, WWN %s, partition %u, %llu sectors",
		 sb->id.serial[0] ? sb->id.serial : "-",
		 sb->id.wwn[0] ? sb->id.wwn : "-", sb->id.partition,
		 (unsigned long long)sb->main_dev_sectors);
}

/* How a spare's main device was looked for. */
enum find {
	FOUND,		/* *main */
	MISSING,	/* no device has the identity (yet) */
	REFUSED,	/* printed */
};

/*
 * The main device of spare @sp among @d: the one device remap_id_match()
 * accepts.  Messages (unless @quiet) start with @name.
 */
static enum find find_main(const struct sdevs *d, const struct sdev *sp,
			   const char *name, const struct sdev **main,
			   bool quiet)
{
	const struct sdev *hit = NULL, *near = NULL;
	const char *why = NULL, *near_why = NULL;
	char id[REMAP_ID_SERIAL_SIZE + REMAP_ID_WWN_SIZE + 80];
	size_t i;
	int r;

	id_text(&sp->sb, id, sizeof(id));
	if (!sp->sb.id.serial[0] && !sp->sb.id.wwn[0]) {
		if (!quiet)
			aerr("%s: the metadata on %s records no serial or WWN of its main device: it cannot be found by --scan (use remaptab(5), or remapctl identify once it is assembled)",
				  name, sp->node);
		return REFUSED;
	}
	for (i = 0; i < d->n; i++) {
		const struct sdev *c = &d->v[i];

		if (c == sp || c->rdev == sp->rdev)
			continue;
		r = remap_id_match(&sp->sb, c->serial[0] ? c->serial : NULL,
				   c->wwn[0] ? c->wwn : NULL, c->partition,
				   c->sectors, &why);
		if (!r) {
			if (hit) {
				if (!quiet)
					aerr("%s: the main device's identity (%s) matches both %s and %s: refused (use remaptab(5))",
					  name, id, hit->node, c->node);
				return REFUSED;
			}
			hit = c;
			continue;
		}
		/* The same disk by serial or WWN, but not as recorded. */
		if (!near &&
		    ((sp->sb.id.serial[0] && !strcmp(c->serial, sp->sb.id.serial)) ||
		     (sp->sb.id.wwn[0] && !strcmp(c->wwn, sp->sb.id.wwn))) &&
		    (c->partition == sp->sb.id.partition ||
		     strcmp(why, "partition number differs"))) {
			near = c;
			near_why = why;
		}
	}
	if (hit) {
		*main = hit;
		return FOUND;
	}
	if (near) {
		if (!quiet)
			aerr("%s: %s does not match the main device the metadata on %s records (%s): %s (it has serial %s, WWN %s, partition %u, %llu sectors): refused",
			  name, near->node, sp->node, id, near_why,
			  near->serial[0] ? near->serial : "-",
			  near->wwn[0] ? near->wwn : "-", near->partition,
			  (unsigned long long)near->sectors);
		return REFUSED;
	}
	return MISSING;
}

/* Whether the remaptab @tab (when readable) has an entry @name. */
static bool tab_has(const char *tab, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	if (!tab)
		return false;
	f = fopen(tab, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) >= 0) {
		struct remap_tab_entry e;

		line[strcspn(line, "\n")] = '\0';
		if (remap_tab_parse_line(line, &e, NULL) == 1 &&
		    !strcmp(e.name, name))
			found = true;
	}
	free(line);
	fclose(f);
	return found;
}

/* What --scan does with one spare. */
struct plan {
	const struct sdev *spare, *main;
	enum find state;
	bool skip;		/* remaptab has the name */
};

static bool wanted(const char *name, char **names, int nnames)
{
	int i;

	if (!nnames)
		return true;
	for (i = 0; i < nnames; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/*
 * The spares of @d that --scan assembles (@names, or all), with their
 * mains.  Spares whose metadata records no name, the same metadata seen
 * twice and one name recorded by two metadata areas are refused here.
 */
static size_t plan_all(const struct sdevs *d, char **names, int nnames,
		       const char *tab, struct plan *p, bool quiet)
{
	size_t i, j, n = 0;

	for (i = 0; i < d->n; i++) {
		const struct sdev *sp = &d->v[i];
		const char *name = sp->sb.id.name;
		bool dup = false;

		if (!sp->has_sb)
			continue;
		if (!name[0] || !remap_tab_name_ok(name)) {
			if (!nnames && !quiet)
				aerr("%s: the metadata records %s: assemble it through remaptab(5), or record a name with remapctl identify",
					  sp->node, name[0] ? "a name remaptab(5) does not allow" :
					  "no device name (metadata written before names were recorded)");
			p[n].spare = sp;
			p[n].state = REFUSED;
			p[n].skip = !!nnames;
			n++;
			continue;
		}
		if (!wanted(name, names, nnames))
			continue;
		for (j = 0; j < d->n; j++) {
			const struct sdev *o = &d->v[j];

			if (j == i || !o->has_sb || !wanted(o->sb.id.name, names, nnames))
				continue;
			if (!memcmp(o->sb.uuid, sp->sb.uuid, sizeof(sp->sb.uuid))) {
				if (!quiet)
					aerr("%s: the same metadata is on %s and %s (a copy, or two paths to one disk): refused (use remaptab(5))",
						  name, sp->node, o->node);
				dup = true;
				break;
			}
			if (!strcmp(o->sb.id.name, name)) {
				if (!quiet)
					aerr("%s: the metadata on %s and on %s both record this name: refused (use remaptab(5))",
						  name, sp->node, o->node);
				dup = true;
				break;
			}
		}
		p[n].spare = sp;
		p[n].main = NULL;
		p[n].skip = tab_has(tab, name);
		p[n].state = dup ? REFUSED : MISSING;
		n++;
	}
	return n;
}

static void id_msg(char *msg, size_t size, const char *serial, const char *wwn,
		   u32 partition)
{
	snprintf(msg, size, "identity %s %s %u", serial[0] ? serial : "-",
		 wwn[0] ? wwn : "-", partition);
}

void scan_record_identity(const char *name, dev_t main)
{
	struct udev *u = udev_new();
	struct udev_device *d = u ? udev_device_new_from_devnum(u, 'b', main) :
				NULL;
	char serial[REMAP_ID_SERIAL_SIZE], wwn[REMAP_ID_WWN_SIZE];
	char msg[REMAP_ID_SERIAL_SIZE + REMAP_ID_WWN_SIZE + 32];
	const char *part;
	int r;

	if (!d) {
		udev_unref(u);
		return;
	}
	copy_prop(serial, sizeof(serial),
		  udev_device_get_property_value(d, "ID_SERIAL"));
	copy_prop(wwn, sizeof(wwn), udev_device_get_property_value(d, "ID_WWN"));
	part = udev_device_get_sysattr_value(d, "partition");
	id_msg(msg, sizeof(msg), serial, wwn,
	       part ? (u32)strtoul(part, NULL, 10) : 0);
	udev_device_unref(d);
	udev_unref(u);
	/* Without udev's data, keep what is recorded. */
	if (!serial[0] && !wwn[0])
		return;
	r = dm_message(name, msg, NULL, 0);
	if (r)
		fprintf(stderr, "remapctl assemble: %s: warning: recording the main device's identity failed: %s (the kernel log says why)\n",
			name, strerror(r));
}

/* Wait a little, or say that the time is up. */
static bool wait_more(double deadline)
{
	struct timespec ts = { 0, 250 * 1000 * 1000 };

	if (now() >= deadline)
		return false;
	nanosleep(&ts, NULL);
	return true;
}

int scan_assemble(char **names, int nnames, const char *tab,
		  unsigned int wait_s, bool dry_run)
{
	double deadline = now() + wait_s;
	struct udev *u = udev_new();
	struct sdevs d = { 0 };
	struct plan *p = NULL;
	size_t n = 0, i;
	int r = EXIT_OK, k;

	if (!u) {
		aerr("cannot use libudev");
		return EXIT_USAGE;
	}
	/* Look again until every spare has its main, or the time is up. */
	for (;;) {
		bool again = false;

		sdevs_free(&d);
		free(p);
		p = NULL;
		if (scan_all(u, &d, true)) {
			udev_unref(u);
			return EXIT_USAGE;
		}
		p = calloc(d.n + 1, sizeof(*p));
		if (!p) {
			r = EXIT_USAGE;
			goto out;
		}
		n = plan_all(&d, names, nnames, tab, p, true);
		for (i = 0; i < n; i++)
			if (p[i].state == MISSING && !p[i].skip)
				p[i].state = find_main(&d, p[i].spare,
						       p[i].spare->sb.id.name,
						       &p[i].main, true);
		for (i = 0; i < n; i++)
			again |= p[i].state == MISSING && !p[i].skip;
		for (k = 0; k < nnames; k++) {
			for (i = 0; i < n; i++)
				if (p[i].spare->has_sb &&
				    !strcmp(p[i].spare->sb.id.name, names[k]))
					break;
			again |= i == n;
		}
		if (!again || !wait_more(deadline))
			break;
	}
	/* Now with the messages. */
	n = plan_all(&d, names, nnames, tab, p, false);
	for (k = 0; k < nnames; k++) {
		for (i = 0; i < n; i++)
			if (!strcmp(p[i].spare->sb.id.name, names[k]))
				break;
		if (i == n) {
			aerr("%s: no block device carries dm-remap metadata (at sector 0) recording this name%s",
				  names[k], wait_s ? ", after waiting" : "");
			r = EXIT_FAILED;
		}
	}
	for (i = 0; i < n; i++) {
		const struct sdev *sp = p[i].spare, *main = NULL;
		const char *name = sp->sb.id.name;
		char line[REMAP_TAB_LINE_MAX], where[PATH_MAX + 32];
		char id[REMAP_ID_SERIAL_SIZE + REMAP_ID_WWN_SIZE + 80];
		const struct remap_meta_layout *l = &sp->sb.layout;
		struct remap_tab_entry e;
		const char *err = NULL;
		u64 spare_len, cap;

		if (p[i].skip) {
			if (name[0] && remap_tab_name_ok(name))
				printf("%s: in %s: not assembled by --scan\n",
				       name, tab);
			continue;
		}
		if (p[i].state == REFUSED) {
			r = EXIT_FAILED;
			continue;
		}
		switch (find_main(&d, sp, name, &main, false)) {
		case REFUSED:
			r = EXIT_FAILED;
			continue;
		case MISSING:
			id_text(&sp->sb, id, sizeof(id));
			aerr("%s: no block device has the main device's identity the metadata on %s records (%s)%s",
				  name, sp->node, id,
				  wait_s ? ", after waiting" : "");
			r = EXIT_FAILED;
			continue;
		case FOUND:
			break;
		}
		/*
		 * The table the metadata implies: its main_start, spare area
		 * from sector 0 up to what the slot table describes (or the
		 * device's end), its unit.  Written as a remaptab line, read
		 * by remaptab's parser.
		 */
		cap = l->data_offset + l->slot_capacity * sp->sb.unit_sectors;
		spare_len = sp->sectors < cap ? sp->sectors : cap;
		snprintf(line, sizeof(line),
			 "%s %s %s main_start=%llu,spare_start=0,spare_len=%llu,unit_sectors=%u",
			 name, main->node, sp->node,
			 (unsigned long long)sp->sb.main_start,
			 (unsigned long long)spare_len, sp->sb.unit_sectors);
		if (remap_tab_parse_line(line, &e, &err) != 1) {
			aerr("%s: %s", name, err ? err : "bad entry");
			r = EXIT_FAILED;
			continue;
		}
		printf("%s: metadata on %s, main device %s (serial %s, WWN %s)\n",
		       e.name, e.spare_dev, e.main_dev,
		       main->serial[0] ? main->serial : "-",
		       main->wwn[0] ? main->wwn : "-");
		snprintf(where, sizeof(where), "metadata on %s", e.spare_dev);
		if (assemble_entry(&e, where, 0, dry_run))
			r = EXIT_FAILED;
	}
out:
	free(p);
	sdevs_free(&d);
	udev_unref(u);
	return r;
}

int scan_udev_match(const char *devnode)
{
	struct udev *u = udev_new();
	struct udev_device *self = NULL;
	struct sdevs d = { 0 };
	char unit[4 * REMAP_TAB_NAME_MAX + 1];
	const struct sdev *main;
	struct sdev me;
	struct stat st;
	size_t i;

	if (!u || stat(devnode, &st) || !S_ISBLK(st.st_mode))
		goto out;
	self = udev_device_new_from_devnum(u, 'b', st.st_rdev);
	if (!self || !scan_candidate(self))
		goto out;
	memset(&me, 0, sizeof(me));
	sdev_fill(self, &me);
	/* In a rule, the properties so far are in the environment. */
	if (getenv("ID_SERIAL") || getenv("ID_WWN")) {
		copy_prop(me.serial, sizeof(me.serial), getenv("ID_SERIAL"));
		copy_prop(me.wwn, sizeof(me.wwn), getenv("ID_WWN"));
	}
	me.node = (char *)devnode;
	me.has_sb = read_sb(devnode, &me.sb);

	if (me.has_sb) {
		const char *name = me.sb.id.name;

		if (!name[0] || !remap_tab_name_ok(name))
			goto out;
		unit_escape(name, unit, sizeof(unit));
		printf("DM_REMAP_NAME=%s\nDM_REMAP_ROLE=spare\nDM_REMAP_AUTO=1\n"
		       "DM_REMAP_UNIT=dm-remap-scan@%s.service\n", name, unit);
		/* A main device already there is claimed again (change). */
		if (!scan_all(u, &d, false) &&
		    find_main(&d, &me, name, &main, true) == FOUND)
			printf("DM_REMAP_MAIN=%s\n", main->syspath);
		goto out;
	}
	if (!me.serial[0] && !me.wwn[0])
		goto out;
	/* A main device: some spare's metadata records this identity. */
	if (scan_all(u, &d, true))
		goto out;
	for (i = 0; i < d.n; i++) {
		const struct sdev *sp = &d.v[i];
		const char *name = sp->sb.id.name;

		if (!sp->has_sb || sp->rdev == st.st_rdev || !name[0] ||
		    !remap_tab_name_ok(name) ||
		    remap_id_match(&sp->sb, me.serial[0] ? me.serial : NULL,
				   me.wwn[0] ? me.wwn : NULL, me.partition,
				   me.sectors, NULL))
			continue;
		unit_escape(name, unit, sizeof(unit));
		printf("DM_REMAP_NAME=%s\nDM_REMAP_ROLE=main\nDM_REMAP_AUTO=1\n"
		       "DM_REMAP_UNIT=dm-remap-scan@%s.service\n", name, unit);
		break;
	}
out:
	sdevs_free(&d);
	udev_device_unref(self);
	udev_unref(u);
	return EXIT_OK;
}

int cmd_identify(int argc, char **argv)
{
	char *type = NULL, *params = NULL;
	uint64_t start, length;
	struct dm_task *dmt;
	unsigned int ma, mi;
	struct remap_dev rd;
	int r;

	if (argc == 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		fputs(usage_identify, stdout);
		return EXIT_OK;
	}
	if (argc != 1 || argv[0][0] == '-')
		return uerr("identify", argc ? "give one device name" :
			    "missing <dm_name>");
	dm_log_with_errno_init(dm_quiet_log);
	r = remap_dev_get("identify", argv[0], &rd, true, false);
	if (r)
		return r;
	dmt = dm_task_create(DM_DEVICE_TABLE);
	if (!dmt || !dm_task_set_name(dmt, argv[0]) || !dm_task_run(dmt)) {
		if (dmt)
			dm_task_destroy(dmt);
		fprintf(stderr, "remapctl identify: %s: cannot read its table\n",
			argv[0]);
		return EXIT_USAGE;
	}
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	if (!params || sscanf(params, "%u:%u", &ma, &mi) != 2) {
		dm_task_destroy(dmt);
		fprintf(stderr, "remapctl identify: %s: unexpected table\n",
			argv[0]);
		return EXIT_USAGE;
	}
	dm_task_destroy(dmt);
	{
		struct udev *u = udev_new();
		struct udev_device *d = u ?
			udev_device_new_from_devnum(u, 'b', makedev(ma, mi)) :
			NULL;
		char serial[REMAP_ID_SERIAL_SIZE], wwn[REMAP_ID_WWN_SIZE];
		char msg[REMAP_ID_SERIAL_SIZE + REMAP_ID_WWN_SIZE + 32];
		const char *part = NULL;

		serial[0] = wwn[0] = '\0';
		if (d) {
			copy_prop(serial, sizeof(serial),
				  udev_device_get_property_value(d, "ID_SERIAL"));
			copy_prop(wwn, sizeof(wwn),
				  udev_device_get_property_value(d, "ID_WWN"));
			part = udev_device_get_sysattr_value(d, "partition");
		}
		id_msg(msg, sizeof(msg), serial, wwn,
		       part ? (u32)strtoul(part, NULL, 10) : 0);
		udev_device_unref(d);
		udev_unref(u);
		if (!serial[0] && !wwn[0]) {
			fprintf(stderr, "remapctl identify: %s: udev knows no serial or WWN (ID_SERIAL, ID_WWN) of its main device %u:%u: nothing recorded (assemble it through remaptab(5))\n",
				argv[0], ma, mi);
			return EXIT_FAILED;
		}
		r = dm_message(argv[0], msg, NULL, 0);
		if (r) {
			fprintf(stderr, "remapctl identify: %s: the kernel refused \"%s\": %s (the kernel log says why)\n",
				argv[0], msg, strerror(r));
			return EXIT_REFUSED;
		}
		printf("%s: recorded name %s, main device %u:%u: %s\n", argv[0],
		       argv[0], ma, mi, msg + strlen("identity "));
	}
	return EXIT_OK;
}
