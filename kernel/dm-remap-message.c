// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-message.c - "dmsetup message <dev> 0 <verb> ...".
 *
 *   remap <sector> [<nr_sectors>]     remap the units holding those sectors
 *   unremap <sector> [<nr_sectors>]   move them back to the main device
 *   clear                             unremap every unit
 *   list                              one line per remapped unit
 *
 * The syntax is checked by core/remap_args.c.  A refused message changes
 * nothing; the reason goes to the kernel log, the errno to the caller
 * (EINVAL bad message, EEXIST already remapped, ENOENT not remapped,
 * ENOSPC spare pool too small, EIO the data could not be moved), as the
 * ioctl carries no text back on failure.
 */
#include "dm-remap.h"

/* "<logical_sector> <spare_sector> <nr_sectors>" per remapped unit. */
static int remap_list(struct remap_c *rc, char *result, unsigned int maxlen)
{
	struct remap_state *st = rc->st;
	struct remap_table *t;
	unsigned int sz = 0;
	size_t i;
	int idx;

	idx = srcu_read_lock(&st->io_srcu);
	t = srcu_dereference(st->table, &st->io_srcu);
	for (i = 0; t && i < t->nr && sz < maxlen; i++)
		DMEMIT("%llu %llu %llu\n",
		       (unsigned long long)(t->e[i].lunit << st->unit_shift),
		       (unsigned long long)remap_unit_to_spare(st, t->e[i].sunit),
		       (unsigned long long)st->unit_sectors);
	srcu_read_unlock(&st->io_srcu, idx);
	return 1;
}

static void remap_message_failed(struct remap_c *rc, struct remap_msg *m,
				 int r)
{
	struct remap_state *st = rc->st;
	const char *name = dm_device_name(st->md);
	unsigned long long s = m->sector, n = m->nr_sectors;

	switch (r) {
	case -EEXIST:
		DMERR("%s: remap %llu %llu: a unit in that range is already remapped",
		      name, s, n);
		break;
	case -ENOENT:
		DMERR("%s: unremap %llu %llu: a unit in that range is not remapped",
		      name, s, n);
		break;
	case -ENOSPC:
		DMERR("%s: remap %llu %llu: spare pool has %llu free units, fewer than needed",
		      name, s, n,
		      (unsigned long long)spare_pool_free_units(&st->pool));
		break;
	default:
		DMERR("%s: %s %llu %llu failed: %d", name,
		      m->op == REMAP_MSG_REMAP ? "remap" : "unremap", s, n, r);
	}
}

int remap_message(struct dm_target *ti, unsigned int argc, char **argv,
		  char *result, unsigned int maxlen)
{
	struct remap_c *rc = ti->private;
	struct remap_state *st = rc->st;
	const char *error;
	struct remap_msg m;
	u64 first, last;
	u64 before;
	int r;

	r = remap_parse_message(argc, argv, ti->len, &m, &error);
	if (r) {
		DMERR("%s: %s", dm_device_name(st->md), error);
		return r;
	}

	before = READ_ONCE(st->generation);
	first = m.sector >> st->unit_shift;
	last = (m.sector + m.nr_sectors - 1) >> st->unit_shift;
	switch (m.op) {
	case REMAP_MSG_LIST:
		return remap_list(rc, result, maxlen);
	case REMAP_MSG_CLEAR:
		r = unremap_units(rc, 0, rc->nr_lunits - 1, false);
		break;
	case REMAP_MSG_REMAP:
		r = remap_units(rc, first, last);
		break;
	case REMAP_MSG_UNREMAP:
		r = unremap_units(rc, first, last, true);
		break;
	default:
		return -EINVAL;
	}
	if (r)
		remap_message_failed(rc, &m, r);
	/* Every change makes a new index: wake "dmsetup wait" and remapd. */
	if (READ_ONCE(st->generation) != before)
		dm_table_event(ti->table);
	return r;
}
