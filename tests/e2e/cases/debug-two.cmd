debug --vmm --quantum=100 -x debug-two.x dbgdemo.elf hello.elf
