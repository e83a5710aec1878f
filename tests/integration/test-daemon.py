#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chaird's D-Bus API, end to end: the real daemon on a private bus, driven
with chairctl, busctl and gdbus."""

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import (CHAIRCTL, IFACE, NAME, PATH, SIM, SRC, STOP_CLIENT,  # noqa: E402
                       STOP_NAME, Bus, CallMonitor, Chair, ChairTestCase, main,
                       wait_until)

E = 'org.chaird.Chair1.Error.'
INVALID = 'org.freedesktop.DBus.Error.InvalidArgs'


def all_off(outputs):
    return not any(outputs.values())


class TestApi(ChairTestCase):
    def test_introspection_is_the_xml(self):
        """The served interfaces are exactly those of data/*.xml."""
        r = self.chair.run(['gdbus', 'introspect', '--session', '--dest', NAME,
                            '--object-path', PATH, '--xml'])
        self.assertEqual(r.returncode, 0, r.stderr)
        served = {i.get('name'): i for i in ET.fromstring(r.stdout).findall('interface')}
        for f in ('org.chaird.Chair1.xml', 'org.chaird.Simulator1.xml'):
            src = ET.parse(os.path.join(SRC, 'data', f)).getroot().find('interface')
            got = served[src.get('name')]
            for kind in ('method', 'property', 'signal'):
                want = {(e.get('name'), tuple((a.get('type'), a.get('direction'))
                                              for a in e.findall('arg')), e.get('type'))
                        for e in src.findall(kind)}
                have = {(e.get('name'), tuple((a.get('type'), a.get('direction'))
                                              for a in e.findall('arg')), e.get('type'))
                        for e in got.findall(kind)}
                self.assertEqual(want, have, '%s %ss differ' % (src.get('name'), kind))
        # busctl walks down from / to the object.
        r = self.chair.run(['busctl', '--user', 'tree', NAME])
        self.assertIn(PATH, r.stdout)

    def test_get_all_and_capabilities(self):
        r = self.chair.busctl('call', NAME, PATH, 'org.freedesktop.DBus.Properties', 'GetAll',
                              's', IFACE)
        self.assertEqual(r.returncode, 0, r.stderr)
        import json
        props = json.loads(r.stdout)['data'][0]
        self.assertEqual(set(props), {
            'State', 'Program', 'Step', 'Zone', 'ElapsedUSec', 'DurationUSec', 'Intensity',
            'Heat', 'Occupied', 'Temperatures', 'Faults', 'ShoulderMm', 'Capabilities',
            'Backend', 'Version', 'Focus', 'Avoid', 'Conditions', 'Phase', 'PauseReason',
            'Profile', 'Adjustments', 'Aftercare', 'ProgramErrors'})
        self.assertEqual(props['State']['data'], 'idle')
        self.assertEqual(props['Backend']['data'], 'sim')
        caps = props['Capabilities']['data']
        self.assertEqual(caps['zones']['data'], ['neck', 'shoulders', 'upper-back', 'mid-back',
                                                 'lower-back', 'sacrum'])
        self.assertEqual(len(caps['techniques']['data']), 10)
        self.assertEqual(caps['max_depth']['data'], 4)
        self.assertEqual(caps['heaters']['data'], ['lumbar', 'calves'])
        self.assertEqual(caps['track_length_mm']['data'], 720)
        self.assertEqual(set(self.chair.get('Temperatures')), {'lumbar', 'calves'})
        name, msg = self.chair.gdbus_error('Set', IFACE, 'State', "<'running'>",
                                           iface='org.freedesktop.DBus.Properties')
        self.assertEqual(name, 'org.freedesktop.DBus.Error.PropertyReadOnly')

    def test_list_programs(self):
        programs = self.chair.call('ListPrograms')[0]
        ids = sorted(p[0] for p in programs)
        self.assertEqual(ids, sorted(['swedish', 'deep-tissue', 'trigger-point', 'shiatsu',
                                      'hot-stone', 'sports', 'myofascial-release',
                                      'craniosacral', 'lower-back', 'relax', 'energize']))
        dt = next(p for p in programs if p[0] == 'deep-tissue')
        self.assertEqual(dt[1], 'Deep tissue')
        details = dt[2]
        self.assertEqual(details['duration_usec']['data'], 15 * 60 * 1000000)
        self.assertEqual(details['character']['data'], 'neutral')
        self.assertEqual(details['not_for']['data'], ['nerve-pain'])
        self.assertIn('knead', details['techniques']['data'])
        self.assertTrue(details['description']['data'].startswith('Slow, concentrated'))
        self.assertGreater(len(details['steps']['data']), 5)

    def test_methods_succeed(self):
        c = self.chair
        self.start('relax', intensity=('u', 2), heat=('u', 1))
        c.wait_state('running')
        self.assertEqual(c.get('Program'), 'relax')
        self.assertEqual(c.get('Intensity'), 2)
        self.assertEqual(c.get('DurationUSec'), 20 * 60 * 1000000)
        wait_until(lambda: c.get('Step') != '', what='a step')
        c.call('SetIntensity', 'u', 5)
        self.assertEqual(c.get('Intensity'), 5)
        c.call('SetHeat', 'u', 3)
        self.assertEqual(c.get('Heat'), 3)
        c.call('Pause')
        self.assertEqual(c.state(), 'paused')
        at = c.get('ElapsedUSec')
        wait_until(lambda: not any(v for k, v in c.outputs().items()
                                   if k.startswith(('walk', 'knead', 'tap', 'heat', 'valve', 'pump'))),
                   what='motion off while paused')
        time.sleep(0.3)  # 9 s of chair time: the clock must not move
        self.assertEqual(c.get('ElapsedUSec'), at)
        c.call('Pause')  # idempotent
        c.call('Resume')
        self.assertEqual(c.state(), 'running')
        c.call('Stop')
        self.assertEqual(c.wait_finished()[0][:2], ('relax', 'stopped'))
        c.wait_state('idle')
        self.assertTrue(all_off(c.outputs()))
        c.call('Stop')  # idempotent when idle
        c.call('Reload')
        c.call('Scan')
        self.assertTrue(abs(c.get('ShoulderMm') - 580) <= 3)
        self.assertEqual(c.state(), 'idle')
        c.call('EmergencyStop')
        self.assertEqual(c.state(), 'emergency-stop')
        c.call('Reset')
        self.assertEqual(c.state(), 'idle')
        c.call('Reset')  # nothing to clear: still fine

    def test_full_session_completes_on_time(self):
        c = self.chair
        c.close()
        self.chair = c = Chair(self.bus, scale=100)
        self.start('energize', duration_usec=('t', 5 * 60 * 1000000))
        finished = c.wait_finished(timeout=30)
        self.assertEqual(finished[0], ('energize', 'completed', 5 * 60 * 1000000))
        c.wait_state('idle')
        last = c.trace()[-1]
        self.assertEqual(last['state'], 'idle')
        self.assertTrue(all_off(last['outputs']))
        # The trace has the fields the design names, and motion happened.
        for key in ('t_usec', 'state', 'step', 'zone', 'position_mm', 'depth', 'outputs',
                    'temperatures'):
            self.assertIn(key, last)
        self.assertTrue(any(t['outputs']['knead-cw'] for t in c.trace()))
        self.assertTrue(any(t['outputs']['tap'] for t in c.trace()))

    def test_progress_rate(self):
        """ElapsedUSec goes out at 2 Hz at most, batched with the rest."""
        c = self.chair
        self.start('swedish')
        c.wait_state('running')
        size0 = os.path.getsize(c.monitor_path)
        time.sleep(3.0)
        with open(c.monitor_path) as f:
            f.seek(size0)
            text = f.read()
        n = len(re.findall(r"PropertiesChanged \('org.chaird.Chair1', \{[^\n]*'ElapsedUSec'", text))
        self.assertGreaterEqual(n, 4)
        self.assertLessEqual(n, 7)


class TestReload(ChairTestCase):
    def ids(self):
        return sorted(p[0] for p in self.chair.call('ListPrograms')[0])

    def test_reload_and_sighup(self):
        c = self.chair
        before = self.ids()
        with open(os.path.join(c.extra_dir, 'neck.program'), 'w') as f:
            f.write('id = neck-relief\nname = Neck relief\ndescription = Gentle neck work.\n'
                    'duration = 10min\n[main]\nknead neck speed=2 depth=1 time=60s\n')
        c.call('Reload')
        self.assertEqual(self.ids(), sorted(before + ['neck-relief']))
        # An override by id from the later directory.
        with open(os.path.join(c.extra_dir, 'relax.program'), 'w') as f:
            f.write('id = relax\nname = Relax (local)\ndescription = A local version.\n'
                    'duration = 10min\n[main]\nglide neck..sacrum speed=1 time=60s\n')
        # A broken file: reported with file:line, skipped; the others stay.
        with open(os.path.join(c.extra_dir, 'broken.program'), 'w') as f:
            f.write('id = broken\nname = B\ndescription = d\nduration = 10min\n[main]\n'
                    'rub neck time=60s\n')
        c.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: 'broken.program:6: unknown technique' in c.read_log(),
                   what='the reload to report the broken file')
        programs = {p[0]: p[1] for p in c.call('ListPrograms')[0]}
        self.assertEqual(programs['relax'], 'Relax (local)')
        self.assertNotIn('broken', programs)
        self.assertIn('neck-relief', programs)
        self.assertEqual(len(programs), len(before) + 1)
        self.start('neck-relief')
        self.assertEqual(c.state(), 'running')


class TestErrors(ChairTestCase):
    def test_every_error_name(self):
        c = self.chair
        self.assertEqual(c.gdbus_error('Start', 'nope', '{}'),
                         (E + 'UnknownProgram',
                          "There is no program 'nope'. ListPrograms() (or 'chairctl programs') "
                          "lists the programs."))
        self.assertEqual(c.gdbus_error('Pause'),
                         (E + 'NotRunning', 'No session is running. Start a program first.'))
        self.assertEqual(c.gdbus_error('SetIntensity', 'uint32 2')[0], E + 'NotRunning')
        self.assertEqual(c.gdbus_error('Start', 'deep-tissue', "{'conditions': <['nerve-pain']>}"),
                         (E + 'Contraindicated',
                          'The deep-tissue program is not suitable with nerve pain. Choose a '
                          'gentler program such as relax or craniosacral.'))
        c.call('SetOccupied', 'b', 'false', iface=SIM)
        self.assertEqual(c.gdbus_error('Start', 'relax', '{}'),
                         (E + 'SeatEmpty', 'Nobody is seated. Sit down in the chair, then try again.'))
        c.call('SetOccupied', 'b', 'true', iface=SIM)
        self.start('relax')
        self.assertEqual(c.gdbus_error('Start', 'relax', '{}'),
                         (E + 'Busy', 'A session (relax) is already running. Stop it first.'))
        c.call('EmergencyStop')
        name, msg = c.gdbus_error('Start', 'relax', '{}')
        self.assertEqual(name, E + 'EmergencyStop')
        self.assertIn('Release the stop button, then reset', msg)
        c.call('Reset')
        c.call('InjectFault', 's', 'motor-driver-fault', iface=SIM)
        c.wait_state('fault')
        name, msg = c.gdbus_error('Start', 'relax', '{}')
        self.assertEqual(name, E + 'Fault')
        name, msg = c.gdbus_error('Reset')
        self.assertEqual(name, E + 'Fault')
        self.assertIn('motor driver still reports a fault', msg)
        c.call('ClearFaults', iface=SIM)
        c.call('Reset')
        self.assertEqual(c.state(), 'idle')

    def test_invalid_args(self):
        c = self.chair
        cases = [
            (('Start', 'relax', "{'intensity': <uint32 9>}"),
             'intensity 9 is out of range; use 1 (softest) to 5 (firmest)'),
            (('Start', 'relax', "{'speed': <uint32 3>}"),
             "Unknown option 'speed'; the options are duration_usec, intensity, focus, avoid, heat "
             "and conditions."),
            (('Start', 'relax', "{'intensity': <'high'>}"),
             "Option 'intensity' must be a number (u) from 1 (softest) to 5 (firmest)."),
            (('Start', 'relax', "{'duration_usec': <uint64 60000000>}"),
             'duration_usec 60000000 is out of range; a session lasts 300000000 to 1800000000 '
             '(5 to 30 minutes)'),
            (('Start', 'relax', "{'heat': <uint32 7>}"), 'heat 7 is out of range; use 0 (off) to 3'),
            (('Start', 'relax', "{'focus': <'elbow'>}"), "Option 'focus' has an unknown zone 'elbow'"),
            (('Start', 'relax', "{'avoid': <['knee']>}"), "Option 'avoid' has an unknown value 'knee'"),
            (('Start', 'relax', "{'avoid': <'neck'>}"), "Option 'avoid' must be a list of strings (as)"),
            (('Start', 'relax', "{'conditions': <['inflammation']>}"),
             'condition inflammation needs at least one avoid zone that says where'),
            (('Start', 'relax', "{'conditions': <['flu']>}"), "Option 'conditions' has an unknown value 'flu'"),
            (('Start', 'relax', "{'focus': <'neck'>, 'avoid': <['neck']>}"), 'focus neck is also in avoid'),
            (('SetIntensity', 'uint32 0'), 'intensity 0 is out of range; use 1 (softest) to 5 (firmest).'),
            (('SetHeat', 'uint32 4'), 'heat 4 is out of range; use 0 (off) to 3.'),
        ]
        # Wrong types, sent raw by busctl (gdbus would coerce them).
        for argv, message in [
                (('Start', 's', 'relax'), "Start takes arguments of type 'sa{sv}', not 's'."),
                (('Start', 'ia{sv}', '5', '0'), "Start takes arguments of type 'sa{sv}', not 'ia{sv}'."),
                (('SetIntensity', 's', 'five'), "SetIntensity takes arguments of type 'u', not 's'."),
                (('SetHeat', 'i', '1'), "SetHeat takes arguments of type 'u', not 'i'.")]:
            r = c.busctl('call', NAME, PATH, IFACE, *argv)
            self.assertNotEqual(r.returncode, 0, argv)
            self.assertIn(message, r.stderr, argv)
        for args, message in cases:
            name, msg = c.gdbus_error(*args)
            self.assertEqual(name, INVALID, args)
            self.assertIn(message, msg, args)
        name, msg = c.gdbus_error('InjectFault', 'fire', iface=SIM)
        self.assertEqual(name, INVALID)
        self.assertIn("Unknown fault 'fire'; use walk-jam", msg)
        self.assertEqual(c.state(), 'idle')
        self.assertTrue(c.alive())

    def test_hostile_input(self):
        """Very long strings and odd types: a clear error, and the daemon stays up."""
        c = self.chair
        long = 'x' * 100000
        name, msg = c.gdbus_error('Start', long, '{}')
        self.assertEqual(name, E + 'UnknownProgram')
        self.assertLess(len(msg), 300)
        self.assertIn("'" + 'x' * 64 + "...'", msg)
        name, msg = c.gdbus_error('Start', 'relax', "{'%s': <1>}" % long)
        self.assertEqual(name, INVALID)
        self.assertLess(len(msg), 300)
        name, msg = c.gdbus_error('Start', 'relax', "{'focus': <'%s'>}" % long)
        self.assertEqual(name, INVALID)
        name, msg = c.gdbus_error('Start', 'relax', "{'intensity': <int32 -3>}")
        self.assertEqual(name, INVALID)
        r = c.gdbus('Start', 'relax', "{'avoid': <[%s]>}" % ', '.join(["'neck'"] * 5000))
        self.assertEqual(r.returncode, 0, r.stderr[:300])
        self.assertEqual(c.state(), 'running')  # repeated zones are just one zone
        c.call('Stop')
        name, msg = c.gdbus_error('NoSuchMethod')
        self.assertEqual(name, 'org.freedesktop.DBus.Error.UnknownMethod')
        r = c.run(['gdbus', 'call', '--session', '--dest', NAME, '--object-path', PATH,
                   '--method', 'org.example.Nope.Start'])
        self.assertIn('UnknownInterface', r.stderr)
        self.assertTrue(c.alive())


class TestSafety(ChairTestCase):
    def moving(self):
        return wait_until(lambda: any(self.chair.outputs().values()), what='outputs on')

    def test_emergency_stop_call(self):
        c = self.chair
        self.start('sports')
        self.moving()
        c.call('EmergencyStop')
        # The reply comes after the outputs are safe.
        self.assertTrue(all_off(c.outputs()))
        self.assertEqual(c.state(), 'emergency-stop')
        self.assertEqual(c.wait_finished()[0][:2], ('sports', 'emergency-stop'))
        self.assertEqual(c.gdbus_error('Start', 'relax', '{}')[0], E + 'EmergencyStop')
        c.call('Reset')
        self.assertEqual(c.state(), 'idle')
        # A reset never restarts motion: 30 s of chair time, all off.
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            self.assertTrue(all_off(c.outputs()))
            time.sleep(0.05)
        self.assertEqual(c.state(), 'idle')
        self.assertTrue(all(all_off(t['outputs']) for t in c.trace()
                            if t['state'] in ('emergency-stop', 'idle') and t['t_usec'] >
                            next(x['t_usec'] for x in c.trace() if x['state'] == 'emergency-stop')))

    def stop_behind_flood(self, dest, flood=3000):
        """EmergencyStop() at @dest, sent after @flood GetAll calls to the
        main name while chaird was stopped: how many of their replies came
        first."""
        c = self.chair
        self.start('sports')
        self.moving()
        r = c.run([STOP_CLIENT, str(c.proc.pid), str(flood), dest])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        print('%s: %s' % (dest, r.stdout.splitlines()[0]))
        self.assertTrue(all_off(c.outputs()))
        self.assertEqual(c.state(), 'emergency-stop')
        c.call('Reset')
        return int(re.match(r'before-stop (\d+) of', r.stdout).group(1))

    def test_stop_name_jumps_the_queue(self):
        """org.chaird.Stop1 has a connection of its own: a stop sent there
        is handled before every call queued on the main name."""
        self.assertEqual(self.stop_behind_flood(STOP_NAME), 0)
        # On the main name, it is read ahead of what is queued there too.
        self.assertLess(self.stop_behind_flood(NAME), 3000 // 2)

    def test_chairctl_estop_uses_the_stop_name(self):
        c = self.chair
        mon = CallMonitor(self.bus, 'EmergencyStop')
        try:
            r = c.chairctl('estop')
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(c.state(), 'emergency-stop')
            calls = wait_until(mon.destinations, what='the monitored stop')
        finally:
            mon.close()
        self.assertEqual(calls, [STOP_NAME])

    def test_stop_name_serves_only_the_stop(self):
        c = self.chair
        r = c.run(['gdbus', 'introspect', '--session', '--dest', STOP_NAME,
                   '--object-path', PATH, '--xml'])
        self.assertEqual(r.returncode, 0, r.stderr)
        methods = [m.get('name') for i in ET.fromstring(r.stdout).findall('interface')
                   if i.get('name') == IFACE for m in i.findall('method')]
        self.assertEqual(methods, ['EmergencyStop'])
        for method, args in (('Start', ('relax', '{}')), ('Reset', ())):
            r = c.run(['gdbus', 'call', '--session', '--dest', STOP_NAME, '--object-path', PATH,
                       '--method', IFACE + '.' + method] + list(args))
            self.assertIn('org.freedesktop.DBus.Error.UnknownMethod', r.stderr)
            self.assertIn('serves only EmergencyStop()', r.stderr)
            self.assertIn(NAME, r.stderr)
        self.assertEqual(c.state(), 'idle')

    def socket_call(self, method, *args, iface=IFACE):
        c = self.chair
        return c.run(['gdbus', 'call', '--address', 'unix:path=' + c.stop_socket, '--dest', NAME,
                      '--object-path', PATH, '--method', iface + '.' + method] + list(args))

    def test_stop_socket_serves_only_the_stop(self):
        """The stop socket takes EmergencyStop() straight to the daemon,
        from any user (mode 0666), and nothing else of the API."""
        c = self.chair
        self.assertEqual(os.stat(c.stop_socket).st_mode & 0o777, 0o666)
        r = c.run(['gdbus', 'introspect', '--address', 'unix:path=' + c.stop_socket,
                   '--dest', NAME, '--object-path', PATH, '--xml'])
        self.assertEqual(r.returncode, 0, r.stderr)
        methods = [m.get('name') for i in ET.fromstring(r.stdout).findall('interface')
                   if i.get('name') == IFACE for m in i.findall('method')]
        self.assertEqual(methods, ['EmergencyStop'])
        r = self.socket_call('Start', 'relax', '{}')
        self.assertIn('org.freedesktop.DBus.Error.UnknownMethod', r.stderr)
        self.assertEqual(c.state(), 'idle')
        self.start('sports')
        self.moving()
        r = self.socket_call('EmergencyStop')
        self.assertEqual(r.returncode, 0, r.stderr)
        # The reply comes after the outputs are safe.
        self.assertTrue(all_off(c.outputs()))
        self.assertEqual(c.state(), 'emergency-stop')
        self.assertEqual(self.socket_call('Ping', iface='org.freedesktop.DBus.Peer').returncode, 0)

    def test_stop_socket_jumps_the_queue(self):
        """Nothing queued on the bus is ahead of a stop sent over the
        socket."""
        self.assertEqual(self.stop_behind_flood('unix:path=' + self.chair.stop_socket), 0)

    def test_stop_socket_refuses_a_33rd_connection(self):
        """At most 32 connections at once: the next is closed, the daemon
        goes on, and a slot comes free when a peer hangs up."""
        import socket
        c = self.chair

        def authenticate():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(c.stop_socket)
            try:
                s.sendall(b'\0AUTH EXTERNAL %s\r\n' % str(os.getuid()).encode().hex().encode())
                return s, s.recv(256)
            except (BrokenPipeError, ConnectionResetError):  # closed by the daemon
                return s, b''

        held = []
        try:
            for _ in range(32):
                s, answer = authenticate()
                held.append(s)
                self.assertTrue(answer.startswith(b'OK '), answer)
            s, answer = authenticate()
            s.close()
            self.assertEqual(answer, b'')
            self.assertIn('Refused a connection to the stop socket', c.read_log())
            self.assertEqual(c.state(), 'idle')
        finally:
            for s in held:
                s.close()
        # The slots are freed once the daemon has seen them hang up.
        wait_until(lambda: self.socket_call('EmergencyStop').returncode == 0,
                   what='a stop over the socket again')
        self.assertEqual(c.state(), 'emergency-stop')

    def test_chairctl_estop_without_the_bus(self):
        """chairctl estop stops the chair over the socket when the bus
        cannot be reached."""
        c = self.chair
        self.start('sports')
        self.moving()
        env = dict(self.bus.env, CHAIRD_STOP_SOCKET=c.stop_socket,
                   DBUS_SESSION_BUS_ADDRESS='unix:path=' + os.path.join(self.bus.dir, 'nobus'))
        r = subprocess.run([CHAIRCTL, 'estop'], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(all_off(c.outputs()))
        self.assertEqual(c.state(), 'emergency-stop')

    def test_stop_socket_removed_at_exit(self):
        c = self.chair
        self.assertTrue(os.path.exists(c.stop_socket))
        c.proc.send_signal(signal.SIGTERM)
        self.assertEqual(c.proc.wait(timeout=10), 0)
        self.assertFalse(os.path.exists(c.stop_socket))

    def test_emergency_button(self):
        c = self.chair
        self.start('deep-tissue')
        self.moving()
        c.call('SetEmergencyButton', 'b', 'true', iface=SIM)
        self.assertTrue(all_off(c.outputs()))
        self.assertEqual(c.state(), 'emergency-stop')
        name, msg = c.gdbus_error('Reset')
        self.assertEqual(name, E + 'EmergencyStop')
        self.assertEqual(msg, 'The emergency stop button is still pressed; release it, then reset.')
        self.assertEqual(c.gdbus_error('Start', 'relax', '{}')[0], E + 'EmergencyStop')
        c.call('SetEmergencyButton', 'b', 'false', iface=SIM)
        self.assertEqual(c.state(), 'emergency-stop')  # latched until Reset
        c.call('Reset')
        self.assertEqual(c.state(), 'idle')
        self.assertTrue(all_off(c.outputs()))
        self.assertEqual(c.wait_finished()[0][1], 'emergency-stop')

    def fault_case(self, fault, code, program='swedish', **opts):
        c = self.chair
        c.call('ClearFaults', iface=SIM)
        if c.state() == 'fault':
            c.call('Reset')
        c.wait_state('idle')
        n = len(c.finished())
        self.start(program, **opts)
        self.moving()
        c.call('InjectFault', 's', fault, iface=SIM)
        c.wait_state('fault')
        self.assertTrue(all_off(c.outputs()), fault)
        self.assertIn(code, c.get('Faults'))
        self.assertEqual(c.wait_finished(n + 1)[n][1], 'fault')

    def test_injected_faults(self):
        self.fault_case('walk-jam', 'walk-stalled')
        self.fault_case('motor-driver-fault', 'motor-driver-fault')
        self.fault_case('heater-sensor-open', 'heater-lumbar-sensor', heat=('u', 3))
        # A welded relay shows as a heater warming while it is off.
        self.fault_case('heater-relay-welded', 'heater-lumbar-overtemp', heat=('u', 0))

    def test_seat_empties(self):
        c = self.chair
        self.start('relax')
        self.moving()
        c.call('SetOccupied', 'b', 'false', iface=SIM)
        self.assertEqual(c.state(), 'paused')
        self.assertFalse(c.get('Occupied'))
        self.assertEqual(c.gdbus_error('Resume')[0], E + 'SeatEmpty')
        # 30 s of chair time later (1 s here), the session stops.
        self.assertEqual(c.wait_finished(timeout=10)[0][:2], ('relax', 'seat-empty'))
        c.wait_state('idle')
        self.assertTrue(all_off(c.outputs()))

    def test_seat_returns_in_time(self):
        c = self.chair
        self.start('relax')
        self.moving()
        c.call('SetOccupied', 'b', 'false', iface=SIM)
        c.call('SetOccupied', 'b', 'true', iface=SIM)
        self.assertEqual(c.state(), 'paused')  # the person resumes when ready
        c.call('Resume')
        self.assertEqual(c.state(), 'running')
        time.sleep(1.5)
        self.assertEqual(c.finished(), [])

    def test_client_disconnect_keeps_session(self):
        c = self.chair
        r = c.chairctl('start', '--program', 'shiatsu')
        self.assertEqual(r.returncode, 0, r.stderr)
        # chairctl has exited, so its connection is gone.
        time.sleep(1.0)
        self.assertEqual(c.state(), 'running')
        self.assertEqual(c.finished(), [])

    def test_sigterm_during_session(self):
        c = self.chair
        self.start('sports')
        self.moving()
        c.proc.send_signal(signal.SIGTERM)
        self.assertEqual(c.proc.wait(timeout=10), 0)
        last = c.trace()[-1]
        self.assertTrue(all_off(last['outputs']), last)
        self.assertEqual(len(last['outputs']), 18)
        self.assertTrue(any(not all_off(t['outputs']) for t in c.trace()))


class TestBusLoss(ChairTestCase):
    def test_bus_lost_mid_session(self):
        """Without its bus nobody can stop the chair through software: it
        drives everything safe and exits non-zero, for systemd to restart."""
        c = self.chair
        c.expected_exit = 1
        self.start('sports')
        wait_until(lambda: any(c.outputs().values()), what='outputs on')
        self.bus.proc.kill()
        self.bus.proc.wait()
        self.assertEqual(c.proc.wait(timeout=10), 1)
        last = c.trace()[-1]
        self.assertTrue(all_off(last['outputs']), last)
        self.assertIn('Lost the connection to the bus', c.read_log())


class TestChairctl(ChairTestCase):
    def test_commands(self):
        c = self.chair
        r = c.chairctl('programs')
        self.assertEqual(r.returncode, 0)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith('ID '))
        self.assertEqual(len(lines), 12)
        self.assertRegex(r.stdout, r'\ndeep-tissue +Deep tissue +15 min +neutral\n')
        r = c.chairctl('show', 'swedish')
        self.assertEqual(r.returncode, 0)
        self.assertIn('Swedish (swedish)', r.stdout)
        self.assertRegex(r.stdout, r'close\n +glide .*\n +tap +upper-back\.\.lower-back')
        r = c.chairctl('start', '--program', 'relax', '--minutes', '10', '--intensity', '2',
                       '--focus', 'mid-back', '--avoid', 'shoulders', '--avoid', 'calves',
                       '--heat', '1', '--condition', 'inflammation')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.get('DurationUSec'), 10 * 60 * 1000000)
        r = c.chairctl('status', '--json')
        import json
        st = json.loads(r.stdout)
        self.assertEqual((st['state'], st['program'], st['intensity']), ('running', 'relax', 2))
        r = c.chairctl('status')
        self.assertRegex(r.stdout, r'State: +running\nProgram: +relax\nProgress: +\d+:\d\d of 10:00')
        self.assertEqual(c.chairctl('intensity', '4').returncode, 0)
        self.assertEqual(c.get('Intensity'), 4)
        self.assertEqual(c.chairctl('heat', '2').returncode, 0)
        self.assertEqual(c.get('Heat'), 2)
        self.assertEqual(c.chairctl('pause').returncode, 0)
        self.assertEqual(c.state(), 'paused')
        self.assertEqual(c.chairctl('resume').returncode, 0)
        r = c.chairctl('stop')
        self.assertEqual(r.returncode, 0)
        c.wait_state('idle')
        r = c.chairctl('scan')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r'shoulders are at 5[78]\d mm')
        self.assertEqual(c.chairctl('estop').returncode, 0)
        self.assertEqual(c.state(), 'emergency-stop')
        self.assertEqual(c.chairctl('reset').returncode, 0)
        self.assertEqual(c.chairctl('reload').returncode, 0)

    def test_daemon_errors_are_sentences(self):
        c = self.chair
        r = c.chairctl('pause')
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, 'chairctl: No session is running. Start a program first.\n')
        r = c.chairctl('start', '--program', 'deep-tissue', '--condition', 'nerve-pain')
        self.assertEqual(r.returncode, 1)
        self.assertNotIn('org.chaird', r.stderr)
        self.assertIn('not suitable with nerve pain', r.stderr)
        r = c.chairctl('intensity', '9')
        self.assertEqual(r.returncode, 2)
        self.assertIn('out of range', r.stderr)

    def test_usage_errors(self):
        c = self.chair
        for args in (['start'], ['intensity', 'abc'], ['bogus'], ['start', '--program'],
                     ['show'], ['status', '--yaml'], ['--frobnicate', 'status']):
            r = c.chairctl(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr, args)
        for cmd in ('start', 'stop', 'status', 'watch', 'programs', 'show', 'intensity', 'heat',
                    'scan', 'reload', 'estop', 'reset', 'pause', 'resume'):
            r = c.chairctl(cmd, '--help')
            self.assertEqual(r.returncode, 0, cmd)
            self.assertIn('Usage: chairctl ' + cmd, r.stdout)
        r = c.chairctl('--help')
        self.assertEqual(r.returncode, 0)
        self.assertIn('Exit status', r.stdout)

    def test_watch_follows_to_the_end(self):
        c = self.chair
        c.close()
        self.chair = c = Chair(self.bus, scale=100)
        self.assertEqual(c.chairctl('start', '--program', 'energize', '--minutes', '5').returncode, 0)
        r = c.chairctl('watch')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('energize finished after 5:00: completed', r.stdout)
        self.assertIn('The session is complete.', r.stdout)
        self.assertRegex(r.stdout, r'\[#+-*\] +\d+:\d\d +\d+:\d\d left +running')

    def test_no_daemon(self):
        # A bus with no chaird on it.
        self.chair.close()
        r = self.chair.chairctl('status')
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stderr, "chairctl: chaird is not running on the session bus, so the "
                                   "chair cannot be reached. Start it there first (for a "
                                   "simulated chair: chaird --session --sim).\n")
        # estop tries the stop's name, then the main one, and says the same.
        r2 = self.chair.chairctl('estop')
        self.assertEqual((r2.returncode, r2.stderr), (r.returncode, r.stderr))
        # No bus at all.
        env = dict(self.bus.env, DBUS_SESSION_BUS_ADDRESS='unix:path=/nonexistent/bus')
        r = subprocess.run([CHAIRCTL, 'programs'], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 3)
        self.assertIn('cannot connect to the session bus', r.stderr)


if __name__ == '__main__':
    main()
