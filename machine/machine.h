/*
 * machine.h - the simulated PG32 machine: CPU, MMU and TLB, RAM, devices,
 * cycle clock.
 *
 * A struct machine holds everything; there is no global state, so a
 * program may make as many machines as it likes.  mach_run() executes
 * instructions until something stops it and says what.
 *
 * Two ways to own supervisor mode:
 *   native   the software inside the machine is the supervisor: a trap
 *            vectors through TVEC and execution goes on;
 *   monitor  the host is the supervisor: every trap and every interrupt
 *            taken ends mach_run() with MACH_STOP_EXIT and an exit record,
 *            and no control register is touched.  This is the world switch
 *            out; the VMM's next mach_run() is the world switch in.
 */
#ifndef TRAPEZE_MACHINE_H
#define TRAPEZE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../isa/elf.h"
#include "../isa/isa.h"
#include "devices.h"

#define MACH_DEFAULT_RAM (16u << 20)
#define MACH_MAX_RAM (1u << 30) /* RAM ends below the device space */

/*
 * The cost model: simulated cycles charged for each event.  One table, so
 * that what an operation costs is written in one place (ISA.md quotes it).
 *
 * Every cost here is of an event a monitor can account for exactly: it
 * runs the instructions (INSN, MULDIV counted by the machine while the
 * guest runs), and it emulates every device access and every trap the
 * guest sees.  TLB misses and page walks are deliberately not charged:
 * under shadow paging the real TLB misses at other moments than the
 * guest's own TLB would, invisibly to the monitor, so charging them would
 * make a guest's timer fire at other instructions under a VMM than on the
 * bare machine, and preemptive guests would print something else.  They
 * are counted instead (struct mach_stats).
 *
 * The last three rows are host cycles of the hardware-assist extension
 * (mach_vm_run): they go to the clock after the guest's own time, never
 * into it, for the same reason.  Their sizes follow real VT-x relative to
 * a trap: a VM entry and exit together cost about 8 traps (Adams and
 * Agesen, ASPLOS 2006, measured a round trip in the thousands of cycles
 * on the first VT-x parts, several times a system call; later parts cut
 * it to hundreds, still several traps), and a 2-D walk's reference about
 * a cached memory read.  isa/ISA.md section 15 says more.
 */
#define MACH_COSTS(X)                                                     \
	X(INSN, 1, "every instruction retired or trapped")                \
	X(MULDIV, 3, "extra for mul, mulhu, div, divu, rem, remu")        \
	X(DEVICE, 8, "extra for a device register access")                \
	X(TRAP, 6, "extra for trap or interrupt entry, and for rfe")       \
	X(VM_ENTRY, 25, "host: a VM entry (checks, load the guest state)") \
	X(VM_EXIT, 25, "host: a VM exit (save the guest state, reload the host's)") \
	X(NESTED_REF, 1, "host: one reference of a two-dimensional page walk")

enum mach_cost {
#define MACH_X_COST(name, cycles, doc) COST_##name,
	MACH_COSTS(MACH_X_COST)
#undef MACH_X_COST
	COST_COUNT
};

struct mach_config {
	uint32_t ram_size; /* bytes, a multiple of 4 KiB; 0: MACH_DEFAULT_RAM */
	bool leaky;        /* x86-like: rdpsw, wrpsw, rdtvec do not trap */
	bool monitor;      /* supervisor mode belongs to the host */
};

/*
 * The architectural CPU state.  x[16] is not a register: it is where an
 * instruction naming r0 as its destination writes (the decoder points rd
 * there), so r0 stays 0 without a check on every instruction.
 */
#define CPU_SINK ISA_NREGS
struct cpu {
	uint32_t x[ISA_NREGS + 1]; /* x[0] reads 0; x[CPU_SINK] is the sink */
	uint32_t pc;
	uint32_t cr[CR_COUNT];
};

/* Why mach_run() returned. */
enum mach_stop {
	MACH_STOP_HALT,         /* the test device was written: mach_exit_status() */
	MACH_STOP_BUDGET,       /* the cycle budget is spent */
	MACH_STOP_EXIT,         /* monitor mode: a trap or interrupt, see mach_exit() */
	MACH_STOP_BREAKPOINT,   /* pc reached a breakpoint (before executing it) */
	MACH_STOP_DOUBLE_FAULT, /* native: the trap handler's first instruction trapped */
	MACH_STOP_DEADLOCK,     /* wfi with nothing that could ever wake it */
	MACH_STOP_VMEXIT,       /* mach_vm_run: a VM exit, see the vmcs */
};

