// SPDX-License-Identifier: GPL-2.0-only
/*
 * tagio - concurrent and looping I/O on sectors that say who they are, for
 * the guest tests that race the error path (74-*, 75-*).  Sectors carry
 * sectag's format (tests/tools/sectag.c): a tag and the logical sector, so
 * "sectag verify" checks what tagio wrote, and a read that returns another
 * sector's bytes says whose they are.  All I/O is 512 bytes, O_DIRECT.
 *
 *   tagio burst DEV START SPAN N TAG
 *       N writes submitted together in one io_submit(): write i goes to
 *       sector START + i % SPAN, tagged TAG (writes to one sector carry the
 *       same bytes).  Prints each failed write; exit 0 when all succeeded.
 *   tagio writeloop DEV SECTOR FIRST STOPFILE
 *       write SECTOR again and again with tags FIRST, FIRST + 1, ... until
 *       STOPFILE exists, then print "acked LAST writes N errors E" (LAST:
 *       the tag of the last write that succeeded, FIRST - 1 if none).
 *   tagio readloop DEV SECTOR TAG|any STOPFILE
 *       read SECTOR again and again until STOPFILE exists; unless "any",
 *       every read must hold TAG for SECTOR: the first wrong reads are
 *       printed with what they held.  Prints "reads N errors E wrong W".
 *
 * Exit: 0 ok, 1 a read held wrong data, 2 usage, 3 I/O errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/aio_abi.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sector-tag.h"

static void describe(const unsigned char *p, char *out, size_t len)
{
	unsigned char want[SECTOR];
	struct sector_head h;
	size_t i;
	bool zero = true;

	for (i = 0; i < SECTOR; i++)
		if (p[i]) {
			zero = false;
			break;
		}
	memcpy(&h, p, sizeof(h));
	if (zero) {
		snprintf(out, len, "zeroes");
		return;
	}
	if (h.magic != MAGIC) {
		snprintf(out, len, "foreign data");
		return;
	}
	fill(want, h.tag, h.logical);
	snprintf(out, len, "tag %" PRIu64 " sector %" PRIu64 "%s", h.tag,
		 h.logical, memcmp(want, p, SECTOR) ? " (torn)" : "");
}

static int usage(void)
{
	fprintf(stderr,
		"usage: tagio burst DEV START SPAN N TAG\n"
		"       tagio writeloop DEV SECTOR FIRST STOPFILE\n"
		"       tagio readloop DEV SECTOR TAG|any STOPFILE\n");
	return 2;
}

static void *sector_buf(size_t n)
{
	void *p;

	if (posix_memalign(&p, 4096, n * SECTOR)) {
		perror("posix_memalign");
		exit(2);
	}
	return p;
}

static int burst(int fd, uint64_t start, uint64_t span, uint64_t n,
		 uint64_t tag)
{
	aio_context_t ctx = 0;
	struct iocb *cbs = NULL, **cbp = NULL;
	struct io_event *ev = NULL;
	unsigned char *buf;
	uint64_t i, done = 0, bad = 0, w;
	long r;
	int ret = 3;

	if (!span || !n || n > 4096)
		return usage();
	buf = sector_buf(n);
	cbs = calloc(n, sizeof(*cbs));
	cbp = calloc(n, sizeof(*cbp));
	ev = calloc(n, sizeof(*ev));
	if (!cbs || !cbp || !ev) {
		perror("calloc");
		goto out;
	}
	if (syscall(SYS_io_setup, (long)n, &ctx)) {
		perror("io_setup");
		goto out;
	}
	for (i = 0; i < n; i++) {
		fill(buf + i * SECTOR, tag, start + i % span);
		cbs[i].aio_fildes = fd;
		cbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
		cbs[i].aio_buf = (uint64_t)(uintptr_t)(buf + i * SECTOR);
		cbs[i].aio_nbytes = SECTOR;
		cbs[i].aio_offset = (int64_t)((start + i % span) * SECTOR);
		cbs[i].aio_data = i;
		cbp[i] = &cbs[i];
	}
	r = syscall(SYS_io_submit, ctx, (long)n, cbp);
	if (r != (long)n) {
		fprintf(stderr, "io_submit: %ld of %" PRIu64 " submitted: %s\n",
			r, n, r < 0 ? strerror(errno) : "short");
		goto out;
	}
	while (done < n) {
		r = syscall(SYS_io_getevents, ctx, 1L, (long)(n - done), ev,
			    NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("io_getevents");
			goto out;
		}
		for (i = 0; i < (uint64_t)r; i++) {
			if (ev[i].res == SECTOR)
				continue;
			bad++;
			w = ev[i].data;
			fprintf(stderr, "write %" PRIu64 " (sector %" PRIu64
				"): %s\n", w, start + w % span,
				(long long)ev[i].res < 0 ?
				strerror((int)-ev[i].res) : "short write");
		}
		done += r;
	}
	ret = bad ? 3 : 0;
out:
	if (ctx)
		syscall(SYS_io_destroy, ctx);
	free(ev);
	free(cbp);
	free(cbs);
	free(buf);
	return ret;
}

static int writeloop(int fd, uint64_t sector, uint64_t first,
		     const char *stop)
{
	unsigned char *buf = sector_buf(1);
	uint64_t tag = first, acked = first - 1, writes = 0, errors = 0;

	while (access(stop, F_OK)) {
		fill(buf, tag, sector);
		if (pwrite(fd, buf, SECTOR, (off_t)(sector * SECTOR)) == SECTOR) {
			acked = tag;
		} else if (++errors <= 10) {
			fprintf(stderr, "write of tag %" PRIu64 ": %s\n", tag,
				strerror(errno));
		}
		writes++;
		tag++;
	}
	printf("acked %" PRIu64 " writes %" PRIu64 " errors %" PRIu64 "\n",
	       acked, writes, errors);
	return errors ? 3 : 0;
}

static int readloop(int fd, uint64_t sector, const char *tagarg,
		    const char *stop)
{
	unsigned char *buf = sector_buf(1), want[SECTOR];
	uint64_t tag = 0, reads = 0, errors = 0, wrong = 0;
	bool any = !strcmp(tagarg, "any");
	char found[80];

	if (!any && !number(tagarg, &tag))
		return usage();
	fill(want, tag, sector);
	while (access(stop, F_OK)) {
		reads++;
		if (pread(fd, buf, SECTOR, (off_t)(sector * SECTOR)) != SECTOR) {
			errors++;
			continue;
		}
		if (any || !memcmp(buf, want, SECTOR))
			continue;
		if (++wrong <= 10) {
			describe(buf, found, sizeof(found));
			printf("wrong read %" PRIu64 ": sector %" PRIu64
			       " should be tag %" PRIu64 " sector %" PRIu64
			       ", holds %s\n", reads, sector, tag, sector,
			       found);
			fflush(stdout);
		}
	}
	printf("reads %" PRIu64 " errors %" PRIu64 " wrong %" PRIu64 "\n",
	       reads, errors, wrong);
	return wrong ? 1 : errors ? 3 : 0;
}

int main(int argc, char **argv)
{
	uint64_t a, b, c, d;
	int fd;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "burst") && argc == 7) {
		if (!number(argv[3], &a) || !number(argv[4], &b) ||
		    !number(argv[5], &c) || !number(argv[6], &d))
			return usage();
		fd = open(argv[2], O_WRONLY | O_DIRECT);
		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		return burst(fd, a, b, c, d);
	}
	if (!strcmp(argv[1], "writeloop") && argc == 6) {
		if (!number(argv[3], &a) || !number(argv[4], &b) || !b)
			return usage();
		fd = open(argv[2], O_WRONLY | O_DIRECT);
		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		return writeloop(fd, a, b, argv[5]);
	}
	if (!strcmp(argv[1], "readloop") && argc == 6) {
		if (!number(argv[3], &a))
			return usage();
		fd = open(argv[2], O_RDONLY | O_DIRECT);
		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		return readloop(fd, a, argv[4], argv[5]);
	}
	return usage();
}
