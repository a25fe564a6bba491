debug -x debug-native.x dbgdemo.elf
