debug --vmm -x debug-errors.x dbgdemo.elf
