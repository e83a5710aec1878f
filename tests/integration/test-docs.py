#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every command in README.md's "Using it" and the GPIO examples of
docs/porting.md that need no hardware, run as the text shows them, each
checked for what the text says it does. A command the test does not know
fails it, so the docs cannot grow a command that nobody runs."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chairtest import (BUILD, NAME, SIM, SRC, Bus, main,  # noqa: E402
                       wait_until)

PROGRAMS = os.path.join(SRC, 'data', 'programs')
N_PROGRAMS = len([f for f in os.listdir(PROGRAMS) if f.endswith('.program')])


def code_blocks(path, section):
    """The fenced code blocks of a markdown section: [(lang, [lines])]."""
    with open(path) as f:
        text = f.read()
    start = text.index('\n' + section + '\n')
    end = text.find('\n## ', start + 1)
    body = text[start:end if end >= 0 else len(text)]
    return [(m.group(1), m.group(2).splitlines())
            for m in re.finditer(r'^```(\w*)\n(.*?)^```$', body, re.M | re.S)]


def split_comment(line):
    """'cmd args   # what it does' -> ('cmd args', 'what it does')."""
    m = re.match(r'^(.*?)(?:\s+#\s*(.*))?$', line)
    return m.group(1).strip(), (m.group(2) or '').strip()


