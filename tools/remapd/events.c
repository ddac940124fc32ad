// SPDX-License-Identifier: GPL-2.0-only
/*
 * events.c - the named events between two status snapshots of a device,
 * the conditions a status is in, and when a condition is reminded of.
 */
#include "remapd.h"

unsigned int rd_spare_pct(const struct remap_status *s)
{
	uint64_t used = s->v[REMAP_F_SPARE_USED];
	uint64_t total = s->v[REMAP_F_SPARE_UNITS];

	if (!total)
		return 0;
	if (used >= total)
		return 100;
	/* used * 100 cannot overflow for a pool that fits in memory. */
	return (unsigned int)(used * 100 / total);
}

uint64_t rd_conditions(const struct remap_status *s,
		       const struct rd_settings *cf)
{
	unsigned int pct = rd_spare_pct(s);
	uint64_t m = 0;

	if (s->v[REMAP_F_PENDING_UNITS])
		m |= RD_EVENT_BIT(RD_EV_PENDING);
	if (s->v[REMAP_F_SPARE_UNITS] && pct >= cf->spare_warning)
		m |= RD_EVENT_BIT(RD_EV_SPARE_WARNING);
	if (s->v[REMAP_F_SPARE_UNITS] && pct >= cf->spare_critical)
		m |= RD_EVENT_BIT(RD_EV_SPARE_CRITICAL);
	if (s->have[REMAP_F_SPARE_EXHAUSTED] &&
	    s->v[REMAP_F_SPARE_EXHAUSTED] == REMAP_W_ON)
		m |= RD_EVENT_BIT(RD_EV_SPARE_EXHAUSTED);
	if (s->v[REMAP_F_METADATA] == REMAP_W_META_FAILED)
		m |= RD_EVENT_BIT(RD_EV_METADATA_FAILED);
	return m;
}

/* How much a counter grew (0 if it did not, or went down: a new table). */
static uint64_t grew(const struct remap_status *o, const struct remap_status *c,
		     enum remap_field f)
{
	return c->v[f] > o->v[f] ? c->v[f] - o->v[f] : 0;
}

/*
 * The scrub events: a pass began (a scrub left idle, or a new pass began
 * after one ended: count, the sectors it covers), units were found bad
 * (relocated, weak or made pending; read errors alone when the scrubber
 * only reports), passes ended.
 */
static size_t scrub_diff(const struct remap_status *o,
			 const struct remap_status *c, struct rd_ev *out)
{
	bool busy = c->v[REMAP_F_SCRUB_STATE] != REMAP_W_SCRUB_IDLE;
	uint64_t passes = grew(o, c, REMAP_F_SCRUB_PASSES);
	uint64_t found = grew(o, c, REMAP_F_SCRUB_RELOCATED) +
			 grew(o, c, REMAP_F_SCRUB_WEAK) +
			 grew(o, c, REMAP_F_SCRUB_PENDING);
	size_t n = 0;

	if (busy && (o->v[REMAP_F_SCRUB_STATE] == REMAP_W_SCRUB_IDLE ||
		     passes)) {
		out[n].e = RD_EV_SCRUB_STARTED;
		out[n++].count = c->v[REMAP_F_SCRUB_END] -
				 (c->v[REMAP_F_SCRUB_START] <
				  c->v[REMAP_F_SCRUB_END] ?
				  c->v[REMAP_F_SCRUB_START] :
				  c->v[REMAP_F_SCRUB_END]);
	}
	if (!found)
		found = grew(o, c, REMAP_F_SCRUB_READ_ERRORS);
	if (found) {
		out[n].e = RD_EV_SCRUB_FOUND;
		out[n++].count = found;
	}
	if (passes) {
		out[n].e = RD_EV_SCRUB_FINISHED;
		out[n++].count = passes;
	}
	return n;
}

