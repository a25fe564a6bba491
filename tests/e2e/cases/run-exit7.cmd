run exit7.elf
