// SPDX-License-Identifier: GPL-2.0-only
/*
 * conf.c - remapd's configuration file, /etc/remapd.conf (remapd.conf(5)).
 *
 *   # comment
 *   key = value                 global settings
 *   [device NAME]               settings for the device-mapper name NAME
 *   [uuid UUID]                 settings for the device-mapper UUID UUID
 *
 * Every error names the file and line; a file with an error is refused as
 * a whole.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "remap_args.h"
#include "remapd.h"

#define RD_MAX_CONF_BYTES (1U << 20)

const char *const rd_event_names[RD_NR_EVENTS] = {
#define RD_EVENT_NAME(id, name, cond) [RD_EV_##id] = #name,
	RD_EVENTS(RD_EVENT_NAME)
#undef RD_EVENT_NAME
};

const bool rd_event_is_condition[RD_NR_EVENTS] = {
#define RD_EVENT_COND(id, name, cond) [RD_EV_##id] = cond,
	RD_EVENTS(RD_EVENT_COND)
#undef RD_EVENT_COND
};

int rd_event_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < RD_NR_EVENTS; i++)
		if (strlen(rd_event_names[i]) == len &&
		    !memcmp(rd_event_names[i], name, len))
			return i;
	return -1;
}

/*
 * Each setting's key and the bytes of struct rd_settings it sets: fields
 * @a to @b (a section's override copies them).
 */
#define RD_SPAN(a, b) offsetof(struct rd_settings, a), \
		      offsetof(struct rd_settings, b) + \
		      sizeof(((struct rd_settings *)0)->b) - \
		      offsetof(struct rd_settings, a)
#define RD_FIELD(f) RD_SPAN(f, f)
static const struct {
	const char *key;
	size_t off, len;
} settings[RD_NR_SETTINGS] = {
	[RD_S_SPARE_WARNING] = { "spare_warning", RD_FIELD(spare_warning) },
	[RD_S_SPARE_CRITICAL] = { "spare_critical", RD_FIELD(spare_critical) },
	[RD_S_PROGRAM] = { "program", RD_FIELD(program) },
	[RD_S_EVENTS] = { "events", RD_FIELD(events) },
	[RD_S_PROGRAM_TIMEOUT] = { "program_timeout", RD_FIELD(program_timeout) },
	[RD_S_REMINDER] = { "reminder", RD_FIELD(reminder) },
	[RD_S_REMINDER_INTERVAL] = { "reminder_interval",
				     RD_FIELD(reminder_interval) },
	[RD_S_IGNORE] = { "ignore", RD_FIELD(ignore) },
	[RD_S_SCRUB_INTERVAL] = { "scrub_interval", RD_FIELD(scrub_interval) },
	[RD_S_SCRUB_WINDOW] = { "scrub_window",
				RD_SPAN(scrub_window_start, scrub_window_end) },
	[RD_S_SCRUB_RATE] = { "scrub_rate", RD_FIELD(scrub_rate) },
};

void rd_conf_defaults(struct rd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->global.spare_warning = 80;
	c->global.spare_critical = 95;
	c->global.events = RD_ALL_EVENTS;
	c->global.program_timeout = 30;
	c->global.reminder = RD_REMIND_ONCE;
	c->global.reminder_interval = 86400;
	c->global.scrub_window_start = -1;
	c->global.scrub_window_end = -1;
	c->global.scrub_rate = -1;
	c->max_programs = 8;
	c->startup_grace = 60;
}

void rd_conf_free(struct rd_conf *c)
{
	size_t i;

	free(c->global.program);
	for (i = 0; i < c->nov; i++) {
		free(c->ov[i].match);
		free(c->ov[i].s.program);
	}
	free(c->ov);
	free(c->textfile_dir);
	free(c->listen);
	rd_conf_defaults(c);
}

