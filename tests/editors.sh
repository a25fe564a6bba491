#!/bin/sh
# tests/editors.sh - the editors' syntax files do what they claim on a
# small PG32 program: each probe (line, column) must be highlighted with
# the expected group.  Vim runs headless on the real files in editors/;
# the TextMate grammar must be valid JSON whose every pattern compiles.
# A missing vim or python3 is reported, and that part is not run.
# Output: "PASS editors/NAME" or "FAIL ..." lines, then
# "editors: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
tmp=${TMPDIR:-/tmp}/trapeze-editors.$$
mkdir -p "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
result() { # result NAME OK?
	if [ "$2" = ok ]; then
		echo "PASS editors/$1"; passed=$((passed + 1))
	else
		echo "FAIL editors/$1: $2"; failed=$((failed + 1))
	fi
}

cat > "$tmp/probe.s" <<'SRC'
# TODO check
	.text
start:	li a0, 0x10
	rdpsw t0
	mfcr t1, tvec
	syscall
1:	j 1b
msg:	.asciz "hi # not a comment"
	add r1, r2, r3
SRC
# LINE COL GROUP: what Vim must say at each probe.
cat > "$tmp/want" <<'SRC'
1 3 pg32Todo
2 2 pg32Directive
3 1 pg32Label
3 8 pg32Pseudo
3 11 pg32Register
3 15 pg32Number
4 2 pg32Sensitive
5 2 pg32Privileged
5 12 pg32ControlRegister
6 2 pg32Trap
7 1 pg32Label
7 6 pg32LocalLabel
8 7 pg32Directive
8 17 pg32String
9 2 pg32Instruction
SRC

if command -v vim > /dev/null 2>&1; then
	probes=$(awk '{printf "[%d,%d],", $1, $2}' "$tmp/want")
	vim -Nu NONE -i NONE -es \
		-c 'set rtp^=editors/vim' -c 'syntax on' -c 'set filetype=pg32' \
		-c "let out = []" \
		-c "for [l, c] in [$probes] | call add(out, l . ' ' . c . ' ' . synIDattr(synID(l, c, 1), 'name')) | endfor" \
		-c "call writefile(out, '$tmp/got')" -c 'qa!' "$tmp/probe.s" < /dev/null
	if diff -u "$tmp/want" "$tmp/got" > "$tmp/diff" 2>&1; then
		result vim ok
	else
		sed 's/^/    /' "$tmp/diff"
		result vim "groups differ"
	fi
else
	echo "editors: vim not installed: the Vim syntax file is not exercised"
fi

if command -v python3 > /dev/null 2>&1; then
	if python3 - editors/vscode/syntaxes/pg32.tmLanguage.json <<'PY'
import json, re, sys
g = json.load(open(sys.argv[1]))
for name, rule in g["repository"].items():
    for key in ("match", "begin", "end"):
        if key in rule:
            re.compile(rule[key])
assert g["scopeName"] == "source.pg32"
for inc in g["patterns"]:
    assert inc["include"][1:] in g["repository"], inc
PY
	then result textmate ok; else result textmate "not a valid grammar"; fi
else
	echo "editors: python3 not installed: the TextMate grammar is not parsed"
fi

echo "editors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
