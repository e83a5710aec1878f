#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The installed service under a real systemd: the test VM boots systemd as
PID 1 (tools/vm-run --systemd), installs chaird there with `meson install`,
and runs chaird.service on gpio-sim chips named as the map in /etc/chaird
says.

Run from meson's `system` suite. Outside the VM it prepares a build
configured as a board's (--prefix=/usr --sysconfdir=/etc) next to the test
build, then boots the VM with this file as its command."""

import grp
import json
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vmchair import (BUILD, SRC, Chips, World, board_map, line_name, wait_until)  # noqa: E402

FIGURES = {}
NAME = 'org.chaird.Chair1'
OBJ = '/org/chaird/Chair1'
STATE_DIR = '/run/chaird-vm'
PANEL_RUNTIME = '/run/chair-panel'
# The kiosk with no display, no seat and no console, as the test VM has
# none: cage's headless wlroots backend. cage 0.1.4 (Debian 12) hands a
# full-screen client's buffer straight to the output (direct scan-out) and
# then answers a screenshot with a black frame; an output turned by 180
# degrees is composited instead, and grim turns the picture back.
PANEL_HEADLESS = """[Service]
PAMName=
StandardInput=null
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
UtmpIdentifier=
RuntimeDirectory=chair-panel
Environment=XDG_RUNTIME_DIR=%s WLR_BACKENDS=headless WLR_RENDERER=pixman
Environment=WLR_LIBINPUT_NO_DEVICES=1 GSK_RENDERER=cairo
ExecStart=
ExecStart=/usr/bin/cage -d -r -r -- /usr/bin/chair-panel
""" % PANEL_RUNTIME


def sh(*argv, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)
    if check and r.returncode != 0:
        raise AssertionError('%s failed (%d): %s%s' % (' '.join(argv), r.returncode, r.stdout,
                                                       r.stderr))
    return r


def busctl(*args, check=True):
    return sh('busctl', '--system', *args, check=check)


def prop(name):
    return json.loads(busctl('--json=short', 'get-property', NAME, OBJ, NAME, name).stdout)['data']


def unit(prop_name):
    return sh('systemctl', 'show', '-P', prop_name, 'chaird.service').stdout.strip()


class System(unittest.TestCase):
    """One installed system for every test, in order."""

    @classmethod
    def setUpClass(cls):
        sysbuild = os.environ['CHAIRD_SYSTEM_BUILD_DIR']
        sh('meson', 'install', '-C', sysbuild, '--no-rebuild', '--quiet')
        sh('systemd-sysusers')
        os.makedirs(STATE_DIR, exist_ok=True)
        config, banks, cls.outputs, _ = board_map(STATE_DIR)
        os.makedirs('/etc/chaird', exist_ok=True)
        shutil.copy(config, '/etc/chaird/chaird.conf')
        for f in os.listdir(STATE_DIR):
            os.chmod(os.path.join(STATE_DIR, f), 0o644)
        cls.sim = Chips(banks)
        cls.world = World(cls.sim)
        cls.world.apply()
        sh('udevadm', 'control', '--reload')
        sh('udevadm', 'trigger', '--subsystem-match=gpio', '--action=add')
        sh('udevadm', 'settle', '--timeout=60')
        sh('systemctl', 'daemon-reload')
        # As docs/deployment.md says: enabling makes the alias
        # dbus-org.chaird.Chair1.service that D-Bus activation starts.
        sh('systemctl', 'enable', 'chaird')
        busctl('call', 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
               'ReloadConfig')

    @classmethod
    def tearDownClass(cls):
        sh('systemctl', 'stop', 'chaird', check=False)
        cls.sim.remove()

    def outputs_off(self):
        return all(self.sim.value(line_name(o)) == 0 for o in self.outputs)

    def settle_world(self):
        """chaird's bias requests moved gpio-sim's pulls: put the world back,
        and clear the e-stop that latched meanwhile."""
        self.world.apply()
        if prop('State') == 'emergency-stop':
            busctl('call', NAME, OBJ, NAME, 'Reset')
        wait_until(lambda: prop('State') == 'idle', 20, 'State idle')

    def test_1_users_and_udev(self):
        """sysusers made the users; udev gave the chips to group gpio."""
        self.assertIn('gpio', [g.gr_name for g in grp.getgrall()
                               if 'chaird' in g.gr_mem])
        grp.getgrnam('chair')
        gpio = grp.getgrnam('gpio').gr_gid
        pwd.getpwnam('chaird')
        for chip in self.sim.chips:
            st = os.stat('/dev/' + chip)
            self.assertEqual(st.st_gid, gpio, '/dev/%s is not in group gpio' % chip)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)

    def test_2_start(self):
        """systemctl start reaches active through Type=notify; the journal
        has the daemon's own lines with their priorities."""
        t0 = time.monotonic()
        sh('systemctl', 'start', 'chaird')
        FIGURES['systemctl start chaird (s)'] = time.monotonic() - t0
        self.assertEqual(unit('ActiveState'), 'active')
        self.assertEqual(unit('StatusText') != '', True)
        self.settle_world()
        r = sh('journalctl', '-u', 'chaird', '-o', 'json', '--no-pager')
        entries = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
        mine = [e for e in entries if e.get('_COMM') == 'chaird' or
                e.get('SYSLOG_IDENTIFIER') == 'chaird']
        self.assertTrue(mine, r.stdout[-2000:])
        self.assertTrue(all('PRIORITY' in e for e in mine))
        status = sh('systemctl', 'status', '--no-pager', '-n', '20', 'chaird', check=False).stdout
        self.assertIn('active (running)', status)
        # The installed policy lets it take both its names: the stop has its own.
        for name in (NAME, 'org.chaird.Stop1'):
            owner = re.search(r'^PID=(\d+)$', busctl('status', name).stdout, re.M)
            self.assertEqual(owner and owner.group(1), unit('MainPID'), name)

    def test_3_device_policy(self):
        """The unit's device policy holds at run time: in chaird's cgroup,
        even root opens a GPIO chip but no other device."""
        cgroup = '/sys/fs/cgroup/system.slice/chaird.service'
        probe = ('import os\n'
                 'open("%s/cgroup.procs", "w").write(str(os.getpid()))\n'
                 'os.close(os.open("/dev/%s", os.O_RDWR))\n'
                 'try:\n'
                 '    os.close(os.open("/dev/ttyS0", os.O_RDWR | os.O_NOCTTY))\n'
                 '    print("ttyS0 opened")\n'
                 'except PermissionError:\n'
                 '    print("ttyS0 refused")\n' % (cgroup, self.sim.chips[0]))
        r = sh(sys.executable, '-c', probe)
        self.assertEqual(r.stdout.strip(), 'ttyS0 refused')

    def test_4_kill9(self):
        """kill -9 in a session: every line reads 0, ExecStopPost runs
        chaird --safe-state, and Restart= brings chaird back idle."""
        busctl('call', NAME, OBJ, NAME, 'Start', 'sa{sv}', 'energize', '0')
        self.world.start()
        wait_until(lambda: not self.outputs_off(), 60, 'an output driven')
        pid = int(unit('MainPID'))
        t0 = time.monotonic()
        os.kill(pid, 9)
        wait_until(self.outputs_off, 10, 'every output off')
        FIGURES['kill -9 to every output line 0 (ms)'] = (time.monotonic() - t0) * 1000
        wait_until(lambda: unit('ActiveState') == 'active' and unit('MainPID') not in ('0', str(pid)),
                   60, 'chaird restarted')
        FIGURES['kill -9 to active again (s)'] = time.monotonic() - t0
        log = sh('journalctl', '-u', 'chaird', '--no-pager', '-o', 'cat').stdout
        self.assertIn('outputs driven safe', log)
        self.settle_world()
        end = time.monotonic() + 2
        while time.monotonic() < end:
            self.assertTrue(self.outputs_off(), 'an output on after the restart')
        self.assertEqual(prop('State'), 'idle')

    def test_5_activation(self):
        """The first call to org.chaird.Chair1 starts it by D-Bus activation,
        and the policy holds with real users: a member of group chair
        starts a session with chairctl; a stranger cannot, but can stop it."""
        sh('systemctl', 'stop', 'chaird')
        self.assertEqual(unit('ActiveState'), 'inactive')
        busctl('call', NAME, OBJ, 'org.freedesktop.DBus.Peer', 'Ping')
        self.assertEqual(unit('ActiveState'), 'active')
        self.settle_world()
        sh('useradd', '-m', '-G', 'chair', 'alice')
        sh('useradd', '-m', 'bob')
        r = sh('runuser', '-u', 'bob', '--', 'chairctl', 'start', '--program', 'energize',
               check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("chairctl: You are not allowed to start a session: only members of group "
                      "'chair' (and root) may. Stopping the chair is always allowed.", r.stderr)
        sh('runuser', '-u', 'alice', '--', 'chairctl', 'start', '--program', 'energize')
        wait_until(lambda: prop('State') == 'running', 20, 'State running')
        sh('runuser', '-u', 'bob', '--', 'chairctl', 'stop')
        try:
            wait_until(lambda: prop('State') == 'idle', 60, 'State idle after bob stopped it')
        except AssertionError as e:
            raise AssertionError('%s; State %s, Faults %s, carriage at %.0f mm\n%s' % (
                e, prop('State'), prop('Faults'), self.world.pos,
                sh('journalctl', '-u', 'chaird', '--no-pager', '-n', '30').stdout))


    def test_6_watchdog(self):
        """A hung daemon (SIGSTOP) in a session: the watchdog fires, systemd
        kills and restarts it, and the lines end up off."""
        self.settle_world()
        busctl('call', NAME, OBJ, NAME, 'Start', 'sa{sv}', 'energize', '0')
        try:
            wait_until(lambda: not self.outputs_off(), 60, 'an output driven')
        except AssertionError as e:
            raise AssertionError('%s; State %s, Faults %s\n%s' % (
                e, prop('State'), prop('Faults'),
                sh('journalctl', '-u', 'chaird', '--no-pager', '-n', '30').stdout))
        pid = int(unit('MainPID'))
        restarts = int(unit('NRestarts'))
        t0 = time.monotonic()
        os.kill(pid, 19)  # SIGSTOP
        wait_until(self.outputs_off, 60, 'every output off after the watchdog')
        FIGURES['SIGSTOP to every output line 0 (s)'] = time.monotonic() - t0
        wait_until(lambda: int(unit('NRestarts')) > restarts and unit('ActiveState') == 'active',
                   60, 'chaird restarted by the watchdog')
        # systemd's own account (it logs through the kernel's log here).
        log = sh('journalctl', '-b', '--no-pager', '-o', 'cat').stdout
        self.assertIn('chaird.service: Watchdog timeout', log)
        self.settle_world()
        self.assertEqual(prop('State'), 'idle')

    def test_7_security(self):
        """systemd-analyze security rates the live unit as the offline check
        of the installed file alone does (as the install test runs it, with
        no drop-in of this machine): every setting, and the overall
        exposure."""
        path = unit('FragmentPath')
        alone = os.path.join(STATE_DIR, 'unit-alone')
        os.makedirs(alone + os.path.dirname(path), exist_ok=True)
        shutil.copy(path, alone + path)
        live = sh('systemd-analyze', 'security', '--no-pager', 'chaird.service').stdout
        offline = sh('systemd-analyze', 'security', '--no-pager', '--offline=yes',
                     '--root=' + alone, path).stdout
        rows_live, rows_offline = security_rows(live), security_rows(offline)
        self.assertGreater(len(rows_live), 50, live)
        self.assertEqual(rows_live, rows_offline)
        exposure = [float(re.search(r'Overall exposure level for chaird.service: ([0-9.]+)', out)
                          .group(1)) for out in (live, offline)]
        FIGURES['exposure, live unit'] = exposure[0]
        FIGURES['exposure, offline check'] = exposure[1]
        self.assertEqual(exposure[0], exposure[1])
        self.assertLessEqual(exposure[0], 1.5)

    def test_8_pwm_rule(self):
        """The installed PWM rule hands a chip's export files, then an
        exported channel's files, to group gpio, so that user chaird can
        write them. The VM has no PWM chip: udevadm test runs the rule on a
        chip made of plain files (see pwm_probe)."""
        r = sh('unshare', '--mount', '--propagation', 'private', sys.executable,
               os.path.abspath(__file__), '--pwm-probe')
        got = json.loads(r.stdout.splitlines()[-1])
        chip, chan = ['export', 'unexport'], ['pwm0/' + a for a in PWM_ATTRS]
        self.assertEqual(got['before'], {f: False for f in chip + chan})
        self.assertEqual(got['add'], dict({f: True for f in chip}, **{f: False for f in chan}))
        self.assertEqual(got['change'], {f: True for f in chip + chan})
        self.assertEqual(got['unmatched'], [])

    def test_9_kiosk(self):
        """chair-panel.service starts the panel under cage (headless), and a
        screenshot shows its home screen: the size of the output, the red
        stop button, the green "Help me choose" band, and more than a few
        colours down the middle."""
        if not os.path.exists('/lib/systemd/system/chair-panel.service') and \
                not os.path.exists('/usr/lib/systemd/system/chair-panel.service'):
            self.skipTest('built without the panel')
        for tool in ('cage', 'grim', 'Xwayland'):
            if not shutil.which(tool):
                self.skipTest('%s is not installed (tools/deps.sh installs it)' % tool)
        sh('systemctl', 'start', 'chaird')
        self.settle_world()
        os.makedirs('/etc/systemd/system/chair-panel.service.d', exist_ok=True)
        with open('/etc/systemd/system/chair-panel.service.d/headless.conf', 'w') as f:
            f.write(PANEL_HEADLESS)
        sh('systemctl', 'daemon-reload')
        t0 = time.monotonic()
        sh('systemctl', 'start', 'chair-panel')
        shot = {}

        def home_screen():
            if sh('systemctl', 'is-active', 'chair-panel', check=False).stdout.strip() != 'active':
                raise AssertionError('chair-panel.service is not active:\n' + sh(
                    'journalctl', '-u', 'chair-panel', '--no-pager', '-n', '30').stdout)
            if not os.path.exists(PANEL_RUNTIME + '/wayland-0'):
                return False
            shot['stop'] = mean_colour(screenshot('1010,20 60x15'))
            # Left of the band's words, below "Who is in the chair?".
            shot['band'] = mean_colour(screenshot('40,250 200x16'))
            red, green = shot['stop'], shot['band']
            return (red[0] > 150 and red[1] < 90 and red[2] < 90 and
                    green[1] > green[0] + 40 and green[1] > green[2] + 20)

        try:
            wait_until(home_screen, 300, 'the home screen')
        except AssertionError as e:
            raise AssertionError('%s; colours seen %s\n%s' % (e, shot, sh(
                'journalctl', '-u', 'chair-panel', '--no-pager', '-n', '30').stdout))
        FIGURES['chair-panel start to home screen (s)'] = time.monotonic() - t0
        width, height, _ = png_decode(screenshot(None), header_only=True)
        self.assertEqual((width, height), (1280, 720))
        strip = screenshot('640,0 1x720')
        self.assertGreater(len(set(png_decode(strip)[2])), 4, 'a blank screen')
        pid = sh('systemctl', 'show', '-P', 'MainPID', 'chair-panel').stdout.strip()
        with open('/proc/%s/status' % pid) as f:
            uid = re.search(r'^Uid:\s+(\d+)', f.read(), re.M).group(1)
        self.assertEqual(int(uid), pwd.getpwnam('chair-panel').pw_uid)
        sh('systemctl', 'stop', 'chair-panel')


PWM_ATTRS = ('period', 'duty_cycle', 'enable', 'polarity')


def security_rows(out):
    """The ✓/✗ rows of systemd-analyze security: (mark, setting, exposure)."""
    rows = []
    for line in out.splitlines():
        if line[:1] in ('✓', '✗'):
            cols = re.split(r'\s{2,}', line[2:].strip())
            rows.append((line[0], cols[0], cols[-1] if len(cols) > 2 else ''))
    return sorted(rows)


def screenshot(region):
    """A PNG of the panel's output (or of a region "X,Y WxH" of it)."""
    env = dict(os.environ, XDG_RUNTIME_DIR=PANEL_RUNTIME, WAYLAND_DISPLAY='wayland-0')
    r = subprocess.run(['grim'] + (['-g', region] if region else []) + ['-'], env=env,
                       capture_output=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError('grim failed: %s' % r.stderr.decode(errors='replace'))
    return r.stdout


def png_decode(data, header_only=False):
    """(width, height, [(r, g, b), ...]) of an 8-bit RGB or RGBA PNG."""
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise AssertionError('not a PNG')
    pos, idat, width = 8, b'', None
    while pos < len(data):
        n, kind = int.from_bytes(data[pos:pos + 4], 'big'), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            width, height = int.from_bytes(body[0:4], 'big'), int.from_bytes(body[4:8], 'big')
            depth, ctype, interlace = body[8], body[9], body[12]
            if header_only:
                return width, height, []
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise AssertionError('PNG type %d/%d/%d not handled' % (depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride, prev, pixels = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        pixels += [tuple(line[i:i + 3]) for i in range(0, stride, bpp)]
        prev = line
    return width, height, pixels


def mean_colour(png):
    pixels = png_decode(png)[2]
    return tuple(sum(p[k] for p in pixels) / len(pixels) for k in range(3))


def pwm_probe():
    """Run in a mount namespace of its own: a PWM chip made of plain files
    over /sys/class/pwm, the installed rule run on it by udevadm test for
    the chip's "add" and for the "change" that exports channel 0, and what
    user chaird may write after each. Prints the findings as JSON."""
    chip = '/sys/class/pwm/pwmchip0'
    sh('mount', '-t', 'tmpfs', '-o', 'mode=0755', 'chaird-pwm', '/sys/class/pwm')
    os.makedirs(chip + '/pwm0')
    os.symlink('/sys/class/pwm', chip + '/subsystem')
    files = ['export', 'unexport'] + ['pwm0/' + a for a in PWM_ATTRS]
    for f in files + ['npwm']:
        with open(os.path.join(chip, f), 'w') as fp:
            fp.write('0\n')
        os.chmod(os.path.join(chip, f), 0o644)

    def writable():
        ok = {}
        for f in files:
            r = subprocess.run(['setpriv', '--reuid=chaird', '--regid=chaird', '--init-groups',
                                '--', 'sh', '-c', 'echo 0 > "$1"', 'sh', os.path.join(chip, f)],
                               capture_output=True)
            ok[f] = r.returncode == 0
        return ok

    found = {'before': writable(), 'unmatched': []}
    # udevadm test reads the uevent file's variables as the event's.
    for action, uevent in (('add', ''), ('change', 'EXPORT=pwm0\n')):
        with open(chip + '/uevent', 'w') as fp:
            fp.write(uevent)
        r = sh('udevadm', 'test', '--action=' + action, chip,
               env=dict(os.environ, SYSTEMD_DEVICE_VERIFY_SYSFS='0'))
        for cmd in re.findall(r"^run: '(.*)'$", r.stdout, re.M):
            argv = shlex.split(cmd)
            if argv[0] in ('/bin/chgrp', '/bin/chmod'):
                sh(*argv)
            else:
                found['unmatched'].append(cmd)
        found[action] = writable()
    print(json.dumps(found))


def in_vm():
    t0 = time.monotonic()
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False, verbosity=2)
    r = prog.result
    for k, v in FIGURES.items():
        print('figure: %s: %.2f' % (k, v))
    print('figure: the system tests took %.1f s in the guest' % (time.monotonic() - t0))
    failed = len(r.failures) + len(r.errors)
    print('%d passed, %d failed, %d skipped' % (max(0, r.testsRun - failed - len(r.skipped)), failed,
                                                len(r.skipped)))
    sys.exit(0 if r.wasSuccessful() else 1)


def host():
    """Build the tree as a board would install it, then run this file in
    the VM under systemd."""
    sysbuild = os.path.join(os.path.abspath(BUILD), 'vm-system')
    # The panel too, when GTK 4 is there, for the kiosk test.
    if not os.path.exists(os.path.join(sysbuild, 'build.ninja')):
        subprocess.run(['meson', 'setup', sysbuild, SRC, '--prefix=/usr', '--sysconfdir=/etc',
                        '--localstatedir=/var', '-Dtests=disabled'],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        subprocess.run(['meson', 'configure', sysbuild, '-Dpanel=auto'], check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(['meson', 'compile', '-C', sysbuild], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, CHAIRD_SYSTEM_BUILD_DIR=sysbuild)
    vm_run = os.path.join(SRC, 'tools', 'vm-run')
    r = subprocess.run([vm_run, '--systemd', '--timeout', '1200', '--', sys.executable,
                        os.path.abspath(__file__), '--in-vm'] + sys.argv[1:], env=env)
    sys.exit(r.returncode)


if __name__ == '__main__':
    if sys.argv[1:2] == ['--in-vm']:
        in_vm()
    elif sys.argv[1:2] == ['--pwm-probe']:
        pwm_probe()
    else:
        host()
