run tvec0.elf
