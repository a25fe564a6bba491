run --vmm --hw --trace=hw-trapit.trace.json trapit.elf
