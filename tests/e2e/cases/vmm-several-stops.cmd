run --vmm hello.elf deadlock.elf doublefault.elf
