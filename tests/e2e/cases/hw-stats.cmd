run --vmm --hw --stats trapit.elf
