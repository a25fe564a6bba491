/*
 * machine.c - the machine as a whole: making one, loading an image, the
 * cycle clock, hosting the devices, and the run loop that alternates
 * between batches of instructions and the events between them.
 */
/* MAP_ANONYMOUS and madvise are not in POSIX.1-2008: ask glibc
 * (_DEFAULT_SOURCE) and macOS (_DARWIN_C_SOURCE) for them. */
#define _DEFAULT_SOURCE
#define _DARWIN_C_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON /* the older BSD spelling */
#endif

#include "internal.h"

static const struct {
	uint32_t cycles;
	const char *name, *doc;
} cost_table[COST_COUNT] = {
#define MACH_X_COSTROW(name, cycles, doc) [COST_##name] = {cycles, #name, doc},
	MACH_COSTS(MACH_X_COSTROW)
#undef MACH_X_COSTROW
};

uint32_t mach_cost(enum mach_cost c)
{
	return cost_table[c].cycles;
}

const char *mach_cost_name(enum mach_cost c)
{
	return c < COST_COUNT ? cost_table[c].name : NULL;
}

const char *mach_cost_doc(enum mach_cost c)
{
	return c < COST_COUNT ? cost_table[c].doc : NULL;
}

/* ---- the clock ------------------------------------------------------------ */

/* While a batch runs, m->cycles is stale and the batch's counter is true. */
uint64_t mach_now(const struct machine *m)
{
	return m->batch_end - (uint64_t)m->left;
}

/* Charges cycles beyond the one every instruction costs. */
void mach_extra(struct machine *m, uint64_t cycles)
{
	m->left -= (int64_t)cycles;
	m->extra_cycles += cycles;
}

uint64_t mach_cycles(const struct machine *m)
{
	return mach_now(m);
}

uint64_t mach_instret(const struct machine *m)
{
	return mach_now(m) - m->extra_cycles - m->trapped - m->stopped_insns;
}

uint64_t mach_silent_sensitive(const struct machine *m)
{
	return m->silent_total;
}

void mach_set_rdcycle_offset(struct machine *m, uint64_t offset)
{
	m->rdcycle_offset = offset;
}

void mach_get_stats(const struct machine *m, struct mach_stats *st)
{
	*st = (struct mach_stats){
		.cycles = mach_now(m),
		.instret = mach_instret(m),
		.traps = m->trapped,
		.interrupts = m->interrupts,
		.tlb_misses = m->tlb_misses,
		.walk_reads = m->walk_reads,
		.device_accesses = m->device_accesses,
		.vm_entries = m->vm_entries,
		.vm_exits = m->vm_exits,
		.nested_refs = m->nested_refs,
	};
	memcpy(st->exits_by_reason, m->exits_by_reason,
	       sizeof st->exits_by_reason);
	memcpy(st->silent_sensitive, m->silent_sensitive,
	       sizeof st->silent_sensitive);
}

void mach_charge(struct machine *m, uint64_t cycles)
{
	mach_extra(m, cycles);
}

/* ---- hosting the devices ------------------------------------------------- */

static void host_set_irq(void *ctx, unsigned irq, bool level)
{
	struct machine *m = ctx;
	if (level)
		m->irq_lines |= 1u << irq;
	else
		m->irq_lines &= ~(1u << irq);
	m->batch_stop = true;
}

static bool host_dma(void *ctx, uint32_t pa, void *buf, uint32_t len,
		     bool to_ram)
{
	struct machine *m = ctx;
	return to_ram ? mach_phys_write(m, pa, buf, len)
		      : mach_phys_read(m, pa, buf, len);
}

static void host_halt(void *ctx, uint32_t status)
{
	struct machine *m = ctx;
	m->halted = true;
	m->exit_status = status;
	m->batch_stop = true;
}

static uint64_t host_now(void *ctx)
{
	return mach_now(ctx);
}

/* Devices are attached in the order of their addresses, so the clocked
 * ones are listed in that order too. */
static void attach(struct machine *m, uint32_t base, const struct dev_ops *ops,
		   void *dev)
{
	struct device_slot *d = &m->slots[(base - DEVICE_SPACE) >> PAGE_SHIFT];
	*d = (struct device_slot){.ops = ops, .dev = dev};
	if (ops->tick && ops->deadline)
		m->clocked[m->nclocked++] = d;
}

