run --vmm --host-time hosttime.elf
