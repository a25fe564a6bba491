run hosttime.elf
