#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Recommend(), end to end: the real daemon on a private bus. Whatever it
recommends, Start accepts unchanged; red flags recommend nothing; bad
answers get InvalidArgs; and chairctl recommend prints, asks and starts."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import CHAIRCTL, ChairTestCase, main  # noqa: E402

INVALID = 'org.freedesktop.DBus.Error.InvalidArgs'

# Answer sets that lead the rules to every built-in program and every
# condition.
ANSWERS = [
    {},
    {'zones': ['neck'], 'feelings': ['knotted'], 'pressure': 'firm'},
    {'zones': ['mid-back'], 'feelings': ['tight']},
    {'zones': ['lower-back', 'sacrum'], 'feelings': ['aching']},
    {'zones': ['upper-back'], 'feelings': ['stiff'], 'minutes': 7},
    {'feelings': ['aching'], 'pressure': 'firm'},
    {'goal': 'relax', 'minutes': 45},
    {'goal': 'energize'},
    {'goal': 'relieve'},
    {'zones': ['neck'], 'feelings': ['tingling']},
    {'zones': ['lower-back', 'neck'], 'feelings': ['swollen', 'tight'], 'pressure': 'firm'},
    {'zones': ['calves'], 'feelings': ['injured'], 'goal': 'relax'},
    {'conditions': ['pregnancy'], 'zones': ['neck', 'lower-back']},
    {'conditions': ['arthritis'], 'zones': ['mid-back']},
    {'conditions': ['nerve-pain', 'arthritis'], 'feelings': ['numb'], 'zones': ['sacrum']},
]


def answers_args(answers):
    """A dict of answers as busctl's a{sv} arguments."""
    args = [str(len(answers))]
    for k, v in answers.items():
        if isinstance(v, list):
            args += [k, 'as', str(len(v))] + v
        elif isinstance(v, int):
            args += [k, 'u', str(v)]
        else:
            args += [k, 's', v]
    return args


def options_args(options):
    """busctl's JSON of an a{sv}, back into busctl arguments, unchanged."""
    args = [str(len(options))]
    for k, v in options.items():
        args += [k, v['type']]
        if v['type'] == 'as':
            args += [str(len(v['data']))] + v['data']
        else:
            args.append(str(v['data']))
    return args


