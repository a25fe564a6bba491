run -I inc source.s
