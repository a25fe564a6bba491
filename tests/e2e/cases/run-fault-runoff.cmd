run runoff.elf
