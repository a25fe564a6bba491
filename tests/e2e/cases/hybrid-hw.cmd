run --vmm --hybrid --hw hello.elf
