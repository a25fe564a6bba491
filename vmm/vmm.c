/*
 * vmm.c - VMs, their memory and devices, the world switch, the run loop
 * and the one table that dispatches every exit to its handler.
 *
 * The run loop, for one VM's turn:
 *
 *     at the boundary: run due device clocks, inject a pending interrupt
 *     world switch in:  vCPU -> machine, real PSW = user + paging,
 *                       real PTBR = the shadow for the guest's view
 *     mach_run(budget)  the guest runs directly, until its next device
 *                       deadline or the end of its turn
 *     world switch out: machine -> vCPU, the VM's clock advances by what
 *                       the machine counted
 *     an exit?          handlers[cause](vm, exit)  -- emulate, fill,
 *                       reflect, ...; log it
 *
 * Time.  Each VM has its own clock, vm->cycles, that reads what the bare
 * machine's clock would read at the same point of the guest's execution.
 * While the guest runs directly, the machine counts exactly what the bare
 * machine would (instructions, mul/div); the handlers add what the bare
 * machine would have charged for what they emulate (a device access, a
 * trap entry, rfe), and take back the cycle of an instruction that
 * faulted only because a shadow entry was missing, since it runs again.
 * So the guest's timer fires at the same instruction natively and here,
 * and a preemptive guest prints the same bytes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- costs, names ----------------------------------------------------------- */

static const uint32_t cost_cycles[VMM_COST_COUNT] = {
#define VMM_X_COSTV(name, cycles, doc) [VMM_COST_##name] = cycles,
	VMM_COSTS(VMM_X_COSTV)
#undef VMM_X_COSTV
};

uint32_t vmm_cost(enum vmm_cost c)
{
	return c < VMM_COST_COUNT ? cost_cycles[c] : 0;
}

const char *vmm_action_name(enum vmm_action a)
{
	static const char *const names[VMM_ACT_COUNT] = {
#define VMM_X_ACTNAME(name, str, doc) [VMM_ACT_##name] = str,
		VMM_ACTIONS(VMM_X_ACTNAME)
#undef VMM_X_ACTNAME
	};
	return a < VMM_ACT_COUNT ? names[a] : "?";
}

const char *vmm_vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_RUNNING: return "running";
	case VM_HALTED: return "halted";
	case VM_DOUBLE_FAULT: return "double fault";
	case VM_DEADLOCK: return "deadlock";
	case VM_MAX_CYCLES: return "max cycles";
	case VM_FAILED: return "failed";
	}
	return "?";
}

/* The VMM's work is host time: it goes on the machine's clock. */
void vm_charge(struct vm *vm, struct vmm_event *ev, enum vmm_cost c)
{
	vm_charge_cycles(vm, vmm_cost(c));
	ev->cost += vmm_cost(c);
}

void vm_retire(struct vm *vm)
{
	vm->vcpu.pc += 4;
	vm->instret++;
	vm->trap_entered = false;
}

void vm_set_reg(struct vm *vm, unsigned rd, uint32_t value)
{
	if (rd != 0)
		vm->vcpu.x[rd] = value;
}

void vm_charge_cycles(struct vm *vm, uint64_t cycles)
{
	mach_charge(vm->vmm->m, cycles);
	vm->host_cycles += cycles; /* what --host-time lets the guest see */
}

bool vm_user(const struct vm *vm)
{
	return !(vm->vcpu.cr[CR_PSW] & PSW_MODE);
}

void vm_stop(struct vm *vm, enum vm_state state, const char *fmt, ...)
{
	/* A VM stops once.  What stopped it first is what went wrong; work
	 * that goes on after it (the rest of an exit, the exit that a
	 * world switch in still lets happen) must not replace the reason. */
	if (vm->state != VM_RUNNING)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->reason, sizeof vm->reason, fmt, ap);
	va_end(ap);
	vm->state = state;
}

/* ---- host frames ---------------------------------------------------------------- */

/*
 * Host RAM: guest memory from the bottom up; from the top down, one
 * shadow pool per VM, carved out when the VM is made.  A VM's shadow
 * tables come from its own pool only, so what one VM maps can never
 * take a frame another VM needs: when a VM's pool runs dry, the VMM
 * drops that VM's shadows (shadow.c, shadow_reclaim) and refills them
 * from its pool, and no other VM notices.
 */
#define HOST_RAM MACH_MAX_RAM
#define FIRST_GUEST_FRAME 16
#define SHADOW_POOL_BYTES ((uint32_t)SHADOW_POOL_FRAMES * PAGE_SIZE)

uint32_t vmm_host_ram_for(const uint32_t *mem, int nvms)
{
	/* What give_memory needs: guest frames start at or above the
	 * largest VM's page count, then each VM's pages; and each VM's
	 * shadow pool. */
	uint64_t total = (uint64_t)FIRST_GUEST_FRAME * PAGE_SIZE, largest = 0;
	for (int i = 0; i < nvms; i++) {
		uint64_t m = mem[i] ? mem[i] : MACH_DEFAULT_RAM;
		total += m + SHADOW_POOL_BYTES;
		if (m > largest)
			largest = m;
	}
	total += largest;
	return total > HOST_RAM ? HOST_RAM : (uint32_t)total;
}

/* A zeroed frame from the VM's own pool: a frame given back, else one
 * never used yet.  0 when the pool is empty (the caller reclaims). */
uint32_t vmm_alloc_frame(struct vm *vm)
{
	struct frame_pool *p = &vm->pool;
	uint32_t hpa;
	if (p->nfree > 0)
		hpa = p->free[--p->nfree];
	else if (p->carved < p->size)
		hpa = (p->top - ++p->carved) * PAGE_SIZE;
	else
		return 0;
	static const uint8_t zero[PAGE_SIZE];
	mach_phys_write(vm->vmm->m, hpa, zero, PAGE_SIZE);
	return hpa;
}

void vmm_free_frame(struct vm *vm, uint32_t hpa)
{
	struct frame_pool *p = &vm->pool;
	if (p->nfree < p->carved) /* always: only carved frames come back */
		p->free[p->nfree++] = hpa;
}

/* Carves the VM's shadow pool, SHADOW_POOL_FRAMES frames, from the top
 * of what host RAM has left (room_in_host_ram said there is room). */
