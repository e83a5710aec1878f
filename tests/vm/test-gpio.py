#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chaird on a real kernel's GPIO chips: gpio-sim, built through configfs,
laid out and named as data/chaird.conf numbers them, with that map's bias,
debounce and active-low settings, the lines given by name.

Runs as root inside the test VM: `tools/vm-run -- python3 tests/vm/test-gpio.py`
(meson's `vm` suite does that). Run outside a VM with gpio-sim it works too;
without gpio-sim it exits 77."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmchair import (CONFIGFS, CHAIRD, Chips, Daemon, GpioSim, World, board_map,  # noqa: E402
                     line_name, new_bus, read, wait_until)

# Figures that the test prints for docs/testing.md.
FIGURES = {}


def outputs_all(sim, outputs, level):
    return all(sim.value(line_name(o)) == level for o in outputs)


class Board(unittest.TestCase):
    """A fresh board (chips, world, chaird) for every test."""

    start_daemon = True

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='chaird-vm-')
        self.config, self.banks, self.outputs, self.inputs = board_map(self.tmp)
        self.sim = Chips(self.banks)
        self.addCleanup(self.sim.remove)
        self.world = World(self.sim, mm_per_pulse=2.0)
        self.world.apply()
        self.bus = new_bus(self)
        self.chaird = None
        if self.start_daemon:
            self.chaird = self.start()
            self.world.start()
            self.addCleanup(self.world.stop)

    def start(self, extra=()):
        d = Daemon(self.bus, self.config, extra)
        self.addCleanup(d.stop)
        d.wait_name()
        # chaird's bias requests moved gpio-sim's pulls: put the world back.
        # The stop button read high meanwhile (its pull-up), which latched an
        # e-stop; clear it as a person would once the button is released.
        self.world.apply()
        if d.state() == 'emergency-stop':
            d.must('Reset')
        d.wait_state('idle')
        return d

    def session(self, program='swedish'):
        self.chaird.must('Start', 'sa{sv}', program, 0)
        self.chaird.wait_state('running')

    def assert_no_fault(self):
        self.assertEqual(self.chaird.faults(), [], self.chaird.read_log())


