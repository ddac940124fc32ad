// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_remapd.c - unit tests of remapd's kernel-agnostic parts
 * (tools/remapd/conf.c, events.c): the configuration parser and its
 * errors, per-device settings, the events between two status snapshots,
 * conditions and reminders, the scrub schedule.
 */
#include "test_common.h"
#include "remapd.h"

static int parse(const char *text, struct rd_conf *c, char *err, size_t len)
{
	return rd_conf_parse("test.conf", text, c, err, len);
}

static void test_defaults(void **state)
{
	struct rd_conf c;
	char err[256];

	(void)state;
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.global.spare_warning, 80);
	assert_int_equal(c.global.spare_critical, 95);
	assert_null(c.global.program);
	assert_true(c.global.events == RD_ALL_EVENTS);
	assert_int_equal(c.global.reminder, RD_REMIND_ONCE);
	rd_conf_free(&c);
}

static void test_full(void **state)
{
	struct rd_settings s;
	struct rd_conf c;
	char err[256];

	(void)state;
	assert_int_equal(parse(
		"# global\n"
		"  spare_warning=70   \n"
		"spare_critical = 90\r\n"
		"program = /usr/local/bin/alert\n"
		"events = auto_remap, pending ,spare_exhausted\n"
		"program_timeout = 5\n"
		"reminder = diminishing\n"
		"reminder_interval = 60\n"
		"textfile_dir = /var/lib/node\n"
		"listen = 127.0.0.1:9469\n"
		"max_programs = 2\n"
		"\n"
		"[device rescue]\n"
		"spare_warning = 50\n"
		"program = none\n"
		"[uuid CRYPT-1234]\n"
		"events = all\n"
		"ignore = yes\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.global.spare_warning, 70);
	assert_int_equal(c.global.spare_critical, 90);
	assert_string_equal(c.global.program, "/usr/local/bin/alert");
	assert_true(c.global.events == (RD_EVENT_BIT(RD_EV_AUTO_REMAP) |
					RD_EVENT_BIT(RD_EV_PENDING) |
					RD_EVENT_BIT(RD_EV_SPARE_EXHAUSTED)));
	assert_int_equal(c.global.program_timeout, 5);
	assert_int_equal(c.global.reminder, RD_REMIND_DIMINISHING);
	assert_string_equal(c.textfile_dir, "/var/lib/node");
	assert_string_equal(c.listen, "127.0.0.1:9469");
	assert_int_equal(c.max_programs, 2);
	assert_int_equal(c.nov, 2);

	rd_conf_resolve(&c, "other", "", &s);
	assert_int_equal(s.spare_warning, 70);
	assert_string_equal(s.program, "/usr/local/bin/alert");
	assert_false(s.ignore);

	rd_conf_resolve(&c, "rescue", "", &s);
	assert_int_equal(s.spare_warning, 50);
	assert_int_equal(s.spare_critical, 90);
	assert_null(s.program);

	/* Name then UUID: the UUID section's settings win where both set. */
	rd_conf_resolve(&c, "rescue", "CRYPT-1234", &s);
	assert_int_equal(s.spare_warning, 50);
	assert_true(s.events == RD_ALL_EVENTS);
	assert_true(s.ignore);
	rd_conf_free(&c);
}

static void expect_error(const char *text, const char *want)
{
	struct rd_conf c;
	char err[512];

	if (parse(text, &c, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", text);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	/* Refused as a whole: defaults, nothing leaked. */
	assert_null(c.global.program);
	assert_int_equal(c.nov, 0);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("a = b = c\nfoo = 1\n", "test.conf:1: unknown setting 'a'");
	expect_error("\n\nspare_warning = 0\n", "test.conf:3: spare_warning: '0' is not a number from 1 to 100");
	expect_error("spare_warning = 101", "test.conf:1: spare_warning: '101'");
	expect_error("spare_warning = -5", "test.conf:1:");
	expect_error("spare_warning = 5x", "test.conf:1:");
	expect_error("spare_warning\n", "test.conf:1: expected 'key = value'");
	expect_error("spare_warning =\n", "test.conf:1: spare_warning: a value is missing");
	expect_error("= 5\n", "test.conf:1: a key is missing");
	expect_error("program = alert.sh\n", "test.conf:1: program: 'alert.sh' is not an absolute path");
	expect_error("program = /a\nevents = remap,bogus\n", "test.conf:2: events: unknown event 'bogus'");
	expect_error("events = remap pending\n", "test.conf:1: events: expected ','");
	expect_error("events = remap,\n", "test.conf:1: events: unknown event ''");
	expect_error("reminder = weekly\n", "test.conf:1: reminder: 'weekly' is not once, daily or diminishing");
	expect_error("ignore = maybe\n", "test.conf:1: ignore: 'maybe' is not yes or no");
	expect_error("[device]\n", "test.conf:1: [device]: expected one NAME");
	expect_error("[device a b]\n", "test.conf:1: [device]: expected one NAME");
	expect_error("[disk a]\n", "test.conf:1: unknown section '[disk a]'");
	expect_error("[device a\n", "test.conf:1: a section line is");
	expect_error("[device a]\n[device a]\n", "test.conf:2: [device a] was already given on line 1");
	expect_error("[device a]\ntextfile_dir = /x\n", "test.conf:2: textfile_dir is a global setting");
	expect_error("textfile_dir = x\n", "test.conf:1: textfile_dir: 'x' is not an absolute path");
	expect_error("listen = 9469\n", "test.conf:1: listen: '9469' is not ADDRESS:PORT");
	expect_error("listen = 127.0.0.1:70000\n", "test.conf:1: listen:");
	expect_error("listen = 127.0.0.1:+80\n", "test.conf:1: listen:");
	expect_error("listen = :80\n", "test.conf:1: listen:");
	expect_error("listen = []:80\n", "test.conf:1: listen:");
	expect_error("scrub_interval = 7y\n", "test.conf:1: scrub_interval: '7y' is not a duration");
	expect_error("scrub_interval = 3651d\n", "test.conf:1: scrub_interval:");
	expect_error("scrub_interval = d\n", "test.conf:1: scrub_interval:");
	expect_error("scrub_window = 1:00-05:00\n", "test.conf:1: scrub_window: '1:00-05:00' is not HH:MM-HH:MM");
	expect_error("scrub_window = 01:00-24:00\n", "test.conf:1: scrub_window:");
	expect_error("scrub_window = 01:00-01:00\n", "test.conf:1: scrub_window: '01:00-01:00' is empty");
	expect_error("scrub_rate = 16777217\n", "test.conf:1: scrub_rate: '16777217' is not a number from 0 to 16777216");
	expect_error("spare_warning = 96\n", "test.conf: spare_warning (96) is above spare_critical (95)");
	expect_error("spare_critical = 50\n[uuid U]\nspare_warning = 60\n",
		     "test.conf: spare_warning (80) is above spare_critical (50)");
	expect_error("spare_critical = 50\nspare_warning = 40\n[uuid U]\nspare_warning = 60\n",
		     "test.conf:3: [uuid U]: spare_warning (60) is above spare_critical (50)");
}

static void st(struct remap_status *s, u64 remapped, u64 used, u64 total,
	       u64 pending, u64 realloc, u64 autor, u64 unc, u64 spare_err,
	       u64 lost)
{
	memset(s, 0, sizeof(*s));
	for (int f = 0; f < REMAP_NR_FIELDS; f++)
		s->have[f] = true;
	s->v[REMAP_F_UNIT_SECTORS] = 8;
	s->v[REMAP_F_REMAPPED_UNITS] = remapped;
	s->v[REMAP_F_SPARE_USED] = used;
	s->v[REMAP_F_SPARE_UNITS] = total;
	s->v[REMAP_F_SPARE_FREE] = total - used;
	s->v[REMAP_F_PENDING_UNITS] = pending;
	s->v[REMAP_F_REALLOCATION_EVENTS] = realloc;
	s->v[REMAP_F_AUTO_REMAPS] = autor;
	s->v[REMAP_F_UNCORRECTABLE_READS] = unc;
	s->v[REMAP_F_SPARE_ERRORS] = spare_err;
	s->v[REMAP_F_LOST_SECTORS] = lost;
}

static void test_diff(void **state)
{
	struct remap_status a, b;
	struct rd_ev ev[RD_NR_EVENTS];
	struct rd_conf c;
	uint64_t cond;
	size_t n;

	(void)state;
	rd_conf_defaults(&c);
	st(&a, 0, 0, 100, 0, 0, 0, 0, 0, 0);
	/* Nothing changed: nothing. */
	assert_int_equal(rd_diff(&a, &a, 0, &c.global, ev), 0);

	/* 3 remaps, 2 of them automatic; a read failed, a unit pending. */
	st(&b, 3, 3, 100, 1, 3, 2, 1, 0, 0);
	n = rd_diff(&a, &b, 0, &c.global, ev);
	assert_int_equal(n, 4);
	assert_int_equal(ev[0].e, RD_EV_REMAP);
	assert_int_equal(ev[0].count, 1);
	assert_int_equal(ev[1].e, RD_EV_AUTO_REMAP);
	assert_int_equal(ev[1].count, 2);
	assert_int_equal(ev[2].e, RD_EV_PENDING);
	assert_int_equal(ev[2].count, 1);
	assert_int_equal(ev[3].e, RD_EV_UNCORRECTABLE_READ);

	/* An unremap changes no counter that is news. */
	a = b;
	b.v[REMAP_F_REMAPPED_UNITS] = 2;
	b.v[REMAP_F_SPARE_USED] = 2;
	cond = rd_conditions(&a, &c.global);
	assert_int_equal(rd_diff(&a, &b, cond, &c.global, ev), 0);

	/* Lost sectors and spare errors, with their counts. */
	a = b;
	b.v[REMAP_F_LOST_SECTORS] = 6;
	b.v[REMAP_F_SPARE_ERRORS] = 2;
	n = rd_diff(&a, &b, cond, &c.global, ev);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].e, RD_EV_LOST_SECTORS);
	assert_int_equal(ev[0].count, 6);
	assert_int_equal(ev[1].e, RD_EV_SPARE_ERROR);
	assert_int_equal(ev[1].count, 2);

	/* A counter that went down (a re-formatted spare): no event. */
	assert_int_equal(rd_diff(&b, &a, cond, &c.global, ev), 0);
	rd_conf_free(&c);
}

static void test_thresholds(void **state)
{
	struct remap_status a, b;
	struct rd_ev ev[RD_NR_EVENTS];
	struct rd_conf c;
	uint64_t cond;
	size_t n;

	(void)state;
	rd_conf_defaults(&c);
	st(&a, 79, 79, 100, 0, 79, 0, 0, 0, 0);
	cond = rd_conditions(&a, &c.global);
	assert_true(cond == 0);
	st(&b, 80, 80, 100, 0, 80, 0, 0, 0, 0);
	n = rd_diff(&a, &b, cond, &c.global, ev);
	assert_int_equal(n, 2);
	assert_int_equal(ev[1].e, RD_EV_SPARE_WARNING);
	assert_int_equal(ev[1].count, 80);
	cond = rd_conditions(&b, &c.global);
	/* Still above: not again. */
	a = b;
	b.v[REMAP_F_SPARE_USED] = 81;
	n = rd_diff(&a, &b, cond, &c.global, ev);
	assert_int_equal(n, 0);
	/* Critical and exhausted together, after warning was announced. */
	a = b;
	b.v[REMAP_F_SPARE_USED] = 100;
	b.v[REMAP_F_SPARE_FREE] = 0;
	b.v[REMAP_F_SPARE_EXHAUSTED] = REMAP_W_ON;
	n = rd_diff(&a, &b, cond, &c.global, ev);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].e, RD_EV_SPARE_CRITICAL);
	assert_int_equal(ev[0].count, 100);
	assert_int_equal(ev[1].e, RD_EV_SPARE_EXHAUSTED);
	/* A grown pool: below again; crossing again is announced again. */
	st(&a, 10, 10, 1000, 0, 10, 0, 0, 0, 0);
	cond = rd_conditions(&a, &c.global);
	assert_true(cond == 0);
	/* Metadata failed. */
	b = a;
	b.v[REMAP_F_METADATA] = REMAP_W_META_FAILED;
	b.v[REMAP_F_DOUBT_UNITS] = 3;
	n = rd_diff(&a, &b, cond, &c.global, ev);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].e, RD_EV_METADATA_FAILED);
	assert_int_equal(ev[0].count, 3);
	/* A new device with pending units: pending announced from its count. */
	st(&a, 0, 0, 10, 2, 0, 0, 0, 0, 0);
	n = rd_diff(&a, &a, 0, &c.global, ev);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].e, RD_EV_PENDING);
	assert_int_equal(ev[0].count, 2);
	/* No pool: never a threshold. */
	st(&a, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_true(rd_conditions(&a, &c.global) == 0);
	assert_int_equal(rd_spare_pct(&a), 0);
	rd_conf_free(&c);
}

