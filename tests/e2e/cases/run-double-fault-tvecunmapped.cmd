run tvecunmapped.elf
