run --vmm --stats trapit.elf
