run --vmm --mode=leaky --hw --patch hello.elf
