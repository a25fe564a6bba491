# exit3.s - halts with status 3 (under --vmm with other VMs: status 1).
	.text
_start:	li	t0, 0xF000F000
	li	t1, 3
	sw	t1, 0(t0)
