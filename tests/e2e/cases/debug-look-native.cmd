debug -x debug-look-native.x dbgdemo.elf
