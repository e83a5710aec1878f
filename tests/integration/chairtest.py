# SPDX-License-Identifier: MIT
"""Runs the real chaird on a private bus, and drives it with the real
clients: chairctl, busctl and gdbus. Time comes from --time-scale, and every
wait is on a condition with a deadline."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BUILD = os.environ.get('CHAIRD_BUILD_DIR', 'build')
SRC = os.environ.get('CHAIRD_SOURCE_DIR', '.')
CHAIRD = os.path.join(BUILD, 'daemon', 'chaird')
CHAIRCTL = os.path.join(BUILD, 'clients', 'chairctl')
STOP_CLIENT = os.path.join(BUILD, 'tests', 'stop-client')
if os.environ.get('MESON_EXE_WRAPPER'):
    # A cross build: a launcher runs each program under the emulator meson names.
    def _emulated(path):
        launcher = os.path.join(BUILD, 'tests', 'emulated', os.path.basename(path))
        os.makedirs(os.path.dirname(launcher), exist_ok=True)
        with open(launcher + '.new', 'w') as f:
            f.write('#!/bin/sh\nexec $MESON_EXE_WRAPPER "%s" "$@"\n' % os.path.abspath(path))
        os.chmod(launcher + '.new', 0o755)
        os.replace(launcher + '.new', launcher)
        return launcher
    CHAIRD, CHAIRCTL, STOP_CLIENT = _emulated(CHAIRD), _emulated(CHAIRCTL), _emulated(STOP_CLIENT)
PROGRAMS = os.path.join(SRC, 'data', 'programs')

NAME = 'org.chaird.Chair1'
STOP_NAME = 'org.chaird.Stop1'
PATH = '/org/chaird/Chair1'
IFACE = 'org.chaird.Chair1'
SIM = 'org.chaird.Simulator1'


def wait_until(pred, timeout=10.0, what='condition'):
    """Polls @pred until it returns a true value, or fails at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.02)


