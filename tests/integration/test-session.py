#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a session applied, told honestly: the session properties, idle
meaning idle, the session's end signalled when the chair is ready, the
aftercare, and chairs with fewer parts (chaird --sim --config MAP)."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import Bus, Chair, ChairTestCase, main, wait_until  # noqa: E402

IDLE = {'Program': '', 'Step': '', 'Zone': '', 'ElapsedUSec': 0, 'DurationUSec': 0,
        'Intensity': 0, 'Heat': 0, 'Focus': '', 'Avoid': [], 'Conditions': [], 'Phase': '',
        'PauseReason': '', 'Adjustments': []}

# A simpler chair: walk motor with encoder, a kneading motor that turns one
# way, four airbags, one heater, no depth motor, no tap, no recline.
SIMPLE_MAP = """
[chair]
max-session-min = 15
[input estop]
line = gpiochip9 1
[input seat]
line = gpiochip9 2
[output walk-up]
line = gpiochip9 3
[output walk-down]
line = gpiochip9 4
[input walk-top]
line = gpiochip9 5
[input walk-bottom]
line = gpiochip9 6
[input walk-encoder]
line = gpiochip9 7
[output knead-cw]
line = gpiochip9 8
[output pump]
line = gpiochip9 9
[output valve-shoulders]
line = gpiochip9 10
[output valve-arms]
line = gpiochip9 11
[output valve-calves]
line = gpiochip9 12
[output valve-feet]
line = gpiochip9 13
[output heat-lumbar]
line = gpiochip9 14
[heater lumbar]
sensor = {sensor}
"""


class TestSessionState(ChairTestCase):
    # The seat grace (30 s of chair time) must outlast a few calls here.
    scale = 10

    def props(self):
        r = self.chair.busctl('call', 'org.chaird.Chair1', '/org/chaird/Chair1',
                              'org.freedesktop.DBus.Properties', 'GetAll', 's',
                              'org.chaird.Chair1')
        import json
        return {k: v['data'] for k, v in json.loads(r.stdout)['data'][0].items()}

    def assert_idle(self):
        p = self.props()
        self.assertEqual(p['State'], 'idle')
        for k, v in IDLE.items():
            self.assertEqual(p[k], v, k)

    def test_applied_and_why(self):
        c = self.chair
        self.assert_idle()
        self.start('relax', focus=('s', 'shoulders'), avoid=('as', ['neck']),
                   conditions=('as', ['pregnancy']), heat=('u', 2))
        p = self.props()
        self.assertEqual(p['Focus'], 'shoulders')
        self.assertEqual(p['Conditions'], ['pregnancy'])
        for z in ('neck', 'lower-back', 'sacrum', 'hips'):
            self.assertIn(z, p['Avoid'])
        self.assertEqual(p['Heat'], 0)
        self.assertIn('Heat is off: no heat during pregnancy.', p['Adjustments'])
        self.assertEqual(p['Phase'], 'warm-up')
        self.assertEqual(p['Aftercare'], [])
        c.call('Pause')
        self.assertEqual(c.get('PauseReason'), 'requested')
        c.call('Resume')
        self.assertEqual(c.get('PauseReason'), '')
        c.call('SetOccupied', 'b', 'false', iface='org.chaird.Simulator1')
        self.assertEqual(c.get('PauseReason'), 'seat-empty')
        c.call('SetOccupied', 'b', 'true', iface='org.chaird.Simulator1')
        c.call('Stop')
        # The end is told when the chair is ready: a Start right after works.
        fin = c.wait_finished()
        self.assertEqual(fin[0][:2], ('relax', 'stopped'))
        self.assertEqual(c.state(), 'idle')
        self.assert_idle()
        care = c.get('Aftercare')
        self.assertIn('Drink a glass of water.', care)
        self.assertIn('Keep the calm: a quiet hour afterwards helps the effect last.', care)
        progs = {p[0]: p[2] for p in c.call('ListPrograms')[0]}
        self.assertIn('Keep the calm: a quiet hour afterwards helps the effect last.',
                      progs['relax']['aftercare']['data'])
        self.assertTrue(any('turning onto your side' in a for a in care), care)
        self.assertFalse(any('warm bath' in a for a in care), care)
        self.assertFalse(any(a.startswith('Stretch') and 'neck' in a for a in care), care)
        self.start('energize')
        self.assertEqual(c.get('Aftercare'), [])
        c.call('Stop')

    def test_inflammation_aftercare(self):
        c = self.chair
        self.start('deep-tissue', avoid=('as', ['lower-back']), conditions=('as', ['inflammation']),
                   intensity=('u', 4), heat=('u', 2))
        self.assertIn('The back heater is off: no heat on a swollen or inflamed area.',
                      c.get('Adjustments'))
        c.call('Stop')
        c.wait_finished()
        care = c.get('Aftercare')
        # The program's own advice, from its file.
        self.assertIn('Give the worked muscles a day before hard exercise.', care)
        self.assertTrue(any('cool pack' in a for a in care), care)
        self.assertFalse(any('warm bath' in a for a in care), care)
        self.assertTrue(any('soreness' in a for a in care), care)