void mach_devices_touched(struct machine *m)
{
	m->deadline_known = false;
}

/* Runs the clocks of devices whose deadline has come; returns the next
 * deadline of all of them.  (A device's tick touches no other device.) */
uint64_t mach_service_devices(struct machine *m)
{
	uint64_t now = mach_now(m), next = DEV_NEVER;
	if (m->deadline_known && now < m->deadline)
		return m->deadline; /* nothing is due, nothing moved */
	for (int k = 0; k < m->nclocked; k++) {
		const struct device_slot *d = m->clocked[k];
		uint64_t t = d->ops->deadline(d->dev);
		if (t <= now) {
			d->ops->tick(d->dev, now);
			t = d->ops->deadline(d->dev);
		}
		if (t < next)
			next = t;
	}
	m->deadline = next;
	m->deadline_known = true;
	return next;
}

uint64_t mach_next_deadline(struct machine *m)
{
	if (m->deadline_known)
		return m->deadline;
	uint64_t next = DEV_NEVER;
	for (int k = 0; k < m->nclocked; k++) {
		const struct device_slot *d = m->clocked[k];
		uint64_t t = d->ops->deadline(d->dev);
		if (t < next)
			next = t;
	}
	m->deadline = next;
	m->deadline_known = true;
	return next;
}

/* ---- life cycle ----------------------------------------------------------- */

struct machine *mach_new(const struct mach_config *cfg)
{
	struct mach_config c = *cfg;
	if (c.ram_size == 0)
		c.ram_size = MACH_DEFAULT_RAM;
	if (c.ram_size % PAGE_SIZE || c.ram_size > MACH_MAX_RAM)
		return NULL;

	struct machine *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->cfg = c;
	m->monitor = c.monitor;
	m->ram_size = c.ram_size;
	/* RAM from mmap rather than calloc: the kernel hands out zeroed
	 * pages only when first touched, so a large RAM (the VMM's host
	 * memory is sized for every VM and its shadows) costs nothing until
	 * used -- even under the sanitizers, whose calloc touches it all. */
	void *ram = mmap(NULL, c.ram_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->ram = ram == MAP_FAILED ? NULL : ram;
	/* Huge pages where the kernel offers them: the guest OS touches
	 * megabytes, and a fault per 4 KiB page took half its boot time. */
#ifdef MADV_HUGEPAGE /* Linux only: elsewhere the pages stay small */
	if (m->ram)
		madvise(m->ram, c.ram_size, MADV_HUGEPAGE);
#endif
	m->code = calloc(c.ram_size / PAGE_SIZE, sizeof *m->code);
	if (!m->ram || !m->code) {
		mach_free(m);
		return NULL;
	}

	struct dev_host host = {
		.ctx = m,
		.set_irq = host_set_irq,
		.dma = host_dma,
		.halt = host_halt,
		.now = host_now,
	};
	dev_console_init(&m->console, &host);
	dev_timer_init(&m->timer, &host);
	dev_test_init(&m->test, &host);
	if (dev_disk_init(&m->disk, &host) != 0) {
		mach_free(m);
		return NULL;
	}
	attach(m, DEV_CONSOLE_BASE, &dev_console_ops, &m->console);
	attach(m, DEV_TIMER_BASE, &dev_timer_ops, &m->timer);
	attach(m, DEV_DISK_BASE, &dev_disk_ops, &m->disk);
	attach(m, DEV_TEST_BASE, &dev_test_ops, &m->test);

	/* Everything empty; from now on mmu_flush empties what was filled. */
	for (int i = 0; i < TLB_SIZE; i++)
		m->tlb[i].tag = TLB_NO_TAG;
	for (int r = 0; r < REGIMES; r++)
		for (int k = 0; k < FAST_KINDS; k++)
			for (int i = 0; i < TLB_SIZE; i++)
				m->fast[r].kind[k].tag[i] = TLB_NO_TAG;
	mach_reset(m);
	return m;
}

void mach_free(struct machine *m)
{
	if (!m)
		return;
	if (m->code)
		for (uint32_t p = 0; p < m->ram_size / PAGE_SIZE; p++)
			free(m->code[p]);
	free(m->code);
	if (m->disk.host.ctx) /* initialised */
		dev_disk_destroy(&m->disk);
	if (m->ram)
		munmap(m->ram, m->ram_size);
	free(m);
}

void mach_reset(struct machine *m)
{
	memset(&m->cpu, 0, sizeof m->cpu);
	m->cpu.cr[CR_PSW] = PSW_MODE;
	mmu_flush(m);
	mmu_select_regime(m);
	m->code_cur = NULL;
	m->halted = false;
	m->stop_pending = false;
	m->irq_lines = 0;
	/* No trap has been taken: no instruction can be a handler's first. */
	m->dispatched_at_trap = UINT64_MAX;
}

int mach_load_image(struct machine *m, const struct elf_image *img, char *err,
		    size_t errsize)
{
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if ((uint64_t)s->addr + s->size > m->ram_size) {
			snprintf(err, errsize,
				 "segment %s (0x%08x..0x%08llx) lies outside RAM "
				 "(0x0..0x%08x)",
				 s->name, s->addr,
				 (unsigned long long)s->addr + s->size,
				 m->ram_size);
			return -1;
		}
	}
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		mach_phys_write(m, s->addr, s->data, s->filesz);
		memset(m->ram + s->addr + s->filesz, 0, s->size - s->filesz);
		mmu_code_written(m, s->addr, s->size);
	}
	m->cpu.pc = img->entry;
	return 0;
}

