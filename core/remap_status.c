// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_status.c - parse a remap device's status line and stats answer
 * into named fields (see remap_status.h).
 */
#include "remap_status.h"
#include "remap_args.h"

const struct remap_field_info remap_fields[REMAP_NR_FIELDS] = {
	[REMAP_F_UNIT_SECTORS] = { "unit_sectors", 0, false,
		"remap unit size in 512-byte sectors" },
	[REMAP_F_REMAPPED_UNITS] = { "remapped_units", 1, false,
		"logical units served from the spare" },
	[REMAP_F_SPARE_UNITS] = { "spare_units", 2, false,
		"spare units in the pool" },
	[REMAP_F_SPARE_USED] = { "spare_used", 2, false,
		"spare units in use or retired" },
	[REMAP_F_SPARE_FREE] = { "spare_free", -1, false,
		"spare units the pool can still hand out" },
	[REMAP_F_RETIRED_UNITS] = { "retired_units", 10, false,
		"spare units retired after a failed write" },
	[REMAP_F_PENDING_UNITS] = { "pending_units", 5, false,
		"units that failed a read and wait for a write" },
	[REMAP_F_REALLOCATION_EVENTS] = { "reallocation_events", 6, false,
		"units remapped since the metadata was formatted" },
	[REMAP_F_AUTO_REMAPS] = { "auto_remaps", 7, false,
		"remaps made by the error handling" },
	[REMAP_F_UNCORRECTABLE_READS] = { "uncorrectable_reads", 8, false,
		"reads that failed upward after every retry" },
	[REMAP_F_SPARE_ERRORS] = { "spare_errors", 9, false,
		"I/O errors the spare device returned" },
	[REMAP_F_LOST_SECTORS] = { "lost_sectors", 3, false,
		"sectors replaced by zeroes because they could not be read" },
	[REMAP_F_METADATA] = { "metadata", 4, true,
		"metadata state: ok, volatile or failed" },
	[REMAP_F_AUTO_REMAP] = { "auto_remap", 11, true,
		"whether I/O errors remap: on or off" },
	[REMAP_F_READ_RETRIES] = { "read_retries", -1, false,
		"times a failed read is retried" },
	[REMAP_F_SPARE_EXHAUSTED] = { "spare_exhausted", 12, true,
		"spare pool exhausted: yes or no" },
	[REMAP_F_DOUBT_UNITS] = { "doubt_units", 13, false,
		"units whose place is in doubt after a failed metadata commit" },
	[REMAP_F_SCRUB_STATE] = { "scrub_state", 14, true,
		"scrubber: idle, running or paused" },
	[REMAP_F_SCRUB_START] = { "scrub_start", 23, false,
		"sector where the current or last scrub began" },
	[REMAP_F_SCRUB_POSITION] = { "scrub_position", 15, false,
		"sector the scrub has reached" },
	[REMAP_F_SCRUB_END] = { "scrub_end", 16, false,
		"sector where the scrub pass ends" },
	[REMAP_F_SCRUB_PASSES] = { "scrub_passes", 17, false,
		"scrub passes completed" },
	[REMAP_F_SCRUB_LAST_PASS_END] = { "scrub_last_pass_end", 18, false,
		"Unix time the last scrub pass ended, 0 for never" },
	[REMAP_F_SCRUB_READ_ERRORS] = { "scrub_read_errors", 19, false,
		"reads the scrubber saw fail" },
	[REMAP_F_SCRUB_RELOCATED] = { "scrub_relocated", 20, false,
		"units the scrubber relocated after a failed read" },
	[REMAP_F_SCRUB_WEAK] = { "scrub_weak", 21, false,
		"slow units the scrubber relocated while they still read" },
	[REMAP_F_SCRUB_PENDING] = { "scrub_pending", 22, false,
		"units the scrubber found unreadable and made pending" },
	[REMAP_F_SCRUB_META_REPAIRED] = { "scrub_meta_repaired", -1, false,
		"metadata block copies the scrubber rewrote from the good copy" },
	[REMAP_F_SCRUB_RATE] = { "scrub_rate", -1, false,
		"scrubber's rate cap in KiB/s, 0 for none" },
	[REMAP_F_SCRUB_SLOW_MS] = { "scrub_slow_ms", -1, false,
		"scrub read time in ms above which a unit is weak, 0 for off" },
	[REMAP_F_PROTECTED_UNITS] = { "protected_units", -1, false,
		"units protected, their raw main-device copies the member signature" },
};

