run --frobnicate hello.elf
