/*
 * trapeze.c - the `trapeze` command: git-style subcommands.
 *
 * Each subcommand is one row of the table below: its name, the function
 * that runs it, a one-line summary for `trapeze help`, and the full text
 * for `trapeze help NAME`.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#define TRAPEZE_VERSION "0.1.0"

static int cmd_help(int argc, char **argv);

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;
};

static const struct command commands[] = {
	{"as", cmd_as, "assemble a PG32 source file into an ELF image",
	 "usage: trapeze as FILE.s [-o FILE.elf] [-I DIR]... [-l LISTING]\n"
	 "\n"
	 "Assembles FILE.s (GNU-as-like syntax, see isa/ISA.md) into an ELF32\n"
	 "executable, FILE.elf by default.  -I adds a folder to search for\n"
	 ".include files after the including file's own folder; -l writes a\n"
	 "listing (address, words, source line).\n"
	 "\n"
	 "Errors are printed as FILE:LINE:COL: error: MESSAGE; the exit status\n"
	 "is then 1 and no output file is left behind.  An output that cannot\n"
	 "be written is reported as \"trapeze as: cannot create FILE: REASON\"\n"
	 "(status 1); a bad command line exits 2.\n"},
	{"dis", cmd_dis, "disassemble an ELF image, with symbols",
	 "usage: trapeze dis FILE.elf\n"
	 "\n"
	 "Lists every loadable segment: addresses, instruction words,\n"
	 "mnemonics, labels and symbolic branch targets.  Words that are no\n"
	 "instruction print as .word.  A malformed image is refused with the\n"
	 "reason (exit status 1).\n"},
	{"run", cmd_run, "boot an image on the bare machine, or VMs under the VMM",
	 "usage: trapeze run [--vmm] [--mode=clean|leaky] [--patch | --hybrid] [--hw[=shadow]]\n"
	 "                   [--lockstep]\n"
	 "                   [--mem=SIZE] [--max-cycles=N] [--quantum=N] [--disk=FILE]\n"
	 "                   [--console-in=FILE] [--stats] [--trace=FILE] [--host-time]\n"
	 "                   [-I DIR]... IMAGE[,disk=FILE][,mem=SIZE]...\n"
	 "\n"
	 "Boots IMAGE on the bare PG32 machine: PC = entry, supervisor mode,\n"
	 "interrupts and paging off.  The console's output goes to standard\n"
	 "output byte for byte.  The run ends when the guest writes the test\n"
	 "device's EXIT register; trapeze then exits with the low 8 bits of\n"
	 "the value written.  An IMAGE ending in .s is assembly source: it is\n"
	 "assembled in memory first, as `trapeze as` would (-I DIR adds a\n"
	 "folder for .include files; errors as `trapeze as` prints them).\n"
	 "\n"
	 "There is no default --max-cycles: the guest OS and long labs run as\n"
	 "long as they need.  Ctrl-C stops a run that does not end with one\n"
	 "line: where each CPU was (pc and symbol) and how many instructions it\n"
	 "retired.  In scripts and graders, give --max-cycles.\n"
	 "\n"
	 "With --vmm each IMAGE boots as one VM (vm0, vm1, ...) under the\n"
	 "trap-and-emulate VMM.  With several VMs every output line is\n"
	 "prefixed \"[vmN] \" and the exit status is 0 only if every VM\n"
	 "exited 0 (else 1).  There is no fixed limit on the number of VMs:\n"
	 "the machine's RAM (at most 1 GiB) holds each VM's memory and its\n"
	 "1 MiB of shadow page tables; a VM that does not fit is refused.\n"
	 "\n"
	 "  --vmm          run each image as a VM under the monitor\n"
	 "  --mode=clean   every sensitive instruction is privileged (default)\n"
	 "  --mode=leaky   x86-like: rdpsw, wrpsw, rdtvec do not trap in user mode\n"
	 "  --mem=SIZE     RAM size (per VM): bytes, or with K, M or G (default 16M)\n"
	 "  --max-cycles=N stop after N cycles (per VM, of its own clock)\n"
	 "  --quantum=N    guest instructions per turn (--vmm; default 100000)\n"
	 "  --disk=FILE    back the disk with FILE (512-byte sectors; with --vmm\n"
	 "                 every VM's, so they share it: see below)\n"
	 "  --console-in=FILE  console input from FILE ('-': standard input);\n"
	 "                 without it the console has no input (with --vmm: vm0's)\n"
	 "  --stats        to stderr: instructions, cycles, MIPS, traps, interrupts,\n"
	 "                 device accesses, TLB misses; with --vmm the exit\n"
	 "                 histogram of each VM\n"
	 "  --trace=FILE   (--vmm) one JSON object per exit, in order\n"
	 "  --patch        (--vmm, leaky) binary-patch sensitive instructions\n"
	 "  --hw           (--vmm) hardware assist: each VM runs in the machine's\n"
	 "                 guest mode with nested paging; no ring compression, no\n"
	 "                 shadow tables, no patching (the leaky machine too)\n"
	 "  --hw=shadow    (--vmm) guest mode as the first generation had it: no\n"
	 "                 nested paging, the VMM's shadow tables\n"
	 "  --hybrid       (--vmm) Popek-Goldberg's hybrid VMM (Theorem 3): the\n"
	 "                 guest's user code runs directly, its supervisor code is\n"
	 "                 interpreted by the VMM, instruction by instruction; exact\n"
	 "                 in leaky mode too, without patching (see trapeze audit);\n"
	 "                 with --lockstep, the VMM side is the hybrid VMM\n"
	 "  --host-time    (--vmm) rdcycle reads the VM's clock plus the host\n"
	 "                 cycles the VMM spent on that VM: its work shows, as on\n"
	 "                 hardware without TSC offsetting (equivalence of timing\n"
	 "                 is given up, on purpose: to measure exits from inside)\n"
	 "  --lockstep     run IMAGE on the bare machine and under the VMM at\n"
	 "                 once, compare all the guest can see after every step,\n"
	 "                 stop at the first difference and print both states\n"
	 "                 (or at a hypercall: a difference by design)\n"
	 "  IMAGE,disk=FILE,mem=SIZE  per-image disk and memory\n"
	 "\n"
	 "Disks: a disk file used by one VM only (or by the bare machine) is\n"
	 "written through: the guest's writes reach FILE.  A file attached to\n"
	 "several VMs -- the same file, however its paths are spelt (one device\n"
	 "and inode) -- is never written: each of those VMs gets a private\n"
	 "copy-on-write view, reading the sectors it wrote from its own copies\n"
	 "in host memory and the rest from FILE, so no VM sees another's\n"
	 "writes, and FILE is left as it was.  A VM whose copies find no host\n"
	 "memory stops there, with a line on stderr that says so.\n"
	 "\n"
	 "Exit status:\n"
	 "  0-255  the guest's status (the low 8 bits written to EXIT)\n"
	 "  1      (several VMs) some VM did not exit with 0\n"
	 "  2      bad command line\n"
	 "  70     internal error of the VMM (a message names the exit)\n"
	 "  74     a file of trapeze's own could not be opened: --trace (or\n"
	 "         debug's -x)\n"
	 "  120    the image or the disk could not be loaded\n"
	 "  121    --max-cycles reached before the guest halted\n"
	 "  122    deadlock: wfi with no interrupt source that could wake it\n"
	 "  123    double fault: the trap handler trapped on its first\n"
	 "         instruction (e.g. TVEC never set, or pointing at unbacked\n"
	 "         memory); two more lines name the trap it was entered for\n"
	 "         (cause, pc and symbol, mode, badva) and the likely reason\n"
	 "  130    interrupted by Ctrl-C (SIGINT)\n"
	 "In the fatal cases one line on stderr says why.\n"},
	{"debug", cmd_debug, "step through a run: world switches, both sides",
	 "usage: trapeze debug [run options] [-x FILE | --batch | --tui] IMAGE...\n"
	 "\n"
	 "Starts the run that `trapeze run` with the same options would make,\n"
	 "stopped before the first instruction, and reads commands: from the\n"
	 "terminal with readline (history in ~/.trapeze_history, Tab completes\n"
	 "commands, symbols and register names), from FILE (-x) or stdin\n"
	 "(--batch; each command is echoed after the prompt), or full-screen\n"
	 "(--tui, or `layout tui`).  Stepping never changes the run: the guests\n"
	 "print the same output and the VMM logs the same exits (--trace).\n"
	 "\n"
	 "  stepi [N], si      one guest instruction; stops at an exit it causes\n"
	 "  next-exit, ne      run to the next world switch out\n"
	 "  step-handler, sh   run its handler; show what changed, where it resumes\n"
	 "  continue, c        run to a stop point, Ctrl-C or the end\n"
	 "  until ADDR, u      continue until the selected VM reaches ADDR\n"
	 "  break, catch, watch, delete, info, translate, x, disassemble, log,\n"
	 "  vm, dot, layout, help, quit: `help` in the debugger explains each.\n"
	 "\n"
	 "Exit status: once the run has ended, the status `trapeze run` gives;\n"
	 "else 0, or 1 if a --batch/-x command failed; 74 if the -x FILE or the\n"
	 "--trace FILE cannot be opened.  docs/debugger.md walks through a\n"
	 "session.\n"},
	{"dot", cmd_dot, "write a graphviz diagram of page tables or exits",
	 "usage: trapeze dot pagetables|exits [run options] IMAGE...\n"
	 "                   [--at-cycle N] [--walk VA] [-o FILE [--png]]\n"
	 "\n"
	 "Runs the whole run (every guest halted or stopped), or with\n"
	 "--at-cycle until vm0's clock reaches N cycles (0: before the first\n"
	 "instruction), then writes the diagram to stdout or FILE, captioned\n"
	 "with where the run stands: pagetables - the guest's page table, the\n"
	 "VMM's shadow tables (one per view; the live one marked) and the host\n"
	 "frames they reach, edges labelled with the PTE flags, runs of pages\n"
	 "and of frames drawn as one (under --hw: the nested table instead of\n"
	 "the shadows, and the 2-D walk of a fetch at the guest's pc, or with\n"
	 "--walk of a load at VA (a number or a symbol), its references\n"
	 "numbered in order); exits - the exit causes, their handlers\n"
	 "and what they did, weighted by count (needs --vmm).  With --png,\n"
	 "FILE is the picture, rendered by graphviz's dot (not a .dot name).\n"},
	{"audit", cmd_audit, "classify every instruction, Popek-Goldberg style",
	 "usage: trapeze audit [--mode=clean|leaky]\n"
	 "\n"
	 "Executes every PG32 instruction on fresh machines, in user and in\n"
	 "supervisor mode, over several machine states, and classifies it:\n"
	 "privileged (traps in user mode), control-sensitive (changes MODE,\n"
	 "IE, PG, PTBR, TVEC or other control state), behaviour-sensitive (its\n"
	 "effect depends on that state).  Prints the table and whether\n"
	 "Theorem 1 holds (sensitive is a subset of privileged); then\n"
	 "Theorem 3's condition for a hybrid VMM (run --vmm --hybrid), from\n"
	 "the user-mode runs only: which instructions are user-sensitive and\n"
	 "not privileged, which control state each reads, and whether a\n"
	 "monitor can make that state the guest's (IE and TVEC: yes; PG and\n"
	 "PTBR: no) so that it runs directly and exactly.  Exit status 0 if\n"
	 "Theorem 1 holds, 1 if not, 3 if the execution disagrees with the\n"
	 "instruction table's flags, 70 if the experiment itself could not\n"
	 "run (no memory for a machine).\n"},
	{"help", cmd_help, "show this list, or the help of a command",
	 "usage: trapeze help [COMMAND]\n"
	 "\n"
	 "Without COMMAND, lists the commands; with one, shows its usage, options\n"
	 "and exit statuses (as 'trapeze COMMAND --help' does).  The same texts\n"
	 "are the manual pages: man trapeze, man trapeze-COMMAND.\n"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: trapeze COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'trapeze help COMMAND' shows a command's options; "
		   "'trapeze --version' the version.\n");
}

bool trapeze_help(FILE *f, const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0) {
			fputs(commands[i].help, f);
			return true;
		}
	return false;
}

/* trapeze help [COMMAND]: argv[0] is "help" (or -h, --help). */
static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (trapeze_help(stdout, argv[1]))
		return 0;
	fprintf(stderr, "trapeze: no help for '%s': not a command\n", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("trapeze %s\n", TRAPEZE_VERSION);
		return 0;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return cmd_help(argc - 1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "trapeze: '%s' is not a command; see 'trapeze help'\n", name);
	return EXIT_USAGE;
}
