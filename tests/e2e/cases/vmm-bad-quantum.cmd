run --vmm --quantum=0 hello.elf
