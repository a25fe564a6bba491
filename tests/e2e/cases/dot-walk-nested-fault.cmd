dot pagetables --vmm --hw dbgdemo.elf --at-cycle 50 --walk 0xf0000000
