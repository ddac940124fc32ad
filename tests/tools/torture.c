// SPDX-License-Identifier: GPL-2.0-only
/*
 * torture - a model-based concurrent checker for dm-remap.
 *
 *   torture --main LOOPDEV --spare LOOPDEV [--seed S] [--steps N | --seconds T]
 *           [--threads N] [--unit U] [--volatile] [--no-discard]
 *           [--io-per-step N] [--meta-every N] [--name NAME] [-v | -q]
 *
 * It builds, over two plain block devices (loop devices in the guest tests):
 *   NAME-m  dm-linear over --main, whose table gets dm-error (reads and
 *           writes fail) and dm-flakey error_writes (writes fail) segments
 *           swapped in and out: the failing main device;
 *   NAME-s  the same over --spare: the failing spare device;
 *   NAME    the remap target over the two (persistent metadata unless
 *           --volatile), target length not a multiple of the unit.
 *
 * Then it runs steps.  In each step I/O threads do O_DIRECT reads, writes,
 * discards and write-zeroes of 512 B to 256 KiB at random sector offsets
 * (unaligned to units, overlapping each other), some steps over a small
 * "hot" range around the latest fault; meanwhile the controller thread does
 * one operation: inject or heal a main or spare fault, send remap /
 * remap_many / remap_many zero_fill / unremap / clear / protect / unprotect /
 * identity, suspend+resume, reload with a grown spare or target (or the
 * same table), or remove and re-create the device from its metadata.  Then
 * the I/O stops (a barrier) and everything is checked:
 *
 *  - every sector of the target reads back a value the model allows.  Every
 *    sector of every write carries (seed, write id, sector).  The model
 *    keeps, per sector, the set of writes that may be there: the last
 *    acknowledged one, plus every write that overlapped it in time or
 *    failed after it, and pseudo-writes of zeroes for "lost" (a sector
 *    whose place was unreadable while a dm-error fault covered it, which
 *    the target replaces with zeroes when it relocates the unit).  A write
 *    acknowledged before another one started supersedes it.  Reads done
 *    by the I/O threads during the step are checked the same way against
 *    the set at their start plus the writes that started while they ran;
 *  - a read may fail only where a dm-error fault covered its place; a
 *    write only when the spare device was failing or the pool exhausted;
 *    the status counters must show it (uncorrectable_reads grew by at
 *    least the failed reads, spare_errors when only the spare explains it);
 *    a zero read justified only by "lost" must be counted in lost_sectors
 *    and logged ("sectors A-B unreadable; replaced by zeroes") unless the
 *    kernel's rate limit suppressed messages;
 *  - status, stats, list and debugfs agree; spare_used = remapped + retired;
 *    retired_units grows only with spare_errors (a spare unit is retired
 *    only for an error on the spare device); counters move only when a
 *    fault could move them;
 *  - persistent: the on-disk table (the metadata area copied while the
 *    device is suspended, decoded with remapctl dump --json) equals list,
 *    the on-disk counters equal status, the protection fields the model's
 *    and the identity (name, serial, wwn, partition) the last identity
 *    message's;
 *  - protection: protect/unprotect answer what the model says (EEXIST for
 *    other sizes, ENOENT when not protected, EINVAL on a volatile table;
 *    otherwise only a fault explains an error); protected units stay
 *    remapped; the raw main device holds the member signature and zeroes
 *    under them; unremap/clear of a protected unit answer EPERM and change
 *    nothing; after unprotect the raw main device holds their data again;
 *    stats protected_units equals the model;
 *  - remap_many zero_fill: the units it remapped read zeroes (unless
 *    written since), the ones it skipped keep their data, and lost_sectors
 *    grows by exactly unit_sectors per remapped unit;
 *  - no kernel complaint (BUG, WARNING, Oops, ...) in the kernel log, and
 *    no step takes longer than --hang-timeout.
 *
 * The seed fixes the controller's operations and each I/O thread's
 * operations; the interleaving is the scheduler's.  A failing run prints
 * the seed, the numbered step list and the first mismatches, and exits 1
 * (3 for a hang, 2 for a usage or set-up error).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef uint64_t u64;
typedef uint32_t u32;

#define SECTOR 512
#define MAX_IO_SECTORS 512		/* 256 KiB */
#define MAX_THREADS 32
#define MAX_FAULTS_PER_DEV 4
#define REMAP_MAX_PENDING 508		/* kernel/dm-remap.h */

/* ------------------------------------------------------------------ */
/* options and run-wide state                                          */

static struct {
	u64 seed;
	unsigned int steps;
	double seconds;
	unsigned int threads;
	const char *main_path, *spare_path, *name, *remapctl;
	unsigned int unit;
	bool vol;
	bool discard;
	unsigned int io_per_step;
	unsigned int meta_every;
	unsigned int hang_timeout;
	int verbose;
	bool meta_faults;
	unsigned int seq_max_times;	/* 0: any, including for ever */
	u64 target_len0, spare_len0;
	unsigned int read_retries;
} opt = {
	.threads = 4, .unit = 8, .discard = true, .io_per_step = 16,
	.meta_every = 1, .hang_timeout = 120, .name = "tort",
};

static char main_dm[64], spare_dm[64], dev_path[160];
static u64 main_sectors, spare_sectors;	/* the raw devices */
static u64 cur_len, spare_len, data_offset, nlog;	/* nlog: model size */
static char devno[32];			/* "major:minor" of the remap device */
static double t0;
static unsigned int cur_step;
static atomic_ulong progress;
static const char *volatile phase = "setup";
static const char *volatile inflight;	/* the message being sent */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The checker runs in a child process: after a kernel oops, I/O threads can
 * stay in uninterruptible sleep for ever, and a process with such a thread
 * never finishes exiting.  The child tells the parent its exit status
 * through a pipe before it exits; the parent exits with it at once.
 */
static int exit_fd = -1;

static void quit(int code) __attribute__((noreturn));
static void quit(int code)
{
	unsigned char c = (unsigned char)code;

	fflush(stdout);
	fflush(stderr);
	if (exit_fd >= 0 && write(exit_fd, &c, 1) != 1)
		c = 0;
	_exit(code);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "torture: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	quit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

/* ------------------------------------------------------------------ */
/* random numbers: splitmix64, one stream per thread                    */

struct rng {
	u64 s;
};

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static u64 rnd(struct rng *r)
{
	u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 below(struct rng *r, u64 n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* 1..max, most of them small: log-uniform. */
static u64 logsize(struct rng *r, u64 max)
{
	unsigned int bits = 0;
	u64 n;

	while ((1ULL << (bits + 1)) <= max)
		bits++;
	n = 1ULL << below(r, bits + 1);
	n += below(r, n);
	return n > max ? max : n;
}

/* ------------------------------------------------------------------ */
/* sector contents                                                      */

#define TAG_MAGIC 0x3145525554524f54ULL		/* "TORTURE1" */
#define JUNK_MAGIC 0x4b4e554a45524150ULL	/* "PAREJUNK" */
#define GOLD 0x9e3779b97f4a7c15ULL

static void fill_tag(u64 *w, u64 seed, u64 wid, u64 sector)
{
	u64 check = mix(seed ^ mix(wid ^ mix(sector + 1)));
	unsigned int i;

	w[0] = TAG_MAGIC;
	w[1] = seed;
	w[2] = wid;
	w[3] = sector;
	w[4] = check;
	for (i = 5; i < SECTOR / 8; i++)
		w[i] = check ^ (i * GOLD);
}

/* What the spare holds where nothing was ever written: never valid data. */
static void fill_junk(u64 *w, u64 spare_sector)
{
	unsigned int i;

	w[0] = JUNK_MAGIC;
	w[1] = spare_sector;
	for (i = 2; i < SECTOR / 8; i++)
		w[i] = mix(spare_sector) ^ (i * GOLD);
}

enum vkind { V_ZERO, V_TAG, V_OTHER_SEED, V_BAD_TAG, V_JUNK, V_FOREIGN };

struct val {
	int kind;
	u64 seed, wid, sector;
};

static void decode(const u64 *w, u64 seed, struct val *v)
{
	unsigned int i;
	u64 check;

	memset(v, 0, sizeof(*v));
	if (w[0] == TAG_MAGIC) {
		v->seed = w[1];
		v->wid = w[2];
		v->sector = w[3];
		check = mix(w[1] ^ mix(w[2] ^ mix(w[3] + 1)));
		v->kind = w[4] == check ? V_TAG : V_BAD_TAG;
		for (i = 5; i < SECTOR / 8 && v->kind == V_TAG; i++)
			if (w[i] != (check ^ (i * GOLD)))
				v->kind = V_BAD_TAG;	/* torn */
		if (v->kind == V_TAG && v->seed != seed)
			v->kind = V_OTHER_SEED;
		return;
	}
	if (w[0] == JUNK_MAGIC) {
		v->kind = V_JUNK;
		v->sector = w[1];
		return;
	}
	for (i = 0; i < SECTOR / 8; i++)
		if (w[i]) {
			v->kind = V_FOREIGN;
			return;
		}
	v->kind = V_ZERO;
}

/* ------------------------------------------------------------------ */
/* the model                                                            */

/*
 * Every write (and every pseudo-write: the initial contents, a possible
 * loss) is a record; its id is what the sectors carry.  start and end are
 * ticks of one clock, taken under the model lock before the syscall and
 * after it returned, so "a ended before b started" is real-time order.
 */
enum wkind { W_INIT, W_DATA, W_ZEROOUT, W_DISCARD, W_LOSS, W_ZEROFILL };
enum wstate { WS_INFLIGHT, WS_ACKED, WS_FAILED };
static const char *const wkind_name[] = {
	"initial contents", "write", "write-zeroes", "discard", "possible loss",
	"remap_many zero_fill",
};

struct wrec {
	u64 start, end, first;
	u32 nsec, step;
	unsigned char kind, state, thread;
	int err;
};

#define WCHUNK_SHIFT 16
#define WCHUNK (1U << WCHUNK_SHIFT)
#define WCHUNKS (1U << 14)
static struct wrec *wchunk[WCHUNKS];

/* Candidates of one sector: the records whose value it may hold. */
struct cset {
	u64 *w;
	u32 n, cap;
};

static pthread_mutex_t mlock = PTHREAD_MUTEX_INITIALIZER;
static u64 clk = 1, next_wid = 1;
static struct cset *cs;
static u64 *confirmed_loss;	/* per sector: a loss already counted */

static struct wrec *W(u64 wid)
{
	return &wchunk[wid >> WCHUNK_SHIFT][wid & (WCHUNK - 1)];
}

static u64 tick(void)
{
	u64 t;

	pthread_mutex_lock(&mlock);
	t = clk++;
	pthread_mutex_unlock(&mlock);
	return t;
}

static void cs_add(struct cset *c, u64 wid)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		c->w = xrealloc(c->w, c->cap * sizeof(*c->w));
	}
	c->w[c->n++] = wid;
}

static void model_init(void)
{
	u64 s;

	wchunk[0] = calloc(WCHUNK, sizeof(struct wrec));
	if (!wchunk[0])
		die("out of memory");
	W(0)->kind = W_INIT;
	W(0)->state = WS_ACKED;
	W(0)->first = 0;
	W(0)->nsec = UINT32_MAX;
	cs = calloc(nlog, sizeof(*cs));
	confirmed_loss = calloc(nlog, sizeof(*confirmed_loss));
	if (!cs || !confirmed_loss)
		die("out of memory");
	for (s = 0; s < nlog; s++)
		cs_add(&cs[s], 0);
}

static bool covers(const struct wrec *r, u64 s)
{
	return s >= r->first && s - r->first < r->nsec;
}

/* Register a write (or pseudo-write) of [first, first + n). */
static u64 model_begin(int kind, u64 first, u32 n, int thread)
{
	struct wrec *r;
	u64 wid, s;

	pthread_mutex_lock(&mlock);
	wid = next_wid++;
	if (!(wid & (WCHUNK - 1))) {
		if ((wid >> WCHUNK_SHIFT) >= WCHUNKS)
			die("too many writes for the model");
		wchunk[wid >> WCHUNK_SHIFT] = calloc(WCHUNK, sizeof(struct wrec));
		if (!wchunk[wid >> WCHUNK_SHIFT])
			die("out of memory");
	}
	r = W(wid);
	r->start = clk++;
	r->end = 0;
	r->first = first;
	r->nsec = n;
	r->kind = (unsigned char)kind;
	r->state = WS_INFLIGHT;
	r->thread = (unsigned char)thread;
	r->step = cur_step;
	for (s = first; s < first + n && s < nlog; s++)
		cs_add(&cs[s], wid);
	pthread_mutex_unlock(&mlock);
	return wid;
}

/*
 * The write returned.  If it was acknowledged (and @supersede: a discard
 * is acknowledged even where nothing was discarded), every candidate that
 * had ended before it started is gone for good.
 */
static void model_end(u64 wid, bool ok, int err, bool supersede)
{
	struct wrec *r, *c;
	struct cset *set;
	u64 s;
	u32 i, j;

	pthread_mutex_lock(&mlock);
	r = W(wid);
	r->end = clk++;
	r->state = ok ? WS_ACKED : WS_FAILED;
	r->err = err;
	if (ok && supersede) {
		for (s = r->first; s < r->first + r->nsec && s < nlog; s++) {
			set = &cs[s];
			for (i = 0, j = 0; i < set->n; i++) {
				c = W(set->w[i]);
				if (set->w[i] != wid && c->state != WS_INFLIGHT &&
				    c->end < r->start)
					continue;
				set->w[j++] = set->w[i];
			}
			set->n = j;
		}
	}
	pthread_mutex_unlock(&mlock);
}

/*
 * A pseudo-write that did not happen (a refused zero_fill, a unit it
 * skipped): its value was never valid.  Reads judged after this no longer
 * accept it.
 */
static void model_cancel(u64 wid)
{
	struct wrec *r;
	struct cset *set;
	u64 s;
	u32 i, j;

	pthread_mutex_lock(&mlock);
	r = W(wid);
	for (s = r->first; s < r->first + r->nsec && s < nlog; s++) {
		set = &cs[s];
		for (i = 0, j = 0; i < set->n; i++)
			if (set->w[i] != wid)
				set->w[j++] = set->w[i];
		set->n = j;
	}
	r->nsec = 0;
	r->end = clk++;
	r->state = WS_FAILED;
	pthread_mutex_unlock(&mlock);
}

/* Can record @c have left value @v in sector @s? */
static bool value_is(u64 c, u64 s, const struct val *v)
{
	const struct wrec *r = W(c);

	if (!covers(r, s))
		return false;
	switch (r->kind) {
	case W_INIT:
	case W_DATA:
		return v->kind == V_TAG && v->wid == c && v->sector == s;
	default:
		return v->kind == V_ZERO;
	}
}

enum { J_OK, J_LOSS, J_BAD };

/*
 * Judge value @v of sector @s read by a read that saw candidates @cand at
 * its start and during which the writes with ids [wlo, whi) started.
 * Called with mlock held.  J_LOSS: only a possible loss explains it (its
 * record in *why).
 */
static int judge(u64 s, const struct val *v, const u64 *cand, u32 n,
		 u64 wlo, u64 whi, u64 *why)
{
	bool loss = false;
	u64 c;
	u32 i;

	/* a loss: the oldest record that explains it (the log may be older than the newest) */
	for (i = 0; i < n; i++) {
		if (!value_is(cand[i], s, v))
			continue;
		if (W(cand[i])->kind != W_LOSS)
			return J_OK;
		if (!loss || W(cand[i])->start < W(*why)->start)
			*why = cand[i];
		loss = true;
	}
	for (c = wlo; c < whi; c++) {
		if (!value_is(c, s, v))
			continue;
		if (W(c)->kind != W_LOSS)
			return J_OK;
		if (!loss || W(c)->start < W(*why)->start)
			*why = c;
		loss = true;
	}
	return loss ? J_LOSS : J_BAD;
}

static const char *state_name(int st)
{
	return st == WS_INFLIGHT ? "in flight" : st == WS_ACKED ? "acknowledged" : "failed";
}

static char *describe_rec(u64 wid)
{
	const struct wrec *r = W(wid);

	if (r->kind == W_INIT)
		return fmt("wid 0 (initial contents)");
	return fmt("wid %" PRIu64 " (%s of step %u%s%s, sectors %" PRIu64 "+%u, %s%s)",
		   wid, wkind_name[r->kind], r->step,
		   r->kind >= W_LOSS ? "" : " by io thread ",
		   r->kind >= W_LOSS ? "" : fmt("%u", r->thread),
		   r->first, r->nsec, state_name(r->state),
		   r->err ? fmt(" errno %d", r->err) : "");
}

static char *describe_val(const struct val *v)
{
	switch (v->kind) {
	case V_ZERO:
		return fmt("zeroes");
	case V_TAG:
		if (v->wid < next_wid)
			return fmt("sector %" PRIu64 "'s %s", v->sector, describe_rec(v->wid));
		return fmt("tag wid %" PRIu64 " sector %" PRIu64 " (no such write)", v->wid, v->sector);
	case V_OTHER_SEED:
		return fmt("a tag of another run (seed %" PRIu64 ", wid %" PRIu64 ", sector %" PRIu64 ")",
			   v->seed, v->wid, v->sector);
	case V_BAD_TAG:
		return fmt("a torn or corrupt tag (wid %" PRIu64 ", sector %" PRIu64 ")", v->wid, v->sector);
	case V_JUNK:
		return fmt("spare junk (spare sector %" PRIu64 " as filled before the run: never written there)",
			   v->sector);
	default:
		return fmt("foreign data");
	}
}

static char *describe_cands(const u64 *cand, u32 n)
{
	char *s = xstrdup("");
	u32 i;

	for (i = 0; i < n; i++)
		s = fmt("%s%s%s", s, i ? "; or " : "", describe_rec(cand[i]));
	return s;
}

/* ------------------------------------------------------------------ */
/* findings, steps, output                                              */

#define MAX_FINDINGS 24
static pthread_mutex_t flock_ = PTHREAD_MUTEX_INITIALIZER;
static char *findings[MAX_FINDINGS];
static unsigned int nfindings, findings_dropped;
static atomic_int failed;

static void finding(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void finding(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	pthread_mutex_lock(&flock_);
	if (nfindings < MAX_FINDINGS)
		findings[nfindings++] = fmt("step %u: %s", cur_step, s ? s : "?");
	else
		findings_dropped++;
	pthread_mutex_unlock(&flock_);
	free(s);
	atomic_store(&failed, 1);
}

static char **steps;
static unsigned int nsteps_cap;

static void step_note(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void step_note(const char *f, ...)
{
	unsigned int old_cap = nsteps_cap;
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		die("out of memory");
	va_end(ap);
	if (cur_step >= nsteps_cap) {
		nsteps_cap = cur_step * 2 + 64;
		steps = xrealloc(steps, nsteps_cap * sizeof(*steps));
		memset(steps + old_cap, 0, (nsteps_cap - old_cap) * sizeof(*steps));
	}
	steps[cur_step] = steps[cur_step] ? fmt("%s; %s", steps[cur_step], s) : s;
}

/* ------------------------------------------------------------------ */
/* counters for the summary                                             */

enum {
	C_READ, C_WRITE, C_DISCARD, C_ZEROOUT,
	C_READ_FAIL, C_WRITE_FAIL, C_DISCARD_FAIL, C_ZEROOUT_FAIL,
	C_SECT_RUNTIME, C_SECT_SCAN, C_SCAN_FAIL, C_LOSS_SEEN, C_LOSS_LOGGED,
	C_LOSS_RATELIMITED, C_STATUS_CHECKS, C_META_CHECKS, C_DEBUGFS_CHECKS,
	C_CONCURRENT_SEEN, C_NOTSUPP, C_LOSS_TRANSIENT, C_ZF_UNITS, C_RAW_SIG, C_RAW_UNPROT,
	C_PROT_CHECKS, C_IDENT_CHECKS, C_NR
};
static const char *const cname[C_NR] = {
	"reads", "writes", "discards", "write-zeroes",
	"reads failed", "writes failed", "discards failed", "write-zeroes failed",
	"sectors checked by reads during steps", "sectors checked at barriers",
	"barrier sector reads failed", "lost sectors seen (zeroes)",
	"lost sectors found in the kernel log", "lost sectors not logged (rate limited)",
	"status/stats/list checks", "on-disk table checks", "debugfs checks",
	"reads that saw a write overlapping in time",
	"discards/write-zeroes refused EOPNOTSUPP",
	"lost sectors under count-based read faults",
	"units zero-filled (remap_many zero_fill)",
	"raw main member signature checks",
	"raw main checks after unprotect (sectors)",
	"protected_units / protected list checks",
	"on-disk identity and protection checks",
};
static atomic_ulong cnt[C_NR];

struct opcount {
	char *name;
	unsigned long n;
};
static struct opcount *ops;
static unsigned int nops;

static void count_op(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void count_op(const char *f, ...)
{
	va_list ap;
	char buf[128];
	unsigned int i;

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	for (i = 0; i < nops; i++)
		if (!strcmp(ops[i].name, buf)) {
			ops[i].n++;
			return;
		}
	ops = xrealloc(ops, (nops + 1) * sizeof(*ops));
	ops[nops].name = xstrdup(buf);
	ops[nops++].n = 1;
}

/* ------------------------------------------------------------------ */
/* device-mapper (libdevmapper)                                          */

static void dm_quiet(int level, const char *file, int line, int dm_errno_or_class,
		     const char *f, ...) __attribute__((format(printf, 5, 6)));
static void dm_quiet(int level, const char *file, int line, int dm_errno_or_class,
		     const char *f, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno_or_class;
	if (opt.verbose < 2 || (level & 7) > 3)
		return;
	va_start(ap, f);
	fprintf(stderr, "libdevmapper: ");
	vfprintf(stderr, f, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static int dm_errno(struct dm_task *dmt)
{
	int e = dm_task_get_errno(dmt);

	return e ? e : EIO;
}

/* create / reload (with a table of '\n'-separated lines), suspend, resume, remove */
static int dm_op(int type, const char *name, const char *table)
{
	struct dm_task *dmt = dm_task_create(type);
	unsigned long long start, len;
	char ttype[64], *copy, *line, *save = NULL;
	int off, ok, err = 0;

	if (!dmt || !dm_task_set_name(dmt, name))
		die("dm_task_create");
	if (table) {
		copy = xstrdup(table);
		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			off = 0;
			if (sscanf(line, "%llu %llu %63s %n", &start, &len, ttype, &off) < 3 || !off)
				die("bad table line: %s", line);
			if (!dm_task_add_target(dmt, start, len, ttype, line + off))
				die("dm_task_add_target");
		}
		free(copy);
	}
	if (type == DM_DEVICE_REMOVE)
		dm_task_retry_remove(dmt);
	ok = dm_task_run(dmt);
	if (!ok)
		err = dm_errno(dmt);
	dm_task_destroy(dmt);
	dm_task_update_nodes();
	return err;
}

/* A target message; *resp gets the answer (may be NULL). */
static int dm_msg(const char *name, const char *msg, char **resp)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TARGET_MSG);
	const char *r;
	int err = 0;

	if (resp)
		*resp = NULL;
	if (!dmt || !dm_task_set_name(dmt, name) || !dm_task_set_sector(dmt, 0) ||
	    !dm_task_set_message(dmt, msg))
		die("dm_task message");
	if (!dm_task_run(dmt)) {
		err = dm_errno(dmt);
	} else if (resp) {
		r = dm_task_get_message_response(dmt);
		*resp = xstrdup(r ? r : "");
	}
	dm_task_destroy(dmt);
	return err;
}

static char *dm_status_params(const char *name)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_STATUS);
	uint64_t start, length;
	char *type = NULL, *params = NULL, *r = NULL;

	if (!dmt || !dm_task_set_name(dmt, name))
		die("dm_task status");
	if (dm_task_run(dmt)) {
		dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
		if (params)
			r = xstrdup(params);
	}
	dm_task_destroy(dmt);
	return r;
}

static bool dm_devno(const char *name, char *out, size_t len)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_INFO);
	struct dm_info info;
	bool ok = false;

	if (!dmt || !dm_task_set_name(dmt, name))
		die("dm_task info");
	if (dm_task_run(dmt) && dm_task_get_info(dmt, &info) && info.exists) {
		snprintf(out, len, "%u:%u", info.major, info.minor);
		ok = true;
	}
	dm_task_destroy(dmt);
	return ok;
}

