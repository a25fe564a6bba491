run --vmm hello.elf lines.elf
