run --hybrid hello.elf
