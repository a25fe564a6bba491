debug --vmm --hw -x debug-hw.x trapit.elf
