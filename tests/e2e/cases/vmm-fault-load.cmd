run --vmm badload.elf
