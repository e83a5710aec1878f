#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile input against the real daemon: caller text that once killed it,
and broken program files at start-up and on Reload. Every test ends with the
harness's check that chaird did not crash or print a sanitizer report."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import (CHAIRCTL, CHAIRD, IFACE, PROGRAMS, SIM, Chair, ChairTestCase,  # noqa: E402
                       main)

E = 'org.chaird.Chair1.Error.'
INVALID = 'org.freedesktop.DBus.Error.InvalidArgs'
# The bound the daemon quotes caller text to, in bytes.
QUOTE_MAX = 64
# A character of each UTF-8 width above one byte.
WIDE = ['\u00e9', '\u20ac', '\U0001f486']
# A program whose last line is only '=': it used to crash the parser.
EQUALS_ONLY = ('id = broken\nname = B\ndescription = d\nduration = 10min\n[main]\n'
               'knead neck time=60s\n=\n')


def gv(s):
    """s as a GVariant text string."""
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def texts():
    """Caller strings with a multi-byte character across every cut near the bound."""
    for ch in WIDE:
        for pad in range(QUOTE_MAX - len(ch.encode()) - 1, QUOTE_MAX + 2):
            yield 'a' * pad + ch + 'z'


def quote_ok(t, msg):
    """The message quotes t whole, or a prefix of it that ends on a
    character boundary within the bound, followed by '...'."""
    m = re.search(r"(a{8,}[^\s']*)", msg)
    if not m:
        return False
    q = m.group(1)
    if q.endswith('....') or (q.endswith('.') and not q.endswith('...')):
        q = q[:-1]
    if q == t:
        return True
    return (q.endswith('...') and t.startswith(q[:-3]) and
            len(q[:-3].encode()) <= QUOTE_MAX)


class TestQuotedText(ChairTestCase):
    def test_cut_characters_cannot_crash(self):
        """Properties.Get(IFACE, 63*'a' + 'é') aborted chaird in libdbus; so
        did the same text in every other place an error quotes the caller."""
        c = self.chair
        n = 0
        for t in texts():
            calls = [
                ('org.freedesktop.DBus.Properties.Get', (gv(IFACE), gv(t)),
                 'org.freedesktop.DBus.Error.UnknownProperty'),
                ('org.freedesktop.DBus.Properties.Get', (gv(t), gv('State')),
                 'org.freedesktop.DBus.Error.UnknownProperty'),
                ('Start', (gv(t), '{}'), E + 'UnknownProgram'),
                ('Start', ('relax', "{'focus': <%s>}" % gv(t)), INVALID),
                ('Start', ('relax', "{'avoid': <[%s]>}" % gv(t)), INVALID),
                ('Start', ('relax', "{'conditions': <[%s]>}" % gv(t)), INVALID),
                ('Start', ('relax', "{%s: <1>}" % gv(t)), INVALID),
                ('InjectFault', (gv(t),), INVALID),
            ]
            for method, args, want in calls:
                iface = SIM if method == 'InjectFault' else IFACE
                if '.' in method:
                    iface, method = method.rsplit('.', 1)
                name, msg = c.gdbus_error(method, *args, iface=iface)
                self.assertEqual(name, want, (method, t, msg))
                self.assertTrue(quote_ok(t, msg), (t, msg))
                n += 1
        self.assertTrue(c.alive())
        self.assertGreater(n, 100)


class TestChairctlText(ChairTestCase):
    def test_invalid_utf8_argument_is_a_usage_error(self):
        """libdbus aborted chairctl on an argument that is not UTF-8."""
        for argv in ([b'start', b'--program', b'\xff'],
                     [b'start', b'--program', b'relax', b'--avoid', b'a\xc3'],
                     [b'show', b'caf\xc3']):
            r = self.chair.run([CHAIRCTL.encode()] + argv)
            self.assertEqual(r.returncode, 2, (argv, r.stderr))
            self.assertIn('is not valid UTF-8 text', r.stderr)
        r = self.chair.chairctl('show', 'a' * 63 + '\u00e9')
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("There is no program '%s...'" % ('a' * 63), r.stderr)


class TestBrokenPrograms(ChairTestCase):
    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix='chaird-broken-')
        self.path = os.path.join(self.dir, 'broken.program')
        with open(self.path, 'w') as f:
            f.write(EQUALS_ONLY)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        super().tearDown()

    def test_check_reports_instead_of_crashing(self):
        r = subprocess.run([CHAIRD, '--check', '--programs', PROGRAMS, '--programs', self.dir],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(self.path + ':7: a step starts with a technique', r.stderr)

    def test_start_up_skips_a_broken_file(self):
        """The daemon starts with the other programs and says what it skipped."""
        self.chair.close()
        self.chair = c = Chair(self.bus, extra=('--programs', self.dir))
        self.assertEqual(c.get('ProgramErrors'),
                         [[self.path, 7, "a step starts with a technique, such as 'knead "
                           "shoulders time=60s'; expected one of: glide, knead, tap, press, "
                           "roll, friction, vibrate, compress, stretch, rest"]])
        self.assertEqual(len(c.call('ListPrograms')[0]), 11)
        self.start('relax')
        self.assertEqual(c.state(), 'running')

    def test_reload_mid_session(self):
        """Reload during a session with a broken file: the session goes on,
        chairctl prints every problem and exits 1; once fixed, 0."""
        c = self.chair
        self.start('relax')
        with open(os.path.join(c.extra_dir, 'broken.program'), 'w') as f:
            f.write(EQUALS_ONLY.replace('knead neck time=60s', 'knead neck speed=2 speed=5 '
                                        'time=60s'))
        r = c.chairctl('reload')
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        path = os.path.join(c.extra_dir, 'broken.program')
        self.assertIn(path + ":6: option 'speed' is given twice on this step; give it once\n",
                      r.stderr)
        self.assertIn(path + ':7: a step starts with a technique', r.stderr)
        self.assertIn('2 problems above kept files from loading', r.stderr)
        self.assertEqual([e[1] for e in c.get('ProgramErrors')], [6, 7])
        self.assertEqual(c.state(), 'running')
        self.assertIn(path + ':7: a step starts with a technique', c.read_log())

        with open(path, 'w') as f:
            f.write(EQUALS_ONLY.replace('=\n', ''))
        r = c.chairctl('reload')
        self.assertEqual((r.returncode, r.stdout), (0, 'Programs reloaded.\n'), r.stderr)
        self.assertEqual(c.get('ProgramErrors'), [])
        self.assertIn('broken', [p[0] for p in c.call('ListPrograms')[0]])
        self.assertEqual(c.state(), 'running')


if __name__ == '__main__':
    main()
