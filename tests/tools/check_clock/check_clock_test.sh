#!/usr/bin/env bash
# tools/check-clock: fails naming file:line for each direct use of the system clock in production
# code, ignores tests, benchmarks, comments and the clock itself, treats the pending list as
# promised (and fails on a stale entry), and passes on the real tree.
# Usage: check_clock_test.sh REPO_ROOT
set -uo pipefail
repo="$1"
check="$repo/tools/check-clock"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Runs the check on $1 and stores its output and exit status.
run_check() {
  out=$("$check" "$1" 2>&1)
  rc=$?
}

expect_rc() {
  if [ "$rc" != "$1" ]; then fail "$2: exit status $rc, expected $1; output:"$'\n'"$out"; fi
}

expect_line() {
  if ! grep -qF -- "$1" <<<"$out"; then fail "$2: output lacks \"$1\"; output:"$'\n'"$out"; fi
}

tree="$tmp/tree"
mkdir -p "$tree"/{lib/base,agents/unit/timer,controller/schema,tests/agents,tools/bench,relations,bundles}
cat >"$tree/agents/unit/timer/timer.cc" <<'CC'
#include <chrono>
// steady_clock::now() in a comment is fine.
auto started = std::chrono::steady_clock::now();
void Wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock) {
  cv.wait_for(lock, std::chrono::seconds(1));
}
CC
cat >"$tree/controller/schema/0001_x.sql" <<'SQL'
-- CURRENT_TIMESTAMP in a comment is fine.
CREATE TABLE t (at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
SQL
printf 'long t = time(nullptr);\n' >"$tree/relations/stamp.cc"
printf 'auto now = std::chrono::system_clock::now();\n' >"$tree/lib/base/clock.cc"
printf 'std::this_thread::sleep_for(std::chrono::seconds(1));\n' >"$tree/tests/agents/sleepy_test.cc"
printf 'auto t0 = std::chrono::steady_clock::now();\n' >"$tree/tools/bench/bench.cc"

run_check "$tree"
expect_rc 1 "a tree with violations"
expect_line "agents/unit/timer/timer.cc:3:" "a clock read"
expect_line "agents/unit/timer/timer.cc:5:" "a condition variable wait with a timeout"
expect_line "controller/schema/0001_x.sql:2:" "CURRENT_TIMESTAMP in SQL"
expect_line "relations/stamp.cc:1:" "time(nullptr)"
if grep -qE "timer.cc:2:|0001_x.sql:1:|^lib/base/clock.cc:|^tests/|^tools/bench/" <<<"$out"; then
  fail "comments, the clock, tests or benchmarks were flagged:"$'\n'"$out"
fi
hits=$(grep -c '^[a-z].*:[0-9]*: ' <<<"$out")
if [ "$hits" != 4 ]; then fail "expected 4 hits, got $hits:"$'\n'"$out"; fi

# Listed as pending: reported, not failing.
mkdir -p "$tree/tools"
printf 'agents/unit/timer/timer.cc  # another branch\ncontroller/schema/0001_x.sql\nrelations/stamp.cc\n' \
  >"$tree/tools/check-clock-pending.txt"
run_check "$tree"
expect_rc 0 "every hit pending"
expect_line "agents/unit/timer/timer.cc:3: pending (another branch)" "a pending hit"

# A pending entry whose file is clean fails, so that the list only shrinks.
printf 'auto started = clock.Now();\n' >"$tree/agents/unit/timer/timer.cc"
run_check "$tree"
expect_rc 1 "a stale pending entry"
expect_line "agents/unit/timer/timer.cc has no hits any more" "a stale pending entry"

# A clean tree passes.
rm "$tree/tools/check-clock-pending.txt" "$tree/controller/schema/0001_x.sql" "$tree/relations/stamp.cc"
run_check "$tree"
expect_rc 0 "a clean tree"

# The real tree passes.
run_check "$repo"
expect_rc 0 "the repository"

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "check-clock behaves"