/* ------------------------------------------------------------------ */
/* faults                                                               */

enum { DEV_MAIN, DEV_SPARE };
/*
 * error: a dm-error segment (reads and writes fail, EIO); wfail: a dm-flakey
 * error_writes segment (writes fail); seq: a rule of the faultseq device
 * under NAME-m / NAME-s (the bios of a class touching a range: skip K,
 * fail N with a chosen status, drop or land).
 */
enum { FK_ERROR, FK_WFAIL, FK_SEQ };
static const char *const dev_name_[] = { "main", "spare" };
static const char *const fk_name[] = { "error", "wfail", "seq" };
enum { F_READS = 1, F_WRITES = 2, F_ANY = 3 };

struct fault {
	int dev, kind;
	u64 start, len;		/* sectors of the raw device */
	u64 begin, end;		/* clock: active in [begin, end] */
	bool active;
	unsigned int step_on, step_off;
	/* what it fails */
	unsigned int what;	/* F_READS | F_WRITES */
	bool media;		/* an error the target handles (EIO, medium, ...) */
	/*
	 * A count-based fault fails some reads and not others: a write can be
	 * acknowledged on its range and still be lost by a later relocation.
	 * Its loss records stay open until the rule is cleared.
	 */
	u64 *loss;
	unsigned int nloss;
};
static struct fault *faults;
static unsigned int nfaults;
static bool use_faultseq = true;

static unsigned int active_faults_of(int dev, int kind)
{
	unsigned int i, n = 0;

	for (i = 0; i < nfaults; i++)
		n += faults[i].active && faults[i].dev == dev && (kind < 0 || faults[i].kind == kind);
	return n;
}

static unsigned int active_faults(int dev)
{
	return active_faults_of(dev, -1);
}

