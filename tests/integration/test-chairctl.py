#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chairctl as a person uses it: messages in minutes and in its own flag
names, "did you mean", program ids in any case, exit status 2 for every
command-line mistake, status and watch --json with what the session applied,
the aftercare at the end, an honest reset, and the bash completion. Against
the real chaird --sim --session on a private bus."""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chairtest import (CHAIRCTL, CHAIRD, SIM, SRC, Chair, ChairTestCase, main,  # noqa: E402
                       wait_until)

COMPLETION = os.path.join(SRC, 'clients', 'chairctl.bash-completion')


def has_property(chair, name):
    """Whether this chaird has the property (an older one lacks the
    session's Focus, Avoid, Phase...)."""
    r = chair.busctl('get-property', 'org.chaird.Chair1', '/org/chaird/Chair1',
                     'org.chaird.Chair1', name)
    return r.returncode == 0


class TestMessages(ChairTestCase):
    def usage(self, *args):
        """Runs chairctl; it must fail with exit 2 and leave the chair idle."""
        r = self.chair.chairctl(*args)
        self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
        self.assertTrue(r.stderr.startswith('chairctl: '), r.stderr)
        self.assertEqual(self.chair.state(), 'idle')
        return r.stderr

    def test_minutes_in_minutes(self):
        err = self.usage('start', '--program', 'swedish', '--minutes', '45')
        self.assertEqual(err, 'chairctl: --minutes 45 is out of range; a session lasts 5 to 30 '
                              'minutes\n')
        err = self.usage('start', '--program', 'swedish', '--minutes', '4')
        self.assertIn('--minutes 4 is out of range; a session lasts 5 to 30 minutes', err)
        err = self.usage('start', '--program', 'swedish', '--minutes', 'ten')
        self.assertIn('--minutes takes a whole number of minutes', err)

    def test_minutes_on_a_capped_chair(self):
        conf = os.path.join(self.bus.dir, 'capped.conf')
        with open(conf, 'w') as f:
            f.write('[chair]\nmax-session-min = 15\n[input estop]\nline = gpiochip0 1\n'
                    '[output pump]\nline = gpiochip0 2\n[output valve-arms]\nline = gpiochip0 3\n')
        self.chair.close()
        self.chair = c = Chair(self.bus, extra=['--config', conf])
        err = self.usage('start', '--program', 'relax', '--minutes', '20')
        self.assertEqual(err, 'chairctl: --minutes 20 is out of range; a session lasts 5 to 15 '
                              'minutes on this chair\n')
        r = c.chairctl('start', '--program', 'relax', '--minutes', '15')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.get('DurationUSec'), 15 * 60 * 1000000)

    def test_flag_names_not_api_keys(self):
        err = self.usage('start', '--program', 'relax', '--condition', 'back-pain')
        self.assertIn('--condition back-pain is not a condition chaird knows', err)
        self.assertIn('nerve-pain, inflammation, pregnancy, arthritis, recent-injury', err)
        err = self.usage('start', '--program', 'relax', '--condition', 'inflammation')
        self.assertIn('--condition inflammation needs at least one --avoid ZONE', err)
        err = self.usage('start', '--program', 'relax', '--focus', 'neck', '--avoid', 'neck')
        self.assertIn('--focus neck and --avoid neck: a zone cannot be both', err)
        err = self.usage('start', '--program', 'relax', '--focus', 'calves')
        self.assertIn('--focus takes a back zone, and calves is an airbag zone', err)
        err = self.usage('start', '--program', 'relax', '--intensity', '9')
        self.assertIn('--intensity 9 is out of range; use 1 (softest) to 5 (firmest)', err)
        err = self.usage('start', '--program', 'relax', '--heat', '4')
        self.assertIn('--heat 4 is out of range; use 0 (off) to 3', err)
        # None of them speaks D-Bus.
        for a in (['--minutes', '45'], ['--condition', 'x'], ['--heat', '9']):
            err = self.usage('start', '--program', 'relax', *a)
            self.assertNotRegex(err, r'usec|conditions|org\.chaird|InvalidArgs', a)

    def test_did_you_mean(self):
        err = self.usage('start', '--program', 'swedsh')
        self.assertEqual(err, "chairctl: There is no program 'swedsh'. Did you mean 'swedish'? "
                              "'chairctl programs' lists them.\n")
        err = self.usage('show', 'deep-tisue')
        self.assertIn("Did you mean 'deep-tissue'?", err)
        err = self.usage('start', '--program', 'relax', '--condition', 'arthritus')
        self.assertIn('Did you mean --condition arthritis?', err)
        err = self.usage('start', '--program', 'relax', '--avoid', 'lowerback')
        self.assertIn('Did you mean --avoid lower-back?', err)
        err = self.usage('start', '--program', 'relax', '--focus', 'sholders')
        self.assertIn('Did you mean --focus shoulders?', err)
        # Nothing close: no guess.
        err = self.usage('start', '--program', 'zzzzzz')
        self.assertNotIn('Did you mean', err)

    def test_program_ids_in_any_case(self):
        c = self.chair
        r = c.chairctl('show', 'SWEDISH')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Swedish (swedish)', r.stdout)
        r = c.chairctl('start', '--program', 'Swedish')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith('Started swedish.\n'), r.stdout)
        self.assertEqual(c.get('Program'), 'swedish')

    def test_exit_codes(self):
        c = self.chair
        # Everything the command line got wrong is 2, whatever the number.
        for args in (['heat', '4'], ['heat', '-1'], ['heat', 'abc'], ['intensity', '0'],
                     ['intensity', '9'], ['intensity', '-3'], ['heat'], ['start', '--program'],
                     ['start', '--program', 'relax', '--bogus'], ['watch', '--yaml'],
                     ['reset', 'now']):
            r = c.chairctl(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
        r = c.chairctl('heat', '4')
        self.assertEqual(r.stderr, 'chairctl: heat 4 is out of range; use 0 (off) to 3\n')
        r = c.chairctl('heat', '-1')
        self.assertEqual(r.stderr, 'chairctl: heat -1 is out of range; use 0 (off) to 3\n')
        # What the chair refuses is 1.
        r = c.chairctl('heat', '2')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('No session is running', r.stderr)

    def test_no_daemon_on_the_session_bus(self):
        self.chair.close()
        r = self.chair.chairctl('--session', 'status')
        self.assertEqual(r.returncode, 3)
        self.assertNotIn('systemctl', r.stderr)
        self.assertIn('not running on the session bus', r.stderr)
        self.assertIn('chaird --session --sim', r.stderr)
        # A usage error is found before the missing daemon.
        r = self.chair.chairctl('--session', 'start', '--program', 'x', '--minutes', '45')
        self.assertEqual(r.returncode, 2, r.stderr)
        # On the system bus, the service is what to start.
        env = dict(self.bus.env, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        env.pop('CHAIRCTL_BUS')
        r = subprocess.run([CHAIRCTL, 'status'], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("systemctl start chaird", r.stderr)


class TestNoPrograms(ChairTestCase):
    def test_a_chair_without_programs_says_so(self):
        self.chair.close()
        empty = os.path.join(self.bus.dir, 'empty')
        os.makedirs(empty)
        with open(os.path.join(self.bus.dir, 'empty.log'), 'w') as log:
            p = subprocess.Popen([CHAIRD, '--sim', '--session', '--programs', empty],
                                 env=self.bus.env, stdout=log, stderr=subprocess.STDOUT)
            try:
                self.assertEqual(self.chair.run(['gdbus', 'wait', '--session', '--timeout', '10',
                                                 'org.chaird.Chair1']).returncode, 0)
                r = self.chair.chairctl('programs')
                self.assertEqual((r.returncode, r.stdout), (0, ''))
                self.assertIn('chaird has no programs', r.stderr)
                self.assertIn('chaird --programs DIR', r.stderr)
                r = self.chair.chairctl('start', '--program', 'relax')
                self.assertEqual(r.returncode, 1)
                self.assertIn('chaird has no programs', r.stderr)
                self.assertNotIn("There is no program 'relax'", r.stderr)
            finally:
                p.terminate()
                p.wait(timeout=10)


class TestSession(ChairTestCase):
    def test_status_shows_what_the_session_applied(self):
        c = self.chair
        r = c.chairctl('start', '--program', 'relax', '--minutes', '10', '--focus', 'mid-back',
                       '--avoid', 'shoulders', '--avoid', 'calves', '--condition', 'inflammation')
        self.assertEqual(r.returncode, 0, r.stderr)
        r = c.chairctl('status')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r'Progress: +\d+:\d\d of 10:00, \d+:\d\d left\n')
        st = json.loads(c.chairctl('status', '--json').stdout)
        self.assertEqual(st['remaining_usec'], st['duration_usec'] - st['elapsed_usec'])
        applied = {'Focus': ('focus', 'Focus: +mid-back\n', 'mid-back'),
                   'Avoid': ('avoid', 'Avoid: +shoulders, calves\n', ['shoulders', 'calves']),
                   'Conditions': ('conditions', 'Conditions: +inflammation\n', ['inflammation'])}
        for prop, (key, line, value) in applied.items():
            if has_property(c, prop):
                self.assertRegex(r.stdout, line)
                self.assertEqual(st[key], value)
            else:  # an older chaird: the line is left out, not made up
                self.assertNotIn(prop + ':', r.stdout)
                self.assertNotIn(key, st)
        if has_property(c, 'Phase'):
            self.assertIn(st['phase'], ('warm-up', 'main', 'close'))
            self.assertRegex(r.stdout, r'Phase: +(Warm-up|Main part|Closing)\n')
        self.assertEqual(c.chairctl('pause').returncode, 0)
        r = c.chairctl('status')
        st = json.loads(c.chairctl('status', '--json').stdout)
        if has_property(c, 'PauseReason'):
            self.assertEqual(st['pause_reason'], 'requested')
            self.assertIn('Paused:       Paused on request.\n', r.stdout)

    def test_start_says_what_was_adjusted(self):
        c = self.chair
        r = c.chairctl('start', '--program', 'relax', '--condition', 'pregnancy', '--heat', '2')
        self.assertEqual(r.returncode, 0, r.stderr)
        if not has_property(c, 'Adjustments'):
            self.skipTest('this chaird has no Adjustments property')
        adjustments = c.get('Adjustments')
        self.assertTrue(adjustments, 'heat 2 with pregnancy changed nothing?')
        self.assertEqual(r.stdout, 'Started relax.\n' + ''.join('  %s\n' % a for a in adjustments))
        st = json.loads(c.chairctl('status', '--json').stdout)
        self.assertEqual(st['adjustments'], adjustments)
        self.assertIn('Adjustments:  ' + adjustments[0], c.chairctl('status').stdout)

    def test_reset_says_ready_only_when_idle(self):
        c = self.chair
        self.assertEqual(c.chairctl('start', '--program', 'swedish').returncode, 0)
        c.call('InjectFault', 's', 'walk-jam', iface=SIM)
        c.wait_state('fault')
        r = c.chairctl('status')
        self.assertIn('walk-stalled: The massage roller got stuck and could not move.', r.stdout)
        c.call('ClearFaults', iface=SIM)
        r = c.chairctl('reset')
        state = c.state()
        if r.returncode == 0:
            self.assertEqual(r.stdout, 'The chair is ready.\n')
            self.assertEqual(state, 'idle')
        else:
            self.assertNotIn('ready.', r.stdout)
        # With the stop button still pressed, the reset is refused, and
        # chairctl does not call the chair ready.
        c.call('SetEmergencyButton', 'b', 'true', iface=SIM)
        c.wait_state('emergency-stop')
        r = c.chairctl('reset')
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn('The chair is ready.', r.stdout + r.stderr)
        self.assertEqual(c.state(), 'emergency-stop')


class TestWatch(ChairTestCase):
    scale = 100

    def test_watch_json(self):
        c = self.chair
        self.assertEqual(c.chairctl('start', '--program', 'energize', '--minutes', '5').returncode, 0)
        r = c.chairctl('watch', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertGreater(len(lines), 3)
        self.assertTrue(all(x['event'] == 'status' for x in lines[:-1]))
        self.assertTrue(all(x['program'] == 'energize' for x in lines[:-1]))
        elapsed = [x['elapsed_usec'] for x in lines[:-1]]
        self.assertEqual(elapsed, sorted(elapsed))
        end = lines[-1]
        self.assertEqual((end['event'], end['program'], end['reason']),
                         ('finished', 'energize', 'completed'))
        self.assertEqual(end['message'], 'The session is complete.')
        self.assertAlmostEqual(end['elapsed_usec'], 300e6, delta=2e6)
        if has_property(c, 'Aftercare'):
            self.assertTrue(end['aftercare'])
            self.assertEqual(end['aftercare'], c.get('Aftercare'))

    def test_watch_prints_the_aftercare(self):
        c = self.chair
        self.assertEqual(c.chairctl('start', '--program', 'energize', '--minutes', '5').returncode, 0)
        r = c.chairctl('watch')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('energize finished after 5:00: completed\nThe session is complete.\n',
                      r.stdout)
        if not has_property(c, 'Aftercare'):
            self.skipTest('this chaird has no Aftercare property')
        aftercare = c.get('Aftercare')
        self.assertTrue(aftercare)
        self.assertTrue(r.stdout.endswith('\nAftercare:\n' + ''.join('  %s\n' % a for a in aftercare)),
                        r.stdout)

    def test_watch_after_a_fault(self):
        c = self.chair
        self.assertEqual(c.chairctl('start', '--program', 'swedish').returncode, 0)
        p = subprocess.Popen([CHAIRCTL, 'watch'], env=self.bus.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        # watch prints its first line once it follows the session.
        first = p.stdout.readline()
        self.assertIn('running', first)
        c.call('InjectFault', 's', 'walk-jam', iface=SIM)
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn('The session ended because something is wrong with the chair.\n'
                      '  The massage roller got stuck and could not move.\n'
                      "'chairctl reset' clears the fault once its cause is gone.\n", out)


class TestCompletion(ChairTestCase):
    def complete(self, *words):
        """The completions bash offers after `words` (the last is being typed)."""
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _chairctl; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(self.bus.env, PATH=os.path.dirname(CHAIRCTL) + ':' + os.environ['PATH'])
        r = subprocess.run(['bash', '-c', script, 'bash', COMPLETION, 'chairctl'] + list(words),
                           env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return sorted(w for w in r.stdout.split('\n') if w)

    def test_completion(self):
        c = self.chair
        help_text = c.chairctl('--help').stdout
        commands = re.findall(r'^  (\w+) ', help_text, re.M)
        self.assertEqual(self.complete(''), sorted(commands + ['--session', '--system', '--help',
                                                               '--version']))
        self.assertEqual(self.complete('st'), ['start', 'status', 'stop'])
        ids = [line.split()[0] for line in c.chairctl('programs').stdout.splitlines()[1:]]
        self.assertEqual(len(ids), 11)
        self.assertEqual(self.complete('start', '--program', ''), sorted(ids))
        self.assertEqual(self.complete('--session', 'show', 'sw'), ['swedish'])
        # The zones and conditions are chairctl's own (start --help prints
        # them from lib/chair-names.c).
        start_help = c.chairctl('start', '--help').stdout
        back = re.search(r'^Back zones: (.*)$', start_help, re.M).group(1).split(', ')
        air = re.search(r'^Air zones: (.*)$', start_help, re.M).group(1).split(', ')
        self.assertEqual(self.complete('start', '--focus', ''), sorted(back))
        self.assertEqual(self.complete('start', '--avoid', ''), sorted(set(back + air)))
        self.assertEqual(self.complete('start', '--condition', ''),
                         sorted(['nerve-pain', 'inflammation', 'pregnancy', 'arthritis',
                                 'recent-injury']))
        self.assertEqual(self.complete('start', '--heat', ''), ['0', '1', '2', '3'])
        self.assertEqual(self.complete('watch', '--'), ['--help', '--json'])
        # recommend's answers, as its --help lists them.
        rec_help = c.chairctl('recommend', '--help').stdout
        for flag in ('--feeling', '--goal', '--pressure', '--red-flag', '--condition'):
            m = re.search(r'^  %s \w +(?:[^\n]*:\n +)?([a-z, -]+)$' % flag, rec_help, re.M)
            self.assertTrue(m, flag)
            self.assertEqual(self.complete('recommend', flag, ''),
                             sorted(m.group(1).split(', ')), flag)
        self.assertEqual(self.complete('recommend', '--zone', ''), sorted(set(back + air)))


if __name__ == '__main__':
    main()