static void test_reminders(void **state)
{
	struct rd_settings s;
	struct rd_conf c;

	(void)state;
	rd_conf_defaults(&c);
	s = c.global;
	s.reminder_interval = 100;
	s.reminder = RD_REMIND_ONCE;
	assert_int_equal(rd_reminder_due(&s, 1000, 1), 0);
	s.reminder = RD_REMIND_DAILY;
	assert_int_equal(rd_reminder_due(&s, 1000, 1), 1100);
	assert_int_equal(rd_reminder_due(&s, 1100, 2), 1200);
	s.reminder = RD_REMIND_DIMINISHING;
	assert_int_equal(rd_reminder_due(&s, 1000, 1), 1100);
	assert_int_equal(rd_reminder_due(&s, 1100, 2), 1300);
	assert_int_equal(rd_reminder_due(&s, 1300, 3), 1700);
	assert_int_equal(rd_reminder_due(&s, 1700, 4), 2500);
	rd_conf_free(&c);
}

static void test_event_names(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < RD_NR_EVENTS; e++)
		assert_int_equal(rd_event_by_name(rd_event_names[e],
						  strlen(rd_event_names[e])), e);
	assert_int_equal(rd_event_by_name("scrub_started", 13),
			 RD_EV_SCRUB_STARTED);
	assert_int_equal(rd_event_by_name("scrub_start", 11), -1);
	assert_true(rd_event_is_condition[RD_EV_PENDING]);
	assert_false(rd_event_is_condition[RD_EV_AUTO_REMAP]);
}

