#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chair-preview: the real engine, motion control and safety on the
simulated chair. Checks the summary against what the options promise, that
every built-in program runs clean at every intensity, and that the pictures
have something on them and differ from program to program."""

import glob
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

BUILD = os.environ.get('CHAIRD_BUILD_DIR', 'build')
SRC = os.environ.get('CHAIRD_SOURCE_DIR', '.')
PREVIEW = os.path.join(BUILD, 'clients', 'chair-preview', 'chair-preview')
PNG_STATS = os.path.join(BUILD, 'tests', 'png-stats')
PROGRAMS = os.path.join(SRC, 'data', 'programs')
MAP = os.path.join(SRC, 'data', 'chaird.conf')
BUILTINS = sorted(os.path.basename(p)[:-len('.program')]
                  for p in glob.glob(os.path.join(PROGRAMS, '*.program')))


def preview(*args, check=True):
    r = subprocess.run([PREVIEW, '--programs', PROGRAMS] + list(args),
                       capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError('chair-preview %s: exit %d: %s' % (' '.join(args), r.returncode,
                                                                r.stderr))
    return r


def summary(*args):
    return json.loads(preview('--json', *args).stdout)


def zone_total(d):
    return sum(z['seconds'] for z in d['zones'].values())


class Summary(unittest.TestCase):
    def test_zone_times_add_up_to_the_session(self):
        for args in ([], ['--minutes', '30'], ['--minutes', '5', '--focus', 'neck'],
                     ['--avoid', 'mid-back', '--intensity', '5']):
            for prog in ('swedish', 'shiatsu', 'sports'):
                with self.subTest(program=prog, args=args):
                    d = summary(prog, *args)
                    self.assertAlmostEqual(d['elapsed_s'], d['duration_s'], delta=0.01)
                    self.assertAlmostEqual(zone_total(d), d['duration_s'], delta=0.05)
                    self.assertAlmostEqual(sum(d['techniques'].values()), d['duration_s'],
                                           delta=0.05)

    def test_minutes_set_the_length(self):
        self.assertEqual(summary('relax', '--minutes', '7')['duration_s'], 420.0)
        self.assertEqual(summary('relax', '--minutes', '30')['duration_s'], 1800.0)

    def test_avoid_lower_back_gets_no_pressure(self):
        for prog in BUILTINS:
            with self.subTest(program=prog):
                plain = summary(prog)
                d = summary(prog, '--avoid', 'lower-back')
                lb = d['zones']['lower-back']
                self.assertEqual(lb['pressure_s'], 0.0)
                self.assertEqual(lb['max_depth'], 0)
                # The airbags that press there stay empty too.
                self.assertEqual(d['air']['hips']['seconds'], 0.0)
                if prog == 'lower-back' or plain['zones']['lower-back']['pressure_s'] > 60:
                    self.assertGreater(plain['zones']['lower-back']['pressure_s'], 0)

    def test_nerve_pain_caps_the_depth_at_1(self):
        allowed = [p for p in BUILTINS if p not in ('deep-tissue', 'trigger-point')]
        for prog in allowed:
            for intensity in ('3', '5'):
                with self.subTest(program=prog, intensity=intensity):
                    d = summary(prog, '--condition', 'nerve-pain', '--intensity', intensity)
                    self.assertLessEqual(d['max_depth'], 1)
                    self.assertNotIn('tap', d['techniques'])
        # Without the condition the same programs go deeper.
        self.assertGreaterEqual(summary('swedish', '--intensity', '5')['max_depth'], 3)
        self.assertEqual(summary('swedish', '--condition', 'nerve-pain',
                                 '--intensity', '5')['max_depth'], 1)

    def test_every_builtin_at_every_intensity_runs_clean(self):
        for prog in BUILTINS:
            depths = []
            for intensity in range(1, 6):
                with self.subTest(program=prog, intensity=intensity):
                    d = summary(prog, '--intensity', str(intensity))
                    self.assertEqual(d['warnings'], [])
                    self.assertEqual(d['faults'], [])
                    self.assertAlmostEqual(d['elapsed_s'], d['duration_s'], delta=0.01)
                    self.assertEqual(list(d['phases'])[0], 'warm-up')
                    self.assertIn('main', d['phases'])
                    depths.append(d['max_depth'])
            self.assertEqual(depths, sorted(depths), prog)

    def test_phases_start_in_order_and_the_close_ends_on_time(self):
        d = summary('swedish')
        self.assertEqual(d['phases'], {'warm-up': 0.0, 'main': 90.0, 'close': 825.0})

    def test_heat_follows_the_option(self):
        off = summary('hot-stone', '--heat', '0')
        on = summary('hot-stone', '--heat', '3')
        for h in ('lumbar', 'calves'):
            self.assertEqual(off['heat_by_heater'][h]['seconds'], 0.0)
            self.assertEqual(on['heat_by_heater'][h]['level'], 3)
            self.assertGreater(on['heat_by_heater'][h]['max_c'], 45.0)
            self.assertLessEqual(on['heat_by_heater'][h]['max_c'], 55.0)
        preg = summary('relax', '--heat', '3', '--condition', 'pregnancy')
        for h in ('lumbar', 'calves'):
            self.assertEqual(preg['heat_by_heater'][h]['seconds'], 0.0)
        self.assertEqual(preg['zones']['sacrum']['pressure_s'], 0.0)
        self.assertEqual(preg['zones']['lower-back']['pressure_s'], 0.0)

    def test_focus_gets_more_time(self):
        plain = summary('swedish')['zones']['neck']['seconds']
        focus = summary('swedish', '--focus', 'neck')['zones']['neck']['seconds']
        self.assertGreater(focus, plain * 2)

    def test_text_summary(self):
        out = preview('swedish', '--avoid', 'lower-back').stdout
        self.assertIn('Swedish (swedish): 15:00, intensity 3, heat 1', out)
        self.assertIn('Options: avoid lower-back;', out)
        self.assertRegex(out, r'\n  lower-back +\d+:\d\d +0:00 +0\n')
        self.assertRegex(out, r'total +15:00')
        # The steps that work only there are left out, and the summary says so.
        self.assertRegex(out, r'Warnings:\n  \S+swedish\.program:\d+: knead on lower-back is '
                              r'skipped: no pressure may go there\.\n')
        self.assertIn('Warnings: none', preview('swedish').stdout)


class Warnings(unittest.TestCase):
    def write(self, d, name, text):
        path = os.path.join(d, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_percussion_a_condition_rules_out(self):
        d = summary('swedish', '--condition', 'arthritis')
        # What the daemon would say it changed, and where in the file.
        self.assertIn('Tapping is replaced by gentle kneading because of arthritis.',
                      d['adjustments'])
        self.assertTrue(any(re.search(r'swedish\.program:\d+: tap is percussion, which '
                                      r'arthritis rules out', w) for w in d['warnings']),
                        d['warnings'])
        d = summary('energize', '--condition', 'pregnancy', '--heat', '0')
        self.assertTrue(any('pregnancy protects' in w for w in d['warnings']), d['warnings'])

    def test_a_step_the_chair_cannot_do(self):
        with tempfile.TemporaryDirectory() as d:
            with open(MAP) as f:
                text = f.read()
            # The same chair without its recline motor.
            text = re.sub(r'\[output recline-(up|down)\][^\[]*', '', text)
            self.assertNotIn('recline-up]', text)
            m = self.write(d, 'no-recline.conf', text)
            r = summary('sports', '--config', m)
            # The warning names the stretch step's own line in the file.
            with open(os.path.join(SRC, 'data', 'programs', 'sports.program')) as f:
                line = [n for n, l in enumerate(f, 1) if l.startswith('stretch')][0]
            self.assertIn('sports.program: on this chair, stretch is skipped (line %d).' % line,
                          [os.path.basename(w) for w in r['warnings']])
            self.assertNotIn('stretch', r['techniques'])
            self.assertEqual(summary('sports')['warnings'], [])

    def test_a_step_that_never_runs(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, 'long.program', '''id = long-main
name = Long main
description = A main phase longer than the session.
duration = 5min
[main]
glide neck..sacrum speed=3 time=5min
knead shoulders speed=3 depth=2 time=3min
''')
            r = summary(path)
            self.assertEqual(len(r['warnings']), 1, r['warnings'])
            self.assertRegex(r['warnings'][0], r'long\.program:7: this step never runs in a '
                                               r'5 min session: the session ends before')
            self.assertEqual(summary(path, '--minutes', '10')['warnings'], [])

    def test_refusals(self):
        r = preview('deep-tissue', '--condition', 'nerve-pain', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('not suitable with nerve pain', r.stderr)
        r = preview('swedish', '--condition', 'inflammation', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('needs at least one avoid zone', r.stderr)
        r = preview('no-such-program', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no program 'no-such-program'", r.stderr)
        for args in (['swedish', '--minutes', '31'], ['swedish', '--intensity', '0'],
                     ['swedish', '--avoid', 'elbow'], ['swedish', '--condition', 'flu'],
                     ['swedish', 'relax'], []):
            with self.subTest(args=args):
                r = preview(*args, check=False)
                self.assertEqual(r.returncode, 2)
                self.assertTrue(r.stderr.startswith('chair-preview: '), r.stderr)
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, 'broken.program', 'id = broken\n[main]\nrub neck time=1min\n')
            r = preview(path, check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn("broken.program:3: unknown technique 'rub'", r.stderr)


class Pictures(unittest.TestCase):
    def test_every_builtin_draws_a_picture_of_its_own(self):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for prog in BUILTINS:
                path = os.path.join(d, prog + '.png')
                preview(prog, '--png', path, '--svg', os.path.join(d, prog + '.svg'))
                paths.append(path)
            out = subprocess.run([PNG_STATS] + paths, capture_output=True, text=True,
                                 check=True).stdout
            stats = {os.path.basename(s['path'])[:-4]: s
                     for s in map(json.loads, out.splitlines())}
            self.assertEqual(sorted(stats), BUILTINS)
            for prog, s in stats.items():
                with self.subTest(program=prog):
                    self.assertEqual((s['width'], s['height']), (1000, 600))
                    # Not blank: a good part of it is drawn, in many colours.
                    self.assertGreater(s['inked'], 1000 * 600 // 5)
                    self.assertGreater(s['colours'], 50)
                    # The SVG is the same drawing: well-formed, the same size,
                    # with the zones, the path and the lettering in it.
                    svg = ET.parse(os.path.join(d, prog + '.svg')).getroot()
                    self.assertEqual(svg.tag, '{http://www.w3.org/2000/svg}svg')
                    self.assertEqual(svg.get('viewBox'), '0 0 1000 600')
                    self.assertGreater(sum(1 for e in svg.iter() if e.tag.endswith('path')), 50)
            for a, b in itertools.combinations(BUILTINS, 2):
                self.assertNotEqual(stats[a]['hash'], stats[b]['hash'], (a, b))

    def test_options_change_the_picture(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, 'a.png'), os.path.join(d, 'b.png')
            preview('swedish', '--png', a)
            preview('swedish', '--avoid', 'lower-back', '--png', b)
            out = subprocess.run([PNG_STATS, a, b], capture_output=True, text=True,
                                 check=True).stdout
            ha, hb = [json.loads(line)['hash'] for line in out.splitlines()]
            self.assertNotEqual(ha, hb)

    def test_unwritable_file(self):
        r = preview('swedish', '--png', '/nonexistent-dir/x.png', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('cannot write /nonexistent-dir/x.png', r.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