struct parser {
	const char *file;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->file, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* An absolute path for @key, copied to *@dst (@hint ends the error). */
static int set_path(struct parser *p, const char *key, const char *v,
		    const char *hint, char **dst)
{
	if (v[0] != '/')
		return perr(p, "%s: '%s' is not an absolute path%s", key, v,
			    hint);
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : perr(p, "out of memory");
}

static int parse_uint(struct parser *p, const char *key, const char *v,
		      unsigned long lo, unsigned long hi, unsigned int *out)
{
	unsigned long x;
	char *end;

	if (*v < '0' || *v > '9')
		return perr(p, "%s: '%s' is not a number from %lu to %lu", key,
			    v, lo, hi);
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return perr(p, "%s: '%s' is not a number from %lu to %lu", key,
			    v, lo, hi);
	*out = (unsigned int)x;
	return 0;
}

static int parse_bool(struct parser *p, const char *key, const char *v,
		      bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") ||
		 !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return perr(p, "%s: '%s' is not yes or no", key, v);
	return 0;
}

/* "all", "none", or a comma-separated list of event names. */
static int parse_events(struct parser *p, const char *v, uint64_t *out)
{
	const char *s = v, *e;
	uint64_t m = 0;
	int ev;

	if (!strcmp(v, "all")) {
		*out = RD_ALL_EVENTS;
		return 0;
	}
	if (!strcmp(v, "none")) {
		*out = 0;
		return 0;
	}
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strcspn(s, ", \t");
		ev = rd_event_by_name(s, (size_t)(e - s));
		if (ev < 0) {
			char known[512];
			size_t kn = 0;
			int i;

			for (i = 0; i < RD_NR_EVENTS && kn < sizeof(known); i++)
				kn += (size_t)snprintf(known + kn,
						       sizeof(known) - kn, "%s, ",
						       rd_event_names[i]);
			return perr(p, "events: unknown event '%.*s' (known: %sor all, none)",
				    (int)(e - s), s, known);
		}
		m |= RD_EVENT_BIT(ev);
		while (*e == ' ' || *e == '\t')
			e++;
		if (!*e)
			break;
		if (*e != ',')
			return perr(p, "events: expected ',' after '%.*s'",
				    (int)(e - s), s);
		s = e + 1;
	}
	*out = m;
	return 0;
}

int rd_parse_duration(const char *v, unsigned long max, unsigned int *out)
{
	static const struct { char suffix; unsigned long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	size_t len = strlen(v), digits = strspn(v, "0123456789");
	unsigned long mult = 1;
	u64 x;
	size_t i;

	if (!digits || (len != digits && len != digits + 1))
		return -1;
	if (len == digits + 1) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (units[i].suffix == v[digits])
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		mult = units[i].mult;
	}
	if (remap_parse_u64_n(v, digits, &x) || x > max / mult)
		return -1;
	*out = (unsigned int)(x * mult);
	return 0;
}

