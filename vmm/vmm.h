/*
 * vmm.h - the trap-and-emulate virtual machine monitor.
 *
 * The VMM owns one machine, run in monitor mode: supervisor mode belongs
 * to this C code.  Each VM's guest runs directly on the simulated CPU in
 * real user mode, its kernel included; whenever the guest does something
 * only a supervisor may do, the machine stops (a world switch out) and
 * hands the VMM an exit record.  The VMM dispatches on the cause to one
 * handler (vmm.c, table `handlers`), which emulates the one instruction,
 * fills a shadow page table, emulates a device access, or reflects the
 * trap into the guest's own kernel, and then resumes the guest (a world
 * switch in).
 *
 * Everything a guest can observe is kept equal to the bare machine: its
 * console output, exit status, and its clock (each VM has its own virtual
 * cycle count that advances exactly as the bare machine's would).
 */
#ifndef TRAPEZE_VMM_H
#define TRAPEZE_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../isa/elf.h"
#include "../machine/machine.h"

#define VMM_DEFAULT_QUANTUM 100000u /* guest instructions per turn */

/*
 * What the VMM's own work costs, charged to the machine's clock (not to
 * any guest's): what virtualization costs shows in simulated time.
 */
#define VMM_COSTS(X)                                                        \
	X(WORLD_SWITCH, 40, "a world switch out and back in (save and load a vCPU)") \
	X(EMULATE, 20, "decoding and emulating one privileged instruction")   \
	X(REFLECT, 20, "reflecting a trap or injecting an interrupt")          \
	X(SHADOW_WALK, 30, "walking the guest's page table for a shadow fault") \
	X(SHADOW_FILL, 20, "writing one shadow PTE")                          \
	X(SHADOW_FLUSH, 100, "dropping a guest address space's shadow tables") \
	X(MMIO, 30, "decoding and emulating one device access")               \
	X(HCALL, 20, "serving one hypercall")                                 \
	X(PATCH_SCAN, 2, "scanning one word of guest code for sensitive instructions") \
	X(PATCH_TRAP, 20, "emulating one patched instruction")                \
	X(ACCESS, 30, "decoding and emulating one load or store to guest RAM") \
	X(NESTED_FILL, 20, "--hw: writing one nested PTE (and a leaf table's root entry)")  \
	X(INTERPRET, 10, "interpreting one instruction of virtual supervisor code (--hybrid)")  \
	X(VBLK_REQUEST, 30, "serving one request of the paravirtual block device's ring")

enum vmm_cost {
#define VMM_X_COST(name, cycles, doc) VMM_COST_##name,
	VMM_COSTS(VMM_X_COST)
#undef VMM_X_COST
	VMM_COST_COUNT
};
uint32_t vmm_cost(enum vmm_cost c);

/*
 * The hypercall ABI: `hcall` in virtual supervisor mode, the number in a0,
 * arguments in a1 and a2, the result in a0 (VMM_HC_ERROR for an unknown
 * number or a bad argument); no other register changes.  From virtual
 * user mode hcall is illegal, as on the bare machine.
 * X(number, NAME, what it does)
 */
#define VMM_HYPERCALLS(X)                                                    \
	X(0, VERSION, "a0 = the ABI version (2)")                  \
	X(1, GET_PSW, "a0 = the virtual PSW")                      \
	X(2, SET_PSW, "virtual PSW = a1 (MODE, IE, PG)")           \
	X(3, IRQ_SAVE_DISABLE, "a0 = the PSW; then IE = 0") \
	X(4, SET_TVEC, "TVEC = a1")                               \
	X(5, SET_PTBR, "PTBR = a1; flushes the TLB")              \
	X(6, TLB_FLUSH, "flush the TLB")                         \
	X(7, TLB_INV, "drop the TLB entry of the page of VA a1")   \
	X(8, RFE, "rfe; a0-a2 reloaded from the 3 words at VA a1")     \
	X(9, MMU_UPDATE, "write a2 {PTE GPA, value} pairs at GPA a1") \
	X(10, CONSOLE_WRITE, "print a2 bytes (at most 1024) at VA a1") \
	X(11, IDLE, "wait for an interrupt (wfi)")                    \
	X(12, GET_CR, "a0 = control register a1")                   \
	X(13, SET_CR, "control register a1 = a2")                   \
	X(14, REGISTER_SHARED, "the shared page at GPA a1, traps delivered to VA a2") \
	X(15, IRET, "return from a trap: PSW, pc and a0 from the shared page") \
	X(16, IRQ_UNMASK, "shared page's MASK = 0: a pending interrupt is taken now")

