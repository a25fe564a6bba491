run --lockstep --mode=leaky redpill.elf