static void scrub_st(struct remap_status *s, u64 state, u64 start, u64 pos,
		     u64 end, u64 passes, u64 last)
{
	st(s, 0, 0, 100, 0, 0, 0, 0, 0, 0);
	s->v[REMAP_F_SCRUB_STATE] = state;
	s->v[REMAP_F_SCRUB_START] = start;
	s->v[REMAP_F_SCRUB_POSITION] = pos;
	s->v[REMAP_F_SCRUB_END] = end;
	s->v[REMAP_F_SCRUB_PASSES] = passes;
	s->v[REMAP_F_SCRUB_LAST_PASS_END] = last;
}

static void test_scrub_events(void **state)
{
	struct remap_status a, b;
	struct rd_ev ev[RD_NR_EVENTS];
	struct rd_conf c;

	(void)state;
	rd_conf_defaults(&c);
	/* idle -> running: started, with the sectors of the range. */
	scrub_st(&a, REMAP_W_SCRUB_IDLE, 0, 0, 0, 0, 0);
	scrub_st(&b, REMAP_W_SCRUB_RUNNING, 64, 64, 1088, 0, 0);
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 1);
	assert_int_equal(ev[0].e, RD_EV_SCRUB_STARTED);
	assert_int_equal(ev[0].count, 1024);
	/* running -> paused -> running: no event. */
	a = b;
	b.v[REMAP_F_SCRUB_STATE] = REMAP_W_SCRUB_PAUSED;
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 0);
	assert_int_equal(rd_diff(&b, &a, 0, &c.global, ev), 0);
	/* Findings: relocated, weak and pending add up. */
	b = a;
	b.v[REMAP_F_SCRUB_READ_ERRORS] = 5;
	b.v[REMAP_F_SCRUB_RELOCATED] = 1;
	b.v[REMAP_F_SCRUB_WEAK] = 2;
	b.v[REMAP_F_SCRUB_PENDING] = 1;
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 1);
	assert_int_equal(ev[0].e, RD_EV_SCRUB_FOUND);
	assert_int_equal(ev[0].count, 4);
	/* Read errors alone (a scrubber that only reports) are findings. */
	b = a;
	b.v[REMAP_F_SCRUB_READ_ERRORS] = 3;
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 1);
	assert_int_equal(ev[0].count, 3);
	/* A pass ends between two looks: started, found, finished. */
	scrub_st(&a, REMAP_W_SCRUB_IDLE, 0, 0, 0, 0, 0);
	scrub_st(&b, REMAP_W_SCRUB_IDLE, 0, 2048, 2048, 1, 1000);
	b.v[REMAP_F_SCRUB_PENDING] = 1;
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 2);
	assert_int_equal(ev[0].e, RD_EV_SCRUB_FOUND);
	assert_int_equal(ev[1].e, RD_EV_SCRUB_FINISHED);
	assert_int_equal(ev[1].count, 1);
	/* A pass ended and the next began: finished and started. */
	scrub_st(&a, REMAP_W_SCRUB_RUNNING, 0, 1000, 2048, 1, 1000);
	scrub_st(&b, REMAP_W_SCRUB_RUNNING, 0, 8, 2048, 2, 2000);
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 2);
	assert_int_equal(ev[0].e, RD_EV_SCRUB_STARTED);
	assert_int_equal(ev[1].e, RD_EV_SCRUB_FINISHED);
	/* A module without the scrubber: nothing. */
	a.have[REMAP_F_SCRUB_STATE] = false;
	assert_int_equal(rd_diff(&a, &b, 0, &c.global, ev), 0);
	rd_conf_free(&c);
}