/*
 * ABI version 2: the per-vCPU shared page (HC_REGISTER_SHARED), as Xen's
 * shared_info and vcpu_info.  The guest registers one page of its RAM once;
 * from then on the VMM delivers a trap or virtual interrupt by writing
 * its frame here and jumping straight to the registered entry, the guest
 * reads the frame with plain loads, masks interrupts with a plain store,
 * and returns with HC_IRET.  X(byte offset, NAME, meaning); pg32.inc gives
 * guests SH_NAME.  vmm/README.md, "The shared page", says who writes what.
 */
#define VMM_SHARED_LAYOUT(X)                                                 \
	X(0, EPC, "where the trap happened; HC_IRET resumes here")          \
	X(4, CAUSE, "the trap's cause (bit 31: an interrupt)")              \
	X(8, BADVA, "the faulting address, or 0")                          \
	X(12, EPSW, "the PSW before the trap (IE = 1 if MASK was 0); HC_IRET restores it") \
	X(16, MASK, "0: virtual interrupts on; else masked (Xen's evtchn_upcall_mask)") \
	X(20, PENDING, "1: a line is up while masked (evtchn_upcall_pending)") \
	X(24, A0, "the a0 HC_IRET gives back (a0 held its number)")      \
	X(28, SCRATCH, "the guest's own word: the VMM never touches it")

enum vmm_shared_offset {
#define VMM_X_SHARED(off, name, doc) VMM_SHARED_##name = off,
	VMM_SHARED_LAYOUT(VMM_X_SHARED)
#undef VMM_X_SHARED
	VMM_SHARED_SIZE = 32
};


enum vmm_hypercall {
#define VMM_X_HCNUM(nr, name, doc) HC_##name = nr,
	VMM_HYPERCALLS(VMM_X_HCNUM)
#undef VMM_X_HCNUM
};
#define VMM_HC_ERROR 0xffffffffu
/* The most work one hypercall does: HC_MMU_UPDATE pairs (more is an
 * error) and HC_CONSOLE_WRITE bytes (more is a short write).  A hypercall
 * is one guest instruction, so this bounds how far past --max-cycles one
 * can carry a VM's clock, and how long the host works in one exit. */
#define VMM_HC_MAX_BATCH 1024u

/*
 * The paravirtual block device (vmm/virtio_blk.c, vmm/README.md): the
 * I/O half of paravirtualization, in the manner of virtio-blk.  It exists
 * only in a VM, like the hypercall ABI: on the bare machine its page is
 * empty device space (a BUS_ERROR).  The guest puts requests in a split
 * virtqueue in its own memory -- a descriptor table, an available ring,
 * a used ring -- and writes NOTIFY once for the whole batch: one exit.
 * DISK_LATENCY cycles later the device has served every request the
 * available ring holds, from the VM's disk image, posted each in the used
 * ring and raised VBLK_IRQ.  Register offsets, X(NAME, offset, doc):
 */
#define VBLK_BASE 0xF0003000u /* the next free device page after the disk */
#define VBLK_IRQ 3u /* after the bare machine's TIMER, CONSOLE, DISK */
#define VBLK_REGISTERS(X)                                                    \
	X(MAGIC, 0x00, "read: VBLK_MAGIC_VALUE, \"vblk\": the device is there")     \
	X(CAPACITY, 0x04, "read: the disk's size in sectors (0: no disk)")   \
	X(QUEUE_NUM_MAX, 0x08, "read: the largest queue, VBLK_QUEUE_MAX")     \
	X(QUEUE_NUM, 0x0c, "read/write: the queue's size, a power of 2")    \
	X(QUEUE_DESC, 0x10, "read/write: GPA of the descriptor table (16-aligned)") \
	X(QUEUE_AVAIL, 0x14, "read/write: GPA of the available ring (2-aligned)") \
	X(QUEUE_USED, 0x18, "read/write: GPA of the used ring (4-aligned)")  \
	X(QUEUE_READY, 0x1c, "write 1: check and start the queue; 0: reset it") \
	X(NOTIFY, 0x20, "write: the available ring has new requests")       \
	X(ISR, 0x24, "read: bit 0 USED, bit 1 BROKEN; the line is up while not 0") \
	X(ACK, 0x28, "write: clears the ISR bits written; drops the line at 0")