class TestSimpleChair(ChairTestCase):
    scale = 100

    def setUp(self):
        self.bus = Bus()
        sensor = os.path.join(self.bus.dir, 'lumbar-temp')
        with open(sensor, 'w') as f:
            f.write('30000\n')
        path = os.path.join(self.bus.dir, 'simple.conf')
        with open(path, 'w') as f:
            f.write(SIMPLE_MAP.format(sensor=sensor))
        self.chair = Chair(self.bus, scale=self.scale, extra=('--config', path))

    def test_capabilities_are_exact(self):
        caps = self.chair.get('Capabilities')
        techs = caps['techniques']['data']
        for t in ('glide', 'knead', 'roll', 'friction', 'compress', 'rest'):
            self.assertIn(t, techs)
        for t in ('tap', 'vibrate', 'stretch', 'press'):
            self.assertNotIn(t, techs)
        self.assertEqual(caps['max_depth']['data'], 0)
        self.assertEqual(caps['air_zones']['data'], ['shoulders', 'arms', 'calves', 'feet'])
        self.assertEqual(caps['heaters']['data'], ['lumbar'])
        self.assertEqual(caps['max_duration_usec']['data'], 15 * 60 * 1000000)

    def test_stop_reaches_idle_without_depth_motor(self):
        c = self.chair
        # A 20-minute program on a chair capped at 15 minutes: it says so.
        self.start('myofascial-release')
        self.assertEqual(c.get('DurationUSec'), 15 * 60 * 1000000)
        adj = c.get('Adjustments')
        self.assertTrue(any('lasts 15 minutes, not 20' in a for a in adj), adj)
        self.assertTrue(any('adapted to what this chair has' in a for a in adj), adj)
        wait_until(lambda: c.get('ElapsedUSec') > 20 * 1000000, 20, 'the session to run')
        c.call('Stop')
        c.wait_state('idle', timeout=20)
        self.assertTrue(all(not v for v in c.outputs().values()))
        # The depth never went out: the trace says so.
        self.assertTrue(all(line['depth'] == 0 for line in c.trace()))


