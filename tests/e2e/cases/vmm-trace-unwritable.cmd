run --vmm --trace=nosuchdir/t.json exit3.elf
