run --quantum=5000 hello.elf
