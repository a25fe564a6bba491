run source.s -I
