as empty.s -o empty.elf
