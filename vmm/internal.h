/*
 * internal.h - private to vmm/: VMs, vCPUs, shadow page tables, and the
 * handlers' shared signature.  Each handler lives in a file named for its
 * concern; vmm.c holds the run loop and the table that dispatches to them.
 */
#ifndef TRAPEZE_VMM_INTERNAL_H
#define TRAPEZE_VMM_INTERNAL_H

#include "vmm.h"
#include "virtio_blk.h"

/*
 * The virtual CPU: what the guest believes the CPU holds.  cr[CR_PSW] is
 * the virtual PSW, with the guest's virtual MODE, IE and PG; the real PSW
 * is always user mode, paging on (shadow tables), interrupts off.
 */
struct vcpu {
	uint32_t x[ISA_NREGS];
	uint32_t pc;
	uint32_t cr[CR_COUNT];
};

/*
 * A shadow address space: a root table in a VMM frame, and the leaf
 * tables filled so far.  It maps guest virtual addresses straight to host
 * frames, with the permissions the guest's own tables give in one view.
 */
#define SHADOW_MAX_LEAVES 1024
struct shadow {
	uint32_t root;                        /* host physical address */
	uint32_t leaves[SHADOW_MAX_LEAVES];   /* host addresses, to free */
	int nleaves;
};

/* The three shadows of a VM: paging off; paging on, virtual supervisor
 * (guest pages with U = 0 reachable); paging on, virtual user (not). */
enum { VIEW_PHYS = VMM_VIEW_PHYS, VIEW_SUPER = VMM_VIEW_SUPER,
       VIEW_USER = VMM_VIEW_USER, VIEWS = VMM_VIEWS };

#define DEVICE_SPACE 0xF0000000u
#define DEVICE_PAGES 16 /* device n lives at DEVICE_SPACE + n * 4 KiB */

/* Binary patching: what is known of one guest page of code (patch.c).
 * Made when execution first enters the page; every word of it is then
 * examined, so the record is complete and of a fixed size. */
#define PAGE_WORDS (PAGE_SIZE / 4)
struct code_info {
	bool scanned;                      /* every word examined: may run;
					      mapped without W */
	int npatches;                      /* > 0: mapped without R */
	unsigned writes;                   /* written since it was scanned */
	uint32_t patched[PAGE_WORDS / 32]; /* words replaced by hcall */
	uint32_t orig[PAGE_WORDS];         /* the original of each patched word */
};

/*
 * A VM's own host frames for its shadow tables, carved from host RAM
 * when the VM is made (vmm.c, give_shadow_pool).  SHADOW_POOL_FRAMES:
 * its 3 roots and 253 leaf tables, each leaf mapping a 4 MiB region in
 * one view.  The least that guarantees progress is SHADOW_MIN_FRAMES:
 * the 3 roots, and one leaf for the fetch and one for the data access of
 * the instruction that faults, since a reclaim empties every view (an
 * instruction touches at most two pages: PG32 has no unaligned access).
 */
#define SHADOW_POOL_FRAMES 256u
#define SHADOW_MIN_FRAMES (VMM_VIEWS + 2u)
_Static_assert(SHADOW_POOL_FRAMES >= SHADOW_MIN_FRAMES,
	       "a VM's shadow pool must let it make progress");
_Static_assert(SHADOW_POOL_FRAMES - VMM_VIEWS <= SHADOW_MAX_LEAVES,
	       "one view's leaves all fit in struct shadow");
struct frame_pool {
	uint32_t top;    /* the frame number just above the pool */
	uint32_t size;   /* frames in the pool */
	uint32_t carved; /* frames handed out, from the top down, so far */
	uint32_t *free;  /* frames given back (HPAs), size of them at most */
	uint32_t nfree;
};

struct vm {
	int id;
	struct vmm *vmm;
	struct vcpu vcpu;

	/* guest-physical memory: page n is host frame frames[n] */
	uint32_t mem;
	uint32_t npages;
	uint32_t *frames;
	/* and back: host frame first_frame + k holds guest page page_of[k] */
	uint32_t first_frame;
	uint32_t *page_of;

	struct shadow shadow[VIEWS];
	struct frame_pool pool; /* the frames the shadows come from */
	struct code_info **code_info; /* per guest page, with --patch */

