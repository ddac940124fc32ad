// SPDX-License-Identifier: GPL-2.0-only
/*
 * json.c - a small recursive-descent JSON reader (see json.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Deep enough for a dump (3 levels), shallow enough for the stack. */
#define JSON_MAX_DEPTH 32

struct parser {
	const char *p, *end;
	unsigned int line, col;
	char *err;
	size_t errlen;
	bool failed;
};

static void perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	n = snprintf(ps->err, ps->errlen, "line %u, column %u: ", ps->line,
		     ps->col);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int peek(const struct parser *ps)
{
	return ps->p < ps->end ? (unsigned char)*ps->p : -1;
}

static void advance(struct parser *ps)
{
	if (ps->p >= ps->end)
		return;
	if (*ps->p == '\n') {
		ps->line++;
		ps->col = 1;
	} else {
		ps->col++;
	}
	ps->p++;
}

static void skip_ws(struct parser *ps)
{
	int c;

	while ((c = peek(ps)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		advance(ps);
}

/* "x" for a printable character, "end of input" or "byte 0xNN". */
static const char *describe(const struct parser *ps, char *buf, size_t len)
{
	int c = peek(ps);

	if (c < 0)
		return "end of input";
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", (unsigned int)c);
	return buf;
}

static bool expect_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		perr(ps, "unknown word (expected a value)");
		return false;
	}
	while (n--)
		advance(ps);
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string starting at '"'; returns a malloc'd copy or NULL. */
static char *parse_string(struct parser *ps)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap), *t;
	int c, i, h;
	unsigned int u;

	if (!s) {
		perr(ps, "out of memory");
		return NULL;
	}
	advance(ps);	/* the opening quote */
	for (;;) {
		c = peek(ps);
		if (c < 0) {
			perr(ps, "unterminated string");
			goto bad;
		}
		if (c == '"') {
			advance(ps);
			break;
		}
		if (c < 0x20) {
			perr(ps, "control character in a string");
			goto bad;
		}
		if (c == '\\') {
			advance(ps);
			c = peek(ps);
			switch (c) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				u = 0;
				for (i = 0; i < 4; i++) {
					advance(ps);
					h = hexval(peek(ps));
					if (h < 0) {
						perr(ps, "bad \\u escape");
						goto bad;
					}
					u = u << 4 | (unsigned int)h;
				}
				if (u == 0 || u > 0x7f) {
					perr(ps, "only \\u0001..\\u007f escapes are supported");
					goto bad;
				}
				c = (int)u;
				break;
			default:
				perr(ps, "bad escape in a string");
				goto bad;
			}
		}
		if (n + 1 >= cap) {
			cap *= 2;
			t = realloc(s, cap);
			if (!t) {
				perr(ps, "out of memory");
				goto bad;
			}
			s = t;
		}
		s[n++] = (char)c;
		advance(ps);
	}
	s[n] = '\0';
	return s;
bad:
	free(s);
	return NULL;
}

static bool parse_number(struct parser *ps, uint64_t *out)
{
	uint64_t v = 0;
	int c = peek(ps);

	if (c == '-') {
		perr(ps, "negative number (dump values are unsigned)");
		return false;
	}
	if (c == '0') {
		advance(ps);
		c = peek(ps);
		if (c >= '0' && c <= '9') {
			perr(ps, "number with a leading zero");
			return false;
		}
	} else {
		while ((c = peek(ps)) >= '0' && c <= '9') {
			int d = c - '0';

			if (v > (UINT64_MAX - (uint64_t)d) / 10) {
				perr(ps, "number larger than 18446744073709551615");
				return false;
			}
			v = v * 10 + (uint64_t)d;
			advance(ps);
		}
	}
	if (c == '.' || c == 'e' || c == 'E') {
		perr(ps, "not a whole number (dump values are integers)");
		return false;
	}
	*out = v;
	return true;
}

static bool parse_value(struct parser *ps, struct json *v, int depth);

static bool grow(struct parser *ps, struct json *v, size_t *cap, bool keys)
{
	struct json *items;
	char **k;

	if (v->n < *cap)
		return true;
	*cap = *cap ? *cap * 2 : 8;
	items = realloc(v->items, *cap * sizeof(*items));
	if (!items) {
		perr(ps, "out of memory");
		return false;
	}
	v->items = items;
	if (keys) {
		k = realloc(v->keys, *cap * sizeof(*k));
		if (!k) {
			perr(ps, "out of memory");
			return false;
		}
		v->keys = k;
	}
	return true;
}

/*
 * After an item of an array or a member of an object: 1 for a ',' (one
 * more follows), 0 for the closing @close, -1 for anything else (an error
 * naming @kind).
 */
