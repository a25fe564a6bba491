run --lockstep tvec0.elf
