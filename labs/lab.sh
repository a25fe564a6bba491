# labs/lab.sh - sourced by the scripts of labs/ (cut.sh, grade.sh,
# mutants.sh, autograder.sh, classroom.sh), run from the
# project's top folder.
#
# lab_dir N PROGRAM: sets LABDIR to lab N's folder, labs/labN-NAME (the one
# with a tests file); a clear error and exit status 2 if N is not a lab.
lab_dir() {
	case $1 in
	'' | *[!0-9]*)
		echo "$2: LAB must be a lab number (make ... LAB=N), not '$1'" >&2
		exit 2
		;;
	esac
	LABDIR=$(ls -d labs/lab"$1"-* 2> /dev/null)
	if [ -z "$LABDIR" ] || [ ! -f "$LABDIR/tests" ]; then
		echo "$2: no lab $1: no file labs/lab$1-NAME/tests" >&2
		exit 2
	fi
}

# debian_packages PROGRAM: sets PACKAGES to quickstart.sh's Debian
# packages, what the build needs (the list CI installs).
debian_packages() {
	PACKAGES=$(sed -n 's/^debian_packages="\(.*\)"$/\1/p' quickstart.sh)
	if [ -z "$PACKAGES" ]; then
		echo "$1: no debian_packages list in quickstart.sh" >&2
		exit 1
	fi
}

# copy_handout N HANDOUT OUTDIR DEST PROGRAM: lab N's handout, without
# what building it left (build/, bin/), into DEST: HANDOUT, a handout
# already cut, or if HANDOUT is "" one cut into OUTDIR/handout/.
copy_handout() {
	from=$2
	if [ -z "$from" ]; then
		labs/cut.sh "$1" "$3/handout" || exit 1
		from=$3/handout/lab$1
	fi
	if [ ! -e "$from/labs/HANDOUT" ]; then
		echo "$5: $from is not a handout (no labs/HANDOUT)" >&2
		exit 2
	fi
	mkdir -p "$4" &&
		tar -C "$from" --exclude=./build --exclude=./bin -cf - . |
		tar -C "$4" -xf - || exit 1
}

# region_files N: the project's files (git's list) that hold lab N's
# regions, outside labs/ or in lab N's own folder (lab 0's kernel, lab 4's
# answers, lab 8's microbenchmark): what a student of lab N writes in.
region_files() {
	git ls-files -co --exclude-standard |
		awk -v own="labs/lab$1-" '!/^labs\// || index($0, own) == 1' |
		xargs grep -lE "^[[:space:]]*(/\*|#) BEGIN LAB $1: " 2> /dev/null
}
