run --vmm deadlock.elf
