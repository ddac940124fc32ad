// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_tab.c - parsing /etc/remaptab lines and writing the table line's
 * parameters from them.  See remap_tab.h and remaptab(5).
 */
#include "remap_tab.h"

static int rt_fail(const char **error, const char *msg)
{
	if (error)
		*error = msg;
	return -EINVAL;
}

static bool rt_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split off the next blank-separated field; NULL at the end of the line. */
static char *rt_field(char **pos)
{
	char *p = *pos, *start;

	while (rt_blank(*p))
		p++;
	if (!*p) {
		*pos = p;
		return NULL;
	}
	start = p;
	while (*p && !rt_blank(*p))
		p++;
	if (*p)
		*p++ = '\0';
	*pos = p;
	return start;
}

bool remap_tab_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n > REMAP_TAB_NAME_MAX || name[0] == '-')
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '+' || c == '-'))
			return false;
	}
	return true;
}

/* An absolute path with no "//", no "/./" or "/../" parts. */
static bool rt_path_ok(const char *p)
{
	const char *s;

	if (p[0] != '/' || strlen(p) >= REMAP_TAB_LINE_MAX)
		return false;
	for (s = p; *s; s++) {
		if (*s != '/')
			continue;
		if (s[1] == '/' || !s[1])
			return false;
		if (s[1] == '.' && (s[2] == '/' || !s[2]))
			return false;
		if (s[1] == '.' && s[2] == '.' && (s[3] == '/' || !s[3]))
			return false;
	}
	return true;
}

/*
 * The options that set a field of struct remap_tab_entry: "key=N", a
 * number of sectors (above 0 for RT_NONZERO), or "key" alone, a flag;
 * the errors when one is given twice (@dup) or with a wrong value (@bad).
 */
enum rt_kind { RT_SECTORS, RT_NONZERO, RT_FLAG };

struct rt_field_opt {
	const char *key;
	size_t off;
	enum rt_kind kind;
	const char *dup, *bad;
};

#define RT_OPT(k, kind, bad) { #k, offsetof(struct remap_tab_entry, k), kind, \
	"Duplicate option " #k, bad }

static const struct rt_field_opt rt_fields[] = {
	RT_OPT(main_start, RT_SECTORS, "main_start needs a number of sectors (main_start=N)"),
	RT_OPT(spare_start, RT_SECTORS, "spare_start needs a number of sectors (spare_start=N)"),
	RT_OPT(spare_len, RT_NONZERO, "spare_len needs a number of sectors above 0 (spare_len=N)"),
	RT_OPT(len, RT_NONZERO, "len needs a number of sectors above 0 (len=N)"),
	RT_OPT(noauto, RT_FLAG, "noauto takes no value"),
	RT_OPT(protect, RT_FLAG, "protect takes no value"),
	RT_OPT(initramfs, RT_FLAG, "initramfs takes no value"),
};

#define RT_NR_FIELDS ARRAY_SIZE(rt_fields)

/*
 * Option @word (=@val) if it is one of rt_fields (@seen: which were
 * given): 0 or -EINVAL; 1 if it is none of them.
 */
static int rt_option(struct remap_tab_entry *e, const char *word, char *val,
		     bool *seen, const char **error)
{
	const struct rt_field_opt *o;
	void *field;
	size_t i;

	for (i = 0; i < RT_NR_FIELDS; i++) {
		o = &rt_fields[i];
		if (strcmp(word, o->key))
			continue;
		field = (char *)e + o->off;
		if (o->kind == RT_FLAG && val)
			return rt_fail(error, o->bad);
		if (seen[i])
			return rt_fail(error, o->dup);
		seen[i] = true;
		if (o->kind == RT_FLAG) {
			*(bool *)field = true;
			return 0;
		}
		if (!val || remap_parse_u64(val, field) ||
		    (o->kind == RT_NONZERO && !*(u64 *)field))
			return rt_fail(error, o->bad);
		return 0;
	}
	return 1;
}

static int rt_feature(struct remap_tab_entry *e, char *key, char *val,
		      const char **error)
{
	if (e->nr_feat + (val ? 2 : 1) > REMAP_TAB_MAX_FEAT)
		return rt_fail(error, "Duplicate option");
	e->feat[e->nr_feat++] = key;
	if (val)
		e->feat[e->nr_feat++] = val;
	return 0;
}

