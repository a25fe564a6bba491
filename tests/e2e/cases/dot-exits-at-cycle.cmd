dot exits --vmm dbgdemo.elf --at-cycle 379
