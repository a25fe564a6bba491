run --vmm hello.elf,mem=64K lines.elf,mem=12K
