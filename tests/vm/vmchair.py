# SPDX-License-Identifier: MIT
"""Helpers for the tests that run inside the test VM (tools/vm-run): gpio-sim
chips built through configfs, a small physical world around them (the roller
carriage with its encoder and limit switches, the stop button, the seat), and
the real chaird driving them on a private bus.

Every wait is on a condition with a deadline. Under emulation, starting a
program costs a noticeable fraction of a second, so the world is polled from
Python, never from shell loops."""

import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration'))
from chairtest import (BUILD, CHAIRD, PROGRAMS, SRC, NAME, PATH, IFACE,  # noqa: E402,F401
                       Bus, wait_until)

CONFIGFS = '/sys/kernel/config/gpio-sim'
EXAMPLE_MAP = os.path.join(SRC, 'data', 'chaird.conf')


def write(path, value):
    with open(path, 'w') as f:
        f.write(value)


def read(path):
    with open(path) as f:
        return f.read().strip()


def line_name(part):
    """The line name the simulated board gives a part: walk-up -> CHAIR_WALK_UP."""
    return 'CHAIR_' + part.upper().replace('-', '_')


class GpioSim:
    """A gpio-sim device: one chip per bank, each a list of line names by
    offset (None for an unnamed line)."""

    serial = 0

    def __init__(self, banks, label='chaird-vm'):
        GpioSim.serial += 1
        self.dir = os.path.join(CONFIGFS, '%s-%d-%d' % (label, os.getpid(), GpioSim.serial))
        self.banks = banks
        os.mkdir(self.dir)
        for b, names in enumerate(banks):
            bank = os.path.join(self.dir, 'bank%d' % b)
            os.mkdir(bank)
            write(os.path.join(bank, 'num_lines'), str(len(names)))
            for off, name in enumerate(names):
                if name:
                    os.mkdir(os.path.join(bank, 'line%d' % off))
                    write(os.path.join(bank, 'line%d' % off, 'name'), name)
        self.lines = {}
        for b, names in enumerate(banks):
            for off, name in enumerate(names):
                if name:
                    self.lines.setdefault(name, (b, off))
        self.set_live(True)

    def set_live(self, live):
        write(os.path.join(self.dir, 'live'), '1' if live else '0')
        self.live = live
        if live:
            dev = read(os.path.join(self.dir, 'dev_name'))
            self.chips = [read(os.path.join(self.dir, 'bank%d' % b, 'chip_name'))
                          for b in range(len(self.banks))]
            self.sysfs = [os.path.join('/sys/devices/platform', dev, c) for c in self.chips]

    def attr(self, name, what):
        b, off = self.lines[name]
        return os.path.join(self.sysfs[b], 'sim_gpio%d' % off, what)

    def value(self, name):
        """The line's level as the outside world sees it: 0 or 1."""
        return int(read(self.attr(name, 'value')))

    def pull(self, name, up):
        write(self.attr(name, 'pull'), 'pull-up' if up else 'pull-down')

    def remove(self):
        if not os.path.isdir(self.dir):
            return
        if self.live:
            self.set_live(False)
        for root, dirs, _ in os.walk(self.dir, topdown=False):
            for d in dirs:
                os.rmdir(os.path.join(root, d))
        os.rmdir(self.dir)


class Chips:
    """Chips laid out as @banks, each on a gpio-sim device of its own, so
    that one can go away while the others stay."""

    def __init__(self, banks, label='chaird-vm'):
        self.devs = []
        try:
            for names in banks:
                self.devs.append(GpioSim([names], label))
        except BaseException:
            self.remove()
            raise
        self.banks = banks
        self.lines = {}
        for i, names in enumerate(banks):
            for off, name in enumerate(names):
                if name:
                    self.lines.setdefault(name, (i, off))

    @property
    def chips(self):
        return [d.chips[0] for d in self.devs]

    def attr(self, name, what):
        return self.devs[self.lines[name][0]].attr(name, what)

    def value(self, name):
        return self.devs[self.lines[name][0]].value(name)

    def pull(self, name, up):
        self.devs[self.lines[name][0]].pull(name, up)

    def remove(self):
        for d in self.devs:
            d.remove()


def new_bus(test):
    """A private session bus that @test closes when it ends."""
    bus = Bus()

    def close():
        bus.close()
        bus.proc.stdout.close()
    test.addCleanup(close)
    return bus


