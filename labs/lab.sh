# labs/lab.sh - sourced by labs/cut.sh and labs/grade.sh, run from the
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
