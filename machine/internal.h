/*
 * internal.h - private to machine/: the layout of struct machine and the
 * functions its files share.  Nothing outside machine/ includes this.
 *
 * How the machine is fast without skipping a check:
 *
 *  - Decoded-instruction cache.  Each physical page that has been executed
 *    gets a struct code_page: the 1024 instructions of the page, decoded
 *    lazily on first execution.  The interpreter walks it with a pointer,
 *    so sequential execution does no translation and no decoding.  A write
 *    to a code page (by the CPU, by DMA or by the host) makes the words it
 *    wrote decode again; a page written all over is dropped.
 *
 *  - Fast TLB.  The architectural TLB (struct tlb_entry, 256 entries,
 *    direct-mapped by VA bits 19:12) is backed by three "fast" arrays per
 *    translation regime (paging off; paging on in supervisor mode; paging
 *    on in user mode), one per access kind.  An entry is present only when
 *    an access of that kind, in that regime, would succeed with no side
 *    effect: the page is RAM, the permissions allow it, A is already set,
 *    D too for stores, and (for stores) the page holds no decoded code.
 *    Everything else takes the slow path, which does the full walk, sets
 *    A/D, raises the fault, or reaches a device.
 *
 *  - Batches.  Interrupts and device clocks are only looked at between
 *    batches; a batch ends at the next device deadline, at the end of the
 *    budget, or early when an instruction may have changed what is pending
 *    (a device access, a PSW write, rfe).  So the interpreter checks one
 *    counter per instruction and nothing else.
 */
#ifndef TRAPEZE_MACHINE_INTERNAL_H
#define TRAPEZE_MACHINE_INTERNAL_H

#include "machine.h"

#define TLB_SIZE 256
#define TLB_INDEX(va) (((va) >> PAGE_SHIFT) & (TLB_SIZE - 1))
/*
 * The tag of an empty fast entry.  Loads and stores compare a tag with
 * (va & (page mask | size - 1)), which keeps bits 0-1 of a misaligned va:
 * so the empty tag must not be 1, 2 or 3 (va 0x1 would hit it and write
 * through a null addend).  Bit 11 is never set in a compared value.
 */
#define TLB_NO_TAG 0x800u

#define PAGE_WORDS (PAGE_SIZE / 4)

/* Pseudo-ops that only the decoded-instruction cache holds. */
enum {
	OP_DECODE = OP_COUNT, /* not decoded yet: decode, then execute */
	OP_PAGE_END,          /* sentinel after the last word: go to the next page */
};

/* Words of a code page that writes may make decode again before the whole
 * page is dropped (mmu_code_written). */
#define CODE_STALE_LIMIT (PAGE_WORDS / 4)

struct code_page {
	bool valid;     /* false: every entry must be redecoded before use */
	uint16_t stale; /* words written since the page was (re)built */
	uint32_t ppn; /* physical page number */
	struct isa_insn insn[PAGE_WORDS + 1]; /* the last one is OP_PAGE_END */
};

/* One architectural TLB entry: a cached leaf PTE. */
struct tlb_entry {
	uint32_t tag; /* page address (VA & ~0xfff), or TLB_NO_TAG */
	uint32_t pte; /* the leaf PTE as it was when cached (A set; D maybe) */
	/* Guest mode with nested paging: the host frame the page's guest-
	 * physical frame maps to, with the nested leaf's R, W, X bits. */
	uint32_t nested;
	uint16_t vpid; /* whose translation: 0 the host's (vmx.c) */
};

/*
 * Where the TLB keeps va's entry for vpid.  The host's entries (vpid 0)
 * sit at TLB_INDEX(va), as on a machine without the extension; a VM's are
 * spread by its vpid, so that two VMs running the same addresses do not
 * evict each other's entries in this direct-mapped TLB.  (Real TLBs are
 * set-associative and compare the tag in each way instead.)
 */
#define TLB_VPID_SPREAD 0x5bu /* odd: every vpid gets a distinct spread */
static inline unsigned tlb_slot(uint32_t va, uint16_t vpid)
{
	return (TLB_INDEX(va) ^ (vpid * TLB_VPID_SPREAD)) & (TLB_SIZE - 1);
}

/*
 * A fast array: for access kind k, tag[i] is the page address of a VA
 * whose access succeeds with no side effect, and addend[i] turns that VA
 * into a host pointer.  Loads and stores compare the tag with the VA's
 * page address plus its low alignment bits, so one compare also rejects
 * misaligned accesses (they go to the slow path, which raises MISALIGNED).
 */
struct fast_array {
	uint32_t tag[TLB_SIZE];
	uintptr_t addend[TLB_SIZE];
};

enum { FAST_LOAD, FAST_STORE, FAST_FETCH, FAST_KINDS };
enum { REGIME_PHYS, REGIME_SUPER, REGIME_USER, REGIMES };

struct fast_set {
	struct fast_array kind[FAST_KINDS];
};

