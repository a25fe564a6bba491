run --vmm -I inc source.s ok.s
