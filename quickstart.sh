#!/bin/sh
# quickstart.sh - install what a fresh Debian machine lacks, then build.
#
#   ./quickstart.sh demo    build everything and run the demo
#   ./quickstart.sh check   build everything and run every test
#
# Only the missing packages are installed (with sudo unless run as root).
set -eu
cd "$(dirname "$0")"

packages="gcc make libcmocka-dev libreadline-dev libncurses-dev graphviz tmux time"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

case "${1:-}" in
demo) exec make -j2 demo ;;
check) exec make -j2 check ;;
*) echo "usage: ./quickstart.sh demo|check" >&2; exit 2 ;;
esac