enum vblk_register {
#define VMM_X_VBLK_REG(name, offset, doc) VBLK_##name = offset,
	VBLK_REGISTERS(VMM_X_VBLK_REG)
#undef VMM_X_VBLK_REG
};
#define VBLK_MAGIC_VALUE 0x6b6c6276u /* "vblk", little-endian */
#define VBLK_QUEUE_MAX 64u
#define VBLK_ISR_USED 1u    /* the used ring has new entries */
#define VBLK_ISR_BROKEN 2u  /* the available index ran past the queue: stopped */
/* The rings' layout, virtio 1.0's (all little-endian):
 *   descriptor (16 bytes): u64 addr, u32 len, u16 flags, u16 next
 *   available ring: u16 flags, u16 idx, u16 ring[num]
 *   used ring:      u16 flags, u16 idx, {u32 id, u32 len} ring[num]
 * A request is a chain: a 16-byte header {u32 type, u32 reserved,
 * u64 sector} the device reads, the data, and one status byte it writes. */
#define VBLK_DESC_SIZE 16u
#define VBLK_DESC_F_NEXT 1u   /* the chain goes on at next */
#define VBLK_DESC_F_WRITE 2u  /* the device writes this buffer */
#define VBLK_AVAIL_F_NO_INTERRUPT 1u /* the guest polls: no VBLK_IRQ */
#define VBLK_RING_HEADER 4u   /* flags, idx */
#define VBLK_USED_ELEM_SIZE 8u
#define VBLK_REQ_HEADER_SIZE 16u
#define VBLK_T_IN 0u          /* read sectors into the data buffers */
#define VBLK_T_OUT 1u         /* write the data buffers to sectors */
#define VBLK_S_OK 0u
#define VBLK_S_IOERR 1u
#define VBLK_S_UNSUPP 2u
#define VBLK_MAX_DATA (DISK_MAX_COUNT * DISK_SECTOR_SIZE) /* per request */
#define VBLK_LATENCY DISK_LATENCY /* cycles from NOTIFY to the batch's end */

/*
 * What a handler did with an exit, or that an interrupt was injected
 * (which is no exit: the VMM does it between two runs of the guest).
 * Each event of the log, and each count in --stats, is one of these.
 */
#define VMM_ACTIONS(X)                                                      \
	X(EMULATED, "emulated", "a privileged instruction emulated on the vCPU") \
	X(SHADOW_FILL, "shadow-fill", "a shadow PTE filled from the guest's table") \
	X(MMIO, "mmio", "a device access emulated on a virtual device")       \
	X(REFLECTED, "reflected", "the trap reflected into the guest kernel")  \
	X(INJECTED, "injected", "a virtual interrupt injected")               \
	X(HYPERCALL, "hypercall", "a hypercall served")                       \
	X(WAITED, "waited", "wfi: the VM's clock jumped to its next event")    \
	X(PATCHED, "patched", "a patched instruction emulated")                \
	X(ACCESS, "emulated-access", "a load or store to guest RAM emulated: to a page of code being patched, or a PTE's load of itself") \
	X(NESTED_FILL, "nested-fill", "--hw: a nested PTE filled for a page of guest RAM") \
	X(WINDOW, "irq-window", "--hw: the guest turned interrupts on; the pending one is injected next") \
	X(HALTED, "halted", "the VM stopped")

enum vmm_action {
#define VMM_X_ACTION(name, str, doc) VMM_ACT_##name,
	VMM_ACTIONS(VMM_X_ACTION)
#undef VMM_X_ACTION
	VMM_ACT_COUNT
};
const char *vmm_action_name(enum vmm_action a);

