#!/usr/bin/env bash
# End-to-end comparison of bakare, restic and borg on the same data in the same run.
#
#   benchmarks/compare.sh [options]
#
# Generates two deterministic datasets (cached for reruns): "mixed", ~1.6 GB of incompressible, log-like,
# duplicate and near-duplicate files of mixed sizes plus a few thousand small files; and "small", 300,000
# files of 64 B to 8 KiB. For each dataset and each tool, in this order, every tool's phase run back to back
# (page cache dropped before each measured command):
#   full       first backup into a new repository
#   nochange   backup again, nothing changed
#   change     backup after a 1% change (1% of the files rewritten in part, 1% of the bytes added)
#   restore    restore the latest snapshot into an empty directory (file count and bytes checked)
# then bakare again under -Xmx256m on the mixed tree (full backup and restore, new repository).
# Measures wall time, CPU time (user+sys), peak RSS (GNU time), repository size (du), and prints a table
# with ratios to restic. bakare runs as a user runs it: ./bakare, a new JVM per command.
#
# Options:
#   --scale F         dataset size factor (default 1: 1.6 GB and 300,000 files; 0.1 for a quick run)
#   --data-dir DIR    where datasets are generated and kept (default $BAKARE_BENCH_DATA, else
#                     /var/tmp/bakare-bench)
#   --work-dir DIR    repositories, restores and logs; removed at the end unless --keep (default: a new
#                     directory under /var/tmp)
#   --tools LIST      comma-separated subset of bakare,restic,borg (default: all three)
#   --datasets LIST   comma-separated subset of mixed,small (default: both)
#   --no-xmx          skip the bakare -Xmx256m run
#   --no-drop-caches  do not drop the page cache before each measured command
#   --no-warm-memory  do not write and delete up to 4 GiB in /dev/shm before each drop (see
#                     warm_free_memory: on a virtual machine that returns free memory to its host, it
#                     gives every command the same freshly freed memory to start with)
#   --verify          also compare restored file contents with the source (cmp -r; slow)
#   --results FILE    also write the raw results (TSV) to FILE, and every command's output to FILE.logs/
#   --passphrase      protect bakare's key file with a passphrase (Argon2id, 64 MiB, 3 passes, paid by every
#                     command); by default bakare runs as after a plain `bakare init`: a key file without
#                     passphrase (mode 0600, like an SSH key). restic and borg always derive their key from a
#                     passphrase (scrypt, PBKDF2).
#   --keep            keep the work directory
#   --table FILE      only print the table of a results file written by an earlier run
#
# Environment: BAKARE (default: the ./bakare launcher of this tree), BAKARE_JAVA_OPTS (passed to every
# bakare run), BAKARE_BENCH_DATA.
#
# Needs root for apt-get (restic, borgbackup, time, python3 are installed when missing) and for dropping
# the page cache. Takes about 25 minutes at scale 1 on 2 cores (dataset generation ~5 minutes, once).
set -euo pipefail

here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
root=$(cd -P -- "$here/.." && pwd -P)

scale=1
data_dir=${BAKARE_BENCH_DATA:-/var/tmp/bakare-bench}
work_dir=
tools=bakare,restic,borg
datasets=mixed,small
xmx_run=1
drop=1
warm_memory=1
verify=0
results_copy=
keep=0
passphrase=0
table_only=

die() {
  echo "compare.sh: $*" >&2
  exit 1
}
note() {
  echo "compare.sh: $*" >&2
}

while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=${2:?--scale needs a value}; shift 2 ;;
    --data-dir) data_dir=${2:?--data-dir needs a value}; shift 2 ;;
    --work-dir) work_dir=${2:?--work-dir needs a value}; shift 2 ;;
    --tools) tools=${2:?--tools needs a value}; shift 2 ;;
    --datasets) datasets=${2:?--datasets needs a value}; shift 2 ;;
    --no-xmx) xmx_run=0; shift ;;
    --no-drop-caches) drop=0; shift ;;
    --no-warm-memory) warm_memory=0; shift ;;
    --verify) verify=1; shift ;;
    --results) results_copy=${2:?--results needs a value}; shift 2 ;;
    --keep) keep=1; shift ;;
    --passphrase) passphrase=1; shift ;;
    --table) table_only=${2:?--table needs a value}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