static int cmp_fault_ptr(const void *a, const void *b)
{
	const struct fault *x = *(struct fault *const *)a, *y = *(struct fault *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The dm-linear table of NAME-m / NAME-s with its active faults. */
static char main_q[64], spare_q[64];	/* the faultseq devices */

static char *dev_table(int dev)
{
	const char *path = !use_faultseq ? (dev == DEV_MAIN ? opt.main_path : opt.spare_path) :
			   fmt("/dev/mapper/%s", dev == DEV_MAIN ? main_q : spare_q);
	u64 size = dev == DEV_MAIN ? main_sectors : spare_sectors, pos = 0;
	struct fault *f[MAX_FAULTS_PER_DEV * 2 + 2];
	unsigned int i, n = 0;
	char *t = xstrdup("");

	for (i = 0; i < nfaults; i++)
		if (faults[i].active && faults[i].dev == dev && faults[i].kind != FK_SEQ)
			f[n++] = &faults[i];
	if (n > 1)
		qsort(f, n, sizeof(*f), cmp_fault_ptr);
	for (i = 0; i < n; i++) {
		if (f[i]->start > pos)
			t = fmt("%s%" PRIu64 " %" PRIu64 " linear %s %" PRIu64 "\n", t, pos,
				f[i]->start - pos, path, pos);
		if (f[i]->kind == FK_ERROR)
			t = fmt("%s%" PRIu64 " %" PRIu64 " error\n", t, f[i]->start, f[i]->len);
		else
			t = fmt("%s%" PRIu64 " %" PRIu64 " flakey %s %" PRIu64 " 0 1 1 error_writes\n",
				t, f[i]->start, f[i]->len, path, f[i]->start);
		pos = f[i]->start + f[i]->len;
	}
	if (pos < size)
		t = fmt("%s%" PRIu64 " %" PRIu64 " linear %s %" PRIu64 "\n", t, pos, size - pos,
			path, pos);
	return t;
}

static int dev_reload(int dev)
{
	const char *name = dev == DEV_MAIN ? main_dm : spare_dm;
	char *t = dev_table(dev);
	int r;

	r = dm_op(DM_DEVICE_RELOAD, name, t);
	if (!r)
		r = dm_op(DM_DEVICE_RESUME, name, NULL);
	free(t);
	return r;
}

/* ------------------------------------------------------------------ */
/* the remap device: table, status, list                               */

static char *remap_table(u64 len, u64 slen)
{
	return fmt("0 %" PRIu64 " remap /dev/mapper/%s 0 /dev/mapper/%s 0 %" PRIu64
		   " %u unit_sectors %u%s%s\n", len, main_dm, spare_dm, slen,
		   (opt.vol ? 3 : 2) + (opt.read_retries ? 2 : 0), opt.unit,
		   opt.vol ? " volatile" : "",
		   opt.read_retries ? fmt(" read_retries %u", opt.read_retries) : "");
}

struct rstatus {
	u64 unit, remapped, used, total, lost, pending, realloc, autor, uncorr, sperr, retired;
	char meta[16], autoflag[16], health[16];
	bool ok;
};

static bool get_status(struct rstatus *s)
{
	char *p = dm_status_params(opt.name);
	int n;

	memset(s, 0, sizeof(*s));
	if (!p)
		return false;
	n = sscanf(p, "%" SCNu64 " %" SCNu64 " %" SCNu64 "/%" SCNu64 " %" SCNu64 " %15s %" SCNu64
		   " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %15s %15s",
		   &s->unit, &s->remapped, &s->used, &s->total, &s->lost, s->meta, &s->pending,
		   &s->realloc, &s->autor, &s->uncorr, &s->sperr, &s->retired, s->autoflag,
		   s->health);
	if (n != 14)
		finding("status line not understood: '%s'", p);
	free(p);
	s->ok = n == 14;
	return s->ok;
}

struct lent {
	u64 l, s, n;
};

struct list {
	struct lent *e;
	size_t n;
};

static void list_free(struct list *l)
{
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

static bool parse_list(const char *text, struct list *l, const char *what)
{
	const char *p = text;
	unsigned long long a, b, c;
	int used;

	l->e = NULL;
	l->n = 0;
	while (*p) {
		if (*p == '\n') {
			p++;
			continue;
		}
		if (sscanf(p, "%llu %llu %llu%n", &a, &b, &c, &used) != 3) {
			finding("%s: line not understood: '%.60s'", what, p);
			return false;
		}
		l->e = xrealloc(l->e, (l->n + 1) * sizeof(*l->e));
		l->e[l->n].l = a;
		l->e[l->n].s = b;
		l->e[l->n].n = c;
		l->n++;
		p += used;
		while (*p && *p != '\n')
			p++;
	}
	return true;
}

static bool get_list(struct list *l)
{
	char *r;
	int e = dm_msg(opt.name, "list", &r);
	bool ok;

	if (e) {
		finding("list message failed: %s", strerror(e));
		l->e = NULL;
		l->n = 0;
		return false;
	}
	ok = parse_list(r, l, "list");
	free(r);
	return ok;
}

/* Where logical unit @lu lives: its spare sector, or -1 (main). */
static long long list_find(const struct list *l, u64 lu)
{
	size_t lo = 0, hi = l->n, mid;
	u64 ls = lu * opt.unit;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (l->e[mid].l < ls)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n && l->e[lo].l == ls)
		return (long long)l->e[lo].s;
	return -1;
}

/* ------------------------------------------------------------------ */
/* the kernel log                                                      */

static int kmsg_fd = -1;
struct klost {
	u64 a, b, clk;
};
static struct klost *klost;
static size_t nklost;
/*
 * "sectors A-B remapped to spare unit N": where a unit went, also between
 * two barriers (a unit remapped and relocated again within a step is in
 * neither barrier's list).
 */
struct kplace {
	u64 a, b, sunit, clk;
};
static struct kplace *kplace;
static size_t nkplace;
static u64 last_suppressed_clk;	/* clock when "callbacks suppressed" was last seen */
/*
 * Every "device-mapper:" line: its kernel time (us) and our clock when we
 * read it.  DM's rate limit (DMERR_LIMIT, DMINFO_LIMIT: one state for all
 * of device-mapper, 10 messages per 5 s) can only have dropped a message
 * where 10 lines were printed within 5 s.
 */
static u64 *dm_ts, *dm_clk;
static size_t ndm;
static const char *const complaints[] = {
	"BUG:", "WARNING:", "Oops", "KASAN", "UBSAN", "ODEBUG:", "general protection fault",
	"Call Trace", "list_add corruption", "list_del corruption", "refcount_t:",
	"blocked for more than", "soft lockup", "hard LOCKUP", "self-detected stall",
	"possible circular locking", "possible recursive locking", "inconsistent lock state",
	"kernel BUG", "Kernel panic",
};
static unsigned int nkcomplaints;
/* the target's kernel log lines of the last steps, for a failure report */
static char *steplog[64];
static unsigned int nsteplog, steplog_dropped;

static void steplog_reset(void)
{
	unsigned int i;

	for (i = 0; i < nsteplog; i++)
		free(steplog[i]);
	nsteplog = 0;
	steplog_dropped = 0;
}

static bool is_complaint(const char *msg)
{
	unsigned int i;

	for (i = 0; i < sizeof(complaints) / sizeof(complaints[0]); i++)
		if (strstr(msg, complaints[i]))
			return true;
	return false;
}

/* Record a "device-mapper:" line's kernel time (us) and our clock @c. */
static void dm_line_seen(const char *rec, const char *msg, u64 c)
{
	unsigned long long a;

	if (strncmp(msg, "device-mapper:", 14) || sscanf(rec, "%*u,%*u,%llu", &a) != 1)
		return;
	dm_ts = xrealloc(dm_ts, (ndm + 1) * sizeof(*dm_ts));
	dm_clk = xrealloc(dm_clk, (ndm + 1) * sizeof(*dm_clk));
	dm_ts[ndm] = a;
	dm_clk[ndm++] = c;
}

/*
 * Open the kernel log at its end, after taking the "device-mapper:" lines
 * already in it into the rate limit's history (clock 0: before the run).
 * DM's rate limit does not start afresh with this process: lines printed
 * just before it (an earlier run in the same boot, at most 5 s ago) count
 * against the same budget, so a loss logged early in this run can be
 * dropped without a "callbacks suppressed" line ever following it.
 */
static void kmsg_open(void)
{
	char buf[8192], *msg;
	ssize_t n;

	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0) {
		fprintf(stderr, "torture: note: /dev/kmsg: %s (no kernel log checks)\n", strerror(errno));
		return;
	}
	for (;;) {
		n = read(kmsg_fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (msg)
			dm_line_seen(buf, msg + 1, 0);
	}
	lseek(kmsg_fd, 0, SEEK_END);
}

/* Read the kernel log written since the last call. */
static void kmsg_drain(void)
{
	char buf[8192], *msg, *nl, pat[64];
	unsigned long long a, b, u;
	ssize_t n;
	u64 c;

	if (kmsg_fd < 0)
		return;
	snprintf(pat, sizeof(pat), "%s: sectors ", devno);
	for (;;) {
		n = read(kmsg_fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		c = tick();
		dm_line_seen(buf, msg, c);
		if (strstr(msg, devno) || strstr(msg, "suppressed")) {
			if (nsteplog < 64)
				steplog[nsteplog++] = fmt("step %u: %s", cur_step, msg);
			else
				steplog_dropped++;
		}
		if (strstr(msg, "callbacks suppressed"))
			last_suppressed_clk = c;
		msg = strstr(msg, pat);
		if (msg && strstr(msg, "unreadable; replaced by zeroes") &&
		    sscanf(msg + strlen(pat), "%llu-%llu", &a, &b) == 2) {
			klost = xrealloc(klost, (nklost + 1) * sizeof(*klost));
			klost[nklost].a = a;
			klost[nklost].b = b;
			klost[nklost++].clk = c;
			continue;
		}
		if (msg && sscanf(msg + strlen(pat), "%llu-%llu remapped to spare unit %llu",
				  &a, &b, &u) == 3) {
			kplace = xrealloc(kplace, (nkplace + 1) * sizeof(*kplace));
			kplace[nkplace].a = a;
			kplace[nkplace].b = b;
			kplace[nkplace].sunit = u;
			kplace[nkplace++].clk = c;
			continue;
		}
		msg = strchr(buf, ';') + 1;
		if (is_complaint(msg) && nkcomplaints++ < 12)
			finding("kernel log: %s", msg);
	}
}

/* ------------------------------------------------------------------ */
/* I/O threads                                                          */

enum { IO_READ, IO_WRITE, IO_DISCARD, IO_ZEROOUT };
static const char *const io_name[] = { "read", "write", "discard", "write-zeroes" };

/* An I/O that failed, judged at the barrier. */
struct iofail {
	int op, err, thread;
	u64 first, n, t_start, t_end;
	bool scan;		/* a barrier read */
};
static struct iofail *iofails;
static size_t niofails;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t go, done;
	unsigned int gen, ndone;
	bool stop;
	/* what this step's I/O does */
	bool hot;
	u64 focus, focus_n, len;
} sc = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	 0, 0, false, false, 0, 0, 0 };

struct ioth {
	int id;
	pthread_t t;
	struct rng rng;
	u64 *buf;
	u64 *snap;
	u32 *snap_off;
	size_t snap_cap;
	/* for a hang report */
	volatile int cur_op;
	volatile u64 cur_first, cur_n;
	volatile double cur_since;
};
static struct ioth th[MAX_THREADS];

static void note_iofail(int op, int err, int thread, u64 first, u64 n, u64 ts, u64 te, bool scan)
{
	pthread_mutex_lock(&mlock);
	iofails = xrealloc(iofails, (niofails + 1) * sizeof(*iofails));
	iofails[niofails].op = op;
	iofails[niofails].err = err;
	iofails[niofails].thread = thread;
	iofails[niofails].first = first;
	iofails[niofails].n = n;
	iofails[niofails].t_start = ts;
	iofails[niofails].t_end = te;
	iofails[niofails].scan = scan;
	niofails++;
	pthread_mutex_unlock(&mlock);
}

/* A loss observed in sector @s (record @lw): confirm it at the barrier. */
struct lossobs {
	u64 s, key, since;	/* key: the loss record, or a fault's; since: clock */
	bool transient;		/* under a count-based fault */
};
static struct lossobs *lossobs;
static size_t nlossobs;

static void note_loss_key(u64 s, u64 key, u64 since, bool transient)	/* mlock held */
{
	if (confirmed_loss[s] == key)
		return;
	lossobs = xrealloc(lossobs, (nlossobs + 1) * sizeof(*lossobs));
	lossobs[nlossobs].s = s;
	lossobs[nlossobs].key = key;
	lossobs[nlossobs].since = since;
	lossobs[nlossobs++].transient = transient;
}

static void note_loss(u64 s, u64 lw)	/* mlock held */
{
	/* a loss record still open when it was seen: a count-based fault's */
	note_loss_key(s, lw, W(lw)->start, W(lw)->state == WS_INFLIGHT || W(lw)->end == UINT64_MAX);
}

/*
 * Zeroes no record explains, judged at the barrier: the unit may have
 * moved onto a spare range that a count-based fault fails reads of after
 * that fault was injected (no loss record was opened for it then).
 */
struct zero_wait {
	u64 s, rs, re;
	char *text;
};
static struct zero_wait *zwait;
static size_t nzwait;
static bool spare_read_seq_during(u64 ts, u64 te);

/* mlock held; true if deferred */
static bool defer_zero(u64 s, u64 rs, u64 re, char *text)
{
	if (!spare_read_seq_during(rs, re))
		return false;
	zwait = xrealloc(zwait, (nzwait + 1) * sizeof(*zwait));
	zwait[nzwait].s = s;
	zwait[nzwait].rs = rs;
	zwait[nzwait].re = re;
	zwait[nzwait++].text = text;
	return true;
}

static int do_pio(int fd, bool wr, void *buf, u64 first, u64 n)
{
	ssize_t r;

	if (wr)
		r = pwrite(fd, buf, n * SECTOR, (off_t)(first * SECTOR));
	else
		r = pread(fd, buf, n * SECTOR, (off_t)(first * SECTOR));
	if (r < 0)
		return errno;
	return (u64)r == n * SECTOR ? 0 : EIO;
}

/*
 * dm-error does not support discards, so a table with a dm-error segment
 * makes NAME-m or NAME-s refuse them, and the block layer reports a
 * discard refused that way as done (blkdev_issue_discard ignores
 * EOPNOTSUPP): content is undefined after a discard.  A discard that ran
 * while no dm-error segment existed anywhere must have zeroed (loop
 * devices punch holes); any other leaves old data or zeroes.
 */
static atomic_uint err_epoch, err_active;

static void io_write(struct ioth *t, int fd, int op, u64 first, u64 n)
{
	int kind = op == IO_WRITE ? W_DATA : op == IO_ZEROOUT ? W_ZEROOUT : W_DISCARD;
	uint64_t range[2] = { first * SECTOR, n * SECTOR };
	unsigned int e0 = atomic_load(&err_epoch), a0 = atomic_load(&err_active);
	u64 wid, s, ts, te;
	bool clean;
	int err = 0;

	/* The tags need the id, which needs the model lock: fill after. */
	wid = model_begin(kind, first, (u32)n, t->id);
	ts = W(wid)->start;
	if (op == IO_WRITE) {
		for (s = 0; s < n; s++)
			fill_tag(t->buf + s * (SECTOR / 8), opt.seed, wid, first + s);
		err = do_pio(fd, true, t->buf, first, n);
	} else if (ioctl(fd, op == IO_DISCARD ? BLKDISCARD : BLKZEROOUT, range)) {
		err = errno;
	}
	clean = a0 == 0 && atomic_load(&err_epoch) == e0;
	model_end(wid, !err, err, op != IO_DISCARD || clean);
	atomic_fetch_add(&cnt[op == IO_WRITE ? C_WRITE : op == IO_DISCARD ? C_DISCARD : C_ZEROOUT], 1);
	if (err) {
		atomic_fetch_add(&cnt[op == IO_WRITE ? C_WRITE_FAIL :
				      op == IO_DISCARD ? C_DISCARD_FAIL : C_ZEROOUT_FAIL], 1);
		te = W(wid)->end;
		if (err == EOPNOTSUPP)
			atomic_fetch_add(&cnt[C_NOTSUPP], 1);
		else
			note_iofail(op, err, t->id, first, n, ts, te, false);
	}
}

static void check_read(u64 first, u64 n, const u64 *buf, const u64 *snap, const u32 *off,
		       u64 wlo, u64 whi, const char *what, long long thread, u64 rs, u64 re)
{
	struct val v;
	u64 s, why = 0;
	char *text;
	int j;

	for (s = 0; s < n; s++) {
		decode(buf + s * (SECTOR / 8), opt.seed, &v);
		j = judge(first + s, &v, snap + off[s], off[s + 1] - off[s], wlo, whi, &why);
		if (j == J_LOSS) {
			note_loss(first + s, why);
		} else if (j == J_BAD) {
			text = fmt("%s%s of sectors %" PRIu64 "+%" PRIu64 ": sector %" PRIu64
				": got %s; expected %s%s", what,
				thread >= 0 ? fmt(" by io thread %lld", thread) : "", first, n,
				first + s, describe_val(&v),
				describe_cands(snap + off[s], off[s + 1] - off[s]),
				whi > wlo ? fmt(" (or a write of ids %" PRIu64 "-%" PRIu64
						" that started during the read)", wlo, whi - 1) : "");
			if (v.kind != V_ZERO || !defer_zero(first + s, rs, re, text))
				finding("%s", text);
		}
	}
}

/* Copy the candidate sets of [first, first + n) (mlock held). */
static void snapshot(struct ioth *t, u64 first, u64 n)
{
	size_t total = 0;
	u64 s;

	for (s = 0; s < n; s++)
		total += cs[first + s].n;
	if (total > t->snap_cap) {
		t->snap_cap = total * 2;
		t->snap = xrealloc(t->snap, t->snap_cap * sizeof(*t->snap));
	}
	total = 0;
	for (s = 0; s < n; s++) {
		t->snap_off[s] = (u32)total;
		memcpy(t->snap + total, cs[first + s].w, cs[first + s].n * sizeof(u64));
		total += cs[first + s].n;
	}
	t->snap_off[n] = (u32)total;
}

static void io_read(struct ioth *t, int fd, u64 first, u64 n)
{
	u64 rs, re, wlo, whi;
	int err;

	pthread_mutex_lock(&mlock);
	rs = clk++;
	wlo = next_wid;
	snapshot(t, first, n);
	pthread_mutex_unlock(&mlock);
	err = do_pio(fd, false, t->buf, first, n);
	pthread_mutex_lock(&mlock);
	re = clk++;
	whi = next_wid;
	if (!err) {
		check_read(first, n, t->buf, t->snap, t->snap_off, wlo, whi, "read", t->id, rs, re);
		if (whi > wlo)
			atomic_fetch_add(&cnt[C_CONCURRENT_SEEN], 1);
	}
	pthread_mutex_unlock(&mlock);
	atomic_fetch_add(&cnt[C_READ], 1);
	if (err) {
		atomic_fetch_add(&cnt[C_READ_FAIL], 1);
		note_iofail(IO_READ, err, t->id, first, n, rs, re, false);
	} else {
		atomic_fetch_add(&cnt[C_SECT_RUNTIME], n);
	}
}

static void pick_range(struct ioth *t, u64 len, bool hot, u64 focus, u64 focus_n,
		       u64 *first, u64 *n)
{
	u64 a, lo, hi;

	if (hot && chance(&t->rng, 85)) {
		/* small I/O around the focus: overlapping, racing the faults */
		lo = focus > 2ULL * opt.unit ? focus - 2ULL * opt.unit : 0;
		hi = focus + focus_n + 2ULL * opt.unit;
		if (hi > len)
			hi = len;
		if (lo >= hi)
			lo = 0;
		*n = 1 + below(&t->rng, chance(&t->rng, 70) ? opt.unit : 4ULL * opt.unit);
		a = lo + below(&t->rng, hi - lo);
	} else {
		*n = logsize(&t->rng, MAX_IO_SECTORS);
		a = below(&t->rng, len);
	}
	if (*n > len)
		*n = len;
	if (a + *n > len)
		a = len - *n;
	*first = a;
}

static void *io_thread(void *arg)
{
	struct ioth *t = arg;
	unsigned int gen = 0, i, nio;
	u64 len, focus, focus_n, first, n;
	bool hot;
	int fd, op, r;

	for (;;) {
		pthread_mutex_lock(&sc.lock);
		while (sc.gen == gen && !sc.stop)
			pthread_cond_wait(&sc.go, &sc.lock);
		if (sc.stop) {
			pthread_mutex_unlock(&sc.lock);
			break;
		}
		gen = sc.gen;
		hot = sc.hot;
		focus = sc.focus;
		focus_n = sc.focus_n;
		len = sc.len;
		pthread_mutex_unlock(&sc.lock);

		fd = open(dev_path, O_RDWR | O_DIRECT);
		if (fd < 0) {
			finding("io thread %d: open %s: %s", t->id, dev_path, strerror(errno));
		} else {
			nio = 1 + (unsigned int)below(&t->rng, opt.io_per_step);
			for (i = 0; i < nio && !atomic_load(&failed); i++) {
				r = (int)below(&t->rng, 100);
				op = r < 42 ? IO_READ : r < 92 || !opt.discard ? IO_WRITE :
				     r < 96 ? IO_DISCARD : IO_ZEROOUT;
				pick_range(t, len, hot, focus, focus_n, &first, &n);
				t->cur_op = op;
				t->cur_first = first;
				t->cur_n = n;
				t->cur_since = now();
				if (op == IO_READ)
					io_read(t, fd, first, n);
				else
					io_write(t, fd, op, first, n);
				t->cur_op = -1;
				atomic_fetch_add(&progress, 1);
			}
			close(fd);
		}
		pthread_mutex_lock(&sc.lock);
		sc.ndone++;
		pthread_cond_broadcast(&sc.done);
		pthread_mutex_unlock(&sc.lock);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* the watchdog                                                         */

static void report_failure(void);

static void print_steps(void)
{
	unsigned int i;

	printf("torture: steps so far (seed %" PRIu64 "):\n", opt.seed);
	for (i = 1; i <= cur_step && i < nsteps_cap; i++)
		printf("  %u: %s\n", i, steps[i] ? steps[i] : "(none)");
}

static bool is_complaint(const char *msg);

/* The kernel's complaints since boot, and the frames of their traces. */
static void print_kernel_complaints(void)
{
	char buf[8192], *msg, *nl;
	unsigned int shown = 0, trace = 0;
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (is_complaint(msg))
			trace = 40;
		if (trace && shown < 200) {
			trace--;
			if (is_complaint(msg) || strstr(msg, "RIP:") || strstr(msg, "[dm_remap]") ||
			    strstr(msg, "Workqueue:") || strstr(msg, "remap"))
				printf("  kernel: %s\n", msg), shown++;
		}
	}
	close(fd);
}

static void *watchdog(void *arg)
{
	unsigned long last = 0, p;
	double since = now();
	unsigned int i;
	int fd;

	(void)arg;
	for (;;) {
		sleep(1);
		p = atomic_load(&progress);
		if (p != last) {
			last = p;
			since = now();
			continue;
		}
		if (now() - since < opt.hang_timeout)
			continue;
		printf("torture: HANG: no progress for %u s in step %u (%s%s%s), seed %" PRIu64 "\n",
		       opt.hang_timeout, cur_step, phase, inflight ? ": " : "",
		       inflight ? inflight : "", opt.seed);
		for (i = 0; i < opt.threads; i++)
			if (th[i].cur_op >= 0)
				printf("  io thread %u: %s of sectors %" PRIu64 "+%" PRIu64
				       " waiting for %.0f s\n", i, io_name[th[i].cur_op],
				       th[i].cur_first, th[i].cur_n, now() - th[i].cur_since);
		fd = open("/proc/sysrq-trigger", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "w", 1) < 0)
				perror("sysrq-trigger");
			close(fd);
		}
		printf("torture: kernel log complaints:\n");
		print_kernel_complaints();
		print_steps();
		printf("torture: FAIL (hang), seed %" PRIu64 "\n", opt.seed);
		quit(3);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* set-up                                                               */

static u64 dev_sectors(const char *path)
{
	u64 bytes = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes))
		die("%s: %s", path, strerror(errno));
	close(fd);
	return bytes / SECTOR;
}

/* Fill a raw device: tags of wid 0 (main), junk (spare) */
static void fill_device(const char *path, bool spare)
{
	u64 size = dev_sectors(path), s, i, n;
	const u64 chunk = 2048;
	u64 *buf;
	int fd;

	if (posix_memalign((void **)&buf, 4096, chunk * SECTOR))
		die("out of memory");
	fd = open(path, O_WRONLY | O_DIRECT);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	for (s = 0; s < size; s += n) {
		n = size - s < chunk ? size - s : chunk;
		/* cppcheck-suppress knownConditionTrueFalse ; n >= 1: s < size */
		for (i = 0; i < n; i++) {
			if (spare)
				fill_junk(buf + i * (SECTOR / 8), s + i);
			else
				fill_tag(buf + i * (SECTOR / 8), opt.seed, 0, s + i);
		}
		if (spare && s == 0)
			memset(buf, 0, 16 * SECTOR);	/* a blank metadata area */
		if (pwrite(fd, buf, n * SECTOR, (off_t)(s * SECTOR)) != (ssize_t)(n * SECTOR))
			die("filling %s: %s", path, strerror(errno));
	}
	fsync(fd);
	close(fd);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* on-disk metadata                                                     */

static char meta_file[64];

/* Where the value of @key starts in @p, or NULL. */
static const char *json_value(const char *p, const char *key)
{
	char k[64];
	const char *q;

	snprintf(k, sizeof(k), "\"%s\":", key);
	q = strstr(p, k);
	if (!q)
		return NULL;
	q += strlen(k);
	while (*q == ' ')
		q++;
	return q;
}

static bool json_num(const char *p, const char *key, u64 *v)
{
	const char *q = json_value(p, key);

	if (!q)
		return false;
	*v = strtoull(q, NULL, 10);
	return true;
}

/* A string value (without escapes: the torture's own strings have none). */
static bool json_str(const char *p, const char *key, char *out, size_t len)
{
	const char *q = json_value(p, key);
	size_t n = 0;

	out[0] = '\0';
	if (!q || *q++ != '"')
		return false;
	while (*q && *q != '"' && n + 1 < len)
		out[n++] = *q++;
	out[n] = '\0';
	return true;
}

/* The objects of array @key: calls @fn with each object's text. */
static size_t json_array(const char *p, const char *key, char ***objs)
{
	char k[64];
	const char *q, *end, *o, *c;
	size_t n = 0;

	*objs = NULL;
	snprintf(k, sizeof(k), "\"%s\":", key);
	q = strstr(p, k);
	if (!q || !(q = strchr(q, '[')) || !(end = strchr(q, ']')))
		return 0;
	for (o = q; (o = strchr(o, '{')) && o < end; o = c) {
		c = strchr(o, '}');
		if (!c)
			break;
		*objs = xrealloc(*objs, (n + 1) * sizeof(**objs));
		(*objs)[n++] = strndup(o, (size_t)(c - o + 1));
	}
	return n;
}

struct ondisk {
	struct list remaps;	/* logical sector, spare sector */
	size_t nretired, npending;
	u64 *pending;		/* logical units */
	u64 counters[5];	/* realloc, auto, uncorrectable, spare errors, lost */
	u64 data_offset;
	u64 prot_head, prot_tail, prot_tail_first;
	u64 partition;
	char uuid[40], name[128], serial[128], wwn[64];
	bool ok;
};

static void ondisk_free(struct ondisk *d)
{
	list_free(&d->remaps);
	free(d->pending);
	d->pending = NULL;
}

/* Copy @nsec sectors of the raw spare to meta_file and decode them. */
static bool read_ondisk(u64 nsec, struct ondisk *d)
{
	char *cmd, *out = NULL, **objs, line[4096];
	size_t len = 0, n, i;
	u64 v, a, b;
	FILE *p;
	int in, fdo, st;
	void *buf;
	const char *q;

	memset(d, 0, sizeof(*d));
	if (posix_memalign(&buf, 4096, nsec * SECTOR))
		die("out of memory");
	in = open(opt.spare_path, O_RDONLY | O_DIRECT);
	fdo = open(meta_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || fdo < 0 || pread(in, buf, nsec * SECTOR, 0) != (ssize_t)(nsec * SECTOR) ||
	    write(fdo, buf, nsec * SECTOR) != (ssize_t)(nsec * SECTOR))
		die("copying the metadata area: %s", strerror(errno));
	close(in);
	close(fdo);
	free(buf);
	cmd = fmt("%s dump --json %s 2>&1", opt.remapctl, meta_file);
	p = popen(cmd, "r");
	if (!p)
		die("popen %s", cmd);
	while (fgets(line, sizeof(line), p)) {
		n = strlen(line);
		out = xrealloc(out, len + n + 1);
		memcpy(out + len, line, n + 1);
		len += n;
	}
	st = pclose(p);
	if (!out)
		out = xstrdup("");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		finding("remapctl dump of the metadata area (copied while suspended) failed: %.300s", out);
		free(out);
		return false;
	}
	json_num(out, "data_offset", &d->data_offset);
	json_num(out, "protect_head", &d->prot_head);
	json_num(out, "protect_tail", &d->prot_tail);
	json_num(out, "protect_tail_first", &d->prot_tail_first);
	json_num(out, "main_partition", &d->partition);
	json_str(out, "uuid", d->uuid, sizeof(d->uuid));
	json_str(out, "name", d->name, sizeof(d->name));
	json_str(out, "main_serial", d->serial, sizeof(d->serial));
	json_str(out, "main_wwn", d->wwn, sizeof(d->wwn));
	n = json_array(out, "remaps", &objs);
	d->remaps.e = xmalloc((n + 1) * sizeof(struct lent));
	for (i = 0; i < n; i++) {
		a = b = 0;
		json_num(objs[i], "logical_sector", &a);
		json_num(objs[i], "spare_sector", &b);
		d->remaps.e[i].l = a;
		d->remaps.e[i].s = b;
		d->remaps.e[i].n = opt.unit;
		free(objs[i]);
	}
	d->remaps.n = n;
	free(objs);
	n = json_array(out, "retired", &objs);
	for (i = 0; i < n; i++)
		free(objs[i]);
	free(objs);
	d->nretired = n;
	n = json_array(out, "pending", &objs);
	d->pending = xmalloc((n + 1) * sizeof(u64));
	for (i = 0; i < n; i++) {
		v = 0;
		json_num(objs[i], "lunit", &v);
		d->pending[i] = v;
		free(objs[i]);
	}
	d->npending = n;
	free(objs);
	q = strstr(out, "\"counters\":");
	if (q && (q = strchr(q, '['))) {
		for (i = 0; i < 5; i++) {
			d->counters[i] = strtoull(q + 1, (char **)&q, 10);
			if (*q != ',' && *q != ']')
				break;
		}
	}
	free(out);
	d->ok = true;
	return true;
}