class Session(Board):
    def test_walk_with_encoder_and_limits(self):
        """A session moves the roller both ways on real encoder edges without
        a fault; a closed limit switch stops the walk at once."""
        self.session('swedish')
        wait_until(lambda: self.world.seen['walk-up'] and self.world.pulses >= 20, 60,
                   'the roller walking up with encoder pulses')
        self.assert_no_fault()
        self.assertEqual(self.chaird.state(), 'running')

        # The top switch closes while the roller walks up (a carriage that
        # reaches the end early): walk-up goes off and stays off.
        wait_until(lambda: self.sim.value(line_name('walk-up')) == 1, 60, 'walk-up driven')
        t0 = time.monotonic()
        self.world.set_force_top(True)
        wait_until(lambda: self.sim.value(line_name('walk-up')) == 0, 2, 'walk-up off at the top')
        FIGURES['limit switch to walk-up off (ms)'] = (time.monotonic() - t0) * 1000
        end = time.monotonic() + 3
        while time.monotonic() < end:
            self.assertEqual(self.sim.value(line_name('walk-up')), 0,
                             'walk-up driven against the closed top switch')
            time.sleep(0.01)
        self.world.set_force_top(False)

        wait_until(lambda: self.world.seen['walk-down'], 90, 'the roller walking down')
        self.assert_no_fault()
        self.assertEqual(self.chaird.state(), 'running')
        # The switches at the ends of the track: never driven past them for
        # longer than a few control steps.
        for what, secs in self.world.violations:
            self.assertLess(secs, 0.25, '%s stayed on %.3f s against its closed limit switch'
                            % (what, secs))
        self.chaird.must('Stop')
        wait_until(lambda: self.chaird.state() == 'idle', 60, 'idle after Stop')
        wait_until(lambda: outputs_all(self.sim, self.outputs, 0), 10, 'every output off')
        self.assert_no_fault()
        FIGURES['encoder pulses in the walk test'] = self.world.pulses

    def test_estop(self):
        """Every output reads 0 while the button is held; Reset is refused
        until it is released, and starts nothing. Three presses, for the
        latency from the edge to every output reading 0."""
        fds = [os.open(self.sim.attr(line_name(o), 'value'), os.O_RDONLY) for o in self.outputs]
        for fd in fds:
            self.addCleanup(os.close, fd)

        def all_off():
            return all(os.pread(fd, 1, 0) == b'0' for fd in fds)

        latencies = []
        for press in range(3):
            self.session('energize')
            wait_until(lambda: sum(self.sim.value(line_name(o)) for o in self.outputs) >= 2, 60,
                       'two outputs driven')
            t0 = time.monotonic()
            self.world.press_estop(True)
            # Poll the chip itself for the moment every output reads 0.
            while not all_off():
                self.assertLess(time.monotonic() - t0, 2, 'outputs still on 2 s after the e-stop')
            latencies.append((time.monotonic() - t0) * 1000)
            self.chaird.wait_state('emergency-stop', 10)
            ok, err = self.chaird.call('Reset')
            self.assertFalse(ok, 'Reset accepted while the button is held')
            self.assertIn('still pressed', err)
            end = time.monotonic() + (2 if press == 0 else 0.5)
            while time.monotonic() < end:
                self.assertTrue(all_off(), 'an output came back on while the button is held')
            self.world.press_estop(False)
            self.chaird.must('Reset')
            self.chaird.wait_state('idle', 10)
            # A reset never starts motion.
            end = time.monotonic() + 1.5
            while time.monotonic() < end:
                self.assertTrue(all_off(), 'an output on after Reset')
        latencies.sort()
        FIGURES['e-stop edge to all outputs off, 3 presses (ms)'] = \
            ' / '.join('%.1f' % v for v in latencies)
        self.assertEqual(self.chaird.stop(), 0, self.chaird.read_log())

    def test_seat(self):
        """The seat empties: the session pauses with everything off; it comes
        back: the session can go on."""
        self.session('swedish')
        wait_until(lambda: any(self.sim.value(line_name(o)) for o in self.outputs), 60,
                   'an output driven')
        self.world.set_seated(False)
        self.chaird.wait_state('paused', 10)
        wait_until(lambda: outputs_all(self.sim, self.outputs, 0), 2, 'every output off')
        self.assertFalse(self.chaird.get('Occupied'))
        self.world.set_seated(True)
        wait_until(lambda: self.chaird.get('Occupied'), 10, 'Occupied again')
        if self.chaird.state() == 'paused':
            self.chaird.must('Resume')
        self.chaird.wait_state('running', 10)
        wait_until(lambda: any(self.sim.value(line_name(o)) for o in self.outputs), 60,
                   'an output driven after the seat returned')
        self.assert_no_fault()

    def test_chip_removed(self):
        """A chip that goes away mid-session: gpio-failed, the other chip's
        lines off, and no busy loop."""
        self.session('swedish')
        wait_until(lambda: any(self.sim.value(line_name(o)) for o in self.outputs), 60,
                   'an output driven')
        # The walk and head chip, which has every input, goes away; the air
        # and heat chip stays. (A chip with outputs only is noticed at the
        # next write to one of its lines, which a session may not make for
        # a while.)
        self.world.stop_flag.set()
        self.world.join(5)
        rest = [o for o in self.outputs if self.sim.lines[line_name(o)][0] == 1]
        self.sim.devs[0].set_live(False)
        try:
            wait_until(lambda: 'gpio-failed' in self.chaird.faults(), 10, 'the gpio-failed fault')
        except AssertionError as e:
            raise AssertionError('%s; State %s, Faults %s\n%s' % (
                e, self.chaird.state(), self.chaird.faults(), self.chaird.read_log()))
        wait_until(lambda: outputs_all(self.sim, rest, 0), 2, 'the other chip\'s outputs off')
        self.assertNotEqual(self.chaird.state(), 'running')
        cpu0 = self.chaird.cpu_seconds()
        time.sleep(3)
        spent = self.chaird.cpu_seconds() - cpu0
        FIGURES['chaird CPU over 3 s with a chip gone (s)'] = spent
        self.assertLess(spent, 1.0, 'chaird spins after losing a chip')
        self.assertIsNone(self.chaird.proc.poll(), 'chaird died: ' + self.chaird.read_log())
        self.assertIn(self.sim.chips[0], self.chaird.read_log())
        end = time.monotonic() + 2
        while time.monotonic() < end:
            self.assertTrue(outputs_all(self.sim, rest, 0), 'an output came back on')


