#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Profiles and history through the real daemon and a real SQLite store:
save a profile, start with it, give feedback, end the session; History has
it, the next session learns from it and says why; and the store survives a
restart of the daemon."""

import json
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import Bus, Chair, ChairTestCase, main, wait_until  # noqa: E402


class TestProfiles(ChairTestCase):
    scale = 50

    def setUp(self):
        self.bus = Bus()
        self.state = os.path.join(self.bus.dir, 'state')
        os.makedirs(self.state)
        self.chair = Chair(self.bus, scale=self.scale, extra=('--state-dir', self.state))

    def busctl_json(self, *args):
        r = self.chair.busctl(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)['data'] if r.stdout.strip() else None

    def call(self, method, sig='', *args):
        return self.busctl_json('call', 'org.chaird.Chair1', '/org/chaird/Chair1',
                                'org.chaird.Chair1', method, *([sig] + list(args) if sig else []))

    def test_profile_session_history_learning(self):
        c = self.chair
        self.call('SaveProfile', 'sa{sv}', 'Ana', '3', 'program', 's', 'deep-tissue',
                  'intensity', 'u', '4', 'shoulder_mm', 'u', '600')
        profiles = self.call('ListProfiles')[0]
        self.assertEqual([p[0] for p in profiles], ['Ana'])
        self.assertEqual(profiles[0][1]['intensity']['data'], 4)
        # Bad names and programs are refused with a sentence.
        self.assertEqual(c.gdbus_error('SaveProfile', 'a/b', '{}')[0],
                         'org.freedesktop.DBus.Error.InvalidArgs')

        # The profile fills in what the caller did not give.
        self.start('', profile=('s', 'Ana'))
        self.assertEqual(c.get('Program'), 'deep-tissue')
        self.assertEqual(c.get('Intensity'), 4)
        self.assertEqual(c.get('Profile'), 'Ana')
        self.assertEqual(c.get('ShoulderMm'), 600)
        zone = wait_until(lambda: c.get('Zone') or None, 20, 'the roller on a zone')
        c.call('Feedback', 's', 'hurts-here')
        zone = [z for z in c.get('Avoid') if z in ('neck', 'shoulders', 'upper-back', 'mid-back',
                                                   'lower-back', 'sacrum')][0]
        # Twice too strong: the profile's intensity moves down a level.
        c.call('Feedback', 's', 'too-strong')
        c.call('Feedback', 's', 'too-strong')
        # Over two minutes of deep work: the next session is gentler.
        wait_until(lambda: c.get('ElapsedUSec') > 130 * 1000000, 30, 'two minutes of deep work')
        c.call('Stop')
        c.wait_finished()
        c.wait_state('idle')
        self.assertEqual(c.get('Profile'), '')

        hist = wait_until(lambda: self.call('History', 'a{sv}', '1', 'profile', 's', 'Ana')[0]
                          or None, 10, 'the session in History')
        self.assertEqual(hist[0]['program']['data'], 'deep-tissue')
        self.assertEqual(hist[0]['finished']['data'], 'stopped')
        self.assertTrue(any(e.endswith('hurts-here ' + zone) for e in hist[0]['events']['data']),
                        hist[0]['events']['data'])

        # The next recommendation for Ana reflects what was learned, and
        # says why: the zone that hurt is avoided, the intensity is lower
        # (too strong twice, and deep work within the day), and the program
        # is gentler than her usual deep-tissue.
        prog, opts, reasons = self.call('Recommend', 'a{sv}', '1', 'profile', 's', 'Ana')
        text = ' '.join(reasons)
        self.assertNotIn(prog, ('deep-tissue', 'trigger-point', ''), reasons)
        self.assertIn(zone, opts['avoid']['data'])
        self.assertIn('hurt, so', text)
        self.assertIn('tap to include', text)
        self.assertIn('"too strong" 2 times', text)
        self.assertIn('sore', text)
        self.assertIn('Your usual program is deep-tissue', text)
        # 4, one down for "too strong" twice, one down after deep work.
        self.assertEqual(opts['intensity']['data'], 2, reasons)
        # What the caller answers still decides: a firm pressure is kept.
        _, opts, _ = self.call('Recommend', 'a{sv}', '2', 'profile', 's', 'Ana',
                               'pressure', 's', 'firm')
        self.assertEqual(opts['intensity']['data'], 4)
        self.assertIn(zone, opts['avoid']['data'])
        # The same through chairctl.
        r = c.chairctl('recommend', '--profile', 'Ana')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('tap to include', r.stdout)
        line = [ln for ln in r.stdout.splitlines() if ln.strip().startswith('chairctl start')][0]
        self.assertIn('--profile Ana', line)
        self.assertIn('--avoid ' + zone, line)

        # Next time that zone is avoided, with the reason, and the chair is
        # gentler after deep work.
        self.start('', profile=('s', 'Ana'))
        self.assertIn(zone, c.get('Avoid'))
        adj = c.get('Adjustments')
        self.assertTrue(any('hurt' in a for a in adj), adj)
        self.assertLess(c.get('Intensity'), 4)
        c.call('Stop')
        c.wait_state('idle')

        # It is all still there after a restart.
        c.close()
        self.chair = Chair(self.bus, scale=self.scale, extra=('--state-dir', self.state))
        self.assertEqual([p[0] for p in self.call('ListProfiles')[0]], ['Ana'])
        self.assertEqual(len(self.call('History', 'a{sv}', '0')[0]), 2)
        self.call('DeleteProfile', 's', 'Ana')
        self.assertEqual(self.call('ListProfiles')[0], [])
        self.assertEqual(self.chair.gdbus_error('DeleteProfile', 'Ana')[0],
                         'org.freedesktop.DBus.Error.InvalidArgs')

    def test_chairctl_profiles(self):
        c = self.chair
        r = c.chairctl('profile', 'save', 'Bo', '--program', 'Relax', '--intensity', '2',
                       '--avoid', 'neck')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Saved profile Bo.', r.stdout)
        r = c.chairctl('profile', 'show', 'Bo')
        self.assertIn('relax', r.stdout)
        self.assertIn('neck', r.stdout)
        self.assertEqual(c.chairctl('profile', 'show', 'Nobody').returncode, 2)
        r = c.chairctl('start', '--profile', 'Bo')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.get('Program'), 'relax')
        self.assertEqual(c.get('Intensity'), 2)
        c.chairctl('feedback', 'too-soft')
        c.call('Stop')
        c.wait_state('idle')
        r = wait_until(lambda: (lambda x: x if 'too-soft' in x.stdout else None)(
            c.chairctl('history', '--profile', 'Bo')), 10, 'the session in chairctl history')
        self.assertIn('relax (Bo)', r.stdout)
        line = json.loads(c.chairctl('history', '--json').stdout.splitlines()[0])
        self.assertEqual(line['program'], 'relax')
        self.assertEqual(line['avoid'], ['neck'])
        self.assertIn('too-soft', line['events'][0])
        r = c.chairctl('profile', 'delete', 'Bo')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('No profiles yet', c.chairctl('profile', 'list').stdout)

    def test_unknown_profile(self):
        name, msg = self.chair.gdbus_error('Start', 'relax', "{'profile': <'Nobody'>}")
        self.assertEqual(name, 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn("There is no profile 'Nobody'", msg)
        name, msg = self.chair.gdbus_error('Recommend', "{'profile': <'Nobody'>}")
        self.assertEqual(name, 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn("There is no profile 'Nobody'", msg)
        r = self.chair.chairctl('recommend', '--profile', 'Nobody')
        # chairctl tells a bad argument (InvalidArgs) by exit status 2.
        self.assertEqual(r.returncode, 2)
        self.assertIn("There is no profile 'Nobody'", r.stderr)

    def test_unstartable_profile_is_refused(self):
        """A profile is saved only if Start could use it as it is."""
        c = self.chair
        name, msg = c.gdbus_error('SaveProfile', 'Ana', "{'conditions': <['inflammation']>}")
        self.assertEqual(name, 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn('needs at least one avoid zone', msg)
        name, msg = c.gdbus_error('SaveProfile', 'Ana', "{'program': <'deep-tissue'>, "
                                  "'conditions': <['nerve-pain']>}")
        self.assertEqual(name, 'org.chaird.Chair1.Error.Contraindicated')
        self.assertIn('not suitable with nerve pain', msg)
        self.assertEqual(c.call('ListProfiles'), [[]])
        # Said where, it is saved, and starts.
        self.assertEqual(c.gdbus('SaveProfile', 'Ana', "{'program': <'relax'>, "
                                 "'conditions': <['inflammation']>, "
                                 "'avoid': <['lower-back']>}").returncode, 0)
        self.assertEqual(c.gdbus('Start', '', "{'profile': <'Ana'>}").returncode, 0)
        c.call('Stop')

    def test_recommend_fills_from_profile(self):
        # A profile with no history: its settings fill in what the answers
        # leave open, and its limits stay.
        self.call('SaveProfile', 'sa{sv}', 'Cy', '4', 'program', 's', 'relax',
                  'duration_usec', 't', str(12 * 60 * 1000000), 'avoid', 'as', '1', 'neck',
                  'heat', 'u', '1')
        prog, opts, reasons = self.call('Recommend', 'a{sv}', '1', 'profile', 's', 'Cy')
        self.assertEqual(prog, 'relax', reasons)
        self.assertEqual(opts['duration_usec']['data'], 12 * 60 * 1000000)
        self.assertEqual(opts['heat']['data'], 1)
        self.assertIn('neck', opts['avoid']['data'])
        self.assertIn('Your usual program, relax.', reasons)
        self.assertIn('Your profile keeps the chair off the neck.', reasons)
        # The caller's answer wins over the profile's length.
        _, opts, _ = self.call('Recommend', 'a{sv}', '2', 'profile', 's', 'Cy',
                               'minutes', 'u', '20')
        self.assertEqual(opts['duration_usec']['data'], 20 * 60 * 1000000)
        # The start command chairctl prints starts it as Cy.
        c = self.chair
        r = c.chairctl('recommend', '--profile', 'Cy')
        self.assertEqual(r.returncode, 0, r.stderr)
        line = [ln for ln in r.stdout.splitlines() if ln.strip().startswith('chairctl start')][0]
        r = c.chairctl(*shlex.split(line)[1:])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.get('Program'), 'relax')
        self.assertEqual(c.get('Profile'), 'Cy')
        self.assertEqual(c.get('Heat'), 1)
        self.assertEqual(c.get('DurationUSec'), 12 * 60 * 1000000)
        self.assertIn('neck', c.get('Avoid'))
        c.call('Stop')
        c.wait_state('idle')
        # A condition the profile keeps is a limit the answers cannot drop.
        self.call('SaveProfile', 'sa{sv}', 'Di', '2', 'program', 's', 'deep-tissue',
                  'conditions', 'as', '1', 'pregnancy')
        prog, opts, reasons = self.call('Recommend', 'a{sv}', '2', 'profile', 's', 'Di',
                                        'feelings', 'as', '1', 'tight')
        self.assertNotEqual(prog, 'deep-tissue', reasons)
        self.assertIn('pregnancy', opts['conditions']['data'])
        self.assertEqual(opts['heat']['data'], 0)



class TestDamagedStore(ChairTestCase):
    """A store that cannot be used leaves the chair working, with one clear
    line in the daemon's log. (The daemon killed with SIGKILL over and over
    is the durability test, tests/bench/daemon-crash.c.)"""
    scale = 100

    def setUp(self):
        super().setUp()
        self.state = os.path.join(self.bus.dir, 'state')
        self.db = os.path.join(self.state, 'chaird.db')
        # A store with a profile in it, closed cleanly.
        self.chair.close()
        self.chair = Chair(self.bus, scale=self.scale, extra=('--state-dir', self.state))
        self.chair.call('SaveProfile', 'sa{sv}', 'Ana', '1', 'intensity', 'u', '2')
        self.chair.close()
        self.assertTrue(os.path.exists(self.db))

    def restart(self, prefix=()):
        self.chair = Chair(self.bus, scale=self.scale, extra=('--state-dir', self.state),
                           prefix=prefix)
        return self.chair.read_log()

    def assert_chair_works(self):
        c = self.chair
        c.call('Start', 'sa{sv}', 'swedish', '0')
        wait_until(lambda: c.get('State') == 'running', 10, 'the session running')
        c.call('Stop')
        c.wait_finished()
        c.wait_state('idle')

    def assert_moved_aside(self, log):
        self.assertRegex(log, r'The store \S*chaird\.db was damaged \(.+\); it was moved '
                              r'aside to \S*chaird\.db\.corrupt-\d{8}T\d{6}Z and a new, '
                              r'empty store was started\.')
        self.assertTrue([f for f in os.listdir(self.state) if '.corrupt-' in f])
        self.assert_chair_works()
        # The new store works, and the damaged one's profile is not in it.
        self.assertEqual(self.chair.call('ListProfiles')[0], [])
        self.chair.call('SaveProfile', 'sa{sv}', 'Bo', '0')
        self.assertEqual([p[0] for p in self.chair.call('ListProfiles')[0]], ['Bo'])

    def test_garbage_file(self):
        for f in (self.db + '-wal', self.db + '-shm'):
            if os.path.exists(f):
                os.unlink(f)
        with open(self.db, 'wb') as f:
            f.write(b'this is not a database\n' * 2000)
        self.assert_moved_aside(self.restart())

    def test_truncated_file(self):
        size = os.path.getsize(self.db)
        os.truncate(self.db, size // 2)
        self.assert_moved_aside(self.restart())

    def test_readonly_directory(self):
        if os.geteuid() == 0:
            # Root writes through file modes: a read-only mount it is.
            prefix = ('unshare', '--mount', 'sh', '-c',
                      'mount --bind -o ro "$0" "$0" && exec "$@"', self.state)
        else:
            os.chmod(self.state, 0o555)
            self.addCleanup(os.chmod, self.state, 0o755)
            prefix = ()
        files = sorted(os.listdir(self.state))
        log = self.restart(prefix)
        self.assertRegex(log, r'Cannot keep profiles and history in \S*state \(.+\); the '
                              r'chair works, but nothing will be remembered after it stops\.')
        self.assert_chair_works()
        # Profiles still work until chaird stops, in memory.
        self.chair.call('SaveProfile', 'sa{sv}', 'Bo', '0')
        self.assertIn('Bo', [p[0] for p in self.chair.call('ListProfiles')[0]])
        self.assertEqual(sorted(os.listdir(self.state)), files)


if __name__ == '__main__':
    main()
