as . -o dir.elf
