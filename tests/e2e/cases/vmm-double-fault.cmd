run --vmm doublefault.elf
