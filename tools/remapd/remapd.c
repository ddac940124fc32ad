// SPDX-License-Identifier: GPL-2.0-only
/*
 * remapd - the dm-remap monitoring daemon (remapd(8)).
 *
 * Finds every device-mapper device whose table is one "remap" target,
 * waits for their table events without polling (DM_DEV_ARM_POLL on its
 * own /dev/mapper/control descriptor: the kernel marks it readable when
 * any device raises an event or is created, removed, renamed or given a
 * table), reads their status with no-flush through libdevmapper (never
 * opening a mapped device), and turns counter and state changes into
 * named events (events.c): a log line each, a program run for chosen
 * events (conf.c), a Prometheus textfile, an optional /metrics listener,
 * and a state file so that a restart does not repeat what was said.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>
#include <libdevmapper.h>

#include "remapd.h"
#include "waitevent.h"

#define RD_VERSION "1.0"
#define DEFAULT_CONF "/etc/remapd.conf"
#define DEFAULT_STATE_DIR "/var/lib/remapd"
#define TEXTFILE_NAME "dmremap.prom"
#define SECTORS_MAX 256		/* bytes of sector ranges kept per kind */
#define QUEUE_MAX 4096		/* program runs waiting for a slot */
#define KILL_GRACE 5		/* seconds between SIGTERM and SIGKILL */
#define HTTP_MAX_CLIENTS 8
#define WRITE_INTERVAL 0.5	/* seconds between textfile/state rewrites */
#define SCRUB_RETRY 300		/* seconds after a refused scrub message */
#define WAITEVENT_RESCAN 10	/* seconds between scans with --wait-event */
/*
 * Seconds after start before a device of the state file that is not
 * there is announced as removed (startup_grace, default 60): at boot
 * remapd may start before udev and dm-remap@.service have assembled the
 * devices it knew.
 */
#define STARTUP_GRACE g.conf.startup_grace

/* Exit statuses. */
#define EXIT_UNHEALTHY 1
#define EXIT_TROUBLE 2

/* Kinds of kernel log lines that name sectors (see read_kmsg()). */
enum { KS_REMAPPED, KS_PENDING, KS_LOST, KS_RETIRED, KS_SCRUB, KS_NR };

/* What the scrub schedule knows of a device (rd_scrub_due()). */
struct scrub_sched {
	time_t last_end;	/* latest pass end (or cancel) remapd knows */
	bool ours;		/* the running/paused scrub: remapd started it */
	bool paused_by_us;	/* remapd paused it at its window's end */
	time_t refused;		/* when the target last refused a message */
};

struct dev {
	dev_t devno;
	char name[DM_NAME_LEN];
	char uuid[DM_UUID_LEN];
	uint32_t event_nr;
	bool is_remap;		/* one remap target */
	bool recheck;		/* no live table when last looked at */
	bool seen;		/* in the latest device list */
	bool have_st;
	struct remap_status st;
	uint64_t cond;		/* conditions announced */
	time_t cond_last[RD_NR_EVENTS];
	unsigned int cond_n[RD_NR_EVENTS];
	struct rd_settings cf;
	char sectors[KS_NR][SECTORS_MAX];
	struct scrub_sched sc;
};

struct job {
	char **env;
	char *program;
	char *event, *device;
	pid_t pid;
	int64_t deadline;	/* CLOCK_MONOTONIC, milliseconds */
	unsigned int timeout;
	bool termed;
	struct job *next;
};

/* A device remembered in the state file. */
struct saved {
	char uuid[DM_UUID_LEN];
	char name[DM_NAME_LEN];
	bool present;
	uint64_t cond;
	struct remap_status st;
	time_t cond_last[RD_NR_EVENTS];
	unsigned int cond_n[RD_NR_EVENTS];
	struct scrub_sched sc;
	bool used;
};

struct http_client {
	int fd;
	time_t deadline;
	size_t len;
	char buf[1024];
};

static struct {
	bool foreground, oneshot, test, verbose;
	bool waitevent;		/* DM_DEVICE_WAITEVENT threads, no ARM_POLL */
	int wake_fd;		/* their pipe, with waitevent */
	const char *conf_file;
	bool conf_given;
	const char *state_dir;
	char *textfile_dir;
	const char *listen;
	struct rd_conf conf;

	struct dev *devs;
	size_t ndevs, cap;

	int ctl_fd;		/* our /dev/mapper/control, armed */
	int sig_fd;
	int kmsg_fd;
	int listen_fd;
	struct http_client http[HTTP_MAX_CLIENTS];

	struct job *queue, *queue_tail, *running;
	unsigned int nqueued, nrunning;

	struct saved *saved;
	size_t nsaved;
	bool state_dirty, metrics_dirty;
	unsigned long events_total, scans;
} g = {
	.ctl_fd = -1, .sig_fd = -1, .kmsg_fd = -1, .listen_fd = -1,
	.wake_fd = -1,
};

/* ---- logging ---- */

static void rd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void rd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (g.foreground || g.oneshot || g.test) {
		struct timespec ts;
		struct tm tm;
		char tb[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(tb, sizeof(tb), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld remapd: ", tb, ts.tv_nsec / 1000000);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

/* libdevmapper's own messages: only with --verbose. */
static void rd_dm_log(int level, const char *file, int line, int dm_errno,
		      const char *f, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if (!g.verbose || level > 3)
		return;
	va_start(ap, f);
	fprintf(stderr, "remapd: libdevmapper: ");
	vfprintf(stderr, f, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
		   (struct sockaddr *)&sa, len) < 0 && g.verbose)
		rd_log(LOG_DEBUG, "sd_notify: %s", strerror(errno));
	close(fd);
}

/* ---- formatting ---- */

static const char *word(enum remap_field f, uint64_t v)
{
	const char *w = remap_field_word(f, v);

	return w ? w : "unknown";
}

/* "k=v k=v ..." of every field present. */
static void format_counters(const struct remap_status *s, char *buf,
			    size_t len)
{
	size_t n = 0;
	int f, r;

	buf[0] = '\0';
	for (f = 0; f < REMAP_NR_FIELDS && n < len; f++) {
		if (!s->have[f])
			continue;
		if (remap_fields[f].word)
			r = snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "",
				     remap_fields[f].key,
				     word((enum remap_field)f, s->v[f]));
		else
			r = snprintf(buf + n, len - n, "%s%s=%llu",
				     n ? " " : "", remap_fields[f].key,
				     (unsigned long long)s->v[f]);
		if (r < 0)
			break;
		n += (size_t)r;
	}
}

static const char *event_what(enum rd_event e)
{
	switch (e) {
	case RD_EV_REMAP:
		return "units remapped by request";
	case RD_EV_AUTO_REMAP:
		return "units remapped after an I/O error";
	case RD_EV_PENDING:
		return "units unreadable, pending until written";
	case RD_EV_UNCORRECTABLE_READ:
		return "reads failed after every retry";
	case RD_EV_LOST_SECTORS:
		return "sectors replaced by zeroes";
	case RD_EV_SPARE_ERROR:
		return "I/O errors on the spare device";
	case RD_EV_SPARE_WARNING:
		return "percent of the spare pool used (warning)";
	case RD_EV_SPARE_CRITICAL:
		return "percent of the spare pool used (critical)";
	case RD_EV_SPARE_EXHAUSTED:
		return "spare units free: the pool is exhausted, I/O errors pass up";
	case RD_EV_METADATA_FAILED:
		return "units in doubt: a metadata commit failed, the table is read-only";
	case RD_EV_SCRUB_STARTED:
		return "sectors to scrub: a scrub pass started";
	case RD_EV_SCRUB_FOUND:
		return "units found failing or slow by the scrubber";
	case RD_EV_SCRUB_FINISHED:
		return "scrub passes finished";
	case RD_EV_DEVICE_ADDED:
		return "remap device found";
	case RD_EV_DEVICE_REMOVED:
		return "remap device gone";
	case RD_EV_TEST:
		return "test event (remapd --test)";
	case RD_NR_EVENTS:
		break;
	}
	return "";
}

/* Which kernel log kind gives an event its sectors. */
static int event_kind(enum rd_event e)
{
	switch (e) {
	case RD_EV_AUTO_REMAP:
		return KS_REMAPPED;
	case RD_EV_PENDING:
	case RD_EV_UNCORRECTABLE_READ:
		return KS_PENDING;
	case RD_EV_LOST_SECTORS:
		return KS_LOST;
	case RD_EV_SCRUB_FOUND:
		return KS_SCRUB;
	default:
		return -1;
	}
}

/* ---- programs ---- */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void job_free(struct job *j)
{
	char **e;

	if (j->env)
		for (e = j->env; *e; e++)
			free(*e);
	free(j->env);
	free(j->program);
	free(j->event);
	free(j->device);
	free(j);
}

static int env_add(char ***env, size_t *n, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int env_add(char ***env, size_t *n, const char *k, const char *fmt, ...)
{
	char **e, *v, *kv;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = asprintf(&kv, "%s=%s", k, v);
	free(v);
	if (r < 0)
		return -1;
	e = realloc(*env, (*n + 2) * sizeof(*e));
	if (!e) {
		free(kv);
		return -1;
	}
	*env = e;
	e[(*n)++] = kv;
	e[*n] = NULL;
	return 0;
}

static void job_start(struct job *j)
{
	sigset_t all;
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0) {
		rd_log(LOG_ERR, "program %s for %s %s: fork: %s", j->program,
		       j->event, j->device, strerror(errno));
		job_free(j);
		return;
	}
	if (!pid) {
		/* remapd blocks and ignores signals; the program gets none of it. */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		setsid();
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != STDIN_FILENO) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		closefrom(3);
		execle(j->program, j->program, j->event, j->device,
		       (char *)NULL, j->env);
		fprintf(stderr, "remapd: cannot run %s: %s\n", j->program,
			strerror(errno));
		_exit(127);
	}
	j->pid = pid;
	j->deadline = mono_ms() + (int64_t)j->timeout * 1000;
	j->next = g.running;
	g.running = j;
	g.nrunning++;
}

