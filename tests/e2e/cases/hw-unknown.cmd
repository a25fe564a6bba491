run --vmm --hw=magic hello.elf
