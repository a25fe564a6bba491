# labs/regions.awk - the lab regions of one source file (labs/README.md,
# "The marker convention").  Used by labs/cut.sh; run with
#
#   awk -v lab=N -v mode=cut    -f labs/regions.awk FILE   the file with lab
#       N's regions replaced by their stubs (other labs' regions as they are)
#   awk -v lab=N -v mode=inside  -f labs/regions.awk FILE   the lines of lab
#       N's regions (their solutions), nothing else
#   awk -v lab=N -v mode=outside -f labs/regions.awk FILE   every line but
#       lab N's regions and stubs (what the handout keeps as it is)
#   awk -v lab=N -v mode=lines   -f labs/regions.awk FILE   the lines of lab
#       N's regions, each as "LINE-NUMBER<tab>TEXT" (labs/mutants.sh)
#
# In C:                           In assembly (.s, .inc):
#   /* BEGIN LAB N: what */          # BEGIN LAB N: what
#   ...the solution...               ...the solution...
#   /* END LAB N */                  # END LAB N
#   /* STUB LAB N                    # STUB LAB N
#   ...the stub...                   # ...the stub, each line after "# "...
#   */                               # END STUB LAB N
#
# Every region must be well formed, whatever its lab: a BEGIN inside a
# region, an END without its BEGIN, a region without its stub right after
# it, or a file that ends inside one is an error (FILE:LINE: message on
# stderr, exit status 1), so that a broken marker never leaks a solution.

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
	exit 1
}

# A line that is not lab N's: the handout keeps it as it is.
function emit(line) {
	if (mode != "inside" && mode != "lines")
		print line
}

BEGIN { state = "out" }

{
	line = $0
	if (state == "out") {
		if (match(line, /^[ \t]*(\/\*|#) BEGIN LAB [0-9]+: /)) {
			asm = (line ~ /^[ \t]*#/)
			n = line
			sub(/^[ \t]*(\/\*|#) BEGIN LAB /, "", n)
			sub(/:.*/, "", n)
			what = line
			sub(/^[ \t]*(\/\*|#) BEGIN LAB [0-9]+: /, "", what)
			sub(/[ \t]*\*\/[ \t]*$/, "", what)
			mine = (n == lab)
			state = "region"
			if (mine) {
				if (mode == "cut")
					print (asm ? "# LAB " n ": " what \
						   : "/* LAB " n ": " what " */")
			} else {
				emit(line)
			}
			next
		}
		if (line ~ /^[ \t]*(\/\*|#) (END|STUB) LAB [0-9]+/)
			fail("'" line "' outside a region")
		emit(line)
		next
	}
	if (state == "region") {
		if (line ~ /^[ \t]*(\/\*|#) BEGIN LAB [0-9]+: /)
			fail("a region begins inside another")
		if (line ~ /^[ \t]*(\/\*|#) END LAB [0-9]+/) {
			m = line
			sub(/^[ \t]*(\/\*|#) END LAB /, "", m)
			sub(/[^0-9].*/, "", m)
			if (m != n)
				fail("END LAB " m " closes LAB " n)
			state = "want-stub"
			if (!mine)
				emit(line)
			next
		}
		if (mine) {
			if (mode == "inside")
				print line
			else if (mode == "lines")
				print FNR "\t" line
		} else {
			emit(line)
		}
		next
	}
	if (state == "want-stub") {
		want = asm ? "^[ \t]*# STUB LAB " n "[ \t]*$" \
			   : "^[ \t]*/\\* STUB LAB " n "[ \t]*$"
		if (line !~ want)
			fail("the region of LAB " n " has no stub right after its END")
		state = "stub"
		if (!mine)
			emit(line)
		next
	}
	# state == "stub"
	end = asm ? "^[ \t]*# END STUB LAB " n "[ \t]*$" : "^[ \t]*\\*/[ \t]*$"
	if (line ~ end) {
		state = "out"
		if (!mine)
			emit(line)
		next
	}
	if (mine) {
		if (mode == "cut") {
			if (asm)
				sub(/^[ \t]*# ?/, "", line)
			print line
		}
	} else {
		emit(line)
	}
}

END {
	if (!bad && state != "out")
		fail("the file ends inside a region of LAB " n)
}
