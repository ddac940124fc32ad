// SPDX-License-Identifier: GPL-2.0-only
/*
 * bblist.c - bad-block lists for "remapctl import" (see bblist.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bblist.h"

void bb_list_init(struct bb_list *l)
{
	memset(l, 0, sizeof(*l));
}

void bb_list_free(struct bb_list *l)
{
	free(l->x);
	bb_list_init(l);
}

bool bb_block_size_ok(u64 bs)
{
	return bs >= 512 && bs <= (1ULL << 30) && !(bs % 512);
}

/* Append [first, last]; merged into the last extent when they touch. */
static int bb_add(struct bb_list *l, u64 first, u64 last)
{
	struct bb_extent *t;
	size_t cap;

	if (l->n) {
		t = &l->x[l->n - 1];
		if (first >= t->first && (first <= t->last ||
					  first - 1 == t->last)) {
			if (last > t->last)
				t->last = last;
			return 0;
		}
	}
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 1024;
		t = realloc(l->x, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		l->x = t;
		l->cap = cap;
	}
	l->x[l->n].first = first;
	l->x[l->n].last = last;
	l->n++;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

int bb_parse_line(const struct bb_opts *o, const char *line,
		  struct bb_list *l, char *err, size_t errlen)
{
	u64 per = o->block_size / 512, v = 0, first, last;
	const char *s = line;
	size_t len, i;

	while (is_blank(*s))
		s++;
	len = strlen(s);
	while (len && is_blank(s[len - 1]))
		len--;
	if (!len || *s == '#')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9') {
			snprintf(err, errlen, "'%.*s' is not a %s number",
				 (int)(len > 40 ? 40 : len), s,
				 o->sectors ? "sector" : "block");
			return -EINVAL;
		}
		d = (unsigned int)(s[i] - '0');
		if (v > (U64_MAX - d) / 10) {
			snprintf(err, errlen, "'%.*s' is too large",
				 (int)(len > 40 ? 40 : len), s);
			return -EINVAL;
		}
		v = v * 10 + d;
	}
	if (v > U64_MAX / per || v * per >= o->dev_sectors) {
		snprintf(err, errlen,
			 "%s %llu is beyond the end of the device (%llu sectors%s)",
			 o->sectors ? "sector" : "block",
			 (unsigned long long)v,
			 (unsigned long long)o->dev_sectors,
			 o->sectors ? "" : ", wrong --block-size?");
		return -EINVAL;
	}
	first = v * per;
	last = first + per - 1;
	if (last >= o->dev_sectors)
		last = o->dev_sectors - 1;
	l->entries++;
	return bb_add(l, first, last);
}

