debug --vmm -x debug-look.x dbgdemo.elf
