run --hw hello.elf