/* A section copies exactly the settings it names, every kind of them. */
static void test_section_fields(void **state)
{
	struct rd_settings cf;
	struct rd_conf c;
	char err[256];

	(void)state;
	assert_int_equal(parse("scrub_rate = 1024\nscrub_window = 22:30-04:00\n"
			       "reminder_interval = 3600\n"
			       "[device b]\nscrub_window = 01:00-02:30\n"
			       "scrub_rate = 0\nreminder_interval = 120\n"
			       "[device c]\nscrub_interval = 1d\nevents = pending\n"
			       "program_timeout = 9\nreminder = daily\n",
			       &c, err, sizeof(err)), 0);
	rd_conf_resolve(&c, "b", "", &cf);
	assert_int_equal(cf.scrub_window_start, 60);
	assert_int_equal(cf.scrub_window_end, 150);
	assert_int_equal(cf.scrub_rate, 0);
	assert_int_equal(cf.reminder_interval, 120);
	assert_int_equal(cf.scrub_interval, 0);
	rd_conf_resolve(&c, "c", "", &cf);
	assert_int_equal(cf.scrub_window_start, 22 * 60 + 30);
	assert_int_equal(cf.scrub_window_end, 4 * 60);
	assert_int_equal(cf.scrub_rate, 1024);
	assert_int_equal(cf.reminder_interval, 3600);
	assert_int_equal(cf.scrub_interval, 86400);
	assert_true(cf.events == RD_EVENT_BIT(RD_EV_PENDING));
	assert_int_equal(cf.program_timeout, 9);
	assert_int_equal(cf.reminder, RD_REMIND_DAILY);
	rd_conf_free(&c);
}

