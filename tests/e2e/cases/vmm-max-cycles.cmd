run --vmm --max-cycles=1000 loop.elf
