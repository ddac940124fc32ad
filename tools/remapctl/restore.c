// SPDX-License-Identifier: GPL-2.0-only
/*
 * restore.c - remapctl restore: read a dump (json.c), check every rule of
 * the format on it (core/remap_meta.c), and write a new metadata area
 * that then checks clean.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "remap_args.h"
#include "remap_status.h"
#include "metaimg.h"
#include "json.h"
#include "remapctl.h"

/* Largest dump file restore reads. */
#define MAX_DUMP_BYTES (1ULL << 32)

const char usage_restore[] =
"Usage: remapctl restore <spare_dev> --from <dump.json> [--spare-start N]\n"
"                        [--force]\n"
"\n"
"Write a complete new metadata area (both copies of everything) from a\n"
"dump made by \"remapctl dump --json\": the same uuid, geometry, counters,\n"
"initialized slot blocks (slot_blocks_init) and table, a new commit seq\n"
"and the superblock generation plus one.\n"
"Refused when the dump is inconsistent or does not fit the device.\n"
"\n"
"Options:\n"
"  --from FILE       the JSON dump (\"-\" reads standard input)\n"
"  --spare-start N   where to write; default and only allowed value: the\n"
"                    dump's spare_start (the module checks it)\n"
"  --force           overwrite valid metadata of another uuid\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 restored; 2 refused (bad dump, does not fit, other\n"
"metadata in the way); 3 usage or I/O error.\n";


struct dump {
	struct remap_sb sb;
	u64 seq;
	u64 *slots;		/* init_blocks * PER */
	u64 init_blocks;	/* slot blocks initialized: written */
	u64 nr_slots;		/* slots in them within the capacity */
	u64 *pending;		/* pending_blocks * PER */
	u64 max_sunit;		/* highest used or retired spare unit + 1 */
};

struct reader {
	const char *file;
	char *err;
	size_t errlen;
};

