#!/bin/sh
# SPDX-License-Identifier: MIT
# chaird --check, --help, --version and bad flags.
set -u
chaird=$1
programs=$2
bad=$3
docs=$4
data=$5
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A cross build runs what it built under the emulator that meson names.
run_chaird() {
	${MESON_EXE_WRAPPER:-} "$chaird" "$@"
}

check() {
	if eval "$2"; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		fail=1
	fi
}

run_chaird --check --programs "$programs" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check on the built-in programs exits 0" '[ $rc -eq 0 ]'
check "--check lists 11 programs" '[ "$(wc -l <"$tmp/out")" -eq 11 ]'
check "--check prints id, name and duration" 'grep -Eq "^deep-tissue +Deep tissue +15 min$" "$tmp/out"'
check "--check is quiet on stderr when all is well" '[ ! -s "$tmp/err" ]'

run_chaird --check --programs "$programs" --programs "$bad" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check with a broken file exits non-zero" '[ $rc -ne 0 ]'
check "--check names file:line and what is wrong" \
	'grep -Fq "$bad/broken.program:8: range '"'"'sacrum..neck'"'"' is reversed" "$tmp/err"'
check "--check still lists the good programs" '[ "$(wc -l <"$tmp/out")" -eq 12 ] && grep -q "^fine " "$tmp/out"'

run_chaird --version >"$tmp/out" 2>&1
check "--version prints the version" 'grep -Eq "^chaird [0-9]+\.[0-9]+\.[0-9]+$" "$tmp/out"'
run_chaird --help >"$tmp/out" 2>&1
check "--help shows usage and every option" \
	'grep -q "^Usage: chaird" "$tmp/out" && grep -q -- "--time-scale N" "$tmp/out" && grep -q -- "--check" "$tmp/out"'

run_chaird --time-scale 30 --check >"$tmp/out" 2>&1
rc=$?
check "--time-scale without --sim is refused" '[ $rc -eq 2 ] && grep -q "only works with --sim" "$tmp/out"'
run_chaird --sim --time-scale fast >"$tmp/out" 2>&1
rc=$?
check "a bad --time-scale is refused" '[ $rc -eq 2 ] && grep -q "give a number from 1 to 1000" "$tmp/out"'
run_chaird --bogus >"$tmp/out" 2>&1
rc=$?
check "an unknown option exits 2" '[ $rc -eq 2 ] && grep -q "chaird --help" "$tmp/out"'

run_chaird --check --config "$data/chaird.conf" --programs "$programs" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check --config validates the example map" \
	'[ $rc -eq 0 ] && grep -q "chaird.conf: 18 outputs, 8 inputs, 2 heaters, track 720 mm" "$tmp/out"'

printf '[input estop]\nline = gpiochip999 1\n[output pump]\nline = gpiochip999 2\n[output valve-arms]\nline = gpiochip999 2\n' >"$tmp/bad.conf"
run_chaird --check --config "$tmp/bad.conf" --programs "$programs" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check --config names file:line of a bad map" \
	'[ $rc -eq 1 ] && grep -Fq "$tmp/bad.conf:5: gpiochip999 2 is used twice: by pump (line 3) and valve-arms" "$tmp/err"'

printf '[chair]\nmax-depth = 2\n[input estop]\nline = gpiochip999 1\n[output pump]\nline = gpiochip999 2\n[output valve-arms]\nline = gpiochip999 3\n[output depth-in]\nline = gpiochip999 4\n[output depth-out]\nline = gpiochip999 5\n[output walk-up]\nline = gpiochip999 6\n[output walk-down]\nline = gpiochip999 7\n[input walk-top]\nline = gpiochip999 8\n[input walk-bottom]\nline = gpiochip999 9\n' >"$tmp/shallow.conf"
run_chaird --check --config "$tmp/shallow.conf" --programs "$programs" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check says what each program loses on a shallow chair, and accepts it" \
	'[ $rc -eq 0 ] && grep -q "^    on this chair: depth is capped at 2 (line [0-9]*" "$tmp/out" && grep -q "^deep-tissue" "$tmp/out"'

printf '[input estop]\nline = gpiochip999 1\n[output walk-up]\nline = gpiochip999 2\n[output walk-down]\nline = gpiochip999 3\n[input walk-top]\nline = gpiochip999 4\n[input walk-bottom]\nline = gpiochip999 5\n[output knead-cw]\nline = gpiochip999 6\n[heater lumbar]\nsensor = /nonexistent/temp\n[output heat-lumbar]\nline = gpiochip999 7\n' >"$tmp/simple.conf"
run_chaird --check --config "$tmp/simple.conf" --programs "$programs" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check on a simple chair: one-way knead, no depth, a sensor that is not there" \
	'[ $rc -eq 0 ] && grep -q "4 outputs, 3 inputs, 1 heater," "$tmp/out" && grep -q "max depth 0" "$tmp/out" && grep -q "tap becomes knead" "$tmp/out" && grep -q "compress is skipped" "$tmp/out" && grep -q "heater lumbar: its sensor /nonexistent/temp cannot be read" "$tmp/err"'

run_chaird --check --config "$tmp/nope.conf" >"$tmp/out" 2>&1
rc=$?
check "--check with a missing map says so" '[ $rc -eq 1 ] && grep -q "nope.conf: cannot open the hardware map" "$tmp/out"'

# No real chip is named gpiochip999, so this drives nothing on this machine.
printf '[input estop]\nline = gpiochip999 1\n[output pump]\nline = gpiochip999 2\n[output valve-arms]\nline = gpiochip999 3\n' >"$tmp/none.conf"
run_chaird --safe-state --config "$tmp/none.conf" >"$tmp/out" 2>&1
rc=$?
check "--safe-state names the chip it cannot reach and exits non-zero" \
	'[ $rc -eq 1 ] && grep -q "^gpiochip999: no such chip (is the driver loaded? see docs/porting.md)$" "$tmp/out"'
run_chaird --safe-state --sim >"$tmp/out" 2>&1
rc=$?
check "--safe-state takes only --config" '[ $rc -eq 2 ] && grep -q "takes only --config" "$tmp/out"'

run_chaird --session --config "$tmp/none.conf" >"$tmp/out" 2>&1
rc=$?
check "the daemon on a missing chip: one sentence, non-zero exit" \
	'[ $rc -eq 1 ] && grep -q "^gpiochip999: no such chip" "$tmp/out"'

# chaird(8) documents every option that --help lists.
documented() {
	sed 's/\\-/-/g' "$2" >"$tmp/man"
	for o in $(grep -o -- '--[a-z-]*' "$1" | sort -u); do
		grep -qF -- "$o" "$tmp/man" || { echo "# $2 does not document $o"; return 1; }
	done
}
run_chaird --help >"$tmp/help"
check "chaird(8) documents every option of --help" 'documented "$tmp/help" "$data/../man/chaird.8.in"'

mkdir "$tmp/doc"
sed -n '/^```ini$/,/^```$/p' "$docs/programs.md" | sed '1d;$d' >"$tmp/doc/example.program"
run_chaird --check --programs "$tmp/doc" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "the example in docs/programs.md is valid" '[ $rc -eq 0 ] && grep -q "^neck-and-shoulders " "$tmp/out"'

exit $fail
