run hello.elf,mem=64K