/* One exit, as the event log records it. */
struct vmm_event {
	uint64_t seq;          /* 0, 1, 2, ... over all VMs */
	int vm;                /* vm0 = 0 */
	uint32_t cause;        /* the exit's cause (machine CAUSE value);
				  CAUSE_INTERRUPT | irq for an injection */
	uint32_t pc;           /* guest pc of the exit */
	bool supervisor;       /* the guest's virtual mode at the exit */
	uint32_t insn;         /* the instruction word (0 if none) */
	uint32_t badva;
	const char *handler;   /* the handler's name, e.g. "emulate_privileged" */
	enum vmm_action action;
	uint32_t resume_pc;    /* where the guest goes on */
	uint64_t guest_cycles; /* the VM's virtual clock after the exit */
	uint64_t cost;         /* host cycles the VMM charged for it */
	uint64_t silent;       /* leaky: sensitive instructions the guest ran
				  without an exit since its previous exit */
	bool hw;               /* a VM exit of the hardware assist: */
	enum mach_vmexit reason; /* its reason (cause: what the handler saw) */
};

typedef void vmm_event_fn(void *ctx, const struct vmm_event *e);

/* Where a VM's console output goes, one byte at a time. */
typedef void vmm_output_fn(void *ctx, int vm, uint8_t byte);

/*
 * How the guest runs: the answers to the x86 problem that the machine
 * itself gives (isa/ISA.md, "Hardware assist"; vmm/README.md says which
 * exits each asks for and why).
 */
enum vmm_assist {
	VMM_ASSIST_NONE,   /* trap-and-emulate: the guest in real user mode,
			      ring compression, shadow paging */
	VMM_ASSIST_SHADOW, /* --hw=shadow: guest mode (first generation, no
			      VPID), the VMM's shadow tables */
	VMM_ASSIST_NESTED, /* --hw: guest mode with nested paging and VPIDs */
};

struct vmm_config {
	bool leaky;        /* the machine's mode */
	bool patch;        /* binary patching of sensitive instructions */
	enum vmm_assist assist;
	bool hybrid;       /* Theorem 3: virtual supervisor code is interpreted,
			      never run on the machine (vmm/hybrid.c) */
	uint64_t quantum;  /* 0: VMM_DEFAULT_QUANTUM */
	uint64_t max_cycles; /* per VM, of its own clock; 0: no limit */
	vmm_output_fn *output;
	void *output_ctx;
	uint32_t host_ram; /* the machine's RAM; 0: 1 GiB (vmm_host_ram_for
			      gives what a set of VMs needs) */
	/* rdcycle reads the VM's clock plus every host cycle the VMM has
	 * spent on that VM, so the VMM's work shows, as it does on hardware
	 * without TSC offsetting: equivalence of timing is given up, on
	 * purpose, for measuring (trapeze run --host-time).  false: rdcycle
	 * reads the VM's own clock, which equals the bare machine's. */
	bool host_time;
};

/* Host RAM enough for VMs with these memory sizes (bytes) and their
 * shadow tables.  (Less RAM makes a machine faster to create, which
 * counts under the sanitizers.) */
uint32_t vmm_host_ram_for(const uint32_t *mem, int nvms);

struct vm_config {
	const struct elf_image *image;
	uint32_t mem;         /* guest RAM in bytes; 0: MACH_DEFAULT_RAM */
	const char *disk;     /* disk image path, or NULL */
	bool disk_private;    /* the VM's writes stay in its own copy-on-write
				 overlay and never reach the file
				 (dev_disk_set_private) */
	FILE *console_in;     /* console input, or NULL */
};

/* How a VM ended. */
enum vm_state {
	VM_RUNNING,
	VM_HALTED,       /* wrote the test device: vmm_vm_status() */
	VM_DOUBLE_FAULT, /* its trap handler trapped on its first instruction */
	VM_DEADLOCK,     /* wfi with nothing that could wake it */
	VM_MAX_CYCLES,   /* its clock reached max_cycles */
	VM_FAILED,       /* the VMM met an exit it cannot handle */
};
const char *vmm_vm_state_name(enum vm_state s);

struct vmm;

/* Makes a VMM with no VMs.  Returns NULL on no memory. */
struct vmm *vmm_new(const struct vmm_config *cfg);
void vmm_free(struct vmm *v);