size_t rd_diff(const struct remap_status *old, const struct remap_status *cur,
	       uint64_t old_cond, const struct rd_settings *cf,
	       struct rd_ev *out)
{
	uint64_t cond = rd_conditions(cur, cf);
	uint64_t realloc_n = grew(old, cur, REMAP_F_REALLOCATION_EVENTS);
	uint64_t auto_n = grew(old, cur, REMAP_F_AUTO_REMAPS);
	size_t n = 0;

#define ADD(ev, cnt) do {			\
		out[n].e = (ev);		\
		out[n].count = (cnt);		\
		n++;				\
	} while (0)

	/* Reallocation events that the error path did not make: messages. */
	if (realloc_n > auto_n)
		ADD(RD_EV_REMAP, realloc_n - auto_n);
	if (auto_n)
		ADD(RD_EV_AUTO_REMAP, auto_n);
	/* Pending: whenever it grows, and when announced the first time. */
	if (grew(old, cur, REMAP_F_PENDING_UNITS))
		ADD(RD_EV_PENDING, grew(old, cur, REMAP_F_PENDING_UNITS));
	else if ((cond & ~old_cond) & RD_EVENT_BIT(RD_EV_PENDING))
		ADD(RD_EV_PENDING, cur->v[REMAP_F_PENDING_UNITS]);
	if (grew(old, cur, REMAP_F_UNCORRECTABLE_READS))
		ADD(RD_EV_UNCORRECTABLE_READ,
		    grew(old, cur, REMAP_F_UNCORRECTABLE_READS));
	if (grew(old, cur, REMAP_F_LOST_SECTORS))
		ADD(RD_EV_LOST_SECTORS, grew(old, cur, REMAP_F_LOST_SECTORS));
	if (grew(old, cur, REMAP_F_SPARE_ERRORS))
		ADD(RD_EV_SPARE_ERROR, grew(old, cur, REMAP_F_SPARE_ERRORS));
	if ((cond & ~old_cond) & RD_EVENT_BIT(RD_EV_SPARE_WARNING))
		ADD(RD_EV_SPARE_WARNING, rd_spare_pct(cur));
	if ((cond & ~old_cond) & RD_EVENT_BIT(RD_EV_SPARE_CRITICAL))
		ADD(RD_EV_SPARE_CRITICAL, rd_spare_pct(cur));
	if ((cond & ~old_cond) & RD_EVENT_BIT(RD_EV_SPARE_EXHAUSTED))
		ADD(RD_EV_SPARE_EXHAUSTED, cur->v[REMAP_F_SPARE_FREE]);
	if ((cond & ~old_cond) & RD_EVENT_BIT(RD_EV_METADATA_FAILED))
		ADD(RD_EV_METADATA_FAILED, cur->v[REMAP_F_DOUBT_UNITS]);
	if (old->have[REMAP_F_SCRUB_STATE] && cur->have[REMAP_F_SCRUB_STATE])
		n += scrub_diff(old, cur, out + n);
#undef ADD
	return n;
}

time_t rd_reminder_due(const struct rd_settings *cf, time_t last,
		       unsigned int n)
{
	time_t iv = (time_t)cf->reminder_interval;
	unsigned int sh;

	switch (cf->reminder) {
	case RD_REMIND_ONCE:
		return 0;
	case RD_REMIND_DAILY:
		return last + iv;
	case RD_REMIND_DIMINISHING:
		/* After the first announcement: 1, 2, 4, 8, ... intervals. */
		sh = n ? n - 1 : 0;
		if (sh > 20)
			sh = 20;
		return last + iv * ((time_t)1 << sh);
	}
	return 0;
}

bool rd_in_window(const struct rd_settings *cf, int m)
{
	int a = cf->scrub_window_start, b = cf->scrub_window_end;

	if (a < 0)
		return true;
	/* [a, b); a window that ends before it starts wraps midnight. */
	return a < b ? m >= a && m < b : m >= a || m < b;
}

enum rd_scrub_action rd_scrub_due(const struct rd_settings *cf,
				  const struct remap_status *st,
				  time_t last_end, bool ours,
				  bool paused_by_us, time_t now, int minute)
{
	bool in = rd_in_window(cf, minute);
	time_t last;

	if (!cf->scrub_interval || cf->ignore ||
	    !st->have[REMAP_F_SCRUB_STATE])
		return RD_SCRUB_NOTHING;
	switch (st->v[REMAP_F_SCRUB_STATE]) {
	case REMAP_W_SCRUB_RUNNING:
		/* Only a scrub remapd started is remapd's to pause. */
		return ours && !in ? RD_SCRUB_PAUSE : RD_SCRUB_NOTHING;
	case REMAP_W_SCRUB_PAUSED:
		/* A scrub someone else paused stays paused. */
		return ours && paused_by_us && in ? RD_SCRUB_RESUME :
		       RD_SCRUB_NOTHING;
	case REMAP_W_SCRUB_IDLE:
		if (!in)
			return RD_SCRUB_NOTHING;
		last = (time_t)st->v[REMAP_F_SCRUB_LAST_PASS_END];
		if (last_end > last)
			last = last_end;
		if (!last || now - last >= (time_t)cf->scrub_interval)
			return RD_SCRUB_START;
		return RD_SCRUB_NOTHING;
	}
	return RD_SCRUB_NOTHING;
}
