run --vmm --quantum=100 lines.elf lines.elf
