#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The chaos benchmark: CHAOS_CALLS (default 100000) random D-Bus calls from
tests/integration/chaos-client.c against the real daemon. It prints the
replies counted by error name, the emergency stops checked, and chaird's
VmRSS and open fds before and after. Any call without a reply, any output
on after an EmergencyStop, a crash or a sanitizer report fails it."""

import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'integration'))
from chairtest import BUILD, Bus, Chair, check_daemons  # noqa: E402


def status(pid, key):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1])
    return 0


def main():
    calls = int(os.environ.get('CHAOS_CALLS', '100000'))
    seed = int(os.environ.get('CHAOS_SEED', str(random.randrange(1, 2 ** 62))))
    bus = Bus()
    chair = Chair(bus, scale=100)
    pid = chair.proc.pid
    rc = 1
    try:
        rss0, fds0 = status(pid, 'VmRSS'), len(os.listdir('/proc/%d/fd' % pid))
        t0 = time.monotonic()
        r = subprocess.run([os.path.join(BUILD, 'tests', 'chaos-client'), '--calls', str(calls),
                            '--seed', str(seed)], env=bus.env, capture_output=True, text=True)
        real = time.monotonic() - t0
        rss1, fds1 = status(pid, 'VmRSS'), len(os.listdir('/proc/%d/fd' % pid))
        for line in r.stdout.splitlines():
            print('chaos: ' + line)
        sys.stderr.write(r.stderr)
        print('chaos: %.0f s, %.0f calls/s' % (real, calls / real if real else 0))
        print('chaos: VmRSS before %d kB, after %d kB; VmHWM %d kB' %
              (rss0, rss1, status(pid, 'VmHWM')))
        print('chaos: open fds before %d, after %d' % (fds0, fds1))
        print('chaos: chaird %s' % ('is up' if chair.alive() else 'is GONE'))
        rc = r.returncode if chair.alive() else 1
    finally:
        try:
            check_daemons()
        finally:
            bus.close()
    sys.exit(rc)


if __name__ == '__main__':
    main()
