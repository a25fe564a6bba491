run --vmm hello.elf hello.elf hello.elf hello.elf hello.elf hello.elf hello.elf exit3.elf
