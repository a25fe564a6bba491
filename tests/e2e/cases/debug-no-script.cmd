debug --vmm -x nosuch.x dbgdemo.elf