static void jobs_start(void)
{
	struct job *j;

	while (g.queue && g.nrunning < g.conf.max_programs) {
		j = g.queue;
		g.queue = j->next;
		if (!g.queue)
			g.queue_tail = NULL;
		g.nqueued--;
		job_start(j);
	}
}

static void job_queue(struct job *j)
{
	if (g.nqueued >= QUEUE_MAX) {
		rd_log(LOG_ERR, "program queue full (%u waiting): not running %s for %s %s",
		       g.nqueued, j->program, j->event, j->device);
		job_free(j);
		return;
	}
	j->next = NULL;
	if (g.queue_tail)
		g.queue_tail->next = j;
	else
		g.queue = j;
	g.queue_tail = j;
	g.nqueued++;
	jobs_start();
}

/* Reap finished programs; returns how many failed. */
static unsigned int jobs_reap(void)
{
	struct job **pp, *j;
	unsigned int failed = 0;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		j = NULL;
		for (pp = &g.running; *pp; pp = &(*pp)->next) {
			if ((*pp)->pid == pid) {
				j = *pp;
				break;
			}
		}
		if (!j)
			continue;
		*pp = j->next;
		g.nrunning--;
		if (WIFEXITED(status) && WEXITSTATUS(status)) {
			rd_log(LOG_WARNING, "program %s for %s %s exited with status %d",
			       j->program, j->event, j->device,
			       WEXITSTATUS(status));
			failed++;
		} else if (WIFSIGNALED(status)) {
			rd_log(LOG_WARNING, "program %s for %s %s %s by signal %d",
			       j->program, j->event, j->device,
			       j->termed ? "timed out, killed" : "killed",
			       WTERMSIG(status));
			failed++;
		}
		job_free(j);
	}
	jobs_start();
	return failed;
}

/* Programs past their timeout: SIGTERM to the group, later SIGKILL. */
static void jobs_timeouts(int64_t now)
{
	struct job *j;

	for (j = g.running; j; j = j->next) {
		if (now < j->deadline)
			continue;
		if (!j->termed) {
			rd_log(LOG_WARNING, "program %s for %s %s: timeout after %u s, terminating it",
			       j->program, j->event, j->device, j->timeout);
			kill(-j->pid, SIGTERM);
			j->termed = true;
			j->deadline = now + KILL_GRACE * 1000;
		} else {
			kill(-j->pid, SIGKILL);
			j->deadline = now + KILL_GRACE * 1000;
		}
	}
}

static void run_program(const struct dev *d, const struct rd_settings *cf,
			enum rd_event e, uint64_t count, const char *sectors,
			unsigned int reminder, const char *line)
{
	char **env = NULL, key[64];
	struct job *j;
	size_t n = 0;
	int f, bad = 0;

	if (!cf->program || !(cf->events & RD_EVENT_BIT(e)))
		return;
	j = calloc(1, sizeof(*j));
	if (!j)
		goto oom;
	bad |= env_add(&env, &n, "PATH", "%s", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	bad |= env_add(&env, &n, "REMAPD_EVENT", "%s", rd_event_names[e]);
	bad |= env_add(&env, &n, "REMAPD_DEVICE", "%s", d->name);
	bad |= env_add(&env, &n, "REMAPD_UUID", "%s", d->uuid);
	bad |= env_add(&env, &n, "REMAPD_DEVNO", "%u:%u", major(d->devno),
		       minor(d->devno));
	bad |= env_add(&env, &n, "REMAPD_COUNT", "%llu",
		       (unsigned long long)count);
	bad |= env_add(&env, &n, "REMAPD_REMINDER", "%u", reminder);
	bad |= env_add(&env, &n, "REMAPD_TIME", "%lld", (long long)time(NULL));
	bad |= env_add(&env, &n, "REMAPD_MESSAGE", "%s", line);
	if (sectors && *sectors)
		bad |= env_add(&env, &n, "REMAPD_SECTORS", "%s", sectors);
	if (d->have_st) {
		bad |= env_add(&env, &n, "REMAPD_SPARE_PERCENT", "%u",
			       rd_spare_pct(&d->st));
		for (f = 0; f < REMAP_NR_FIELDS; f++) {
			const char *k = remap_fields[f].key;
			size_t i;

			if (!d->st.have[f])
				continue;
			for (i = 0; i < sizeof(key) - 8 && k[i]; i++)
				key[i] = (char)toupper((unsigned char)k[i]);
			key[i] = '\0';
			{
				char full[80];

				snprintf(full, sizeof(full), "REMAPD_%s", key);
				if (remap_fields[f].word)
					bad |= env_add(&env, &n, full, "%s",
						       word((enum remap_field)f,
							    d->st.v[f]));
				else
					bad |= env_add(&env, &n, full, "%llu",
						       (unsigned long long)d->st.v[f]);
			}
		}
	}
	j->env = env;
	j->timeout = cf->program_timeout;
	j->program = strdup(cf->program);
	j->event = strdup(rd_event_names[e]);
	j->device = strdup(d->name);
	if (bad || !j->program || !j->event || !j->device) {
		job_free(j);
		goto oom;
	}
	job_queue(j);
	return;
oom:
	rd_log(LOG_ERR, "out of memory: not running %s for %s", cf->program,
	       rd_event_names[e]);
}

/* ---- events ---- */

static void emit(struct dev *d, enum rd_event e, uint64_t count,
		 unsigned int reminder)
{
	char counters[768], line[1400];
	const char *sectors = NULL;
	int k = event_kind(e);

	if (d->cf.ignore)
		return;
	if (k >= 0 && d->sectors[k][0])
		sectors = d->sectors[k];
	format_counters(&d->st, counters, sizeof(counters));
	snprintf(line, sizeof(line),
		 "%s%s: device %s uuid %s: %llu %s%s%s%s [%s]",
		 rd_event_names[e], reminder ? " (reminder)" : "", d->name,
		 d->uuid[0] ? d->uuid : "-", (unsigned long long)count,
		 event_what(e), sectors ? "; sectors " : "",
		 sectors ? sectors : "",
		 sectors && strlen(sectors) >= SECTORS_MAX - 8 ?
		 " (more in the kernel log)" : "",
		 counters);
	rd_log(e == RD_EV_DEVICE_ADDED || e == RD_EV_DEVICE_REMOVED ||
	       e == RD_EV_REMAP || e == RD_EV_TEST ||
	       e == RD_EV_SCRUB_STARTED || e == RD_EV_SCRUB_FINISHED ?
	       LOG_NOTICE :
	       e == RD_EV_SPARE_CRITICAL || e == RD_EV_SPARE_EXHAUSTED ||
	       e == RD_EV_METADATA_FAILED ? LOG_CRIT :
	       e == RD_EV_LOST_SECTORS || e == RD_EV_UNCORRECTABLE_READ ?
	       LOG_ERR : LOG_WARNING, "%s", line);
	run_program(d, &d->cf, e, count, sectors, reminder, line);
	g.events_total++;
	if (rd_event_is_condition[e]) {
		d->cond_last[e] = time(NULL);
		d->cond_n[e] = reminder + 1;
	}
	g.state_dirty = true;
}

/* Announce the changes from @old (conditions @old_cond) to d->st. */
static void announce(struct dev *d, const struct remap_status *old,
		     uint64_t old_cond)
{
	struct rd_ev ev[RD_NR_EVENTS];
	uint64_t cond = rd_conditions(&d->st, &d->cf);
	size_t i, n;

	n = rd_diff(old, &d->st, old_cond, &d->cf, ev);
	for (i = 0; i < n; i++)
		emit(d, ev[i].e, ev[i].count, 0);
	if (cond != d->cond)
		g.state_dirty = true;
	d->cond = cond;
	memset(d->sectors, 0, sizeof(d->sectors));
}

/* ---- state file ---- */

static char *state_path(const char *suffix)
{
	char *p;

	if (asprintf(&p, "%s/state%s", g.state_dir, suffix) < 0)
		return NULL;
	return p;
}

/*
 * One line a device, every value named, so that a remapd with more (or
 * fewer) fields or events reads the file of another version:
 *   dev <uuid|-> <name> <present> [cond=<event>,...] [f.<field>=<n> ...]
 *       [e.<event>=<times>:<last>] [scrub=<last_end>:<ours>:<paused_by_us>]
 * A state file of remapd 1.2.0 (numbers by position) is not read: its
 * devices are new again (their conditions announced once more).
 */
static int state_token(struct saved *s, const char *t, size_t len)
{
	const char *eq = memchr(t, '=', len), *v;
	unsigned long long a, b, c;
	size_t kl, vl;
	char val[64];
	int i;

	if (!eq)
		return -1;
	kl = (size_t)(eq - t);
	v = eq + 1;
	vl = len - kl - 1;
	if (vl >= sizeof(val))
		return -1;
	memcpy(val, v, vl);
	val[vl] = '\0';
	if (kl == 4 && !memcmp(t, "cond", 4)) {
		const char *p = val, *e;

		while (*p) {
			e = p + strcspn(p, ",");
			i = rd_event_by_name(p, (size_t)(e - p));
			if (i >= 0)
				s->cond |= RD_EVENT_BIT(i);
			p = *e ? e + 1 : e;
		}
		return 0;
	}
	if (kl > 2 && !memcmp(t, "f.", 2)) {
		i = remap_field_by_key(t + 2, kl - 2);
		if (i >= 0 && sscanf(val, "%llu", &a) == 1) {
			s->st.v[i] = a;
			s->st.have[i] = true;
		}
		return 0;
	}
	if (kl > 2 && !memcmp(t, "e.", 2)) {
		i = rd_event_by_name(t + 2, kl - 2);
		if (i >= 0 && sscanf(val, "%llu:%llu", &a, &b) == 2) {
			s->cond_n[i] = (unsigned int)a;
			s->cond_last[i] = (time_t)b;
		}
		return 0;
	}
	if (kl == 5 && !memcmp(t, "scrub", 5)) {
		if (sscanf(val, "%llu:%llu:%llu", &a, &b, &c) != 3)
			return -1;
		s->sc.last_end = (time_t)a;
		s->sc.ours = b;
		s->sc.paused_by_us = c;
		return 0;
	}
	return 0;	/* a key of a later version */
}

static void state_load(void)
{
	char *path = state_path(""), *line = NULL, *p;
	struct saved *s;
	size_t cap = 0, len;
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			rd_log(LOG_WARNING, "%s: %s", path, strerror(errno));
		free(path);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		char uuid[DM_UUID_LEN], name[DM_NAME_LEN];
		int present, off;

		if (strncmp(line, "dev ", 4))
			continue;
		if (sscanf(line, "dev %128s %127s %d%n", uuid, name, &present,
			   &off) != 3)
			goto bad;
		s = realloc(g.saved, (g.nsaved + 1) * sizeof(*s));
		if (!s)
			break;
		g.saved = s;
		s = &g.saved[g.nsaved];
		memset(s, 0, sizeof(*s));
		snprintf(s->uuid, sizeof(s->uuid), "%s",
			 strcmp(uuid, "-") ? uuid : "");
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->present = present;
		for (p = line + off;; p += len) {
			p += strspn(p, " \t\n");
			len = strcspn(p, " \t\n");
			if (!len)
				break;
			if (state_token(s, p, len))
				goto bad;
		}
		g.nsaved++;
		continue;
bad:
		rd_log(LOG_WARNING, "%s: ignoring a malformed line (or one of remapd 1.2.0)",
		       path);
	}
	free(line);
	fclose(f);
	free(path);
}

