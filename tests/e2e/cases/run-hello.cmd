run hello.elf
