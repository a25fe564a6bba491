run --lockstep doublefault.elf
