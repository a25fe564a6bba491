dot pagetables --vmm --hw dbgdemo.elf --at-cycle 379 --walk 0x7ff000
