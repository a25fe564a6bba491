dot pagetables --vmm --hw dbgdemo.elf --at-cycle 0
