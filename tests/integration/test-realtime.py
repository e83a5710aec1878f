#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The safety core on real time: chaird --sim --time-scale 1, stopped and
continued with SIGSTOP/SIGCONT as a busy board or a slow write would stall
it. Reversals keep their dead time in real (CLOCK_MONOTONIC) time, and
outputs left unwatched too long latch loop-stalled.

The SIGSTOP durations are the stimulus, not a wait: every wait for the
daemon is on a condition with a deadline."""

import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import Bus, Chair, main, wait_until  # noqa: E402

# CHAIR_SAFETY_DEAD_TIME_USEC and CHAIR_SAFETY_MAX_GAP_USEC in lib/safety.h.
DEAD_TIME_USEC = 100 * 1000
MAX_GAP_USEC = 1000 * 1000

OPPOSING = [('walk-up', 'walk-down'), ('knead-cw', 'knead-ccw')]

# Short friction strokes reverse the walk motor every few hundred ms;
# narrow kneading reverses the knead motor at each point. The heaters,
# warming from cold, keep an output on whatever the motors do.
PROGRAM = """\
# Reverses the walk and knead motors as often as a program can.
id = reversals
name = Reversals
character = stimulating
duration = 5min
heat = 3
description = Friction and kneading, over and over.

[main]
friction upper-back speed=5 depth=0 width=narrow cycles=1
knead    upper-back speed=5 depth=0 width=narrow cycles=1
"""


def reversals(trace, a, b):
    """Every switch-on of one direction after the other one was on: a list
    of (off_mono_usec, on_mono_usec, direction turned on). Also fails if
    both directions are ever on in the same line."""
    off_at = {}
    was = {a: False, b: False}
    found = []
    for line in trace:
        out = line['outputs']
        if out[a] and out[b]:
            raise AssertionError('%s and %s both on: %s' % (a, b, line))
        for this, other in ((a, b), (b, a)):
            if was[this] and not out[this]:
                off_at[this] = line['mono_usec']
            if not was[this] and out[this] and other in off_at:
                found.append((off_at[other], line['mono_usec'], this))
        was = {a: out[a], b: out[b]}
    return found


def any_on(outputs):
    return any(outputs.values())


class RealtimeCase(unittest.TestCase):
    def setUp(self):
        self.bus = Bus()
        self.programs = tempfile.mkdtemp(prefix='chaird-programs-')
        with open(os.path.join(self.programs, 'reversals.program'), 'w') as f:
            f.write(PROGRAM)
        self.chair = Chair(self.bus, scale=1, extra=('--programs', self.programs))

    def tearDown(self):
        # A stopped daemon would never see SIGTERM.
        if self.chair.proc.poll() is None:
            self.chair.proc.send_signal(signal.SIGCONT)
        self.chair.close()
        self.bus.close()
        shutil.rmtree(self.programs, ignore_errors=True)

    def start_moving(self):
        c = self.chair
        c.call('Start', 'sa{sv}', 'reversals', '0')
        wait_until(lambda: c.outputs()['heat-lumbar'], what='heat-lumbar on')

    def stall(self, seconds):
        """Stops the daemon for @seconds of real time; returns the
        CLOCK_MONOTONIC time of SIGCONT, in µs."""
        p = self.chair.proc
        p.send_signal(signal.SIGSTOP)
        time.sleep(seconds)
        cont = time.monotonic()
        p.send_signal(signal.SIGCONT)
        return int(cont * 1e6)


class TestRealtime(RealtimeCase):
    def test_dead_time_survives_stalls(self):
        """Stopped 300 ms every 0.7 s for 22 s: every reversal of the walk
        and knead motors still has the dead time between one direction
        off and the other on, in real time."""
        c = self.chair
        self.start_moving()
        end = time.monotonic() + 22.0
        stalls = 0
        while time.monotonic() < end:
            # The loop runs for a while, then stops at an arbitrary point
            # of a stroke: often in the middle of a dead time.
            time.sleep(0.4)
            self.stall(0.3)
            stalls += 1
        # 300 ms is well under the 1 s bound: the session goes on.
        wait_until(lambda: c.alive(), what='chaird answering after SIGCONT')
        self.assertEqual(c.get('Faults'), [])
        self.assertEqual(c.state(), 'running')
        c.call('EmergencyStop')
        self.assertFalse(any_on(c.outputs()))

        trace = c.trace()
        total = {}
        short = []
        for a, b in OPPOSING:
            found = reversals(trace, a, b)
            total[a] = len(found)
            print('%s/%s: %d reversals, shortest off-to-on %s µs' % (
                a, b, len(found), min((on - off for off, on, _ in found), default='-')))
            short += ['%s on %d µs after %s went off' % (d, on - off, b if d == a else a)
                      for off, on, d in found if on - off < DEAD_TIME_USEC]
        self.assertEqual(short, [], '%d reversals shorter than the %d µs dead time' %
                         (len(short), DEAD_TIME_USEC))
        # The test means something only if the motors really reversed,
        # many times, across the stalls.
        self.assertGreaterEqual(stalls, 25)
        self.assertGreaterEqual(total['walk-up'], 10, total)
        self.assertGreaterEqual(total['knead-cw'], 2, total)

    def test_long_stall_latches_loop_stalled(self):
        """Stopped 1.5 s with outputs on: loop-stalled, state fault, and
        nothing on from the first iteration after SIGCONT."""
        c = self.chair
        self.start_moving()
        cont = self.stall(1.5)
        wait_until(lambda: c.state() == 'fault', what='State fault')
        self.assertIn('loop-stalled', c.get('Faults'))
        self.assertFalse(any_on(c.outputs()))
        # What the daemon drove after it woke up: only the all-off write.
        after = [t for t in c.trace() if t['mono_usec'] >= cont]
        self.assertTrue(after, 'no trace line after SIGCONT')
        for t in after:
            self.assertFalse(any_on(t['outputs']), t)
        self.assertEqual(after[-1]['state'], 'fault')
        self.assertEqual(c.wait_finished()[0][:2], ('reversals', 'fault'))
        # Reset clears it: the loop runs again, and a reset never moves.
        c.call('Reset')
        self.assertEqual(c.state(), 'idle')
        self.assertEqual(c.get('Faults'), [])
        self.assertFalse(any_on(c.outputs()))

    def test_long_stall_while_idle_is_harmless(self):
        """Stopped 1.5 s with every output off: nothing was left unwatched,
        so no fault. (The tick, overdue, runs before the bus.)"""
        c = self.chair
        self.stall(1.5)
        wait_until(lambda: c.alive(), what='chaird answering after SIGCONT')
        self.assertEqual(c.get('Faults'), [])
        self.assertEqual(c.state(), 'idle')


if __name__ == '__main__':
    main()
