run --vmm --trace=trapit.trace.json trapit.elf
