// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmfail - one device-mapper operation (or one direct I/O) with the
 * kernel's fault injection aimed at exactly that operation.
 *
 *   dmfail [-n NTH] [-p] create  NAME "<start> <len> <target> <args>"
 *   dmfail [-n NTH] [-p] reload  NAME "<start> <len> <target> <args>"
 *   dmfail [-n NTH] [-p] suspend|resume|remove NAME
 *   dmfail [-n NTH] [-p] message NAME <message words...>
 *   dmfail [-n NTH] [-p] read|write DEV <offset bytes> <length bytes>
 *
 * -n NTH  write NTH to /proc/thread-self/fail-nth just before the ioctl
 *         (or the pread/pwrite): the NTH fault-injection check the kernel
 *         makes in this task from then on fails (failslab with
 *         ignore-gfp-wait=N, fail_make_request on devices with
 *         make-it-fail=1, ...), whatever the probabilities.  Reset to 0
 *         right after, so nothing else in this process is hit.
 * -p      set /proc/thread-self/make-it-fail for just the operation (for
 *         task-filter=Y with a probability).
 * "write" rewrites the bytes it read first (without injection), so the
 * device's content stays what it was whether or not the write succeeds.
 *
 * Output, one line: "dmfail <op> rc=<errno, 0 = success> injected=<0|1>
 * checks=<n>" (injected: the NTH check happened, i.e. a failure was
 * injected; checks: how many fault-injection checks the operation made, a
 * lower bound when injected=1; with a large NTH, the number of points a
 * sweep can hit), then a message's answer, if any.  Exit: 0 the operation succeeded, 1 it failed,
 * 2 usage or set-up error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int write_proc(const char *file, long v)
{
	char path[64], buf[32];
	int fd, n, r = 0;

	snprintf(path, sizeof(path), "/proc/thread-self/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld", v);
	if (write(fd, buf, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

static long read_proc(const char *file)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/thread-self/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static long nth;
static int per_task;

/*
 * Arm the injection; keep it to syscalls only (no stdio in between).  All
 * memory is locked first: a page fault on this binary or its libraries
 * (read over 9p in the test VM) must not meet an injected failure.
 */
static int arm(void)
{
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		return -1;
	if (per_task && write_proc("make-it-fail", 1))
		return -1;
	if (nth > 0 && write_proc("fail-nth", nth))
		return -1;
	return 0;
}

static long checks;

/*
 * Disarm; returns 1 if the NTH check fired.  Sets checks: how many checks
 * the operation made (at least NTH when it fired).
 */
static int disarm(void)
{
	long left = 0;

	if (nth > 0) {
		left = read_proc("fail-nth");
		write_proc("fail-nth", 0);
	}
	if (per_task)
		write_proc("make-it-fail", 0);
	checks = left > 0 ? nth - left : nth;
	return nth > 0 && left == 0;
}

static int parse_table(struct dm_task *dmt, const char *line)
{
	unsigned long long start, len;
	char type[64];
	int off = 0;

	if (sscanf(line, "%llu %llu %63s %n", &start, &len, type, &off) < 3 || !off) {
		fprintf(stderr, "dmfail: bad table line: %s\n", line);
		return -1;
	}
	if (!dm_task_add_target(dmt, start, len, type, line + off))
		return -1;
	return 0;
}

static int do_dm(const char *op, int argc, char **argv)
{
	static const struct { const char *name; int type; } ops[] = {
		{ "create", DM_DEVICE_CREATE }, { "reload", DM_DEVICE_RELOAD },
		{ "suspend", DM_DEVICE_SUSPEND }, { "resume", DM_DEVICE_RESUME },
		{ "remove", DM_DEVICE_REMOVE }, { "message", DM_DEVICE_TARGET_MSG },
	};
	struct dm_task *dmt;
	char msg[4096];
	size_t i, len = 0;
	int type = -1, ok, err, injected;
	const char *resp;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i].name))
			type = ops[i].type;
	if (type < 0 || argc < 1)
		return 2;
	if ((type == DM_DEVICE_CREATE || type == DM_DEVICE_RELOAD) && argc != 2)
		return 2;
	if (type == DM_DEVICE_TARGET_MSG && argc < 2)
		return 2;
	dmt = dm_task_create(type);
	if (!dmt || !dm_task_set_name(dmt, argv[0]))
		return 2;
	if (type == DM_DEVICE_CREATE || type == DM_DEVICE_RELOAD) {
		if (parse_table(dmt, argv[1]))
			return 2;
	}
	if (type == DM_DEVICE_TARGET_MSG) {
		msg[0] = '\0';
		for (i = 1; i < (size_t)argc; i++) {
			int n = snprintf(msg + len, sizeof(msg) - len, "%s%s",
					 i > 1 ? " " : "", argv[i]);

			if (n < 0 || (size_t)n >= sizeof(msg) - len)
				return 2;
			len += (size_t)n;
		}
		if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg))
			return 2;
	}
	/* open /dev/mapper/control now, outside the injection window */
	if (!dm_driver_version(msg, sizeof(msg)) || arm())
		return 2;
	ok = dm_task_run(dmt);
	injected = disarm();
	err = ok ? 0 : dm_task_get_errno(dmt);
	if (!ok && !err)
		err = EIO;
	printf("dmfail %s rc=%d injected=%d checks=%ld\n", op, err, injected, checks);
	if (ok && type == DM_DEVICE_TARGET_MSG) {
		resp = dm_task_get_message_response(dmt);
		if (resp && *resp)
			printf("%s\n", resp);
	}
	dm_task_destroy(dmt);
	dm_task_update_nodes();
	return ok ? 0 : 1;
}