static int after_item(struct parser *ps, char close, const char *kind)
{
	char what[16];

	skip_ws(ps);
	if (peek(ps) == ',') {
		advance(ps);
		skip_ws(ps);
		return 1;
	}
	if (peek(ps) == close) {
		advance(ps);
		return 0;
	}
	perr(ps, "expected ',' or '%c' in %s, found %s", close, kind,
	     describe(ps, what, sizeof(what)));
	return -1;
}

/* A new, empty item at the end of @v (and room for its key); NULL: none. */
static struct json *new_item(struct parser *ps, struct json *v, size_t *cap,
			     bool keys)
{
	if (!grow(ps, v, cap, keys))
		return NULL;
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	return &v->items[v->n++];
}

/*
 * An item's value, then what follows it: 1 for ',' (another item), 0 for
 * @close, -1 after an error.
 */
static int item_value(struct parser *ps, struct json *it, int depth,
		      char close, const char *kind)
{
	if (!parse_value(ps, it, depth + 1))
		return -1;
	return after_item(ps, close, kind);
}

static bool parse_array(struct parser *ps, struct json *v, int depth)
{
	struct json *it;
	size_t cap = 0;
	int r;

	v->type = JSON_ARRAY;
	advance(ps);	/* [ */
	skip_ws(ps);
	if (peek(ps) == ']') {
		advance(ps);
		return true;
	}
	for (;;) {
		it = new_item(ps, v, &cap, false);
		if (!it)
			return false;
		r = item_value(ps, it, depth, ']', "an array");
		if (r <= 0)
			return r == 0;
	}
}

static bool parse_object(struct parser *ps, struct json *v, int depth)
{
	struct json *it;
	size_t cap = 0, i;
	char what[16], *key;
	int r;

	v->type = JSON_OBJECT;
	advance(ps);	/* { */
	skip_ws(ps);
	if (peek(ps) == '}') {
		advance(ps);
		return true;
	}
	for (;;) {
		if (peek(ps) != '"') {
			perr(ps, "expected a member name (a string), found %s",
			     describe(ps, what, sizeof(what)));
			return false;
		}
		unsigned int line = ps->line, col = ps->col;

		key = parse_string(ps);
		if (!key)
			return false;
		for (i = 0; i < v->n; i++) {
			if (!strcmp(v->keys[i], key)) {
				ps->line = line;
				ps->col = col;
				perr(ps, "member \"%s\" appears twice", key);
				free(key);
				return false;
			}
		}
		it = new_item(ps, v, &cap, true);
		if (!it) {
			free(key);
			return false;
		}
		v->keys[v->n - 1] = key;
		skip_ws(ps);
		if (peek(ps) != ':') {
			perr(ps, "expected ':' after a member name, found %s",
			     describe(ps, what, sizeof(what)));
			return false;
		}
		advance(ps);
		skip_ws(ps);
		r = item_value(ps, it, depth, '}', "an object");
		if (r <= 0)
			return r == 0;
	}
}

static bool parse_value(struct parser *ps, struct json *v, int depth)
{
	char what[16];
	int c;

	if (depth > JSON_MAX_DEPTH) {
		perr(ps, "nested too deeply");
		return false;
	}
	v->line = ps->line;
	v->col = ps->col;
	c = peek(ps);
	switch (c) {
	case '{':
		return parse_object(ps, v, depth);
	case '[':
		return parse_array(ps, v, depth);
	case '"':
		v->type = JSON_STRING;
		v->string = parse_string(ps);
		return v->string != NULL;
	case 't':
		v->type = JSON_BOOL;
		v->boolean = true;
		return expect_word(ps, "true");
	case 'f':
		v->type = JSON_BOOL;
		return expect_word(ps, "false");
	case 'n':
		v->type = JSON_NULL;
		return expect_word(ps, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			v->type = JSON_NUMBER;
			return parse_number(ps, &v->number);
		}
		perr(ps, "expected a value, found %s",
		     describe(ps, what, sizeof(what)));
		return false;
	}
}

int json_parse(const char *text, size_t len, struct json **out, char *err,
	       size_t errlen)
{
	struct parser ps = {
		.p = text, .end = text + len, .line = 1, .col = 1,
		.err = err, .errlen = errlen,
	};
	struct json *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		ps.p += 3;	/* a UTF-8 byte order mark */
	skip_ws(&ps);
	if (parse_value(&ps, v, 0)) {
		skip_ws(&ps);
		if (peek(&ps) >= 0) {
			char what[16];

			perr(&ps, "unexpected %s after the value",
			     describe(&ps, what, sizeof(what)));
		}
	}
	if (ps.failed) {
		json_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

static void json_free_inner(struct json *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		json_free_inner(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
}

void json_free(struct json *v)
{
	if (!v)
		return;
	json_free_inner(v);
	free(v);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "a boolean";
	case JSON_NUMBER:
		return "a number";
	case JSON_STRING:
		return "a string";
	case JSON_ARRAY:
		return "an array";
	case JSON_OBJECT:
		return "an object";
	}
	return "?";
}

void json_put_str(const char *v)
{
	putchar('"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}
