debug -x source.x -I inc source.s
