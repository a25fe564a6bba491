debug --console-in=- dbgdemo.elf
