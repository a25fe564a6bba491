run --disk=nosuch.disk hello.elf
