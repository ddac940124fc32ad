// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-remap-debugfs.c - /sys/kernel/debug/dm_remap/remap_table.
 *
 * One line per remapped unit of every remapped device:
 *   <dm_name> <logical_sector> <spare_sector> <nr_sectors>
 * where spare_sector is the unit's first sector on the spare device.  The
 * file is a seq_file walking the live indexes, so it is right as devices
 * come and go and never needs a buffer the size of the whole table.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/dm-ioctl.h>

#include "dm-remap.h"

static struct dentry *remap_debugfs_dir;

struct remap_dbg_iter {
	struct remap_state *st;	/* device being walked, or NULL */
	struct remap_table *t;	/* its index, held by srcu_idx */
	int srcu_idx;
	size_t i;		/* entry of t */
	char name[DM_NAME_LEN];	/* the device's name, as dmsetup shows it */
};

static void remap_dbg_release(struct remap_dbg_iter *it)
{
	if (it->st) {
		__acquire(&it->st->io_srcu);	/* taken in remap_dbg_hold() */
		srcu_read_unlock(&it->st->io_srcu, it->srcu_idx);
	}
	it->st = NULL;
}

/*
 * Hold the index of @st; false when it has none.  The states' mutex is
 * held, so @st has a live table and its mapped device is there.  Device
 * names live in dm-ioctl's hash (they change with "dmsetup rename");
 * dm-ioctl never destroys a table while it holds that hash's lock, so
 * taking it here under our mutex cannot deadlock with a table's removal.
 */
static bool remap_dbg_hold(struct remap_dbg_iter *it, struct remap_state *st)
{
	it->st = st;
	it->srcu_idx = srcu_read_lock(&st->io_srcu);
	__release(&st->io_srcu);	/* held across seq_file calls */
	it->t = srcu_dereference(st->table, &st->io_srcu);
	it->i = 0;
	if (it->t) {
		if (dm_copy_name_and_uuid(st->md, it->name, NULL))
			strscpy(it->name, dm_device_name(st->md),
				sizeof(it->name));
		return true;
	}
	remap_dbg_release(it);
	return false;
}

/* Position on entry @pos counting from the first entry of @from. */
static void *remap_dbg_seek(struct remap_dbg_iter *it,
			    struct remap_state *from, loff_t pos)
{
	struct list_head *head = remap_states_head();
	struct remap_state *st = from;

	list_for_each_entry_from(st, head, list) {
		if (!remap_dbg_hold(it, st))
			continue;
		if (pos < it->t->nr) {
			it->i = pos;
			return it;
		}
		pos -= it->t->nr;
		remap_dbg_release(it);
	}
	return NULL;
}

static void *remap_dbg_start(struct seq_file *m, loff_t *pos)
{
	struct remap_dbg_iter *it = m->private;

	remap_states_lock();
	it->st = NULL;
	return remap_dbg_seek(it, list_first_entry(remap_states_head(),
						   struct remap_state, list),
			      *pos);
}

static void *remap_dbg_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct remap_dbg_iter *it = v;
	struct remap_state *st = it->st;

	(*pos)++;
	if (++it->i < it->t->nr)
		return it;
	remap_dbg_release(it);
	return remap_dbg_seek(it, list_next_entry(st, list), 0);
}

static void remap_dbg_stop(struct seq_file *m, void *v)
{
	struct remap_dbg_iter *it = m->private;

	remap_dbg_release(it);
	remap_states_unlock();
}

static int remap_dbg_show(struct seq_file *m, void *v)
{
	struct remap_dbg_iter *it = v;
	struct remap_state *st = it->st;
	const struct remap_entry *e = &it->t->e[it->i];
	sector_t lsector = (sector_t)e->lunit << st->unit_shift;

	seq_printf(m, "%s %llu %llu %u\n", it->name,
		   (unsigned long long)lsector,
		   (unsigned long long)remap_unit_to_spare(st, e->sunit),
		   st->unit_sectors);
	return 0;
}

static const struct seq_operations remap_dbg_seq_ops = {
	.start = remap_dbg_start,
	.next = remap_dbg_next,
	.stop = remap_dbg_stop,
	.show = remap_dbg_show,
};

static int remap_dbg_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &remap_dbg_seq_ops,
				sizeof(struct remap_dbg_iter));
}

static const struct file_operations remap_dbg_fops = {
	.owner = THIS_MODULE,
	.open = remap_dbg_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

void remap_debugfs_init(void)
{
	/* debugfs failures are not fatal: the target works without it. */
	remap_debugfs_dir = debugfs_create_dir("dm_remap", NULL);
	debugfs_create_file("remap_table", 0444, remap_debugfs_dir, NULL,
			    &remap_dbg_fops);
}

void remap_debugfs_exit(void)
{
	debugfs_remove_recursive(remap_debugfs_dir);
}
