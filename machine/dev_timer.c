/*
 * dev_timer.c - the periodic timer that drives preemption.
 *
 * The timer counts the machine's cycles, not host time, so a run is
 * deterministic: writing PERIOD = N at cycle c makes TIMER pending at
 * cycles c + N, c + 2N, ...  The ticks stay on that grid whatever the
 * moment the host gets round to calling tick(): the next deadline is the
 * previous deadline plus N, never "now" plus N, so the timer does not
 * drift.  If the host comes late by several periods, the missed ticks
 * collapse into one (the line is a level: a tick while TIMER is already
 * pending is not counted twice).
 *
 * The pending TIMER is the host's interrupt line itself: the timer raises
 * it on a tick and drops it on ACK or on a write of PERIOD.
 */
#include <string.h>

#include "../isa/isa.h"
#include "devices.h"

static uint32_t timer_read(void *dev, uint32_t offset)
{
	struct dev_timer *t = dev;
	/* ACK is write-only; other offsets are no register. */
	return offset == TIMER_PERIOD ? t->period : 0;
}

static void timer_write(void *dev, uint32_t offset, uint32_t value)
{
	struct dev_timer *t = dev;

	switch (offset) {
	case TIMER_PERIOD: /* restart the count from this cycle */
		t->period = value;
		t->next = value ? t->host.now(t->host.ctx) + value : DEV_NEVER;
		t->host.set_irq(t->host.ctx, IRQ_TIMER, false);
		break;
	case TIMER_ACK:
		t->host.set_irq(t->host.ctx, IRQ_TIMER, false);
		break;
	default:
		break;
	}
}

/* Raises TIMER if the deadline has come; returns the next deadline. */
static uint64_t timer_tick(void *dev, uint64_t now)
{
	struct dev_timer *t = dev;

	if (t->next == DEV_NEVER || now < t->next)
		return t->next;
	t->host.set_irq(t->host.ctx, IRQ_TIMER, true);
	/* The first deadline on the grid next + k * period that is > now. */
	uint64_t missed = (now - t->next) / t->period;
	t->next += (missed + 1) * t->period;
	return t->next;
}

static uint64_t timer_deadline(void *dev)
{
	const struct dev_timer *t = dev;
	return t->next;
}

const struct dev_ops dev_timer_ops = {
	.name = "timer",
	.read = timer_read,
	.write = timer_write,
	.tick = timer_tick,
	.deadline = timer_deadline,
};

/* Sets up a timer that is off (period 0, no deadline). */
void dev_timer_init(struct dev_timer *t, const struct dev_host *host)
{
	memset(t, 0, sizeof *t);
	t->host = *host;
	t->next = DEV_NEVER;
}