/*
 * The fast path of a load or store of size bytes at va: the host address
 * of the bytes if fa holds the page, else NULL (the slow path decides).
 * Comparing the tag with va's page address plus its low alignment bits
 * rejects a miss and a misaligned va with one compare.
 */
static inline void *mmu_fast_ptr(const struct fast_array *fa, uint32_t va,
				 unsigned size)
{
	unsigned i = TLB_INDEX(va);
	if (fa->tag[i] != (va & (~(PAGE_SIZE - 1) | (size - 1))))
		return NULL;
	return (void *)(va + fa->addend[i]);
}

struct device_slot {
	const struct dev_ops *ops;
	void *dev;
};
#define DEVICE_SPACE 0xF0000000u
#define DEVICE_SLOTS 16 /* one page each from DEVICE_SPACE */

struct machine {
	struct cpu cpu;
	struct mach_config cfg;

	uint8_t *ram;
	uint32_t ram_size;

	/* the clock: now = batch_end - left, during a batch and after it */
	uint64_t batch_end;
	int64_t left;
	uint64_t extra_cycles; /* cycles charged beyond COST_INSN each */
	uint64_t trapped;      /* instructions that trapped instead of retiring */
	uint64_t stopped_insns; /* instructions that stopped the machine
				  instead of retiring: a double fault, a wfi
				  nothing can wake */
	uint64_t interrupts;
	uint64_t tlb_misses, walk_reads, device_accesses; /* counted, not charged */
	uint64_t silent_sensitive[OP_COUNT]; /* leaky: ran in user mode, no trap */
	uint64_t silent_total;

	/* traps and interrupts */
	uint32_t irq_lines;         /* bit n: interrupt n is pending */
	uint64_t dispatched_at_trap; /* to recognise a double fault */
	bool batch_stop;            /* end the batch after this instruction */
	uint64_t wait_end;          /* a wfi in this batch may wait until this cycle */
	uint64_t rdcycle_offset;    /* subtracted by rdcycle (mach_set_rdcycle_offset) */
	bool halted;
	uint32_t exit_status;
	bool stop_pending;
	enum mach_stop stop;        /* valid when stop_pending */
	struct mach_exit exit;

	/* memory management */
	struct tlb_entry tlb[TLB_SIZE];
	uint32_t tlb_filled[TLB_SIZE / 32]; /* bit i: tlb[i] set since the last flush */
	struct fast_set fast[REGIMES];
	struct fast_set *cur; /* fast[] for the current PSW */
	/* bit i: some fast array's index i set since they were last emptied
	 * (mmu_fast_reset, when the current vpid changes) */
	uint32_t fast_filled[TLB_SIZE / 32];
	uint16_t vpid; /* the tag of the translations in use: 0 in root mode */

	/* hardware assist (vmx.c).  In root mode vmcs is NULL and
	 * exit_controls 0: the privileged instructions test that one word,
	 * and nothing on the fast paths looks at either. */
	struct mach_vmcs *vmcs;  /* the VM in guest mode */
	uint32_t exit_controls;  /* vmcs->controls in guest mode, else 0 */
	bool monitor;            /* traps end the run: cfg.monitor, but not in guest mode */
	uint64_t vm_host_cycles; /* of the current run: charged at its exit */
	uint64_t vm_entries, vm_exits, nested_refs;
	uint64_t exits_by_reason[MACH_VMEXIT_COUNT];

	/* decoded-instruction cache, indexed by physical page number */
	struct code_page **code;
	struct code_page *code_cur; /* the page the interpreter is in */
	uint32_t code_va;           /* its virtual page address */

	/* devices */
	struct dev_console console;
	struct dev_timer timer;
	struct dev_disk disk;
	struct dev_test test;
	struct device_slot slots[DEVICE_SLOTS];
	/* the slots of devices with a clock (tick and deadline), which are
	 * all the run loop looks at between batches */
	struct device_slot *clocked[DEVICE_SLOTS];
	int nclocked;
	/* The clocked devices' next deadline, remembered between batches
	 * until something may move it: a device register access (mmu.c), a
	 * tick, a host holding a device (mach_console, mach_disk).  A VMM
	 * enters the run loop at every world switch, with nothing due. */
	bool deadline_known;
	uint64_t deadline;

	uint32_t breakpoints[MACH_MAX_BREAKPOINTS];
	int nbreakpoints;
};

/*
 * The fast path of mmu_fetch_page: the decoded page of pc, made the
 * current one, when the fast fetch array maps pc's page and the page is
 * decoded already; else NULL (mmu_fetch_page does the rest, or faults).
 * A misaligned pc keeps its low bits and so never matches a tag.
 */
