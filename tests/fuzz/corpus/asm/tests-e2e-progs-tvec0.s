# tvec0.s - a trap before any handler is installed: TVEC is 0 at boot and
# RAM at 0 holds zeros, an illegal instruction, so the handler's first
# instruction traps: a double fault.
	.text
_start:	syscall