class TestFeedback(ChairTestCase):
    scale = 50

    def wait_zone_working(self, c):
        """Waits until the roller kneads or presses on a back zone."""
        def working():
            t = c.trace()[-1]
            o = t['outputs']
            if t['zone'] and (o.get('knead-cw') or o.get('knead-ccw') or t['depth'] > 0):
                return t['zone']
            return None
        return wait_until(working, 30, 'the roller at work on a zone')

    def test_hurts_here(self):
        c = self.chair
        self.start('deep-tissue', intensity=('u', 4))
        self.wait_zone_working(c)
        c.call('Feedback', 's', 'hurts-here')
        p = c.get('Avoid')
        lines = c.trace()
        at = max(i for i, t in enumerate(lines) if t.get('feedback') == 'hurts-here')
        zone = lines[at]['zone']
        self.assertIn(zone, p)
        self.assertTrue(any('you said it hurt' in a for a in c.get('Adjustments')))
        # Within one control step the depth is on its way home.
        self.assertFalse(lines[at]['outputs'].get('depth-in'))
        wait_until(lambda: c.get('ElapsedUSec') > lines[at]['t_usec'] - lines[0]['t_usec'] + 120e6,
                   30, 'two more minutes of the session')
        for t in c.trace()[at + 1:]:
            if t['zone'] != zone:
                continue
            o = t['outputs']
            self.assertFalse(o.get('depth-in') or o.get('knead-cw') or o.get('knead-ccw') or
                             o.get('tap'), t)
        c.call('Stop')

    def test_more_here_and_intensity(self):
        c = self.chair
        self.start('swedish', duration_usec=('t', 5 * 60 * 1000000))
        zone = self.wait_zone_working(c)
        c.call('Feedback', 's', 'more-here')
        zone = c.get('Focus')
        self.assertTrue(zone)
        r = c.chairctl('feedback', 'too-strong')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Intensity 2: you said it was too strong.', r.stdout)
        self.assertEqual(c.get('Intensity'), 2)
        r = c.chairctl('feedback', 'too-stong')
        self.assertEqual(r.returncode, 2)
        self.assertIn('did you mean too-strong?', r.stderr)
        c.call('Feedback', 's', 'too-soft')
        self.assertEqual(c.get('Intensity'), 3)
        self.assertEqual(c.gdbus_error('Feedback', 'tickles')[0],
                         'org.freedesktop.DBus.Error.InvalidArgs')
        c.wait_finished(timeout=60)
        lines = c.trace()
        at = max(i for i, t in enumerate(lines) if t.get('feedback') == 'more-here')
        spent = {}
        for a, b in zip(lines[at:], lines[at + 1:]):
            if a['state'] == 'running' and a['zone']:
                spent[a['zone']] = spent.get(a['zone'], 0) + b['t_usec'] - a['t_usec']
        self.assertEqual(max(spent, key=spent.get), zone, spent)


class TestEveryProgramOnPartialChairs(ChairTestCase):
    """Every built-in program runs to its end, through the daemon, on a chair
    with no depth motor and on one whose map says max-depth = 0."""
    scale = 1000

    def setUp(self):
        self.bus = Bus()
        sensor = os.path.join(self.bus.dir, 'lumbar-temp')
        with open(sensor, 'w') as f:
            f.write('30000\n')
        self.maps = {}
        simple = os.path.join(self.bus.dir, 'simple.conf')
        with open(simple, 'w') as f:
            f.write(SIMPLE_MAP.format(sensor=sensor).replace('max-session-min = 15', ''))
        self.maps['no depth motor'] = simple
        shallow = os.path.join(self.bus.dir, 'shallow.conf')
        with open(os.path.join(os.environ.get('CHAIRD_SOURCE_DIR', '.'), 'data',
                               'chaird.conf')) as f:
            text = f.read()
        with open(shallow, 'w') as f:
            self.assertIn('max-depth = 4 ', text)
            f.write(text.replace('max-depth = 4 ', 'max-depth = 0 ', 1))
        self.maps['max-depth 0'] = shallow
        self.chair = None

    def test_every_program(self):
        for what, path in self.maps.items():
            self.chair = Chair(self.bus, scale=self.scale, extra=('--config', path))
            c = self.chair
            programs = sorted(p[0] for p in c.call('ListPrograms')[0])
            self.assertEqual(len(programs), 11)
            for n, prog in enumerate(programs, 1):
                self.start(prog, duration_usec=('t', 5 * 60 * 1000000))
                fin = c.wait_finished(n, timeout=60)[n - 1]
                self.assertEqual(fin, (prog, 'completed', 5 * 60 * 1000000), what)
                c.wait_state('idle')
                self.assertEqual(c.get('Faults'), [], (what, prog))
            self.assertTrue(all(line['depth'] == 0 for line in c.trace()), what)
            c.close()


if __name__ == '__main__':
    main()