/*
 * The exit record of a world switch out (monitor mode).  For an exception
 * pc is the trapping instruction and the CPU's pc is still there; for an
 * interrupt pc is the next instruction to run.
 */
struct mach_exit {
	uint32_t cause; /* as CAUSE would hold it */
	uint32_t pc;
	uint32_t badva; /* 0 when the cause has no address */
	uint32_t insn;  /* the instruction word at pc (0 for interrupts and
			   for fetch faults) */
};

struct machine;

/* Makes a machine with RAM zeroed and every register 0 but MODE = S.
 * Returns NULL if the configuration is invalid or memory runs out. */
struct machine *mach_new(const struct mach_config *cfg);
void mach_free(struct machine *m);

/* Resets the CPU to the boot state (all registers 0, MODE = S, pc = 0),
 * keeps RAM. */
void mach_reset(struct machine *m);

/*
 * Copies each segment of img into RAM at its address and sets pc to the
 * entry.  Returns 0, or -1 with the reason (a segment outside RAM).
 */
int mach_load_image(struct machine *m, const struct elf_image *img, char *err,
		    size_t errsize);

/* Runs until a stop; budget is in cycles (UINT64_MAX: no limit). */
enum mach_stop mach_run(struct machine *m, uint64_t budget);

/* Executes exactly one instruction (or takes one pending interrupt).
 * Returns MACH_STOP_BUDGET when it did so and nothing else stopped it. */
enum mach_stop mach_step(struct machine *m);

const struct mach_exit *mach_exit(const struct machine *m);
uint32_t mach_exit_status(const struct machine *m);
const char *mach_stop_name(enum mach_stop stop);

/* The CPU state.  Registers and pc may be written directly; control
 * registers through mach_set_cr, which has the hardware's side effects. */
struct cpu *mach_cpu(struct machine *m);
void mach_set_cr(struct machine *m, unsigned cr, uint32_t value);

/*
 * ---- hardware assist: guest mode (isa/ISA.md section 15) ----------------
 *
 * An optional extension in the manner of VT-x/SVM.  mach_vm_run() is VM
 * entry + running in guest mode + VM exit, in one call.  Root mode is what
 * the machine did before (native or monitor); the host's struct cpu is put
 * aside at entry and is exactly as it was after the exit.  In guest mode
 * the CPU holds vmcs->guest, and instructions act on the guest's own state
 * exactly as on the bare machine (clean or leaky, as the machine's config
 * says): guest supervisor mode is the GUEST's PSW.MODE = 1.  Only what the
 * exit controls and the exception bitmap select leaves guest mode.
 *
 * Memory: with NESTED_PAGING every guest-physical address (each guest PTE
 * and the final one) is translated by the nested table, rooted at
 * nested_ptbr (host-physical, PG32 format, only V R W X and the frame
 * used): at most 8 references for one access.  Without it (first
 * generation) the walker uses shadow_ptbr while the guest's PG = 1 and
 * shadow_phys_ptbr while it is 0.  Device space (>= 0xF0000000 guest-
 * physical) with EXIT_MMIO exits MMIO.  The TLB is tagged with vpid (the
 * host's entries: 0); vpid 0 flushes at entry and at exit.
 *
 * Time: the guest's instructions and traps cost what the bare machine
 * charges; VM entry, VM exit and nested references are host cycles added
 * after the guest's time and reported in exit_host_cycles, so rdcycle in
 * the guest never sees them and the budget counts guest cycles only.
 */

/* Which events in guest mode exit.  X(name, bit, doc) */
#define MACH_VMX_CONTROLS(X)                                                  \
	X(CR_READ, 0, "mfcr, rdpsw and rdtvec in guest supervisor mode")      \
	X(CR_WRITE, 1, "mtcr of any register but PTBR, and wrpsw, in guest supervisor mode") \
	X(PTBR_WRITE, 2, "mtcr ptbr in guest supervisor mode")                \
	X(RFE, 3, "rfe in guest supervisor mode")                             \
	X(TLB, 4, "tlbflush and tlbinv in guest supervisor mode")             \
	X(WFI, 5, "wfi in guest supervisor mode")                             \
	X(HCALL, 6, "hcall in guest supervisor mode (clear: ILLEGAL to the guest, as on the bare machine)") \
	X(MMIO, 7, "a guest access to guest-physical device space")           \
	X(IRQ_WINDOW, 8, "the first instruction boundary with the guest's PSW.IE = 1") \
	X(NESTED_PAGING, 9, "not an exit: translate guest-physical addresses through the nested table")

