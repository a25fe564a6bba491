debug --vmm --mode=leaky --patch -x debug-patch.x redpill.elf
