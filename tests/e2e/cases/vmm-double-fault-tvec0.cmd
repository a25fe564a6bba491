run --vmm tvec0.elf
