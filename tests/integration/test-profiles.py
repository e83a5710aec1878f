#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Profiles and history through the real daemon and a real SQLite store:
save a profile, start with it, give feedback, end the session; History has
it, the next session learns from it and says why; and the store survives a
restart of the daemon."""

import json
import os
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


if __name__ == '__main__':
    main()
