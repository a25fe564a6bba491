run exit1ff.elf
