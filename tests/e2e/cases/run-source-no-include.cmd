run source.s
