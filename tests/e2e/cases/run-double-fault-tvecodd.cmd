run tvecodd.elf