class Docs(unittest.TestCase):
    def setUp(self):
        self.bus = Bus()
        self.daemons = []
        self.env = dict(self.bus.env)
        self.env.pop('CHAIRCTL_BUS')
        # As the README says: the build tree's programs on PATH.
        self.env['PATH'] = '%s:%s:%s' % (os.path.join(BUILD, 'daemon'),
                                         os.path.join(BUILD, 'clients'), os.environ['PATH'])

    def tearDown(self):
        for p, log in self.daemons:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
            log.close()
        self.bus.close()

    def sh(self, cmd, cwd=SRC, timeout=120):
        return subprocess.run(['bash', '-c', cmd], cwd=cwd, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def busctl(self, *args):
        r = subprocess.run(['busctl', '--user', '--json=short'] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)['data'] if r.stdout.strip() else None

    def get(self, prop, iface=NAME):
        return self.busctl('get-property', NAME, '/org/chaird/Chair1', iface, prop)

    def has(self, prop):
        return subprocess.run(['busctl', '--user', 'get-property', NAME, '/org/chaird/Chair1',
                               NAME, prop], env=self.env, capture_output=True).returncode == 0

    def start_daemon(self, cmd, cwd=SRC):
        """Runs `cmd` (a chaird command line) in the background, as `&` does,
        and waits for it to take its name. Returns its log path."""
        log_path = os.path.join(self.bus.dir, 'chaird-%d.log' % len(self.daemons))
        log = open(log_path, 'w')
        p = subprocess.Popen(['bash', '-c', 'exec ' + cmd], cwd=cwd, env=self.env, stdout=log,
                             stderr=subprocess.STDOUT)
        self.daemons.append((p, log))
        r = subprocess.run(['gdbus', 'wait', '--session', '--timeout', '10', NAME], env=self.env)
        with open(log_path) as f:
            self.assertEqual(r.returncode, 0, 'chaird did not start: ' + f.read())

        def ready():
            with open(log_path) as f:
                return ' ready on ' in f.read()
        # It says so just after it takes the name.
        wait_until(ready, what='the ready line in the log')
        return log_path

    # --- README.md ---

    def test_readme_using_it(self):
        blocks = [b for lang, b in code_blocks(os.path.join(SRC, 'README.md'), '## Using it')
                  if lang == 'sh']
        self.assertEqual(len(blocks), 1)
        seen = []
        for line in blocks[0]:
            cmd, says = split_comment(line)
            if not cmd:
                continue
            with self.subTest(cmd=cmd):
                self.readme_command(cmd, says)
            seen.append(shlex.split(cmd.rstrip('&'))[:3])
        # The walk-through is whole: a chair, a session, and the stop.
        words = [' '.join(w) for w in seen]
        for must in ('chaird --sim --session', 'chairctl --session start',
                     'chairctl --session estop', 'chairctl --session reset'):
            self.assertTrue(any(w.startswith(must) for w in words), must)

    def readme_command(self, cmd, says):
        argv = shlex.split(cmd.rstrip('&'))
        if argv[0] == 'chaird':
            self.assertTrue(cmd.endswith('&'), 'chaird runs in the background: ' + cmd)
            log = self.start_daemon(cmd.rstrip('&'))
            self.scale = float(argv[argv.index('--time-scale') + 1])
            # "with the built-in programs": all of them, not 0.
            with open(log) as f:
                self.assertRegex(f.read(), r'ready on the session bus \(sim chair, %d programs\)'
                                 % N_PROGRAMS)
            self.assertEqual(self.get('Backend'), 'sim')
            return
        self.assertEqual(argv[:2], ['chairctl', '--session'], cmd)
        sub = argv[2]
        r = self.sh(cmd)
        self.assertEqual(r.returncode, 0, '%s: %s' % (cmd, r.stderr))
        if sub == 'programs':
            self.assertEqual(len(r.stdout.splitlines()), N_PROGRAMS + 1, r.stdout)
            if 'eleven' in says:
                self.assertEqual(N_PROGRAMS, 11)
        elif sub == 'show':
            self.assertIn('(%s)' % argv[3], r.stdout)
            if 'phase by phase' in says:
                for phase in ('warm-up', 'main', 'close'):
                    self.assertRegex(r.stdout, r'\n  %s\n' % phase)
        elif sub == 'start':
            opts = dict(zip(argv[3::2], argv[4::2]))
            self.assertEqual(r.stdout.splitlines()[0], 'Started %s.' % opts['--program'])
            self.assertEqual(self.get('State'), 'running')
            self.assertEqual(self.get('Program'), opts['--program'])
            self.minutes = int(opts.get('--minutes', 15))
            if '--minutes' in opts:
                self.assertEqual(self.get('DurationUSec'), int(opts['--minutes']) * 60000000)
            if '--intensity' in opts:
                self.assertEqual(self.get('Intensity'), int(opts['--intensity']))
            if '--avoid' in opts and self.has('Avoid'):
                self.assertIn(opts['--avoid'], self.get('Avoid'))
        elif sub == 'status':
            self.assertRegex(r.stdout, r'State: +running\n')
            if 'time left' in says:
                self.assertRegex(r.stdout, r'Progress: +\d+:\d\d of \d+:\d\d, \d+:\d\d left\n')
            if 'applied' in says and self.has('Avoid'):
                self.assertRegex(r.stdout, r'Avoid: +\S')
        elif sub == 'watch':
            self.assertIn('The session is complete.', r.stdout)
            m = re.search(r'\((\d+) s here\)', says)
            if m:  # the length the comment gives, at the time scale shown
                self.assertAlmostEqual(self.minutes * 60 / self.scale, int(m.group(1)), delta=1)
            if 'aftercare' in says and self.has('Aftercare'):
                self.assertIn('\nAftercare:\n', r.stdout)
        elif sub == 'estop':
            self.assertEqual(self.get('State'), 'emergency-stop')
            outputs = self.get('Outputs', iface=SIM)
            self.assertTrue(outputs and not any(outputs.values()), outputs)
        elif sub == 'reset':
            self.assertEqual(self.get('State'), 'idle')
            self.assertEqual(r.stdout, 'The chair is ready.\n')
        else:
            self.fail('no check for "%s"; add one to %s' % (cmd, __file__))

    # --- docs/porting.md ---

    def porting_commands(self, section):
        cmds = []
        for _, lines in code_blocks(os.path.join(SRC, 'docs', 'porting.md'), section):
            for i, line in enumerate(lines):
                if line.startswith('$ '):
                    out = []
                    for nxt in lines[i + 1:]:
                        if nxt.startswith('$ '):
                            break
                        out.append(nxt)
                    cmds.append((split_comment(line[2:]), out))
        return cmds

    def test_porting_gpio_tools(self):
        """The gpiod commands need a chip, and this machine may have none:
        each is checked to be libgpiod v2 syntax (v2 names the chip it could
        not find; v1 syntax makes v2 read the chip as a line or a value)."""
        if not shutil.which('gpioset'):
            self.skipTest('the gpiod tools are not installed')
        cmds = self.porting_commands('## 2. Find your lines')
        self.assertGreaterEqual(len(cmds), 4)
        for (cmd, says), out in cmds:
            argv = shlex.split(cmd)
            with self.subTest(cmd=cmd):
                self.assertIn(argv[0], ('gpiodetect', 'gpioinfo', 'gpioset', 'gpioget'))
                if argv[0] == 'gpiodetect':
                    self.assertEqual(len(argv), 1)
                    continue
                self.assertIn('-c', argv, cmd)
                chip = argv[argv.index('-c') + 1]
                # The same command on a chip no machine has.
                probe = ['gpiochip987' if a == chip else a for a in argv]
                r = subprocess.run(probe, capture_output=True, text=True, timeout=10)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("cannot find GPIO chip character device 'gpiochip987'", r.stderr,
                              '%s is not libgpiod v2 syntax' % cmd)
                if argv[0] == 'gpioset':
                    # "then off": the toggle sequence ends in 0, so gpioset exits.
                    periods = argv[argv.index('-t') + 1].split(',')
                    self.assertEqual(periods[-1], '0', cmd)
                    self.assertGreater(len(periods), 1, 'a single 0 exits at once: ' + cmd)

    def test_porting_rehearsal(self):
        """`chaird --check --config MAP` and `chaird --sim --config MAP`, with
        the installed paths standing for the source tree's files."""
        tmp = self.bus.dir
        conf = os.path.join(tmp, 'chaird.conf')
        shutil.copy(os.path.join(SRC, 'data', 'chaird.conf'), conf)
        paths = {'/etc/chaird/chaird.conf': conf, '/usr/share/chaird/programs': PROGRAMS}
        cmds = self.porting_commands('### Rehearse the map on the simulator')
        self.assertEqual([c[0][0].split()[:2] for c in cmds],
                         [['chaird', '--check'], ['chaird', '--sim']])
        for (cmd, _), out in cmds:
            for k, v in paths.items():
                cmd = cmd.replace(k, v)
            # An installed chaird reads its programs by itself.
            if '--programs' not in cmd:
                cmd += ' --programs ' + PROGRAMS
            first = out[0]
            for k, v in paths.items():
                first = first.replace(k, v)
            first = first.replace('0.1.0', r'\S+')
            with self.subTest(cmd=cmd):
                if '--sim' in cmd:
                    log = self.start_daemon(cmd)
                    with open(log) as f:
                        self.assertRegex(f.read(), re.escape(first).replace(re.escape(r'\S+'),
                                                                             r'\S+'))
                    # It has the map's chair: its heaters and airbags.
                    caps = self.get('Capabilities')
                    self.assertEqual(sorted(caps['heaters']['data']), ['calves', 'lumbar'])
                    r = self.sh('chairctl --session start --program relax')
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(self.get('State'), 'running')
                else:
                    r = self.sh(cmd)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout.splitlines()[0], first)


if __name__ == '__main__':
    main()
