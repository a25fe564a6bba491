dot exits --vmm dbgdemo.elf