static struct saved *saved_find(const char *uuid, const char *name)
{
	size_t i;

	for (i = 0; i < g.nsaved; i++) {
		if (g.saved[i].used)
			continue;
		if (uuid[0] ? !strcmp(g.saved[i].uuid, uuid) :
		    !g.saved[i].uuid[0] && !strcmp(g.saved[i].name, name))
			return &g.saved[i];
	}
	return NULL;
}

static void state_line(FILE *f, const char *uuid, const char *name,
		       bool present, uint64_t cond,
		       const struct remap_status *st,
		       const unsigned int *cn, const time_t *cl,
		       const struct scrub_sched *sc)
{
	const char *sep = " cond=";
	int i;

	fprintf(f, "dev %s %s %d", uuid[0] ? uuid : "-", name, present);
	for (i = 0; i < RD_NR_EVENTS; i++) {
		if (!(cond & RD_EVENT_BIT(i)))
			continue;
		fprintf(f, "%s%s", sep, rd_event_names[i]);
		sep = ",";
	}
	for (i = 0; i < REMAP_NR_FIELDS; i++)
		if (st->have[i])
			fprintf(f, " f.%s=%llu", remap_fields[i].key,
				(unsigned long long)st->v[i]);
	for (i = 0; i < RD_NR_EVENTS; i++)
		if (cn[i] || cl[i])
			fprintf(f, " e.%s=%u:%lld", rd_event_names[i], cn[i],
				(long long)cl[i]);
	if (sc->last_end || sc->ours)
		fprintf(f, " scrub=%lld:%d:%d", (long long)sc->last_end,
			sc->ours, sc->paused_by_us);
	fputc('\n', f);
}

