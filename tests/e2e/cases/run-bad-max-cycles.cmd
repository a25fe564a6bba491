run --max-cycles=0 hello.elf