/* A mapfile number: "0x..." hex or decimal, whole word. */
static int dd_number(const char **p, u64 *out)
{
	const char *s = *p;
	unsigned int base = 10, d;
	u64 v = 0;
	int n = 0;

	while (is_blank(*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, n++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (v > (U64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (!n || (*s && !is_blank(*s)))
		return -EINVAL;
	*out = v;
	*p = s;
	return 0;
}

int bb_parse_ddrescue_line(const struct bb_opts *o, const char *line,
			   bool *status_seen, struct bb_list *l, char *err,
			   size_t errlen)
{
	const char *s = line, *t;
	u64 pos, size, first, last;
	char st;

	while (is_blank(*s))
		s++;
	if (!*s || *s == '#')
		return 0;
	if (dd_number(&s, &pos))
		goto bad;
	if (!*status_seen) {
		/* "<current_pos> <current_status> [<current_pass>]" */
		while (is_blank(*s))
			s++;
		if (!*s || !strchr("?*/-FGR+", *s) || (s[1] && !is_blank(s[1])))
			goto bad;
		*status_seen = true;
		return 0;
	}
	if (dd_number(&s, &size))
		goto bad;
	while (is_blank(*s))
		s++;
	st = *s;
	if (!st || !strchr("?*/-+", st))
		goto bad;
	for (t = s + 1; *t; t++)
		if (!is_blank(*t))
			goto bad;
	if (st != '-' || !size)
		return 0;
	if (pos % 512 || size % 512) {
		snprintf(err, errlen,
			 "bad area at byte %llu, %llu bytes, is not in whole 512-byte sectors",
			 (unsigned long long)pos, (unsigned long long)size);
		return -EINVAL;
	}
	first = pos / 512;
	last = first + size / 512 - 1;
	if (last < first || last >= o->dev_sectors) {
		snprintf(err, errlen,
			 "bad area at byte %llu, %llu bytes, is beyond the end of the device (%llu sectors)",
			 (unsigned long long)pos, (unsigned long long)size,
			 (unsigned long long)o->dev_sectors);
		return -EINVAL;
	}
	l->entries++;
	return bb_add(l, first, last);
bad:
	snprintf(err, errlen, "'%.*s' is not a ddrescue mapfile line",
		 (int)(strcspn(line, "\n") > 60 ? 60 : strcspn(line, "\n")),
		 line);
	return -EINVAL;
}

int bb_parse_file(FILE *f, const struct bb_opts *o, struct bb_list *l,
		  u64 *lineno, char *err, size_t errlen)
{
	char *line = NULL, msg[256];
	bool status_seen = false;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	*lineno = 0;
	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		++*lineno;
		if (memchr(line, '\0', (size_t)n)) {
			snprintf(err, errlen, "line %llu: NUL byte (not a text list)",
				 (unsigned long long)*lineno);
			r = -EINVAL;
			break;
		}
		r = o->ddrescue ?
		    bb_parse_ddrescue_line(o, line, &status_seen, l, msg,
					   sizeof(msg)) :
		    bb_parse_line(o, line, l, msg, sizeof(msg));
		if (r == -ENOMEM) {
			snprintf(err, errlen, "out of memory at line %llu",
				 (unsigned long long)*lineno);
			break;
		}
		if (r) {
			snprintf(err, errlen, "line %llu: %s",
				 (unsigned long long)*lineno, msg);
			break;
		}
	}
	if (!r && ferror(f)) {
		snprintf(err, errlen, "read error: %s", strerror(errno ? errno : EIO));
		r = -EIO;
	}
	free(line);
	return r;
}

static int bb_cmp(const void *a, const void *b)
{
	const struct bb_extent *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

void bb_to_units(struct bb_list *l, u32 unit_sectors)
{
	unsigned int shift = (unsigned int)__builtin_ctz(unit_sectors);
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		l->x[i].first >>= shift;
		l->x[i].last >>= shift;
	}
	/* Lists come sorted (badblocks, ddrescue): then one pass checks it. */
	for (i = 1; i < l->n && bb_cmp(&l->x[i - 1], &l->x[i]) <= 0; i++)
		;
	if (i < l->n)
		qsort(l->x, l->n, sizeof(*l->x), bb_cmp);
	for (i = 0; i < l->n; i++) {
		if (n && l->x[i].first <= l->x[n - 1].last + 1) {
			if (l->x[i].last > l->x[n - 1].last)
				l->x[n - 1].last = l->x[i].last;
			continue;
		}
		l->x[n++] = l->x[i];
	}
	l->n = n;
}

u64 bb_count_units(const struct bb_list *l)
{
	u64 t = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		t += l->x[i].last - l->x[i].first + 1;
	return t;
}

void bb_cursor_init(struct bb_cursor *c, const struct bb_list *l,
		    u32 unit_sectors, u64 dev_sectors)
{
	c->l = l;
	c->i = 0;
	c->next = l->n ? l->x[0].first : 0;
	c->unit_sectors = unit_sectors;
	c->dev_sectors = dev_sectors;
	c->zero_fill = false;
}

/*
 * " <v>" at @p, digits of @v in decimal; returns the length.  A million
 * units make two million numbers: snprintf() was a tenth of an import's
 * CPU time.
 */
static size_t bb_put_u64(char *p, char lead, u64 v)
{
	char tmp[20];
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	p[len++] = lead;
	while (n)
		p[len++] = tmp[--n];
	return len;
}

u64 bb_next_message(struct bb_cursor *c, char *buf, size_t size,
		    u64 max_units)
{
	size_t len;
	u64 units = 0, take, sector, nr;
	char one[48];
	size_t w;

	len = (size_t)snprintf(buf, size, "remap_many%s",
			       c->zero_fill ? " zero_fill" : "");
	while (c->i < c->l->n && units < max_units) {
		const struct bb_extent *x = &c->l->x[c->i];

		take = x->last - c->next + 1;
		if (take > max_units - units)
			take = max_units - units;
		sector = c->next * c->unit_sectors;
		nr = take * c->unit_sectors;
		if (nr > c->dev_sectors - sector)
			nr = c->dev_sectors - sector;
		w = bb_put_u64(one, ' ', sector);
		if (nr != 1)
			w += bb_put_u64(one + w, '+', nr);
		one[w] = '\0';
		if (len + w + 1 > size)
			break;
		memcpy(buf + len, one, w + 1);
		len += w;
		units += take;
		c->next += take;
		if (c->next > x->last) {
			c->i++;
			if (c->i < c->l->n)
				c->next = c->l->x[c->i].first;
		}
	}
	return units;
}