enum {
#define MACH_X_VMX(name, bit, doc) MACH_VMX_##name = 1u << (bit),
	MACH_VMX_CONTROLS(MACH_X_VMX)
#undef MACH_X_VMX
};

/* Why a VM exited.  X(name, doc: what the qualification holds) */
#define MACH_VMEXIT_REASONS(X)                                                \
	X(EXCEPTION, "a guest exception the bitmap selects: exit_cause, exit_badva as CAUSE/BADVA would hold them") \
	X(INTERRUPT, "one of the machine's own interrupt lines")              \
	X(CR_READ, "exit_insn is the mfcr/rdpsw/rdtvec")                      \
	X(CR_WRITE, "exit_insn is the mtcr/wrpsw")                            \
	X(PTBR_WRITE, "exit_insn is the mtcr ptbr")                           \
	X(RFE, "exit_insn is the rfe")                                        \
	X(TLB, "exit_insn is the tlbflush or tlbinv")                         \
	X(WFI, "exit_insn is the wfi")                                        \
	X(HCALL, "exit_insn is the hcall")                                    \
	X(MMIO, "exit_gpa, exit_access; exit_insn is the load or store")      \
	X(NESTED_FAULT, "exit_gpa (guest-physical), exit_access, exit_badva (the guest-virtual address, or the fetched pc); exit_in_walk: the GPA was one of the guest's PTEs") \
	X(IRQ_WINDOW, "the guest's PSW.IE is 1 at this boundary")             \
	X(DOUBLE_FAULT, "the guest's trap handler trapped on its first instruction") \
	X(ENTRY_FAILED, "the VM entry checks refused the VMCS: entry_error names the field; the guest ran nothing")

enum mach_vmexit {
#define MACH_X_VMEXIT(name, doc) MACH_VMEXIT_##name,
	MACH_VMEXIT_REASONS(MACH_X_VMEXIT)
#undef MACH_X_VMEXIT
	MACH_VMEXIT_COUNT
};
const char *mach_vmexit_name(enum mach_vmexit r); /* "nested-fault" */
const char *mach_vmexit_doc(enum mach_vmexit r);
const char *mach_vmx_control_name(unsigned bit);  /* "irq-window" */

/*
 * The VM control structure: one per VM, owned by the host.  Written by the
 * host between runs; the machine reads it at entry and writes guest state
 * and the exit fields at exit.
 */
struct mach_vmcs {
	/* guest state: loaded at VM entry, saved at VM exit */
	struct cpu guest;

	/* controls */
	uint32_t controls;         /* MACH_VMX_* bits */
	uint32_t exception_bitmap; /* bit c: a guest exception of cause code c exits */
	uint32_t nested_ptbr;      /* NESTED_PAGING: root of the nested table (HPA) */
	uint32_t shadow_ptbr;      /* no NESTED_PAGING: table used while guest PG = 1 */
	uint32_t shadow_phys_ptbr; /* no NESTED_PAGING: table used while guest PG = 0 */
	uint32_t guest_ram;        /* bytes of guest-physical RAM: [0, guest_ram) */
	uint16_t vpid;             /* TLB tag; 0: untagged (flush at entry and exit) */
	uint64_t rdcycle_offset;   /* rdcycle in guest mode reads clock - this */

	/* event injection, consumed at the next VM entry: the guest takes this
	 * trap before its first instruction, exactly as the bare machine's
	 * trap entry does (interrupt: charged TRAP; exception: INSN + TRAP, the
	 * instruction at guest.pc counted as trapped, EPC = guest.pc) */
	bool inject;
	uint32_t inject_cause;     /* a CAUSE value; CAUSE_INTERRUPT | irq for an interrupt */
	uint32_t inject_badva;

