// SPDX-License-Identifier: GPL-2.0-only
/*
 * sectag - write and verify sectors that say who they are.
 *
 * Every 512-byte sector written carries a tag and the logical sector it
 * was written for, so a later read, through the target or straight from
 * the main or spare device, proves not only that bytes are intact but
 * that they are the bytes of the right sector, sitting where the remap
 * table says they should.
 *
 *   sectag write  DEV START NR TAG [--direct] [--bs BYTES]
 *       write sectors START..START+NR-1 of DEV, tagged TAG and numbered
 *       from START.
 *   sectag verify DEV START NR TAG [LOGICAL] [--direct] [--bs BYTES]
 *       read sectors START..START+NR-1 of DEV and check they carry TAG
 *       and logical sectors LOGICAL.. (default: START..).  Prints each
 *       mismatching run with what was found there; exit 1 on mismatch.
 *
 * Exit: 0 ok, 1 mismatch, 2 usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sector-tag.h"

static void describe(const unsigned char *p, char *out, size_t len)
{
	struct sector_head h;
	size_t i;
	bool zero = true;

	for (i = 0; i < SECTOR; i++)
		if (p[i]) {
			zero = false;
			break;
		}
	memcpy(&h, p, sizeof(h));
	if (zero)
		snprintf(out, len, "zeroes");
	else if (h.magic == MAGIC)
		snprintf(out, len, "tag %" PRIu64 " sector %" PRIu64, h.tag,
			 h.logical);
	else
		snprintf(out, len, "foreign data");
}

static int usage(void)
{
	fprintf(stderr,
		"usage: sectag write DEV START NR TAG [--direct] [--bs BYTES]\n"
		"       sectag verify DEV START NR TAG [LOGICAL] [--direct] [--bs BYTES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t start, nr, tag, logical, bs = 1 << 20, done, i, n;
	uint64_t bad = 0;
	int ret = 2;
	bool direct = false, write_mode;
	char found[64];
	unsigned char *buf, want[SECTOR];
	int fd, a, pos = 0;
	const char *pv[6];

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--direct")) {
			direct = true;
		} else if (!strcmp(argv[a], "--bs") && a + 1 < argc) {
			if (!number(argv[++a], &bs) || !bs || bs % SECTOR)
				return usage();
		} else if (pos < 6) {
			pv[pos++] = argv[a];
		} else {
			return usage();
		}
	}
	if (pos < 5)
		return usage();
	if (!strcmp(pv[0], "write"))
		write_mode = true;
	else if (!strcmp(pv[0], "verify"))
		write_mode = false;
	else
		return usage();
	if (!number(pv[2], &start) || !number(pv[3], &nr) ||
	    !number(pv[4], &tag))
		return usage();
	logical = start;
	if (pos == 6) {
		if (write_mode || !number(pv[5], &logical))
			return usage();
	}

	fd = open(pv[1], (write_mode ? O_WRONLY : O_RDONLY) |
			 (direct ? O_DIRECT : 0));
	if (fd < 0) {
		perror(pv[1]);
		return 2;
	}
	if (posix_memalign((void **)&buf, 4096, bs)) {
		perror("posix_memalign");
		close(fd);
		return 2;
	}

	for (done = 0; done < nr; done += n) {
		n = nr - done < bs / SECTOR ? nr - done : bs / SECTOR;
		off_t off = (off_t)((start + done) * SECTOR);
		ssize_t r;

		if (write_mode) {
			for (i = 0; i < n; i++)
				fill(buf + i * SECTOR, tag, logical + done + i);
			r = pwrite(fd, buf, n * SECTOR, off);
		} else {
			r = pread(fd, buf, n * SECTOR, off);
		}
		if (r != (ssize_t)(n * SECTOR)) {
			fprintf(stderr, "%s: %s at sector %" PRIu64 ": %s\n",
				pv[1], write_mode ? "write" : "read",
				start + done, r < 0 ? strerror(errno) :
				"short transfer");
			goto out;
		}
		if (write_mode)
			continue;
		for (i = 0; i < n; i++) {
			fill(want, tag, logical + done + i);
			if (!memcmp(want, buf + i * SECTOR, SECTOR))
				continue;
			if (++bad <= 20) {
				describe(buf + i * SECTOR, found, sizeof(found));
				printf("mismatch: %s sector %" PRIu64
				       " should be tag %" PRIu64 " sector %"
				       PRIu64 ", holds %s\n", pv[1],
				       start + done + i, tag,
				       logical + done + i, found);
			}
		}
	}
	if (bad)
		printf("%s: %" PRIu64 " of %" PRIu64 " sectors wrong\n", pv[1],
		       bad, nr);
	if (write_mode && fsync(fd)) {
		perror("fsync");
		goto out;
	}
	ret = bad ? 1 : 0;
out:
	close(fd);
	free(buf);
	return ret;
}