/* ------------------------------------------------------------------ */
/* the controller's operations                                          */

static struct rng crng;		/* the controller's */
static struct list last_list;	/* at the last barrier */
static struct rstatus prev;	/* status at the last barrier */
static u64 min_free_seen;	/* smallest spare_free seen in this step */
static bool meta_faulted;	/* a spare fault covered the metadata area */

static void note_free(void)
{
	struct rstatus s;

	if (get_status(&s) && s.total - s.used < min_free_seen)
		min_free_seen = s.total - s.used;
}

/* Pick a fault range on @dev, not overlapping the active ones. */
static bool pick_fault_range(int dev, bool seq, u64 *start, u64 *len)
{
	u64 size = dev == DEV_MAIN ? main_sectors : spare_sectors, lo = 0, hi = size;
	unsigned int tries, i;
	struct fault *f;

	bool meta = false;

	if (dev == DEV_SPARE) {
		lo = opt.vol ? 0 : data_offset;
		hi = spare_len;
		/* the metadata area: only with --meta-faults, now and then */
		meta = !opt.vol && opt.meta_faults && chance(&crng, 15);
		if (meta) {
			lo = 0;
			hi = data_offset;
		}
	}
	for (tries = 0; tries < 32; tries++) {
		*len = chance(&crng, 50) ? opt.unit * (1 + below(&crng, 4)) : 1 + below(&crng, 24);
		if (meta) {
			*start = below(&crng, data_offset);
		} else if (dev == DEV_MAIN && chance(&crng, 75)) {
			/* near the focus, or the last unit of the target */
			if (chance(&crng, 15))
				*start = cur_len > opt.unit ? (cur_len - 1) / opt.unit * opt.unit : 0;
			else
				*start = sc.focus + below(&crng, sc.focus_n + 4ULL * opt.unit);
		} else if (dev == DEV_SPARE && last_list.n && chance(&crng, 60)) {
			/* under a remapped unit */
			*start = last_list.e[below(&crng, last_list.n)].s + below(&crng, opt.unit);
		} else if (dev == DEV_SPARE && chance(&crng, 50)) {
			/* where the next units will be handed out */
			*start = lo + (last_list.n + prev.retired) * opt.unit +
				 below(&crng, 4ULL * opt.unit);
		} else {
			*start = lo + below(&crng, hi - lo);
		}
		if (*start < lo)
			*start = lo;
		if (*start >= hi)
			continue;
		if (*start + *len > hi)
			*len = hi - *start;
		for (i = 0; i < nfaults; i++) {
			f = &faults[i];
			if (f->active && f->dev == dev && f->kind != FK_SEQ && !seq &&
			    *start < f->start + f->len && f->start < *start + *len)
				break;
		}
		if (i == nfaults)
			return true;
	}
	return false;
}

static void set_focus(u64 a, u64 n)
{
	pthread_mutex_lock(&sc.lock);
	sc.focus = a;
	sc.focus_n = n ? n : 1;
	pthread_mutex_unlock(&sc.lock);
}

/* Possible losses for logical [first, first + n): until a write supersedes. */
static u64 loss_begin(u64 first, u64 n)
{
	if (first >= nlog)
		return 0;
	if (first + n > nlog)
		n = nlog - first;
	return model_begin(W_LOSS, first, (u32)n, 0);
}

/* A faultseq rule: "fail <ops> <first> <nr> <skip> <times> <status> <mode>". */
static char *seq_rule(int dev, u64 start, u64 len, struct fault *f)
{
	static const char *const stname[] = {
		"ioerr", "ioerr", "ioerr", "ioerr", "ioerr", "ioerr", "ioerr", "ioerr", "ioerr",
		"ioerr", "ioerr", "medium", "medium", "medium", "target", "target", "protection",
		"nospc", "notsupp", "transport",
	};
	const char *sel, *st;
	long long times;
	u64 skip, r = below(&crng, 100);

	if (r < 5 && dev == DEV_SPARE)
		sel = "all";
	else if (r < (dev == DEV_MAIN ? 45 : 35))
		sel = "read";
	else if (r < (dev == DEV_MAIN ? 70 : 75))
		sel = "write";
	else
		sel = "rw";
	f->what = !strcmp(sel, "read") ? F_READS : !strcmp(sel, "write") ? F_WRITES : F_ANY;
	skip = chance(&crng, 50) ? 0 : 1 + below(&crng, 8);
	r = below(&crng, 100);
	times = r < 60 ? (long long)(1 + below(&crng, 4)) : r < 90 ? (long long)(5 + below(&crng, 12)) : -1;
	if (opt.seq_max_times && (times < 0 || times > (long long)opt.seq_max_times))
		times = 1 + (long long)below(&crng, opt.seq_max_times);
	st = stname[below(&crng, sizeof(stname) / sizeof(stname[0]))];
	f->media = strcmp(st, "nospc") && strcmp(st, "notsupp") && strcmp(st, "transport");
	return fmt("fail %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %lld %s %s", sel, start, len, skip,
		   times, st, chance(&crng, 20) ? "land" : "drop");
}

static char *op_fault(int dev, int kind)
{
	struct fault *f;
	u64 start, len, lw = 0, *lws = NULL, lu, a, b;
	unsigned int nlw = 0, i;
	struct list l = { 0 };
	char *ret, *rule = NULL, *resp = NULL;
	int r, e;

	if (kind == FK_SEQ && !use_faultseq)
		return xstrdup("(no faultseq target)");
	if ((kind == FK_SEQ ? active_faults_of(dev, FK_SEQ) >= 8 :
	     active_faults(dev) - active_faults_of(dev, FK_SEQ) >= MAX_FAULTS_PER_DEV) ||
	    !pick_fault_range(dev, kind == FK_SEQ, &start, &len))
		return xstrdup("(no room for another fault)");
	faults = xrealloc(faults, (nfaults + 1) * sizeof(*faults));
	f = &faults[nfaults];
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->kind = kind;
	f->start = start;
	f->len = len;
	f->step_on = cur_step;
	f->end = UINT64_MAX;
	f->what = kind == FK_ERROR ? F_ANY : F_WRITES;
	f->media = true;
	if (kind == FK_SEQ)
		rule = seq_rule(dev, start, len, f);
	if (kind == FK_ERROR) {
		atomic_fetch_add(&err_epoch, 1);
		atomic_fetch_add(&err_active, 1);
	}
	if (dev == DEV_SPARE && start < data_offset && !opt.vol)
		meta_faulted = true;
	if (dev == DEV_MAIN) {
		set_focus(start, len);
		kmsg_drain();
		if (f->what & F_READS)
			lw = loss_begin(start, len);
		f->begin = tick();
		f->active = true;
		nfaults++;
		if (kind == FK_SEQ) {
			r = dm_msg(main_q, rule, &resp);
			free(resp);
		} else {
			r = dev_reload(DEV_MAIN);
		}
	} else {
		/*
		 * Which units live there: hold the remap device still while
		 * the spare fault goes in, so none moves in or out meanwhile.
		 */
		r = dm_op(DM_DEVICE_SUSPEND, opt.name, NULL);
		if (r) {
			finding("suspend for a spare fault failed: %s", strerror(r));
			return xstrdup("suspend failed");
		}
		if (f->what & F_READS) {
			get_list(&l);
			kmsg_drain();
			for (i = 0; i < l.n; i++) {
				a = l.e[i].s;
				b = a + opt.unit;
				if (a < start + len && start < b) {
					lu = l.e[i].l;
					lws = xrealloc(lws, (nlw + 1) * sizeof(*lws));
					lws[nlw++] = loss_begin(lu, opt.unit);
					set_focus(lu, opt.unit);
				}
			}
		}
		f->begin = tick();
		f->active = true;
		nfaults++;
		if (kind == FK_SEQ) {
			r = dm_msg(spare_q, rule, &resp);
			free(resp);
		} else {
			r = dev_reload(DEV_SPARE);
		}
		e = dm_op(DM_DEVICE_RESUME, opt.name, NULL);
		if (e)
			finding("resume after a spare fault failed: %s", strerror(e));
	}
	if (lw) {
		lws = xrealloc(lws, (nlw + 1) * sizeof(*lws));
		lws[nlw++] = lw;
	}
	if (kind == FK_SEQ) {
		f->loss = lws;
		f->nloss = nlw;
	} else {
		for (i = 0; i < nlw; i++)
			model_end(lws[i], false, 0, false);
		free(lws);
	}
	list_free(&l);
	if (r) {
		finding("reloading %s with a fault failed: %s", dev_name_[dev], strerror(r));
		f->active = false;
		f->end = tick();
		if (kind == FK_ERROR)
			atomic_fetch_sub(&err_active, 1);
	}
	ret = fmt("%s_%s %" PRIu64 "+%" PRIu64 "%s%s", dev_name_[dev], fk_name[kind], start, len,
		  rule ? fmt(" (%s)", rule) : "",
		  dev == DEV_SPARE && nlw ? fmt(" (over %u remapped units)", nlw) : "");
	count_op("fault %s %s", dev_name_[dev], fk_name[kind]);
	return ret;
}

static char *op_heal(int dev, bool all)
{
	unsigned int i, idx[MAX_FAULTS_PER_DEV * 2], n = 0;
	char *ret;
	int r;

	for (i = 0; i < nfaults; i++)
		if (faults[i].active && faults[i].dev == dev && faults[i].kind != FK_SEQ)
			idx[n++] = i;
	if (!n)
		return xstrdup("(nothing to heal)");
	if (!all) {
		i = idx[below(&crng, n)];
		n = 1;
		idx[0] = i;
	}
	for (i = 0; i < n; i++) {
		faults[idx[i]].active = false;
		faults[idx[i]].step_off = cur_step;
	}
	r = dev_reload(dev);
	if (r)
		finding("reloading %s to heal failed: %s", dev_name_[dev], strerror(r));
	for (i = 0; i < n; i++) {
		faults[idx[i]].end = tick();	/* failures possible until now */
		if (faults[idx[i]].kind == FK_ERROR) {
			atomic_fetch_sub(&err_active, 1);
			atomic_fetch_add(&err_epoch, 1);
		}
	}
	ret = all ? fmt("heal all %s faults (%u)", dev_name_[dev], n) :
		    fmt("heal %s_%s %" PRIu64 "+%" PRIu64, dev_name_[dev],
			fk_name[faults[idx[0]].kind], faults[idx[0]].start, faults[idx[0]].len);
	count_op("heal %s%s", dev_name_[dev], all ? " (all)" : "");
	return ret;
}

/* Remove every faultseq rule of @dev. */
static char *op_seq_clear(int dev)
{
	unsigned int i, n = 0;
	char *resp = NULL;
	int r;

	if (!use_faultseq)
		return xstrdup("(no faultseq target)");
	r = dm_msg(dev == DEV_MAIN ? main_q : spare_q, "clear", &resp);
	free(resp);
	if (r)
		finding("faultseq clear on %s failed: %s", dev_name_[dev], strerror(r));
	for (i = 0; i < nfaults; i++)
		if (faults[i].active && faults[i].dev == dev && faults[i].kind == FK_SEQ) {
			faults[i].active = false;
			faults[i].step_off = cur_step;
			faults[i].end = tick();
			while (faults[i].nloss)
				model_end(faults[i].loss[--faults[i].nloss], false, 0, false);
			n++;
		}
	count_op("clear %s seq rules", dev_name_[dev]);
	return fmt("%s_seq clear (%u rules)", dev_name_[dev], n);
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case ENOSPC: return "ENOSPC";
	case EIO: return "EIO";
	case EROFS: return "EROFS";
	case EUCLEAN: return "EUCLEAN";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case ENXIO: return "ENXIO";
	case EPERM: return "EPERM";
	case EAGAIN: return "EAGAIN";
	default: return strerror(e);
	}
}

static char *message(const char *kind, const char *msg)
{
	char *resp = NULL;
	int e;

	note_free();
	inflight = msg;
	e = dm_msg(opt.name, msg, &resp);
	inflight = NULL;
	note_free();
	count_op("message %s: %s", kind, errname(e));
	if (e && e != EEXIST && e != ENOENT && e != ENOSPC && e != EIO && e != EROFS && e != EUCLEAN)
		finding("message '%s' refused with %s (the message is well formed)", msg, errname(e));
	if ((e == EROFS || e == EUCLEAN) && !meta_faulted)
		finding("message '%s' refused with %s, but no fault touched the metadata", msg, errname(e));
	return fmt("%s -> %s%s%s", msg, errname(e), resp && *resp ? " " : "",
		   resp && *resp ? resp : "");
}

static u64 pick_sector(void)
{
	u64 r = below(&crng, 100), s;

	if (r < 20 && cur_len % opt.unit)
		return cur_len - 1 - below(&crng, cur_len % opt.unit);	/* the partial last unit */
	if (r < 60) {
		s = sc.focus + below(&crng, sc.focus_n + 2ULL * opt.unit);
		return s < cur_len ? s : cur_len - 1;
	}
	return below(&crng, cur_len);
}

/* ------------------------------------------------------------------ */
/* protection, identity, zero-fill import                              */

static bool fault_during(int dev, unsigned int what, u64 ts, u64 te, u64 first, u64 n,
			 bool any, int media);
static u64 step_clk0;		/* the clock when this step started */
static u64 zf_lost_step;	/* lost_sectors a zero_fill added in this step */

/*
 * The protection the model expects (docs/dm-remap.rst, "Protection"):
 * logical units [0, head) and [tail_first, tail_first + tail).  sig: the
 * last protect that recorded it also wrote the member signature (a failed
 * one may have written part of it).  unprot: units a successful unprotect
 * returned to the main device in this step; the raw main device must hold
 * their data at the barrier.
 */
static struct {
	bool on, sig;
	u32 head, tail;
	u64 tail_first;
	u64 len;		/* the target length when the signature was written */
	u64 hs, ts;		/* the sizes of the last protect message sent */
	bool unprot;
	u32 uhead, utail;
	u64 utail_first;
} prot;
static unsigned char meta_uuid[16];
/* The identity the superblock must hold; known: no failed identity since. */
static struct {
	char serial[128], wwn[64];
	u64 partition;
	bool known;
} ident = { "", "", 0, true };

/* remap_protect_plan() of core/remap_meta.c: sectors to units. */
static bool protect_plan(u64 len, u64 hs, u64 ts, u32 *head, u32 *tail, u64 *tail_first)
{
	u64 nr = (len + opt.unit - 1) / opt.unit, h = (hs + opt.unit - 1) / opt.unit, first = nr;

	if (h > nr)
		h = nr;
	if (ts)
		first = ts >= len ? 0 : (len - ts) / opt.unit;
	if (first < h)
		first = h;
	if (!h && first == nr)
		return false;
	*head = (u32)h;
	*tail = (u32)(nr - first);
	*tail_first = nr > first ? first : 0;
	return true;
}

/* Does the unit range [a, b] hold a protected unit? */
static bool range_protected(u64 a, u64 b)
{
	return prot.on && ((prot.head && a < prot.head) ||
			   (prot.tail && a < prot.tail_first + prot.tail && prot.tail_first <= b));
}

/* The @u-th of the units [0, h) and [tf, tf + t). */
static u64 prot_unit(u32 h, u64 tf, u64 u)
{
	return u < h ? u : tf + u - h;
}

/* The first of the units [0, h) and [tf, tf + t) that @l does not remap, or -1. */
static long long prot_unremapped(const struct list *l, u32 h, u32 t, u64 tf)
{
	u64 u;

	for (u = 0; u < (u64)h + t; u++)
		if (list_find(l, prot_unit(h, tf, u)) < 0)
			return (long long)prot_unit(h, tf, u);
	return -1;
}

static void prot_record(u32 h, u32 t, u64 tf, bool sig)
{
	prot.on = h + t > 0;
	prot.head = h;
	prot.tail = t;
	prot.tail_first = tf;
	prot.sig = sig;
}

/* A key of the stats answer, or -1. */
static long long stats_key(const char *key)
{
	char *r, *p, k[64];
	unsigned long long v;
	long long ret = -1;

	if (dm_msg(opt.name, "stats", &r))
		return -1;
	for (p = r; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (sscanf(p, "%63s %llu", k, &v) == 2 && !strcmp(k, key))
			ret = (long long)v;
	free(r);
	return ret;
}

/* Send a message; count it; *resp gets the answer.  Returns the errno. */
static int send_msg(const char *kind, const char *msg, char **resp)
{
	int e;

	note_free();
	inflight = msg;
	e = dm_msg(opt.name, msg, resp);
	inflight = NULL;
	note_free();
	count_op("message %s: %s", kind, errname(e));
	return e;
}

/* An errno the devices' faults (or a full pool) explain. */
static bool fault_errno(int e)
{
	return e == ENOSPC || e == EIO || ((e == EROFS || e == EUCLEAN) && meta_faulted);
}

static char *msg_result(const char *msg, int e, const char *resp)
{
	return fmt("%s -> %s%s%s", msg, errname(e), resp && *resp ? " " : "", resp && *resp ? resp : "");
}

/* Every unit of @a is still remapped in @b (a refused message changed nothing). */
static void check_kept(const struct list *a, const struct list *b, const char *msg)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (list_find(b, a->e[i].l / opt.unit) < 0) {
			finding("'%s' (which must change nothing) answered, but unit %" PRIu64 " is no longer remapped", msg,
				a->e[i].l / opt.unit);
			return;
		}
}

/*
 * After a protect or unprotect that failed for a reason of the devices:
 * what is recorded now (stats protected_units) must be the old or the new
 * state.
 */
static void protect_settle(u32 h, u32 t, u64 tf, const char *msg)
{
	long long n = stats_key("protected_units");
	u64 old = prot.on ? (u64)prot.head + prot.tail : 0;

	if (n < 0) {
		finding("no protected_units in the stats answer after '%s'", msg);
		return;
	}
	if ((u64)n == old)
		return;
	if ((u64)n == (u64)h + t) {
		prot_record(h, t, tf, false);	/* recorded, the signature maybe not written */
		return;
	}
	finding("after '%s' failed, protected_units is %lld: neither %" PRIu64 " (before) nor %" PRIu64,
		msg, n, old, (u64)h + t);
}

