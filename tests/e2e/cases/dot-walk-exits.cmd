dot exits --vmm dbgdemo.elf --walk=0x1000
