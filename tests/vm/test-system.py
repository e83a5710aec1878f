#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The installed service under a real systemd: the test VM boots systemd as
PID 1 (tools/vm-run --systemd), installs chaird there with `meson install`,
and runs chaird.service on gpio-sim chips named as the map in /etc/chaird
says.

Run from meson's `system` suite. Outside the VM it prepares a build
configured as a board's (--prefix=/usr --sysconfdir=/etc) next to the test
build, then boots the VM with this file as its command."""

import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vmchair import (BUILD, SRC, Chips, World, board_map, line_name, wait_until)  # noqa: E402

FIGURES = {}
NAME = 'org.chaird.Chair1'
OBJ = '/org/chaird/Chair1'
STATE_DIR = '/run/chaird-vm'


def sh(*argv, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)
    if check and r.returncode != 0:
        raise AssertionError('%s failed (%d): %s%s' % (' '.join(argv), r.returncode, r.stdout,
                                                       r.stderr))
    return r


def busctl(*args, check=True):
    return sh('busctl', '--system', *args, check=check)


def prop(name):
    return json.loads(busctl('--json=short', 'get-property', NAME, OBJ, NAME, name).stdout)['data']


def unit(prop_name):
    return sh('systemctl', 'show', '-P', prop_name, 'chaird.service').stdout.strip()


class System(unittest.TestCase):
    """One installed system for every test, in order."""

    @classmethod
    def setUpClass(cls):
        sysbuild = os.environ['CHAIRD_SYSTEM_BUILD_DIR']
        sh('meson', 'install', '-C', sysbuild, '--no-rebuild', '--quiet')
        sh('systemd-sysusers')
        os.makedirs(STATE_DIR, exist_ok=True)
        config, banks, cls.outputs, _ = board_map(STATE_DIR)
        os.makedirs('/etc/chaird', exist_ok=True)
        shutil.copy(config, '/etc/chaird/chaird.conf')
        for f in os.listdir(STATE_DIR):
            os.chmod(os.path.join(STATE_DIR, f), 0o644)
        cls.sim = Chips(banks)
        cls.world = World(cls.sim)
        cls.world.apply()
        sh('udevadm', 'control', '--reload')
        sh('udevadm', 'trigger', '--subsystem-match=gpio', '--action=add')
        sh('udevadm', 'settle', '--timeout=60')
        sh('systemctl', 'daemon-reload')
        # As docs/deployment.md says: enabling makes the alias
        # dbus-org.chaird.Chair1.service that D-Bus activation starts.
        sh('systemctl', 'enable', 'chaird')
        busctl('call', 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
               'ReloadConfig')

    @classmethod
    def tearDownClass(cls):
        sh('systemctl', 'stop', 'chaird', check=False)
        cls.sim.remove()

    def outputs_off(self):
        return all(self.sim.value(line_name(o)) == 0 for o in self.outputs)

    def settle_world(self):
        """chaird's bias requests moved gpio-sim's pulls: put the world back,
        and clear the e-stop that latched meanwhile."""
        self.world.apply()
        if prop('State') == 'emergency-stop':
            busctl('call', NAME, OBJ, NAME, 'Reset')
        wait_until(lambda: prop('State') == 'idle', 20, 'State idle')

    def test_1_users_and_udev(self):
        """sysusers made the users; udev gave the chips to group gpio."""
        self.assertIn('gpio', [g.gr_name for g in grp.getgrall()
                               if 'chaird' in g.gr_mem])
        grp.getgrnam('chair')
        gpio = grp.getgrnam('gpio').gr_gid
        pwd.getpwnam('chaird')
        for chip in self.sim.chips:
            st = os.stat('/dev/' + chip)
            self.assertEqual(st.st_gid, gpio, '/dev/%s is not in group gpio' % chip)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)

    def test_2_start(self):
        """systemctl start reaches active through Type=notify; the journal
        has the daemon's own lines with their priorities."""
        t0 = time.monotonic()
        sh('systemctl', 'start', 'chaird')
        FIGURES['systemctl start chaird (s)'] = time.monotonic() - t0
        self.assertEqual(unit('ActiveState'), 'active')
        self.assertEqual(unit('StatusText') != '', True)
        self.settle_world()
        r = sh('journalctl', '-u', 'chaird', '-o', 'json', '--no-pager')
        entries = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
        mine = [e for e in entries if e.get('_COMM') == 'chaird' or
                e.get('SYSLOG_IDENTIFIER') == 'chaird']
        self.assertTrue(mine, r.stdout[-2000:])
        self.assertTrue(all('PRIORITY' in e for e in mine))
        status = sh('systemctl', 'status', '--no-pager', '-n', '20', 'chaird', check=False).stdout
        self.assertIn('active (running)', status)

    def test_3_device_policy(self):
        """The unit's device policy holds at run time: in chaird's cgroup,
        even root opens a GPIO chip but no other device."""
        cgroup = '/sys/fs/cgroup/system.slice/chaird.service'
        probe = ('import os\n'
                 'open("%s/cgroup.procs", "w").write(str(os.getpid()))\n'
                 'os.close(os.open("/dev/%s", os.O_RDWR))\n'
                 'try:\n'
                 '    os.close(os.open("/dev/ttyS0", os.O_RDWR | os.O_NOCTTY))\n'
                 '    print("ttyS0 opened")\n'
                 'except PermissionError:\n'
                 '    print("ttyS0 refused")\n' % (cgroup, self.sim.chips[0]))
        r = sh(sys.executable, '-c', probe)
        self.assertEqual(r.stdout.strip(), 'ttyS0 refused')

    def test_4_kill9(self):
        """kill -9 in a session: every line reads 0, ExecStopPost runs
        chaird --safe-state, and Restart= brings chaird back idle."""
        busctl('call', NAME, OBJ, NAME, 'Start', 'sa{sv}', 'energize', '0')
        self.world.start()
        wait_until(lambda: not self.outputs_off(), 60, 'an output driven')
        pid = int(unit('MainPID'))
        t0 = time.monotonic()
        os.kill(pid, 9)
        wait_until(self.outputs_off, 10, 'every output off')
        FIGURES['kill -9 to every output line 0 (ms)'] = (time.monotonic() - t0) * 1000
        wait_until(lambda: unit('ActiveState') == 'active' and unit('MainPID') not in ('0', str(pid)),
                   60, 'chaird restarted')
        FIGURES['kill -9 to active again (s)'] = time.monotonic() - t0
        log = sh('journalctl', '-u', 'chaird', '--no-pager', '-o', 'cat').stdout
        self.assertIn('outputs driven safe', log)
        self.settle_world()
        end = time.monotonic() + 2
        while time.monotonic() < end:
            self.assertTrue(self.outputs_off(), 'an output on after the restart')
        self.assertEqual(prop('State'), 'idle')

    def test_5_activation(self):
        """The first call to org.chaird.Chair1 starts it by D-Bus activation,
        and the policy holds with real users: a member of group chair
        starts a session with chairctl; a stranger cannot, but can stop it."""
        sh('systemctl', 'stop', 'chaird')
        self.assertEqual(unit('ActiveState'), 'inactive')
        busctl('call', NAME, OBJ, 'org.freedesktop.DBus.Peer', 'Ping')
        self.assertEqual(unit('ActiveState'), 'active')
        self.settle_world()
        sh('useradd', '-m', '-G', 'chair', 'alice')
        sh('useradd', '-m', 'bob')
        r = sh('runuser', '-u', 'bob', '--', 'chairctl', 'start', '--program', 'energize',
               check=False)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn('Rejected send message', r.stderr)
        sh('runuser', '-u', 'alice', '--', 'chairctl', 'start', '--program', 'energize')
        wait_until(lambda: prop('State') == 'running', 20, 'State running')
        sh('runuser', '-u', 'bob', '--', 'chairctl', 'stop')
        try:
            wait_until(lambda: prop('State') == 'idle', 60, 'State idle after bob stopped it')
        except AssertionError as e:
            raise AssertionError('%s; State %s, Faults %s, carriage at %.0f mm\n%s' % (
                e, prop('State'), prop('Faults'), self.world.pos,
                sh('journalctl', '-u', 'chaird', '--no-pager', '-n', '30').stdout))


    def test_6_watchdog(self):
        """A hung daemon (SIGSTOP) in a session: the watchdog fires, systemd
        kills and restarts it, and the lines end up off."""
        self.settle_world()
        busctl('call', NAME, OBJ, NAME, 'Start', 'sa{sv}', 'energize', '0')
        try:
            wait_until(lambda: not self.outputs_off(), 60, 'an output driven')
        except AssertionError as e:
            raise AssertionError('%s; State %s, Faults %s\n%s' % (
                e, prop('State'), prop('Faults'),
                sh('journalctl', '-u', 'chaird', '--no-pager', '-n', '30').stdout))
        pid = int(unit('MainPID'))
        restarts = int(unit('NRestarts'))
        t0 = time.monotonic()
        os.kill(pid, 19)  # SIGSTOP
        wait_until(self.outputs_off, 60, 'every output off after the watchdog')
        FIGURES['SIGSTOP to every output line 0 (s)'] = time.monotonic() - t0
        wait_until(lambda: int(unit('NRestarts')) > restarts and unit('ActiveState') == 'active',
                   60, 'chaird restarted by the watchdog')
        # systemd's own account (it logs through the kernel's log here).
        log = sh('journalctl', '-b', '--no-pager', '-o', 'cat').stdout
        self.assertIn('chaird.service: Watchdog timeout', log)
        self.settle_world()
        self.assertEqual(prop('State'), 'idle')


