as ok.s -o ok.elf
