/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h - a small JSON reader, enough for "remapctl dump --json" output.
 *
 * Full JSON syntax (objects, arrays, strings, true/false/null), with one
 * restriction that suits the dump: numbers must be whole and in 0..2^64-1
 * (a dump's sectors and unit numbers are u64; a double would round them).
 * Every error names the line and column it was found at.
 */
#ifndef REMAPCTL_JSON_H
#define REMAPCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	unsigned int line, col;		/* where the value starts */
	bool boolean;
	uint64_t number;
	char *string;			/* NUL-terminated; no NUL inside */
	size_t n;			/* array items or object members */
	struct json *items;		/* array items, object values */
	char **keys;			/* object keys (parallel to items) */
};

/*
 * Parse @text (@len bytes) into a new tree (*out).  0, or -1 with an
 * error message ("line L, column C: ...") in @err.
 */
int json_parse(const char *text, size_t len, struct json **out, char *err,
	       size_t errlen);

void json_free(struct json *v);

/* Member @key of object @obj, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);

const char *json_type_name(enum json_type t);

/* Print @v to stdout as a JSON string, quoted and escaped. */
void json_put_str(const char *v);

#endif /* REMAPCTL_JSON_H */
