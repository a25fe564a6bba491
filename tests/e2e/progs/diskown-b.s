# diskown-b.s - writes sector 1 full of B, reads it back (diskown.inc).
	.equ	MARK, 'B'
	.include "diskown.inc"
