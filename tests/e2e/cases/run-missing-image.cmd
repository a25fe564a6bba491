run nosuch.elf