	/* the VM's own clock and devices */
	uint64_t cycles;      /* virtual: what the bare machine's clock would read */
	uint64_t host_cycles; /* the VMM's work for this VM (vm_charge_cycles) */
	uint64_t instret;
	uint64_t guest_traps; /* traps and interrupts delivered to the guest */
	uint32_t irq_lines;
	struct dev_console console;
	struct dev_timer timer;
	struct dev_disk disk;
	struct dev_test test;
	struct vblk vblk;     /* the paravirtual block device: VMs only */
	const struct dev_ops *dev_ops[DEVICE_PAGES];
	void *dev[DEVICE_PAGES];
	uint64_t deadline;    /* the devices' next one, while deadline_known */
	bool deadline_known;

	/* Hypercall ABI 2 (hcall.c): the vCPU's shared page, once the guest
	 * has registered one; then traps go to pv_entry with their frame in
	 * the page, and its MASK word is the virtual IE (reflect.c). */
	bool pv_shared;
	uint32_t pv_shared_gpa; /* page aligned, RAM: checked when registered */
	uint32_t pv_entry;      /* guest VA of the trap entry */

	/* to recognise a double fault, as the bare machine does */
	uint64_t instret_at_trap;
	bool trap_entered;

	bool yield;           /* end this turn: the VM waits */
	bool interpreting;    /* --hybrid: its supervisor code is being interpreted */
	uint64_t silent_since_exit; /* leaky: sensitive instructions, no exit */
	enum vm_state state;
	uint32_t status;
	char reason[160];

	/* --hw: the VM's control structure and its nested table (hw.c) */
	struct mach_vmcs *vmcs;
	struct mach_vmcs exit_seen; /* the VMCS as the last VM exit left it,
				       for the debugger (vmm_vm_vmcs) */
	uint32_t nested_root; /* host-physical; 0: none (--hw=shadow) */

	struct vmm_vm_stats stats;
	/* instret and cycles when the last round all VMs ran began */
	uint64_t fair_instret, fair_cycles;
};

struct vmm {
	struct vmm_config cfg;
	struct machine *m;
	struct vm **vms; /* vms[0..nvms), grown as VMs are added */
	int nvms, capvms;
	bool started;

	/* host frames: a bump allocator for guest memory at the bottom of
	 * host RAM, and the VMs' shadow pools carved from the top down */
	uint32_t next_frame; /* next guest frame, counting up */
	uint32_t top_used;   /* frames carved for shadow pools so far */

	/* The scheduler, kept here rather than in a loop's locals so that
	 * the debugger can stop it anywhere (vmm_tick) and the run goes on
	 * exactly as if it had not. */
	int turn;            /* the VM whose turn it is; -1 before the first */
	uint64_t rounds_started; /* rounds of the round robin begun with
				    every VM running */
	uint64_t fair_rounds;    /* whole rounds before the last such note */
	uint64_t turn_end;   /* the turn ends when that VM's instret gets here */
	bool exit_pending;   /* a world switch out whose handler has not run */
	struct mach_exit pending;
	bool pending_hw;     /* --hw: pending is a VM exit of this reason */
	enum mach_vmexit pending_reason;

	uint32_t real_ptbr; /* the shadow root the machine uses now */
	uint64_t silent_seen[OP_COUNT]; /* the machine's silent counts, last looked */
	int running_vm;     /* whose registers the machine holds; -1: none */

	uint64_t seq;
	vmm_event_fn *on_event;
	void *on_event_ctx;
};

/*
 * A handler: given the VM and the exit record, it does to the vCPU what
 * the bare machine would have done, and returns what it did.  The
 * bookkeeping is the dispatcher's (vm_handle_exit): it charges the
 * action's cost, labels the event and counts it.
 */
typedef enum vmm_action vmm_handler_fn(struct vm *vm, const struct mach_exit *exit);

/* vmm.c: the dispatcher.  Routes one exit to its handler, and fills in
 * ev (handler, action, cost) for the event log. */
void vm_handle_exit(struct vm *vm, const struct mach_exit *exit,
		    struct vmm_event *ev);

/* vmm.c: the same, for an event of interpreted code (hybrid.c): the
 * handler runs and its work is charged, but it is no exit (no world
 * switch; not counted as one, not logged). */
void vm_handle_interpreted(struct vm *vm, const struct mach_exit *exit,
			   struct vmm_event *ev);

