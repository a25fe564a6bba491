run --mem=4K hello.elf