# ---------------------------------------------------------------------------------------------------------
# The table: one row per (dataset, phase, tool); ratios against restic's row of the same dataset and phase.
# Speed is restic's wall time over the tool's (higher is better); RSS and size are tool over restic (lower
# is better).
print_table() {
  local results=$1
  awk -F'\t' '
    function mb(b) { return b / 1e6 }
    NR == 1 { next }
    {
      key = $1 SUBSEP $2
      n++; ds[n] = $1; ph[n] = $2; tool[n] = $3; wall[n] = $4; cpu[n] = $5 + $6; rss[n] = $7; repo[n] = $8
      bytes[n] = $9; load[n] = $10; files[n] = $11
      if ($3 == "restic") { rwall[key] = $4; rrss[key] = $7; rrepo[key] = $8; rcpu[key] = $5 + $6 }
    }
    END {
      printf "| dataset | phase | tool | wall s | speed vs restic | CPU s | CPU/wall | MB/s | peak RSS MB | RSS vs restic | repo MB | repo vs restic | load |\n"
      printf "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
      for (i = 1; i <= n; i++) {
        key = ds[i] SUBSEP ph[i]
        speed = (key in rwall && wall[i] > 0) ? sprintf("%.2fx", rwall[key] / wall[i]) : "-"
        rr = (key in rrss && rrss[key] > 0) ? sprintf("%.2f", rss[i] / rrss[key]) : "-"
        rp = (repo[i] != "-" && key in rrepo && rrepo[key] != "-" && rrepo[key] > 0) ? sprintf("%.2f", repo[i] / rrepo[key]) : "-"
        rs = (repo[i] == "-") ? "-" : sprintf("%.0f", mb(repo[i]))
        printf "| %s | %s | %s | %.1f | %s | %.1f | %.2f | %.0f | %.0f | %s | %s | %s | %s |\n", \
          ds[i], ph[i], tool[i], wall[i], speed, cpu[i], (wall[i] > 0 ? cpu[i] / wall[i] : 0), \
          (wall[i] > 0 ? mb(bytes[i]) / wall[i] : 0), rss[i] / 1024, rr, rs, rp, load[i]
      }
    }' "$results"
}

if [ -n "$table_only" ]; then
  [ -f "$table_only" ] || die "no results file $table_only"
  print_table "$table_only"
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------
# Tools.
case $scale in
  '' | *[!0-9.]* | *.*.*) die "--scale must be a positive number, got '$scale'" ;;
esac
awk -v s="$scale" 'BEGIN { exit !(s > 0 && s <= 4) }' || die "--scale must be in (0, 4], got $scale"
IFS=, read -r -a tool_list <<<"$tools"
IFS=, read -r -a dataset_list <<<"$datasets"
for t in "${tool_list[@]}"; do
  case $t in bakare|restic|borg) ;; *) die "unknown tool '$t' (bakare, restic, borg)" ;; esac
done
for d in "${dataset_list[@]}"; do
  case $d in mixed|small) ;; *) die "unknown dataset '$d' (mixed, small)" ;; esac