static char *op_protect(void)
{
	u64 hs, ts;
	u32 h = 0, t = 0;
	u64 tf = 0;
	long long miss;
	int e, want;
	char *m, *resp = NULL;
	struct list l = { 0 };

	if (prot.on && (prot.hs || prot.ts) && chance(&crng, 60)) {
		hs = prot.hs;	/* the same sizes again: the signature again */
		ts = prot.ts;
	} else {
		hs = chance(&crng, 25) ? 0 : logsize(&crng, 4ULL * opt.unit);
		ts = hs && chance(&crng, 25) ? 0 : logsize(&crng, 4ULL * opt.unit);
	}
	protect_plan(cur_len, hs, ts, &h, &t, &tf);
	/* what the target must answer, unless a fault gets in the way */
	want = opt.vol ? EINVAL :
	       prot.on && (h != prot.head || t != prot.tail || tf != prot.tail_first) ? EEXIST : 0;
	m = fmt("protect %" PRIu64 " %" PRIu64, hs, ts);
	e = send_msg("protect", m, &resp);
	if (e != want && (want || !fault_errno(e)))
		finding("'%s' answered %s, expected %s (protected: %s)", m, errname(e), errname(want),
			prot.on ? fmt("units 0-%u and %u from %" PRIu64, prot.head, prot.tail,
				      prot.tail_first) : "no");
	if (!e) {
		prot_record(h, t, tf, true);
		prot.len = cur_len;
		prot.hs = hs;
		prot.ts = ts;
		/* remapped, with their data: nothing unremaps them meanwhile */
		if (get_list(&l) && (miss = prot_unremapped(&l, h, t, tf)) >= 0)
			finding("'%s' succeeded, but protected unit %lld is not remapped", m, miss);
		list_free(&l);
	} else if (e != want) {
		protect_settle(h, t, tf, m);
		if (prot.on && prot.head == h && prot.tail == t && prot.tail_first == tf) {
			prot.hs = hs;	/* recorded: the sizes to send again */
			prot.ts = ts;
		}
	}
	return msg_result(m, e, resp);
}

static char *op_unprotect(void)
{
	u32 h = prot.head, t = prot.tail;
	u64 tf = prot.tail_first, ts = tick(), u;
	int e, want = opt.vol ? EINVAL : !prot.on ? ENOENT : 0;
	char *resp = NULL;
	struct list l = { 0 };

	e = send_msg("unprotect", "unprotect", &resp);
	if (e != want && (want || !fault_errno(e)))
		finding("'unprotect' answered %s, expected %s", errname(e), errname(want));
	if (!e) {
		prot_record(0, 0, 0, false);
		prot.unprot = true;
		prot.uhead = h;
		prot.utail = t;
		prot.utail_first = tf;
		/* unremapped, unless a main fault had one remapped again since */
		if (get_list(&l))
			for (u = 0; u < (u64)h + t; u++) {
				u64 lu = prot_unit(h, tf, u);

				if (list_find(&l, lu) >= 0 &&
				    !fault_during(DEV_MAIN, F_ANY, ts, tick(), lu * opt.unit, opt.unit,
						  false, -1)) {
					finding("'unprotect' succeeded, but unit %" PRIu64 " is still remapped", lu);
					break;
				}
			}
		list_free(&l);
	} else if (e != want) {
		/* the copy back may have overwritten part of the signature */
		prot.sig = false;
		protect_settle(0, 0, 0, "unprotect");
	}
	return msg_result("unprotect", e, resp);
}

static char *op_identity(void)
{
	char serial[128], wwn[64], *m, *resp = NULL;
	u64 part = below(&crng, 5);
	int e, want = opt.vol ? EINVAL : 0;

	if (chance(&crng, 25))
		snprintf(serial, sizeof(serial), "-");
	else
		snprintf(serial, sizeof(serial), "TORTURE_%" PRIu64 "-%" PRIu64, opt.seed,
			 below(&crng, 1000000));
	if (chance(&crng, 40))
		snprintf(wwn, sizeof(wwn), "-");
	else
		snprintf(wwn, sizeof(wwn), "0x5000c500%08" PRIx64, below(&crng, 1ULL << 32));
	m = fmt("identity %s %s %" PRIu64, serial, wwn, part);
	e = send_msg("identity", m, &resp);
	if (e != want && (want || !fault_errno(e)))
		finding("'%s' answered %s, expected %s", m, errname(e), errname(want));
	if (!e) {
		snprintf(ident.serial, sizeof(ident.serial), "%s", strcmp(serial, "-") ? serial : "");
		snprintf(ident.wwn, sizeof(ident.wwn), "%s", strcmp(wwn, "-") ? wwn : "");
		ident.partition = part;
		ident.known = true;
	} else if (e != want && e != EROFS) {
		ident.known = false;	/* written or not: the next on-disk check tells */
	}
	return msg_result(m, e, resp);
}

/* A remap_many extent: @m with " S+N" appended. */
static char *add_extent(char *m, u64 *s, u64 *n)
{
	*s = pick_sector();
	*n = 1 + below(&crng, 2ULL * opt.unit);
	if (*s + *n > cur_len)
		*n = cur_len - *s;
	return fmt("%s %" PRIu64 "+%" PRIu64, m, *s, *n);
}

/*
 * remap_many zero_fill: the new units read zeroes (each a pseudo-write of
 * zeroes from before the message to after it: a write that overlapped the
 * message may be older or newer), the skipped ones keep their data, and
 * lost_sectors grows by exactly unit_sectors per new unit.
 */
static char *op_zero_fill(void)
{
	unsigned int i, k = 1 + (unsigned int)below(&crng, 3);
	u64 units[16] = { 0 }, wid[16] = { 0 }, past[16] = { 0 }, s, n, u, lo, hi, added = 0, skipped = 0, nnew = 0;
	size_t nu = 0, j;
	struct list l0 = { 0 }, l1 = { 0 };
	struct rstatus s0, s1;
	char *m = xstrdup("remap_many zero_fill"), *resp = NULL;
	u64 ts, te;
	bool ok0, ok1, exact;
	int e;

	for (i = 0; i < k; i++) {
		m = add_extent(m, &s, &n);
		for (u = s / opt.unit; u <= (s + n - 1) / opt.unit; u++) {
			for (j = 0; j < nu && units[j] != u; j++)
				;
			if (j == nu)
				units[nu++] = u;
		}
		if (i == 0)
			set_focus(s / opt.unit * opt.unit, n + opt.unit);
	}
	ok0 = get_list(&l0) && get_status(&s0);
	ts = tick();
	for (j = 0; j < nu; j++) {
		lo = units[j] * opt.unit;
		hi = lo + opt.unit < nlog ? lo + opt.unit : nlog;
		/*
		 * Past the table's end (a partial last unit) the zeroes last only
		 * while the unit is remapped: an unremap copies back table sectors
		 * only, and a longer table then reads the main device's old data.
		 */
		past[j] = hi > cur_len ? model_begin(W_ZEROFILL, cur_len, (u32)(hi - cur_len), 0) : 0;
		if (hi > cur_len)
			hi = cur_len;
		wid[j] = model_begin(W_ZEROFILL, lo, (u32)(hi - lo), 0);
	}
	e = send_msg("zero_fill", m, &resp);
	te = tick();
	ok1 = get_list(&l1) && get_status(&s1);
	if (!e && (!resp || sscanf(resp, "%" SCNu64 " %" SCNu64, &added, &skipped) != 2))
		finding("'%s': answer '%s' not understood", m, resp ? resp : "");
	if (!e && added + skipped != nu)
		finding("'%s' answered %" PRIu64 " remapped + %" PRIu64 " skipped, the extents hold %zu units",
			m, added, skipped, nu);
	if (e && !fault_errno(e))
		finding("'%s' refused with %s (the message is well formed)", m, errname(e));
	/* which units did it fill: those remapped by it, if the lists tell */
	for (j = 0; j < nu; j++)
		nnew += list_find(&l0, units[j]) < 0 && list_find(&l1, units[j]) >= 0;
	exact = !e && ok0 && ok1 && nnew == added;
	for (j = 0; j < nu; j++) {
		if (!e && ok1 && list_find(&l1, units[j]) < 0)
			finding("'%s' succeeded, but unit %" PRIu64 " is not remapped", m, units[j]);
		if ((ok0 && list_find(&l0, units[j]) >= 0) || e == ENOSPC) {
			/* remapped before: skipped, keeps its data; or refused at once */
			model_cancel(wid[j]);
			if (past[j])
				model_cancel(past[j]);
			continue;
		}
		if (exact && list_find(&l1, units[j]) >= 0) {
			model_end(wid[j], true, 0, true);	/* zero-filled */
			atomic_fetch_add(&cnt[C_ZF_UNITS], 1);
		} else {
			/* an automatic remap raced it, or it failed half way */
			model_end(wid[j], false, e, false);
		}
		if (past[j])
			model_end(past[j], false, e, false);
	}
	if (!e && ok0 && ok1) {
		zf_lost_step += added * opt.unit;
		if (s1.lost < s0.lost + added * opt.unit ||
		    (s1.lost != s0.lost + added * opt.unit &&
		     !fault_during(DEV_MAIN, F_READS, step_clk0, te, 0, 0, true, -1) &&
		     !fault_during(DEV_SPARE, F_READS, step_clk0, te, 0, 0, true, -1)))
			finding("'%s' filled %" PRIu64 " units with zeroes: lost_sectors went from %" PRIu64
				" to %" PRIu64 ", expected +%" PRIu64, m, added, s0.lost, s1.lost,
				added * opt.unit);
	}
	if (e == ENOSPC && ok0 && ok1)
		check_kept(&l0, &l1, m);
	list_free(&l0);
	list_free(&l1);
	(void)ts;
	return fmt("%s%s", msg_result(m, e, resp), !e && !exact ? " (raced an automatic remap)" : "");
}

/* uuid text to bytes */
static bool parse_uuid(const char *t, unsigned char *b)
{
	unsigned int n = 0, x;

	for (; *t && n < 16; t++) {
		if (*t == '-')
			continue;
		if (sscanf(t, "%2x", &x) != 1)
			return false;
		b[n++] = (unsigned char)x;
		t++;
	}
	return n == 16;
}

static u32 crc32c_sw(const unsigned char *p, size_t n)
{
	u32 crc = ~0U;
	unsigned int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & (0U - (crc & 1)));
	}
	return ~crc;
}

static u64 le(const unsigned char *p, unsigned int bytes)
{
	u64 v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* Read @n sectors of the raw main device (under the fault layers) at @first. */
static unsigned char *read_raw_main(u64 first, u64 n)
{
	unsigned char *buf;
	int fd;

	if (posix_memalign((void **)&buf, 4096, n * SECTOR))
		die("out of memory");
	fd = open(opt.main_path, O_RDONLY | O_DIRECT);
	if (fd < 0 || pread(fd, buf, n * SECTOR, (off_t)(first * SECTOR)) != (ssize_t)(n * SECTOR))
		die("reading %s: %s", opt.main_path, strerror(errno));
	close(fd);
	return buf;
}

/* The member signature at raw main sector @sig; NULL if right, else what is wrong. */
static const char *bad_member(const unsigned char *b, u32 where)
{
	unsigned int i;

	if (memcmp(b, "DM-REMAP-MEMBER", 16))
		return "no DM-REMAP-MEMBER magic";
	if (le(b + 16, 4) != 1)
		return "version not 1";
	if (le(b + 20, 4) != crc32c_sw(b + 24, 512 - 24))
		return "CRC-32C mismatch";
	if (memcmp(b + 24, meta_uuid, 16))
		return "not the metadata's uuid";
	if (le(b + 40, 8) != 0 || le(b + 48, 4) != opt.unit || le(b + 52, 4) != where)
		return "main_start, unit_sectors or where wrong";
	if (le(b + 56, 4) != prot.head || le(b + 60, 4) != prot.tail || le(b + 64, 8) != prot.tail_first)
		return "protect_head, protect_tail or protect_tail_first wrong";
	for (i = 72; i < 128; i++)
		if (b[i])
			return "bytes 72-127 not zero";
	if (b[510] || b[511])
		return "bytes 510-511 not zero";
	return NULL;
}

/*
 * The raw main device under the protected units: the member signature at
 * the start of the head and in the last 4 KiB of the tail, zeroes in the
 * rest (table sectors at the time of the protect).
 */
static void check_raw_protected(void)
{
	u64 x[2][2], first, end, sig, s;
	unsigned int nx = 0, i;
	unsigned char *b;
	const char *why;

	if (prot.head) {
		x[nx][0] = 0;
		x[nx++][1] = prot.head - 1;
	}
	if (prot.tail) {
		x[nx][0] = prot.tail_first;
		x[nx++][1] = prot.tail_first + prot.tail - 1;
	}
	for (i = 0; i < nx; i++) {
		first = x[i][0] * opt.unit;
		end = (x[i][1] + 1) * opt.unit < prot.len ? (x[i][1] + 1) * opt.unit : prot.len;
		sig = x[i][0] && end - first >= 8 ? end - 8 : first;
		b = read_raw_main(first, end - first);
		why = bad_member(b + (sig - first) * SECTOR, x[i][0] ? 1 : 0);
		atomic_fetch_add(&cnt[C_RAW_SIG], 1);
		if (why)
			finding("raw main sector %" PRIu64 " (member signature of protected units %" PRIu64
				"-%" PRIu64 "): %s", sig, x[i][0], x[i][1], why);
		for (s = first; s < end && !why; s++) {
			u64 k, nz = 0;

			if (s == sig)
				continue;
			for (k = 0; k < SECTOR; k++)
				nz |= b[(s - first) * SECTOR + k];
			if (nz) {
				finding("raw main sector %" PRIu64 " (protected unit %" PRIu64
					") is not zero", s, s / opt.unit);
				break;
			}
		}
		free(b);
	}
}

/* After unprotect: the raw main device holds the data of the units again. */
static void check_raw_unprotected(const struct list *l)
{
	u64 u, lu, s, end, why = 0;
	unsigned char *b;
	struct val v;
	int j;

	for (u = 0; u < (u64)prot.uhead + prot.utail; u++) {
		lu = prot_unit(prot.uhead, prot.utail_first, u);
		if (list_find(l, lu) >= 0 || lu * opt.unit >= cur_len)
			continue;	/* remapped again (a main fault): its data is on the spare */
		end = (lu + 1) * opt.unit < cur_len ? (lu + 1) * opt.unit : cur_len;
		b = read_raw_main(lu * opt.unit, end - lu * opt.unit);
		pthread_mutex_lock(&mlock);
		for (s = lu * opt.unit; s < end; s++) {
			atomic_fetch_add(&cnt[C_RAW_UNPROT], 1);
			decode((const u64 *)(b + (s - lu * opt.unit) * SECTOR), opt.seed, &v);
			j = judge(s, &v, cs[s].w, cs[s].n, 0, 0, &why);
			if (j == J_BAD) {
				finding("after unprotect, raw main sector %" PRIu64 " holds %s; expected %s", s,
					describe_val(&v), describe_cands(cs[s].w, cs[s].n));
				break;
			}
		}
		pthread_mutex_unlock(&mlock);
		free(b);
		if (s < end)
			break;
	}
	prot.unprot = false;
}

/*
 * unremap or clear: EPERM, nothing changed, exactly when the range holds a
 * protected unit (EROFS first once the metadata is read-only).
 */
static char *message_prot(const char *kind, const char *msg, bool protected_)
{
	struct list a = { 0 }, b = { 0 };
	char *resp = NULL, *r;
	bool ok;
	int e;

	if (!protected_)
		return message(kind, msg);
	ok = get_list(&a);
	e = send_msg(kind, msg, &resp);
	if (e != EPERM && !((e == EROFS || e == EUCLEAN) && meta_faulted))
		finding("'%s' touches a protected unit, answered %s, expected EPERM", msg, errname(e));
	if (ok && get_list(&b))
		check_kept(&a, &b, msg);
	list_free(&a);
	list_free(&b);
	r = msg_result(msg, e, resp);
	free(resp);
	return r;
}

/* At a barrier: the protection as the model expects it. */
static void check_protect(const struct list *l)
{
	long long n = stats_key("protected_units"), miss;
	u64 want = prot.on ? (u64)prot.head + prot.tail : 0;

	atomic_fetch_add(&cnt[C_PROT_CHECKS], 1);
	if (n != (long long)want)
		finding("stats protected_units %lld, expected %" PRIu64, n, want);
	if (prot.on && (miss = prot_unremapped(l, prot.head, prot.tail, prot.tail_first)) >= 0)
		finding("protected unit %lld is not remapped", miss);
	if (prot.on && prot.sig && !opt.vol)
		check_raw_protected();
	if (prot.unprot)
		check_raw_unprotected(l);
}

static char *op_remap(void)
{
	u64 s = pick_sector(), n = chance(&crng, 60) ? 1 : 1 + below(&crng, 4ULL * opt.unit);

	if (s + n > cur_len)
		n = cur_len - s;
	set_focus(s / opt.unit * opt.unit, n + opt.unit);
	return message("remap", fmt("remap %" PRIu64 " %" PRIu64, s, n));
}

static char *op_remap_many(void)
{
	unsigned int i, k = 1 + (unsigned int)below(&crng, 5);
	char *m = xstrdup("remap_many");
	u64 s, n;

	for (i = 0; i < k; i++)
		m = add_extent(m, &s, &n);
	return message("remap_many", m);
}

static char *op_unremap(void)
{
	u64 s, n = 1;
	size_t i, k;

	if (prot.on && chance(&crng, 25)) {
		/* a protected unit: refused (EPERM), nothing changes */
		s = chance(&crng, 50) || !prot.tail ? below(&crng, (u64)(prot.head ? prot.head : 1) * opt.unit) :
		    prot.tail_first * opt.unit + below(&crng, (u64)prot.tail * opt.unit);
		n = 1 + below(&crng, 2ULL * opt.unit);
		if (s >= cur_len)
			s = cur_len - 1;
	} else if (!last_list.n || chance(&crng, 10)) {
		s = below(&crng, cur_len);
	} else {
		i = below(&crng, last_list.n);
		/* the last unit may be partial */
		s = last_list.e[i].l + below(&crng, cur_len - last_list.e[i].l < opt.unit ?
						    cur_len - last_list.e[i].l : opt.unit);
		/* sometimes a run of consecutive remapped units */
		for (k = i + 1; k < last_list.n && chance(&crng, 50) &&
		     last_list.e[k].l == last_list.e[k - 1].l + opt.unit; k++)
			n = last_list.e[k].l + opt.unit - s;
		set_focus(last_list.e[i].l, opt.unit);
	}
	if (s + n > cur_len)
		n = cur_len - s;
	return message_prot("unremap", fmt("unremap %" PRIu64 " %" PRIu64, s, n),
			    range_protected(s / opt.unit, (s + n - 1) / opt.unit));
}

static char *reload_remap(u64 len, u64 slen, const char *what)
{
	char *t = remap_table(len, slen);
	int r;

	note_free();
	r = dm_op(DM_DEVICE_RELOAD, opt.name, t);
	free(t);
	if (r) {
		count_op("reload %s: refused", what);
		finding("reload (%s, length %" PRIu64 ", spare_len %" PRIu64 ") refused: %s", what,
			len, slen, strerror(r));
		return fmt("reload %s refused: %s", what, strerror(r));
	}
	r = dm_op(DM_DEVICE_RESUME, opt.name, NULL);
	if (r) {
		finding("resume after reload (%s) failed: %s", what, strerror(r));
		return fmt("reload %s: resume failed: %s", what, strerror(r));
	}
	note_free();
	count_op("reload %s", what);
	return NULL;
}

static char *op_grow_spare(void)
{
	u64 max = spare_sectors / opt.unit * opt.unit, n;
	char *e;

	if (spare_len >= max)
		return xstrdup("(spare already at its maximum)");
	n = spare_len + opt.unit * (1 + below(&crng, 32));
	if (n > max)
		n = max;
	e = reload_remap(cur_len, n, "grow spare");
	if (e)
		return e;
	spare_len = n;
	return fmt("reload: spare_len %" PRIu64, n);
}

static char *op_grow_target(void)
{
	u64 max = main_sectors, n, old = cur_len;
	char *e;

	if (cur_len >= max)
		return xstrdup("(target already at its maximum)");
	n = cur_len + 1 + below(&crng, 3ULL * opt.unit);
	if (n > max)
		n = max;
	e = reload_remap(n, spare_len, "grow target");
	if (e)
		return e;
	cur_len = n;
	set_focus(old / opt.unit * opt.unit, n - old / opt.unit * opt.unit);
	return fmt("reload: length %" PRIu64 " (was %" PRIu64 ", last unit %s)", n, old,
		   list_find(&last_list, (old - 1) / opt.unit) >= 0 ? "remapped" : "not remapped");
}

static char *op_suspend_resume(void)
{
	int r = dm_op(DM_DEVICE_SUSPEND, opt.name, NULL);

	if (r) {
		finding("suspend failed: %s", strerror(r));
		return xstrdup("suspend failed");
	}
	usleep((useconds_t)below(&crng, 50000));
	r = dm_op(DM_DEVICE_RESUME, opt.name, NULL);
	if (r)
		finding("resume failed: %s", strerror(r));
	count_op("suspend+resume");
	return xstrdup("suspend, resume");
}

/* At the barrier (no I/O): remove the device and load it from its metadata. */
static char *op_recreate(void)
{
	struct list before = { 0 }, after = { 0 };
	struct rstatus s0, s1;
	char *t;
	size_t i;
	int r;

	for (i = 0; i < nfaults; i++)
		if (faults[i].active && faults[i].dev == DEV_SPARE && faults[i].start < data_offset)
			return xstrdup("(not with a fault on the metadata area)");

	get_list(&before);
	get_status(&s0);
	r = dm_op(DM_DEVICE_REMOVE, opt.name, NULL);
	if (r) {
		finding("remove failed: %s", strerror(r));
		list_free(&before);
		return xstrdup("remove failed");
	}
	t = remap_table(cur_len, spare_len);
	r = dm_op(DM_DEVICE_CREATE, opt.name, t);
	free(t);
	if (r) {
		finding("creating %s again from its metadata failed: %s", opt.name, strerror(r));
		list_free(&before);
		return xstrdup("create from the metadata failed");
	}
	if (!dm_devno(opt.name, devno, sizeof(devno)))
		die("no device %s", opt.name);
	/* a fresh load: the metadata is fine again unless still faulted */
	meta_faulted = false;
	for (i = 0; i < nfaults; i++)
		if (faults[i].active && faults[i].dev == DEV_SPARE && faults[i].start < data_offset)
			meta_faulted = true;
	get_list(&after);
	get_status(&s1);
	if (!strcmp(s0.meta, "failed")) {
		/*
		 * The metadata was read-only: the counters since were not
		 * saved, and a unit in doubt comes back in either of its two
		 * places.  Only the data must be the same (the scan).
		 */
		list_free(&before);
		list_free(&after);
		get_status(&prev);
		count_op("remove + create from failed metadata");
		return xstrdup("remove, create from the metadata (it had failed)");
	}
	if (before.n != after.n)
		finding("re-created from the metadata: %zu remapped units, had %zu", after.n, before.n);
	for (i = 0; i < before.n && i < after.n; i++)
		if (before.e[i].l != after.e[i].l || before.e[i].s != after.e[i].s) {
			finding("re-created from the metadata: list line %zu is %" PRIu64 " %" PRIu64
				", was %" PRIu64 " %" PRIu64, i, after.e[i].l, after.e[i].s,
				before.e[i].l, before.e[i].s);
			break;
		}
	if (s0.lost != s1.lost || s0.realloc != s1.realloc || s0.autor != s1.autor ||
	    s0.uncorr != s1.uncorr || s0.sperr != s1.sperr || s0.retired != s1.retired ||
	    s0.pending != s1.pending)
		finding("re-created from the metadata: counters lost/realloc/auto/uncorrectable/"
			"spare_errors/retired/pending %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
			"/%" PRIu64 "/%" PRIu64 "/%" PRIu64 ", were %" PRIu64 "/%" PRIu64 "/%" PRIu64
			"/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64, s1.lost, s1.realloc, s1.autor,
			s1.uncorr, s1.sperr, s1.retired, s1.pending, s0.lost, s0.realloc, s0.autor,
			s0.uncorr, s0.sperr, s0.retired, s0.pending);
	list_free(&before);
	list_free(&after);
	count_op("remove + create from metadata");
	return xstrdup("remove, create from the metadata");
}

enum {
	OP_NONE, OP_MAIN_ERROR, OP_MAIN_WFAIL, OP_MAIN_HEAL, OP_MAIN_HEAL_ALL,
	OP_SPARE_ERROR, OP_SPARE_WFAIL, OP_SPARE_HEAL, OP_SPARE_HEAL_ALL,
	OP_REMAP, OP_REMAP_MANY, OP_UNREMAP, OP_CLEAR, OP_SUSPEND, OP_GROW_SPARE,
	OP_GROW_TARGET, OP_RELOAD_SAME, OP_RECREATE, OP_MAIN_SEQ, OP_SPARE_SEQ,
	OP_MAIN_SEQ_CLEAR, OP_SPARE_SEQ_CLEAR, OP_PROTECT, OP_UNPROTECT, OP_IDENTITY,
	OP_ZERO_FILL, OP_NR
};
static const char *const op_label[OP_NR] = {
	"none", "main_error", "main_wfail", "main_heal", "main_heal_all", "spare_error",
	"spare_wfail", "spare_heal", "spare_heal_all", "remap", "remap_many", "unremap",
	"clear", "suspend_resume", "grow_spare", "grow_target", "reload_same", "recreate",
	"main_seq", "spare_seq", "main_seq_clear", "spare_seq_clear", "protect", "unprotect",
	"identity", "zero_fill",
};
static const unsigned int op_weight[OP_NR] = {
	[OP_NONE] = 6, [OP_MAIN_ERROR] = 12, [OP_MAIN_WFAIL] = 7, [OP_MAIN_HEAL] = 8,
	[OP_MAIN_HEAL_ALL] = 3, [OP_SPARE_ERROR] = 4, [OP_SPARE_WFAIL] = 3,
	[OP_SPARE_HEAL] = 4, [OP_SPARE_HEAL_ALL] = 2, [OP_REMAP] = 9, [OP_REMAP_MANY] = 4,
	[OP_UNREMAP] = 6, [OP_CLEAR] = 2, [OP_SUSPEND] = 5, [OP_GROW_SPARE] = 3,
	[OP_GROW_TARGET] = 3, [OP_RELOAD_SAME] = 2, [OP_RECREATE] = 2,
	[OP_MAIN_SEQ] = 9, [OP_SPARE_SEQ] = 7, [OP_MAIN_SEQ_CLEAR] = 3, [OP_SPARE_SEQ_CLEAR] = 3,
	[OP_PROTECT] = 3, [OP_UNPROTECT] = 2, [OP_IDENTITY] = 2, [OP_ZERO_FILL] = 3,
};

static bool op_enabled[OP_NR];

/* --ops a,b,c: only those operations (names as in op_label). */
static void parse_ops(const char *list)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	unsigned int i;

	memset(op_enabled, 0, sizeof(op_enabled));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < OP_NR && strcmp(tok, op_label[i]); i++)
			;
		if (i == OP_NR) {
			fprintf(stderr, "torture: unknown operation '%s'; known:", tok);
			for (i = 0; i < OP_NR; i++)
				fprintf(stderr, " %s", op_label[i]);
			fprintf(stderr, "\n");
			exit(2);
		}
		op_enabled[i] = true;
	}
	free(copy);
}