/* Adds a VM (vm0, vm1, ...) booting cfg->image.  All VMs must be added
 * before the first vmm_run.  There is no fixed limit on their number:
 * what limits it is the host's memory and the machine's RAM (host_ram,
 * at most MACH_MAX_RAM), which holds every VM's memory and its shadow
 * pool.  Returns its number, or -1 with the reason, one line naming the
 * VM and what ran out. */
int vmm_add_vm(struct vmm *v, const struct vm_config *cfg, char *err,
	       size_t errsize);

/* Runs every VM until each has stopped.  Returns the number that did not
 * halt with status 0. */
int vmm_run(struct vmm *v);

/*
 * Lockstep (trapeze run --lockstep): runs VM vm until the guest has made
 * one step of progress, as mach_step counts them on the bare machine: one
 * instruction retired, or one trap or interrupt delivered to the guest.
 * Returns 0, or -1 once the VM has stopped.
 */
int vmm_step(struct vmm *v, int vm);

/* What the guest can see of its CPU, and its memory. */
struct vmm_vcpu_state {
	uint32_t x[ISA_NREGS];
	uint32_t pc;
	uint32_t cr[CR_COUNT];
	uint64_t cycles;
	uint64_t instret;
	uint64_t traps;     /* traps and interrupts delivered to the guest */
	uint32_t irq_lines; /* its devices' interrupt lines, bit n = irq n */
};
void vmm_vm_vcpu(const struct vmm *v, int vm, struct vmm_vcpu_state *st);
bool vmm_vm_read(struct vmm *v, int vm, uint32_t gpa, void *buf, uint32_t len);

/* The event log: fn is called for every exit, in order. */
void vmm_on_event(struct vmm *v, vmm_event_fn *fn, void *ctx);

int vmm_vm_count(const struct vmm *v);
enum vm_state vmm_vm_state(const struct vmm *v, int vm);
uint32_t vmm_vm_status(const struct vmm *v, int vm);
/* A one-line reason for a VM that stopped other than by halting: what
 * stopped it first (a VM stops once). */
const char *vmm_vm_reason(const struct vmm *v, int vm);

/* Statistics of one VM, for --stats. */
struct vmm_vm_stats {
	uint64_t exits_by_cause[CAUSE_COUNT]; /* world switches out, by cause */
	uint64_t exits_by_action[VMM_ACT_COUNT];
	uint64_t exits;
	uint64_t injections;     /* virtual interrupts injected */
	uint64_t guest_instret;  /* instructions the guest ran directly */
	/* --hybrid: instructions interpreted and retired (virtual supervisor mode; on
	 * the leaky machine also virtual user mode with paging off), and how
	 * often the VM's code went from running directly to being
	 * interpreted and back */
	uint64_t interpreted;
	uint64_t interpret_entries, interpret_leaves;
	uint64_t guest_cycles;   /* its virtual clock */
	uint64_t shadow_flushes;
	uint64_t shadow_reclaims; /* its shadow pool ran dry: shadows dropped */
	uint64_t hypercalls;
	uint64_t pages_scanned;  /* pages examined whole as they first ran (--patch) */
	uint64_t patch_sites;    /* instructions patched */
	uint64_t patch_traps;    /* exits from patched instructions */
	uint64_t patch_writes;   /* writes to scanned pages, examined word by word */
	uint64_t pages_unscanned; /* scanned pages given back to data after many writes */
	/* the paravirtual block device: register accesses (a device the
	 * bare machine does not have, like a hypercall), requests served */
	uint64_t vblk_accesses;
	uint64_t vblk_requests;
	/* leaky mode: sensitive instructions that ran with no exit, by op */
	uint64_t silent_sensitive[OP_COUNT];
	/* --hw: VM entries, and the VM exits by their reason */
	uint64_t vm_entries;
	uint64_t exits_by_reason[MACH_VMEXIT_COUNT];
};
void vmm_vm_stats(const struct vmm *v, int vm, struct vmm_vm_stats *st);

/*
 * Fairness: what each VM ran over the whole rounds of the round robin
 * that every VM ran (from the start until the round in which the first
 * VM stopped).  Each VM's turn is a quantum of guest instructions, so
 * the counts differ only where a VM gave up the rest of a turn to wait
 * (wfi) or an exit's emulated instruction ended its turn one late.
 * Their clocks may differ more: mul, div, device accesses and traps
 * cost more cycles.  spread = (max - min) / max of the instructions.
 */
