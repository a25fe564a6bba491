run --vmm --hybrid --patch --mode=leaky hello.elf
