run --trace=t.json hello.elf
