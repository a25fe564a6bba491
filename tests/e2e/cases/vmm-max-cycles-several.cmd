run --vmm --max-cycles=1000 hello.elf loop.elf
