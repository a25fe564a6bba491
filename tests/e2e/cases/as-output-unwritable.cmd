as ok.s -o nosuchdir/x.elf
