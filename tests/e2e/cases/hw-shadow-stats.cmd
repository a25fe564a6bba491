run --vmm --hw=shadow --stats trapit.elf
