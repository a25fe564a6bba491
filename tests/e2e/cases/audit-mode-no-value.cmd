audit --mode