/* ---- the host's view of memory --------------------------------------------- */

uint32_t mach_ram_size(const struct machine *m)
{
	return m->ram_size;
}

static bool in_ram(const struct machine *m, uint32_t pa, uint32_t len)
{
	return (uint64_t)pa + len <= m->ram_size;
}

bool mach_phys_read(struct machine *m, uint32_t pa, void *buf, uint32_t len)
{
	if (!in_ram(m, pa, len))
		return false;
	memcpy(buf, m->ram + pa, len);
	return true;
}

bool mach_phys_write(struct machine *m, uint32_t pa, const void *buf,
		     uint32_t len)
{
	if (!in_ram(m, pa, len))
		return false;
	memcpy(m->ram + pa, buf, len);
	mmu_code_written(m, pa, len);
	return true;
}

/* ---- registers -------------------------------------------------------------- */

struct cpu *mach_cpu(struct machine *m)
{
	return &m->cpu;
}

void mach_set_cr(struct machine *m, unsigned cr, uint32_t value)
{
	if (cr >= CR_COUNT)
		return;
	if (cr == CR_PSW)
		value &= PSW_MASK;
	m->cpu.cr[cr] = value;
	if (cr == CR_PTBR)
		mmu_flush(m);
	if (cr == CR_PSW)
		mmu_select_regime(m);
	m->code_cur = NULL; /* the regime or the mapping of pc may differ */
}

/* The host may change the device it is given: forget the deadline. */
struct dev_console *mach_console(struct machine *m)
{
	mach_devices_touched(m);
	return &m->console;
}

struct dev_disk *mach_disk(struct machine *m)
{
	mach_devices_touched(m);
	return &m->disk;
}

const struct mach_exit *mach_exit(const struct machine *m)
{
	return &m->exit;
}

uint32_t mach_exit_status(const struct machine *m)
{
	return m->exit_status;
}

const char *mach_stop_name(enum mach_stop stop)
{
	switch (stop) {
	case MACH_STOP_HALT: return "halt";
	case MACH_STOP_BUDGET: return "budget";
	case MACH_STOP_EXIT: return "exit";
	case MACH_STOP_BREAKPOINT: return "breakpoint";
	case MACH_STOP_DOUBLE_FAULT: return "double fault";
	case MACH_STOP_DEADLOCK: return "deadlock";
	case MACH_STOP_VMEXIT: return "vm exit";
	}
	return "?";
}

bool mach_add_breakpoint(struct machine *m, uint32_t pc)
{
	for (int i = 0; i < m->nbreakpoints; i++)
		if (m->breakpoints[i] == pc)
			return true;
	if (m->nbreakpoints == MACH_MAX_BREAKPOINTS)
		return false;
	m->breakpoints[m->nbreakpoints++] = pc;
	return true;
}

