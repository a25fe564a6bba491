dot exits dbgdemo.elf
