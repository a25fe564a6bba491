# shellcheck shell=sh
# tests/guest/disk_fixture.sh - the guest tests' disk image, for the
# scripts that run them (tests/guest/run.sh, tests/guest/attack/run.sh,
# labs/grade.sh): sourced, it defines the functions below and DISK_SECTORS.
#
# The fixture: DISK_SECTORS sectors of 512 bytes; sector k holds "SECTOR"
# k '\n' then 504 bytes 'a' + k.  A test that writes a sector (disk.s:
# "# disk-after: SECTOR") writes "WRITTEN" k '\n' then 503 'W' there.

DISK_SECTORS=8

# fill N CHAR: N copies of CHAR.
fill() {
	dd if=/dev/zero bs="$1" count=1 2>/dev/null | tr '\0' "$2"
}

# make_disk FILE: the fixture image, DISK_SECTORS sectors of 512 bytes.
make_disk() {
	: > "$1"
	k=0
	for letter in a b c d e f g h; do
		[ "$k" -lt "$DISK_SECTORS" ] || break
		printf 'SECTOR%d\n' "$k" >> "$1"
		fill 504 "$letter" >> "$1"
		k=$((k + 1))
	done
}

# make_written_sector: what disk.s writes, "WRITTEN" k '\n' then 503 'W'.
make_written_sector() {
	printf 'WRITTEN%d\n' "$1"
	fill 503 W
}

# make_disk_after FILE SECTOR: the fixture with SECTOR replaced.
make_disk_after() {
	make_disk "$1.tmp"
	dd if="$1.tmp" bs=512 count="$2" 2>/dev/null > "$1"
	make_written_sector "$2" >> "$1"
	dd if="$1.tmp" bs=512 skip=$(($2 + 1)) 2>/dev/null >> "$1"
	rm -f "$1.tmp"
}