static inline struct code_page *mmu_fast_code(struct machine *m, uint32_t pc)
{
	const struct fast_array *fa = &m->cur->kind[FAST_FETCH];
	unsigned i = TLB_INDEX(pc);
	if (fa->tag[i] != (pc & (~(PAGE_SIZE - 1) | 3)))
		return NULL;
	uintptr_t host_page = fa->tag[i] + fa->addend[i];
	struct code_page *cp = m->code[(host_page - (uintptr_t)m->ram) >> PAGE_SHIFT];
	if (!cp || !cp->valid)
		return NULL;
	m->code_cur = cp;
	m->code_va = fa->tag[i];
	return cp;
}

/* The cost model's cycles as constants, for the interpreter's inner loop
 * (mach_cost() gives the same numbers to everyone else). */
enum {
#define MACH_X_CYCLES(name, cycles, doc) CYCLES_##name = cycles,
	MACH_COSTS(MACH_X_CYCLES)
#undef MACH_X_CYCLES
};

/* machine.c */
uint64_t mach_now(const struct machine *m);
void mach_extra(struct machine *m, uint64_t cycles);
/* Runs due device clocks; returns the next deadline (mach_next_deadline). */
uint64_t mach_service_devices(struct machine *m);
uint64_t mach_next_deadline(struct machine *m);
/* A device's registers were accessed: its deadline may have moved. */
void mach_devices_touched(struct machine *m);

/* mmu.c: translation, the TLB and its fast arrays, physical access */
void mmu_select_regime(struct machine *m);
void mmu_flush(struct machine *m);
void mmu_invalidate_page(struct machine *m, uint32_t va);
/* Reads or writes size bytes at va as the CPU would.  Returns CAUSE_NONE,
 * or the CAUSE value of the trap (with *badva set). */
uint32_t mmu_load(struct machine *m, uint32_t va, unsigned size, bool sign,
		  uint32_t *value, uint32_t *badva);
uint32_t mmu_store(struct machine *m, uint32_t va, unsigned size,
		   uint32_t value, uint32_t *badva);
/* Finds the code page for pc (a multiple of 4).  Returns CAUSE_NONE with
 * m->code_cur and m->code_va set, or the fetch fault. */
uint32_t mmu_fetch_page(struct machine *m, uint32_t pc, uint32_t *badva);
void mmu_code_written(struct machine *m, uint32_t pa, uint32_t len);

/* cpu.c */
bool cpu_take_interrupt(struct machine *m);
enum mach_stop cpu_execute(struct machine *m);
/* The bare machine's trap entry (EPSW, EPC, CAUSE, BADVA, MODE, pc <-
 * TVEC, its TRAP cycles), with no exit and no double-fault check: what
 * an event injected at VM entry gets. */
void cpu_trap_entry(struct machine *m, uint32_t cause, uint32_t badva);

/* vmx.c: guest mode.  A translation that must exit (a nested fault, a
 * device access under EXIT_MMIO) returns VMX_CAUSE_EXIT from mmu.c, with
 * the exit's fields already in m->vmcs; take_trap then completes it with
 * the pc and the instruction word.  Never a CAUSE code. */
#define VMX_CAUSE_EXIT 0xffu
/* A trap in guest mode: returns true if it exits (the exception bitmap,
 * or VMX_CAUSE_EXIT), false if the guest takes it as the bare machine. */
bool vmx_trap_exits(struct machine *m, uint32_t cause, uint32_t badva,
		    uint32_t insn);
/* An instruction an exit control selects: exits, the instruction
 * counted as trapped (its cycle is charged, as in monitor mode). */
void vmx_exit_insn(struct machine *m, enum mach_vmexit reason, uint32_t pc,
		   uint32_t insn);
/* Between batches in guest mode: the machine's interrupt lines and the
 * interrupt window.  Returns true if the run stops (an exit). */
bool vmx_boundary(struct machine *m);

/* mmu.c, for guest mode */
/* A 32-bit word of host RAM, as isa_page_walk reads it (ctx: the
 * machine): false if no RAM backs it. */
bool mmu_ram_word(void *ctx, uint32_t pa, uint32_t *value);
void mmu_ram_put_word(struct machine *m, uint32_t pa, uint32_t value);
/* A translation's result, from the walk or the TLB. */
struct xlat {
	uint32_t pa;     /* host-physical */
	uint32_t pte;    /* the leaf (the guest's, or the shadow's); paging
			    off: every permission */
	uint32_t pte_pa; /* host-physical address of the leaf, for A and D;
			    UINT32_MAX: nothing to write */
	uint32_t nested; /* nested paging: the host frame | nested R W X;
			    else R W X (nothing more to take away) */
	bool cache;      /* may go into the TLB */
};
/* Every permission, A and D: what paging off allows, natively. */
#define PTE_ALL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
uint32_t vmx_translate(struct machine *m, uint32_t va, unsigned access,
		       struct xlat *x);
/* The current vpid changed: empty the fast arrays (not the TLB). */
void mmu_fast_reset(struct machine *m);
/* Drops the TLB entries tagged vpid (and the fast arrays' copies). */
void mmu_flush_vpid(struct machine *m, uint16_t vpid);

#endif
