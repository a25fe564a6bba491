run --vmm runoff.elf
