run deadlock.elf
