dot exits --vmm --png dbgdemo.elf