int rd_parse_listen(const char *spec, char *host, size_t hostlen,
		    uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	size_t hl;
	u64 x;

	if (!colon || colon == spec ||
	    remap_parse_u64_n(colon + 1, strlen(colon + 1), &x) ||
	    x < 1 || x > 65535)
		return -1;
	hl = (size_t)(colon - spec);
	if (hl > 1 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (!hl || hl >= hostlen)
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	*port = (uint16_t)x;
	return 0;
}

/* "HH:MM" into minutes after midnight, or -1. */
static int parse_hhmm(const char *s, size_t len)
{
	u64 h, m;

	if (len != 5 || s[2] != ':' || remap_parse_u64_n(s, 2, &h) ||
	    remap_parse_u64_n(s + 3, 2, &m) || h > 23 || m > 59)
		return -1;
	return (int)(h * 60 + m);
}

/* "any", or "HH:MM-HH:MM" (local time; it may wrap midnight). */
static int parse_window(struct parser *p, const char *v, struct rd_settings *s)
{
	const char *dash = strchr(v, '-');
	int a, b;

	if (!strcmp(v, "any")) {
		s->scrub_window_start = -1;
		s->scrub_window_end = -1;
		return 0;
	}
	a = dash ? parse_hhmm(v, (size_t)(dash - v)) : -1;
	b = dash ? parse_hhmm(dash + 1, strlen(dash + 1)) : -1;
	if (a < 0 || b < 0)
		return perr(p, "scrub_window: '%s' is not HH:MM-HH:MM (e.g. 01:00-05:30) or any",
			    v);
	if (a == b)
		return perr(p, "scrub_window: '%s' is empty (for any time, say any)",
			    v);
	s->scrub_window_start = a;
	s->scrub_window_end = b;
	return 0;
}

static int set_setting(struct parser *p, struct rd_settings *s, int k,
		       const char *v)
{
	switch (k) {
	case RD_S_SPARE_WARNING:
		return parse_uint(p, settings[k].key, v, 1, 100,
				  &s->spare_warning);
	case RD_S_SPARE_CRITICAL:
		return parse_uint(p, settings[k].key, v, 1, 100,
				  &s->spare_critical);
	case RD_S_PROGRAM:
		if (!strcmp(v, "none")) {
			free(s->program);
			s->program = NULL;
			return 0;
		}
		return set_path(p, "program", v, " (or none)", &s->program);
	case RD_S_EVENTS:
		return parse_events(p, v, &s->events);
	case RD_S_PROGRAM_TIMEOUT:
		return parse_uint(p, settings[k].key, v, 1, 86400,
				  &s->program_timeout);
	case RD_S_REMINDER:
		if (!strcmp(v, "once"))
			s->reminder = RD_REMIND_ONCE;
		else if (!strcmp(v, "daily"))
			s->reminder = RD_REMIND_DAILY;
		else if (!strcmp(v, "diminishing"))
			s->reminder = RD_REMIND_DIMINISHING;
		else
			return perr(p, "reminder: '%s' is not once, daily or diminishing",
				    v);
		return 0;
	case RD_S_REMINDER_INTERVAL:
		return parse_uint(p, settings[k].key, v, 1, 365U * 86400,
				  &s->reminder_interval);
	case RD_S_IGNORE:
		return parse_bool(p, settings[k].key, v, &s->ignore);
	case RD_S_SCRUB_INTERVAL:
		if (!strcmp(v, "off")) {
			s->scrub_interval = 0;
			return 0;
		}
		if (rd_parse_duration(v, 3650UL * 86400, &s->scrub_interval))
			return perr(p, "scrub_interval: '%s' is not a duration such as 7d, 12h or 3600 (at most 3650d), or off",
				    v);
		return 0;
	case RD_S_SCRUB_WINDOW:
		return parse_window(p, v, s);
	case RD_S_SCRUB_RATE: {
		unsigned int rate;

		if (!strcmp(v, "default")) {
			s->scrub_rate = -1;
			return 0;
		}
		/* The target's bounds (core/remap_args.h). */
		if (parse_uint(p, settings[k].key, v, 0, REMAP_MAX_SCRUB_RATE,
			       &rate))
			return -1;
		s->scrub_rate = rate;
		return 0;
	}
	}
	return perr(p, "internal error: setting %d", k);
}

static int setting_by_key(const char *k)
{
	int i;

	for (i = 0; i < RD_NR_SETTINGS; i++)
		if (!strcmp(settings[i].key, k))
			return i;
	return -1;
}

/* "[device NAME]" or "[uuid UUID]": a new override section. */
static int parse_section(struct parser *p, char *l, struct rd_conf *c)
{
	char *end = strchr(l, ']'), *arg, *t;
	struct rd_override *ov;
	bool by_uuid;
	size_t i;

	if (!end || end[1])
		return perr(p, "a section line is '[device NAME]' or '[uuid UUID]'");
	*end = '\0';
	l++;
	if (!strncmp(l, "device", 6) && (!l[6] || l[6] == ' ' || l[6] == '\t'))
		by_uuid = false;
	else if (!strncmp(l, "uuid", 4) && (!l[4] || l[4] == ' ' || l[4] == '\t'))
		by_uuid = true;
	else
		return perr(p, "unknown section '[%s]' (expected [device NAME] or [uuid UUID])",
			    l);
	arg = l + (by_uuid ? 4 : 6);
	while (*arg == ' ' || *arg == '\t')
		arg++;
	t = arg + strlen(arg);
	while (t > arg && (t[-1] == ' ' || t[-1] == '\t'))
		*--t = '\0';
	if (!*arg || strpbrk(arg, " \t"))
		return perr(p, "[%s]: expected one %s", by_uuid ? "uuid" : "device",
			    by_uuid ? "UUID" : "NAME");
	if (strlen(arg) > 128)
		return perr(p, "[%s]: '%s' is longer than a device-mapper %s can be",
			    by_uuid ? "uuid" : "device", arg,
			    by_uuid ? "UUID" : "name");
	for (i = 0; i < c->nov; i++)
		if (c->ov[i].by_uuid == by_uuid && !strcmp(c->ov[i].match, arg))
			return perr(p, "[%s %s] was already given on line %u",
				    by_uuid ? "uuid" : "device", arg,
				    c->ov[i].line);
	ov = realloc(c->ov, (c->nov + 1) * sizeof(*ov));
	if (!ov)
		return perr(p, "out of memory");
	c->ov = ov;
	ov = &c->ov[c->nov];
	memset(ov, 0, sizeof(*ov));
	ov->match = strdup(arg);
	if (!ov->match)
		return perr(p, "out of memory");
	ov->by_uuid = by_uuid;
	ov->line = p->line;
	c->nov++;
	return 0;
}

static int parse_line(struct parser *p, char *l, struct rd_conf *c)
{
	char *eq, *k, *v, *t;
	struct rd_override *ov = c->nov ? &c->ov[c->nov - 1] : NULL;
	int s;

	while (*l == ' ' || *l == '\t')
		l++;
	t = l + strlen(l);
	while (t > l && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
		*--t = '\0';
	if (!*l || *l == '#')
		return 0;
	if (*l == '[')
		return parse_section(p, l, c);
	eq = strchr(l, '=');
	if (!eq)
		return perr(p, "expected 'key = value' or a section, not '%s'", l);
	k = l;
	t = eq;
	while (t > k && (t[-1] == ' ' || t[-1] == '\t'))
		t--;
	*t = '\0';
	v = eq + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!*k)
		return perr(p, "a key is missing before '='");
	if (!*v)
		return perr(p, "%s: a value is missing after '='", k);
	s = setting_by_key(k);
	if (s >= 0) {
		if (ov) {
			ov->set |= 1U << s;
			return set_setting(p, &ov->s, s, v);
		}
		return set_setting(p, &c->global, s, v);
	}
	if (!strcmp(k, "textfile_dir") || !strcmp(k, "listen") ||
	    !strcmp(k, "max_programs") || !strcmp(k, "startup_grace")) {
		if (ov)
			return perr(p, "%s is a global setting: put it before the first section",
				    k);
		if (!strcmp(k, "max_programs"))
			return parse_uint(p, k, v, 1, 256, &c->max_programs);
		if (!strcmp(k, "startup_grace"))
			return parse_uint(p, k, v, 0, 3600, &c->startup_grace);
		if (!strcmp(k, "textfile_dir"))
			return set_path(p, k, v, "", &c->textfile_dir);
		{
			char host[128];
			uint16_t port;

			if (rd_parse_listen(v, host, sizeof(host), &port))
				return perr(p, "listen: '%s' is not ADDRESS:PORT (e.g. 127.0.0.1:9469)",
					    v);
		}
		free(c->listen);
		c->listen = strdup(v);
		return c->listen ? 0 : perr(p, "out of memory");
	}
	return perr(p, "unknown setting '%s'", k);
}

/* Thresholds: warning below critical, wherever they were set. */
static int check_thresholds(struct parser *p, const struct rd_conf *c)
{
	struct rd_settings s;
	size_t i;

	if (c->global.spare_warning > c->global.spare_critical) {
		p->line = 0;
		snprintf(p->err, p->errlen,
			 "%s: spare_warning (%u) is above spare_critical (%u)",
			 p->file, c->global.spare_warning,
			 c->global.spare_critical);
		return -1;
	}
	for (i = 0; i < c->nov; i++) {
		s = c->global;
		if (c->ov[i].set & (1U << RD_S_SPARE_WARNING))
			s.spare_warning = c->ov[i].s.spare_warning;
		if (c->ov[i].set & (1U << RD_S_SPARE_CRITICAL))
			s.spare_critical = c->ov[i].s.spare_critical;
		if (s.spare_warning > s.spare_critical) {
			p->line = c->ov[i].line;
			return perr(p, "[%s %s]: spare_warning (%u) is above spare_critical (%u)",
				    c->ov[i].by_uuid ? "uuid" : "device",
				    c->ov[i].match, s.spare_warning,
				    s.spare_critical);
		}
	}
	return 0;
}

int rd_conf_parse(const char *file, const char *text, struct rd_conf *c,
		  char *err, size_t errlen)
{
	struct parser p = { .file = file, .err = err, .errlen = errlen };
	const char *s = text, *e;
	char *l;
	int r = 0;

	rd_conf_defaults(c);
	while (*s && !r) {
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		p.line++;
		if (memchr(s, '\0', (size_t)(e - s))) {
			r = perr(&p, "a NUL byte in the line");
			break;
		}
		l = strndup(s, (size_t)(e - s));
		if (!l) {
			r = perr(&p, "out of memory");
			break;
		}
		r = parse_line(&p, l, c);
		free(l);
		s = *e ? e + 1 : e;
	}
	if (!r)
		r = check_thresholds(&p, c);
	if (r)
		rd_conf_free(c);
	return r;
}

int rd_conf_load(const char *file, bool optional, struct rd_conf *c,
		 char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	struct stat st;
	char *text;
	size_t n;
	int r;

	rd_conf_defaults(c);
	if (!f) {
		if (errno == ENOENT && optional)
			return 0;
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > RD_MAX_CONF_BYTES) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes",
			 file, RD_MAX_CONF_BYTES);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", file);
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	text[n] = '\0';
	if (strlen(text) != n) {
		snprintf(err, errlen, "%s: contains a NUL byte", file);
		free(text);
		return -1;
	}
	r = rd_conf_parse(file, text, c, err, errlen);
	free(text);
	return r;
}

void rd_conf_resolve(const struct rd_conf *c, const char *name,
		     const char *uuid, struct rd_settings *out)
{
	const struct rd_override *ov;
	size_t i;
	int k;

	*out = c->global;
	/* Name sections first, then UUID sections: the UUID is the surer. */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < c->nov; i++) {
			ov = &c->ov[i];
			if (ov->by_uuid != (pass == 1))
				continue;
			if (strcmp(ov->match, ov->by_uuid ? (uuid ? uuid : "") :
				   name))
				continue;
			for (k = 0; k < RD_NR_SETTINGS; k++) {
				if (!(ov->set & (1U << k)))
					continue;
				memcpy((char *)out + settings[k].off,
				       (const char *)&ov->s + settings[k].off,
				       settings[k].len);
			}
		}
	}
}