static bool give_shadow_pool(struct vmm *v, struct vm *vm)
{
	vm->pool.free = malloc(SHADOW_POOL_FRAMES * sizeof *vm->pool.free);
	if (!vm->pool.free)
		return false;
	vm->pool.top = mach_ram_size(v->m) / PAGE_SIZE - v->top_used;
	vm->pool.size = SHADOW_POOL_FRAMES;
	v->top_used += SHADOW_POOL_FRAMES;
	return true;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b, b = t;
	}
	return a;
}

/* A stride k coprime with n, so that i -> i * k mod n is a permutation. */
static uint32_t coprime_stride(uint32_t n)
{
	uint32_t k = 5;
	while (n > 1 && gcd(k, n) != 1)
		k += 2;
	return k;
}

/* Starting at or above frame n, frame base + anything is above every
 * guest page number: no guest page lands at its own address. */
static uint32_t first_frame_for(const struct vmm *v, uint32_t npages)
{
	return v->next_frame > npages ? v->next_frame : npages;
}

/* Is there room in host RAM for a VM of npages pages and its pool? */
static bool room_in_host_ram(const struct vmm *v, uint32_t npages)
{
	uint64_t top = mach_ram_size(v->m) / PAGE_SIZE - v->top_used;
	return (uint64_t)first_frame_for(v, npages) + npages +
		       SHADOW_POOL_FRAMES <= top;
}

/*
 * Gives the VM npages host frames in a scrambled order: guest page i is
 * host frame base + (i * k mod n).  Contiguous guest memory is thus not
 * contiguous in the host, and GPA != HPA shows in every translation.
 */
static bool give_memory(struct vmm *v, struct vm *vm)
{
	uint32_t n = vm->npages;
	uint32_t base = first_frame_for(v, n);
	vm->frames = malloc((size_t)n * sizeof *vm->frames);
	vm->page_of = malloc((size_t)n * sizeof *vm->page_of);
	if (!vm->frames || !vm->page_of)
		return false;
	uint32_t k = coprime_stride(n);
	vm->first_frame = base;
	for (uint32_t i = 0; i < n; i++) {
		vm->frames[i] = base + (uint32_t)(((uint64_t)i * k) % n);
		vm->page_of[vm->frames[i] - base] = i;
	}
	v->next_frame = base + n;
	return true;
}

/* ---- guest-physical memory --------------------------------------------------------- */

/*
 * The one check that keeps a VM in its own frames.  Everything the guest
 * reaches goes through here: a shadow fill (the frame a shadow PTE names),
 * the VMM's walk of the guest's page tables, its reads and writes of guest
 * memory for hypercalls and A/D bits, the disk's DMA (gpa_copy checks the
 * whole transfer first, then each page).  An address past the VM's RAM is
 * nothing (the caller gives the guest its BUS_ERROR, as the bare machine
 * would), never an index past the end of vm->frames, whose neighbours are
 * another VM's memory.
 */
bool gpa_to_hpa(struct vm *vm, uint32_t gpa, uint32_t *hpa)
{
/* BEGIN LAB 6: a guest-physical address of this VM's RAM, to its host frame */
	if (gpa >= vm->mem)
		return false;
	*hpa = vm->frames[gpa >> PAGE_SHIFT] << PAGE_SHIFT | (gpa & (PAGE_SIZE - 1));
	return true;
/* END LAB 6 */
/* STUB LAB 6
	(void)gpa;
	*hpa = 0;
	vm_stop(vm, VM_FAILED, "lab 6: gpa_to_hpa (vmm/vmm.c) is not written "
		"yet: see labs/lab6-vms/README.md, section 3.1");
	return false;
*/
}

bool hpa_to_gpa(const struct vm *vm, uint32_t hpa, uint32_t *gpa)
{
	uint32_t k = (hpa >> PAGE_SHIFT) - vm->first_frame;
	if (hpa >> PAGE_SHIFT < vm->first_frame || k >= vm->npages)
		return false;
	*gpa = vm->page_of[k] << PAGE_SHIFT | (hpa & (PAGE_SIZE - 1));
	return true;
}

bool gpa_read32(struct vm *vm, uint32_t gpa, uint32_t *value)
{
	uint32_t hpa;
	uint8_t b[4];
	if ((gpa & 3) || !gpa_to_hpa(vm, gpa, &hpa) ||
	    !mach_phys_read(vm->vmm->m, hpa, b, 4))
		return false;
	patch_guest_view(vm, gpa, b, 4);
	*value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		 (uint32_t)b[3] << 24;
	return true;
}

bool gpa_write32(struct vm *vm, uint32_t gpa, uint32_t value)
{
	uint32_t hpa;
	uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8),
			(uint8_t)(value >> 16), (uint8_t)(value >> 24)};
	if ((gpa & 3) || !gpa_to_hpa(vm, gpa, &hpa))
		return false;
	patch_write(vm, gpa, b, 4);
	return true;
}

/* Copies between buf and guest-physical memory, page by page, checking
 * every page.  Returns false, having copied nothing, if any is not RAM.
 * What is read is what the guest would read: the words binary patching
 * replaced are put back; what is written is examined as code where the
 * page is code (patch.c). */
bool gpa_copy(struct vm *vm, uint32_t gpa, void *buf, uint32_t len,
	      bool to_guest)
{
	if ((uint64_t)gpa + len > vm->mem)
		return false;
	uint8_t *p = buf;
	for (uint32_t done = 0; done < len;) {
		uint32_t at = gpa + done, hpa = 0;
		uint32_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		gpa_to_hpa(vm, at, &hpa); /* in range: checked above */
		if (to_guest)
			patch_write(vm, at, p + done, chunk);
		else
			mach_phys_read(vm->vmm->m, hpa, p + done, chunk);
		done += chunk;
	}
	if (!to_guest)
		patch_guest_view(vm, gpa, buf, len);
	return true;
}

/* ---- the VM's virtual devices: the machine's device code, hosted here --------------- */

static void vm_set_irq(void *ctx, unsigned irq, bool level)
{
	struct vm *vm = ctx;
	if (level)
		vm->irq_lines |= 1u << irq;
	else
		vm->irq_lines &= ~(1u << irq);
}

static bool vm_dma(void *ctx, uint32_t pa, void *buf, uint32_t len, bool to_ram)
{
	return gpa_copy(ctx, pa, buf, len, to_ram);
}

