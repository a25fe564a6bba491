run --mem=5000 hello.elf
