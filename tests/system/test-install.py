#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""meson install lays out exactly the files of a complete system service,
and the unit passes systemd-analyze verify and security."""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'integration'))
from systemtest import install, install_dirs, staged  # noqa: E402
from chairtest import main  # noqa: E402

PROGRAMS = ['craniosacral', 'deep-tissue', 'energize', 'hot-stone', 'lower-back',
            'myofascial-release', 'relax', 'shiatsu', 'sports', 'swedish', 'trigger-point']


class TestInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = install()
        cls.dirs = install_dirs()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def test_exact_file_list(self):
        d = self.dirs
        want = {
            d['sbindir'] + '/chaird',
            d['bindir'] + '/chairctl',
            d['datadir'] + '/chaird/chaird.conf',
            d['dbus_interfaces'] + '/org.chaird.Chair1.xml',
            d['dbus_policydir'] + '/org.chaird.Chair1.conf',
            d['dbus_system_services'] + '/org.chaird.Chair1.service',
            d['unitdir'] + '/chaird.service',
            d['sysusersdir'] + '/chaird.conf',
            d['udevrulesdir'] + '/60-chaird-gpio.rules',
            d['udevrulesdir'] + '/60-chaird-pwm.rules',
            d['sysconfdir'] + '/chaird/programs.d/',
            d['bashcompletiondir'] + '/chairctl',
        }
        want |= {d['datadir'] + '/chaird/programs/%s.program' % p for p in PROGRAMS}
        want |= {d['datadir'] + '/doc/chaird/%s.md' % p
                 for p in ('api', 'programs', 'porting', 'deployment', 'performance', 'panel')}
        want |= {d['mandir'] + '/' + p for p in ('man8/chaird.8', 'man1/chairctl.1',
                                                 'man5/chaird.conf.5', 'man5/chaird.program.5')}
        if d['panel'] == 'yes':
            want |= {d['bindir'] + '/chair-panel',
                     d['unitdir'] + '/chair-panel.service',
                     d['sysusersdir'] + '/chair-panel.conf',
                     d['datadir'] + '/applications/org.chaird.Panel.desktop',
                     d['mandir'] + '/man1/chair-panel.1'}
        if d['preview'] == 'yes':
            want |= {d['bindir'] + '/chair-preview', d['mandir'] + '/man1/chair-preview.1'}
            want |= {d['datadir'] + '/doc/chaird/programs/%s.png' % p for p in PROGRAMS}
        have = set()
        for root, dirs, files in os.walk(self.dest):
            rel = '/' + os.path.relpath(root, self.dest)
            for f in files:
                have.add(os.path.normpath(rel + '/' + f))
            if not dirs and not files:
                have.add(os.path.normpath(rel) + '/')
        self.assertEqual(sorted(have), sorted(want))
        self.assertTrue(os.access(staged(self.dest, d['sbindir'] + '/chaird'), os.X_OK))

    def test_unit_contents(self):
        with open(staged(self.dest, self.dirs['unitdir'] + '/chaird.service')) as f:
            unit = f.read()
        for line in ('Type=notify', 'BusName=org.chaird.Chair1', 'WatchdogSec=5s',
                     'ExecStopPost=%s/chaird --safe-state' % self.dirs['sbindir'],
                     'ExecStart=%s/chaird' % self.dirs['sbindir'],
                     'Restart=on-failure', 'User=chaird', 'SupplementaryGroups=gpio',
                     'DevicePolicy=closed', 'DeviceAllow=char-gpiochip rw',
                     'Alias=dbus-org.chaird.Chair1.service'):
            self.assertIn('\n' + line + '\n', unit)
        self.assertNotRegex(unit, r'\nPrivateDevices=')
        with open(staged(self.dest, self.dirs['dbus_system_services'] + '/org.chaird.Chair1.service')) as f:
            self.assertIn('SystemdService=dbus-org.chaird.Chair1.service', f.read())
        with open(staged(self.dest, self.dirs['sysusersdir'] + '/chaird.conf')) as f:
            users = f.read()
        for line in ('g chair - -', 'm chaird gpio'):
            self.assertIn(line, users)
        self.assertRegex(users, r'\nu chaird - ')

    def test_verify(self):
        """systemd-analyze verify, with the binaries taken from the staging tree."""
        unit = staged(self.dest, self.dirs['unitdir'] + '/chaird.service')
        copy = os.path.join(self.dest, 'verify', 'chaird.service')
        os.makedirs(os.path.dirname(copy))
        sbin = self.dirs['sbindir']
        with open(unit) as f, open(copy, 'w') as g:
            g.write(f.read().replace(sbin + '/chaird', staged(self.dest, sbin + '/chaird')))
        r = subprocess.run(['systemd-analyze', 'verify', '--man=no', copy],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        # verify exits 0 on warnings too: it must say nothing at all.
        self.assertEqual(r.stdout + r.stderr, '')

    def test_panel_unit(self):
        if self.dirs['panel'] != 'yes':
            self.skipTest('built without the panel')
        with open(staged(self.dest, self.dirs['unitdir'] + '/chair-panel.service')) as f:
            unit = f.read()
        self.assertIn('\nExecStart=/usr/bin/cage -d -- %s/chair-panel\n' % self.dirs['bindir'], unit)
        self.assertIn('\nUser=chair-panel\n', unit)
        self.assertIn('\nSupplementaryGroups=chair\n', unit)
        with open(staged(self.dest, self.dirs['sysusersdir'] + '/chair-panel.conf')) as f:
            self.assertIn('m chair-panel chair', f.read())

    def test_security(self):
        unit = staged(self.dest, self.dirs['unitdir'] + '/chaird.service')
        r = subprocess.run(['systemd-analyze', 'security', '--offline=yes', '--threshold=15',
                            '--root=' + self.dest, '/' + os.path.relpath(unit, self.dest)],
                           capture_output=True, text=True)
        m = re.search(r'Overall exposure level for chaird.service: ([0-9.]+)', r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        print('# exposure %s' % m.group(1))
        self.assertEqual(r.returncode, 0, r.stdout[-2000:])
        self.assertLessEqual(float(m.group(1)), 1.5)


if __name__ == '__main__':
    main()