static void vm_halt(void *ctx, uint32_t status)
{
	struct vm *vm = ctx;
	vm->status = status;
	vm_stop(vm, VM_HALTED, "halted with status %u", status);
}

/* A device that cannot go on for want of host resources stops its VM. */
static void vm_device_failed(void *ctx, const char *reason)
{
	vm_stop(ctx, VM_FAILED, "%s", reason);
}

static uint64_t vm_now(void *ctx)
{
	const struct vm *vm = ctx;
	return vm->cycles;
}

static void vm_console_output(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;
	if (vm->vmm->cfg.output)
		vm->vmm->cfg.output(vm->vmm->cfg.output_ctx, vm->id, byte);
}

static void vm_attach(struct vm *vm, uint32_t base, const struct dev_ops *ops,
		      void *dev)
{
	unsigned slot = (base - DEVICE_SPACE) >> PAGE_SHIFT;
	vm->dev_ops[slot] = ops;
	vm->dev[slot] = dev;
}

bool vm_is_device(const struct vm *vm, uint32_t gpa)
{
	return gpa >= DEVICE_SPACE &&
	       (gpa - DEVICE_SPACE) >> PAGE_SHIFT < DEVICE_PAGES &&
	       vm->dev_ops[(gpa - DEVICE_SPACE) >> PAGE_SHIFT];
}

/* Runs the clocks of the VM's devices whose deadline has come: on the
 * VM's own clock, which reads what the bare machine's would. */
void vm_service_devices(struct vm *vm)
{
/* BEGIN LAB 2: the virtual devices' clocks, on the VM's clock */
	for (int s = 0; s < DEVICE_PAGES; s++) {
		const struct dev_ops *ops = vm->dev_ops[s];
		if (ops && ops->tick && ops->deadline &&
		    ops->deadline(vm->dev[s]) <= vm->cycles)
			ops->tick(vm->dev[s], vm->cycles);
	}
/* END LAB 2 */
/* STUB LAB 2
	vm_stop(vm, VM_FAILED, "lab 2: vm_service_devices (vmm/vmm.c) is not "
		"written yet: see labs/lab2-irq/README.md, section 3.2");
*/
	/* A clock that ran has a new deadline (or none): look again. */
	vm_devices_touched(vm);
}

/* The deadline is remembered between exits, most of which touch no
 * device: it changes only when a device is accessed or its clock runs,
 * and each of those forgets it (vm_devices_touched). */
uint64_t vm_next_deadline(struct vm *vm)
{
	if (vm->deadline_known)
		return vm->deadline;
	uint64_t next = DEV_NEVER;
	for (int s = 0; s < DEVICE_PAGES; s++) {
		const struct dev_ops *ops = vm->dev_ops[s];
		if (ops && ops->deadline) {
			uint64_t t = ops->deadline(vm->dev[s]);
			if (t < next)
				next = t;
		}
	}
	vm->deadline = next;
	vm->deadline_known = true;
	return next;
}

void vm_devices_touched(struct vm *vm)
{
	vm->deadline_known = false;
}

/* ---- making VMs -------------------------------------------------------------------- */

struct vmm *vmm_new(const struct vmm_config *cfg)
{
	struct vmm *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->cfg = *cfg;
	if (!v->cfg.quantum)
		v->cfg.quantum = VMM_DEFAULT_QUANTUM;
	struct mach_config mc = {.ram_size = cfg->host_ram ? cfg->host_ram : HOST_RAM,
				 .leaky = cfg->leaky,
				 .monitor = true};
	v->m = mach_new(&mc);
	if (!v->m) {
		free(v);
		return NULL;
	}
	v->next_frame = FIRST_GUEST_FRAME;
	v->running_vm = -1;
	v->turn = -1;
	return v;
}

static void vm_free(struct vm *vm)
{
	if (!vm)
		return;
	dev_disk_destroy(&vm->disk);
	vblk_destroy(&vm->vblk);
	patch_free(vm);
	hw_free(vm);
	free(vm->pool.free);
	free(vm->frames);
	free(vm->page_of);
	free(vm);
}

void vmm_free(struct vmm *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->nvms; i++)
		vm_free(v->vms[i]);
	free(v->vms);
	mach_free(v->m);
	free(v);
}

/* The VM table grows by doubling: adding N VMs costs O(N) copies. */
static bool room_for_one_more_vm(struct vmm *v)
{
	if (v->nvms < v->capvms)
		return true;
	int cap = v->capvms ? v->capvms * 2 : 8;
	struct vm **p = realloc(v->vms, (size_t)cap * sizeof *p);
	if (!p)
		return false;
	v->vms = p;
	v->capvms = cap;
	return true;
}

