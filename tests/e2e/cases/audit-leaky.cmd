audit --mode=leaky