static int do_io(const char *op, int argc, char **argv)
{
	long long off, len;
	void *buf;
	ssize_t n;
	int fd, err = 0, injected;

	if (argc != 3)
		return 2;
	off = strtoll(argv[1], NULL, 0);
	len = strtoll(argv[2], NULL, 0);
	if (off < 0 || len <= 0 || off % 512 || len % 512)
		return 2;
	fd = open(argv[0], O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(argv[0]);
		return 2;
	}
	if (posix_memalign(&buf, 4096, (size_t)len)) {
		close(fd);
		return 2;
	}
	if (!strcmp(op, "write") && pread(fd, buf, (size_t)len, off) != len) {
		fprintf(stderr, "dmfail: reading %s before rewriting it: %s\n",
			argv[0], strerror(errno));
		free(buf);
		close(fd);
		return 2;
	}
	if (arm()) {
		free(buf);
		close(fd);
		return 2;
	}
	if (!strcmp(op, "write"))
		n = pwrite(fd, buf, (size_t)len, off);
	else
		n = pread(fd, buf, (size_t)len, off);
	if (n < 0)
		err = errno;
	injected = disarm();
	if (n >= 0 && n != len)
		err = EIO;
	printf("dmfail %s rc=%d injected=%d checks=%ld\n", op, err, injected, checks);
	free(buf);
	close(fd);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	int c, r;

	while ((c = getopt(argc, argv, "+n:p")) != -1) {
		switch (c) {
		case 'n':
			nth = strtol(optarg, NULL, 10);
			break;
		case 'p':
			per_task = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[optind], "read") || !strcmp(argv[optind], "write"))
		r = do_io(argv[optind], argc - optind - 1, argv + optind + 1);
	else
		r = do_dm(argv[optind], argc - optind - 1, argv + optind + 1);
	if (r != 2)
		return r;
usage:
	fprintf(stderr, "usage: dmfail [-n NTH] [-p] create|reload NAME TABLE | suspend|resume|remove NAME |\n"
		"       message NAME WORDS... | read|write DEV OFFSET LENGTH\n");
	return 2;
}
