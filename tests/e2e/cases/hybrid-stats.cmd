run --vmm --hybrid --stats trapit.elf
