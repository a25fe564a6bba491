run --vmm --host-time --quantum=1 hosttime.elf hosttime.elf
