dot pagetables --vmm dbgdemo.elf --at-cycle 379 --walk=0x1000