done
has_tool() {
  local t
  for t in "${tool_list[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}

missing=()
command -v python3 >/dev/null || missing+=(python3)
[ -x /usr/bin/time ] || missing+=(time)
has_tool restic && ! command -v restic >/dev/null && missing+=(restic)
has_tool borg && ! command -v borg >/dev/null && missing+=(borgbackup)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: install them (apt-get install -y ${missing[*]}) or run as root"
  note "installing ${missing[*]} with apt-get"
  apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
fi

bakare=${BAKARE:-$root/bakare}
[ -x "$bakare" ] || die "no bakare launcher at $bakare"
if has_tool bakare; then
  # The first run of the launcher builds the CLI: not part of any measurement.
  "$bakare" --version >/dev/null || die "$bakare --version failed: build with ./mvnw -B -DskipTests package"
fi

if [ "$drop" = 1 ]; then
  if ! { sync && echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
    note "cannot drop the page cache (needs root and a writable /proc/sys/vm/drop_caches): runs read from a warm cache"
    drop=0
  fi
fi
# Memory freed shortly before a command: see warm_free_memory.
warm_mib=0
if [ "$drop" = 1 ] && [ "$warm_memory" = 1 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  available_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
  warm_mib=$((available_mib / 4 < 4096 ? available_mib / 4 : 4096))
fi
# A virtual machine that hands free memory back to its host (Linux's free page reporting, as on the
# machine of the figures in benchmarks/README.md) makes the first use of such memory cost a fault in the
# host: writing 1 GiB into the page cache took 0.13-0.15 s of system CPU right after 1.6 GB of page cache
# was dropped, 1.3 s eight seconds later and 2.0 s twenty seconds later. Dropping the page cache before a
# command thus gave it whatever memory the command before it had used, fresh or not: a restore that
# followed a small backup paid 2-3 s more system CPU than one that followed a restore. Writing and
# deleting a file in /dev/shm before each drop gives every command the same start: that much memory
# freed a moment before it starts.
warm_free_memory() {
  if [ "$warm_mib" -gt 0 ]; then
    dd if=/dev/zero of=/dev/shm/bakare-compare-warm bs=1M count="$warm_mib" status=none \
      || note "could not write $warm_mib MiB to /dev/shm: this command starts without freshly freed memory"
    rm -f /dev/shm/bakare-compare-warm
  fi
}
drop_caches() {
  warm_free_memory
  sync
  if [ "$drop" = 1 ]; then
    echo 3 >/proc/sys/vm/drop_caches
  fi
}

# ---------------------------------------------------------------------------------------------------------
# Datasets, cached in $data_dir and made again when the generator or the scale changes. The stamp file is
# removed while a dataset is changed, so an interrupted run makes the next one regenerate it.
generator_version=$(sed -n 's/^VERSION = \([0-9]*\).*/\1/p' "$here/datasets.py")
[ -n "$generator_version" ] || die "cannot read VERSION from $here/datasets.py"
mkdir -p "$data_dir"
data_dir=$(cd -P -- "$data_dir" && pwd -P)
case $data_dir in *[[:space:]]*) die "the data directory must not contain white space: $data_dir" ;; esac
dataset_path() {
  echo "$data_dir/$1-v$generator_version-s$scale"
}
for d in "${dataset_list[@]}"; do
  path=$(dataset_path "$d")
  if [ ! -f "$path.ok" ]; then
    rm -rf "$path" "$path.save"
    note "generating the $d dataset (scale $scale) in $path"
    python3 "$here/datasets.py" "$d" "$path" "$scale" >&2 || die "generating $path failed"
    touch "$path.ok"
  fi
done

# ---------------------------------------------------------------------------------------------------------
# Work directory, cleanup, and the 1% change (reverted on any exit).
if [ -z "$work_dir" ]; then
  work_dir=$(mktemp -d /var/tmp/bakare-compare.XXXXXX)
else
  mkdir -p "$work_dir"
  [ -z "$(ls -A "$work_dir")" ] || die "work directory $work_dir is not empty"
fi
work_dir=$(cd -P -- "$work_dir" && pwd -P)
case $work_dir in *[[:space:]]*) die "the work directory must not contain white space: $work_dir" ;; esac
mkdir -p "$work_dir/logs"
results=$work_dir/results.tsv
changed_dataset=
cleanup() {
  local status=$?
  if [ -n "$changed_dataset" ]; then
    python3 "$here/datasets.py" revert "$changed_dataset" "$changed_dataset.save" >&2 \
      && touch "$changed_dataset.ok" \
      || note "could not revert the change in $changed_dataset: it is regenerated next time"
  fi
  if [ "$keep" = 1 ] || [ $status -ne 0 ]; then
    note "work directory kept: $work_dir"
    # Repositories and restores are large; logs and results are what is needed after a failure.
    [ "$keep" = 1 ] || rm -rf "$work_dir"/repo-* "$work_dir"/restore-* "$work_dir"/home
  else
    rm -rf "$work_dir"
  fi
}
trap cleanup EXIT

export RESTIC_PASSWORD=compare-sh-benchmark
export BORG_PASSPHRASE=compare-sh-benchmark BORG_DISPLAY_PASSPHRASE=no BORG_BASE_DIR=$work_dir/home/borg
unset BAKARE_PASSPHRASE BAKARE_KEY BAKARE_REPO
[ "$passphrase" = 0 ] || export BAKARE_PASSPHRASE=compare-sh-benchmark
# Caches, keys and configs of all three tools stay in the work directory.
export HOME=$work_dir/home XDG_CACHE_HOME=$work_dir/home/.cache XDG_CONFIG_HOME=$work_dir/home/.config
mkdir -p "$HOME"
ncpu=$(nproc)
if has_tool bakare; then
  # The launcher's first backup after a build records a class-data archive (a second more, once): measure
  # bakare as someone who has run it before.
  prime=$work_dir/prime
  mkdir -p "$prime/source" && echo prime >"$prime/source/file"
  { BAKARE_REPO=$prime/repo "$bakare" init && BAKARE_REPO=$prime/repo "$bakare" backup "$prime/source"; } \
    >"$work_dir/logs/prime.log" 2>&1 || die "priming bakare failed: see $work_dir/logs/prime.log"
  rm -rf "$prime"
fi

# The tree's size: apparent bytes and the number of regular files.
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s }'; }
tree_files() { find "$1" -type f | wc -l; }
repo_bytes() { du -sb "$1" | cut -f1; }

