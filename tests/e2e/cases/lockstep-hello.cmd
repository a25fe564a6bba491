run --lockstep hello.elf