struct vmm_fairness {
	uint64_t rounds;          /* whole rounds all VMs ran */
	uint64_t min_instret, max_instret;
	int min_vm, max_vm;       /* which VM had the fewest, the most */
	uint64_t min_cycles, max_cycles;
	double spread;
};
void vmm_fairness(const struct vmm *v, struct vmm_fairness *f);

/* The machine the VMM runs (for the debugger and for statistics). */
struct machine *vmm_machine(struct vmm *v);

/*
 * ---- The debugger's view: the same run, in small steps ----
 *
 * vmm_run is a loop of vmm_tick(v, UINT64_MAX).  A debugger calls
 * vmm_tick itself, with a smaller max_cycles to stop sooner; the VMs do
 * exactly what they would have done under vmm_run (the scheduler's state
 * lives in the VMM, and a guest cannot tell a slice ended), so a
 * debugging session prints the same output and logs the same exits.
 */
enum vmm_tick {
	VMM_TICK_RAN,     /* a VM ran, or got an interrupt, with no exit */
	VMM_TICK_EXIT,    /* a world switch out: the exit waits, its handler
			     not yet run (vmm_pending_exit) */
	VMM_TICK_HANDLED, /* the waiting exit's handler ran (event logged) */
	VMM_TICK_DONE,    /* every VM has stopped */
};
/* One step of the VMM: runs the waiting exit's handler if there is one,
 * else the VM whose turn it is for at most max_cycles of its time (at
 * least one instruction). */
enum vmm_tick vmm_tick(struct vmm *v, uint64_t max_cycles);
/* The VM the next tick runs (or whose exit waits); -1 if none. */
int vmm_turn(const struct vmm *v);
/* The exit waiting for its handler, and that handler's name. */
bool vmm_pending_exit(const struct vmm *v, int *vm, struct mach_exit *exit,
		      const char **handler);
/* The handler the dispatch table gives a cause ("inject_interrupt" for
 * an interrupt, which the VMM injects between runs; "none" if no
 * handler). */
const char *vmm_handler_name(uint32_t cause);
/* --hw: the handler of a VM exit reason ("none" if no handler), and the
 * VM's control structure as the last VM exit left it (NULL without --hw;
 * before the first exit, all zero). */
const char *vmm_hw_handler_name(enum mach_vmexit reason);
const struct mach_vmcs *vmm_vm_vmcs(const struct vmm *v, int vm);

/* The shadow page tables of a VM: one per view, vmm_vm_view the live one. */
enum { VMM_VIEW_PHYS, VMM_VIEW_SUPER, VMM_VIEW_USER, VMM_VIEWS };
const char *vmm_view_name(int view); /* "phys", "super", "user" */
const char *vmm_view_doc(int view);  /* when that view is live */
int vmm_vm_view(const struct vmm *v, int vm);
uint32_t vmm_vm_shadow_root(const struct vmm *v, int vm, int view); /* HPA */
bool vmm_vm_gpa_to_hpa(const struct vmm *v, int vm, uint32_t gpa,
		       uint32_t *hpa);
uint32_t vmm_vm_mem(const struct vmm *v, int vm);
/* Is this guest-physical address one of the VM's device pages? */
bool vmm_vm_is_device(const struct vmm *v, int vm, uint32_t gpa);
/* The guest's own page walk of va with its PTBR, with no side effect:
 * CAUSE_NONE with the GPA, the leaf PTE and where it lives (a GPA), or
 * the cause the bare machine would raise. */
uint32_t vmm_vm_walk(struct vmm *v, int vm, uint32_t va, unsigned access,
		     bool user, uint32_t *gpa, uint32_t *pte, uint32_t *pte_gpa);

/* Binary patching: the patched instructions, by guest-physical address.
 * Fills at most max, returns how many there are. */
struct vmm_patch {
	uint32_t gpa;
	uint32_t orig; /* the sensitive instruction the hcall replaced */
};
int vmm_vm_patches(const struct vmm *v, int vm, struct vmm_patch *out, int max);

#endif
