#!/usr/bin/env bash
# Backup and restore in a 256 MiB heap on a repository of ten million chunks (issue 7: the chunk index
# must not need RAM in proportion to the repository).
#
#   benchmarks/ten-million-chunks.sh [--gib N] [--min-chunks N] [--work-dir DIR] [--keep]
#
# Ten million chunks of the default 1 MiB would be 10 TB, so the repository is made with small chunks
# (`init --chunk-sizes 256,512,1K`: ~640 bytes on average) over N GiB (default 6) of pseudo-random data
# (AES-CTR keystream of a fixed key: the same bytes on every machine, incompressible, no duplicates) in
# files of 64 KiB, 1,024 per directory (a tree lists every chunk id of its directory's files, 32 bytes
# each: with 640-byte chunks, a few huge files in one directory would make trees of many megabytes). Every
# bakare command runs as a user runs it (./bakare, a new JVM) with BAKARE_JAVA_OPTS=-Xmx256m:
#   1. full backup of the tree (the index grows to ten million entries during it)
#   2. check (prints how many chunks the index lists; the script fails below --min-chunks, default
#      10,000,000; `--gib 1 --min-chunks 1000000` makes a quick trial run)
#   3. a second backup after changing a few files and adding one (every chunk looked up in the full index)
#   4. restore of the second snapshot, compared byte for byte with the source
# and prints wall time, CPU time and peak RSS of each (GNU time).
#
# Needs about 3 x N GiB of free disk in the work directory (default: a new directory under /var/tmp),
# which is removed at the end unless --keep. Takes 20-40 minutes at 6 GiB on 2 cores.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
root=$(cd -P -- "$here/.." && pwd -P)
gib=6
min_chunks=10000000
work_dir=
keep=0

die() {
  echo "ten-million-chunks.sh: $*" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --gib) gib=${2:?--gib needs a number}; shift 2 ;;
    --min-chunks) min_chunks=${2:?--min-chunks needs a number}; shift 2 ;;
    --work-dir) work_dir=${2:?--work-dir needs a directory}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case $gib in
  ''|*[!0-9]*) die "--gib takes a whole number of GiB, got $gib" ;;
esac
[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time (apt-get install time)"
command -v openssl >/dev/null || die "needs openssl to generate the data (apt-get install openssl)"

if [ -z "$work_dir" ]; then
  work_dir=$(mktemp -d /var/tmp/bakare-10m.XXXXXX)
fi
mkdir -p "$work_dir"
cleanup() {
  if [ "$keep" = 0 ]; then
    rm -rf "$work_dir"
  fi
}
trap cleanup EXIT

source_dir=$work_dir/source
export BAKARE_REPO=$work_dir/repo
export BAKARE_JAVA_OPTS=-Xmx256m
bakare() {
  "$root/bakare" --config-dir "$work_dir/config" --cache-dir "$work_dir/cache" "$@"
}

# A deterministic keystream: file i is the AES-128-CTR encryption of zeros under a key derived from i.
generate() {
  local name=$1 mib=$2
  # openssl ends on SIGPIPE when head has enough: only head's status counts.
  (set +o pipefail
    openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$3")" -iv 0 </dev/zero 2>/dev/null \
      | head -c $((mib << 20)) >"$name")
}

directories=$((gib * 16))
echo "generating $gib GiB in $((directories * 1024)) files of 64 KiB under $source_dir"
for i in $(seq 1 "$directories"); do
  mkdir -p "$source_dir/dir-$i"
  generate "$work_dir/part" 64 "$i"
  split -b 65536 -a 4 "$work_dir/part" "$source_dir/dir-$i/file-"
done
rm -f "$work_dir/part"

results=$work_dir/results.tsv
: >"$results"
# measure NAME COMMAND...: runs it under GNU time, appends "name wall cpu rss" to the results.
measure() {
  local name=$1
  shift
  local timing=$work_dir/time-$name.txt
  /usr/bin/time -f '%e %U %S %M' -o "$timing" "$@"
  read -r wall user sys rss <"$timing"
  printf '%s\t%s\t%s\t%s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" >>"$results"
}

bakare init --chunk-sizes 256,512,1K >/dev/null
echo "1. full backup (-Xmx256m)"
measure backup-full "$root/bakare" --config-dir "$work_dir/config" --cache-dir "$work_dir/cache" backup "$source_dir"

echo "2. check"
check_output=$(bakare check)
echo "$check_output"
chunks=$(echo "$check_output" | sed -n 's/.* holding \([0-9,]*\) chunks.*/\1/p' | tr -d ,)
[ -n "$chunks" ] || die "check did not say how many chunks the index lists"
if [ "$chunks" -lt "$min_chunks" ]; then
  die "the repository has $chunks chunks, fewer than $min_chunks: use a larger --gib"
fi

echo "3. backup after a change (-Xmx256m)"
printf 'changed\n' | dd of="$source_dir/dir-1/file-aaaa" bs=1 seek=30000 conv=notrunc status=none
printf 'appended\n' >>"$source_dir/dir-2/file-aaab"
generate "$source_dir/dir-1/added" 64 999999
measure backup-change "$root/bakare" --config-dir "$work_dir/config" --cache-dir "$work_dir/cache" backup "$source_dir"

echo "4. restore (-Xmx256m)"
target=$work_dir/restored
measure restore "$root/bakare" --config-dir "$work_dir/config" --cache-dir "$work_dir/cache" restore latest --target "$target"
restored=$target$source_dir
if ! diff -r "$source_dir" "$restored" >/dev/null; then
  die "the restored tree differs from the source ($restored vs $source_dir)"
fi
echo "the restored tree is byte-identical to the source"

echo
echo "repository: $chunks chunks, $(du -sh "$BAKARE_REPO" | cut -f1); source: $(du -sh "$source_dir" | cut -f1); heap -Xmx256m"
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
printf '| step | wall s | CPU s | peak RSS MB |\n|---|---:|---:|---:|\n'
while IFS=$'\t' read -r name wall cpu rss; do
  printf '| %s | %s | %s | %s |\n' "$name" "$wall" "$cpu" "$rss"
done <"$results"