class Startup(Board):
    start_daemon = False

    def failing_start(self, extra=()):
        d = Daemon(self.bus, self.config, extra)
        self.addCleanup(d.stop)
        try:
            rc = d.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.fail('chaird kept running: ' + d.read_log())
        return rc, d.read_log()

    def test_name_on_two_chips(self):
        """A line name that two chips carry is refused, naming both."""
        other = GpioSim([[None, line_name('pump')]], label='chaird-vm-other')
        self.addCleanup(other.remove)
        rc, log = self.failing_start()
        self.assertNotEqual(rc, 0)
        self.assertIn("GPIO line name '%s' (for pump) is on two chips" % line_name('pump'), log)
        self.assertIn(other.chips[0] + ' line 1', log)

    def test_busy_line(self):
        """A line another program holds: chaird names it and the holder, and
        leaves nothing requested."""
        holder = subprocess.Popen(['gpioset', '--consumer', 'old-firmware', '-c', self.sim.chips[1],
                                   '%d=0' % self.sim.lines[line_name('pump')][1]],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(holder.wait)
        self.addCleanup(holder.terminate)
        wait_until(lambda: 'old-firmware' in self.gpioinfo(self.sim.chips[1]), 20,
                   'gpioset holding the pump line')
        rc, log = self.failing_start()
        self.assertNotEqual(rc, 0)
        self.assertIn('(pump) is busy: old-firmware holds it', log)
        self.assertNotIn('"chaird"', self.gpioinfo(self.sim.chips[0]))

    def gpioinfo(self, chip):
        return subprocess.run(['gpioinfo', '-c', chip], capture_output=True, text=True).stdout

    def test_safe_state_and_sigterm(self):
        """--safe-state requests every output at 0 and lets go; SIGTERM in a
        session drives the outputs off and releases every line."""
        r = subprocess.run([CHAIRD, '--safe-state', '--config', self.config],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        for i, chip in enumerate(self.sim.chips):
            n = sum(1 for o in self.outputs if self.sim.lines[line_name(o)][0] == i)
            self.assertIn('%s: %d outputs driven safe' % (chip, n), r.stderr)
        for chip in self.sim.chips:
            self.assertNotIn('chaird', self.gpioinfo(chip))

        self.chaird = self.start()
        self.world.start()
        self.addCleanup(self.world.stop)
        self.session('energize')
        wait_until(lambda: any(self.sim.value(line_name(o)) for o in self.outputs), 60,
                   'an output driven')
        self.assertIn('"chaird"', self.gpioinfo(self.sim.chips[0]))
        self.assertEqual(self.chaird.stop(signal.SIGTERM), 0, self.chaird.read_log())
        for chip in self.sim.chips:
            self.assertNotIn('chaird', self.gpioinfo(chip))
        self.assertTrue(outputs_all(self.sim, self.outputs, 0))


class OneChip(unittest.TestCase):
    """The first gpio-sim test: one chip with every line, the e-stop read
    back from the chip."""

    def test_estop_on_one_chip(self):
        tmp = tempfile.mkdtemp(prefix='chaird-vm-')
        config, banks, outputs, inputs = board_map(tmp)
        names = [n for b in banks for n in b if n]
        sim = GpioSim([names])
        self.addCleanup(sim.remove)
        world = World(sim)
        world.apply()
        bus = new_bus(self)
        d = Daemon(bus, config)
        self.addCleanup(d.stop)
        d.wait_name()
        world.apply()
        if d.state() == 'emergency-stop':
            d.must('Reset')
        d.must('Start', 'sa{sv}', 'energize', 0)
        wait_until(lambda: any(sim.value(line_name(o)) for o in outputs), 60, 'an output driven')
        world.press_estop(True)
        wait_until(lambda: outputs_all(sim, outputs, 0), 2, 'every output off')
        d.wait_state('emergency-stop', 10)
        self.assertEqual(d.stop(), 0)


def main():
    if os.geteuid() != 0:
        print('SKIP: needs root (run it in the VM: tools/vm-run -- python3 %s)' % sys.argv[0])
        sys.exit(77)
    if not os.path.isdir(CONFIGFS):
        print('SKIP: this kernel has no gpio-sim (run it in the VM: tools/vm-run -- python3 %s)'
              % sys.argv[0])
        sys.exit(77)
    t0 = time.monotonic()
    argv = [sys.argv[0]] + sys.argv[1:]
    prog = unittest.main(argv=argv, exit=False, verbosity=2)
    result = prog.result
    for k, v in FIGURES.items():
        print('figure: %s: %s' % (k, ('%.2f' % v) if isinstance(v, float) else v))
    print('figure: the vm tests took %.1f s in the guest' % (time.monotonic() - t0))
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    print('%d passed, %d failed, %d skipped' % (result.testsRun - failed - skipped, failed,
                                                skipped))
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
