run --vmm --quantum=1000 diskown-a.elf,disk=./shared2.disk diskown-b.elf,disk=shared2.disk
