#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chaird's sd_notify protocol, read by the test itself on a NOTIFY_SOCKET:
READY=1 only once the outputs are safe and the name is owned, WATCHDOG=1 at
about half of WATCHDOG_USEC, STATUS= lines that follow the state, and
STOPPING=1 on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from chairtest import CHAIRD, NAME, PROGRAMS, Bus, main  # noqa: E402


class TestNotify(unittest.TestCase):
    def test_notify_protocol(self):
        bus = Bus()
        path = os.path.join(bus.dir, 'notify')
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(10)
        env = dict(bus.env, NOTIFY_SOCKET=path, WATCHDOG_USEC='400000')
        proc = subprocess.Popen([CHAIRD, '--sim', '--session', '--programs', PROGRAMS],
                                env=env, stderr=subprocess.DEVNULL)
        try:
            msgs = []
            while not any('READY=1' in m for m in msgs):
                msgs.append(sock.recv(4096).decode())
                # READY=1 must come only once the name is owned (checked below).
            owned = subprocess.run(
                ['busctl', '--user', 'call', 'org.freedesktop.DBus', '/org/freedesktop/DBus',
                 'org.freedesktop.DBus', 'NameHasOwner', 's', NAME],
                env=bus.env, capture_output=True, text=True).stdout.strip()
            self.assertEqual(owned, 'b true')
            self.assertIn('STATUS=Idle', msgs[-1])

            # The watchdog: about every 200 ms.
            pings = []
            while len(pings) < 6:
                m = sock.recv(4096).decode()
                if 'WATCHDOG=1' in m:
                    pings.append(time.monotonic())
            gaps = [b - a for a, b in zip(pings, pings[1:])]
            mean = sum(gaps) / len(gaps)
            print('# watchdog: mean interval %.0f ms for WATCHDOG_USEC=400 ms' % (mean * 1000))
            self.assertGreater(mean, 0.12)
            self.assertLess(mean, 0.30)

            # STATUS follows the state.
            subprocess.run(['busctl', '--user', 'call', NAME, '/org/chaird/Chair1',
                            'org.chaird.Chair1', 'EmergencyStop'], env=bus.env, check=True)
            deadline = time.monotonic() + 10
            seen = ''
            while 'STATUS=Emergency stop' not in seen and time.monotonic() < deadline:
                seen = sock.recv(4096).decode()
            self.assertIn('STATUS=Emergency stop', seen)

            proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            seen = ''
            while 'STOPPING=1' not in seen and time.monotonic() < deadline:
                seen = sock.recv(4096).decode()
            self.assertIn('STOPPING=1', seen)
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
            sock.close()
            bus.close()


if __name__ == '__main__':
    main()
