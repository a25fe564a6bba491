#!/bin/sh
# labs/cut.sh N OUTDIR - cut lab N's handout from the reference (make handout).
#
# OUTDIR is relative to the project's top folder.  Writes OUTDIR/labN/, the project as the student gets it, and
# OUTDIR/labN.tar.gz:
#   - every file of the project (git's list: tracked and new, not ignored),
#     with lab N's solution regions replaced by their stubs
#     (labs/regions.awk); the regions of the other labs keep their
#     solutions, so that any lab can be given alone;
#   - of labs/, the scripts (grade.sh, cut.sh, regions.awk, check.sh,
#     lab.sh) and
#     lab N's own folder (its handout README.md and its tests); not the
#     instructor's guide, labs/README.md, nor the other labs' folders;
#   - labs/HANDOUT, which says what the tree is (and tells labs/check.sh
#     that there are no solutions to check here).
#
# Then it checks that no solution survived.  Precisely: a "solution line"
# is a non-blank line of one of lab N's regions, compared with its leading
# and trailing blanks removed.  A solution line that also appears outside
# lab N's regions and stubs in a project file outside labs/ (a lone "}",
# "break;", "return;") is exempt: it gives nothing away.  Every other
# solution line must appear nowhere in the handout, in no file (labs/labN
# included: a handout must not quote its solution).  A line found is
# printed as FILE:LINE: TEXT and the cut fails (exit status 1).
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 N OUTDIR" >&2
	exit 2
fi
LAB=$1
OUT=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. labs/lab.sh
lab_dir "$LAB" cut.sh
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
DEST=$OUT/lab$LAB
TMP=$OUT/.cut-lab$LAB
rm -rf "$DEST" "$DEST.tar.gz" "$TMP"
mkdir -p "$DEST" "$TMP" || exit 2

# The files of the handout.  (No file name in the project has a blank.)
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	git ls-files -co --exclude-standard
else
	find . -type f ! -path './build/*' ! -path './bin/*' | sed 's|^\./||'
fi | while read -r f; do
	[ -f "$f" ] || continue # deleted in the work tree
	case $f in
	labs/grade.sh | labs/cut.sh | labs/regions.awk | labs/check.sh | labs/lab.sh | \
	"$LABDIR"/*) ;;
	labs/*) continue ;;
	esac
	echo "$f"
done | sort > "$TMP/files"

tar -cf - -T "$TMP/files" | tar -xf - -C "$DEST" || exit 1

# The files with regions (of any lab: each is checked to be well formed).
MARKER='^[[:space:]]*(/\*|#) BEGIN LAB [0-9]+: '
xargs grep -IlE "$MARKER" < "$TMP/files" > "$TMP/marked"
: > "$TMP/inside"
while read -r f; do
	awk -v lab="$LAB" -v mode=cut -f labs/regions.awk "$f" > "$DEST/$f" || exit 1
	awk -v lab="$LAB" -v mode=inside -f labs/regions.awk "$f" >> "$TMP/inside"
done < "$TMP/marked"
if [ ! -s "$TMP/inside" ]; then
	echo "cut.sh: lab $LAB has no region in the project" >&2
	exit 1
fi

# What the project keeps outside lab N's regions and stubs, outside labs/.
grep -v '^labs/' "$TMP/files" | xargs grep -Il '' | sort > "$TMP/text"
comm -23 "$TMP/text" "$TMP/marked" | xargs cat > "$TMP/outside"
while read -r f; do
	case $f in labs/*) continue ;; esac
	awk -v lab="$LAB" -v mode=outside -f labs/regions.awk "$f" >> "$TMP/outside"
done < "$TMP/marked"

# The telltales: solution lines that appear nowhere outside the regions.
awk -v tell="$TMP/telltales" '
	{ sub(/^[ \t]+/, ""); sub(/[ \t]+$/, "") }
	FILENAME == ARGV[1] { if ($0 != "") sol[$0] = 1; next }
	{ elsewhere[$0] = 1 }
	END {
		for (l in sol) {
			n++
			if (l in elsewhere) exempt++
			else print l > tell
		}
		printf "%d %d\n", n, exempt
	}' "$TMP/inside" "$TMP/outside" > "$TMP/counts"
touch "$TMP/telltales"
read -r nsol nexempt < "$TMP/counts"

(cd "$DEST" && find . -type f | sed 's|^\./||' | xargs grep -Il '') |
	(cd "$DEST" && xargs awk '
	FILENAME == ARGV[1] { tell[$0] = 1; next }
	{ l = $0; sub(/^[ \t]+/, "", l); sub(/[ \t]+$/, "", l)
	  if (l in tell) print FILENAME ":" FNR ": " l }' "$TMP/telltales") \
	> "$TMP/found"
if [ -s "$TMP/found" ]; then
	echo "cut.sh: lab $LAB's solution survives in the handout:" >&2
	sed 's/^/    /' "$TMP/found" >&2
	exit 1
fi

commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
echo "lab $LAB handout, cut from the reference at commit $commit" \
	> "$DEST/labs/HANDOUT"
tar -czf "$DEST.tar.gz" -C "$OUT" "lab$LAB" || exit 1
nfiles=$(wc -l < "$TMP/files")
nmarked=$(wc -l < "$TMP/marked")
rm -rf "$TMP"
echo "handout: $DEST/ ($nfiles files; lab $LAB's regions in the $nmarked files" \
	"that have regions replaced by their stubs) and $DEST.tar.gz"
echo "handout: no solution line in it: of the $nsol distinct lines of lab" \
	"$LAB's solution, $nexempt also appear outside the regions (exempt)" \
	"and the other $((nsol - nexempt)) appear nowhere in the handout"
