run --lockstep -I inc source.s
