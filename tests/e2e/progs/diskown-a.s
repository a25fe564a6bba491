# diskown-a.s - writes sector 1 full of A, reads it back (diskown.inc).
	.equ	MARK, 'A'
	.include "diskown.inc"
