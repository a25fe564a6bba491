run -Iinc source.s
