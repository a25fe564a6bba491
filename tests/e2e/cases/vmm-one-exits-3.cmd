run --vmm hello.elf exit3.elf
