# run: --mode=leaky
#
# redpill.s - the "red pill" (cf. x86's SIDT): can a kernel tell that it
# runs in a virtual machine?  It sets TVEC, then reads it back two ways:
# mfcr (privileged: under a VMM it traps and the VMM answers with the
# virtual TVEC) and rdtvec (on the leaky machine it never traps, so it
# reads the real TVEC, which belongs to whoever really owns the machine).
# On the bare machine both give what the kernel set.  Under the VMM
# without patching they disagree, and the guest knows it is virtualized:
# redpill.vmm.expected records that; with --vmm --patch it cannot tell.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init
	mfcr	s0, tvec		# the TVEC this kernel set (test_init)
	rdtvec	s1			# the TVEC the machine really has
	sub	s2, s1, s0
	expect_eq s2, 0, "rdtvec agrees with mfcr tvec: no monitor in sight"
	test_done