static bool rerr(struct reader *rd, const struct json *at, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

static bool rerr(struct reader *rd, const struct json *at, const char *fmt,
		 ...)
{
	va_list ap;
	int n;

	if (at)
		n = snprintf(rd->err, rd->errlen, "%s: line %u, column %u: ",
			     rd->file, at->line, at->col);
	else
		n = snprintf(rd->err, rd->errlen, "%s: ", rd->file);
	if (n < 0 || (size_t)n >= rd->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(rd->err + n, rd->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

/* Member @key of @obj (named @where in messages) as a u64. */
static bool get_num(struct reader *rd, const struct json *obj,
		    const char *where, const char *key, u64 *out, bool optional,
		    bool *present)
{
	const struct json *v = json_get(obj, key);

	if (present)
		*present = v != NULL;
	if (!v) {
		if (optional)
			return true;
		return rerr(rd, obj, "%s: missing \"%s\"", where, key);
	}
	if (v->type != JSON_NUMBER)
		return rerr(rd, v, "%s: \"%s\" must be a number, not %s", where,
			    key, json_type_name(v->type));
	*out = v->number;
	return true;
}

static bool get_u32(struct reader *rd, const struct json *obj,
		    const char *key, u32 *out)
{
	u64 v = 0;

	if (!get_num(rd, obj, "the dump", key, &v, false, NULL))
		return false;
	if (v > U32_MAX)
		return rerr(rd, json_get(obj, key),
			    "\"%s\" %llu does not fit in 32 bits", key,
			    (unsigned long long)v);
	*out = (u32)v;
	return true;
}

/* Only the members in @known (NULL-terminated) may appear in @obj. */
static bool known_members(struct reader *rd, const struct json *obj,
			  const char *where, const char *const *known)
{
	const char *const *k;
	size_t i;

	for (i = 0; i < obj->n; i++) {
		for (k = known; *k; k++)
			if (!strcmp(*k, obj->keys[i]))
				break;
		if (!*k)
			return rerr(rd, &obj->items[i], "%s: unknown member \"%s\"",
				    where, obj->keys[i]);
	}
	return true;
}

static bool parse_uuid(const char *s, u8 *out)
{
	static const int dash[] = { 8, 13, 18, 23 };
	int i, j = 0, d = 0, h;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
			continue;
		}
		if (s[i] >= '0' && s[i] <= '9')
			h = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			h = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			h = s[i] - 'A' + 10;
		else
			return false;
		if (j % 2)
			out[j / 2] = (u8)(out[j / 2] << 4 | h);
		else
			out[j / 2] = (u8)h;
		j++;
	}
	return true;
}

static const struct json *get_array(struct reader *rd, const struct json *obj,
				    const char *key)
{
	const struct json *v = json_get(obj, key);

	if (!v) {
		rerr(rd, obj, "missing \"%s\"", key);
		return NULL;
	}
	if (v->type != JSON_ARRAY) {
		rerr(rd, v, "\"%s\" must be an array, not %s", key,
		     json_type_name(v->type));
		return NULL;
	}
	return v;
}

/* Check an optional sector member against the value it must have. */
static bool check_sector(struct reader *rd, const struct json *item,
			 const char *where, const char *key, u64 want)
{
	bool present;
	u64 v = 0;

	if (!get_num(rd, item, where, key, &v, true, &present))
		return false;
	if (present && v != want)
		return rerr(rd, json_get(item, key),
			    "%s: \"%s\" is %llu, but the unit says %llu", where,
			    key, (unsigned long long)v,
			    (unsigned long long)want);
	return true;
}

/* Member @key of @root: absent (a dump made before it existed) is "". */
static bool get_id_str(struct reader *rd, const struct json *root,
		       const char *key, const char **out)
{
	const struct json *v = json_get(root, key);

	*out = "";
	if (!v)
		return true;
	if (v->type != JSON_STRING)
		return rerr(rd, v, "\"%s\" must be a string, not %s", key,
			    json_type_name(v->type));
	*out = v->string;
	return true;
}

/*
 * The identity (docs/metadata-format.md, "Identity"): optional members,
 * checked by the codec's rule.
 */
static bool read_identity(struct reader *rd, const struct json *root,
			  struct remap_sb *sb)
{
	const char *name, *serial, *wwn, *err = NULL;
	u64 part = 0;

	if (!get_id_str(rd, root, "name", &name) ||
	    !get_id_str(rd, root, "main_serial", &serial) ||
	    !get_id_str(rd, root, "main_wwn", &wwn) ||
	    !get_num(rd, root, "the dump", "main_partition", &part, true,
		     NULL))
		return false;
	if (part > U32_MAX)
		return rerr(rd, json_get(root, "main_partition"),
			    "\"main_partition\" %llu does not fit in 32 bits",
			    (unsigned long long)part);
	if (remap_identity_set(&sb->id, name, serial, wwn, (u32)part, &err))
		return rerr(rd, root, "%s (name, main_serial, main_wwn: at most 127, 127 and 63 printable characters, no blanks)",
			    err);
	return true;
}

/* The superblock's fields, the layout they imply, and the counters. */
static bool read_superblock(struct reader *rd, const struct json *root,
			    struct dump *d)
{
	static const char *const top_keys[] = {
		"format", "version", "uuid", "instance", "unit_sectors",
		"logical_block_size", "flags", "main_dev_sectors", "main_start",
		"spare_start", "meta_blocks", "data_offset", "slot_capacity",
		"pending_blocks", "slot_blocks", "slot_blocks_init",
		"protect_head", "protect_tail", "protect_tail_first",
		"generation", "format_time", "name", "main_serial", "main_wwn",
		"main_partition",
		"seq", "counters", "remaps", "retired", "pending", NULL,
	};
	struct remap_sb *sb = &d->sb;
	struct remap_meta_layout *l = &sb->layout;
	u64 meta_blocks, data_offset, pending_blocks, slot_blocks, cap;
	const struct json *v;
	u64 instance;
	bool present;
	size_t i;
	int k;

	memset(d, 0, sizeof(*d));
	if (root->type != JSON_OBJECT)
		return rerr(rd, root, "the dump must be a JSON object, not %s",
			    json_type_name(root->type));
	v = json_get(root, "format");
	if (!v || v->type != JSON_STRING ||
	    strcmp(v->string, "dm-remap metadata"))
		return rerr(rd, v ? v : root,
			    "not a dump of dm-remap metadata (\"format\" must be \"dm-remap metadata\"; make one with remapctl dump --json)");
	if (!known_members(rd, root, "the dump", top_keys))
		return false;
	if (!get_u32(rd, root, "version", &sb->version))
		return false;
	if (sb->version != REMAP_META_VERSION &&
	    sb->version != REMAP_META_VERSION_PARTIAL)
		return rerr(rd, json_get(root, "version"),
			    "metadata version %u is not supported (only 1 and 2)",
			    sb->version);
	v = json_get(root, "uuid");
	if (!v)
		return rerr(rd, root, "missing \"uuid\"");
	if (v->type != JSON_STRING || !parse_uuid(v->string, sb->uuid))
		return rerr(rd, v,
			    "\"uuid\" must be a string like \"5eed0001-c0de-4d2e-8a11-00112233445f\"");
	sb->instance = 0;
	for (k = 7; k >= 0; k--)
		sb->instance = sb->instance << 8 | sb->uuid[k];
	if (!get_num(rd, root, "the dump", "instance", &instance, true,
		     &present))
		return false;
	if (present && instance != sb->instance)
		return rerr(rd, json_get(root, "instance"),
			    "\"instance\" %llu is not the uuid's first 8 bytes (%llu)",
			    (unsigned long long)instance,
			    (unsigned long long)sb->instance);
	if (!get_u32(rd, root, "unit_sectors", &sb->unit_sectors) ||
	    !get_u32(rd, root, "logical_block_size", &sb->logical_block_size) ||
	    !get_u32(rd, root, "flags", &sb->flags) ||
	    !get_num(rd, root, "the dump", "main_dev_sectors",
		     &sb->main_dev_sectors, false, NULL) ||
	    !get_num(rd, root, "the dump", "main_start", &sb->main_start,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "spare_start", &sb->spare_start,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "meta_blocks", &meta_blocks, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "data_offset", &data_offset, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "slot_capacity", &cap, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "pending_blocks", &pending_blocks,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "slot_blocks", &slot_blocks, false,
		     NULL) ||
	    !get_num(rd, root, "the dump", "slot_blocks_init",
		     &sb->slot_blocks_init, true, NULL) ||
	    !get_num(rd, root, "the dump", "generation", &sb->generation,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "format_time", &sb->format_time,
		     false, NULL) ||
	    !get_num(rd, root, "the dump", "seq", &d->seq, false, NULL))
		return false;
	if (sb->unit_sectors < 1 || sb->unit_sectors > REMAP_MAX_UNIT_SECTORS ||
	    (sb->unit_sectors & (sb->unit_sectors - 1)))
		return rerr(rd, json_get(root, "unit_sectors"),
			    "\"unit_sectors\" must be a power of two from 1 to %u",
			    REMAP_MAX_UNIT_SECTORS);
	if (!remap_meta_layout(cap, sb->unit_sectors, l))
		return rerr(rd, json_get(root, "slot_capacity"),
			    "\"slot_capacity\" %llu is not possible with %u-sector units",
			    (unsigned long long)cap, sb->unit_sectors);
	if (meta_blocks != l->meta_blocks || data_offset != l->data_offset ||
	    pending_blocks != l->pending_blocks ||
	    slot_blocks != l->slot_blocks)
		return rerr(rd, root,
			    "the layout (meta_blocks %llu, data_offset %llu, pending_blocks %llu, slot_blocks %llu) is not the one of the format for %llu slots of %u sectors (%llu, %llu, %llu, %llu)",
			    (unsigned long long)meta_blocks,
			    (unsigned long long)data_offset,
			    (unsigned long long)pending_blocks,
			    (unsigned long long)slot_blocks,
			    (unsigned long long)cap, sb->unit_sectors,
			    (unsigned long long)l->meta_blocks,
			    (unsigned long long)l->data_offset,
			    (unsigned long long)l->pending_blocks,
			    (unsigned long long)l->slot_blocks);
	/* Absent in dumps made before it existed: 0, all initialized. */
	if (!remap_sb_init_valid(sb->version, sb->slot_blocks_init,
				 l->slot_blocks))
		return rerr(rd, json_get(root, "slot_blocks_init") ?
			    json_get(root, "slot_blocks_init") : root,
			    "\"slot_blocks_init\" %llu does not go with version %u and %llu slot blocks (version 1: 0, all initialized; version 2: 1 to %llu)",
			    (unsigned long long)sb->slot_blocks_init,
			    sb->version, (unsigned long long)l->slot_blocks,
			    (unsigned long long)(l->slot_blocks - 1));
	/* Absent in dumps made before the protective mode: not protected. */
	{
		u64 ph = 0, pt = 0, pf = 0;

		if (!get_num(rd, root, "the dump", "protect_head", &ph, true,
			     NULL) ||
		    !get_num(rd, root, "the dump", "protect_tail", &pt, true,
			     NULL) ||
		    !get_num(rd, root, "the dump", "protect_tail_first", &pf,
			     true, NULL))
			return false;
		sb->prot.head = (u32)ph;
		sb->prot.tail = (u32)pt;
		sb->prot.tail_first = pf;
		if (ph > U32_MAX || pt > U32_MAX ||
		    !remap_protect_valid(&sb->prot,
					 remap_protect_main_units(sb->main_dev_sectors,
								  sb->main_start,
								  sb->unit_sectors)))
			return rerr(rd, root,
				    "the protection (protect_head %llu, protect_tail %llu, protect_tail_first %llu) does not fit the main device",
				    (unsigned long long)ph,
				    (unsigned long long)pt,
				    (unsigned long long)pf);
	}
	d->init_blocks = remap_sb_init_blocks(sb);
	d->nr_slots = remap_meta_block_slots(l, d->init_blocks);
	if (sb->generation == U64_MAX || d->seq == U64_MAX)
		return rerr(rd, root, "\"generation\" or \"seq\" cannot be raised");

	if (!read_identity(rd, root, sb))
		return false;

	v = json_get(root, "counters");
	if (!v)
		return rerr(rd, root, "missing \"counters\"");
	if (v->type != JSON_ARRAY || v->n != REMAP_META_NR_COUNTERS)
		return rerr(rd, v, "\"counters\" must be an array of %u numbers",
			    REMAP_META_NR_COUNTERS);
	for (i = 0; i < REMAP_META_NR_COUNTERS; i++) {
		if (v->items[i].type != JSON_NUMBER)
			return rerr(rd, &v->items[i],
				    "\"counters\"[%zu] must be a number", i);
		sb->counters[i] = v->items[i].number;
	}

	return true;
}

/* A spare unit of a dump's entry: inside the slot table and its initialized blocks. */
static bool check_sunit(struct reader *rd, const struct json *it,
			const char *where, const struct dump *d, u64 sunit)
{
	u64 cap = d->sb.layout.slot_capacity;

	if (sunit >= cap)
		return rerr(rd, it, "%s: spare unit %llu is beyond the slot capacity %llu",
			    where, (unsigned long long)sunit,
			    (unsigned long long)cap);
	if (sunit >= d->nr_slots)
		return rerr(rd, it, "%s: spare unit %llu is beyond the initialized slot blocks (%llu slots)",
			    where, (unsigned long long)sunit,
			    (unsigned long long)d->nr_slots);
	return true;
}

/*
 * Item @i of the array @name (@arr): an object with no member but @keys,
 * and its unit number @key in *@unit.  @where (WHERE_LEN bytes) is set to
 * the item's name for messages.  NULL after an error.
 */
#define WHERE_LEN 64
static const struct json *read_item(struct reader *rd, const struct json *arr,
				    const char *name, size_t i,
				    const char *const *keys, const char *key,
				    u64 *unit, char *where)
{
	const struct json *it = &arr->items[i];

	snprintf(where, WHERE_LEN, "\"%s\"[%zu]", name, i);
	if (it->type != JSON_OBJECT) {
		rerr(rd, it, "%s must be an object", where);
		return NULL;
	}
	if (!known_members(rd, it, where, keys) ||
	    !get_num(rd, it, where, key, unit, false, NULL))
		return NULL;
	return it;
}

/* A logical unit of the main device (@limit units)? */
static bool check_lunit(struct reader *rd, const struct json *it,
			const char *where, u64 lunit, u64 limit)
{
	if (lunit >= limit)
		return rerr(rd, it, "%s: logical unit %llu is beyond the main device (%llu units)",
			    where, (unsigned long long)lunit,
			    (unsigned long long)limit);
	return true;
}

/* "remaps": each spare unit and each logical unit at most once. */
static bool read_remaps(struct reader *rd, const struct json *root,
			struct dump *d, u64 limit, u64 base)
{
	static const char *const remap_keys[] = {
		"lunit", "sunit", "logical_sector", "spare_sector", NULL,
	};
	const struct remap_sb *sb = &d->sb;
	u64 lunit, sunit;
	const struct json *arr, *it;
	char where[WHERE_LEN];
	size_t i;

	arr = get_array(rd, root, "remaps");
	if (!arr)
		return false;
	for (i = 0; i < arr->n; i++) {
		it = read_item(rd, arr, "remaps", i, remap_keys, "lunit", &lunit,
			       where);
		if (!it || !get_num(rd, it, where, "sunit", &sunit, false, NULL) ||
		    !check_sunit(rd, it, where, d, sunit) ||
		    !check_lunit(rd, it, where, lunit, limit))
			return false;
		if (d->slots[sunit])
			return rerr(rd, it, "%s: spare unit %llu is used twice",
				    where, (unsigned long long)sunit);
		if (!check_sector(rd, it, where, "logical_sector",
				  sat_mul_add(lunit, sb->unit_sectors, 0)) ||
		    !check_sector(rd, it, where, "spare_sector",
				  sat_mul_add(sunit, sb->unit_sectors, base)))
			return false;
		d->slots[sunit] = lunit + 1;
		if (sunit + 1 > d->max_sunit)
			d->max_sunit = sunit + 1;
	}
	/* Each logical unit once: sort a copy of the lunits. */
	if (arr->n) {
		struct remap_entry *e = malloc(arr->n * sizeof(*e));
		size_t n = 0;

		if (!e)
			return rerr(rd, NULL, "out of memory");
		for (sunit = 0; sunit < d->nr_slots; sunit++)
			if (d->slots[sunit]) {
				e[n].lunit = d->slots[sunit] - 1;
				e[n].sunit = sunit;
				n++;
			}
		remap_index_sort(e, n);
		for (i = 1; i < n; i++)
			if (e[i].lunit == e[i - 1].lunit) {
				lunit = e[i].lunit;
				free(e);
				return rerr(rd, arr,
					    "\"remaps\": logical unit %llu is remapped twice",
					    (unsigned long long)lunit);
			}
		free(e);
	}

	return true;
}

/* "retired": spare units no longer used, none of them in use. */
static bool read_retired(struct reader *rd, const struct json *root,
			 struct dump *d, u64 base)
{
	static const char *const retired_keys[] = {
		"sunit", "spare_sector", NULL,
	};
	const struct remap_sb *sb = &d->sb;
	u64 sunit;
	const struct json *arr, *it;
	char where[WHERE_LEN];
	size_t i;

	arr = get_array(rd, root, "retired");
	if (!arr)
		return false;
	for (i = 0; i < arr->n; i++) {
		it = read_item(rd, arr, "retired", i, retired_keys, "sunit",
			       &sunit, where);
		if (!it || !check_sunit(rd, it, where, d, sunit))
			return false;
		if (d->slots[sunit])
			return rerr(rd, it, "%s: spare unit %llu is used twice",
				    where, (unsigned long long)sunit);
		if (!check_sector(rd, it, where, "spare_sector",
				  sat_mul_add(sunit, sb->unit_sectors, base)))
			return false;
		d->slots[sunit] = REMAP_SLOT_RETIRED;
		if (sunit + 1 > d->max_sunit)
			d->max_sunit = sunit + 1;
	}

	return true;
}

/* "pending": logical units that wait for a write. */
static bool read_pending(struct reader *rd, const struct json *root,
			 struct dump *d, u64 limit)
{
	static const char *const pending_keys[] = {
		"lunit", "logical_sector", NULL,
	};
	const struct remap_sb *sb = &d->sb;
	const struct remap_meta_layout *l = &sb->layout;
	const struct json *arr, *it;
	char where[WHERE_LEN];
	size_t i;
	u64 lunit;

	arr = get_array(rd, root, "pending");
	if (!arr)
		return false;
	if (arr->n > l->pending_blocks * PER)
		return rerr(rd, arr, "\"pending\": %zu entries, the format holds %llu",
			    arr->n, (unsigned long long)(l->pending_blocks * PER));
	for (i = 0; i < arr->n; i++) {
		it = read_item(rd, arr, "pending", i, pending_keys, "lunit",
			       &lunit, where);
		if (!it || !check_lunit(rd, it, where, lunit, limit))
			return false;
		if (!check_sector(rd, it, where, "logical_sector",
				  sat_mul_add(lunit, sb->unit_sectors, 0)))
			return false;
		d->pending[i] = lunit + 1;
	}
	return true;
}

static int cmp_lunit_entry(const void *a, const void *b)
{
	const struct remap_entry *x = a, *y = b;

	return x->lunit < y->lunit ? -1 : x->lunit > y->lunit;
}

/* Every protected unit must be remapped (the module's rule). */
static bool protected_remapped(struct reader *rd, const struct json *root,
			       struct dump *d)
{
	u64 i, total = d->init_blocks * PER, miss;
	struct remap_entry *e;
	size_t n = 0;
	bool ok;

	if (!remap_protect_on(&d->sb.prot))
		return true;
	e = malloc((total ? total : 1) * sizeof(*e));
	if (!e)
		return rerr(rd, NULL, "out of memory");
	for (i = 0; i < total; i++)
		if (d->slots[i] != REMAP_SLOT_FREE &&
		    d->slots[i] != REMAP_SLOT_RETIRED) {
			e[n].lunit = d->slots[i] - 1;
			e[n].sunit = i;
			n++;
		}
	qsort(e, n, sizeof(*e), cmp_lunit_entry);
	ok = remap_protect_all_remapped(&d->sb.prot, e, n, &miss);
	free(e);
	if (!ok)
		return rerr(rd, root,
			    "logical unit %llu is protected but not remapped (its data would be the member signature)",
			    (unsigned long long)miss);
	return true;
}

/* A whole dump into @d, every rule of the format checked. */
static bool read_dump(struct reader *rd, const struct json *root,
		      struct dump *d)
{
	const struct remap_sb *sb = &d->sb;
	const struct remap_meta_layout *l = &sb->layout;
	u64 limit, base, cap;

	if (!read_superblock(rd, root, d))
		return false;
	cap = l->slot_capacity;
	d->slots = calloc(d->init_blocks * PER, sizeof(u64));
	d->pending = calloc(l->pending_blocks * PER, sizeof(u64));
	if (!d->slots || !d->pending)
		return rerr(rd, NULL, "out of memory for %llu slots",
			    (unsigned long long)cap);
	limit = meta_lunit_limit(sb);
	base = sb->spare_start + l->data_offset;
	if (base < sb->spare_start)
		return rerr(rd, root, "\"spare_start\" is out of range");

	if (!read_remaps(rd, root, d, limit, base) ||
	    !read_retired(rd, root, d, base) ||
	    !read_pending(rd, root, d, limit))
		return false;
	return protected_remapped(rd, root, d);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, n = 0;
	char *buf, *t;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		if (cap >= MAX_DUMP_BYTES) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		cap *= 2;
		t = realloc(buf, cap);
		if (!t)
			free(buf);
		buf = t;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* Encode and write blocks [first, first + nr) of a region, one copy. */
static int write_region(int fd, u64 start, u32 magic, u64 instance, u64 seq,
			u64 region, u64 nr, const u64 *entries, u8 *buf)
{
	u64 first = 0, i;

	while (first < nr) {
		u64 n = nr - first;

		if (n > 256)
			n = 256;
		for (i = 0; i < n; i++)
			remap_entries_encode(magic, instance, region + first + i,
					     seq, entries + (first + i) * PER,
					     buf + i * BS);
		if (write_at(fd, buf, n * BS, (start << 9) +
			     (region + first) * BS))
			return -1;
		first += n;
	}
	return 0;
}

/*
 * Read and check the dump @o->from into @d.  0, or an exit status after
 * saying why (@d's arrays are then freed or never allocated).
 */
static int restore_read(const struct opts *o, struct dump *d)
{
	struct json *root = NULL;
	struct reader rd;
	char err[512];
	size_t len;
	char *text;
	bool ok;

	memset(d, 0, sizeof(*d));
	text = read_file(o->from, &len);
	if (!text) {
		fprintf(stderr, "remapctl restore: %s: %s\n", o->from,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (json_parse(text, len, &root, err, sizeof(err))) {
		fprintf(stderr, "remapctl restore: %s: not valid JSON: %s\n",
			o->from, err);
		free(text);
		return EXIT_BROKEN;
	}
	free(text);
	rd.file = o->from;
	rd.err = err;
	rd.errlen = sizeof(err);
	ok = read_dump(&rd, root, d);
	json_free(root);
	if (!ok) {
		fprintf(stderr, "remapctl restore: %s\n", err);
		free(d->slots);
		free(d->pending);
		return EXIT_BROKEN;
	}
	return 0;
}

/*
 * Whether the dump may go to the device @m is open on: it fits, and no
 * metadata of another uuid is there (unless --force).  0, or an exit
 * status after saying why.
 */
static int restore_fits(struct meta_img *m, const struct dump *d,
			const struct opts *o)
{
	const struct remap_meta_layout *l = &d->sb.layout;
	u64 dev_sectors = m->dev_bytes >> 9, end, area;
	char uuid[37];

	/* The metadata, one unit and every unit in use on the device. */
	area = d->max_sunit > 1 ? d->max_sunit : 1;
	end = o->spare_start + l->data_offset;
	if (end < o->spare_start || end > dev_sectors ||
	    (dev_sectors - end) >> __builtin_ctz(d->sb.unit_sectors) < area) {
		fprintf(stderr, "remapctl restore: the dump does not fit %s (%llu sectors): it needs %llu metadata sectors from sector %llu and %llu spare unit%s of %u sectors after them\n",
			o->dev, (unsigned long long)dev_sectors,
			(unsigned long long)l->data_offset,
			(unsigned long long)o->spare_start,
			(unsigned long long)area, area == 1 ? "" : "s",
			d->sb.unit_sectors);
		return EXIT_BROKEN;
	}
	/* Do not overwrite somebody else's metadata without --force. */
	if (meta_load(m))
		return EXIT_USAGE;
	if (m->sb_pick >= 0 && memcmp(m->sb.uuid, d->sb.uuid, 16) &&
	    !o->force) {
		uuid_format(m->sb.uuid, uuid);
		fprintf(stderr, "remapctl restore: %s holds dm-remap metadata of another uuid (%s) at sector %llu; use --force to overwrite it\n",
			o->dev, uuid, (unsigned long long)o->spare_start);
		return EXIT_BROKEN;
	}
	return 0;
}

/*
 * Write the dump as the commit after its own: tables first (A, then B),
 * then superblock B, then A; of the slot blocks, the initialized ones
 * only (the others hold nothing).  0, or -1 with errno set.
 */
static int restore_write(int fd, struct dump *d, u64 spare_start)
{
	const struct remap_meta_layout *l = &d->sb.layout;
	u64 seq = d->seq + 1;
	u8 *buf = malloc(256 * BS);
	int r = -1;

	if (!buf)
		return -1;
	d->sb.seq = seq;
	d->sb.generation++;
	if (write_region(fd, spare_start, REMAP_MAGIC_PENDING, d->sb.instance,
			 seq, l->pending_a, l->pending_blocks, d->pending,
			 buf) ||
	    write_region(fd, spare_start, REMAP_MAGIC_SLOTS, d->sb.instance,
			 seq, l->slots_a, d->init_blocks, d->slots, buf) ||
	    fsync(fd) ||
	    write_region(fd, spare_start, REMAP_MAGIC_PENDING, d->sb.instance,
			 seq, l->pending_b, l->pending_blocks, d->pending,
			 buf) ||
	    write_region(fd, spare_start, REMAP_MAGIC_SLOTS, d->sb.instance,
			 seq, l->slots_b, d->init_blocks, d->slots, buf) ||
	    fsync(fd))
		goto out;
	remap_sb_encode(&d->sb, 1, buf);
	if (write_at(fd, buf, BS, (spare_start << 9) + BS) || fsync(fd))
		goto out;
	remap_sb_encode(&d->sb, 0, buf);
	if (write_at(fd, buf, BS, spare_start << 9) || fsync(fd))
		goto out;
	r = 0;
out:
	free(buf);
	return r;
}

int cmd_restore(int argc, char **argv)
{
	const struct remap_meta_layout *l;
	struct meta_img m;
	struct dump d;
	struct opts o;
	char uuid[37];
	int r, status;

	r = parse_opts("restore", usage_restore, "sfF", argc, argv, &o);
	if (r >= 0)
		return r;
	if (!o.from)
		return uerr("restore", "missing --from <dump.json>");
	r = restore_read(&o, &d);
	if (r)
		return r;
	l = &d.sb.layout;
	status = EXIT_BROKEN;
	if (!o.have_spare_start)
		o.spare_start = d.sb.spare_start;
	if (o.spare_start != d.sb.spare_start) {
		fprintf(stderr, "remapctl restore: the dump is for spare_start %llu, not %llu (the module only loads metadata where its superblock says it is)\n",
			(unsigned long long)d.sb.spare_start,
			(unsigned long long)o.spare_start);
		goto out_dump;
	}
	if (meta_open(&m, o.dev, o.spare_start, true)) {
		status = EXIT_USAGE;
		goto out_dump;
	}
	status = restore_fits(&m, &d, &o);
	if (status)
		goto out_close;
	if (restore_write(m.fd, &d, o.spare_start)) {
		fprintf(stderr, "remapctl restore: %s: write error: %s\n",
			o.dev, strerror(errno));
		status = EXIT_USAGE;
		goto out_close;
	}
	/* Read it back: it must check clean. */
	status = EXIT_USAGE;
	if (meta_load(&m))
		goto out_close;
	if (m.severity != SEV_NOTE || m.sb.generation != d.sb.generation) {
		fprintf(stderr, "remapctl restore: %s: the metadata written does not read back clean:\n",
			o.dev);
		print_problems(&m);
		goto out_close;
	}
	uuid_format(d.sb.uuid, uuid);
	printf("remapctl restore: wrote %llu metadata blocks to %s at sector %llu: uuid %s, generation %llu, seq %llu; %llu remapped, %llu retired, %llu pending\n",
	       (unsigned long long)(2 + 2 * l->pending_blocks +
				    2 * d.init_blocks), o.dev,
	       (unsigned long long)o.spare_start, uuid,
	       (unsigned long long)d.sb.generation,
	       (unsigned long long)d.sb.seq,
	       (unsigned long long)m.nr_remapped,
	       (unsigned long long)m.nr_retired,
	       (unsigned long long)m.nr_pending);
	status = EXIT_HEALTHY;
out_close:
	meta_close(&m);
out_dump:
	free(d.slots);
	free(d.pending);
	return status;
}
