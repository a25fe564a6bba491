as source.s
