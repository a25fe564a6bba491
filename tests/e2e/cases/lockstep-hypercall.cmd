run --lockstep hypercall.elf
