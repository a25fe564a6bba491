run --vmm hello.elf,mem=200M hello.elf,mem=200M hello.elf,mem=200M hello.elf,mem=200M hello.elf,mem=200M
