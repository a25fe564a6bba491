run bad.s
