run --vmm exit3.elf
