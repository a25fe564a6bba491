debug --tui dbgdemo.elf
