dot pagetables --vmm dbgdemo.elf --at-cycle 379