bool mach_remove_breakpoint(struct machine *m, uint32_t pc)
{
	for (int i = 0; i < m->nbreakpoints; i++)
		if (m->breakpoints[i] == pc) {
			m->breakpoints[i] = m->breakpoints[--m->nbreakpoints];
			return true;
		}
	return false;
}

static bool at_breakpoint(const struct machine *m)
{
	for (int i = 0; i < m->nbreakpoints; i++)
		if (m->breakpoints[i] == m->cpu.pc)
			return true;
	return false;
}

/* ---- running ----------------------------------------------------------------- */

/*
 * Between batches: run due device clocks, then take a pending interrupt if
 * PSW.IE allows.  Returns true if the machine must stop (with m->stop);
 * else *deadline is the devices' next deadline.
 */
static bool between_batches(struct machine *m, uint64_t *deadline)
{
	*deadline = mach_service_devices(m);
	if (m->halted) {
		m->stop = MACH_STOP_HALT;
		return true;
	}
	if (m->vmcs)
		return vmx_boundary(m); /* the machine's lines exit */
	if (cpu_take_interrupt(m) && m->monitor) {
		m->stop = MACH_STOP_EXIT;
		return true;
	}
	return false;
}

#define MAX_BATCH (1ull << 32)

/*
 * Runs one batch until cycle limit, ending early at the devices' next
 * deadline.  A wfi in it may let time pass until wait_limit, or the
 * batch's end if that is later: a batch of one instruction (mach_step, or
 * a run with breakpoints) must not cut a long wait into a batch per cycle.
 * Returns true if the machine must stop (with m->stop).
 */
static bool run_batch(struct machine *m, uint64_t deadline, uint64_t limit,
		      uint64_t wait_limit)
{
	uint64_t now = mach_now(m);
	uint64_t end = deadline;
	if (end > limit)
		end = limit;
	if (end <= now)
		end = now + 1; /* an overdue deadline: let one instruction run */
	if (end - now > MAX_BATCH)
		end = now + MAX_BATCH; /* keeps the counter well inside int64_t */
	m->batch_end = end;
	m->wait_end = wait_limit > end ? wait_limit : end;
	m->left = (int64_t)(end - now);
	m->stop_pending = false;
	cpu_execute(m);
	return m->stop_pending;
}

enum mach_stop mach_run(struct machine *m, uint64_t budget)
{
	uint64_t start = mach_now(m);
	uint64_t limit = budget > UINT64_MAX - start ? UINT64_MAX : start + budget;
	bool first = true;
	uint64_t deadline;

	for (;;) {
		if (between_batches(m, &deadline))
			return m->stop;
		if (mach_now(m) >= limit)
			return MACH_STOP_BUDGET;
		if (m->nbreakpoints) {
			/* Slow but simple: one instruction at a time, so that
			 * every pc is seen before it executes. */
			if (at_breakpoint(m) && !first)
				return MACH_STOP_BREAKPOINT;
			first = false;
			if (run_batch(m, deadline, mach_now(m) + 1, limit))
				return m->stop;
			continue;
		}
		first = false;
		if (run_batch(m, deadline, limit, 0))
			return m->stop;
	}
}

/* Instructions dispatched so far: retired plus trapped. */
static uint64_t dispatched(const struct machine *m)
{
	return mach_now(m) - m->extra_cycles;
}

enum mach_stop mach_step(struct machine *m)
{
	mach_service_devices(m);
	if (m->halted)
		return MACH_STOP_HALT;
	if (cpu_take_interrupt(m))
		return m->monitor ? MACH_STOP_EXIT : MACH_STOP_BUDGET;
	/* A one-cycle batch may be spent on a TLB miss before the
	 * instruction runs: go on until one instruction has. */
	uint64_t before = dispatched(m);
	while (dispatched(m) == before) {
		/* a wfi completes within the step */
		if (run_batch(m, mach_next_deadline(m), mach_now(m) + 1,
			      UINT64_MAX))
			return m->stop;
	}
	mach_service_devices(m);
	return m->halted ? MACH_STOP_HALT : MACH_STOP_BUDGET;
}
