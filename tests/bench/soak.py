#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The soak benchmark: back-to-back sessions of every program with random
valid options, at a high time scale, for at least SOAK_HOURS (default 24)
hours of chair time. It reports the sessions run, any session that did not
end on time, the faults, and chaird's VmRSS and open fds sampled through the
run. It prints figures; it never passes or fails on them, except that the
daemon must survive (the harness's crash and sanitizer checks hold here too).

Environment: SOAK_HOURS (chair hours, default 24), SOAK_SCALE (default
1000), SOAK_SEED."""

import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'integration'))
from chairtest import Bus, Chair, check_daemons, wait_until  # noqa: E402

ZONES = ['neck', 'shoulders', 'upper-back', 'mid-back', 'lower-back', 'sacrum']
AIR = ['arms', 'hips', 'calves', 'feet']
CONDITIONS = ['nerve-pain', 'inflammation', 'pregnancy', 'arthritis', 'recent-injury']
USEC_PER_MIN = 60 * 1000000


def status(pid, key):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def random_options(rng):
    """busctl arguments for a{sv}: valid values, in random combinations."""
    opts = {'duration_usec': ('t', rng.randint(5, 30) * USEC_PER_MIN),
            'intensity': ('u', rng.randint(1, 5)),
            'heat': ('u', rng.randint(0, 3))}
    avoid = rng.sample(ZONES + AIR, rng.randint(0, 2))
    if rng.random() < 0.5:
        focus = rng.choice([z for z in ZONES if z not in avoid])
        opts['focus'] = ('s', focus)
    if rng.random() < 0.3:
        conds = rng.sample(CONDITIONS, rng.randint(1, 2))
        if any(c in ('inflammation', 'recent-injury') for c in conds) and not avoid:
            avoid = [rng.choice([z for z in ZONES if opts.get('focus', ('', ''))[1] != z])]
        opts['conditions'] = ('as', conds)
    if avoid:
        opts['avoid'] = ('as', avoid)
    args = [str(len(opts))]
    for k, (t, v) in opts.items():
        args += [k, t]
        args += [str(len(v))] + list(v) if t == 'as' else [str(v)]
    return opts, args


def main():
    hours = float(os.environ.get('SOAK_HOURS', '24'))
    scale = int(os.environ.get('SOAK_SCALE', '1000'))
    seed = int(os.environ.get('SOAK_SEED', str(random.randrange(1, 2 ** 31))))
    rng = random.Random(seed)
    bus = Bus()
    chair = Chair(bus, scale=scale)
    pid = chair.proc.pid
    programs = sorted(p[0] for p in chair.call('ListPrograms')[0])
    target = hours * 3600 * 1000000
    chair_time = 0
    sessions = refused = 0
    late = []
    faults = set()
    samples = [(0, 0.0, status(pid, 'VmRSS'), open_fds(pid))]
    t0 = time.monotonic()
    print('soak: seed %d, scale %dx, %g h of chair time, %d programs'
          % (seed, scale, hours, len(programs)))
    try:
        while chair_time < target:
            program = programs[sessions % len(programs)]
            opts, args = random_options(rng)
            r = chair.busctl('call', 'org.chaird.Chair1', '/org/chaird/Chair1',
                             'org.chaird.Chair1', 'Start', 'sa{sv}', program, *args)
            if r.returncode != 0:
                # A condition may rule the program out, or a focus clash with
                # what is avoided: that is the option check doing its job,
                # counted. The same program then runs with plain options.
                refused += 1
                opts = {'duration_usec': ('t', rng.randint(5, 30) * USEC_PER_MIN)}
                r = chair.busctl('call', 'org.chaird.Chair1', '/org/chaird/Chair1',
                                 'org.chaird.Chair1', 'Start', 'sa{sv}', program, '1',
                                 'duration_usec', 't', str(opts['duration_usec'][1]))
                if r.returncode != 0:
                    raise AssertionError('Start %s failed: %s' % (program, r.stderr))
            sessions += 1
            got = chair.wait_finished(sessions, timeout=3600)[sessions - 1]
            want = opts['duration_usec'][1]
            if got[0] != program or got[1] != 'completed' or got[2] != want:
                late.append((program, got, want))
            for f in chair.get('Faults'):
                faults.add(f)
            wait_until(lambda: chair.state() == 'idle', 60, 'idle after a session')
            chair_time += got[2]
            samples.append((sessions, chair_time / 3600e6, status(pid, 'VmRSS'), open_fds(pid)))
    finally:
        real = time.monotonic() - t0
        print('soak: %d sessions, %d refused by the option check, %.1f h of chair time in '
              '%.0f s' % (sessions, refused, chair_time / 3600e6, real))
        print('soak: sessions that did not end on time: %d' % len(late))
        for program, got, want in late[:10]:
            print('  %s: %s, wanted completed after %d us' % (program, got, want))
        print('soak: faults: %s' % (', '.join(sorted(faults)) or 'none'))
        step = max(1, len(samples) // 12)
        print('soak: %8s %8s %10s %6s' % ('session', 'chair h', 'VmRSS kB', 'fds'))
        for s in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
            print('soak: %8d %8.1f %10d %6d' % s)
        print('soak: VmHWM %d kB' % status(pid, 'VmHWM'))
        try:
            check_daemons()
        finally:
            bus.close()


if __name__ == '__main__':
    main()
