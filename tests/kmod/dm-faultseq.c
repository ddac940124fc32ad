// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-faultseq.c - a TEST-ONLY device-mapper target: a linear mapping that
 * fails chosen bios by count, not by time.
 *
 * Table line (as dm-linear):
 *   <start> <len> faultseq <dev> <offset>
 *
 * Every bio passes through to <dev> at <offset> until a rule says
 * otherwise.  A rule names a class of bios (reads, writes, flushes,
 * discards) and a sector range of the target; of the bios that match it,
 * it lets <skip> through, fails the next <times> (-1: all of them) with a
 * chosen blk_status_t, and lets the rest through again:
 *
 *   dmsetup message <dev> 0 fail <ops> <first> <nr> <skip> <times> [<status> [drop|land]]
 *   dmsetup message <dev> 0 count <ops> <first> <nr>
 *   dmsetup message <dev> 0 clear
 *   dmsetup message <dev> 0 rules
 *
 * <ops>: read, write, rw, flush, discard (also secure erase and write
 * zeroes) or all, or several joined by '+' (write+flush).  A bio matches
 * when its class is in <ops> and it touches a sector of [first, first+nr);
 * an empty flush has no sectors and matches a rule with "flush" in it
 * whatever its range.  <status>: ioerr (default), medium, target, nospc,
 * notsupp, protection, transport.  drop (default): a failed bio is not
 * sent to <dev> (a failed write changes nothing); land: it is sent, and
 * the error is reported on completion (a write that reached the disk but
 * reports an error).  "count" adds a rule that only counts.
 *
 * "fail" and "count" answer the new rule's id: 0, 1, ... in the order the
 * rules were added since the last "clear", which removes every rule and
 * zeroes every counter.  Each rule counts on its own: the k-th bio that
 * matches it (from 0) fails if skip <= k < skip + times, whatever the
 * other rules do with it; a bio fails when any rule fails it, with the
 * status of the first such rule.
 *
 * Status (INFO):
 *   <bios_passed> <bios_failed> <nr_rules> [<passed>/<failed>]...
 * the bios seen since the last clear that passed or failed, then, per rule
 * in id order, how many matching bios it let through and how many it
 * failed.  "rules" answers one line per rule:
 *   <id> <ops> <first> <nr> <skip> <times> <status> <mode> <passed> <failed>
 *
 * The rules and the counters are one spinlock's; rules are runtime state
 * and not part of the table (a reload starts with none).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>

#define DM_MSG_PREFIX "faultseq"

#define FAULTSEQ_MAX_RULES 64

/* Classes of bios. */
#define FS_READ		0x1U
#define FS_WRITE	0x2U
#define FS_FLUSH	0x4U
#define FS_DISCARD	0x8U
#define FS_ALL		(FS_READ | FS_WRITE | FS_FLUSH | FS_DISCARD)

static const struct {
	const char *name;
	unsigned int ops;
} faultseq_ops[] = {
	{ "read", FS_READ },
	{ "write", FS_WRITE },
	{ "flush", FS_FLUSH },
	{ "discard", FS_DISCARD },
	{ "rw", FS_READ | FS_WRITE },
	{ "all", FS_ALL },
};

static const struct {
	const char *name;
	blk_status_t status;
} faultseq_statuses[] = {
	{ "ioerr", BLK_STS_IOERR },
	{ "medium", BLK_STS_MEDIUM },
	{ "target", BLK_STS_TARGET },
	{ "nospc", BLK_STS_NOSPC },
	{ "notsupp", BLK_STS_NOTSUPP },
	{ "protection", BLK_STS_PROTECTION },
	{ "transport", BLK_STS_TRANSPORT },
};

struct faultseq_rule {
	struct list_head list;
	unsigned int ops;
	sector_t first;
	sector_t nr;
	u64 skip;
	s64 times;		/* -1: for ever */
	blk_status_t status;
	bool land;		/* send the bio, then report the error */
	u64 matched;
	u64 passed;
	u64 failed;
};

struct faultseq_c {
	struct dm_dev *dev;
	sector_t start;
	spinlock_t lock;	/* the rules and every counter */
	struct list_head rules;
	unsigned int nr_rules;
	u64 bios_passed;
	u64 bios_failed;
};

