#!/bin/sh
# Wrote sop.db and the expected-*.json beside it with the code of commit bbfa1b5, before the pinned
# definition had a format version. Kept as the record of how; re-running it with later code would
# not make a pre-version store. Usage (from the repository root): sh tests/data/store-v0/make.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SOP="${SOP:-.venv/bin/sop}"
SOP_HOME=$(mktemp -d); SOP_STORE="$HERE/sop.db"; SOP_USER=penguji; NO_COLOR=1; COLUMNS=200
export SOP_HOME SOP_STORE SOP_USER NO_COLOR COLUMNS
rm -f "$SOP_STORE"
s() { SOP_NOW="$1"; export SOP_NOW; shift; "$SOP" "$@" >/dev/null; }

# A finished run of each seed SOP, with one rejection at its decision (step 9: back to step 8).
finish() {  # $1 org  $2 run id  $3 last step  $4 assignments...
  org=$1 run=$2 last=$3; shift 3
  s 2025-03-03T08:00 start renja --org "$org" --year 2025 "$@"
  day=3
  for n in 1 2 3 4 5 6 7 8; do s "2025-03-0${day}T$(printf %02d $((8 + n)))":00 advance --run "$run" --step $n --note "langkah $n selesai"; done
  s 2025-03-04T09:00 advance --run "$run" --step 9 --reject --reason "indikator belum sesuai RKPD"
  s 2025-03-04T11:00 advance --run "$run" --step 8 --note "indikator diperbaiki"
  s 2025-03-05T09:00 advance --run "$run" --step 9 --approve
  n=10; while [ $n -le "$last" ]; do s "2025-03-06T$(printf %02d $n):00" advance --run "$run" --step $n; n=$((n + 1)); done
}
finish ngronggot renja-2025 14 --assign camat="MOHAMAD MAKRUP, S.Sos"
finish diskominfo renja-2025-2 13 --assign kepala-dinas="Drs. KEPALA DINAS"

# An active run, late at step 3, with a note and an undo.
s 2026-11-02T08:00 start renja --org ngronggot --year 2027
s 2026-11-02T10:00 advance --run renja-2027 --step 1
s 2026-11-03T10:00 advance --run renja-2027 --step 2 --note "format dikirim lewat grup"
s 2026-11-03T11:00 advance --run renja-2027 --step 3
s 2026-11-03T11:30 undo --run renja-2027 --reason "salah klik"
s 2026-11-04T09:00 note --run renja-2027 "menunggu data kasi"

SOP_NOW=2026-11-26T09:00; export SOP_NOW
for run in renja-2025 renja-2025-2 renja-2027; do
  "$SOP" status --run $run --json > "$HERE/expected-status-$run.json"
  "$SOP" log --run $run --json > "$HERE/expected-log-$run.json"
  "$SOP" report --run $run --format json > "$HERE/expected-report-$run.json"
done
rm -rf "$SOP_HOME"