/* hybrid.c: Theorem 3's hybrid VMM.  Does the VM's next instruction get
 * interpreted (--hybrid, virtual supervisor mode)?  And interpreting it
 * until the VM's clock reaches until, a boundary at which an interrupt
 * may be due, or the VM leaves supervisor mode. */
bool hybrid_interprets(const struct vm *vm);
void hybrid_run(struct vm *vm, uint64_t until);
/* The real PSW and TVEC for running its virtual user code directly. */
void hybrid_mirror(const struct vm *vm, uint32_t *psw, uint32_t *tvec);

/* emulate.c: privileged and sensitive instructions in virtual supervisor mode */
vmm_handler_fn emulate_privileged;
void vm_write_cr(struct vm *vm, unsigned cr, uint32_t value);
void vm_rfe(struct vm *vm);
enum vmm_action vm_wait(struct vm *vm);

/* reflect.c: traps that belong to the guest, and virtual interrupts */
vmm_handler_fn reflect_exception;
enum vmm_action reflect_trap(struct vm *vm, uint32_t cause, uint32_t pc,
			     uint32_t badva);
bool inject_interrupt(struct vm *vm);

/* shadow.c: shadow paging */
vmm_handler_fn shadow_page_fault;
void shadow_flush(struct vm *vm);
void shadow_flush_all(struct vm *vm);
void shadow_invalidate(struct vm *vm, uint32_t va);
uint32_t shadow_root(struct vm *vm);
/* Which shadow the guest runs in now (VIEW_*): ring compression. */
unsigned shadow_view(struct vm *vm);
int shadow_init(struct vm *vm);
void shadow_free(struct vm *vm);
/* A translation through the guest's own page table. */
struct guest_translation {
	uint32_t gpa;     /* where va leads */
	uint32_t pte;     /* the leaf PTE */
	uint32_t pte_gpa; /* where the leaf lives */
};
/* The guest's own walk, exactly as the bare machine does it, with no side
 * effect.  Returns CAUSE_NONE with *t, or the cause the bare machine
 * would raise. */
uint32_t guest_translate(struct vm *vm, uint32_t va, unsigned access,
			 bool user, struct guest_translation *t);
/* What the bare machine's walker writes after a successful access: A, and
 * D for a store, in the leaf (t->pte is updated too). */
void guest_mark_accessed(struct vm *vm, struct guest_translation *t,
			 unsigned access);
/* Both: a walk for an access the guest makes.  Returns the cause, or
 * CAUSE_NONE with *gpa. */
uint32_t guest_walk(struct vm *vm, uint32_t va, unsigned access, bool user,
		    uint32_t *gpa);
/* Where the machine fetches va from now: the guest-physical address that
 * the loaded shadow maps it to.  Returns false if it maps nothing there. */
bool shadow_fetched_gpa(struct vm *vm, uint32_t va, uint32_t *gpa);

/* mmio.c: device accesses */
enum vmm_action mmio_emulate(struct vm *vm, const struct mach_exit *exit,
			     uint32_t gpa);
bool vm_is_device(const struct vm *vm, uint32_t gpa);
/* What a load or store op accesses: its width in bytes, whether a load
 * sign-extends, whether it stores.  Returns false for any other op. */
bool mem_access_of(unsigned op, unsigned *size, bool *sign, bool *store);

/* hcall.c */
vmm_handler_fn hypercall;
/* A word of the registered shared page (VMM_SHARED_*), through gpa_to_hpa
 * like every access to guest memory.  False if there is no shared page. */
bool pv_shared_read(struct vm *vm, uint32_t offset, uint32_t *value);
bool pv_shared_write(struct vm *vm, uint32_t offset, uint32_t value);

/* reflect.c: ABI 2's delivery, for a VM with a shared page */
enum vmm_action pv_deliver(struct vm *vm, uint32_t cause, uint32_t pc,
			   uint32_t badva);
bool pv_inject_interrupt(struct vm *vm);

/*
 * hw.c: hardware assist (--hw, --hw=shadow).  The guest runs in the
 * machine's guest mode; struct vcpu stays the truth between exits (it is
 * copied into vmcs->guest at VM entry and back at VM exit), so every
 * handler above serves the hardware's exits unchanged.  hw_run is the
 * world switch: entry, the run, exit; an exit it leaves in vm->vmm->pending
 * as the exit record the handlers know, with pending_reason, and returns
 * MACH_STOP_VMEXIT.
 */