def example_map():
    """data/chaird.conf, parsed just enough: [(section kind, part, chip, offset)]
    for every line, plus the text itself."""
    with open(EXAMPLE_MAP) as f:
        text = f.read()
    lines = []
    kind = part = None
    for ln in text.splitlines():
        m = re.match(r'\s*\[(\w+)\s+([\w-]+)\]', ln)
        if m:
            kind, part = m.group(1), m.group(2)
            continue
        m = re.match(r'\s*line\s*=\s*(gpiochip\d+)\s+(\d+)', ln)
        if m and kind in ('input', 'output'):
            lines.append((kind, part, m.group(1), int(m.group(2))))
    return lines, text


def board_map(tmpdir, mm_per_pulse=2.0):
    """The example map with every line given by its name instead of CHIP
    OFFSET, bias, debounce and active-low as they are, no PWM (the VM has no
    PWM chip), and heater sensors in @tmpdir. Returns (path, banks) where banks
    lays out the simulated chips as the example numbers them."""
    lines, text = example_map()
    out = []
    for ln in text.splitlines():
        if re.match(r'\s*pwm(-period-ns)?\s*=', ln):
            continue
        m = re.match(r'(\s*line\s*=\s*)gpiochip\d+\s+\d+', ln)
        if m:
            ln = None
        if re.match(r'\s*mm-per-pulse\s*=', ln or ''):
            ln = 'mm-per-pulse = %g' % mm_per_pulse
        m = re.match(r'\s*sensor\s*=', ln or '')
        if m:
            ln = None
        if ln is not None:
            out.append(ln)
        sec = re.match(r'\s*\[(\w+)\s+([\w-]+)\]', ln or '')
        if sec and sec.group(1) in ('input', 'output'):
            out.append('line = ' + line_name(sec.group(2)))
        elif sec and sec.group(1) == 'heater':
            path = os.path.join(tmpdir, 'temp-' + sec.group(2))
            write(path, '30000\n')
            out.append('sensor = ' + path)
    chips = sorted({c for _, _, c, _ in lines}, key=lambda c: int(c[8:]))
    banks = []
    for c in chips:
        n = max(off for _, _, cc, off in lines if cc == c) + 1
        names = [None] * n
        for _, part, cc, off in lines:
            if cc == c:
                names[off] = line_name(part)
        banks.append(names)
    path = os.path.join(tmpdir, 'chaird.conf')
    write(path, '\n'.join(out) + '\n')
    return path, banks, [p for k, p, _, _ in lines if k == 'output'], \
        [p for k, p, _, _ in lines if k == 'input']