/* Per bio: the error to report on completion (land mode), or 0. */
struct faultseq_pb {
	blk_status_t status;
};

static int faultseq_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct faultseq_c *fc;
	unsigned long long start;
	char dummy;
	int r;

	if (argc != 2) {
		ti->error = "Invalid argument count: <dev> <offset>";
		return -EINVAL;
	}
	if (sscanf(argv[1], "%llu%c", &start, &dummy) != 1 ||
	    start != (sector_t)start) {
		ti->error = "Invalid device sector";
		return -EINVAL;
	}
	fc = kzalloc(sizeof(*fc), GFP_KERNEL);
	if (!fc) {
		ti->error = "Cannot allocate context";
		return -ENOMEM;
	}
	fc->start = start;
	spin_lock_init(&fc->lock);
	INIT_LIST_HEAD(&fc->rules);
	r = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &fc->dev);
	if (r) {
		ti->error = "Device lookup failed";
		kfree(fc);
		return r;
	}
	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_secure_erase_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct faultseq_pb);
	ti->private = fc;
	return 0;
}

static void faultseq_free_rules(struct list_head *rules)
{
	struct faultseq_rule *r, *tmp;

	list_for_each_entry_safe(r, tmp, rules, list) {
		list_del(&r->list);
		kfree(r);
	}
}

static void faultseq_dtr(struct dm_target *ti)
{
	struct faultseq_c *fc = ti->private;

	faultseq_free_rules(&fc->rules);
	dm_put_device(ti, fc->dev);
	kfree(fc);
}

/* The class of @bio, or 0 for one no rule can match (zone operations). */
static unsigned int faultseq_class(struct bio *bio)
{
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		return FS_READ;
	case REQ_OP_WRITE:
		if (!bio_sectors(bio))
			return (bio->bi_opf & REQ_PREFLUSH) ? FS_FLUSH : 0;
		return FS_WRITE;
	case REQ_OP_DISCARD:
	case REQ_OP_SECURE_ERASE:
	case REQ_OP_WRITE_ZEROES:
		return FS_DISCARD;
	default:
		return 0;
	}
}

/*
 * Count @bio (class @class, target sectors [off, off + n)) in every rule it
 * matches; the status to fail it with, or BLK_STS_OK.
 */
static blk_status_t faultseq_judge(struct faultseq_c *fc, unsigned int class,
				   sector_t off, sector_t n, bool *land)
{
	blk_status_t status = BLK_STS_OK;
	struct faultseq_rule *r;
	unsigned long flags;
	u64 k;

	spin_lock_irqsave(&fc->lock, flags);
	list_for_each_entry(r, &fc->rules, list) {
		if (!(r->ops & class))
			continue;
		if (class != FS_FLUSH &&
		    (off >= r->first + r->nr || r->first >= off + n))
			continue;
		k = r->matched++;
		if (k >= r->skip && (r->times < 0 || k - r->skip < r->times)) {
			r->failed++;
			if (status == BLK_STS_OK) {
				status = r->status;
				*land = r->land;
			}
		} else {
			r->passed++;
		}
	}
	if (status == BLK_STS_OK)
		fc->bios_passed++;
	else
		fc->bios_failed++;
	spin_unlock_irqrestore(&fc->lock, flags);
	return status;
}

static int faultseq_map(struct dm_target *ti, struct bio *bio)
{
	struct faultseq_c *fc = ti->private;
	struct faultseq_pb *pb = dm_per_bio_data(bio, sizeof(*pb));
	sector_t off = dm_target_offset(ti, bio->bi_iter.bi_sector);
	unsigned int class = faultseq_class(bio);
	blk_status_t status = BLK_STS_OK;
	bool land = false;

	pb->status = BLK_STS_OK;
	if (class)
		status = faultseq_judge(fc, class, off, bio_sectors(bio), &land);
	if (status != BLK_STS_OK && !land) {
		bio->bi_status = status;
		bio_endio(bio);
		return DM_MAPIO_SUBMITTED;
	}
	pb->status = status;
	bio_set_dev(bio, fc->dev->bdev);
	if (bio_sectors(bio) || op_is_zone_mgmt(bio_op(bio)))
		bio->bi_iter.bi_sector = fc->start + off;
	return DM_MAPIO_REMAPPED;
}

