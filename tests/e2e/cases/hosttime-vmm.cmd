run --vmm hosttime.elf
