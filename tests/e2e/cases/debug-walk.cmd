debug --vmm -x debug-walk.x dbgdemo.elf