	/* exit information, written at VM exit */
	enum mach_vmexit exit_reason;
	uint32_t exit_pc;          /* guest pc of the exiting instruction (interrupt, window: the next one) */
	uint32_t exit_insn;        /* the instruction word, 0 if none */
	uint32_t exit_cause;       /* EXCEPTION: the cause */
	uint32_t exit_badva;       /* EXCEPTION, NESTED_FAULT: the guest-virtual address */
	uint32_t exit_gpa;         /* MMIO, NESTED_FAULT: the guest-physical address */
	unsigned exit_access;      /* CAUSE_ACCESS_* */
	bool exit_in_walk;         /* NESTED_FAULT: while reading a guest PTE */
	uint64_t exit_host_cycles; /* entry + exit + nested references of this run */
	const char *entry_error;   /* ENTRY_FAILED: one line naming the field */
};

/*
 * VM entry, the guest's run, VM exit.  The entry checks (each unit tested):
 * an unknown control bit; NESTED_PAGING with nested_ptbr's table outside
 * host RAM; no NESTED_PAGING with a shadow table outside host RAM; the
 * guest's PTBR outside [0, guest_ram) while its PG = 1; guest_ram not a
 * multiple of 4 KiB or 0; an injected interrupt while the guest's IE = 0;
 * a reserved PSW bit set; and (added to the contract: the machine could
 * not deliver it) an injected cause that is no exception the machine
 * raises and no interrupt line.  A failed entry changes nothing but the
 * exit fields (reason ENTRY_FAILED, entry_error, which begins with the
 * field's name and a colon: "nested_ptbr: ...").
 *
 * What an exit costs the guest (so that its clock stays the bare
 * machine's; isa/ISA.md 15.3):
 *  - an exit control's instruction (CR_READ ... HCALL, and MMIO) did not
 *    run; as in monitor mode its INSN cycle is charged and it counts as
 *    trapped: the host emulates it, moves guest.pc on, and charges what
 *    it costs beyond INSN (TRAP for rfe, DEVICE for a device access);
 *  - EXCEPTION and NESTED_FAULT are precise: nothing charged, nothing
 *    changed; resume (the instruction runs again) or inject the exception
 *    (INSN + TRAP, as above), and the bare machine's cost comes out once;
 *  - INTERRUPT and IRQ_WINDOW come between instructions: nothing.
 * The host changing a nested or shadow table, or the controls, of a VM
 * whose vpid != 0 must drop its TLB entries (mach_tlb_flush_vpid).
 *
 * Returns MACH_STOP_VMEXIT (see vmcs->exit_*), MACH_STOP_BUDGET (budget
 * guest cycles ran: guest state saved, exit_host_cycles set, exit_reason
 * not), MACH_STOP_HALT (the test device -- only with EXIT_MMIO clear and a
 * nested map of device space, i.e. device assignment),
 * MACH_STOP_BREAKPOINT (guest pc at a breakpoint, before it), or
 * MACH_STOP_DEADLOCK (added: a guest wfi with WFI clear and no device
 * deadline of the machine's that could end it; the guest is at the wfi).
 * Every return but a failed entry charges VM_ENTRY and VM_EXIT.
 */
enum mach_stop mach_vm_run(struct machine *m, struct mach_vmcs *vmcs,
			   uint64_t budget);

/* The two-dimensional walk, for the debugger and `trapeze dot`: what a
 * guest access of kind access at gva in the guest's current mode would do,
 * with no side effect.  Fills w with every reference in order. */
struct mach_walk_ref {
	char dim;        /* 'g': a guest PTE, 'n': a nested PTE */
	int level;       /* 1 = root, 2 = leaf */
	uint32_t gpa;    /* 'g': the PTE's guest-physical address; 'n': the GPA being translated */
	uint32_t hpa;    /* where the PTE was read (host-physical) */
	uint32_t value;  /* the PTE read */
};
#define MACH_WALK2D_MAX 8
struct mach_walk2d {
	int nrefs;
	struct mach_walk_ref ref[MACH_WALK2D_MAX];
	uint32_t gpa, hpa;   /* the result, when cause is CAUSE_NONE and !nested_fault */
	uint32_t cause;      /* the guest's own fault (CAUSE_NONE: none) */
	bool nested_fault;   /* the nested table failed at fault_gpa */
	uint32_t fault_gpa;
};
void mach_walk2d(struct machine *m, const struct mach_vmcs *vmcs, uint32_t gva,
		 unsigned access, struct mach_walk2d *w);

