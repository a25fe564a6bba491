run --lockstep --mode=leaky --hybrid redpill.elf