/* The words a WORD field takes, in the status line and in stats. */
struct rs_word {
	enum remap_field f;
	const char *word;
	u64 v;
};

static const struct rs_word rs_words[] = {
	{ REMAP_F_METADATA, "ok", REMAP_W_META_OK },
	{ REMAP_F_METADATA, "volatile", REMAP_W_META_VOLATILE },
	{ REMAP_F_METADATA, "failed", REMAP_W_META_FAILED },
	{ REMAP_F_AUTO_REMAP, "on", REMAP_W_ON },
	{ REMAP_F_AUTO_REMAP, "off", REMAP_W_OFF },
	{ REMAP_F_SPARE_EXHAUSTED, "yes", REMAP_W_ON },
	{ REMAP_F_SPARE_EXHAUSTED, "no", REMAP_W_OFF },
	{ REMAP_F_SCRUB_STATE, "idle", REMAP_W_SCRUB_IDLE },
	{ REMAP_F_SCRUB_STATE, "running", REMAP_W_SCRUB_RUNNING },
	{ REMAP_F_SCRUB_STATE, "paused", REMAP_W_SCRUB_PAUSED },
};

/* The status line's own words for the same values. */
static const struct rs_word rs_status_words[] = {
	{ REMAP_F_AUTO_REMAP, "auto_remap", REMAP_W_ON },
	{ REMAP_F_AUTO_REMAP, "no_auto_remap", REMAP_W_OFF },
	{ REMAP_F_SPARE_EXHAUSTED, "exhausted", REMAP_W_ON },
	{ REMAP_F_SPARE_EXHAUSTED, "ok", REMAP_W_OFF },
};

static bool rs_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static int rs_word(enum remap_field f, const char *s, size_t len, bool status,
		   u64 *out)
{
	const struct rs_word *w = status ? rs_status_words : rs_words;
	size_t n = status ? ARRAY_SIZE(rs_status_words) :
			    ARRAY_SIZE(rs_words);
	size_t i;

	/* The metadata and scrub words are the same in both. */
	if (status && (f == REMAP_F_METADATA || f == REMAP_F_SCRUB_STATE)) {
		w = rs_words;
		n = ARRAY_SIZE(rs_words);
	}
	for (i = 0; i < n; i++) {
		if (w[i].f == f && rs_eq(s, len, w[i].word)) {
			*out = w[i].v;
			return 0;
		}
	}
	return -EINVAL;
}

const char *remap_field_word(enum remap_field f, u64 v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rs_words); i++)
		if (rs_words[i].f == f && rs_words[i].v == v)
			return rs_words[i].word;
	return NULL;
}

int remap_field_parse(enum remap_field f, const char *s, size_t len, bool line,
		      u64 *out)
{
	return remap_fields[f].word ? rs_word(f, s, len, line, out) :
				      remap_parse_u64_n(s, len, out);
}

int remap_field_by_key(const char *key, size_t len)
{
	int i;

	for (i = 0; i < REMAP_NR_FIELDS; i++)
		if (rs_eq(key, len, remap_fields[i].key))
			return i;
	return -1;
}

