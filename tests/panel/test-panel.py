#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The real chair-panel in a real X server (Xvfb), against the real
chaird --sim --session on a private bus. xdotool taps the screen; gdbus
checks what the daemon did. A PNG of each screen is kept in the build
directory. Exits 77 (skipped) where Xvfb, xdotool, ImageMagick or the panel
(GTK 4) is missing."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'integration'))
from chairtest import BUILD, PROGRAMS, Bus, Chair, main, wait_until  # noqa: E402

PANEL = os.path.join(BUILD, 'clients', 'chair-panel', 'chair-panel')
SHOTS = os.path.join(BUILD, 'panel-screens')
SCREENS = ('home', 'setup', 'timeline', 'running', 'estop', 'fault', 'finished', 'waiting')


def missing():
    for tool in ('Xvfb', 'xdotool', 'import', 'identify'):
        if not shutil.which(tool):
            return tool
    if not os.access(PANEL, os.X_OK):
        return 'chair-panel (GTK 4)'
    return None


class Panel:
    def __init__(self, bus, display):
        self.bus = bus
        self.display = display
        self.layout_path = os.path.join(bus.dir, 'layout.json')
        env = dict(bus.env, DISPLAY=display, GDK_BACKEND='x11', GSK_RENDERER='cairo',
                   NO_AT_BRIDGE='1', CHAIR_PANEL_LAYOUT=self.layout_path,
                   CHAIR_PANEL_PROGRAMS=PROGRAMS,
                   CHAIR_PANEL_WINDOWED='1')
        self.log = open(os.path.join(bus.dir, 'panel.log'), 'w')
        self.proc = subprocess.Popen([PANEL, '--session'], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.xenv = dict(os.environ, DISPLAY=display)

    def layout(self):
        try:
            with open(self.layout_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def wait_screen(self, screen, timeout=15):
        def ok():
            d = self.layout()
            return d if d and d['screen'] == screen else None
        return wait_until(ok, timeout, 'the %s screen (now %s)' % (
            screen, (self.layout() or {}).get('screen')))

    def tap(self, name):
        d = self.layout()
        x, y, w, h = d['widgets'][name]
        subprocess.run(['xdotool', 'mousemove', str(x + w // 2), str(y + h // 2), 'click', '1'],
                       env=self.xenv, check=True)

    def window_title(self):
        r = subprocess.run(['xdotool', 'search', '--name', 'Chair panel', 'getwindowname'],
                           env=self.xenv, capture_output=True, text=True)
        return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''

    def screenshot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, name + '.png')
        # The layout the test waited on is written after the frame that
        # shows it was painted, so the screen is already drawn.
        subprocess.run(['import', '-window', 'root', path], env=self.xenv, check=True)
        return path

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()


class TestPanel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.xvfb = subprocess.Popen(['Xvfb', '-displayfd', '1', '-screen', '0', '1280x800x24',
                                     '-nolisten', 'tcp'], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
        cls.display = ':' + cls.xvfb.stdout.readline().decode().strip()
        cls.bus = Bus()
        cls.chair = Chair(cls.bus, scale=20)
        cls.panel = Panel(cls.bus, cls.display)
        cls.panel.wait_screen('home')
        wait_until(lambda: 'program-swedish' in cls.panel.layout()['widgets'], 10, 'programs')

    @classmethod
    def tearDownClass(cls):
        cls.panel.close()
        cls.chair.close()
        cls.bus.close()
        cls.xvfb.terminate()
        cls.xvfb.wait()

    def go_home(self):
        c, p = self.chair, self.panel
        if c.state() in ('running', 'paused'):
            c.call('Stop')
        wait_until(lambda: c.state() in ('idle', 'emergency-stop', 'fault'), 30, 'the chair at rest')
        if c.state() != 'idle':
            c.call('ClearFaults', iface='org.chaird.Simulator1')
            c.call('SetEmergencyButton', 'b', 'false', iface='org.chaird.Simulator1')
            c.call('Reset')
        d = p.layout()
        if d['screen'] == 'finished':
            p.tap('finished-done')
        elif d['screen'] == 'setup':
            p.tap('setup-back')
        p.wait_screen('home')

    def test_1_start_softer_stop_reset(self):
        c, p = self.chair, self.panel
        p.screenshot('home')
        p.tap('program-swedish')
        p.wait_screen('setup')
        p.screenshot('setup')
        p.tap('setup-start')
        wait_until(lambda: c.state() == 'running', 10, 'State running')
        self.assertEqual(c.get('Program'), 'swedish')
        p.wait_screen('running')
        wait_until(lambda: p.layout()['texts']['run-step'], 10, 'a step shown')
        p.screenshot('running')

        # Softer: one tap, intensity down by one.
        before = c.get('Intensity')
        p.tap('run-intensity-less')
        wait_until(lambda: c.get('Intensity') == before - 1, 5, 'Intensity %d' % (before - 1))

        # STOP: the emergency stop, from the red button.
        p.tap('panel-stop')
        wait_until(lambda: c.state() == 'emergency-stop', 5, 'State emergency-stop')
        self.assertFalse(any(c.outputs().values()))
        p.wait_screen('estop')
        # A reset refused while the button is held says why.
        c.call('SetEmergencyButton', 'b', 'true', iface='org.chaird.Simulator1')
        p.tap('estop-reset')
        wait_until(lambda: 'still pressed' in p.layout()['texts']['estop-reason'], 5,
                   'the reason a reset is refused')
        p.screenshot('estop')
        c.call('SetEmergencyButton', 'b', 'false', iface='org.chaird.Simulator1')
        p.tap('estop-reset')
        wait_until(lambda: c.state() == 'idle', 5, 'State idle')
        p.wait_screen('home')
        self.assertFalse(any(c.outputs().values()))

    def test_2_refusal_is_shown(self):
        c, p = self.chair, self.panel
        self.go_home()
        n = len(c.finished())
        p.tap('program-deep-tissue')
        p.wait_screen('setup')
        p.tap('condition-nerve-pain')
        p.tap('setup-start')
        d = wait_until(lambda: p.layout() if p.layout()['texts']['refusal'] else None, 5,
                       'the refusal')
        self.assertIn('not suitable with nerve pain', d['texts']['refusal'])
        self.assertIn('setup-refusal', d['widgets'])  # on screen, for the person
        for name in ('setup-refusal', 'setup-start', 'setup-back'):
            x, y, w, h = d['widgets'][name]
            self.assertLessEqual(y + h, 800, '%s is off the screen' % name)
        self.assertEqual(c.state(), 'idle')
        self.assertEqual(len(c.finished()), n)
        p.screenshot('refused')
        p.tap('setup-back')
        p.wait_screen('home')

    def test_2b_before_you_start_timeline(self):
        """Preview shows the session the choices make, drawn again as the
        person taps a zone on the body."""
        p = self.panel
        self.go_home()
        p.tap('program-swedish')
        p.wait_screen('setup')
        p.tap('setup-preview')
        d = wait_until(lambda: (lambda d: d if 'setup-timeline' in d['widgets'] and
                                d['texts']['timeline'] else None)(p.layout()), 10, 'the timeline')
        self.assertEqual(d['texts']['timeline'], '15 minutes. Deepest pressure: 2 of 4.')
        x, y, w, h = d['widgets']['setup-timeline']
        self.assertGreaterEqual((w, h), (600, 300))
        for name in ('setup-timeline', 'setup-start', 'setup-preview'):
            x, y, w, h = d['widgets'][name]
            self.assertLessEqual(y + h, 800, '%s is off the screen' % name)
        self.assertNotIn('intensity-less', d['widgets'])  # the options make way
        plain = p.screenshot('timeline')

        # Twice on the lower back: avoid it. The caption says what the chair
        # did there, from the session run with that choice.
        p.tap('zone-lower-back')
        wait_until(lambda: 'Lower back: ' in p.layout()['texts']['timeline'], 10, 'the focus')
        p.tap('zone-lower-back')
        d = wait_until(lambda: (lambda d: d if 'Lower back: no pressure.' in d['texts']['timeline']
                                else None)(p.layout()), 10, 'no pressure on the lower back')
        avoided = p.screenshot('timeline-avoid')
        pixels = [subprocess.run(['convert', f, 'rgb:-'], capture_output=True, check=True).stdout
                  for f in (plain, avoided)]
        self.assertNotEqual(pixels[0], pixels[1])

        p.tap('setup-preview')
        wait_until(lambda: 'intensity-less' in p.layout()['widgets'], 5, 'the options again')
        p.tap('setup-back')
        p.wait_screen('home')

    def test_3_fault_screen(self):
        c, p = self.chair, self.panel
        self.go_home()
        c.call('Start', 'sa{sv}', 'relax', '0')
        p.wait_screen('running')
        c.call('InjectFault', 's', 'motor-driver-fault', iface='org.chaird.Simulator1')
        p.wait_screen('fault')
        p.tap('fault-reset')
        wait_until(lambda: 'motor driver still reports a fault' in p.layout()['texts']['fault-reason'],
                   5, 'the reason a reset is refused')
        p.screenshot('fault')
        c.call('ClearFaults', iface='org.chaird.Simulator1')
        p.tap('fault-reset')
        wait_until(lambda: c.state() == 'idle', 5, 'State idle')
        p.wait_screen('home')

    def test_4_session_end(self):
        c, p = self.chair, self.panel
        self.go_home()
        c.call('Start', 'sa{sv}', 'energize', '1', 'duration_usec', 't', str(5 * 60 * 1000000))
        p.wait_screen('running')
        d = p.wait_screen('finished', timeout=60)
        self.assertEqual(d['texts']['finished'], 'Your massage is complete.')
        p.screenshot('finished')
        p.tap('finished-done')
        p.wait_screen('home')

    def test_5_waiting_and_recovery(self):
        c, p = self.chair, self.panel
        self.go_home()
        c.close()
        # What the person sees: the window title says it.
        wait_until(lambda: p.window_title() == 'Chair panel — Waiting for the chair', 10,
                   'the waiting screen')
        p.wait_screen('waiting')
        p.screenshot('waiting')
        # STOP with no daemon: the screen says it did not reach the chair,
        # and what to do instead.
        p.tap('panel-stop')
        alert = wait_until(lambda: p.layout()['texts']['stop-alert'] or None, 10,
                           'the stop alert')
        self.assertIn('did not reach the chair', alert)
        self.assertIn('red stop button on the chair itself', alert)
        self.assertIn('stop-alert', p.layout()['widgets'])
        type(self).chair = Chair(self.bus, scale=20)
        wait_until(lambda: p.window_title() == 'Chair panel — Choose a massage', 10,
                   'the panel to recover')
        p.wait_screen('home')
        wait_until(lambda: not p.layout()['texts']['stop-alert'], 10, 'the alert to clear')
        wait_until(lambda: 'program-relax' in p.layout()['widgets'], 10, 'programs again')
        p.tap('program-relax')
        p.wait_screen('setup')
        p.tap('setup-start')
        wait_until(lambda: self.chair.state() == 'running', 10, 'a session after recovery')

    def test_6_screenshots(self):
        """Each screen's picture is there, not blank, and unlike the others."""
        digests = {}
        for name in SCREENS:
            path = os.path.join(SHOTS, name + '.png')
            self.assertTrue(os.path.exists(path), name)
            colors = int(subprocess.run(['identify', '-format', '%k', path], capture_output=True,
                                        text=True, check=True).stdout)
            self.assertGreater(colors, 16, '%s looks blank' % name)
            pixels = subprocess.run(['convert', path, 'rgb:-'], capture_output=True, check=True).stdout
            digests[name] = hashlib.sha256(pixels).hexdigest()
        self.assertEqual(len(set(digests.values())), len(SCREENS), digests)


if __name__ == '__main__':
    what = missing()
    if what:
        print('SKIP: %s is missing' % what)
        sys.exit(77)
    main()
