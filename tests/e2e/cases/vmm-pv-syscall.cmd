run --vmm --stats pvsyscall.elf