static int faultseq_end_io(struct dm_target *ti, struct bio *bio,
			   blk_status_t *error)
{
	struct faultseq_pb *pb = dm_per_bio_data(bio, sizeof(*pb));

	if (pb->status != BLK_STS_OK && *error == BLK_STS_OK)
		*error = pb->status;
	return DM_ENDIO_DONE;
}

static const char *faultseq_status_name(blk_status_t status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(faultseq_statuses); i++)
		if (faultseq_statuses[i].status == status)
			return faultseq_statuses[i].name;
	return "?";
}

/* "read+write+flush" for @ops into @buf. */
static void faultseq_ops_name(unsigned int ops, char *buf, size_t len)
{
	unsigned int i;
	size_t sz = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(faultseq_ops); i++) {
		if (hweight32(faultseq_ops[i].ops) != 1 ||
		    !(ops & faultseq_ops[i].ops))
			continue;
		sz += scnprintf(buf + sz, len - sz, "%s%s", sz ? "+" : "",
				faultseq_ops[i].name);
	}
}

/* Parse "write", "read+flush", ... */
static int faultseq_parse_ops(const char *s, unsigned int *ops)
{
	size_t len;
	unsigned int i;

	*ops = 0;
	while (*s) {
		len = strcspn(s, "+");
		for (i = 0; i < ARRAY_SIZE(faultseq_ops); i++)
			if (strlen(faultseq_ops[i].name) == len &&
			    !strncmp(s, faultseq_ops[i].name, len))
				break;
		if (i == ARRAY_SIZE(faultseq_ops))
			return -EINVAL;
		*ops |= faultseq_ops[i].ops;
		s += len;
		if (*s == '+' && *++s == '\0')
			return -EINVAL;
	}
	return *ops ? 0 : -EINVAL;
}

static int faultseq_parse_rule(unsigned int argc, char **argv,
			       struct faultseq_rule *r)
{
	unsigned long long first, nr;
	unsigned int i;

	if (faultseq_parse_ops(argv[0], &r->ops)) {
		DMWARN("unknown bio class '%s'", argv[0]);
		return -EINVAL;
	}
	if (kstrtoull(argv[1], 10, &first) || kstrtoull(argv[2], 10, &nr) ||
	    first != (sector_t)first || nr != (sector_t)nr ||
	    first + nr < first) {
		DMWARN("invalid sector range '%s %s'", argv[1], argv[2]);
		return -EINVAL;
	}
	if (!nr && r->ops != FS_FLUSH) {
		DMWARN("empty sector range");
		return -EINVAL;
	}
	r->first = first;
	r->nr = nr;
	r->status = BLK_STS_IOERR;
	if (argc == 3)
		return 0;
	if (kstrtou64(argv[3], 10, &r->skip) || kstrtos64(argv[4], 10, &r->times) ||
	    r->times < -1) {
		DMWARN("invalid skip/times '%s %s'", argv[3], argv[4]);
		return -EINVAL;
	}
	if (argc > 5) {
		for (i = 0; i < ARRAY_SIZE(faultseq_statuses); i++)
			if (!strcmp(argv[5], faultseq_statuses[i].name))
				break;
		if (i == ARRAY_SIZE(faultseq_statuses)) {
			DMWARN("unknown status '%s'", argv[5]);
			return -EINVAL;
		}
		r->status = faultseq_statuses[i].status;
	}
	if (argc > 6) {
		if (!strcmp(argv[6], "land")) {
			r->land = true;
		} else if (strcmp(argv[6], "drop")) {
			DMWARN("unknown mode '%s' (drop or land)", argv[6]);
			return -EINVAL;
		}
	}
	return 0;
}

static int faultseq_add_rule(struct faultseq_c *fc, unsigned int argc,
			     char **argv, char *result, unsigned int maxlen)
{
	struct faultseq_rule *r;
	unsigned int id;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = faultseq_parse_rule(argc, argv, r);
	if (err) {
		kfree(r);
		return err;
	}
	spin_lock_irq(&fc->lock);
	if (fc->nr_rules == FAULTSEQ_MAX_RULES) {
		spin_unlock_irq(&fc->lock);
		kfree(r);
		DMWARN("too many rules (%u)", FAULTSEQ_MAX_RULES);
		return -ENOSPC;
	}
	id = fc->nr_rules++;
	list_add_tail(&r->list, &fc->rules);
	spin_unlock_irq(&fc->lock);
	scnprintf(result, maxlen, "%u", id);
	return 1;
}

