run --mode=dirty hello.elf
