run doublefault.elf
