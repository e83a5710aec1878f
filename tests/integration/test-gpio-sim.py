#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chaird on a real (simulated) GPIO chip: gpio-sim, the kernel module,
with named lines. It runs chaird with a map, starts a session, pulls the
e-stop line, and reads the outputs back from the chip. Needs root and the
gpio-sim module; exits 77 (skipped) where either is missing."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import CHAIRD, PROGRAMS, Bus, NAME, PATH, IFACE, wait_until  # noqa: E402

CONFIGFS = '/sys/kernel/config/gpio-sim'
OUTPUTS = ['walk-up', 'walk-down', 'knead-cw', 'knead-ccw', 'tap', 'depth-in', 'depth-out',
           'vibrate-seat']
INPUTS = ['estop', 'walk-top', 'walk-bottom', 'walk-encoder', 'depth-home', 'seat']


def skip(why):
    print('SKIP: ' + why)
    sys.exit(77)


def write(path, value):
    with open(path, 'w') as f:
        f.write(value)


def read(path):
    with open(path) as f:
        return f.read().strip()


def main():
    if os.geteuid() != 0:
        skip('needs root')
    if not os.path.isdir(CONFIGFS):
        for argv in (['modprobe', 'gpio-sim'],
                     ['mount', '-t', 'configfs', 'none', '/sys/kernel/config']):
            try:
                subprocess.run(argv, capture_output=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
    if not os.path.isdir(CONFIGFS):
        skip('the gpio-sim module is not available on this kernel')

    dev = os.path.join(CONFIGFS, 'chaird-test-%d' % os.getpid())
    lines = OUTPUTS + INPUTS
    os.mkdir(dev)
    bus = chaird = None
    try:
        bank = os.path.join(dev, 'bank0')
        os.mkdir(bank)
        write(os.path.join(bank, 'num_lines'), str(len(lines)))
        for i, name in enumerate(lines):
            os.mkdir(os.path.join(bank, 'line%d' % i))
            write(os.path.join(bank, 'line%d' % i, 'name'), 'CHAIR_' + name.upper().replace('-', '_'))
        write(os.path.join(dev, 'live'), '1')
        chip = read(os.path.join(bank, 'chip_name'))
        sysfs = os.path.join('/sys/devices/platform', read(os.path.join(dev, 'dev_name')), chip)

        def pull(name, up):
            write(os.path.join(sysfs, 'sim_gpio%d' % lines.index(name), 'pull'),
                  'pull-up' if up else 'pull-down')

        def value(name):
            return read(os.path.join(sysfs, 'sim_gpio%d' % lines.index(name), 'value'))

        # The resting state: seated, carriage at the bottom, depth home.
        for name in INPUTS:
            pull(name, name in ('seat', 'walk-bottom', 'depth-home'))

        bus = Bus()
        conf = os.path.join(bus.dir, 'chaird.conf')
        with open(conf, 'w') as f:
            for name in OUTPUTS:
                f.write('[output %s]\nline = CHAIR_%s\n' % (name, name.upper().replace('-', '_')))
            for name in INPUTS:
                f.write('[input %s]\nline = CHAIR_%s\n' % (name, name.upper().replace('-', '_')))
        chaird = subprocess.Popen([CHAIRD, '--session', '--config', conf, '--programs', PROGRAMS],
                                  env=bus.env)
        r = subprocess.run(['gdbus', 'wait', '--session', '--timeout', '10', NAME], env=bus.env)
        assert r.returncode == 0, 'chaird did not start on gpio-sim'
        subprocess.run(['busctl', '--user', 'call', NAME, PATH, IFACE, 'Start', 'sa{sv}',
                        'energize', '0'], env=bus.env, check=True)
        wait_until(lambda: any(value(o) == '1' for o in OUTPUTS), 20, 'an output driven')
        pull('estop', True)
        wait_until(lambda: all(value(o) == '0' for o in OUTPUTS), 2, 'every output off')
        state = subprocess.run(['busctl', '--user', 'get-property', NAME, PATH, IFACE, 'State'],
                               env=bus.env, capture_output=True, text=True).stdout.strip()
        assert state == 's "emergency-stop"', state
        time.sleep(0.5)
        assert all(value(o) == '0' for o in OUTPUTS), 'an output came back on'
        chaird.terminate()
        assert chaird.wait(10) == 0
        print('1 passed, 0 failed')
    finally:
        if chaird and chaird.poll() is None:
            chaird.kill()
        if bus:
            bus.close()
        if os.path.exists(os.path.join(dev, 'live')):
            write(os.path.join(dev, 'live'), '0')
        for root, dirs, files in os.walk(dev, topdown=False):
            for d in dirs:
                os.rmdir(os.path.join(root, d))
        os.rmdir(dev)


if __name__ == '__main__':
    main()