class Bus:
    """A private session bus."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='chaird-test-')
        self.address = 'unix:path=%s/bus' % self.dir
        self.proc = subprocess.Popen(
            ['dbus-daemon', '--session', '--nofork', '--nopidfile',
             '--address=' + self.address, '--print-address=1'],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.proc.stdout.readline()  # it prints the address once it listens
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address,
                        CHAIRCTL_BUS='session')

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class CallMonitor:
    """dbus-monitor on @bus for the method calls named @member: the bus
    names they were sent to, in order."""

    def __init__(self, bus, member):
        self.member = member
        self.path = os.path.join(bus.dir, 'monitor-%s.txt' % member)
        self.out = open(self.path, 'w')
        self.proc = subprocess.Popen(['dbus-monitor', '--session',
                                      "type='method_call',member='%s'" % member],
                                     env=bus.env, stdout=self.out, stderr=subprocess.DEVNULL)
        # It prints its own NameAcquired once it is listening.
        wait_until(lambda: os.path.getsize(self.path) > 0, what='dbus-monitor')

    def destinations(self):
        with open(self.path) as f:
            return re.findall(r'^method call .* destination=(\S+) .*; member=%s$' % self.member,
                              f.read(), re.M)

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.out.close()


# --- crash and sanitizer detection -------------------------------------------
#
# Every chaird a test starts is checked when the test ends: it must not have
# died by a signal, must not have exited non-zero unless the test said it
# would (Chair.expected_exit), and its output must hold no sanitizer report.

SANITIZER_REPORT = re.compile(
    r'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|'
    r'SUMMARY: \w+Sanitizer|WARNING: \w+Sanitizer')

_chairs_started = []


def daemon_problems(chair):
    """What went wrong with one chaird, as sentences (empty: nothing)."""
    problems = []
    rc = chair.proc.poll()
    if rc is not None and rc < 0:
        problems.append('chaird was killed by signal %d (%s)'
                        % (-rc, signal.Signals(-rc).name))
    elif rc is not None and rc != chair.expected_exit:
        problems.append('chaird exited with status %d, expected %d' % (rc, chair.expected_exit))
    m = SANITIZER_REPORT.search(chair.read_log())
    if m:
        log = chair.read_log()
        problems.append('a sanitizer report in chaird\'s output:\n' + log[max(0, m.start() - 200):][:4000])
    return problems


def check_daemons():
    """Closes and checks every chaird started since the last check."""
    problems = []
    while _chairs_started:
        chair = _chairs_started.pop(0)
        chair.close()
        problems += daemon_problems(chair)
    if problems:
        raise AssertionError('\n'.join(problems))


class Chair:
    """chaird --sim --session on a bus, with its trace and a signal monitor."""

    # The exit status this chaird should end with; a test that makes it
    # exit otherwise (losing the bus) says so.
    expected_exit = 0

    def __init__(self, bus, scale=30, extra=(), prefix=()):
        _chairs_started.append(self)
        self.bus = bus
        self.trace_path = os.path.join(bus.dir, 'trace.jsonl')
        self.log_path = os.path.join(bus.dir, 'chaird.log')
        self.log = open(self.log_path, 'w')
        # A second program directory, for tests that add or break programs.
        self.extra_dir = os.path.join(bus.dir, 'programs.d')
        os.makedirs(self.extra_dir, exist_ok=True)
        # EmergencyStop() past the bus.
        self.stop_socket = os.path.join(bus.dir, 'stop')
        # prefix: a command that execs chaird (e.g. in its own namespace).
        self.proc = subprocess.Popen(
            list(prefix) + [CHAIRD, '--sim', '--session', '--time-scale', str(scale),
             '--programs', PROGRAMS, '--programs', self.extra_dir,
             '--trace', self.trace_path, '--stop-socket', self.stop_socket] + list(extra),
            env=bus.env, stdout=self.log, stderr=subprocess.STDOUT)
        r = self.run(['gdbus', 'wait', '--session', '--timeout', '10', NAME])
        if r.returncode != 0:
            raise AssertionError('chaird did not take its name: ' + self.read_log())
        # It listens there right after it takes its name.
        wait_until(lambda: 'stop socket' in self.read_log(), what='the stop socket')
        self.monitor_path = os.path.join(bus.dir, 'monitor.txt')
        self.monitor_out = open(self.monitor_path, 'w')
        self.monitor = subprocess.Popen(
            ['gdbus', 'monitor', '--session', '--dest', NAME, '--object-path', PATH],
            env=bus.env, stdout=self.monitor_out, stderr=subprocess.DEVNULL)
        # gdbus monitor prints a first line once it is subscribed.
        wait_until(lambda: os.path.getsize(self.monitor_path) > 0, what='gdbus monitor')

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def run(self, argv, **kw):
        return subprocess.run(argv, env=self.bus.env, capture_output=True, text=True,
                              timeout=60, **kw)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        monitor = getattr(self, 'monitor', None)
        if monitor and monitor.poll() is None:
            monitor.terminate()
            monitor.wait()
        if getattr(self, 'monitor_out', None):
            self.monitor_out.close()
        self.log.close()

    # --- busctl: typed calls and JSON results ---

    def busctl(self, *args):
        return self.run(['busctl', '--user', '--json=short'] + list(args))

    def call(self, method, sig='', *args, iface=IFACE):
        argv = ['call', NAME, PATH, iface, method]
        if sig:
            argv += [sig] + [str(a) for a in args]
        r = self.busctl(*argv)
        if r.returncode != 0:
            raise AssertionError('%s failed: %s' % (method, r.stderr.strip()))
        return json.loads(r.stdout)['data'] if r.stdout.strip() else None

    def get(self, prop, iface=IFACE):
        r = self.busctl('get-property', NAME, PATH, iface, prop)
        if r.returncode != 0:
            raise AssertionError('get %s failed: %s' % (prop, r.stderr.strip()))
        return json.loads(r.stdout)['data']

    def outputs(self):
        return self.get('Outputs', iface=SIM)

    def state(self):
        return self.get('State')

    def wait_state(self, state, timeout=20.0):
        wait_until(lambda: self.state() == state, timeout, 'State %s (now %s)' % (state, self.state()))

    # --- gdbus: error names as other clients see them ---

    def gdbus(self, method, *args, iface=IFACE):
        return self.run(['gdbus', 'call', '--session', '--dest', NAME, '--object-path', PATH,
                         '--method', '%s.%s' % (iface, method)] + list(args))

    def gdbus_error(self, method, *args, iface=IFACE):
        """Calls a method that must fail; returns (error name, message)."""
        r = self.gdbus(method, *args, iface=iface)
        if r.returncode == 0:
            raise AssertionError('%s(%.200s) succeeded: %s' % (method, args, r.stdout))
        m = re.search(r'GDBus\.Error:([\w.]+): (.*)', r.stderr, re.S)
        if not m:
            raise AssertionError('no D-Bus error in: ' + r.stderr)
        return m.group(1), m.group(2).strip()

    # --- chairctl ---

    def chairctl(self, *args):
        return self.run([CHAIRCTL] + list(args))

    # --- the trace and the signals ---

    def trace(self):
        with open(self.trace_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def finished(self):
        """The SessionFinished signals seen so far: [(program, reason, usec)]."""
        with open(self.monitor_path) as f:
            text = f.read()
        return [(m.group(1), m.group(2), int(m.group(3))) for m in re.finditer(
            r"SessionFinished \('([^']*)', '([^']*)', uint64 (\d+)\)", text)]

    def wait_finished(self, n=1, timeout=60.0):
        return wait_until(lambda: self.finished() if len(self.finished()) >= n else None,
                          timeout, 'SessionFinished')

    def alive(self):
        return self.proc.poll() is None and self.gdbus('Ping', iface='org.freedesktop.DBus.Peer').returncode == 0


class ChairTestCase(unittest.TestCase):
    scale = 30

    def setUp(self):
        self.bus = Bus()
        try:
            self.chair = Chair(self.bus, scale=self.scale)
        except BaseException:
            # tearDown does not run after a failed setUp: leave no bus or
            # daemon behind, and still say how the daemon ended.
            try:
                check_daemons()
            finally:
                self.bus.close()
            raise

    def tearDown(self):
        try:
            check_daemons()
        finally:
            self.bus.close()

    def start(self, program='swedish', **opts):
        sig = 'sa{sv}'
        args = [program, str(len(opts))]
        for k, (t, v) in opts.items():
            args += [k, t]
            if t == 'as':
                args += [str(len(v))] + list(v)
            else:
                args.append(str(v))
        self.chair.call('Start', sig, *args)


def main():
    loader = unittest.TestLoader()
    # CHAIRD_TESTS=pattern runs only the tests whose names contain it.
    if os.environ.get('CHAIRD_TESTS'):
        loader.testNamePatterns = ['*%s*' % os.environ['CHAIRD_TESTS']]
    suite = loader.loadTestsFromModule(sys.modules['__main__'])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    # A test can fail twice (its body, then the daemon check in tearDown).
    failed = len({id(t) for t, _ in result.failures + result.errors})
    skipped = len(result.skipped)
    print('%d passed, %d failed, %d skipped' % (result.testsRun - failed - skipped, failed, skipped))
    sys.exit(0 if result.wasSuccessful() else 1)
