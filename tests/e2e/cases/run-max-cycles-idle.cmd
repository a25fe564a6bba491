run --max-cycles=12000 idle.elf
