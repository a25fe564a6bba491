run empty.s
