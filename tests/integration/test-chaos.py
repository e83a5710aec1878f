#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The D-Bus chaos test: a few thousand random calls to every method and
property of both interfaces (tests/integration/chaos-client.c), against the
real daemon. Every call gets a reply, the daemon stays up, after every
EmergencyStop that succeeded all outputs are off, and the harness finds no
crash and no sanitizer report. CHAOS_CALLS and CHAOS_SEED replay a run."""

import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import BUILD, SIM, ChairTestCase, main  # noqa: E402

CHAOS = os.path.join(BUILD, 'tests', 'chaos-client')


def vm_rss_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


class TestChaos(ChairTestCase):
    scale = 100

    def test_random_calls(self):
        c = self.chair
        calls = int(os.environ.get('CHAOS_CALLS', '3000'))
        seed = int(os.environ.get('CHAOS_SEED', str(random.randrange(1, 2 ** 62))))
        rss_before = vm_rss_kb(c.proc.pid)
        r = c.run([CHAOS, '--calls', str(calls), '--seed', str(seed)])
        rss_after = vm_rss_kb(c.proc.pid)
        print(r.stdout, end='')
        print('VmRSS before %d kB, after %d kB' % (rss_before, rss_after))
        self.assertEqual(r.returncode, 0, 'seed %d:\n%s%s' % (seed, r.stdout, r.stderr))
        self.assertIn('calls %d\n' % calls, r.stdout)
        self.assertTrue(c.alive(), 'chaird is gone after seed %d' % seed)
        # The chair still obeys: a stop makes everything safe, and once the
        # injected faults are gone it resets.
        c.call('EmergencyStop')
        self.assertFalse(any(c.outputs().values()))
        c.call('ClearFaults', iface=SIM)
        c.call('Reset')
        self.assertEqual(c.state(), 'idle')


if __name__ == '__main__':
    main()
