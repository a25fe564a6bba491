as nosuch.s