/* What happened so far, for --stats and benchmarks. */
struct mach_stats {
	uint64_t cycles;
	uint64_t instret;    /* instructions retired */
	uint64_t traps;      /* exceptions taken (or exits, in monitor mode) */
	uint64_t interrupts; /* interrupts taken (or exits) */
	uint64_t tlb_misses; /* TLB misses (each followed by a walk) */
	uint64_t walk_reads; /* page-table entries read by walks */
	uint64_t device_accesses;
	/* leaky mode: sensitive instructions (rdpsw, wrpsw, rdtvec) that ran
	 * in user mode without trapping, by op -- what a monitor never sees */
	uint64_t silent_sensitive[OP_COUNT];
	/* the hardware-assist extension (section 15 of isa/ISA.md) */
	uint64_t vm_entries;  /* VM entries, failed ones included */
	uint64_t vm_exits;    /* returns from guest mode, any stop, failed entries included */
	uint64_t nested_refs; /* references of 2-D walks: guest and nested PTEs (8 at most per walk) */
	uint64_t exits_by_reason[MACH_VMEXIT_COUNT];
};
void mach_get_stats(const struct machine *m, struct mach_stats *st);
/* The sum of mach_stats.silent_sensitive, cheaply (a monitor asks at
 * every world switch). */
uint64_t mach_silent_sensitive(const struct machine *m);

uint64_t mach_cycles(const struct machine *m);
uint64_t mach_instret(const struct machine *m); /* instructions retired */
void mach_charge(struct machine *m, uint64_t cycles); /* host work, e.g. VMM */
/* What rdcycle subtracts from the clock (0 at boot).  A monitor sets it
 * so that a guest reads its own virtual time, as VT-x's TSC offset does. */
void mach_set_rdcycle_offset(struct machine *m, uint64_t offset);

/* Physical memory as the host sees it.  Each returns false, touching
 * nothing, unless all of [pa, pa + len) is RAM. */
uint32_t mach_ram_size(const struct machine *m);
bool mach_phys_read(struct machine *m, uint32_t pa, void *buf, uint32_t len);
bool mach_phys_write(struct machine *m, uint32_t pa, const void *buf,
		     uint32_t len);

/*
 * Translates va as an access of kind (CAUSE_ACCESS_*) in the current mode
 * would, without touching A/D bits or the TLB.  Returns CAUSE_NONE and
 * *pa, or the CAUSE value the access would trap with.
 */
uint32_t mach_translate(struct machine *m, uint32_t va, unsigned access,
			uint32_t *pa);

void mach_tlb_flush(struct machine *m);
/* Drops the TLB entry of the page holding va, as tlbinv does. */
void mach_tlb_invalidate(struct machine *m, uint32_t va);
/* The TLB's valid entries, for the debugger: fills at most max, returns
 * how many there are (at most 256). */
struct mach_tlb_entry {
	uint32_t va;  /* the page's virtual address */
	uint32_t pte; /* the cached leaf PTE */
	uint16_t vpid; /* whose: 0 the host's, else a VM's (section 15) */
};
int mach_tlb_entries(const struct machine *m, struct mach_tlb_entry *out,
		     int max);

/* The nested table changed (INVEPT): drop every TLB entry of every vpid.
 * The guest's own TLB instructions and PTBR writes need nothing from the
 * host. */
void mach_tlb_flush_all(struct machine *m);
/* INVVPID: drop the entries tagged vpid. */
void mach_tlb_flush_vpid(struct machine *m, uint16_t vpid);

/* Breakpoints on virtual pc values; at most MACH_MAX_BREAKPOINTS. */
#define MACH_MAX_BREAKPOINTS 32
bool mach_add_breakpoint(struct machine *m, uint32_t pc);
bool mach_remove_breakpoint(struct machine *m, uint32_t pc);

/* The machine's own devices. */
struct dev_console *mach_console(struct machine *m);
struct dev_disk *mach_disk(struct machine *m);

/* Names for the cost model rows and their cycles. */
uint32_t mach_cost(enum mach_cost c);
const char *mach_cost_name(enum mach_cost c);
const char *mach_cost_doc(enum mach_cost c);

#endif
