run --vmm --disk=single.disk diskown-a.elf
