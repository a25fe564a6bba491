dot pagetables -I inc source.s
