debug --batch --tui dbgdemo.elf
