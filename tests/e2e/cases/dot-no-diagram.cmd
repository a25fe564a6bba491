dot --vmm dbgdemo.elf