class TestRecommend(ChairTestCase):
    scale = 50

    def recommend(self, answers):
        return self.chair.call('Recommend', 'a{sv}', *answers_args(answers))

    def test_start_accepts_every_recommendation(self):
        c = self.chair
        seen = set()
        for answers in ANSWERS:
            with self.subTest(answers=answers):
                program, options, reasons = self.recommend(answers)
                self.assertTrue(program)
                self.assertTrue(reasons)
                c.call('Start', 'sa{sv}', program, *options_args(options))
                self.assertEqual(c.state(), 'running')
                self.assertEqual(c.get('Program'), program)
                self.assertEqual(c.get('DurationUSec'), options['duration_usec']['data'])
                self.assertEqual(c.get('Intensity'), options['intensity']['data'])
                self.assertEqual(c.get('Heat'), options['heat']['data'])
                # What the session applied is what was recommended.
                self.assertEqual(c.get('Focus'), options.get('focus', {'data': ''})['data'])
                self.assertLessEqual(set(options.get('avoid', {'data': []})['data']),
                                     set(c.get('Avoid')))
                self.assertEqual(sorted(c.get('Conditions')),
                                 sorted(options.get('conditions', {'data': []})['data']))
                # The daemon never has to turn off heat that was recommended.
                self.assertEqual([a for a in c.get('Adjustments') if 'heat' in a.lower()], [])
                seen.add(program)
                c.call('Stop')
                c.wait_state('idle')
        self.assertEqual(len(seen), 11, 'every built-in program recommended once: %s' % seen)

    def test_start_checks_what_recommend_adds(self):
        """The options matter: without its avoid zone, Start refuses a
        swollen-back recommendation, as the consultation knows."""
        c = self.chair
        program, options, _ = self.recommend({'zones': ['lower-back'], 'feelings': ['swollen']})
        self.assertEqual(options['avoid']['data'], ['lower-back'])
        self.assertEqual(options['conditions']['data'], ['inflammation'])
        del options['avoid']
        name, msg = c.gdbus_error('Start', program, "{'conditions': <['inflammation']>}")
        self.assertEqual(name, INVALID)
        self.assertIn('needs at least one avoid zone', msg)
        # The tingling rules are the ones Start enforces too.
        program, options, _ = self.recommend({'zones': ['mid-back'], 'feelings': ['tingling', 'knotted']})
        self.assertNotIn(program, ('deep-tissue', 'trigger-point'))
        self.assertEqual(options['conditions']['data'], ['nerve-pain'])
        self.assertLessEqual(options['intensity']['data'], 2)
        name, _ = c.gdbus_error('Start', 'trigger-point', "{'conditions': <['nerve-pain']>}")
        self.assertEqual(name, 'org.chaird.Chair1.Error.Contraindicated')

    def test_red_flags_recommend_nothing(self):
        for flag, words in (('severe-pain', 'severe'), ('after-accident', 'accident'),
                            ('spreading-numbness', 'legs'), ('fever', 'fever')):
            with self.subTest(flag=flag):
                program, options, reasons = self.recommend({'red_flags': [flag], 'goal': 'relax'})
                self.assertEqual(program, '')
                self.assertEqual(options, {})
                self.assertTrue(any(words in r and 'doctor' in r for r in reasons), reasons)
                self.assertIn('No massage is recommended', reasons[-1])

    def test_bad_answers(self):
        c = self.chair
        for args, words in (
            ("{'mood': <'grumpy'>}", "Unknown answer 'mood'; the answers are zones,"),
            ("{'zones': <['elbow']>}", "Answer 'zones' has an unknown value 'elbow'; use one of: neck"),
            ("{'zones': <'neck'>}", "Answer 'zones' must be a list of names (as)."),
            ("{'goal': <['relax']>}", "Answer 'goal' must be a name (s)."),
            ("{'minutes': <'ten'>}", "Answer 'minutes' must be a number of minutes (u)."),
            ("{'minutes': <uint32 3>}", "a session lasts at least 5 minutes"),
            ("{'feelings': <['swollen']>}", "needs 'zones' that say where"),
            ("{'red_flags': <['headache']>}", "use one of: severe-pain"),
        ):
            with self.subTest(args=args):
                name, msg = c.gdbus_error('Recommend', args)
                self.assertEqual(name, INVALID)
                self.assertIn(words, msg)
        name, msg = c.gdbus_error('Recommend', "{'profile': <'Anna'>}")
        self.assertEqual(name, INVALID)
        self.assertIn("There is no profile 'Anna'", msg)
        name, msg = c.gdbus_error('Recommend', "{'profile': <'a/b'>}")
        self.assertEqual(name, INVALID)
        self.assertIn('profile', msg)
        # Integer answers take any unsigned-compatible type, as Start's options do.
        r = c.gdbus('Recommend', "{'minutes': <int32 12>, 'goal': <'relax'>}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("'duration_usec': <uint64 720000000>", r.stdout)
        self.assertEqual(c.state(), 'idle')

    def test_chairctl_recommend_and_start(self):
        c = self.chair
        r = c.chairctl('recommend', '--zone', 'lower-back', '--feeling', 'tight', '--start')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Recommended: lower-back\n', r.stdout)
        self.assertIn('The pain is in the lower back', r.stdout)
        self.assertIn('Started lower-back.', r.stdout)
        self.assertEqual(c.state(), 'running')
        self.assertEqual(c.get('Program'), 'lower-back')
        c.call('Stop')
        c.wait_state('idle')

        # The printed command starts the same session.
        r = c.chairctl('recommend', '--zone', 'neck', '--feeling', 'swollen', '--condition',
                       'arthritis', '--minutes', '12')
        self.assertEqual(r.returncode, 0, r.stderr)
        line = r.stdout.splitlines()[1].split()
        self.assertEqual(line[:4], ['chairctl', 'start', '--program', 'relax'])
        for flag in ('--minutes 12', '--heat 0', '--avoid neck', '--condition inflammation',
                     '--condition arthritis'):
            self.assertIn(flag, r.stdout.splitlines()[1])
        r = c.chairctl(*line[1:])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.state(), 'running')
        self.assertEqual(c.get('DurationUSec'), 12 * 60 * 1000000)
        c.call('Stop')
        c.wait_state('idle')

    def test_chairctl_errors(self):
        c = self.chair
        r = c.chairctl('recommend', '--red-flag', 'fever', '--start')
        self.assertEqual(r.returncode, 1)
        self.assertIn('No massage is recommended.', r.stdout)
        self.assertIn('see a doctor first', r.stderr)
        self.assertEqual(c.state(), 'idle')
        r = c.chairctl('recommend', '--minutes', 'ten')
        self.assertEqual(r.returncode, 2)
        r = c.chairctl('recommend', '--zone', 'elbow')
        self.assertEqual(r.returncode, 2)  # the command line's mistake
        self.assertIn("Answer 'zones' has an unknown value 'elbow'", r.stderr)
        # No answers and no terminal: it recommends for no complaint.
        r = c.chairctl('recommend')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Recommended: swedish', r.stdout)

    def test_chairctl_asks_on_a_terminal(self):
        """With no answers on a terminal, the questions come one by one; an
        answer that is not one of the choices is asked again."""
        master, slave = os.openpty()
        # red flags, zones (a wrong one, then again), feelings, goal, minutes,
        # pressure, conditions
        typed = '\nelbow\nneck\nknotted\n\n12\nfirm\n\n'
        proc = subprocess.Popen([CHAIRCTL, 'recommend'], stdin=slave, stdout=slave,
                                stderr=subprocess.PIPE, env=self.bus.env)
        os.close(slave)
        os.write(master, typed.encode())
        out = b''
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closes when chairctl exits
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(proc.wait(timeout=30), 0, proc.stderr.read())
        text = out.decode().replace('\r\n', '\n')
        self.assertIn('Where does it hurt?', text)
        self.assertIn("'elbow' is not one of the answers.", text)
        self.assertEqual(text.count('Where does it hurt?'), 2)
        self.assertIn('Recommended: trigger-point', text)
        self.assertIn('--minutes 12 --intensity 4', text)
        self.assertIn('--focus neck', text)


if __name__ == '__main__':
    main()