static int pick_op(void)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < OP_NR; i++)
		total += op_enabled[i] ? op_weight[i] : 0;
	if (!total)
		return OP_NONE;
	r = (unsigned int)below(&crng, total);
	for (i = 0; i < OP_NR; i++) {
		if (!op_enabled[i])
			continue;
		if (r < op_weight[i])
			break;
		r -= op_weight[i];
	}
	if (i == OP_RECREATE && opt.vol)
		i = OP_RELOAD_SAME;
	return (int)i;
}

static char *run_op(int op)
{
	char *e;

	switch (op) {
	case OP_MAIN_ERROR: return op_fault(DEV_MAIN, FK_ERROR);
	case OP_MAIN_WFAIL: return op_fault(DEV_MAIN, FK_WFAIL);
	case OP_MAIN_HEAL: return op_heal(DEV_MAIN, false);
	case OP_MAIN_HEAL_ALL: return op_heal(DEV_MAIN, true);
	case OP_SPARE_ERROR: return op_fault(DEV_SPARE, FK_ERROR);
	case OP_SPARE_WFAIL: return op_fault(DEV_SPARE, FK_WFAIL);
	case OP_SPARE_HEAL: return op_heal(DEV_SPARE, false);
	case OP_SPARE_HEAL_ALL: return op_heal(DEV_SPARE, true);
	case OP_MAIN_SEQ: return op_fault(DEV_MAIN, FK_SEQ);
	case OP_SPARE_SEQ: return op_fault(DEV_SPARE, FK_SEQ);
	case OP_MAIN_SEQ_CLEAR: return op_seq_clear(DEV_MAIN);
	case OP_SPARE_SEQ_CLEAR: return op_seq_clear(DEV_SPARE);
	case OP_REMAP: return op_remap();
	case OP_REMAP_MANY: return op_remap_many();
	case OP_UNREMAP: return op_unremap();
	case OP_CLEAR: return message_prot("clear", "clear", prot.on);
	case OP_PROTECT: return op_protect();
	case OP_UNPROTECT: return op_unprotect();
	case OP_IDENTITY: return op_identity();
	case OP_ZERO_FILL: return op_zero_fill();
	case OP_SUSPEND: return op_suspend_resume();
	case OP_GROW_SPARE: return op_grow_spare();
	case OP_GROW_TARGET: return op_grow_target();
	case OP_RELOAD_SAME:
		e = reload_remap(cur_len, spare_len, "same table");
		return e ? e : xstrdup("reload: same table");
	default:
		count_op("none");
		return xstrdup("no operation");
	}
}

/* ------------------------------------------------------------------ */
/* the checks at a barrier                                              */

/*
 * Was a fault of @dev that fails @what (F_READS, F_WRITES) active during
 * [ts, te], over [first, first + n) of the raw device (any range: @any)?
 * @media: only faults with media errors (1), only others (0), both (-1).
 */
static bool fault_during(int dev, unsigned int what, u64 ts, u64 te, u64 first, u64 n,
			 bool any, int media)
{
	unsigned int i;
	const struct fault *f;

	for (i = 0; i < nfaults; i++) {
		f = &faults[i];
		if (f->dev != dev || !(f->what & what) || (media >= 0 && f->media != media))
			continue;
		if (f->begin > te || f->end < ts)
			continue;
		if (any || (first < f->start + f->len && f->start < first + n))
			return true;
	}
	return false;
}

/* Does an active fault of @dev fail @what over [first, first + n)? */
static bool fault_now(int dev, unsigned int what, u64 first, u64 n)
{
	unsigned int i;
	const struct fault *f;

	for (i = 0; i < nfaults; i++) {
		f = &faults[i];
		if (f->active && f->dev == dev && (f->what & what) &&
		    first < f->start + f->len && f->start < first + n)
			return true;
	}
	return false;
}

/* A count-based fault failing spare reads was active during [ts, te]. */
static bool spare_read_seq_during(u64 ts, u64 te)
{
	unsigned int i;

	for (i = 0; i < nfaults; i++)
		if (faults[i].dev == DEV_SPARE && faults[i].kind == FK_SEQ &&
		    (faults[i].what & F_READS) && faults[i].begin <= te && faults[i].end >= ts)
			return true;
	return false;
}

/*
 * The deferred zeroes: each must be a sector whose unit lived (by one of
 * the lists we know, or by a "remapped to spare unit N" line of the
 * kernel log since the fault went in: a unit remapped and relocated
 * again between two barriers is in no list; seed 82184368, step 1665) on
 * a spare range that a count-based fault active during the read failed
 * reads of; then it is a loss like the others.
 */
static void judge_zeros(const struct list **lists, unsigned int nl)
{
	const struct fault *f;
	unsigned int i, k;
	long long sp;
	size_t z;
	bool ok;

	pthread_mutex_lock(&mlock);
	for (z = 0; z < nzwait; z++) {
		ok = false;
		for (k = 0; k < nl && !ok; k++) {
			sp = list_find(lists[k], zwait[z].s / opt.unit);
			if (sp < 0)
				continue;
			sp += (long long)(zwait[z].s % opt.unit);
			for (i = 0; i < nfaults && !ok; i++) {
				f = &faults[i];
				if (f->dev == DEV_SPARE && f->kind == FK_SEQ && (f->what & F_READS) &&
				    f->begin <= zwait[z].re && f->end >= zwait[z].rs &&
				    (u64)sp >= f->start && (u64)sp < f->start + f->len) {
					ok = true;
					note_loss_key(zwait[z].s, (1ULL << 63) | i, f->begin, true);
				}
			}
		}
		/* or on a place the kernel log says it went to meanwhile */
		for (k = 0; k < nkplace && !ok; k++) {
			if (kplace[k].a > zwait[z].s || zwait[z].s > kplace[k].b)
				continue;
			sp = (long long)((opt.vol ? 0 : data_offset) +
					 kplace[k].sunit * opt.unit + zwait[z].s % opt.unit);
			for (i = 0; i < nfaults && !ok; i++) {
				f = &faults[i];
				if (f->dev == DEV_SPARE && f->kind == FK_SEQ && (f->what & F_READS) &&
				    f->begin <= zwait[z].re && f->end >= zwait[z].rs &&
				    kplace[k].clk >= f->begin &&
				    (u64)sp >= f->start && (u64)sp < f->start + f->len) {
					ok = true;
					note_loss_key(zwait[z].s, (1ULL << 63) | i, f->begin, true);
				}
			}
		}
		if (!ok)
			finding("%s", zwait[z].text);
		free(zwait[z].text);
	}
	nzwait = 0;
	pthread_mutex_unlock(&mlock);
}

static bool any_fault_during(u64 ts, u64 te)
{
	return fault_during(DEV_MAIN, F_ANY, ts, te, 0, 0, true, -1) ||
	       fault_during(DEV_SPARE, F_ANY, ts, te, 0, 0, true, -1);
}

static bool media_errno(int e)
{
	return e == EIO || e == ENODATA || e == EILSEQ || e == EREMOTEIO;
}

/*
 * Read the whole target; each sector must hold a value the model allows.
 * A chunk that fails is read again a sector at a time.
 */
/* One sector read at the barrier (mlock held). */
static void scan_judge(u64 s, const u64 *p, const struct list *l0, u64 ts, u64 te)
{
	struct val v;
	u64 why = 0;
	long long sp;
	char *text;
	int j;

	decode(p, opt.seed, &v);
	j = judge(s, &v, cs[s].w, cs[s].n, 0, 0, &why);
	if (j == J_LOSS) {
		note_loss(s, why);
	} else if (j == J_BAD) {
		sp = list_find(l0, s / opt.unit);
		text = fmt("barrier read: sector %" PRIu64 " (unit %" PRIu64 ", %s): got %s; expected %s",
			   s, s / opt.unit,
			   sp >= 0 ? fmt("on spare sector %lld", sp + (long long)(s % opt.unit)) :
				     xstrdup("on main"),
			   describe_val(&v), describe_cands(cs[s].w, cs[s].n));
		if (v.kind != V_ZERO || !defer_zero(s, ts, te, text))
			finding("%s", text);
	}
}