int vmm_add_vm(struct vmm *v, const struct vm_config *cfg, char *err,
	       size_t errsize)
{
	if (v->started) {
		snprintf(err, errsize, "vm%d: every VM must be added before the "
			 "run", v->nvms);
		return -1;
	}
	if (!room_for_one_more_vm(v)) {
		snprintf(err, errsize, "vm%d: out of host memory for the VM table",
			 v->nvms);
		return -1;
	}
	uint32_t mem = cfg->mem ? cfg->mem : MACH_DEFAULT_RAM;
	if (mem % PAGE_SIZE || mem == 0 || mem > MACH_MAX_RAM / 4) {
		snprintf(err, errsize, "vm%d: memory size %u: a multiple of 4K "
			 "up to 256M", v->nvms, mem);
		return -1;
	}
	if (!room_in_host_ram(v, mem / PAGE_SIZE)) {
		snprintf(err, errsize, "vm%d: no room in the machine's %u MiB "
			 "of RAM for its %u KiB of memory and %u KiB shadow pool "
			 "(%d VMs fit; MACH_MAX_RAM is %u MiB)", v->nvms,
			 mach_ram_size(v->m) >> 20, mem >> 10,
			 SHADOW_POOL_BYTES >> 10, v->nvms, MACH_MAX_RAM >> 20);
		return -1;
	}
	struct vm *vm = calloc(1, sizeof *vm);
	if (!vm) {
		snprintf(err, errsize, "vm%d: out of host memory", v->nvms);
		return -1;
	}
	vm->id = v->nvms;
	vm->vmm = v;
	vm->mem = mem;
	vm->npages = mem / PAGE_SIZE;
	vm->state = VM_RUNNING;
	vm->code_info = calloc(vm->npages, sizeof *vm->code_info);
	if (!vm->code_info) {
		snprintf(err, errsize, "vm%d: out of host memory", vm->id);
		free(vm);
		return -1;
	}

	struct dev_host host = {.ctx = vm, .set_irq = vm_set_irq, .dma = vm_dma,
				.halt = vm_halt, .now = vm_now,
				.stop = vm_device_failed};
	dev_console_init(&vm->console, &host);
	dev_timer_init(&vm->timer, &host);
	dev_test_init(&vm->test, &host);
	vblk_init(&vm->vblk, vm, &vm->disk);
	if (dev_disk_init(&vm->disk, &host) != 0 || !give_memory(v, vm) ||
	    !give_shadow_pool(v, vm)) {
		snprintf(err, errsize, "vm%d: out of host memory", vm->id);
		vm_free(vm);
		return -1;
	}
	vm_attach(vm, DEV_CONSOLE_BASE, &dev_console_ops, &vm->console);
	vm_attach(vm, DEV_TIMER_BASE, &dev_timer_ops, &vm->timer);
	vm_attach(vm, DEV_DISK_BASE, &dev_disk_ops, &vm->disk);
	vm_attach(vm, DEV_TEST_BASE, &dev_test_ops, &vm->test);
	vm_attach(vm, VBLK_BASE, &vblk_ops, &vm->vblk); /* no bare-machine twin */
	dev_console_set_output(&vm->console, vm_console_output, vm);
	if (cfg->console_in)
		dev_console_set_input_file(&vm->console, cfg->console_in);
	if (cfg->disk && dev_disk_attach(&vm->disk, cfg->disk, err, errsize) != 0) {
		vm_free(vm);
		return -1;
	}
	dev_disk_set_private(&vm->disk, cfg->disk_private);

	/* Boot state, as on the bare machine: the image at its physical
	 * addresses, pc = entry, supervisor mode, everything else 0. */
	const struct elf_image *img = cfg->image;
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if ((uint64_t)s->addr + s->size > mem) {
			snprintf(err, errsize, "segment %s (0x%08x..0x%08llx) lies "
				 "outside the VM's RAM (0x0..0x%08x)", s->name,
				 s->addr, (unsigned long long)s->addr + s->size, mem);
			vm_free(vm);
			return -1;
		}
		gpa_copy(vm, s->addr, s->data, s->filesz, true);
	}
	vm->vcpu.pc = img->entry;
	vm->vcpu.cr[CR_PSW] = PSW_MODE;
	if (shadow_init(vm) != 0) {
		snprintf(err, errsize, "vm%d: no host memory for shadow tables",
			 vm->id);
		vm_free(vm);
		return -1;
	}
	if (v->cfg.assist != VMM_ASSIST_NONE && hw_init(vm) != 0) {
		snprintf(err, errsize, "vm%d: no host memory for its VMCS or "
			 "nested table", vm->id);
		vm_free(vm);
		return -1;
	}
	v->vms[v->nvms++] = vm;
	return vm->id;
}

/* ---- the world switch ----------------------------------------------------------------- */

/* Returns the machine's clock (mach_cycles), which the caller needs too. */
static uint64_t world_switch_in(struct vm *vm)
{
	struct vmm *v = vm->vmm;
	struct cpu *c = mach_cpu(v->m);
	memcpy(c->x, vm->vcpu.x, sizeof vm->vcpu.x);
	c->x[0] = 0;
	c->pc = vm->vcpu.pc;
	uint32_t root = shadow_root(vm);
	if (root != v->real_ptbr) {
		mach_set_cr(v->m, CR_PTBR, root); /* flushes the real TLB */
		v->real_ptbr = root;
	}
	/* The guest, kernel included, runs in real user mode with paging
	 * on; real interrupts stay off: the run's budget preempts it.  A
	 * trap out leaves the real PSW as it was, so this is usually set. */
	uint32_t psw = PSW_PG, tvec = c->cr[CR_TVEC];
	if (v->cfg.hybrid)
		hybrid_mirror(vm, &psw, &tvec);
	if (c->cr[CR_PSW] != psw)
		mach_set_cr(v->m, CR_PSW, psw);
	if (c->cr[CR_TVEC] != tvec)
		mach_set_cr(v->m, CR_TVEC, tvec);
	/* rdcycle reads the VM's own clock, not the host's; with
	 * --host-time, that clock plus the VMM's work for this VM.  (The
	 * subtraction may wrap: a VM's clock can run ahead of the machine's
	 * after wfi; rdcycle's low 32 bits come out right all the same.) */
	uint64_t now = mach_cycles(v->m);
	uint64_t seen = vm->cycles + (v->cfg.host_time ? vm->host_cycles : 0);
	mach_set_rdcycle_offset(v->m, now - seen);
	v->running_vm = vm->id;
	return now;
}

