run badload.elf