static int rt_options(char *opts, struct remap_tab_entry *e,
		      const char **error)
{
	bool seen[RT_NR_FIELDS] = { false };
	char *p = opts;
	int r, k;

	if (!strcmp(opts, "-") || !strcmp(opts, "defaults"))
		return 0;

	while (p) {
		char *word = p, *comma = strchr(p, ',');
		char *val = NULL, *eq;

		if (comma) {
			*comma = '\0';
			p = comma + 1;
		} else {
			p = NULL;
		}
		if (!*word)
			return rt_fail(error, "Empty option (two commas, or a comma at an end)");
		eq = strchr(word, '=');
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}

		r = rt_option(e, word, val, seen, error);
		if (r < 0)
			return r;
		if (!r)
			continue;
		k = remap_feature_find(word);
		if (k < 0)
			return rt_fail(error, strcmp(word, "defaults") ?
				       "Unknown option" :
				       "defaults cannot be combined with other options");
		/* "word=N" for a feature with a value, "word" for the others */
		if (remap_feature_words[k].value ? !val || !*val : !!val)
			return rt_fail(error, remap_feature_words[k].tab_bad);
		r = rt_feature(e, word, val, error);
		if (r)
			return r;
	}

	/* The feature words, checked by the table line's own parser. */
	e->features.read_retries = REMAP_DEFAULT_READ_RETRIES;
	if (remap_parse_features(e->nr_feat, e->feat, 0, &e->features, error))
		return -EINVAL;
	/* Nothing would record the protection of a volatile table. */
	if (e->protect && e->features.volatile_table)
		return rt_fail(error, "protect needs persistent metadata: not with volatile");
	return 0;
}

int remap_tab_parse_line(char *line, struct remap_tab_entry *e,
			 const char **error)
{
	char *pos = line, *opts, *extra;
	const char *c;

	memset(e, 0, sizeof(*e));
	e->features.read_retries = REMAP_DEFAULT_READ_RETRIES;

	if (strlen(line) > REMAP_TAB_LINE_MAX)
		return rt_fail(error, "Line too long");
	for (c = line; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return rt_fail(error, "Control character in line");

	e->name = rt_field(&pos);
	if (!e->name)
		return 0;
	if (e->name[0] == '#') {
		e->name = NULL;
		return 0;
	}
	e->main_dev = rt_field(&pos);
	e->spare_dev = rt_field(&pos);
	opts = rt_field(&pos);
	extra = rt_field(&pos);

	if (!remap_tab_name_ok(e->name))
		return rt_fail(error,
			       "Invalid name: 1 to 127 of A-Z a-z 0-9 _ . + -, not starting with -");
	if (!e->main_dev || !e->spare_dev)
		return rt_fail(error,
			       "Missing field: <name> <main_dev> <spare_dev> [<options>]");
	if (extra)
		return rt_fail(error,
			       "Too many fields: <name> <main_dev> <spare_dev> [<options>]");
	if (!rt_path_ok(e->main_dev))
		return rt_fail(error, "main_dev must be an absolute path (such as /dev/disk/by-id/...)");
	if (!rt_path_ok(e->spare_dev))
		return rt_fail(error, "spare_dev must be an absolute path (such as /dev/disk/by-id/...)");
	if (!strcmp(e->main_dev, e->spare_dev))
		return rt_fail(error,
			       "main_dev and spare_dev are the same (a spare region on the main device is not supported in remaptab)");
	if (opts)
		return rt_options(opts, e, error) ? -EINVAL : 1;
	return 1;
}

int remap_tab_conflict(const struct remap_tab_entry *a,
		       const struct remap_tab_entry *b, const char **error)
{
	if (!strcmp(a->name, b->name))
		return rt_fail(error, "Name used by an earlier entry");
	if (!strcmp(a->main_dev, b->main_dev) ||
	    !strcmp(a->main_dev, b->spare_dev) ||
	    !strcmp(a->spare_dev, b->main_dev) ||
	    !strcmp(a->spare_dev, b->spare_dev))
		return rt_fail(error, "Device used by an earlier entry");
	return 0;
}

/* Append s to buf[*at ..); counts past size so the caller sees the need. */
static void rt_put(char *buf, size_t size, size_t *at, const char *s)
{
	for (; *s; s++, (*at)++)
		if (*at + 1 < size)
			buf[*at] = *s;
}

static void rt_put_u64(char *buf, size_t size, size_t *at, u64 v)
{
	char d[21];
	int i = 20;

	d[i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	rt_put(buf, size, at, d + i);
}

int remap_tab_format_params(const struct remap_tab_entry *e, const char *main,
			    const char *spare, u64 spare_len, char *buf,
			    size_t size)
{
	size_t at = 0;
	unsigned int i;

	rt_put(buf, size, &at, main);
	rt_put(buf, size, &at, " ");
	rt_put_u64(buf, size, &at, e->main_start);
	rt_put(buf, size, &at, " ");
	rt_put(buf, size, &at, spare);
	rt_put(buf, size, &at, " ");
	rt_put_u64(buf, size, &at, e->spare_start);
	rt_put(buf, size, &at, " ");
	rt_put_u64(buf, size, &at, spare_len);
	if (e->nr_feat) {
		rt_put(buf, size, &at, " ");
		rt_put_u64(buf, size, &at, e->nr_feat);
		for (i = 0; i < e->nr_feat; i++) {
			rt_put(buf, size, &at, " ");
			rt_put(buf, size, &at, e->feat[i]);
		}
	}
	if (size)
		buf[at < size ? at : size - 1] = '\0';
	if (at >= size || at > INT_MAX)
		return -ENOSPC;
	return (int)at;
}
