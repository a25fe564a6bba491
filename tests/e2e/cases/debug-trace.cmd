debug --vmm --trace=dbg.trace.json -x debug-steps.x exit3.elf exit7.elf
