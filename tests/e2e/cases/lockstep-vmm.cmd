run --lockstep --vmm hello.elf