int hw_init(struct vm *vm);
void hw_free(struct vm *vm);
enum mach_stop hw_run(struct vm *vm, uint64_t budget);
/* The exits the VMM asks for now (the controls table in hw.c). */
uint32_t hw_exit_controls(const struct vm *vm);
/* The guest changed its page tables or flushed its TLB (a hypercall):
 * with nested paging its own TLB entries go, nothing else. */
void hw_guest_tlb_flush(struct vm *vm);
/* The handlers of the exits only the hardware has. */
vmm_handler_fn hw_mmio;
vmm_handler_fn hw_nested_fault;
vmm_handler_fn hw_irq_window;
vmm_handler_fn hw_double_fault;
vmm_handler_fn hw_entry_failed;
/* Is this VM run by the hardware's guest mode? with nested paging? */
bool vm_hw(const struct vm *vm);
bool vm_nested(const struct vm *vm);

/* patch.c: binary patching */
bool patch_scan(struct vm *vm, uint32_t gpa);
void patch_write(struct vm *vm, uint32_t gpa, const uint8_t *bytes, uint32_t len);
bool patch_page_scanned(struct vm *vm, uint32_t gpa);
bool patch_page_patched(struct vm *vm, uint32_t gpa);
/* A shadow PTE for the guest page at gpa, less what patching forbids. */
uint32_t patch_shadow_pte(struct vm *vm, uint32_t gpa, uint32_t pte);
bool patch_site(struct vm *vm, uint32_t pc, uint32_t *orig);
vmm_handler_fn patch_trap;
bool patch_fault(struct vm *vm, const struct mach_exit *exit, uint32_t gpa,
		 enum vmm_action *done);
enum vmm_action emulate_ram_access(struct vm *vm, const struct mach_exit *exit,
				   uint32_t gpa);
void patch_guest_view(struct vm *vm, uint32_t gpa, uint8_t *buf, uint32_t len);
void patch_free(struct vm *vm);

/* vmm.c: guest memory, time, and the VMM's shared services */
bool gpa_read32(struct vm *vm, uint32_t gpa, uint32_t *value);
bool gpa_write32(struct vm *vm, uint32_t gpa, uint32_t value);
/* Copies len bytes between buf and guest-physical memory at gpa (to_guest:
 * into the guest), checking the whole range and translating each page
 * with gpa_to_hpa.  Returns false, having copied nothing, if any of it is
 * not the VM's RAM. */
bool gpa_copy(struct vm *vm, uint32_t gpa, void *buf, uint32_t len,
	      bool to_guest);
/* A guest-physical address to the host address it lives at; false if it
 * is not in the VM's RAM.  (Not const: lab 6's handout stub stops the VM.) */
bool gpa_to_hpa(struct vm *vm, uint32_t gpa, uint32_t *hpa);
/* The inverse: false if hpa is not in one of the VM's own frames. */
bool hpa_to_gpa(const struct vm *vm, uint32_t hpa, uint32_t *gpa);
/* A zeroed frame of the VM's shadow pool (0 if it has none left), and
 * giving one back. */
uint32_t vmm_alloc_frame(struct vm *vm);
void vmm_free_frame(struct vm *vm, uint32_t hpa);
void vm_service_devices(struct vm *vm);
/* The VM's next device deadline (DEV_NEVER: none). */
uint64_t vm_next_deadline(struct vm *vm);
/* A device was accessed, or may have changed its deadline otherwise. */
void vm_devices_touched(struct vm *vm);
/* The instruction at pc completed (emulated): pc += 4, one more retired. */
void vm_retire(struct vm *vm);
/* Writes a general register of the vCPU as an instruction's rd does:
 * r0 stays 0. */
void vm_set_reg(struct vm *vm, unsigned rd, uint32_t value);
void vm_stop(struct vm *vm, enum vm_state state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The clock reached cfg.max_cycles: the VM stops, at its pc. */
void vm_stop_at_max_cycles(struct vm *vm);
void vm_charge(struct vm *vm, struct vmm_event *ev, enum vmm_cost c);
void vm_charge_cycles(struct vm *vm, uint64_t cycles);
bool vm_user(const struct vm *vm);

#endif
