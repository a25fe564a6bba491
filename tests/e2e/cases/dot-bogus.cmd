dot bogus dbgdemo.elf
