run --host-time hello.elf
