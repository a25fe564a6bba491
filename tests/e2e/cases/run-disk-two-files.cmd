run --vmm --quantum=1000 diskown-a.elf,disk=two-a.disk diskown-b.elf,disk=two-b.disk
