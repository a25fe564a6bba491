run --vmm --quantum=1000 --disk=shared.disk diskown-a.elf diskown-b.elf