printf 'dataset\tphase\ttool\twall_s\tuser_s\tsys_s\tmax_rss_kb\trepo_bytes\tbytes\tload1\tfiles\n' >"$results"

# measure DATASET PHASE TOOL BYTES FILES REPO|- -- COMMAND...: runs COMMAND under GNU time after dropping
# the page cache; a failing command fails the run (its log is shown).
measure() {
  local dataset=$1 phase=$2 tool=$3 bytes=$4 files=$5 repo=$6
  shift 7
  local log="$work_dir/logs/$dataset-$phase-$tool"
  drop_caches
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  note "$dataset $phase: $tool (load $load)"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
    echo "---- $log.err (last lines):" >&2
    tail -n 20 "$log.err" >&2
    die "$tool failed in phase $phase of the $dataset dataset: $*"
  fi
  local wall user sys rss size=-
  read -r wall user sys rss <"$log.time" || die "cannot read $log.time"
  [ "$repo" = - ] || size=$(repo_bytes "$repo")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dataset" "$phase" "$tool" "$wall" "$user" "$sys" "$rss" \
    "$size" "$bytes" "$load" "$files" >>"$results"
  note "  $wall s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') s CPU, $((rss / 1024)) MB peak RSS"
}

# Commands of each tool. Compression: bakare zstd level 3 (its default), restic --compression auto (its
# default in repository version 2, zstd "fastest" = level 1-2 on compressible data, off where it does not
# pay), borg zstd,3: the same level as bakare.
init_repo() {
  local tool=$1 repo=$2
  case $tool in
    bakare*) "$bakare" -r "$repo" init ;;
    restic) restic -r "$repo" init --repository-version 2 ;;
    borg) borg init --encryption repokey "$repo" ;;
  esac >"$work_dir/logs/init-$(basename "$repo").log" 2>&1 || die "$tool init of $repo failed: see $work_dir/logs"
}
backup_cmd() {
  local tool=$1 repo=$2 source=$3 name=$4
  case $tool in
    bakare*) echo "$bakare" -r "$repo" backup --host compare "$source" ;;
    restic) echo restic -r "$repo" backup --host compare --compression auto "$source" ;;
    borg) echo borg create --compression zstd,3 "$repo::$name" "$source" ;;
  esac
}
restore_cmd() {
  local tool=$1 repo=$2 target=$3
  case $tool in
    bakare*) echo "$bakare" -r "$repo" restore latest -t "$target" ;;
    restic) echo restic -r "$repo" restore latest --target "$target" ;;
    borg) echo env -C "$target" borg extract "$repo::change" ;;  # borg extracts into the working directory
  esac
}

# Where the restored copy of $source lands in $target: every tool keeps the absolute path below it.
restored_path() {
  echo "$1$2"
}

check_restore() {
  local tool=$1 source=$2 restored=$3 want_files=$4 want_bytes=$5
  [ -d "$restored" ] || die "$tool restored nothing at $restored"
  local got_files got_bytes
  got_files=$(tree_files "$restored")
  got_bytes=$(tree_bytes "$restored")
  [ "$got_files" = "$want_files" ] && [ "$got_bytes" = "$want_bytes" ] \
    || die "$tool restored $got_files files of $got_bytes bytes, expected $want_files files of $want_bytes bytes"
  if [ "$verify" = 1 ]; then
    diff -r -q "$source" "$restored" >&2 || die "$tool restored different contents"
  fi
}

# backup_phase DATASET PHASE SOURCE BYTES FILES: one backup of SOURCE by every tool, back to back; the
# phase names borg's archive.
backup_phase() {
  local d=$1 phase=$2 source=$3 bytes=$4 files=$5 t repo cmd
  for t in "${tool_list[@]}"; do
    repo=$work_dir/repo-$d-$t
    read -r -a cmd <<<"$(backup_cmd "$t" "$repo" "$source" "$phase")"
    measure "$d" "$phase" "$t" "$bytes" "$files" "$repo" -- "${cmd[@]}"
  done
}

