run --vmm hello.elf
