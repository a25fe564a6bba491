run notelf.elf
