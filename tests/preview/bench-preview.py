#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How long chair-preview takes: every built-in program at its own length
and at 30 minutes, best of 5 runs each, with and without a PNG. Prints
figures; passes or fails on nothing."""

import glob
import os
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get('CHAIRD_BUILD_DIR', 'build')
SRC = os.environ.get('CHAIRD_SOURCE_DIR', '.')
PREVIEW = os.path.join(BUILD, 'clients', 'chair-preview', 'chair-preview')
PROGRAMS = sorted(glob.glob(os.path.join(SRC, 'data', 'programs', '*.program')))


def best(args, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([PREVIEW] + args, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main():
    with tempfile.TemporaryDirectory() as d:
        png = os.path.join(d, 'p.png')
        print('%-20s %12s %12s %14s' % ('program', 'own length', '30 min', '30 min + PNG'))
        for path in PROGRAMS:
            name = os.path.basename(path)[:-len('.program')]
            print('%-20s %9.1f ms %9.1f ms %11.1f ms' % (
                name, best([path, '--json']), best([path, '--json', '--minutes', '30']),
                best([path, '--minutes', '30', '--png', png])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
