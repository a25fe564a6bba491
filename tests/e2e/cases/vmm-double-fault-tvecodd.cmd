run --vmm tvecodd.elf