static void scan(const struct list *l0, unsigned int *nfail_scan)
{
	const u64 chunk = 256;
	u64 s, n, i, ts, te;
	u64 *buf;
	int fd, e;

	if (posix_memalign((void **)&buf, 4096, chunk * SECTOR))
		die("out of memory");
	fd = open(dev_path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		die("%s: %s", dev_path, strerror(errno));
	*nfail_scan = 0;
	for (s = 0; s < cur_len; s += n) {
		n = cur_len - s < chunk ? cur_len - s : chunk;
		atomic_fetch_add(&progress, 1);
		ts = tick();
		e = do_pio(fd, false, buf, s, n);
		te = tick();
		if (!e) {
			pthread_mutex_lock(&mlock);
			/* cppcheck-suppress knownConditionTrueFalse ; n >= 1: s < size */
			for (i = 0; i < n; i++)
				scan_judge(s + i, buf + i * (SECTOR / 8), l0, ts, te);
			pthread_mutex_unlock(&mlock);
			atomic_fetch_add(&cnt[C_SECT_SCAN], n);
			continue;
		}
		/* cppcheck-suppress knownConditionTrueFalse ; n >= 1: s < size */
		for (i = 0; i < n; i++) {
			ts = tick();
			e = do_pio(fd, false, buf, s + i, 1);
			te = tick();
			if (e) {
				atomic_fetch_add(&cnt[C_SCAN_FAIL], 1);
				(*nfail_scan)++;
				note_iofail(IO_READ, e, -1, s + i, 1, ts, te, true);
				continue;
			}
			pthread_mutex_lock(&mlock);
			scan_judge(s + i, buf, l0, ts, te);
			pthread_mutex_unlock(&mlock);
			atomic_fetch_add(&cnt[C_SECT_SCAN], 1);
		}
	}
	close(fd);
	free(buf);
}

/* Is the place of logical sector @s (per list @l) unreadable now? */
static bool unreadable_now(const struct list *l, u64 s)
{
	long long sp = list_find(l, s / opt.unit);

	if (sp >= 0)
		return fault_now(DEV_SPARE, F_READS, (u64)sp + s % opt.unit, 1);
	return fault_now(DEV_MAIN, F_READS, s, 1);
}

/*
 * Sector @s failed a barrier read because its place is unreadable now.  The
 * target may later salvage its unit (a spare unit that fails reads is moved,
 * its unreadable sectors replaced by zeroes and logged as lost), so zeroes
 * there are a possible loss from now until a write supersedes them, as for
 * a unit that sat on a read-faulted range when the fault went in.  Without
 * this, a unit that moved onto a faulted spare range after the fault was
 * injected and was salvaged after this barrier read its zeroes at the next
 * barrier with no record to explain them (seed 398970940 on 6.12, step 5652).
 */
static void possible_loss(u64 s)
{
	bool have = false;
	u32 i;

	if (s >= nlog)
		return;
	pthread_mutex_lock(&mlock);
	for (i = 0; i < cs[s].n && !have; i++)
		have = W(cs[s].w[i])->kind == W_LOSS;
	pthread_mutex_unlock(&mlock);
	if (!have)
		model_end(model_begin(W_LOSS, s, 1, 0), false, 0, false);
}

/*
 * A read by an io thread failed: the sectors of it whose place (by the
 * lists at this barrier) is unreadable now may be salvaged as zeroes before
 * the next barrier reads them, e.g. when a write to the unit, pending after
 * that read, relocates it.
 */
static void possible_losses(const struct list *l0, const struct list *l1, u64 first, u64 n)
{
	u64 s;

	for (s = first; s < first + n && s < nlog; s++)
		if (unreadable_now(l0, s) || unreadable_now(l1, s))
			possible_loss(s);
}

/*
 * Failed I/O of this step: each must have a fault to explain it.
 * *nuncorr: failed reads the target must have counted as uncorrectable;
 * *need_spare_error: a failed read only a spare fault explains.
 */
static void judge_iofails(const struct list *l0, const struct list *l1, unsigned int *nuncorr,
			  bool *need_spare_error)
{
	const struct iofail *f;
	size_t i;
	bool ok, spare_only, other;

	*nuncorr = 0;
	*need_spare_error = false;
	for (i = 0; i < niofails; i++) {
		f = &iofails[i];
		/* a fault with a status the target passes up was around */
		other = fault_during(DEV_MAIN, F_ANY, f->t_start, f->t_end, f->first, f->n, false, 0) ||
			fault_during(DEV_SPARE, F_ANY, f->t_start, f->t_end, 0, 0, true, 0);
		if (f->op == IO_READ) {
			if (media_errno(f->err) && !other)
				(*nuncorr)++;
			if (f->scan) {
				ok = unreadable_now(l0, f->first) || unreadable_now(l1, f->first);
				if (!ok)
					finding("barrier read of sector %" PRIu64 " failed (%s), but its place (%s) is not failing",
						f->first, errname(f->err),
						list_find(l1, f->first / opt.unit) >= 0 ? "spare" : "main");
				else
					possible_loss(f->first);
				continue;
			}
			ok = fault_during(DEV_MAIN, F_READS, f->t_start, f->t_end, f->first, f->n,
					  false, -1);
			spare_only = !ok && fault_during(DEV_SPARE, F_READS, f->t_start, f->t_end,
							 0, 0, true, -1);
			if (spare_only && media_errno(f->err) && !other)
				*need_spare_error = true;
			if (!ok && !spare_only)
				finding("read of sectors %" PRIu64 "+%" PRIu64 " by io thread %d failed (%s), "
					"but no fault failed reads there meanwhile", f->first, f->n,
					f->thread, errname(f->err));
			else if (!media_errno(f->err) && !other)
				finding("read of sectors %" PRIu64 "+%" PRIu64 " failed with %s, though every "
					"fault around gave media errors", f->first, f->n, errname(f->err));
			if (ok || spare_only)
				possible_losses(l0, l1, f->first, f->n);
			continue;
		}
		if (f->op == IO_WRITE) {
			ok = fault_during(DEV_SPARE, F_ANY, f->t_start, f->t_end, 0, 0, true, -1) ||
			     fault_during(DEV_MAIN, F_WRITES, f->t_start, f->t_end, f->first, f->n,
					  false, 0) ||
			     min_free_seen == 0 || meta_faulted;
			if (!ok)
				finding("write of sectors %" PRIu64 "+%" PRIu64 " by io thread %d failed (%s), "
					"with the spare healthy and %" PRIu64 " free spare units: "
					"auto-remap should have absorbed it%s", f->first, f->n, f->thread,
					errname(f->err), min_free_seen,
					fault_during(DEV_MAIN, F_WRITES, f->t_start, f->t_end, f->first, f->n,
						     false, -1) ?
					" (a main fault failed writes there)" : " (no fault failed writes there)");
			continue;
		}
		/* discard, write-zeroes: errors of the devices pass up */
		ok = any_fault_during(f->t_start, f->t_end) || min_free_seen == 0;
		if (!ok)
			finding("%s of sectors %" PRIu64 "+%" PRIu64 " by io thread %d failed (%s) with no fault anywhere",
				io_name[f->op], f->first, f->n, f->thread, errname(f->err));
	}
}

static void check_list_shape(const struct list *l, const struct rstatus *st)
{
	u64 lo = opt.vol ? 0 : data_offset, i;
	u64 *sp;

	if (l->n != st->remapped)
		finding("status says %" PRIu64 " remapped units, list has %zu lines", st->remapped, l->n);
	/* after a failed commit, units whose release is in doubt stay taken */
	if (strcmp(st->meta, "failed") ? st->used != st->remapped + st->retired :
	    st->used < st->remapped + st->retired)
		finding("spare_used %" PRIu64 " != remapped %" PRIu64 " + retired %" PRIu64,
			st->used, st->remapped, st->retired);
	if (st->used > st->total)
		finding("spare_used %" PRIu64 " > spare_total %" PRIu64, st->used, st->total);
	if (st->retired > st->sperr)
		finding("retired_units %" PRIu64 " > spare_errors %" PRIu64
			": spare units retired without an error on the spare device",
			st->retired, st->sperr);
	if (st->autor > st->realloc)
		finding("auto_remaps %" PRIu64 " > reallocation_events %" PRIu64, st->autor, st->realloc);
	if (st->pending > REMAP_MAX_PENDING)
		finding("pending_units %" PRIu64 " > %d", st->pending, REMAP_MAX_PENDING);
	if (!strcmp(st->health, "exhausted") && st->used < st->total)
		finding("status says exhausted with %" PRIu64 " free spare units", st->total - st->used);
	if (strcmp(st->meta, opt.vol ? "volatile" : "ok") && !(meta_faulted && !strcmp(st->meta, "failed")))
		finding("metadata state '%s'", st->meta);
	sp = xmalloc((l->n + 1) * sizeof(*sp));
	for (i = 0; i < l->n; i++) {
		if (l->e[i].l % opt.unit || l->e[i].l >= cur_len || l->e[i].n != opt.unit)
			finding("list line %" PRIu64 " '%" PRIu64 " %" PRIu64 " %" PRIu64 "': bad logical sector or size",
				i, l->e[i].l, l->e[i].s, l->e[i].n);
		if (i && l->e[i].l <= l->e[i - 1].l)
			finding("list not in logical order at line %" PRIu64, i);
		if (l->e[i].s < lo || l->e[i].s + opt.unit > spare_len || (l->e[i].s - lo) % opt.unit)
			finding("list line '%" PRIu64 " %" PRIu64 "': spare sector outside the spare area [%" PRIu64
				", %" PRIu64 ")", l->e[i].l, l->e[i].s, lo, spare_len);
		sp[i] = l->e[i].s;
	}
	for (i = 0; i < l->n; i++) {
		u64 j;

		for (j = i + 1; j < l->n; j++)
			if (sp[i] == sp[j])
				finding("spare sector %" PRIu64 " serves logical sectors %" PRIu64 " and %" PRIu64,
					sp[i], l->e[i].l, l->e[j].l);
	}
	free(sp);
}

static void check_stats(const struct rstatus *st)
{
	char *r, *p, key[64];
	unsigned long long v;
	u64 total = 0, used = 0, free_ = 0;
	int n;
	struct {
		const char *k;
		u64 want;
	} m[] = {
		{ "remapped_units", st->remapped }, { "spare_units", st->total },
		{ "spare_used", st->used }, { "retired_units", st->retired },
		{ "pending_units", st->pending }, { "reallocation_events", st->realloc },
		{ "auto_remaps", st->autor }, { "uncorrectable_reads", st->uncorr },
		{ "spare_errors", st->sperr }, { "lost_sectors", st->lost },
	};
	unsigned int i;

	if (dm_msg(opt.name, "stats", &r)) {
		finding("stats message failed");
		return;
	}
	for (p = r; *p; ) {
		if (sscanf(p, "%63s %llu%n", key, &v, &n) == 2) {
			for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
				if (!strcmp(key, m[i].k) && m[i].want != v)
					finding("stats %s %llu, status says %" PRIu64, key, v, m[i].want);
			if (!strcmp(key, "spare_units"))
				total = v;
			if (!strcmp(key, "spare_used"))
				used = v;
			if (!strcmp(key, "spare_free"))
				free_ = v;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	if (free_ != total - used)
		finding("stats spare_free %" PRIu64 " != spare_units %" PRIu64 " - spare_used %" PRIu64,
			free_, total, used);
	free(r);
}

static void check_debugfs(const struct list *l)
{
	FILE *f = fopen("/sys/kernel/debug/dm_remap/remap_table", "r");
	char name[128], line[256];
	unsigned long long a, b, c;
	struct list d = { 0 };
	size_t i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %llu %llu %llu", name, &a, &b, &c) != 4 ||
		    strcmp(name, opt.name))
			continue;
		d.e = xrealloc(d.e, (d.n + 1) * sizeof(*d.e));
		d.e[d.n].l = a;
		d.e[d.n].s = b;
		d.e[d.n++].n = c;
	}
	fclose(f);
	atomic_fetch_add(&cnt[C_DEBUGFS_CHECKS], 1);
	if (d.n != l->n)
		finding("debugfs remap_table has %zu lines for %s, list has %zu", d.n, opt.name, l->n);
	for (i = 0; i < d.n && i < l->n; i++)
		if (d.e[i].l != l->e[i].l || d.e[i].s != l->e[i].s) {
			finding("debugfs line %zu '%" PRIu64 " %" PRIu64 "' differs from list '%" PRIu64 " %" PRIu64 "'",
				i, d.e[i].l, d.e[i].s, l->e[i].l, l->e[i].s);
			break;
		}
	list_free(&d);
}

/* Persistent: the on-disk table, copied while suspended, equals the kernel's. */
static void check_ondisk(void)
{
	struct ondisk d;
	struct rstatus st;
	struct list l = { 0 };
	size_t i;
	int r;

	phase = "on-disk check";
	r = dm_op(DM_DEVICE_SUSPEND, opt.name, NULL);
	if (r) {
		finding("suspend for the on-disk check failed: %s", strerror(r));
		return;
	}
	get_status(&st);
	get_list(&l);
	read_ondisk(data_offset, &d);
	r = dm_op(DM_DEVICE_RESUME, opt.name, NULL);
	if (r)
		finding("resume after the on-disk check failed: %s", strerror(r));
	atomic_fetch_add(&cnt[C_META_CHECKS], 1);
	if (!d.ok)
		goto out;
	if (!strcmp(st.meta, "failed"))
		goto out;	/* the kernel says the disk may be behind */
	if (d.remaps.n != l.n)
		finding("on-disk table has %zu remaps, list has %zu", d.remaps.n, l.n);
	for (i = 0; i < d.remaps.n && i < l.n; i++)
		if (d.remaps.e[i].l != l.e[i].l || d.remaps.e[i].s != l.e[i].s) {
			finding("on-disk remap %zu is '%" PRIu64 " -> %" PRIu64 "', list has '%" PRIu64 " -> %" PRIu64 "'",
				i, d.remaps.e[i].l, d.remaps.e[i].s, l.e[i].l, l.e[i].s);
			break;
		}
	if (d.nretired != st.retired)
		finding("on-disk table has %zu retired spare units, status %" PRIu64, d.nretired, st.retired);
	if (d.prot_head != (prot.on ? prot.head : 0) || d.prot_tail != (prot.on ? prot.tail : 0) ||
	    d.prot_tail_first != (prot.on ? prot.tail_first : 0))
		finding("on-disk protection head %" PRIu64 " tail %" PRIu64 " from %" PRIu64
			", expected %u %u %" PRIu64, d.prot_head, d.prot_tail, d.prot_tail_first,
			prot.on ? prot.head : 0, prot.on ? prot.tail : 0, prot.on ? prot.tail_first : 0);
	atomic_fetch_add(&cnt[C_IDENT_CHECKS], 1);
	if (strcmp(d.name, opt.name))
		finding("on-disk identity: name '%s', expected '%s'", d.name, opt.name);
	if (ident.known && (strcmp(d.serial, ident.serial) || strcmp(d.wwn, ident.wwn) ||
			    d.partition != ident.partition))
		finding("on-disk identity: serial '%s' wwn '%s' partition %" PRIu64
			", the last identity message said '%s' '%s' %" PRIu64, d.serial, d.wwn,
			d.partition, ident.serial, ident.wwn, ident.partition);
	if (!ident.known) {
		/* after a failed identity: whichever is there from now on */
		snprintf(ident.serial, sizeof(ident.serial), "%s", d.serial);
		snprintf(ident.wwn, sizeof(ident.wwn), "%s", d.wwn);
		ident.partition = d.partition;
		ident.known = true;
	}
	if (d.npending != st.pending)
		finding("on-disk pending list has %zu units, status %" PRIu64, d.npending, st.pending);
	if (d.counters[0] != st.realloc || d.counters[1] != st.autor || d.counters[2] != st.uncorr ||
	    d.counters[3] != st.sperr || d.counters[4] != st.lost)
		finding("on-disk counters %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" (realloc auto uncorrectable spare_errors lost) after a suspend, status %" PRIu64
			" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, d.counters[0], d.counters[1],
			d.counters[2], d.counters[3], d.counters[4], st.realloc, st.autor, st.uncorr,
			st.sperr, st.lost);
out:
	ondisk_free(&d);
	list_free(&l);
}

/*
 * Could DM's rate limit have dropped a line logged after clock @since?
 * Only if 10 device-mapper lines were printed within 5 s, in a window
 * that reaches past the first line read after @since.
 */
static bool ratelimit_possible(u64 since)
{
	const u64 window = 5000000, burst = 10;
	size_t j = 0, i;

	/* the last line read before @since: the kernel time then, at the latest */
	while (j + 1 < ndm && dm_clk[j + 1] <= since)
		j++;
	/* a window that started up to 5 s earlier can still drop messages */
	i = j;
	while (i > 0 && dm_ts[i - 1] + window >= dm_ts[j])
		i--;
	for (; i + burst - 1 < ndm; i++)
		if (dm_ts[i + burst - 1] - dm_ts[i] <= window)
			return true;
	return false;
}

/* Losses seen as zeroes: counted in lost_sectors and logged. */
static void check_losses(const struct rstatus *st)
{
	static u64 distinct;
	size_t i, k;
	const struct lossobs *o;
	bool logged;

	kmsg_drain();
	pthread_mutex_lock(&mlock);
	for (i = 0; i < nlossobs; i++) {
		o = &lossobs[i];
		if (confirmed_loss[o->s] == o->key)
			continue;
		confirmed_loss[o->s] = o->key;
		distinct++;
		atomic_fetch_add(&cnt[C_LOSS_SEEN], 1);
		if (o->transient)
			atomic_fetch_add(&cnt[C_LOSS_TRANSIENT], 1);
		logged = false;
		for (k = 0; k < nklost && !logged; k++)
			logged = klost[k].clk > o->since && klost[k].a <= o->s && o->s <= klost[k].b;
		if (logged) {
			atomic_fetch_add(&cnt[C_LOSS_LOGGED], 1);
		} else if (last_suppressed_clk > o->since || ratelimit_possible(o->since) ||
			   kmsg_fd < 0) {
			atomic_fetch_add(&cnt[C_LOSS_RATELIMITED], 1);
		} else {
			finding("sector %" PRIu64 " reads zeroes (lost while a fault made it unreadable), but no "
				"kernel log line 'sectors A-B unreadable; replaced by zeroes' covers it",
				o->s);
		}
	}
	nlossobs = 0;
	pthread_mutex_unlock(&mlock);
	if (distinct > st->lost)
		finding("%" PRIu64 " distinct lost sectors seen as zeroes, lost_sectors is %" PRIu64,
			distinct, st->lost);
}

/* Everything at a barrier; returns false on a finding. */
static bool barrier_checks(u64 step_start_clk, bool pending_at_start)
{
	struct list l0 = { 0 }, l1 = { 0 };
	struct rstatus s0, s1;
	unsigned int nscanfail = 0, nuncorr = 0;
	bool need_spare_error, fault_in_step, spare_fault_in_step, loss_fault_in_step;
	u64 te;

	phase = "barrier: status";
	kmsg_drain();
	get_status(&s0);
	get_list(&l0);
	phase = "barrier: scan";
	scan(&l0, &nscanfail);
	phase = "barrier: checks";
	get_status(&s1);
	get_list(&l1);
	note_free();
	if (s1.total - s1.used < min_free_seen)
		min_free_seen = s1.total - s1.used;
	te = tick();
	judge_iofails(&l0, &l1, &nuncorr, &need_spare_error);
	fault_in_step = any_fault_during(step_start_clk, te);
	spare_fault_in_step = fault_during(DEV_SPARE, F_ANY, step_start_clk, te, 0, 0, true, -1);
	loss_fault_in_step = fault_during(DEV_MAIN, F_READS, step_start_clk, te, 0, 0, true, -1) ||
			     fault_during(DEV_SPARE, F_READS, step_start_clk, te, 0, 0, true, -1);
	atomic_fetch_add(&cnt[C_STATUS_CHECKS], 1);
	if (s1.ok && prev.ok) {
		if (s1.uncorr - prev.uncorr < nuncorr)
			finding("%u reads failed with a media error in this step, uncorrectable_reads grew by %" PRIu64,
				nuncorr, s1.uncorr - prev.uncorr);
		if (s1.pending > prev.pending && s1.pending - prev.pending > s1.uncorr - prev.uncorr)
			finding("pending_units grew by %" PRIu64 ", uncorrectable_reads by %" PRIu64,
				s1.pending - prev.pending, s1.uncorr - prev.uncorr);
		/*
		 * Each retirement needs a spare error: in this step, or earlier
		 * for a unit that was pending (unreadable) on the spare at its
		 * start and has been written since.
		 */
		if (s1.retired - prev.retired > s1.sperr - prev.sperr + prev.pending)
			finding("%" PRIu64 " spare units retired in this step, with %" PRIu64
				" spare errors and %" PRIu64 " units pending at its start: a spare unit is retired"
				" only for an error on the spare device (auto_remaps +%" PRIu64
				", pending %" PRIu64 " -> %" PRIu64 ")",
				s1.retired - prev.retired, s1.sperr - prev.sperr, prev.pending,
				s1.autor - prev.autor, prev.pending, s1.pending);
		if (s1.sperr > prev.sperr && !spare_fault_in_step)
			finding("spare_errors grew by %" PRIu64 " with no fault on the spare", s1.sperr - prev.sperr);
		if (need_spare_error && s1.sperr == prev.sperr)
			finding("a read failed that only a spare fault explains, but spare_errors did not grow");
		if (s1.lost > prev.lost + zf_lost_step && !loss_fault_in_step)
			finding("lost_sectors grew by %" PRIu64 " with no unreadable fault in the step%s",
				s1.lost - prev.lost,
				zf_lost_step ? fmt(" (zero_fill: %" PRIu64 ")", zf_lost_step) : "");
		if (s1.lost < prev.lost + zf_lost_step && s1.lost >= prev.lost)
			finding("lost_sectors grew by %" PRIu64 ", zero_fill filled %" PRIu64 " sectors",
				s1.lost - prev.lost, zf_lost_step);
		if (s1.autor > prev.autor && !fault_in_step && !pending_at_start)
			finding("auto_remaps grew by %" PRIu64 " with no fault and no pending unit",
				s1.autor - prev.autor);
		if (s1.uncorr > prev.uncorr && !loss_fault_in_step)
			finding("uncorrectable_reads grew by %" PRIu64 " with no unreadable fault",
				s1.uncorr - prev.uncorr);
		if (s1.realloc < prev.realloc || s1.autor < prev.autor || s1.uncorr < prev.uncorr ||
		    s1.sperr < prev.sperr || s1.lost < prev.lost || s1.retired < prev.retired)
			finding("a counter went down");
	}
	{
		const struct list *ls[3] = { &last_list, &l0, &l1 };

		judge_zeros(ls, 3);
	}
	if (s1.ok) {
		check_list_shape(&l1, &s1);
		check_stats(&s1);
		check_losses(&s1);
	}
	check_debugfs(&l1);
	check_protect(&l1);
	zf_lost_step = 0;
	if (!opt.vol && opt.meta_every && cur_step % opt.meta_every == 0 && !atomic_load(&failed))
		check_ondisk();
	kmsg_drain();
	pthread_mutex_lock(&mlock);
	niofails = 0;
	pthread_mutex_unlock(&mlock);
	list_free(&last_list);
	last_list = l1;
	list_free(&l0);
	get_status(&prev);
	(void)nscanfail;
	return !atomic_load(&failed);
}

/* ------------------------------------------------------------------ */

/*
 * Wait for the I/O threads; read the kernel log meanwhile, so that an oops
 * that leaves I/O stuck forever is reported with its step at once.
 */
static void wait_io(void)
{
	struct timespec ts;
	double stuck = 0;
	unsigned int i;

	pthread_mutex_lock(&sc.lock);
	while (sc.ndone < opt.threads) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&sc.done, &sc.lock, &ts);
		if (sc.ndone >= opt.threads)
			break;
		pthread_mutex_unlock(&sc.lock);
		kmsg_drain();
		if (nkcomplaints && !stuck)
			stuck = now();
		if (stuck && now() - stuck > 15) {
			printf("torture: the kernel complained and I/O has been stuck for 15 s since:\n");
			for (i = 0; i < opt.threads; i++)
				if (th[i].cur_op >= 0)
					printf("  io thread %u: %s of sectors %" PRIu64 "+%" PRIu64
					       " waiting for %.0f s\n", i, io_name[th[i].cur_op],
					       th[i].cur_first, th[i].cur_n, now() - th[i].cur_since);
			printf("torture: kernel log complaints:\n");
			print_kernel_complaints();
			report_failure();
			quit(1);
		}
		pthread_mutex_lock(&sc.lock);
	}
	pthread_mutex_unlock(&sc.lock);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: torture --main DEV --spare DEV [--seed S] [--steps N | --seconds T]\n"
		"               [--threads N] [--unit U] [--volatile] [--no-discard]\n"
		"               [--no-faultseq] [--meta-faults]\n"
		"               [--io-per-step N] [--meta-every N] [--hang-timeout S]\n"
		"               [--name NAME] [--remapctl PATH] [--target-len N] [--spare-len N]\n"
		"               [--read-retries N] [--seq-max-times N] [--ops OP,OP,...] [-v | -q]\n");
	exit(2);
}

