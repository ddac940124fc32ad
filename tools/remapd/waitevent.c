// SPDX-License-Identifier: GPL-2.0-only
/*
 * waitevent.c - remapd's way to wait for device events where the kernel
 * has no DM_DEV_ARM_POLL (before Linux 4.13), or with --wait-event: one
 * thread per remap device, each blocked in DM_DEVICE_WAITEVENT (what
 * dmeventd does), writing a byte to a pipe when its device's event
 * number moves.  The main loop polls the pipe's other end as it polls an
 * armed /dev/mapper/control otherwise, and then scans as usual.
 *
 * A waiter holds a reference to its device only while the ioctl sleeps;
 * removing the device raises an event (the kernel wakes waiters before
 * it destroys a device with a live table), the waiter's next
 * DM_DEVICE_WAITEVENT fails, and the thread ends.  Devices created later
 * are found by remapd's periodic scan in this mode (remapd(8)).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "waitevent.h"

static int wake_pipe[2] = { -1, -1 };

struct waiter {
	dev_t devno;
	uint32_t event_nr;
};

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	struct dm_task *dmt;
	struct dm_info info;
	bool ok;

	for (;;) {
		dmt = dm_task_create(DM_DEVICE_WAITEVENT);
		if (!dmt)
			break;
		ok = dm_task_set_major(dmt, (int)major(w->devno)) &&
		     dm_task_set_minor(dmt, (int)minor(w->devno)) &&
		     dm_task_set_event_nr(dmt, w->event_nr) &&
		     dm_task_run(dmt) && dm_task_get_info(dmt, &info) &&
		     info.exists;
		if (ok)
			w->event_nr = info.event_nr;
		dm_task_destroy(dmt);
		/* Wake the main loop; a full pipe has wakes enough. */
		if (write(wake_pipe[1], "e", 1) < 0 && errno != EAGAIN)
			break;
		if (!ok)
			break;
	}
	free(w);
	return NULL;
}

int we_init(void)
{
	if (wake_pipe[0] >= 0)
		return wake_pipe[0];
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	return wake_pipe[0];
}

int we_watch(dev_t devno, uint32_t event_nr)
{
	struct waiter *w = malloc(sizeof(*w));
	pthread_attr_t a;
	pthread_t t;
	int r;

	if (!w)
		return ENOMEM;
	w->devno = devno;
	w->event_nr = event_nr;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	/* The thread only waits in an ioctl: a small stack is plenty. */
	pthread_attr_setstacksize(&a, 64 * 1024);
	r = pthread_create(&t, &a, waiter_run, w);
	pthread_attr_destroy(&a);
	if (r)
		free(w);
	return r;
}

void we_drain(void)
{
	char buf[256];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
}
