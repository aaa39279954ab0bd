#!/usr/bin/env bash
# Seed a demo ledger with submission history, so the example check shows the repeat-failure
# guard: HM-BOX-009 failed 4 times in 24 h (locked for 72 h), EL-FAN-400 failed 3 times (one
# more failure locks it), EL-KB-500 failed with exactly the content it still has (resubmitting
# it unchanged would fail again).
# Usage: examples/seed_ledger.sh SHELFCHECK DB
set -euo pipefail
sc="$1"; db="$2"
here="$(cd "$(dirname "$0")" && pwd)"
rm -f "$db"
for hour in 08 09 10 11; do
  "$sc" ledger record --db "$db" --sku HM-BOX-009 --outcome failed \
    --reason inventory_drift_exceeded --at "2024-07-31T${hour}:00:00Z" >/dev/null
done
for hour in 12 13 14; do
  "$sc" ledger record --db "$db" --sku EL-FAN-400 --outcome failed \
    --reason document_not_verified --at "2024-07-31T${hour}:00:00Z" >/dev/null
done
"$sc" ledger record --db "$db" --sku EL-KB-500 --outcome failed --reason document_expired \
  --at 2024-07-30T09:30:00Z --catalog "$here/catalog.csv" >/dev/null
echo "demo ledger seeded: $db"