static u64 num(const char *s)
{
	char *e;
	u64 v;

	errno = 0;
	v = strtoull(s, &e, 0);
	if (errno || *e || !*s)
		usage();
	return v;
}

static void summary(double secs)
{
	unsigned int i;
	struct rstatus s;

	printf("torture: summary: %u steps in %.1f s, seed %" PRIu64 ", %u io threads\n", cur_step,
	       secs, opt.seed, opt.threads);
	printf("torture: operations and faults:\n");
	for (i = 0; i < nops; i++)
		printf("  %-44s %lu\n", ops[i].name, ops[i].n);
	printf("torture: I/O and checks:\n");
	for (i = 0; i < C_NR; i++)
		printf("  %-44s %lu\n", cname[i], atomic_load(&cnt[i]));
	printf("  %-44s %" PRIu64 "\n", "writes and pseudo-writes in the model", next_wid - 1);
	if (get_status(&s))
		printf("torture: final status: remapped %" PRIu64 ", spare %" PRIu64 "/%" PRIu64
		       ", lost %" PRIu64 ", pending %" PRIu64 ", realloc %" PRIu64 ", auto %" PRIu64
		       ", uncorrectable %" PRIu64 ", spare_errors %" PRIu64 ", retired %" PRIu64
		       ", %s\n", s.remapped, s.used, s.total, s.lost, s.pending, s.realloc, s.autor,
		       s.uncorr, s.sperr, s.retired, s.health);
}

static char **saved_argv;
static int saved_argc;

static void report_failure(void)
{
	unsigned int i;
	int a;

	printf("torture: FAIL at step %u, seed %" PRIu64 "\n", cur_step, opt.seed);
	for (i = 0; i < nfindings; i++)
		printf("  %s\n", findings[i]);
	if (findings_dropped)
		printf("  ... and %u more\n", findings_dropped);
	if (nsteplog) {
		printf("torture: the target's kernel log lines in this step:\n");
		for (i = 0; i < nsteplog; i++)
			printf("  %s\n", steplog[i]);
		if (steplog_dropped)
			printf("  ... and %u more\n", steplog_dropped);
	}
	print_steps();
	printf("torture: reproduce (same operations; the interleaving may differ):");
	for (a = 0; a < saved_argc; a++)
		if (strcmp(saved_argv[a], "--seed") && (a == 0 || strcmp(saved_argv[a - 1], "--seed")) &&
		    strcmp(saved_argv[a], "--seconds") && (a == 0 || strcmp(saved_argv[a - 1], "--seconds")) &&
		    strcmp(saved_argv[a], "--steps") && (a == 0 || strcmp(saved_argv[a - 1], "--steps")))
			printf(" %s", saved_argv[a]);
	printf(" --seed %" PRIu64 " --steps %u\n", opt.seed, cur_step);
}

int main(int argc, char **argv)
{
	bool seed_set = false, pending_at_start, ops_set = false;
	pthread_t wd;
	unsigned int i;
	char *t, *what;
	double deadline, tstep;
	u64 step_clk, nf;
	int a, r, op;

	saved_argc = argc;
	saved_argv = argv;
	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "-v")) { opt.verbose++; continue; }
		if (!strcmp(o, "-q")) { opt.verbose = -1; continue; }
		if (!strcmp(o, "--volatile")) { opt.vol = true; continue; }
		if (!strcmp(o, "--no-discard")) { opt.discard = false; continue; }
		if (!strcmp(o, "--no-faultseq")) { use_faultseq = false; continue; }
		if (!strcmp(o, "--meta-faults")) { opt.meta_faults = true; continue; }
		if (!v)
			usage();
		a++;
		if (!strcmp(o, "--seed")) { opt.seed = num(v); seed_set = true; }
		else if (!strcmp(o, "--steps")) opt.steps = (unsigned int)num(v);
		else if (!strcmp(o, "--seconds")) opt.seconds = strtod(v, NULL);
		else if (!strcmp(o, "--threads")) opt.threads = (unsigned int)num(v);
		else if (!strcmp(o, "--main")) opt.main_path = v;
		else if (!strcmp(o, "--spare")) opt.spare_path = v;
		else if (!strcmp(o, "--name")) opt.name = v;
		else if (!strcmp(o, "--remapctl")) opt.remapctl = v;
		else if (!strcmp(o, "--unit")) opt.unit = (unsigned int)num(v);
		else if (!strcmp(o, "--io-per-step")) opt.io_per_step = (unsigned int)num(v);
		else if (!strcmp(o, "--meta-every")) opt.meta_every = (unsigned int)num(v);
		else if (!strcmp(o, "--hang-timeout")) opt.hang_timeout = (unsigned int)num(v);
		else if (!strcmp(o, "--target-len")) opt.target_len0 = num(v);
		else if (!strcmp(o, "--spare-len")) opt.spare_len0 = num(v);
		else if (!strcmp(o, "--read-retries")) opt.read_retries = (unsigned int)num(v);
		else if (!strcmp(o, "--seq-max-times")) opt.seq_max_times = (unsigned int)num(v);
		else if (!strcmp(o, "--ops")) { parse_ops(v); ops_set = true; }
		else usage();
	}
	if (!ops_set)
		for (i = 0; i < OP_NR; i++)
			op_enabled[i] = true;
	if (!opt.main_path || !opt.spare_path || !opt.threads || opt.threads > MAX_THREADS ||
	    !opt.unit || (opt.unit & (opt.unit - 1)) || !opt.io_per_step ||
	    (!opt.steps && opt.seconds <= 0))
		usage();
	if (!seed_set) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt.seed = mix((u64)ts.tv_nsec ^ ((u64)ts.tv_sec << 20) ^ (u64)getpid()) % 1000000000ULL;
	}
	if (!opt.remapctl) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			die("no --remapctl");
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		opt.remapctl = fmt("%s/../tools/remapctl/remapctl", self);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	{
		unsigned char c;
		int pfd[2], st;
		pid_t pid;

		if (pipe(pfd))
			die("pipe: %s", strerror(errno));
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid > 0) {
			close(pfd[1]);
			if (read(pfd[0], &c, 1) == 1)
				return c;
			if (waitpid(pid, &st, 0) < 0)
				return 2;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		close(pfd[0]);
		exit_fd = pfd[1];
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	setenv("DM_DISABLE_UDEV", "1", 0);
	dm_log_with_errno_init(dm_quiet);
	dm_udev_set_sync_support(0);
	crng.s = mix(opt.seed ^ 0xc0ffee);
	snprintf(main_dm, sizeof(main_dm), "%s-m", opt.name);
	snprintf(spare_dm, sizeof(spare_dm), "%s-s", opt.name);
	snprintf(main_q, sizeof(main_q), "%s-mq", opt.name);
	snprintf(spare_q, sizeof(spare_q), "%s-sq", opt.name);
	snprintf(dev_path, sizeof(dev_path), "/dev/mapper/%s", opt.name);
	snprintf(meta_file, sizeof(meta_file), "/tmp/torture-meta.%d", (int)getpid());

	main_sectors = dev_sectors(opt.main_path);
	spare_sectors = dev_sectors(opt.spare_path);
	nlog = main_sectors;
	cur_len = opt.target_len0 ? opt.target_len0 :
		  main_sectors * 3 / 4 / opt.unit * opt.unit + 1 + below(&crng, opt.unit - 1);
	spare_len = opt.spare_len0 ? opt.spare_len0 : spare_sectors / 2 / opt.unit * opt.unit;
	if (cur_len > main_sectors || spare_len > spare_sectors || spare_len < 4ULL * opt.unit)
		die("devices too small");

	/* the devices */
	fill_device(opt.main_path, false);
	fill_device(opt.spare_path, true);
	model_init();
	if (use_faultseq) {
		/* the count-based fault target, if its module is loaded */
		t = fmt("0 %" PRIu64 " faultseq %s 0\n", main_sectors, opt.main_path);
		r = dm_op(DM_DEVICE_CREATE, main_q, t);
		if (!r) {
			t = fmt("0 %" PRIu64 " faultseq %s 0\n", spare_sectors, opt.spare_path);
			r = dm_op(DM_DEVICE_CREATE, spare_q, t);
			if (r)
				die("creating %s: %s", spare_q, strerror(r));
		} else {
			fprintf(stderr, "torture: note: no faultseq target (%s): count-based faults off\n",
				strerror(r));
			use_faultseq = false;
		}
	}
	if ((r = dm_op(DM_DEVICE_CREATE, main_dm, t = dev_table(DEV_MAIN))) ||
	    (r = dm_op(DM_DEVICE_CREATE, spare_dm, t = dev_table(DEV_SPARE))))
		die("creating %s / %s: %s", main_dm, spare_dm, strerror(r));
	t = remap_table(cur_len, spare_len);
	if ((r = dm_op(DM_DEVICE_CREATE, opt.name, t)))
		die("creating %s (%s): %s", opt.name, t, strerror(r));
	if (!dm_devno(opt.name, devno, sizeof(devno)))
		die("no device %s", opt.name);
	kmsg_open();
	if (!opt.vol) {
		struct ondisk d;

		if (dm_op(DM_DEVICE_SUSPEND, opt.name, NULL))
			die("suspend");
		read_ondisk(spare_len < 2048 ? spare_len : 2048, &d);
		if (dm_op(DM_DEVICE_RESUME, opt.name, NULL))
			die("resume");
		if (!d.ok || !d.data_offset)
			die("cannot read the new metadata with %s", opt.remapctl);
		data_offset = d.data_offset;
		if (!parse_uuid(d.uuid, meta_uuid))
			die("no uuid in the metadata ('%s')", d.uuid);
		ondisk_free(&d);
	}
	if (!get_status(&prev))
		die("no status");
	printf("torture: seed %" PRIu64 ", %u io threads, target %" PRIu64 " sectors of main %" PRIu64
	       ", spare_len %" PRIu64 " of %" PRIu64 " (%" PRIu64 " units), unit %u, %s, "
	       "discards/write-zeroes %s, %s %g\n", opt.seed, opt.threads, cur_len, main_sectors,
	       spare_len, spare_sectors, prev.total, opt.unit,
	       opt.vol ? "volatile" : fmt("persistent (metadata %" PRIu64 " sectors)", data_offset),
	       opt.discard ? "on" : "off", opt.steps ? "steps" : "seconds",
	       opt.steps ? (double)opt.steps : opt.seconds);
	sc.focus = below(&crng, cur_len);
	sc.focus_n = opt.unit;

	for (i = 0; i < opt.threads; i++) {
		th[i].id = (int)i;
		th[i].rng.s = mix(opt.seed * 1000003ULL + i + 1);
		th[i].cur_op = -1;
		th[i].snap_off = xmalloc((MAX_IO_SECTORS + 1) * sizeof(u32));
		if (posix_memalign((void **)&th[i].buf, 4096, MAX_IO_SECTORS * SECTOR))
			die("out of memory");
		if (pthread_create(&th[i].t, NULL, io_thread, &th[i]))
			die("pthread_create");
	}
	if (pthread_create(&wd, NULL, watchdog, NULL))
		die("pthread_create");

	t0 = now();
	deadline = t0 + opt.seconds;
	for (cur_step = 1; !atomic_load(&failed); cur_step++) {
		if (opt.steps ? cur_step > opt.steps : now() >= deadline)
			break;
		tstep = now();
		steplog_reset();
		op = pick_op();
		/* the I/O of this step */
		pthread_mutex_lock(&sc.lock);
		sc.hot = chance(&crng, 55);
		sc.len = cur_len;
		sc.ndone = 0;
		pthread_mutex_unlock(&sc.lock);
		step_clk = tick();
		step_clk0 = step_clk;
		if (op == OP_RECREATE) {
			/* needs the device closed: before the I/O */
			phase = "recreate";
			what = op_recreate();
		} else {
			what = NULL;
		}
		pending_at_start = prev.pending > 0;
		min_free_seen = prev.total - prev.used;
		pthread_mutex_lock(&sc.lock);
		sc.gen++;
		pthread_cond_broadcast(&sc.go);
		pthread_mutex_unlock(&sc.lock);
		phase = "operation";
		step_note("%s%s:", sc.hot ? fmt("[hot %" PRIu64 "+%" PRIu64 "] ", sc.focus, sc.focus_n) : "",
			  op_label[op]);
		if (op != OP_RECREATE) {
			usleep((useconds_t)below(&crng, 30000));
			what = run_op(op);
		}
		steps[cur_step] = fmt("%s %s", steps[cur_step], what);
		if (opt.verbose >= 0)
			printf("step %u (%.1f s): %s\n", cur_step, now() - t0, steps[cur_step]);
		atomic_fetch_add(&progress, 1);
		phase = "waiting for the io threads";
		wait_io();
		if (!barrier_checks(step_clk, pending_at_start))
			break;
		if (opt.verbose > 0)
			printf("  step %u checked in %.2f s: status %" PRIu64 " remapped, %" PRIu64 "/%" PRIu64
			       " spare, pending %" PRIu64 ", auto %" PRIu64 ", lost %" PRIu64 ", retired %"
			       PRIu64 "\n", cur_step, now() - tstep, prev.remapped, prev.used, prev.total,
			       prev.pending, prev.autor, prev.lost, prev.retired);
	}
	if (!atomic_load(&failed)) {
		/* the end: heal everything, then every sector must read */
		cur_step = cur_step > 1 ? cur_step - 1 : 1;
		cur_step++;
		phase = "final";
		nf = active_faults(DEV_MAIN) + active_faults(DEV_SPARE);
		step_note("final: heal all faults (%" PRIu64 ")%s, check", nf,
			  opt.vol ? "" : ", remove and create from the metadata");
		free(op_heal(DEV_MAIN, true));
		free(op_heal(DEV_SPARE, true));
		if (use_faultseq) {
			free(op_seq_clear(DEV_MAIN));
			free(op_seq_clear(DEV_SPARE));
		}
		if (!opt.vol)
			free(op_recreate());
		step_clk = tick();
		min_free_seen = prev.total - prev.used;
		barrier_checks(step_clk, prev.pending > 0);
	}
	pthread_mutex_lock(&sc.lock);
	sc.stop = true;
	pthread_cond_broadcast(&sc.go);
	pthread_mutex_unlock(&sc.lock);
	for (i = 0; i < opt.threads; i++)
		pthread_join(th[i].t, NULL);
	summary(now() - t0);
	unlink(meta_file);
	if (atomic_load(&failed)) {
		report_failure();
		r = 1;
	} else {
		printf("torture: PASS, seed %" PRIu64 "\n", opt.seed);
		r = 0;
	}
	/* leave the devices for inspection on failure; the caller removes them */
	if (!r) {
		dm_op(DM_DEVICE_REMOVE, opt.name, NULL);
		dm_op(DM_DEVICE_REMOVE, main_dm, NULL);
		dm_op(DM_DEVICE_REMOVE, spare_dm, NULL);
		if (use_faultseq) {
			dm_op(DM_DEVICE_REMOVE, main_q, NULL);
			dm_op(DM_DEVICE_REMOVE, spare_q, NULL);
		}
	}
	quit(r);
}
