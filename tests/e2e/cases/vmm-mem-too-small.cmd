run --vmm --mem=4K hello.elf
