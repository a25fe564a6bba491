run hello.elf exit7.elf
