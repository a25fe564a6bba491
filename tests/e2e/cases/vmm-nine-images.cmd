run --vmm hello.elf hello.elf hello.elf hello.elf hello.elf hello.elf hello.elf hello.elf exit7.elf