static void faultseq_list_rules(struct faultseq_c *fc, char *result,
				unsigned int maxlen)
{
	struct faultseq_rule *r;
	unsigned int sz = 0, id = 0;
	char ops[40];

	spin_lock_irq(&fc->lock);
	list_for_each_entry(r, &fc->rules, list) {
		faultseq_ops_name(r->ops, ops, sizeof(ops));
		DMEMIT("%u %s %llu %llu %llu %lld %s %s %llu %llu\n", id++, ops,
		       (unsigned long long)r->first,
		       (unsigned long long)r->nr,
		       (unsigned long long)r->skip, (long long)r->times,
		       faultseq_status_name(r->status),
		       r->land ? "land" : "drop",
		       (unsigned long long)r->passed,
		       (unsigned long long)r->failed);
	}
	spin_unlock_irq(&fc->lock);
}

static int faultseq_message(struct dm_target *ti, unsigned int argc,
			    char **argv, char *result, unsigned int maxlen)
{
	struct faultseq_c *fc = ti->private;
	LIST_HEAD(old);

	if (argc == 1 && !strcmp(argv[0], "clear")) {
		spin_lock_irq(&fc->lock);
		list_splice_init(&fc->rules, &old);
		fc->nr_rules = 0;
		fc->bios_passed = 0;
		fc->bios_failed = 0;
		spin_unlock_irq(&fc->lock);
		faultseq_free_rules(&old);
		return 0;
	}
	if (argc == 1 && !strcmp(argv[0], "rules")) {
		faultseq_list_rules(fc, result, maxlen);
		return 1;
	}
	if (argc >= 6 && argc <= 8 && !strcmp(argv[0], "fail"))
		return faultseq_add_rule(fc, argc - 1, argv + 1, result,
					 maxlen);
	if (argc == 4 && !strcmp(argv[0], "count"))
		return faultseq_add_rule(fc, argc - 1, argv + 1, result,
					 maxlen);
	DMWARN("unrecognised message '%s' with %u arguments",
	       argc ? argv[0] : "", argc);
	return -EINVAL;
}

static void faultseq_status(struct dm_target *ti, status_type_t type,
			    unsigned int status_flags, char *result,
			    unsigned int maxlen)
{
	struct faultseq_c *fc = ti->private;
	struct faultseq_rule *r;
	unsigned long flags;
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		spin_lock_irqsave(&fc->lock, flags);
		DMEMIT("%llu %llu %u", (unsigned long long)fc->bios_passed,
		       (unsigned long long)fc->bios_failed, fc->nr_rules);
		list_for_each_entry(r, &fc->rules, list)
			DMEMIT(" %llu/%llu", (unsigned long long)r->passed,
			       (unsigned long long)r->failed);
		spin_unlock_irqrestore(&fc->lock, flags);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %llu", fc->dev->name, (unsigned long long)fc->start);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",device_name=%s,start=%llu;", fc->dev->name,
		       (unsigned long long)fc->start);
		break;
	}
}

static int faultseq_iterate_devices(struct dm_target *ti,
				    iterate_devices_callout_fn fn, void *data)
{
	struct faultseq_c *fc = ti->private;

	return fn(ti, fc->dev, fc->start, ti->len, data);
}

static struct target_type faultseq_target = {
	.name = "faultseq",
	.version = {1, 0, 0},
	.module = THIS_MODULE,
	.ctr = faultseq_ctr,
	.dtr = faultseq_dtr,
	.map = faultseq_map,
	.end_io = faultseq_end_io,
	.message = faultseq_message,
	.status = faultseq_status,
	.iterate_devices = faultseq_iterate_devices,
};

static int __init dm_faultseq_init(void)
{
	return dm_register_target(&faultseq_target);
}

static void __exit dm_faultseq_exit(void)
{
	dm_unregister_target(&faultseq_target);
}

module_init(dm_faultseq_init);
module_exit(dm_faultseq_exit);

MODULE_DESCRIPTION(DM_NAME " count-based fault injection target (tests only)");
MODULE_AUTHOR("dm-remap developers");
MODULE_LICENSE("GPL");
