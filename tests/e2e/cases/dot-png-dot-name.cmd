dot pagetables --vmm dbgdemo.elf -o pt.dot --png