def in_vm():
    t0 = time.monotonic()
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False, verbosity=2)
    r = prog.result
    for k, v in FIGURES.items():
        print('figure: %s: %.2f' % (k, v))
    print('figure: the system tests took %.1f s in the guest' % (time.monotonic() - t0))
    failed = len(r.failures) + len(r.errors)
    print('%d passed, %d failed, %d skipped' % (max(0, r.testsRun - failed - len(r.skipped)), failed,
                                                len(r.skipped)))
    sys.exit(0 if r.wasSuccessful() else 1)


def host():
    """Build the tree as a board would install it, then run this file in
    the VM under systemd."""
    sysbuild = os.path.join(os.path.abspath(BUILD), 'vm-system')
    if not os.path.exists(os.path.join(sysbuild, 'build.ninja')):
        subprocess.run(['meson', 'setup', sysbuild, SRC, '--prefix=/usr', '--sysconfdir=/etc',
                        '--localstatedir=/var', '-Dtests=disabled', '-Dpanel=disabled'],
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['meson', 'compile', '-C', sysbuild], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, CHAIRD_SYSTEM_BUILD_DIR=sysbuild)
    vm_run = os.path.join(SRC, 'tools', 'vm-run')
    r = subprocess.run([vm_run, '--systemd', '--timeout', '1200', '--', sys.executable,
                        os.path.abspath(__file__), '--in-vm'] + sys.argv[1:], env=env)
    sys.exit(r.returncode)


if __name__ == '__main__':
    if sys.argv[1:2] == ['--in-vm']:
        in_vm()
    else:
        host()
