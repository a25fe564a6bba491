run --lockstep deadlock.elf