static void state_save(void)
{
	char *path, *tmp;
	size_t i;
	FILE *f;

	if (!g.state_dirty || g.oneshot || g.test)
		return;
	g.state_dirty = false;
	path = state_path("");
	tmp = state_path(".tmp");
	if (!path || !tmp)
		goto out;
	f = fopen(tmp, "w");
	if (!f) {
		rd_log(LOG_ERR, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fprintf(f, "# remapd state: what was announced; do not edit\n");
	for (i = 0; i < g.ndevs; i++) {
		struct dev *d = &g.devs[i];

		if (!d->is_remap || !d->have_st)
			continue;
		state_line(f, d->uuid, d->name, true, d->cond, &d->st,
			   d->cond_n, d->cond_last, &d->sc);
	}
	/* Devices seen before and gone now: remembered as absent. */
	for (i = 0; i < g.nsaved; i++)
		if (!g.saved[i].used)
			state_line(f, g.saved[i].uuid, g.saved[i].name, false,
				   g.saved[i].cond, &g.saved[i].st,
				   g.saved[i].cond_n, g.saved[i].cond_last,
				   &g.saved[i].sc);
	if (fflush(f) || fsync(fileno(f)) || ferror(f)) {
		rd_log(LOG_ERR, "%s: write error: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path))
		rd_log(LOG_ERR, "rename %s: %s", tmp, strerror(errno));
out:
	free(path);
	free(tmp);
}

/* ---- metrics ---- */

/* A name ending in _total is a counter, any other a gauge (OpenMetrics). */
struct metric {
	const char *name;
	int field;		/* -1 .. -5: special */
	/*
	 * A special metric's help; a field's help is its description in
	 * core's table (remap_fields[].desc), then this.
	 */
	const char *help;
};

static const struct metric metrics[] = {
	{ "dmremap_info", -1,
	  "dm-remap device: 1, labels name it and its settings" },
	{ "dmremap_remapped_units", REMAP_F_REMAPPED_UNITS, "" },
	{ "dmremap_spare_units", REMAP_F_SPARE_UNITS, "" },
	{ "dmremap_spare_used_units", REMAP_F_SPARE_USED, "" },
	{ "dmremap_retired_spare_units", REMAP_F_RETIRED_UNITS, "" },
	{ "dmremap_pending_units", REMAP_F_PENDING_UNITS, " (SMART 197)" },
	{ "dmremap_doubt_units", REMAP_F_DOUBT_UNITS, "" },
	{ "dmremap_auto_remaps_total", REMAP_F_AUTO_REMAPS, "" },
	{ "dmremap_reallocation_events_total", REMAP_F_REALLOCATION_EVENTS, " (SMART 196)" },
	{ "dmremap_uncorrectable_reads_total", REMAP_F_UNCORRECTABLE_READS, " (SMART 198)" },
	{ "dmremap_spare_errors_total", REMAP_F_SPARE_ERRORS, "" },
	{ "dmremap_lost_sectors_total", REMAP_F_LOST_SECTORS, "" },
	{ "dmremap_metadata_ok", -2,
	  "1 when the metadata is ok or volatile, 0 when it failed" },
	{ "dmremap_spare_exhausted", -3,
	  "1 when the spare pool is exhausted" },
	{ "dmremap_scrub_state", -4,
	  "1 for the scrubber's state (label state: idle, running, paused)" },
	{ "dmremap_scrub_progress_ratio", -5,
	  "Part of the current or last scrub pass done, 0 to 1" },
	{ "dmremap_scrub_last_pass_end_timestamp_seconds", REMAP_F_SCRUB_LAST_PASS_END, "" },
	{ "dmremap_scrub_passes_total", REMAP_F_SCRUB_PASSES, "" },
	{ "dmremap_scrub_read_errors_total", REMAP_F_SCRUB_READ_ERRORS, "" },
	{ "dmremap_scrub_relocated_units_total", REMAP_F_SCRUB_RELOCATED, "" },
	{ "dmremap_scrub_weak_units_total", REMAP_F_SCRUB_WEAK, "" },
	{ "dmremap_scrub_pending_units_total", REMAP_F_SCRUB_PENDING, "" },
};

static const char *metric_type(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && !strcmp(name + n - 6, "_total") ? "counter" : "gauge";
}

/* Part of the current (or last) scrub pass done, 0 to 1. */
static double scrub_ratio(const struct remap_status *st)
{
	uint64_t total, done = remap_scrub_done(st, &total);

	return total ? (double)done / (double)total : 0;
}

static void put_label(char **buf, size_t *len, size_t *n, const char *v)
{
	for (; *v; v++) {
		const char *esc = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" :
				  *v == '\n' ? "\\n" : NULL;
		size_t need = esc ? 2 : 1;

		if (*n + need + 1 >= *len) {
			size_t nl = *len * 2;
			char *b = realloc(*buf, nl);

			if (!b)
				return;
			*buf = b;
			*len = nl;
		}
		if (esc) {
			memcpy(*buf + *n, esc, 2);
		} else {
			(*buf)[*n] = *v;
		}
		*n += need;
	}
	(*buf)[*n] = '\0';
}

static void put(char **buf, size_t *len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char **buf, size_t *len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	for (;;) {
		va_start(ap, fmt);
		r = vsnprintf(*buf + *n, *len - *n, fmt, ap);
		va_end(ap);
		if (r < 0)
			return;
		if ((size_t)r < *len - *n) {
			*n += (size_t)r;
			return;
		}
		{
			size_t nl = *len * 2 + (size_t)r;
			char *b = realloc(*buf, nl);

			if (!b)
				return;
			*buf = b;
			*len = nl;
		}
	}
}

/* The Prometheus text exposition of every device; malloc'd. */
/* The labels every series of a device starts with. */
static void put_dev_labels(char **buf, size_t *len, size_t *n,
			   const char *metric, const struct dev *d)
{
	put(buf, len, n, "%s{device=\"", metric);
	put_label(buf, len, n, d->name);
	put(buf, len, n, "\",uuid=\"");
	put_label(buf, len, n, d->uuid);
	put(buf, len, n, "\"");
}

static char *metrics_text(size_t *out_len)
{
	size_t len = 4096, n = 0, m, i;
	char *buf = malloc(len);

	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
		const struct metric *mt = &metrics[m];
		const char *desc = mt->field >= 0 ?
				   remap_fields[mt->field].desc : "";

		put(&buf, &len, &n, "# HELP %s ", mt->name);
		if (*desc)
			put(&buf, &len, &n, "%c%s", toupper((unsigned char)*desc),
			    desc + 1);
		put(&buf, &len, &n, "%s\n# TYPE %s %s\n", mt->help, mt->name,
		    metric_type(mt->name));
		for (i = 0; i < g.ndevs; i++) {
			const struct dev *d = &g.devs[i];
			uint64_t v;

			if (!d->is_remap || !d->have_st || d->cf.ignore)
				continue;
			if (metrics[m].field >= 0 && !d->st.have[metrics[m].field])
				continue;
			if (metrics[m].field <= -4 &&
			    !d->st.have[REMAP_F_SCRUB_START])
				continue;
			if (metrics[m].field == -4) {
				static const uint64_t states[] = {
					REMAP_W_SCRUB_IDLE,
					REMAP_W_SCRUB_RUNNING,
					REMAP_W_SCRUB_PAUSED,
				};
				size_t k;

				for (k = 0; k < 3; k++) {
					put_dev_labels(&buf, &len, &n,
						       metrics[m].name, d);
					put(&buf, &len, &n, ",state=\"%s\"} %d\n",
					    word(REMAP_F_SCRUB_STATE, states[k]),
					    d->st.v[REMAP_F_SCRUB_STATE] ==
					    states[k]);
				}
				continue;
			}
			put_dev_labels(&buf, &len, &n, metrics[m].name, d);
			if (metrics[m].field == -5) {
				put(&buf, &len, &n, "} %.6f\n",
				    scrub_ratio(&d->st));
				continue;
			}
			if (metrics[m].field == -1) {
				put(&buf, &len, &n,
				    ",devno=\"%u:%u\",unit_sectors=\"%llu\",metadata=\"%s\",auto_remap=\"%s\"",
				    major(d->devno), minor(d->devno),
				    (unsigned long long)d->st.v[REMAP_F_UNIT_SECTORS],
				    word(REMAP_F_METADATA, d->st.v[REMAP_F_METADATA]),
				    d->st.have[REMAP_F_AUTO_REMAP] ?
				    word(REMAP_F_AUTO_REMAP, d->st.v[REMAP_F_AUTO_REMAP]) :
				    "unknown");
				v = 1;
			} else if (metrics[m].field == -2) {
				v = d->st.v[REMAP_F_METADATA] != REMAP_W_META_FAILED;
			} else if (metrics[m].field == -3) {
				v = d->st.v[REMAP_F_SPARE_EXHAUSTED] == REMAP_W_ON;
			} else {
				v = d->st.v[metrics[m].field];
			}
			put(&buf, &len, &n, "} %llu\n", (unsigned long long)v);
		}
	}
	*out_len = n;
	return buf;
}

static void metrics_write(void)
{
	char *text, *path = NULL, *tmp = NULL;
	size_t len, off = 0;
	ssize_t w;
	int fd;

	if (!g.metrics_dirty || !g.textfile_dir)
		return;
	g.metrics_dirty = false;
	text = metrics_text(&len);
	if (!text)
		return;
	if (asprintf(&path, "%s/%s", g.textfile_dir, TEXTFILE_NAME) < 0 ||
	    asprintf(&tmp, "%s/.%s.%d", g.textfile_dir, TEXTFILE_NAME,
		     (int)getpid()) < 0)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rd_log(LOG_ERR, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rd_log(LOG_ERR, "%s: write error: %s", tmp,
			       strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (close(fd) || rename(tmp, path)) {
		rd_log(LOG_ERR, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	free(text);
	free(path);
	free(tmp);
}

/* ---- /metrics listener ---- */

/* A non-blocking listening socket on @sa, or -1. */
static int http_listen(const struct sockaddr *sa, socklen_t len)
{
	int fd, one = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, sa, len) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int http_open(const char *spec)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	char host[128];
	uint16_t port;

	if (rd_parse_listen(spec, host, sizeof(host), &port)) {
		errno = EINVAL;
		return -1;
	}
	if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
		a4.sin_port = htons(port);
		return http_listen((struct sockaddr *)&a4, sizeof(a4));
	}
	if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(port);
		return http_listen((struct sockaddr *)&a6, sizeof(a6));
	}
	errno = EINVAL;
	return -1;
}

static void http_close(struct http_client *c)
{
	close(c->fd);
	c->fd = -1;
}

static void http_accept(void)
{
	struct timespec now;
	int fd, i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	while ((fd = accept4(g.listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < HTTP_MAX_CLIENTS; i++)
			if (g.http[i].fd < 0)
				break;
		if (i == HTTP_MAX_CLIENTS) {
			close(fd);
			continue;
		}
		g.http[i].fd = fd;
		g.http[i].len = 0;
		g.http[i].deadline = now.tv_sec + 5;
	}
}

static void http_write_all(int fd, const char *p, size_t len)
{
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	ssize_t w;

	while (len) {
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EAGAIN) {
			/* Bounded: a client that does not read is dropped. */
			if (poll(&pf, 1, 1000) <= 0)
				return;
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void http_serve(struct http_client *c)
{
	char hdr[256], *body = NULL;
	const char *status = "200 OK";
	size_t blen = 0;
	ssize_t r;
	int h;

	r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (r < 0 && errno == EAGAIN)
		return;
	if (r <= 0) {
		http_close(c);
		return;
	}
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	if (!strstr(c->buf, "\r\n\r\n") && !strstr(c->buf, "\n\n")) {
		if (c->len >= sizeof(c->buf) - 1)
			http_close(c);
		return;
	}
	if (!strncmp(c->buf, "GET /metrics ", 13) ||
	    !strncmp(c->buf, "GET /metrics?", 13)) {
		body = metrics_text(&blen);
		if (!body)
			status = "500 Internal Server Error";
	} else if (strncmp(c->buf, "GET ", 4)) {
		status = "405 Method Not Allowed";
	} else {
		status = "404 Not Found";
	}
	h = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		     status, blen);
	http_write_all(c->fd, hdr, (size_t)h);
	if (body)
		http_write_all(c->fd, body, blen);
	free(body);
	http_close(c);
}

/* ---- the kernel log: sectors of automatic remaps ---- */

static void note_sectors(const char *name, int kind, const char *range)
{
	size_t i, l;

	for (i = 0; i < g.ndevs; i++) {
		char *s = g.devs[i].sectors[kind], mm[32];

		/* The target names a device by "major:minor" (dm_device_name). */
		snprintf(mm, sizeof(mm), "%u:%u", major(g.devs[i].devno),
			 minor(g.devs[i].devno));
		if (!g.devs[i].is_remap ||
		    (strcmp(mm, name) && strcmp(g.devs[i].name, name)))
			continue;
		l = strlen(s);
		if (l + strlen(range) + 2 >= SECTORS_MAX)
			return;
		snprintf(s + l, SECTORS_MAX - l, "%s%s", l ? "," : "", range);
		return;
	}
}

/*
 * "device-mapper: remap: NAME: sectors A-B remapped to spare unit N",
 * "...: sectors A-B unreadable after N retries; pending until written",
 * "...: sectors A-B unreadable; replaced by zeroes",
 * "...: spare unit N failed a write; retired",
 * "...: scrub: sectors A-B ..." (what the scrubber found) (kernel/dm-remap-*.c).
 */
static void parse_kmsg(const char *msg)
{
	static const char pfx[] = "device-mapper: remap: ";
	const char *p = strstr(msg, pfx), *colon;
	char name[DM_NAME_LEN], range[48];
	unsigned long long a, b;
	int n = 0;

	if (!p)
		return;
	p += sizeof(pfx) - 1;
	colon = strstr(p, ": ");
	if (!colon || (size_t)(colon - p) >= sizeof(name))
		return;
	memcpy(name, p, (size_t)(colon - p));
	name[colon - p] = '\0';
	p = colon + 2;
	if (sscanf(p, "scrub: sectors %llu-%llu %n", &a, &b, &n) == 2 && n) {
		snprintf(range, sizeof(range), "%llu-%llu", a, b);
		note_sectors(name, KS_SCRUB, range);
		/* The scrubber's findings are pending units and remaps too. */
		if (strstr(p + n, "pending until written"))
			note_sectors(name, KS_PENDING, range);
		else if (strstr(p + n, "relocated with"))
			note_sectors(name, KS_REMAPPED, range);
	} else if (sscanf(p, "sectors %llu-%llu %n", &a, &b, &n) == 2 && n) {
		snprintf(range, sizeof(range), "%llu-%llu", a, b);
		p += n;
		if (!strncmp(p, "remapped to spare unit", 22))
			note_sectors(name, KS_REMAPPED, range);
		else if (!strncmp(p, "unreadable after", 16))
			note_sectors(name, KS_PENDING, range);
		else if (!strncmp(p, "unreadable; replaced by zeroes", 30))
			note_sectors(name, KS_LOST, range);
	} else if (sscanf(p, "spare unit %llu failed a write%n", &a, &n) == 1 &&
		   n) {
		snprintf(range, sizeof(range), "unit %llu", a);
		note_sectors(name, KS_RETIRED, range);
	}
}

static void read_kmsg(void)
{
	char buf[2048];
	ssize_t r;
	char *msg;

	if (g.kmsg_fd < 0)
		return;
	for (;;) {
		r = read(g.kmsg_fd, buf, sizeof(buf) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (r <= 0)
			return;
		buf[r] = '\0';
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		*strchrnul(msg, '\n') = '\0';
		parse_kmsg(msg + 1);
	}
}

/* ---- device-mapper ---- */

/* Arm our control descriptor: it polls readable at the next event. */
static int arm_poll(void)
{
	struct dm_ioctl dmi;

	memset(&dmi, 0, sizeof(dmi));
	dmi.version[0] = DM_VERSION_MAJOR;
	dmi.version[1] = 37;	/* DM_DEV_ARM_POLL came with 4.37 */
	dmi.version[2] = 0;
	dmi.data_size = sizeof(dmi);
	dmi.data_start = sizeof(dmi);
	return ioctl(g.ctl_fd, DM_DEV_ARM_POLL, &dmi);
}

static struct dev *dev_find(dev_t devno)
{
	size_t i;

	for (i = 0; i < g.ndevs; i++)
		if (g.devs[i].devno == devno)
			return &g.devs[i];
	return NULL;
}

static struct dev *dev_new(dev_t devno, const char *name)
{
	struct dev *d;

	if (g.ndevs == g.cap) {
		size_t nc = g.cap ? g.cap * 2 : 64;

		d = realloc(g.devs, nc * sizeof(*d));
		if (!d)
			return NULL;
		g.devs = d;
		g.cap = nc;
	}
	d = &g.devs[g.ndevs++];
	memset(d, 0, sizeof(*d));
	d->devno = devno;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->recheck = true;
	return d;
}

enum { ST_OK, ST_GONE, ST_NOT_REMAP, ST_NO_TABLE, ST_ERROR };

/*
 * DM_DEVICE_STATUS of one device, by number, with no-flush.  ST_OK with
 * @s, @name, @uuid filled for a device whose live table is one remap
 * target.
 */
static int read_status(dev_t devno, struct remap_status *s, char *name,
		       char *uuid, uint32_t *event_nr)
{
	char *type = NULL, *params = NULL;
	uint64_t start, length;
	struct dm_task *dmt;
	struct dm_info info;
	const char *u, *nm;
	void *next;
	int r = ST_ERROR;

	dmt = dm_task_create(DM_DEVICE_STATUS);
	if (!dmt)
		return ST_ERROR;
	if (!dm_task_set_major(dmt, (int)major(devno)) ||
	    !dm_task_set_minor(dmt, (int)minor(devno)) ||
	    !dm_task_no_flush(dmt))
		goto out;
	if (!dm_task_run(dmt)) {
		int e = dm_task_get_errno(dmt);

		r = (e == ENXIO || e == ENODEV || e == ENOENT) ? ST_GONE :
		    ST_ERROR;
		goto out;
	}
	if (!dm_task_get_info(dmt, &info) || !info.exists) {
		r = ST_GONE;
		goto out;
	}
	if (event_nr)
		*event_nr = info.event_nr;
	nm = dm_task_get_name(dmt);
	u = dm_task_get_uuid(dmt);
	if (name && nm)
		snprintf(name, DM_NAME_LEN, "%s", nm);
	if (uuid)
		snprintf(uuid, DM_UUID_LEN, "%s", u ? u : "");
	if (!info.live_table) {
		r = ST_NO_TABLE;
		goto out;
	}
	next = dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	if (!type || strcmp(type, "remap") || start || next) {
		r = ST_NOT_REMAP;
		goto out;
	}
	r = remap_status_parse_line(params ? params : "", s) ? ST_ERROR : ST_OK;
	if (r == ST_ERROR)
		rd_log(LOG_ERR, "%u:%u: cannot parse the status line '%s'",
		       major(devno), minor(devno), params ? params : "");
out:
	dm_task_destroy(dmt);
	return r;
}

static void dev_resolve(struct dev *d)
{
	rd_conf_resolve(&g.conf, d->name, d->uuid, &d->cf);
}

/* A remap device seen for the first time since remapd started. */
static void dev_added(struct dev *d)
{
	struct saved *sv = saved_find(d->uuid, d->name);
	struct remap_status old;
	uint64_t old_cond = 0;

	d->is_remap = true;
	dev_resolve(d);
	if (g.waitevent && !g.oneshot && !g.test) {
		int e = we_watch(d->devno, d->event_nr);

		if (e)
			rd_log(LOG_ERR, "%s: cannot start its DM_DEVICE_WAITEVENT thread: %s; its events are seen at the next scan",
			       d->name, strerror(e));
	}
	if (sv && !g.test) {
		/* Known from the state file: announce only what is new. */
		sv->used = true;
		old = sv->st;
		old_cond = sv->cond;
		memcpy(d->cond_last, sv->cond_last, sizeof(d->cond_last));
		memcpy(d->cond_n, sv->cond_n, sizeof(d->cond_n));
		d->cond = sv->cond;
		d->sc = sv->sc;
		if (!sv->present)
			emit(d, RD_EV_DEVICE_ADDED, 1, 0);
	} else {
		/*
		 * New: its history (counters) is not news, its conditions
		 * (pending units, a full pool, failed metadata) are.
		 */
		old = d->st;
		if (!g.oneshot && !g.test)
			emit(d, RD_EV_DEVICE_ADDED, 1, 0);
	}
	if (!g.oneshot && !g.test)
		announce(d, &old, old_cond);
	else
		d->cond = rd_conditions(&d->st, &d->cf);
	g.state_dirty = true;
	g.metrics_dirty = true;
}

/* The state entry of a device, used or not: one per UUID (or name). */
static struct saved *saved_entry(const char *uuid, const char *name)
{
	struct saved *s;
	size_t i;

	for (i = 0; i < g.nsaved; i++)
		if (uuid[0] ? !strcmp(g.saved[i].uuid, uuid) :
		    !g.saved[i].uuid[0] && !strcmp(g.saved[i].name, name))
			return &g.saved[i];
	s = realloc(g.saved, (g.nsaved + 1) * sizeof(*s));
	if (!s)
		return NULL;
	g.saved = s;
	return &g.saved[g.nsaved++];
}

static void dev_removed(struct dev *d)
{
	struct saved *s;

	if (d->is_remap && d->have_st) {
		emit(d, RD_EV_DEVICE_REMOVED, 1, 0);
		/*
		 * Remembered as absent, with what was said about it; a device
		 * that comes and goes keeps one entry (memory stays flat).
		 */
		s = saved_entry(d->uuid, d->name);
		if (s) {
			memset(s, 0, sizeof(*s));
			snprintf(s->uuid, sizeof(s->uuid), "%s", d->uuid);
			snprintf(s->name, sizeof(s->name), "%s", d->name);
			s->cond = d->cond;
			s->st = d->st;
			memcpy(s->cond_last, d->cond_last, sizeof(s->cond_last));
			memcpy(s->cond_n, d->cond_n, sizeof(s->cond_n));
			s->sc = d->sc;
		}
		g.state_dirty = true;
		g.metrics_dirty = true;
	}
	*d = g.devs[--g.ndevs];
}

/* ---- the scrub schedule (scrub_interval, scrub_window, scrub_rate) ---- */

/* What the scrubber did since @old, as far as the schedule cares. */
static void scrub_track(struct dev *d, const struct remap_status *old)
{
	const struct remap_status *c = &d->st;
	time_t end = (time_t)c->v[REMAP_F_SCRUB_LAST_PASS_END];

	if (!c->have[REMAP_F_SCRUB_STATE] || !old->have[REMAP_F_SCRUB_STATE])
		return;
	if (end > d->sc.last_end)
		d->sc.last_end = end;
	if (c->v[REMAP_F_SCRUB_STATE] == REMAP_W_SCRUB_IDLE &&
	    old->v[REMAP_F_SCRUB_STATE] != REMAP_W_SCRUB_IDLE) {
		if (d->sc.ours &&
		    c->v[REMAP_F_SCRUB_PASSES] == old->v[REMAP_F_SCRUB_PASSES]) {
			/* Cancelled: that counts as this interval's pass. */
			d->sc.last_end = time(NULL);
			rd_log(LOG_NOTICE, "%s: the scheduled scrub was cancelled; the next one is due in %u s",
			       d->name, d->cf.scrub_interval);
		}
		d->sc.ours = false;
		d->sc.paused_by_us = false;
	}
	if (c->v[REMAP_F_SCRUB_STATE] == REMAP_W_SCRUB_RUNNING)
		d->sc.paused_by_us = false;
}

/* Send @msg to @d's target.  0, or the errno the kernel returned. */
static int dev_message(const struct dev *d, const char *msg)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TARGET_MSG);
	int r = 0;

	if (!dmt)
		return ENOMEM;
	if (!dm_task_set_major(dmt, (int)major(d->devno)) ||
	    !dm_task_set_minor(dmt, (int)minor(d->devno)) ||
	    !dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg))
		r = ENOMEM;
	else if (!dm_task_run(dmt))
		r = dm_task_get_errno(dmt) ? dm_task_get_errno(dmt) : EIO;
	dm_task_destroy(dmt);
	return r;
}

static void dev_update(struct dev *d);

/* A scrub message the schedule sends, logged; 0 or an errno. */
static int scrub_send(struct dev *d, const char *msg, const char *why)
{
	char rate[48];
	int r = 0;

	if (strcmp(msg, "scrub pause") && d->cf.scrub_rate >= 0) {
		snprintf(rate, sizeof(rate), "scrub_rate %lld",
			 (long long)d->cf.scrub_rate);
		r = dev_message(d, rate);
	}
	if (!r)
		r = dev_message(d, msg);
	if (r) {
		rd_log(LOG_ERR, "%s: scheduled '%s' refused: %s (tried again in %d s)",
		       d->name, msg, strerror(r), SCRUB_RETRY);
		d->sc.refused = time(NULL);
		return r;
	}
	rd_log(LOG_NOTICE, "%s: %s (%s)", d->name, msg, why);
	return 0;
}

/*
 * Start, pause and resume the scrubs the schedule asks for.  The time of
 * the next look (the next minute), or 0 when no device has a schedule.
 */
static time_t scrub_schedule(time_t now)
{
	struct tm tm;
	bool any = false;
	size_t i;

	if (!localtime_r(&now, &tm))
		return 0;
	for (i = 0; i < g.ndevs; i++) {
		struct dev *d = &g.devs[i];
		enum rd_scrub_action a;

		if (!d->is_remap || !d->have_st || !d->cf.scrub_interval)
			continue;
		any = true;
		if (d->sc.refused && now - d->sc.refused < SCRUB_RETRY)
			continue;
		a = rd_scrub_due(&d->cf, &d->st, d->sc.last_end, d->sc.ours,
				 d->sc.paused_by_us, now,
				 tm.tm_hour * 60 + tm.tm_min);
		switch (a) {
		case RD_SCRUB_NOTHING:
			continue;
		case RD_SCRUB_START:
			if (scrub_send(d, "scrub start", d->sc.last_end ||
				       d->st.v[REMAP_F_SCRUB_LAST_PASS_END] ?
				       "scrub_interval has passed since the last pass" :
				       "no pass known yet"))
				continue;
			d->sc.ours = true;
			d->sc.paused_by_us = false;
			break;
		case RD_SCRUB_PAUSE:
			if (scrub_send(d, "scrub pause", "scrub_window ended"))
				continue;
			d->sc.paused_by_us = true;
			break;
		case RD_SCRUB_RESUME:
			if (scrub_send(d, "scrub resume", "scrub_window began"))
				continue;
			d->sc.paused_by_us = false;
			break;
		}
		g.state_dirty = true;
		/* Read the new state now, so the next look sees it. */
		dev_update(d);
	}
	return any ? now + 60 - tm.tm_sec : 0;
}

/* Re-read a known remap device's status and announce what changed. */
static void dev_update(struct dev *d)
{
	struct remap_status old = d->st, cur;
	char name[DM_NAME_LEN], uuid[DM_UUID_LEN];
	uint32_t ev = d->event_nr;
	int r;

	r = read_status(d->devno, &cur, name, uuid, &ev);
	if (r == ST_GONE) {
		d->seen = false;
		return;
	}
	if (r == ST_NOT_REMAP || r == ST_NO_TABLE) {
		/* A table of another kind now: no longer ours. */
		rd_log(LOG_NOTICE, "%s: no longer a remap device", d->name);
		d->seen = false;
		return;
	}
	if (r != ST_OK)
		return;
	d->event_nr = ev;
	if (strcmp(name, d->name)) {
		rd_log(LOG_NOTICE, "device %s uuid %s renamed to %s", d->name,
		       d->uuid[0] ? d->uuid : "-", name);
		snprintf(d->name, sizeof(d->name), "%s", name);
		dev_resolve(d);
		g.state_dirty = true;
	}
	if (!memcmp(&cur, &old, sizeof(cur)))
		return;
	d->st = cur;
	g.metrics_dirty = true;
	g.state_dirty = true;
	scrub_track(d, &old);
	announce(d, &old, d->cond);
}

/* Event numbers come after each name in DM_LIST_DEVICES (DM 4.37+). */
static bool names_event_nr(const struct dm_names *nm, uint32_t *ev)
{
	const char *end = nm->name + strlen(nm->name) + 1;
	uintptr_t a = ((uintptr_t)end + 7) & ~(uintptr_t)7;
	const uint32_t *p = (const uint32_t *)a;

	if (nm->next && (const char *)(p + 2) > (const char *)nm + nm->next)
		return false;
	*ev = p[0];
	return true;
}

/*
 * List the devices; look at new ones, re-read those whose event number
 * moved (all of them when @all), and notice the ones gone.
 */
static int scan(bool all)
{
	struct dm_task *dmt;
	struct dm_names *nm;
	unsigned int next = 0;
	bool moved = false;
	size_t i;
	int r = -1;

	g.scans++;
	dmt = dm_task_create(DM_DEVICE_LIST);
	if (!dmt) {
		rd_log(LOG_ERR, "cannot talk to device-mapper (is dm-mod loaded? are you root?)");
		return -1;
	}
	if (!dm_task_run(dmt)) {
		rd_log(LOG_ERR, "cannot list device-mapper devices: %s",
		       strerror(dm_task_get_errno(dmt) ? dm_task_get_errno(dmt) : EIO));
		goto out;
	}
	for (i = 0; i < g.ndevs; i++)
		g.devs[i].seen = false;
	nm = dm_task_get_names(dmt);
	if (nm && nm->dev) {
		do {
			struct dev *d;
			dev_t devno;
			uint32_t ev = 0;
			bool have_ev;

			nm = (struct dm_names *)((char *)nm + next);
			devno = (dev_t)nm->dev;
			d = dev_find(devno);
			have_ev = names_event_nr(nm, &ev);
			if (!d) {
				moved = true;
				d = dev_new(devno, nm->name);
				if (!d) {
					rd_log(LOG_ERR, "out of memory");
					break;
				}
				d->event_nr = ev;
				d->recheck = true;
			}
			d->seen = true;
			if (d->is_remap) {
				if (all || !have_ev || ev != d->event_nr ||
				    strcmp(d->name, nm->name)) {
					moved = true;
					dev_update(d);
				}
			} else if (d->recheck) {
				struct remap_status st;
				int s = read_status(devno, &st, d->name,
						    d->uuid, &d->event_nr);

				/* Its table came: what woke us is explained. */
				if (s != ST_NO_TABLE)
					moved = true;
				d->recheck = s == ST_NO_TABLE || s == ST_ERROR;
				if (s == ST_OK) {
					d->st = st;
					d->have_st = true;
					dev_added(d);
				} else if (s == ST_GONE) {
					d->seen = false;
				}
			}
			next = nm->next;
		} while (next);
	}
	/*
	 * Nothing moved: a resume (perhaps with a new table) or a rename
	 * woke us (they raise the global event only), so read every device:
	 * a remap device's pool may have grown, another device may now
	 * have a remap table.
	 */
	if (!all && !moved) {
		for (i = 0; i < g.ndevs; i++) {
			struct dev *d = &g.devs[i];
			struct remap_status st;

			if (!d->seen)
				continue;
			if (d->is_remap) {
				dev_update(d);
				continue;
			}
			if (read_status(d->devno, &st, d->name, d->uuid,
					&d->event_nr) == ST_OK) {
				d->st = st;
				d->have_st = true;
				dev_added(d);
			}
		}
	}
	/* Gone (dev_removed() moves the last entry into the hole). */
	for (i = g.ndevs; i-- > 0;)
		if (!g.devs[i].seen)
			dev_removed(&g.devs[i]);
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

/*
 * Devices remembered as present that did not come back within
 * STARTUP_GRACE of the start: removed.
 */
static void startup_removed(void)
{
	size_t i;

	for (i = 0; i < g.nsaved; i++) {
		struct saved *s = &g.saved[i];
		struct dev tmp;

		if (s->used || !s->present)
			continue;
		memset(&tmp, 0, sizeof(tmp));
		snprintf(tmp.name, sizeof(tmp.name), "%s", s->name);
		snprintf(tmp.uuid, sizeof(tmp.uuid), "%s", s->uuid);
		tmp.st = s->st;
		tmp.have_st = true;
		rd_conf_resolve(&g.conf, tmp.name, tmp.uuid, &tmp.cf);
		emit(&tmp, RD_EV_DEVICE_REMOVED, 1, 0);
		s->present = false;
		g.state_dirty = true;
	}
}

/* ---- reminders ---- */

static time_t reminders(time_t now)
{
	time_t next = 0, due;
	size_t i;
	int e;

	for (i = 0; i < g.ndevs; i++) {
		struct dev *d = &g.devs[i];

		if (!d->is_remap || d->cf.ignore)
			continue;
		for (e = 0; e < RD_NR_EVENTS; e++) {
			if (!(d->cond & RD_EVENT_BIT(e)) || !d->cond_n[e])
				continue;
			due = rd_reminder_due(&d->cf, d->cond_last[e],
					      d->cond_n[e]);
			if (!due)
				continue;
			if (due <= now) {
				uint64_t c = e == RD_EV_PENDING ?
					d->st.v[REMAP_F_PENDING_UNITS] :
					e == RD_EV_SPARE_EXHAUSTED ?
					d->st.v[REMAP_F_SPARE_FREE] :
					e == RD_EV_METADATA_FAILED ?
					d->st.v[REMAP_F_DOUBT_UNITS] :
					rd_spare_pct(&d->st);

				emit(d, (enum rd_event)e, c, d->cond_n[e]);
				due = rd_reminder_due(&d->cf, d->cond_last[e],
						      d->cond_n[e]);
			}
			if (due && (!next || due < next))
				next = due;
		}
	}
	return next;
}

/* ---- main ---- */

static const char usage[] =
"Usage: remapd [options]\n"
"\n"
"Watch every dm-remap device and announce what happens to it: remaps,\n"
"pending and lost sectors, spare errors, a spare pool filling up, failed\n"
"metadata, devices coming and going (remapd(8), remapd.conf(5)).\n"
"\n"
"Options:\n"
"  -f, --foreground       log to standard error instead of syslog\n"
"  -c, --config FILE      configuration file (default /etc/remapd.conf,\n"
"                         which may be missing)\n"
"  -t, --textfile-dir DIR write DIR/dmremap.prom (Prometheus textfile)\n"
"  -s, --state-dir DIR    what was announced (default /var/lib/remapd)\n"
"  -l, --listen ADDR:PORT serve /metrics over HTTP (e.g. 127.0.0.1:9469)\n"
"  -1, --oneshot          check every device once, print a summary, exit\n"
"                         1 when any device is unhealthy\n"
"  -T, --test             run the program for a test event of every remap\n"
"                         device, wait for it, exit\n"
"  -n, --check-config     only check the configuration file\n"
"  -v, --verbose          more messages\n"
"  -W, --wait-event       wait with DM_DEVICE_WAITEVENT, one thread per\n"
"                         device, as on kernels before 4.13 (new devices\n"
"                         are then found within 10 s)\n"
"  -h, --help, -V, --version\n"
"\n"
"Exit status: 0 ok; 1 (--oneshot) a device is unhealthy, (--test) a\n"
"program failed; 2 usage, configuration or device-mapper error.\n";

static size_t nr_remap(void)
{
	size_t i, n = 0;

	for (i = 0; i < g.ndevs; i++)
		n += g.devs[i].is_remap;
	return n;
}

static int open_control(void)
{
	g.ctl_fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (g.ctl_fd < 0) {
		rd_log(LOG_ERR, "/dev/mapper/control: %s (is dm-mod loaded? are you root?)",
		       strerror(errno));
		return -1;
	}
	if (!g.waitevent && arm_poll()) {
		if (errno != EINVAL && errno != ENOTTY) {
			rd_log(LOG_ERR, "DM_DEV_ARM_POLL: %s", strerror(errno));
			return -1;
		}
		rd_log(LOG_NOTICE, "DM_DEV_ARM_POLL: %s: this kernel's device-mapper is older than 4.37 (Linux 4.13): waiting with DM_DEVICE_WAITEVENT, one thread per device, and looking for new devices every %d s",
		       strerror(errno), WAITEVENT_RESCAN);
		g.waitevent = true;
	}
	if (g.waitevent) {
		g.wake_fd = we_init();
		if (g.wake_fd < 0) {
			rd_log(LOG_ERR, "pipe: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static bool unhealthy(const struct dev *d, char *why, size_t len)
{
	uint64_t c = rd_conditions(&d->st, &d->cf);
	size_t n = 0;
	int e;

	why[0] = '\0';
	for (e = 0; e < RD_NR_EVENTS; e++)
		if (c & RD_EVENT_BIT(e))
			n += (size_t)snprintf(why + n, n < len ? len - n : 0,
					      "%s%s", n ? "," : "",
					      rd_event_names[e]);
	if (d->st.v[REMAP_F_DOUBT_UNITS])
		snprintf(why + n, n < len ? len - n : 0, "%sdoubt_units",
			 n ? "," : "");
	return why[0];
}

static int do_oneshot(void)
{
	char why[256], counters[768];
	unsigned int bad = 0, n = 0;
	size_t i;

	if (scan(true))
		return EXIT_TROUBLE;
	for (i = 0; i < g.ndevs; i++) {
		struct dev *d = &g.devs[i];

		if (!d->is_remap || d->cf.ignore)
			continue;
		n++;
		format_counters(&d->st, counters, sizeof(counters));
		if (unhealthy(d, why, sizeof(why))) {
			bad++;
			printf("%s uuid %s: UNHEALTHY (%s) spare %u%% used [%s]\n",
			       d->name, d->uuid[0] ? d->uuid : "-", why,
			       rd_spare_pct(&d->st), counters);
		} else {
			printf("%s uuid %s: healthy, spare %u%% used [%s]\n",
			       d->name, d->uuid[0] ? d->uuid : "-",
			       rd_spare_pct(&d->st), counters);
		}
	}
	printf("remapd: %u remap device%s, %u unhealthy\n", n,
	       n == 1 ? "" : "s", bad);
	g.metrics_dirty = true;
	metrics_write();
	return bad ? EXIT_UNHEALTHY : 0;
}

static int do_test(void)
{
	unsigned int failed = 0, n = 0;
	struct pollfd pf;
	size_t i;

	if (scan(true))
		return EXIT_TROUBLE;
	for (i = 0; i < g.ndevs; i++) {
		struct dev *d = &g.devs[i];

		if (!d->is_remap || d->cf.ignore)
			continue;
		if (!d->cf.program || !(d->cf.events & RD_EVENT_BIT(RD_EV_TEST))) {
			rd_log(LOG_WARNING, "%s: no program for the test event (program, events in %s)",
			       d->name, g.conf_file);
			continue;
		}
		n++;
		emit(d, RD_EV_TEST, 1, 0);
	}
	if (!n) {
		rd_log(LOG_ERR, "--test: no remap device with a program to run");
		return EXIT_TROUBLE;
	}
	pf.fd = g.sig_fd;
	pf.events = POLLIN;
	while (g.running || g.queue) {
		struct signalfd_siginfo si;

		if (poll(&pf, 1, 1000) > 0 &&
		    read(g.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
		    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT))
			return EXIT_TROUBLE;
		failed += jobs_reap();
		jobs_timeouts(mono_ms());
	}
	rd_log(LOG_NOTICE, "--test: %u program run%s, %u failed", n,
	       n == 1 ? "" : "s", failed);
	return failed ? EXIT_UNHEALTHY : 0;
}

static void reload_config(void)
{
	struct rd_conf c;
	char err[512];
	size_t i;

	if (rd_conf_load(g.conf_file, !g.conf_given, &c, err, sizeof(err))) {
		rd_log(LOG_ERR, "%s; keeping the configuration in use", err);
		return;
	}
	rd_conf_free(&g.conf);
	g.conf = c;
	for (i = 0; i < g.ndevs; i++)
		if (g.devs[i].is_remap)
			dev_resolve(&g.devs[i]);
	g.metrics_dirty = true;
	rd_log(LOG_NOTICE, "configuration %s reloaded", g.conf_file);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "textfile-dir", required_argument, NULL, 't' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "oneshot", no_argument, NULL, '1' },
		{ "test", no_argument, NULL, 'T' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "wait-event", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool check_only = false;
	double last_write;
	int64_t last_scan = 0, startup_deadline;
	const char *cli_textfile = NULL, *cli_listen = NULL;
	struct pollfd pfd[4 + HTTP_MAX_CLIENTS];
	char err[512];
	sigset_t mask;
	int o, i, rc = 0;

	g.conf_file = DEFAULT_CONF;
	g.state_dir = DEFAULT_STATE_DIR;
	while ((o = getopt_long(argc, argv, "fc:t:s:l:1TnvhVW", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			g.foreground = true;
			break;
		case 'c':
			g.conf_file = optarg;
			g.conf_given = true;
			break;
		case 't':
			cli_textfile = optarg;
			break;
		case 's':
			g.state_dir = optarg;
			break;
		case 'l':
			cli_listen = optarg;
			break;
		case '1':
			g.oneshot = true;
			break;
		case 'T':
			g.test = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'v':
			g.verbose = true;
			break;
		case 'W':
			g.waitevent = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("remapd %s\n", RD_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "remapd: unexpected argument '%s'\n%s",
			argv[optind], usage);
		return EXIT_TROUBLE;
	}
	if (g.oneshot && g.test) {
		fprintf(stderr, "remapd: --oneshot and --test exclude each other\n");
		return EXIT_TROUBLE;
	}
	if (!g.foreground && !g.oneshot && !g.test && !check_only)
		openlog("remapd", LOG_PID, LOG_DAEMON);
	if (rd_conf_load(g.conf_file, !g.conf_given, &g.conf, err,
			 sizeof(err))) {
		fprintf(stderr, "remapd: %s\n", err);
		if (!g.foreground && !check_only)
			syslog(LOG_ERR, "%s", err);
		return EXIT_TROUBLE;
	}
	if (check_only) {
		printf("remapd: %s: ok\n", g.conf_file);
		return 0;
	}
	g.textfile_dir = (char *)(cli_textfile ? cli_textfile :
				  g.conf.textfile_dir);
	g.listen = cli_listen ? cli_listen : g.conf.listen;

	dm_log_with_errno_init(rd_dm_log);
	dm_udev_set_sync_support(0);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	g.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (g.sig_fd < 0) {
		rd_log(LOG_ERR, "signalfd: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	for (i = 0; i < HTTP_MAX_CLIENTS; i++)
		g.http[i].fd = -1;

	if (g.oneshot)
		return do_oneshot();
	if (g.test)
		return do_test();

	if (mkdir(g.state_dir, 0755) && errno != EEXIST) {
		rd_log(LOG_ERR, "state directory %s: %s", g.state_dir,
		       strerror(errno));
		return EXIT_TROUBLE;
	}
	if (g.listen) {
		g.listen_fd = http_open(g.listen);
		if (g.listen_fd < 0) {
			rd_log(LOG_ERR, "--listen %s: %s", g.listen,
			       strerror(errno));
			return EXIT_TROUBLE;
		}
	}
	g.kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (g.kmsg_fd >= 0)
		lseek(g.kmsg_fd, 0, SEEK_END);
	else
		rd_log(LOG_WARNING, "/dev/kmsg: %s: events will not name sectors",
		       strerror(errno));
	state_load();
	if (open_control())
		return EXIT_TROUBLE;
	if (scan(true))
		return EXIT_TROUBLE;
	startup_deadline = 0;
	if (STARTUP_GRACE)
		startup_deadline = mono_ms() + (int64_t)STARTUP_GRACE * 1000;
	else
		startup_removed();
	g.metrics_dirty = true;
	metrics_write();
	state_save();
	rd_log(LOG_NOTICE, "watching %zu remap device%s%s%s", nr_remap(),
	       nr_remap() == 1 ? "" : "s",
	       g.textfile_dir ? ", textfile in " : "",
	       g.textfile_dir ? g.textfile_dir : "");
	notify("READY=1\nSTATUS=watching dm-remap devices");
	last_write = 0;

	for (;;) {
		struct timespec now;
		time_t next_rem, next_sc, wall = time(NULL);
		int nfd = 0, timeout = -1, li = -1, hi0;
		struct job *j;
		double tnow;

		if (startup_deadline && mono_ms() >= startup_deadline) {
			startup_removed();
			startup_deadline = 0;
		}
		next_rem = reminders(wall);
		next_sc = scrub_schedule(wall);
		if (next_sc && (!next_rem || next_sc < next_rem))
			next_rem = next_sc;
		clock_gettime(CLOCK_MONOTONIC, &now);
		/*
		 * The textfile and the state file are rewritten at most every
		 * WRITE_INTERVAL: a burst of events costs one write of each.
		 */
		tnow = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
		if ((g.state_dirty || g.metrics_dirty) &&
		    tnow - last_write >= WRITE_INTERVAL) {
			state_save();
			metrics_write();
			last_write = tnow;
		}
		if (next_rem)
			timeout = (int)((next_rem - wall) * 1000);
		if (g.state_dirty || g.metrics_dirty) {
			int t = (int)((last_write + WRITE_INTERVAL - tnow) * 1000) + 1;

			if (t < 0)
				t = 0;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		for (j = g.running; j; j = j->next) {
			int t = (int)(j->deadline - mono_ms());

			if (t < 0)
				t = 0;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (startup_deadline) {
			int t = (int)(startup_deadline - mono_ms());

			if (t < 0)
				t = 0;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (timeout > 0 && timeout < 50)
			timeout = 50;
		if (g.waitevent) {
			int t = WAITEVENT_RESCAN * 1000;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		pfd[nfd].fd = g.waitevent ? g.wake_fd : g.ctl_fd;
		pfd[nfd++].events = POLLIN;
		pfd[nfd].fd = g.sig_fd;
		pfd[nfd++].events = POLLIN;
		if (g.listen_fd >= 0) {
			li = nfd;
			pfd[nfd].fd = g.listen_fd;
			pfd[nfd++].events = POLLIN;
		}
		hi0 = nfd;
		for (i = 0; i < HTTP_MAX_CLIENTS; i++) {
			pfd[nfd].fd = g.http[i].fd;
			pfd[nfd++].events = POLLIN;
			if (g.http[i].fd >= 0) {
				int t = (int)((g.http[i].deadline - now.tv_sec) * 1000);

				if (t < 0)
					t = 0;
				if (timeout < 0 || t < timeout)
					timeout = t;
			}
		}
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR) {
			rd_log(LOG_ERR, "poll: %s", strerror(errno));
			rc = EXIT_TROUBLE;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool stop = false;

			while (read(g.sig_fd, &si, sizeof(si)) ==
			       (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGTERM ||
				    si.ssi_signo == SIGINT)
					stop = true;
				else if (si.ssi_signo == SIGHUP) {
					notify("RELOADING=1");
					reload_config();
					notify("READY=1");
				}
			}
			jobs_reap();
			if (stop) {
				rd_log(LOG_NOTICE, "exiting (signal)");
				break;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLERR)) {
			/* Re-arm first: an event during the scan wakes us again. */
			if (g.waitevent)
				we_drain();
			else if (arm_poll())
				rd_log(LOG_ERR, "DM_DEV_ARM_POLL: %s",
				       strerror(errno));
			read_kmsg();
			scan(false);
			last_scan = mono_ms();
		} else if (g.waitevent &&
			   mono_ms() - last_scan >= WAITEVENT_RESCAN * 1000) {
			/* Devices created meanwhile raise no event we wait for. */
			read_kmsg();
			scan(false);
			last_scan = mono_ms();
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		jobs_timeouts(mono_ms());
		if (li >= 0 && (pfd[li].revents & POLLIN))
			http_accept();
		for (i = 0; i < HTTP_MAX_CLIENTS; i++) {
			struct http_client *c = &g.http[i];

			if (c->fd < 0)
				continue;
			if (pfd[hi0 + i].fd == c->fd &&
			    (pfd[hi0 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				http_serve(c);
			else if (now.tv_sec >= c->deadline)
				http_close(c);
		}
	}
	notify("STOPPING=1");
	state_save();
	metrics_write();
	/* Programs still running are left to finish on their own. */
	rd_conf_free(&g.conf);
	free(g.devs);
	free(g.saved);
	return rc;
}
