run --console-in=nosuch.in hello.elf
