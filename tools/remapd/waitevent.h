/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * waitevent.h - DM_DEVICE_WAITEVENT waiters, for kernels without
 * DM_DEV_ARM_POLL (waitevent.c).
 */
#ifndef REMAPD_WAITEVENT_H
#define REMAPD_WAITEVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The wake pipe's read end (created once), to poll; -1 on error. */
int we_init(void);

/*
 * Start a thread that waits for events of device @devno past @event_nr,
 * and wakes the pipe at each.  0, or an errno.
 */
int we_watch(dev_t devno, uint32_t event_nr);

/* Empty the wake pipe (after it polled readable). */
void we_drain(void);

#endif /* REMAPD_WAITEVENT_H */
