run --vmm --trace=two.trace.json exit3.elf exit7.elf
