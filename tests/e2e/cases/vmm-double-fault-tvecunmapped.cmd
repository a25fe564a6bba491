run --vmm tvecunmapped.elf