static void test_scrub_schedule(void **state)
{
	struct remap_status s;
	struct rd_settings cf;
	struct rd_conf c;
	char err[256];
	unsigned int d;

	(void)state;
	assert_int_equal(rd_parse_duration("90", 1000, &d), 0);
	assert_int_equal(d, 90);
	assert_int_equal(rd_parse_duration("2w", 30UL * 86400, &d), 0);
	assert_int_equal(d, 14 * 86400);
	assert_int_equal(rd_parse_duration("5m", 299, &d), -1);
	assert_int_equal(rd_parse_duration("5mm", 1000, &d), -1);
	assert_int_equal(rd_parse_duration("", 1000, &d), -1);
	assert_int_equal(rd_parse_duration("99999999999999999999", ~0UL, &d), -1);

	assert_int_equal(parse("scrub_interval = 7d\nscrub_window = 22:30-04:00\n"
			       "scrub_rate = 1024\n[device b]\nscrub_interval = off\n",
			       &c, err, sizeof(err)), 0);
	rd_conf_resolve(&c, "a", "", &cf);
	assert_int_equal(cf.scrub_interval, 7 * 86400);
	assert_int_equal(cf.scrub_window_start, 22 * 60 + 30);
	assert_int_equal(cf.scrub_window_end, 4 * 60);
	assert_int_equal(cf.scrub_rate, 1024);
	/* A window that wraps midnight. */
	assert_true(rd_in_window(&cf, 23 * 60));
	assert_true(rd_in_window(&cf, 0));
	assert_true(rd_in_window(&cf, 22 * 60 + 30));
	assert_false(rd_in_window(&cf, 4 * 60));
	assert_false(rd_in_window(&cf, 12 * 60));

	/* Never scrubbed, in the window: start. */
	scrub_st(&s, REMAP_W_SCRUB_IDLE, 0, 0, 0, 0, 0);
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 23 * 60),
			 RD_SCRUB_START);
	/* Outside the window: wait. */
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 12 * 60),
			 RD_SCRUB_NOTHING);
	/* A pass 6 days ago (the target's or the remembered one): wait. */
	s.v[REMAP_F_SCRUB_LAST_PASS_END] = 1000000 - 6 * 86400;
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 23 * 60),
			 RD_SCRUB_NOTHING);
	s.v[REMAP_F_SCRUB_LAST_PASS_END] = 1000000 - 8 * 86400;
	assert_int_equal(rd_scrub_due(&cf, &s, 1000000 - 86400, false, false,
				      1000000, 23 * 60), RD_SCRUB_NOTHING);
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 23 * 60),
			 RD_SCRUB_START);
	/* Ours and running when the window ends: pause; someone else's: no. */
	s.v[REMAP_F_SCRUB_STATE] = REMAP_W_SCRUB_RUNNING;
	assert_int_equal(rd_scrub_due(&cf, &s, 0, true, false, 1000000, 5 * 60),
			 RD_SCRUB_PAUSE);
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 5 * 60),
			 RD_SCRUB_NOTHING);
	assert_int_equal(rd_scrub_due(&cf, &s, 0, true, false, 1000000, 23 * 60),
			 RD_SCRUB_NOTHING);
	/* Paused by remapd: resumed in the window; paused by a user: left. */
	s.v[REMAP_F_SCRUB_STATE] = REMAP_W_SCRUB_PAUSED;
	assert_int_equal(rd_scrub_due(&cf, &s, 0, true, true, 1000000, 23 * 60),
			 RD_SCRUB_RESUME);
	assert_int_equal(rd_scrub_due(&cf, &s, 0, true, true, 1000000, 5 * 60),
			 RD_SCRUB_NOTHING);
	assert_int_equal(rd_scrub_due(&cf, &s, 0, true, false, 1000000, 23 * 60),
			 RD_SCRUB_NOTHING);
	/* No schedule for device b; none without a scrubber. */
	rd_conf_resolve(&c, "b", "", &cf);
	s.v[REMAP_F_SCRUB_STATE] = REMAP_W_SCRUB_IDLE;
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 23 * 60),
			 RD_SCRUB_NOTHING);
	rd_conf_resolve(&c, "a", "", &cf);
	s.have[REMAP_F_SCRUB_STATE] = false;
	assert_int_equal(rd_scrub_due(&cf, &s, 0, false, false, 1000000, 23 * 60),
			 RD_SCRUB_NOTHING);
	rd_conf_free(&c);
}

static void test_listen(void **state)
{
	char host[64];
	uint16_t port;

	(void)state;
	assert_int_equal(rd_parse_listen("127.0.0.1:9469", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9469);
	assert_int_equal(rd_parse_listen("[::1]:80", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 80);
	assert_int_equal(rd_parse_listen("127.0.0.1:0", host, sizeof(host), &port), -1);
	assert_int_equal(rd_parse_listen("127.0.0.1:65536", host, sizeof(host), &port), -1);
	assert_int_equal(rd_parse_listen("127.0.0.1:80x", host, sizeof(host), &port), -1);
	assert_int_equal(rd_parse_listen("127.0.0.1", host, sizeof(host), &port), -1);
	assert_int_equal(rd_parse_listen("1234567890:80", host, 8, &port), -1);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_scrub_events),
	cmocka_unit_test(test_section_fields),
	cmocka_unit_test(test_scrub_schedule),
	cmocka_unit_test(test_listen),
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_full),
	cmocka_unit_test(test_errors),
	cmocka_unit_test(test_diff),
	cmocka_unit_test(test_thresholds),
	cmocka_unit_test(test_reminders),
	cmocka_unit_test(test_event_names),
};

TEST_MAIN(tests)
