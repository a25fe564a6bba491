run --vmm hello.elf exit7.elf,mem=4K
