/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_types.h - the few types and helpers the kernel-agnostic core needs.
 *
 * Everything under core/ is compiled twice: into dm_remap.ko (where
 * __KERNEL__ is defined) and into the host unit tests, fuzzers and the
 * userspace tools.  This header is the only place that knows the
 * difference, so the rest of core/ reads like plain kernel C.
 *
 * The core never allocates memory: callers hand it buffers, which lets the
 * module choose kvmalloc()/RCU and the host tests choose malloc().
 */
#ifndef DM_REMAP_CORE_TYPES_H
#define DM_REMAP_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/limits.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <limits.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#ifndef U64_MAX
#define U64_MAX UINT64_MAX
#endif
#ifndef U32_MAX
#define U32_MAX UINT32_MAX
#endif
#ifndef BITS_PER_LONG
#define BITS_PER_LONG ((int)(sizeof(long) * CHAR_BIT))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
/* A store others may read without the lock (the module's READ_ONCE). */
#define WRITE_ONCE(x, val) __atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#endif /* __KERNEL__ */

#define REMAP_SECTOR_SHIFT 9

#endif /* DM_REMAP_CORE_TYPES_H */
