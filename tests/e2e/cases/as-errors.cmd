as bad.s