run_dataset() {
  local d=$1 source
  source=$(dataset_path "$d")
  local bytes files
  bytes=$(tree_bytes "$source")
  files=$(tree_files "$source")
  note "dataset $d: $files files, $bytes bytes ($source)"
  # Read it once, unmeasured: on a virtual machine, data not read for a while comes from the host's disk
  # rather than its cache, and would slow whichever tool runs first (measured: 27.8 s instead of 8.3 s
  # for the first full backup of the mixed tree). Every measured command still starts with a dropped cache.
  tar -cf - -C "$source" . | cat >/dev/null
  local t repo cmd
  for t in "${tool_list[@]}"; do
    init_repo "$t" "$work_dir/repo-$d-$t"
  done
  backup_phase "$d" full "$source" "$bytes" "$files"
  backup_phase "$d" nochange "$source" "$bytes" "$files"
  rm -f "$source.ok"
  changed_dataset=$source
  python3 "$here/datasets.py" change "$source" "$source.save" >&2 || die "changing $source failed"
  bytes=$(tree_bytes "$source")
  files=$(tree_files "$source")
  backup_phase "$d" change "$source" "$bytes" "$files"
  for t in "${tool_list[@]}"; do
    repo=$work_dir/repo-$d-$t
    local target=$work_dir/restore-$d-$t
    mkdir -p "$target"
    read -r -a cmd <<<"$(restore_cmd "$t" "$repo" "$target")"
    measure "$d" restore "$t" "$bytes" "$files" - -- "${cmd[@]}"
    check_restore "$t" "$source" "$(restored_path "$target" "$source")" "$files" "$bytes"
    # Removed at the end: deleting 300,000 files takes minutes of I/O that would disturb later phases.
  done
  python3 "$here/datasets.py" revert "$source" "$source.save" >&2 || die "reverting the change in $source failed"
  changed_dataset=
  touch "$source.ok"
}

started=$(date +%s)
for d in "${dataset_list[@]}"; do
  run_dataset "$d"
done

# bakare under a 256 MiB heap on the mixed tree: full backup, no-change backup, restore.
if [ "$xmx_run" = 1 ] && has_tool bakare; then
  d=mixed
  source=$(dataset_path "$d")
  [ -f "$source.ok" ] || {
    note "generating the mixed dataset for the -Xmx256m run"
    rm -rf "$source"
    python3 "$here/datasets.py" mixed "$source" "$scale" >&2 || die "generating $source failed"
    touch "$source.ok"
  }
  bytes=$(tree_bytes "$source")
  files=$(tree_files "$source")
  repo=$work_dir/repo-xmx
  tool=bakare-Xmx256m
  init_repo bakare "$repo"
  export BAKARE_JAVA_OPTS="${BAKARE_JAVA_OPTS:-} -Xmx256m"
  measure "$d" full "$tool" "$bytes" "$files" "$repo" -- "$bakare" -r "$repo" backup --host compare "$source"
  measure "$d" nochange "$tool" "$bytes" "$files" "$repo" -- "$bakare" -r "$repo" backup --host compare "$source"
  target=$work_dir/restore-xmx
  mkdir -p "$target"
  measure "$d" restore "$tool" "$bytes" "$files" - -- "$bakare" -r "$repo" restore latest -t "$target"
  check_restore "$tool" "$source" "$(restored_path "$target" "$source")" "$files" "$bytes"
  rm -rf "$target" "$repo"
fi

elapsed=$(($(date +%s) - started))
if [ -n "$results_copy" ]; then
  cp "$results" "$results_copy"
  rm -rf "$results_copy.logs"
  cp -r "$work_dir/logs" "$results_copy.logs"
fi

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_gb=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
echo
echo "Machine: $ncpu cores ($cpu_model), $mem_gb GiB RAM, $(uname -sr); $(java -version 2>&1 | head -n 1);"
echo "restic $(restic version 2>/dev/null | cut -d' ' -f2 || echo -), $(borg --version 2>/dev/null || echo 'borg -');" \
  "scale $scale; page cache dropped before each command: $([ "$drop" = 1 ] && echo yes || echo no)" \
  "(after $warm_mib MiB written and freed in /dev/shm);" \
  "bakare key passphrase: $([ "$passphrase" = 1 ] && echo yes || echo no); measuring took ${elapsed}s"
echo "Speed = restic's wall time / the tool's (higher is better); RSS and repo: the tool's / restic's (lower is better)."
echo "MB/s = the dataset's bytes / wall time (for no-change backups: how fast the tree is scanned). CPU/wall of $ncpu.00 = all $ncpu cores busy."
echo
print_table "$results"
