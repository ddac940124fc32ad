// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_json.c - libFuzzer harness for tools/remapctl/json.c, the reader
 * of "remapctl restore" (whose input is a file a user hands it: untrusted).
 *
 * Every input must either be refused with a "line L, column C: ..."
 * message, or give a tree that is well formed (types, counts, keys, no
 * duplicate member, positions inside the text) and survives a round trip:
 * written back out as JSON by this harness and parsed again, it is the
 * same tree.  ASan and UBSan catch what the reader does wrong on the way;
 * LeakSanitizer catches a tree (or a half-built one) not freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "fuzz_check.h"

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		CHECK(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void put_str(struct buf *b, const char *s)
{
	char esc[8];

	put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		} else {
			put(b, (const char *)&c, 1);
		}
	}
	put(b, "\"", 1);
}

static void write_json(struct buf *b, const struct json *v)
{
	char num[32];
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		put(b, "null", 4);
		break;
	case JSON_BOOL:
		put(b, v->boolean ? "true" : "false", v->boolean ? 4 : 5);
		break;
	case JSON_NUMBER:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v->number);
		put(b, num, strlen(num));
		break;
	case JSON_STRING:
		put_str(b, v->string);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		put(b, v->type == JSON_ARRAY ? "[" : "{", 1);
		for (i = 0; i < v->n; i++) {
			if (i)
				put(b, ",\n", 2);
			if (v->type == JSON_OBJECT) {
				put_str(b, v->keys[i]);
				put(b, ": ", 2);
			}
			write_json(b, &v->items[i]);
		}
		put(b, v->type == JSON_ARRAY ? "]" : "}", 1);
		break;
	}
}

/* Well formed: what json.h promises of a tree. */
static void check_tree(const struct json *v, unsigned int lines)
{
	size_t i, j;

	CHECK(v->line >= 1 && v->line <= lines && v->col >= 1);
	switch (v->type) {
	case JSON_NULL:
	case JSON_BOOL:
	case JSON_NUMBER:
		break;
	case JSON_STRING:
		CHECK(v->string);
		break;
	case JSON_ARRAY:
		CHECK(v->n == 0 || v->items);
		for (i = 0; i < v->n; i++)
			check_tree(&v->items[i], lines);
		break;
	case JSON_OBJECT:
		CHECK(v->n == 0 || (v->items && v->keys));
		for (i = 0; i < v->n; i++) {
			CHECK(v->keys[i]);
			for (j = 0; j < i; j++)
				CHECK(strcmp(v->keys[i], v->keys[j]));
			CHECK(json_get(v, v->keys[i]) == &v->items[i]);
			check_tree(&v->items[i], lines);
		}
		break;
	default:
		CHECK(0);
	}
	CHECK(json_type_name(v->type) != NULL);
}

static bool same(const struct json *a, const struct json *b)
{
	size_t i;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return a->boolean == b->boolean;
	case JSON_NUMBER:
		return a->number == b->number;
	case JSON_STRING:
		return !strcmp(a->string, b->string);
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++) {
			if (a->type == JSON_OBJECT && strcmp(a->keys[i], b->keys[i]))
				return false;
			if (!same(&a->items[i], &b->items[i]))
				return false;
		}
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *v = NULL, *w = NULL;
	struct buf b = { 0 };
	char err[256], err2[256];
	unsigned int lines = 1;
	size_t i;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	err[0] = '\0';
	if (json_parse((const char *)data, size, &v, err, sizeof(err))) {
		CHECK(v == NULL);
		CHECK(!strncmp(err, "line ", 5) || !strcmp(err, "out of memory"));
		return 0;
	}
	CHECK(v);
	check_tree(v, lines);
	write_json(&b, v);
	if (json_parse(b.p, b.n, &w, err2, sizeof(err2))) {
		fprintf(stderr, "round trip refused: %s\n%s\n", err2, b.p);
		abort();
	}
	CHECK(same(v, w));
	json_free(w);
	json_free(v);
	free(b.p);
	return 0;
}