static void world_switch_out(struct vm *vm)
{
	const struct cpu *c = mach_cpu(vm->vmm->m);
	memcpy(vm->vcpu.x, c->x, sizeof vm->vcpu.x);
	vm->vcpu.pc = c->pc;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

/*
 * The heart of the VMM: one handler per exit cause.  A cause without a
 * handler (a bus error from the real machine, which shadow tables never
 * cause) stops the VM loudly: it is a VMM bug, never "log and go on".
 * A page fault first walks the guest's table, whatever comes of it: that
 * walk is the handler's entry cost.
 */
struct handler {
	vmm_handler_fn *fn;
	const char *name;         /* for the event log */
	enum vmm_cost entry_cost; /* charged before the handler runs */
};
#define HANDLER(fn) {fn, #fn, VMM_COST_COUNT}
static const struct handler handlers[CAUSE_COUNT] = {
	[CAUSE_ILLEGAL] = HANDLER(reflect_exception),
	[CAUSE_PRIV] = HANDLER(emulate_privileged),
	[CAUSE_SYSCALL] = HANDLER(reflect_exception),
	[CAUSE_BREAK] = HANDLER(reflect_exception),
	[CAUSE_DIVZERO] = HANDLER(reflect_exception),
	[CAUSE_MISALIGNED] = HANDLER(reflect_exception),
	[CAUSE_PAGE_FAULT] = {shadow_page_fault, "shadow_page_fault",
			      VMM_COST_SHADOW_WALK},
	[CAUSE_HCALL] = HANDLER(hypercall),
};
/* --patch: a patched sensitive instruction exits as an hcall, and only
 * the patcher knows the word it replaced. */
static const struct handler patch_handler = HANDLER(patch_trap);

/*
 * --hw, --hw=shadow: the same table for the hardware's VM exits, by exit
 * reason.  Only the exits the controls select come (hw.c,
 * hw_exit_controls); the instruction classes that trap-and-emulate had
 * to emulate run in guest mode, and when the first generation's controls
 * make PTBR writes and TLB instructions exit, emulate_privileged serves
 * them as it serves a PRIV exit.  An exception the bitmap selects (a
 * page fault, --hw=shadow) goes where that cause goes in `handlers`.
 */
static const struct handler hw_handlers[MACH_VMEXIT_COUNT] = {
	[MACH_VMEXIT_MMIO] = HANDLER(hw_mmio),
	[MACH_VMEXIT_HCALL] = HANDLER(hypercall),
	[MACH_VMEXIT_WFI] = HANDLER(emulate_privileged),
	[MACH_VMEXIT_PTBR_WRITE] = HANDLER(emulate_privileged),
	[MACH_VMEXIT_TLB] = HANDLER(emulate_privileged),
	[MACH_VMEXIT_NESTED_FAULT] = HANDLER(hw_nested_fault),
	[MACH_VMEXIT_IRQ_WINDOW] = HANDLER(hw_irq_window),
	[MACH_VMEXIT_DOUBLE_FAULT] = HANDLER(hw_double_fault),
	[MACH_VMEXIT_ENTRY_FAILED] = HANDLER(hw_entry_failed),
};
#undef HANDLER

/* A guest exception that exits under hardware assist: the guest's own
 * (the VMM reflects it), or a double fault, which reflect_exception
 * recognises. */
static const struct handler hw_exception_handler = {
	reflect_exception, "reflect_exception", VMM_COST_COUNT};

/* A VM exit's handler: hw_handlers by reason.  An exception is the
 * guest's, but under --hw=shadow a page fault may be the shadow's, for
 * its own handler to tell. */
static const struct handler *hw_route(const struct vm *vm,
				      enum mach_vmexit reason,
				      const struct mach_exit *exit)
{
	uint32_t code = exit->cause & CAUSE_CODE_MASK;
	if (reason == MACH_VMEXIT_EXCEPTION)
		return code == CAUSE_PAGE_FAULT && !vm_nested(vm)
			       ? &handlers[CAUSE_PAGE_FAULT]
			       : &hw_exception_handler;
	if ((unsigned)reason >= MACH_VMEXIT_COUNT || !hw_handlers[reason].fn)
		return NULL;
	return &hw_handlers[reason];
}

/* Which handler an exit goes to (NULL: none).  At a patch site the exit
 * becomes what the guest meant: its insn is the word the patch replaced. */
static const struct handler *route(struct vm *vm, struct mach_exit *exit)
{
	uint32_t code = exit->cause & CAUSE_CODE_MASK;
	if (exit->cause & CAUSE_INTERRUPT || code >= CAUSE_COUNT ||
	    !handlers[code].fn)
		return NULL;
	if (code == CAUSE_HCALL && patch_site(vm, exit->pc, &exit->insn))
		return &patch_handler;
	return &handlers[code];
}

/* What the VMM's work for an action costs, on top of the world switch
 * and the handler's entry cost. */
static enum vmm_cost cost_of(enum vmm_action action)
{
	switch (action) {
	case VMM_ACT_EMULATED: return VMM_COST_EMULATE;
	case VMM_ACT_WAITED: return VMM_COST_EMULATE; /* wfi, or the idle hypercall */
	case VMM_ACT_SHADOW_FILL: return VMM_COST_SHADOW_FILL;
	case VMM_ACT_MMIO: return VMM_COST_MMIO;
	case VMM_ACT_REFLECTED: return VMM_COST_REFLECT;
	case VMM_ACT_INJECTED: return VMM_COST_REFLECT;
	case VMM_ACT_HYPERCALL: return VMM_COST_HCALL;
	case VMM_ACT_PATCHED: return VMM_COST_PATCH_TRAP;
	case VMM_ACT_ACCESS: return VMM_COST_ACCESS;
	case VMM_ACT_NESTED_FILL: return VMM_COST_NESTED_FILL;
	case VMM_ACT_WINDOW: /* nothing to do: the boundary injects */
	case VMM_ACT_HALTED: case VMM_ACT_COUNT: break;
	}
	return VMM_COST_COUNT; /* nothing: vmm_cost() is 0 */
}

static void run_handler(struct vm *vm, const struct mach_exit *machine_exit,
			struct vmm_event *ev, bool is_exit)
{
	struct mach_exit meant = *machine_exit;
	const struct mach_exit *exit = &meant;
	const struct handler *h = ev->hw ? hw_route(vm, ev->reason, &meant)
				       : route(vm, &meant);
	ev->insn = meant.insn;
	if (!h && ev->hw) {
		const char *name = mach_vmexit_name(ev->reason);
		vm_stop(vm, VM_FAILED, "unexpected VM exit: %s at pc 0x%08x",
			name ? name : "?", exit->pc);
		ev->handler = "none";
		ev->action = VMM_ACT_HALTED;
		return;
	}
	if (!h) {
		const char *name = isa_cause_name(exit->cause);
		vm_stop(vm, VM_FAILED, "unexpected exit: cause 0x%08x (%s) at pc "
			"0x%08x, badva 0x%08x", exit->cause, name ? name : "?",
			exit->pc, exit->badva);
		ev->handler = "none";
		ev->action = VMM_ACT_HALTED;
		return;
	}
	if (ev->hw)
		vm->stats.exits_by_reason[ev->reason]++;
	else if (is_exit)
		vm->stats.exits_by_cause[exit->cause & CAUSE_CODE_MASK]++;
	ev->handler = h->name;
	vm_charge(vm, ev, h->entry_cost);
	ev->action = h->fn(vm, exit);
	vm_charge(vm, ev, cost_of(ev->action));
}

void vm_handle_exit(struct vm *vm, const struct mach_exit *exit,
		    struct vmm_event *ev)
{
	run_handler(vm, exit, ev, true);
}

void vm_handle_interpreted(struct vm *vm, const struct mach_exit *exit,
			   struct vmm_event *ev)
{
	run_handler(vm, exit, ev, false);
}

static void log_event(struct vm *vm, struct vmm_event *ev)
{
	struct vmm *v = vm->vmm;
	ev->silent = vm->silent_since_exit;
	vm->silent_since_exit = 0;
	ev->seq = v->seq++;
	ev->vm = vm->id;
	ev->resume_pc = vm->vcpu.pc;
	ev->guest_cycles = vm->cycles;
	vm->stats.exits_by_action[ev->action]++;
	if (v->on_event)
		v->on_event(v->on_event_ctx, ev);
}

static void dispatch(struct vm *vm, const struct mach_exit *exit)
{
	struct vmm *v = vm->vmm;
	struct vmm_event ev = {
		.cause = exit->cause, .pc = exit->pc, .insn = exit->insn,
		.badva = exit->badva, .supervisor = !vm_user(vm),
		.hw = v->pending_hw, .reason = v->pending_reason,
	};
	vm->stats.exits++;
	/* Under --hw the world switch is the machine's VM entry and exit,
	 * already on the host's clock (exit_host_cycles): shown, not
	 * charged again. */
	if (ev.hw)
		ev.cost += vm->vmcs->exit_host_cycles;
	else
		vm_charge(vm, &ev, VMM_COST_WORLD_SWITCH);
	vm_handle_exit(vm, exit, &ev);
	v->pending_hw = false;
	log_event(vm, &ev);
}

/* ---- running ------------------------------------------------------------------------------ */

/* At an instruction boundary: what the bare machine does between batches.
 * Returns true if it injected an interrupt; else *deadline is the VM's
 * next device deadline.  Most boundaries (one per exit) find no clock
 * due and no line raised: those cost one look at the deadlines. */
static bool at_boundary(struct vm *vm, uint64_t *deadline)
{
	*deadline = vm_next_deadline(vm);
	if (*deadline <= vm->cycles) {
		vm_service_devices(vm);
		*deadline = vm_next_deadline(vm);
	}
	if (!vm->irq_lines)
		return false; /* nothing to inject */
	struct vmm_event ev = {.supervisor = !vm_user(vm), .pc = vm->vcpu.pc,
			       .handler = "inject_interrupt"};
	if (vm->state != VM_RUNNING || !inject_interrupt(vm))
		return false;
	vm->stats.injections++;
	ev.cause = vm->vcpu.cr[CR_CAUSE];
	ev.action = VMM_ACT_INJECTED;
	vm_charge(vm, &ev, cost_of(ev.action));
	log_event(vm, &ev);
	return true;
}

/* Sensitive instructions the guest ran without an exit (leaky mode):
 * what the VMM cannot see, told by the machine for --stats and --trace. */
static void count_silent(struct vm *vm, uint64_t since)
{
	struct mach_stats st;
	mach_get_stats(vm->vmm->m, &st);
	for (unsigned op = 0; op < OP_COUNT; op++)
		vm->stats.silent_sensitive[op] += st.silent_sensitive[op] -
						  vm->vmm->silent_seen[op];
	memcpy(vm->vmm->silent_seen, st.silent_sensitive, sizeof st.silent_sensitive);
	vm->silent_since_exit += mach_silent_sensitive(vm->vmm->m) - since;
}

void vm_stop_at_max_cycles(struct vm *vm)
{
	vm_stop(vm, VM_MAX_CYCLES, "stopped after %llu cycles (--max-cycles) "
		"at pc 0x%08x", (unsigned long long)vm->cycles, vm->vcpu.pc);
}

/*
 * Trap-and-emulate's world switch in, the guest's run of at most budget
 * cycles directly on the machine, the world switch out.  An exit is left
 * in v->pending.
 */
static enum mach_stop direct_run(struct vm *vm, uint64_t budget)
{
	struct vmm *v = vm->vmm;
	struct machine *m = v->m;
	uint64_t c0 = world_switch_in(vm), i0 = mach_instret(m);
	/* Only a leaky machine runs sensitive instructions without an exit. */
	uint64_t silent0 = v->cfg.leaky ? mach_silent_sensitive(m) : 0;
	enum mach_stop stop = mach_run(m, budget);
	if (v->cfg.leaky && mach_silent_sensitive(m) != silent0)
		count_silent(vm, silent0);
	uint64_t ran = mach_instret(m) - i0;
	vm->cycles += mach_cycles(m) - c0;
	vm->instret += ran;
	vm->stats.guest_instret += ran;
	world_switch_out(vm);
	if (ran)
		vm->trap_entered = false; /* the handler got going */
	if (stop == MACH_STOP_EXIT)
		v->pending = *mach_exit(m);
	return stop;
}

/*
 * One slice of a VM's execution: what the bare machine does between two
 * batches (device clocks, a pending interrupt), then the guest runs
 * directly until `until` on its clock (or its next device deadline, or an
 * exit).  Returns true if it ended in an exit, which is then waiting in
 * v->pending for its handler (dispatch_pending).
 */
static bool run_slice(struct vm *vm, uint64_t until)
{
	struct vmm *v = vm->vmm;
	uint64_t next;
	/* An injected interrupt is a step of its own, as on the bare machine
	 * (mach_step takes it and stops). */
	if (at_boundary(vm, &next) || vm->state != VM_RUNNING)
		return false;
	uint64_t limit = until;
	if (next < limit)
		limit = next;
	if (v->cfg.max_cycles) {
		if (vm->cycles >= v->cfg.max_cycles) {
			vm_stop_at_max_cycles(vm);
			return false;
		}
		if (v->cfg.max_cycles < limit)
			limit = v->cfg.max_cycles;
	}
	if (hybrid_interprets(vm)) {
		hybrid_run(vm, limit); /* Theorem 3: never on the machine */
		return false;
	}
	uint64_t budget = limit > vm->cycles ? limit - vm->cycles : 1;
	enum mach_stop stop = vm_hw(vm) ? hw_run(vm, budget) : direct_run(vm, budget);
	if (stop == MACH_STOP_EXIT || stop == MACH_STOP_VMEXIT) {
		v->exit_pending = true; /* the run left the exit in v->pending */
		return true;
	}
	if (stop != MACH_STOP_BUDGET)
		vm_stop(vm, VM_FAILED, "the machine stopped (%s) at pc 0x%08x "
			"while running the guest", mach_stop_name(stop),
			vm->vcpu.pc);
	return false;
}

static void dispatch_pending(struct vm *vm)
{
	vm->vmm->exit_pending = false;
	dispatch(vm, &vm->vmm->pending);
}

/*
 * Fairness, for --stats: at the start of each round of the round robin
 * (the turn wraps around to a lower-numbered VM), if every VM is still
 * running, each VM's instruction count and clock are noted.  The last
 * note is then what each VM got over the rounds they all ran to the end,
 * whole rounds only: a round cut short by a VM's stop would favour the
 * VMs that had their turn in it.
 */
static void fairness_new_round(struct vmm *v)
{
	for (int i = 0; i < v->nvms; i++)
		if (v->vms[i]->state != VM_RUNNING)
			return;
	for (int i = 0; i < v->nvms; i++) {
		v->vms[i]->fair_instret = v->vms[i]->instret;
		v->vms[i]->fair_cycles = v->vms[i]->cycles;
	}
	v->fair_rounds = v->rounds_started++;
}

void vmm_fairness(const struct vmm *v, struct vmm_fairness *f)
{
	memset(f, 0, sizeof *f);
	f->rounds = v->fair_rounds;
	for (int i = 0; i < v->nvms; i++) {
		const struct vm *vm = v->vms[i];
		if (i == 0 || vm->fair_instret < f->min_instret)
			f->min_instret = vm->fair_instret, f->min_vm = i;
		if (i == 0 || vm->fair_instret > f->max_instret)
			f->max_instret = vm->fair_instret, f->max_vm = i;
		if (i == 0 || vm->fair_cycles < f->min_cycles)
			f->min_cycles = vm->fair_cycles;
		if (i == 0 || vm->fair_cycles > f->max_cycles)
			f->max_cycles = vm->fair_cycles;
	}
	f->spread = f->max_instret ? (double)(f->max_instret - f->min_instret) /
					     (double)f->max_instret : 0;
}

/*
 * The scheduler: round robin, each VM a turn of at most a quantum of
 * guest instructions (not of cycles: a VM whose instructions cost more
 * cycles, such as mul and div, would then run fewer instructions, and so
 * get less of the host, than a VM that spins on one-cycle branches).
 * Three rules, each a small function:
 *
 *   turn_lasts  the current turn goes on while its VM runs, has not
 *               given up the turn to wait, and has not used its quantum;
 *   next_turn   else the turn goes to the next running VM after it,
 *               round robin, skipping every VM that has stopped;
 *   start_turn  a new turn: that VM's, a quantum of instructions long.
 *
 * vmm_turn says whose turn it is; turn_vm also starts the turn of a VM
 * whose turn is new.  Returns NULL once every VM has stopped.
 */
static bool turn_lasts(const struct vmm *v)
{
/* BEGIN LAB 6: does the current turn go on? */
	if (v->turn < 0)
		return false;
	const struct vm *vm = v->vms[v->turn];
	return vm->state == VM_RUNNING && !vm->yield && vm->instret < v->turn_end;
/* END LAB 6 */
/* STUB LAB 6
	for (int k = 0; k < v->nvms; k++)
		if (vmm_vm_state(v, k) == VM_RUNNING)
			vm_stop(v->vms[k], VM_FAILED, "lab 6: turn_lasts (vmm/vmm.c) "
				"is not written yet: see labs/lab6-vms/README.md, "
				"section 3.2");
	return false;
*/
}

static int next_turn(const struct vmm *v)
{
/* BEGIN LAB 6: the next running VM, round robin */
	for (int k = 1; k <= v->nvms; k++) {
		int i = (v->turn + k) % v->nvms;
		if (v->vms[i]->state == VM_RUNNING)
			return i;
	}
	return -1;
/* END LAB 6 */
/* STUB LAB 6
	for (int k = 0; k < v->nvms; k++)
		if (vmm_vm_state(v, k) == VM_RUNNING)
			vm_stop(v->vms[k], VM_FAILED, "lab 6: next_turn (vmm/vmm.c) "
				"is not written yet: see labs/lab6-vms/README.md, "
				"section 3.3");
	return -1;
*/
}

static void start_turn(struct vmm *v, int i)
{
/* BEGIN LAB 6: VM i's turn begins */
	v->turn = i;
	v->turn_end = v->vms[i]->instret + v->cfg.quantum;
	v->vms[i]->yield = false;
/* END LAB 6 */
/* STUB LAB 6
	(void)i;
	for (int k = 0; k < v->nvms; k++)
		if (vmm_vm_state(v, k) == VM_RUNNING)
			vm_stop(v->vms[k], VM_FAILED, "lab 6: start_turn (vmm/vmm.c) "
				"is not written yet: see labs/lab6-vms/README.md, "
				"section 3.4");
*/
}

int vmm_turn(const struct vmm *v)
{
	/* An exit waiting for its handler belongs to the VM that took it. */
	if (v->exit_pending)
		return v->turn;
	return turn_lasts(v) ? v->turn : next_turn(v);
}

static struct vm *turn_vm(struct vmm *v)
{
	if (turn_lasts(v))
		return v->vms[v->turn];
	int i = next_turn(v);
	if (i < 0)
		return NULL;
	/* Fairness: the turn wrapped around (or is the first). */
	if (i <= v->turn || v->turn < 0)
		fairness_new_round(v);
	start_turn(v, i);
	return v->vms[i];
}

enum vmm_tick vmm_tick(struct vmm *v, uint64_t max_cycles)
{
	v->started = true;
	if (v->exit_pending) {
		dispatch_pending(v->vms[v->turn]);
		return VMM_TICK_HANDLED;
	}
	struct vm *vm = turn_vm(v);
	if (!vm)
		return VMM_TICK_DONE;
	/* Every instruction costs at least a cycle: a slice of as many
	 * cycles as the turn has instructions left runs no more than that
	 * many, and the turn goes on with another slice if it ran fewer
	 * (mul, div, device accesses and traps cost more). */
	uint64_t left = v->turn_end - vm->instret;
	if (max_cycles < left)
		left = max_cycles;
	return run_slice(vm, vm->cycles + left) ? VMM_TICK_EXIT : VMM_TICK_RAN;
}

int vmm_step(struct vmm *v, int id)
{
	struct vm *vm = v->vms[id];
	uint64_t instret = vm->instret, traps = vm->guest_traps;
	v->started = true;
	while (vm->state == VM_RUNNING && vm->instret == instret &&
	       vm->guest_traps == traps)
		if (run_slice(vm, vm->cycles + 1))
			dispatch_pending(vm);
	return vm->state == VM_RUNNING ? 0 : -1;
}

void vmm_vm_vcpu(const struct vmm *v, int id, struct vmm_vcpu_state *st)
{
	const struct vm *vm = v->vms[id];
	memcpy(st->x, vm->vcpu.x, sizeof st->x);
	st->pc = vm->vcpu.pc;
	memcpy(st->cr, vm->vcpu.cr, sizeof st->cr);
	st->cycles = vm->cycles;
	st->instret = vm->instret;
	st->traps = vm->guest_traps;
	st->irq_lines = vm->irq_lines;
}

bool vmm_vm_read(struct vmm *v, int id, uint32_t gpa, void *buf, uint32_t len)
{
	return gpa_copy(v->vms[id], gpa, buf, len, false);
}

int vmm_run(struct vmm *v)
{
	while (vmm_tick(v, UINT64_MAX) != VMM_TICK_DONE)
		;
	int failed = 0;
	for (int i = 0; i < v->nvms; i++)
		if (v->vms[i]->state != VM_HALTED || v->vms[i]->status != 0)
			failed++;
	return failed;
}

/* ---- queries --------------------------------------------------------------------------------- */

void vmm_on_event(struct vmm *v, vmm_event_fn *fn, void *ctx)
{
	v->on_event = fn;
	v->on_event_ctx = ctx;
}

int vmm_vm_count(const struct vmm *v)
{
	return v->nvms;
}

enum vm_state vmm_vm_state(const struct vmm *v, int vm)
{
	return v->vms[vm]->state;
}

uint32_t vmm_vm_status(const struct vmm *v, int vm)
{
	return v->vms[vm]->status;
}

const char *vmm_vm_reason(const struct vmm *v, int vm)
{
	return v->vms[vm]->reason;
}

void vmm_vm_stats(const struct vmm *v, int vm, struct vmm_vm_stats *st)
{
	*st = v->vms[vm]->stats;
	st->guest_cycles = v->vms[vm]->cycles;
}

struct machine *vmm_machine(struct vmm *v)
{
	return v->m;
}

/* ---- for the debugger ------------------------------------------------------------------- */

bool vmm_pending_exit(const struct vmm *v, int *vm, struct mach_exit *exit,
		      const char **handler)
{
	if (!v->exit_pending)
		return false;
	*vm = v->turn;
	*exit = v->pending;
	struct mach_exit meant = v->pending;
	const struct handler *h = v->pending_hw
					  ? hw_route(v->vms[v->turn], v->pending_reason, &meant)
					  : route(v->vms[v->turn], &meant);
	*handler = h ? h->name : "none";
	return true;
}

const char *vmm_hw_handler_name(enum mach_vmexit reason)
{
	return (unsigned)reason < MACH_VMEXIT_COUNT && hw_handlers[reason].fn
		       ? hw_handlers[reason].name : "none";
}

const struct mach_vmcs *vmm_vm_vmcs(const struct vmm *v, int vm)
{
	return v->vms[vm]->vmcs ? &v->vms[vm]->exit_seen : NULL;
}

const char *vmm_handler_name(uint32_t cause)
{
	uint32_t code = cause & CAUSE_CODE_MASK;
	if (cause & CAUSE_INTERRUPT)
		return "inject_interrupt";
	return code < CAUSE_COUNT && handlers[code].fn ? handlers[code].name
						       : "none";
}

static const char *const view_names[VIEWS] = {
	[VIEW_PHYS] = "phys", [VIEW_SUPER] = "super", [VIEW_USER] = "user",
};
static const char *const view_docs[VIEWS] = {
	[VIEW_PHYS] = "the guest's paging is off: guest-physical = virtual",
	[VIEW_SUPER] = "virtual supervisor mode: every page the guest's table maps",
	[VIEW_USER] = "virtual user mode: only the pages with U = 1",
};

const char *vmm_view_name(int view)
{
	return view >= 0 && view < VIEWS ? view_names[view] : NULL;
}

const char *vmm_view_doc(int view)
{
	return view >= 0 && view < VIEWS ? view_docs[view] : NULL;
}

int vmm_vm_view(const struct vmm *v, int vm)
{
	return (int)shadow_view(v->vms[vm]);
}

uint32_t vmm_vm_shadow_root(const struct vmm *v, int vm, int view)
{
	return v->vms[vm]->shadow[view].root;
}

bool vmm_vm_gpa_to_hpa(const struct vmm *v, int vm, uint32_t gpa,
		       uint32_t *hpa)
{
	return gpa_to_hpa(v->vms[vm], gpa, hpa);
}

bool vmm_vm_is_device(const struct vmm *v, int vm, uint32_t gpa)
{
	return vm_is_device(v->vms[vm], gpa);
}

uint32_t vmm_vm_mem(const struct vmm *v, int vm)
{
	return v->vms[vm]->mem;
}

uint32_t vmm_vm_walk(struct vmm *v, int vm, uint32_t va, unsigned access,
		     bool user, uint32_t *gpa, uint32_t *pte, uint32_t *pte_gpa)
{
	struct guest_translation t;
	uint32_t cause = guest_translate(v->vms[vm], va, access, user, &t);
	*gpa = t.gpa, *pte = t.pte, *pte_gpa = t.pte_gpa;
	if (cause != CAUSE_NONE)
		*pte_gpa = UINT32_MAX;
	return cause;
}

int vmm_vm_patches(const struct vmm *v, int vm, struct vmm_patch *out, int max)
{
	const struct vm *g = v->vms[vm];
	int n = 0;
	if (!g->code_info)
		return 0;
	for (uint32_t page = 0; page < g->npages; page++) {
		const struct code_info *ci = g->code_info[page];
		if (!ci || !ci->npatches)
			continue;
		for (uint32_t w = 0; w < PAGE_WORDS; w++) {
			if (!(ci->patched[w / 32] & (1u << (w % 32))))
				continue;
			if (n < max)
				out[n] = (struct vmm_patch){
					.gpa = page * PAGE_SIZE + w * 4,
					.orig = ci->orig[w]};
			n++;
		}
	}
	return n;
}