int remap_stats_field(const char *stats, enum remap_field f, u64 *out)
{
	const char *key = remap_fields[f].key, *p = stats, *end;
	size_t klen = strlen(key);

	while (*p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == ' ')
			return remap_field_parse(f, p + klen + 1,
						 (size_t)(end - p) - klen - 1,
						 false, out) ? -EINVAL : 0;
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

/* A WORD field's word in the status line (@status) or in stats. */
static const char *rs_word_str(enum remap_field f, u64 v, bool status)
{
	size_t i;

	if (status)
		for (i = 0; i < ARRAY_SIZE(rs_status_words); i++)
			if (rs_status_words[i].f == f &&
			    rs_status_words[i].v == v)
				return rs_status_words[i].word;
	return remap_field_word(f, v);
}

struct rs_out {
	char *buf;
	size_t len, n;
};

/* Append "<a><b><value><c>": the word @w, or @v when @w is NULL. */
static void rs_put(struct rs_out *o, const char *a, const char *b,
		   const char *w, u64 v, const char *c)
{
	size_t room = o->len - o->n;
	int r;

	if (o->n + 1 >= o->len)
		return;
	if (w)
		r = snprintf(o->buf + o->n, room, "%s%s%s%s", a, b, w, c);
	else
		r = snprintf(o->buf + o->n, room, "%s%s%llu%s", a, b,
			     (unsigned long long)v, c);
	if (r > 0)
		o->n += (size_t)r < room ? (size_t)r : room - 1;
}

/* One field's value: its word (a WORD field) or its number. */
static void rs_put_field(struct rs_out *o, const struct remap_status *s,
			 enum remap_field f, bool line, const char *a,
			 const char *b, const char *c)
{
	const char *w = NULL;

	if (remap_fields[f].word)
		w = rs_word_str(f, s->v[f], line);
	rs_put(o, a, b, w, s->v[f], c);
}

size_t remap_status_format(const struct remap_status *s, bool line, char *buf,
			   size_t len)
{
	struct rs_out o = { .buf = buf, .len = len };
	int pos, f;

	if (len)
		buf[0] = '\0';
	if (!line) {
		for (f = 0; f < REMAP_NR_FIELDS; f++)
			rs_put_field(&o, s, (enum remap_field)f, false,
				     remap_fields[f].key, " ", "\n");
		return o.n;
	}
	for (pos = 0; pos < REMAP_STATUS_NR_POS; pos++) {
		const char *sep = pos ? " " : "";

		if (pos == 2) {		/* "<used>/<total>" */
			rs_put(&o, sep, "", NULL, s->v[REMAP_F_SPARE_USED], "/");
			rs_put(&o, "", "", NULL, s->v[REMAP_F_SPARE_UNITS], "");
			continue;
		}
		for (f = 0; f < REMAP_NR_FIELDS; f++)
			if (remap_fields[f].status_pos == pos)
				rs_put_field(&o, s, (enum remap_field)f, true,
					     sep, "", "");
	}
	return o.n;
}

static void rs_set(struct remap_status *s, enum remap_field f, u64 v)
{
	s->v[f] = v;
	s->have[f] = true;
}

/* Position 2: "<used>/<total>". */
static int rs_spare(struct remap_status *s, const char *t, size_t len)
{
	const char *slash = memchr(t, '/', len);
	u64 used, total;

	if (!slash || remap_parse_u64_n(t, (size_t)(slash - t), &used) ||
	    remap_parse_u64_n(slash + 1, len - (size_t)(slash - t) - 1, &total) ||
	    used > total)
		return -EINVAL;
	rs_set(s, REMAP_F_SPARE_USED, used);
	rs_set(s, REMAP_F_SPARE_UNITS, total);
	rs_set(s, REMAP_F_SPARE_FREE, total - used);
	return 0;
}

int remap_status_parse_line(const char *line, struct remap_status *s)
{
	const char *p = line, *t;
	int pos = 0, f;
	size_t len;
	u64 v;

	memset(s, 0, sizeof(*s));
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		t = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		len = (size_t)(p - t);
		if (pos >= REMAP_STATUS_NR_POS) {
			s->extra++;
			pos++;
			continue;
		}
		if (pos == 2) {
			if (rs_spare(s, t, len))
				return -EINVAL;
			pos++;
			continue;
		}
		for (f = 0; f < REMAP_NR_FIELDS; f++)
			if (remap_fields[f].status_pos == pos)
				break;
		if (f == REMAP_NR_FIELDS)
			return -EINVAL;
		if (remap_field_parse((enum remap_field)f, t, len, true, &v))
			return -EINVAL;
		rs_set(s, (enum remap_field)f, v);
		pos++;
	}
	/* Fields up to retired_units exist in every version of the line. */
	return pos < 11 ? -EINVAL : 0;
}

u64 remap_scrub_done(const struct remap_status *s, u64 *total)
{
	u64 a = s->v[REMAP_F_SCRUB_START], e = s->v[REMAP_F_SCRUB_END];
	u64 p = s->v[REMAP_F_SCRUB_POSITION];

	*total = 0;
	if (!s->have[REMAP_F_SCRUB_START] || e <= a)
		return 0;
	*total = e - a;
	if (p <= a)
		return 0;
	return p >= e ? e - a : p - a;
}
