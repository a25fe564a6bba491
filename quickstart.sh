#!/bin/sh
# quickstart.sh - install what the machine lacks, then build.
#
#   ./quickstart.sh demo    build everything and run the demo
#   ./quickstart.sh check   build everything and run every test
#
# On Debian and Ubuntu (apt-get) and on Fedora (dnf) only the missing
# packages are installed, with sudo unless run as root; nothing asks a
# question, so it also runs as root with no terminal (CI: .ci/run).  On
# any other system it says what to install and then tries the build.
# The argument is checked first: a typo installs nothing.
set -eu
cd "$(dirname "$0")"

usage() {
	echo "usage: ./quickstart.sh demo|check" >&2
	exit 2
}
case "${1:-}" in
demo | check) target=$1 ;;
*) usage ;;
esac

# What the build and the tests need, by role; each system's names follow.
#   C compiler, make, unit tests (cmocka), the debugger's line editing
#   (readline) and full screen (ncurses), diagrams (graphviz's dot) and
#   the full-screen debugger's tests (tmux).
debian_packages="gcc make libcmocka-dev libreadline-dev libncurses-dev graphviz tmux time"
fedora_packages="gcc make libcmocka-devel readline-devel ncurses-devel graphviz tmux time"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# install_missing IS-INSTALLED-COMMAND INSTALL-COMMAND PACKAGES...: the
# packages for which IS-INSTALLED-COMMAND PACKAGE fails, installed with
# INSTALL-COMMAND.
install_missing() {
	is_installed=$1
	install=$2
	shift 2
	missing=""
	for p in "$@"; do
		$is_installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "quickstart: installing$missing"
	$install $missing
}

deb_installed() {
	dpkg-query -W -f='${Status}' "$1" 2> /dev/null | grep -q 'install ok installed'
}
deb_install() {
	$sudo apt-get update -qq > /dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" > /dev/null
}
rpm_installed() {
	rpm -q "$1" > /dev/null 2>&1
}
dnf_install() {
	$sudo dnf install -y -q "$@"
}

if command -v apt-get > /dev/null 2>&1 && command -v dpkg-query > /dev/null 2>&1; then
	install_missing deb_installed deb_install $debian_packages
elif command -v dnf > /dev/null 2>&1 && command -v rpm > /dev/null 2>&1; then
	install_missing rpm_installed dnf_install $fedora_packages
else
	cat >&2 << 'EOF'
quickstart: this system has neither apt-get (Debian, Ubuntu) nor dnf
(Fedora), so nothing is installed.  trapeze needs a C11 compiler (gcc or
clang), make, and the libraries and tools below; install them with your
system's package manager, for instance:
  macOS (Homebrew):  brew install cmocka readline graphviz tmux
                     (the compiler and make: xcode-select --install)
  Arch Linux:        pacman -S gcc make cmocka readline ncurses graphviz tmux
  openSUSE:          zypper install gcc make libcmocka-devel readline-devel
                     ncurses-devel graphviz tmux
  Alpine:            apk add gcc make musl-dev cmocka-dev readline-dev
                     ncurses-dev graphviz tmux
Or use the container: see "Students on macOS or Windows" in README.md.
Trying the build now.
EOF
fi

# Homebrew keeps its libraries outside the compiler's default paths.
if command -v brew > /dev/null 2>&1; then
	brew_prefix=$(brew --prefix)
	exec make -j2 "$target" CPPFLAGS="-I$brew_prefix/include" \
		LDFLAGS="-L$brew_prefix/lib"
fi
exec make -j2 "$target"
