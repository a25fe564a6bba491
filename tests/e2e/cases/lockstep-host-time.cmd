run --lockstep --host-time hello.elf
