dis small.elf
