#!/bin/sh
# tests/quickstart.sh - quickstart.sh picks the right package manager and
# package names, installs nothing for a bad argument, and on an unknown
# system says what to install and still builds.  Every command it could
# run (apt-get, dpkg-query, dnf, rpm, brew, id, sudo, make) is a stub that
# records its arguments in a log, so nothing is installed or built.
# Output: "PASS quickstart/NAME" or "FAIL ..." per case, then
# "quickstart: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
tmp=${TMPDIR:-/tmp}/trapeze-quickstart.$$
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# system NAME STUB...: a PATH of the real tools quickstart.sh needs and
# the stubs named, each logging "NAME ARGS" to $tmp/NAME/log.
system() {
	dir=$tmp/$1
	shift
	mkdir -p "$dir/bin"
	: > "$dir/log"
	for tool in sh dirname grep cat; do
		ln -s "$(command -v "$tool")" "$dir/bin/$tool"
	done
	for stub in "$@" id make; do
		# id says root (no sudo); the package queries say "not installed".
		case $stub in
		id) body='echo 0' ;;
		dpkg-query | rpm) body='exit 1' ;;
		*) body=: ;;
		esac
		printf '#!/bin/sh\necho "%s $*" >> "%s"\n%s\n' \
			"$stub" "$dir/log" "$body" > "$dir/bin/$stub"
		chmod +x "$dir/bin/$stub"
	done
}

# expect NAME STATUS LOG-PATTERN...: quickstart.sh ARG under system NAME
# ($arg) exits STATUS and its log matches each grep pattern (a pattern
# starting with "!" must not match).
expect() {
	name=$1 want_status=$2
	shift 2
	PATH=$tmp/$name/bin ./quickstart.sh $arg > "$tmp/$name/out" 2>&1
	status=$?
	reason=""
	[ "$status" -eq "$want_status" ] || reason="exit status $status, want $want_status"
	for pattern in "$@"; do
		case $pattern in
		!*) ! grep -q -- "${pattern#!}" "$tmp/$name/log" ||
			reason="${reason:+$reason; }ran '${pattern#!}'" ;;
		*) grep -q -- "$pattern" "$tmp/$name/log" ||
			reason="${reason:+$reason; }did not run '$pattern'" ;;
		esac
	done
	if [ -z "$reason" ]; then
		echo "PASS quickstart/$name"
		passed=$((passed + 1))
	else
		sed 's/^/    /' "$tmp/$name/log" "$tmp/$name/out"
		echo "FAIL quickstart/$name: $reason"
		failed=$((failed + 1))
	fi
}

system bad-argument apt-get dpkg-query
arg=bogus expect bad-argument 2 '!apt-get' '!dpkg-query' '!make -j2'

system debian apt-get dpkg-query
arg=check expect debian 0 \
	'apt-get install -y -qq gcc make libcmocka-dev libreadline-dev libncurses-dev graphviz tmux' \
	'make -j2 check' '!sudo'

system fedora dnf rpm
arg=demo expect fedora 0 \
	'dnf install -y -q gcc make libcmocka-devel readline-devel ncurses-devel graphviz tmux' \
	'make -j2 demo'

system other
arg=check expect other 0 'make -j2 check'
if grep -q "neither apt-get" "$tmp/other/out"; then
	echo "PASS quickstart/other-says-what"; passed=$((passed + 1))
else
	echo "FAIL quickstart/other-says-what: no advice"; failed=$((failed + 1))
fi

echo "quickstart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
