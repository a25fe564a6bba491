run --lockstep --mode=leaky --patch redpill.elf