class World(threading.Thread):
    """What surrounds the chips: the roller carriage on its track, which
    moves while walk-up or walk-down is driven and pulses the encoder once
    per mm_per_pulse of travel, and closes a limit switch at either end; the
    stop button, the seat and the depth home switch.

    Active-low switches with a pull-up close by pulling the line low: on
    gpio-sim, the line's pull stands for the outside world's level."""

    def __init__(self, sim, track_mm=720.0, speed_mm_s=60.0, mm_per_pulse=2.0):
        super().__init__(daemon=True)
        self.sim = sim
        self.track = track_mm
        self.speed = speed_mm_s
        self.mm_per_pulse = mm_per_pulse
        self.pos = 0.0
        self.pulses = 0
        self.seen = {'walk-up': False, 'walk-down': False}
        self.force_top = False
        self.top_pressed_at = None
        self.violations = []  # (what, seconds the walk stayed on against a closed switch)
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.seated = True
        self.estop = False
        self.error = None

    # The levels each input should show, given the world's state.
    def levels(self):
        return {
            'estop': self.estop,              # pressed (or a broken wire): high
            'seat': self.seated,              # occupied: high
            'walk-top': not self.top(),       # active-low: closed pulls it low
            'walk-bottom': not self.bottom(),
            'depth-home': False,              # the depth head rests at home
            'shoulder': False,
            'motor-fault': True,              # active-low: no fault
            'walk-encoder': False,
        }

    def top(self):
        return self.force_top or self.pos >= self.track

    def bottom(self):
        return self.pos <= 0.0

    def apply(self):
        """Sets every input's pull to the world's level. Call it again after
        chaird has requested its lines: the bias it asks for moves the same
        knob."""
        with self.lock:
            for name, level in self.levels().items():
                self.sim.pull(line_name(name), level)

    def press_estop(self, pressed):
        with self.lock:
            self.estop = pressed
            self.sim.pull(line_name('estop'), pressed)

    def set_seated(self, seated):
        with self.lock:
            self.seated = seated
            self.sim.pull(line_name('seat'), seated)

    def set_force_top(self, on):
        with self.lock:
            self.force_top = on
            self.top_pressed_at = time.monotonic() if on else None
            self.sim.pull(line_name('walk-top'), not self.top())

    def run(self):
        try:
            self._run()
        except Exception as e:  # reported by the test that owns the world
            self.error = e

    def _run(self):
        last = time.monotonic()
        travel = 0.0
        closed_since = {}
        while not self.stop_flag.is_set():
            time.sleep(0.004)
            now = time.monotonic()
            dt, last = now - last, now
            try:
                up = self.sim.value(line_name('walk-up')) == 1
                down = self.sim.value(line_name('walk-down')) == 1
            except OSError:  # the chip went away
                continue
            with self.lock:
                for what, on in (('walk-up', up), ('walk-down', down)):
                    self.seen[what] |= on
                # A walk driven against its closed switch: how long it stays.
                for what, on, closed in (('walk-up', up, self.top()),
                                         ('walk-down', down, self.bottom())):
                    if on and closed:
                        closed_since.setdefault(what, now)
                    elif what in closed_since:
                        self.violations.append((what, now - closed_since.pop(what)))
                was_top, was_bottom = self.top(), self.bottom()
                step = 0.0
                if up and not self.top():
                    step = min(self.speed * dt, self.track - self.pos)
                elif down and not self.bottom():
                    step = -min(self.speed * dt, self.pos)
                self.pos += step
                travel += abs(step)
                while travel >= self.mm_per_pulse:
                    travel -= self.mm_per_pulse
                    self.sim.pull(line_name('walk-encoder'), True)
                    self.sim.pull(line_name('walk-encoder'), False)
                    self.pulses += 1
                if self.top() != was_top:
                    self.sim.pull(line_name('walk-top'), not self.top())
                if self.bottom() != was_bottom:
                    self.sim.pull(line_name('walk-bottom'), not self.bottom())

    def stop(self):
        self.stop_flag.set()
        self.join(5)
        if self.error:
            raise self.error


class Daemon:
    """The real chaird on gpio-sim, on a private bus."""

    def __init__(self, bus, config, extra=()):
        self.bus = bus
        self.log_path = os.path.join(bus.dir, 'chaird-%d.log' % time.monotonic_ns())
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [CHAIRD, '--session', '--config', config, '--programs', PROGRAMS] + list(extra),
            env=bus.env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_name(self, timeout=30):
        r = self.run(['gdbus', 'wait', '--session', '--timeout', str(timeout), NAME])
        if r.returncode != 0:
            raise AssertionError('chaird did not take its name: ' + self.read_log())

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def run(self, argv):
        return subprocess.run(argv, env=self.bus.env, capture_output=True, text=True,
                              timeout=60)

    def call(self, method, sig='', *args):
        """Calls a method; returns (ok, error text)."""
        argv = ['busctl', '--user', 'call', NAME, PATH, IFACE, method]
        if sig:
            argv += [sig] + [str(a) for a in args]
        r = self.run(argv)
        return r.returncode == 0, r.stderr.strip()

    def must(self, method, sig='', *args):
        ok, err = self.call(method, sig, *args)
        if not ok:
            raise AssertionError('%s failed: %s\n%s' % (method, err, self.read_log()))

    def get(self, prop):
        r = self.run(['busctl', '--user', '--json=short', 'get-property', NAME, PATH, IFACE,
                      prop])
        if r.returncode != 0:
            raise AssertionError('get %s failed: %s' % (prop, r.stderr.strip()))
        return json.loads(r.stdout)['data']

    def state(self):
        return self.get('State')

    def faults(self):
        return self.get('Faults')

    def wait_state(self, state, timeout=20.0):
        wait_until(lambda: self.state() == state, timeout,
                   'State %s (now %s, faults %s)' % (state, self.state(), self.faults()))

    def cpu_seconds(self):
        """The user and system time chaird has used so far."""
        fields = read('/proc/%d/stat' % self.proc.pid).rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def stop(self, sig=15, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode
