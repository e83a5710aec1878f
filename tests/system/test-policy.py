#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The installed D-Bus policy, on a private dbus-daemon with a system-type
configuration that includes it. The installed chaird runs as user chaird;
the clients run as an unprivileged user outside group chair and as a member
of chair. The test creates those users and removes them after. Needs root;
exits 77 (skipped) without it."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from systemtest import install, install_dirs, staged  # noqa: E402

NAME = 'org.chaird.Chair1'
STOP_NAME = 'org.chaird.Stop1'
PATH = '/org/chaird/Chair1'
GUEST = 'chairdtest-guest'
MEMBER = 'chairdtest-member'
DENIED = 'org.freedesktop.DBus.Error.AccessDenied'

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%(dir)s/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <!-- The default policy of a system bus, as Debian's system.conf has it. -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Peer"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <include>%(policy)s</include>
</busconfig>
"""


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)


class Users:
    """Creates what the test needs, and removes only what it created."""

    def __init__(self):
        self.groups, self.users = [], []

    def group(self, name):
        if run(['getent', 'group', name]).returncode != 0:
            subprocess.run(['groupadd', '--system', name], check=True)
            self.groups.append(name)

    def user(self, name, groups=()):
        if run(['getent', 'passwd', name]).returncode != 0:
            argv = ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin',
                    '--user-group']
            if groups:
                argv += ['--groups', ','.join(groups)]
            subprocess.run(argv + [name], check=True)
            self.users.append(name)

    def remove(self):
        for u in self.users:
            run(['userdel', u])
        for g in self.groups:
            run(['groupdel', g])


def as_user(user, argv, env):
    return run(['setpriv', '--reuid=' + user, '--regid=' + user, '--init-groups', '--'] + argv,
               env=env)


def gdbus(user, env, method, *args, iface='org.chaird.Chair1', dest=NAME):
    return as_user(user, ['gdbus', 'call', '--system', '--dest', dest, '--object-path', PATH,
                          '--method', '%s.%s' % (iface, method)] + list(args), env)


def error_name(r):
    m = re.search(r'GDBus\.Error:([\w.]+)', r.stderr)
    return m.group(1) if m else None


def main():
    if os.geteuid() != 0:
        print('SKIP: needs root, to create users and run processes as them')
        sys.exit(77)
    for tool in ('useradd', 'userdel', 'groupadd', 'setpriv', 'dbus-daemon', 'gdbus'):
        if not shutil.which(tool):
            print('SKIP: %s is missing' % tool)
            sys.exit(77)

    users = Users()
    dest = install('chaird-policy-')
    dirs = install_dirs()
    tmp = tempfile.mkdtemp(prefix='chaird-bus-')
    os.chmod(tmp, 0o755)
    procs = []
    failures = []
    checks = []

    def check(what, ok, detail=''):
        print('%s - %s%s' % ('ok' if ok else 'not ok', what, '' if ok else ': ' + detail))
        checks.append(what)
        if not ok:
            failures.append(what)

    try:
        users.group('chair')
        users.user('chaird')
        users.user(GUEST)
        users.user(MEMBER, groups=['chair'])

        conf = os.path.join(tmp, 'system.conf')
        with open(conf, 'w') as f:
            f.write(BUS_CONF % {'dir': tmp,
                                'policy': staged(dest, dirs['dbus_policydir'] + '/org.chaird.Chair1.conf')})
        bus = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork', '--nopidfile',
                                '--print-address=1'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        procs.append(bus)
        bus.stdout.readline()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS='unix:path=%s/system_bus_socket' % tmp)
        for k in ('DBUS_SESSION_BUS_ADDRESS', 'CHAIRCTL_BUS'):
            env.pop(k, None)

        chaird = staged(dest, dirs['sbindir'] + '/chaird')
        programs = staged(dest, dirs['datadir'] + '/chaird/programs')

        # Nobody but chaird may own the names: not a guest, not root.
        for who in (GUEST, 'root'):
            for name in (NAME, STOP_NAME):
                r = as_user(who, ['gdbus', 'call', '--system', '--dest', 'org.freedesktop.DBus',
                                  '--object-path', '/org/freedesktop/DBus', '--method',
                                  'org.freedesktop.DBus.RequestName', name, '4'], env)
                check('%s cannot own %s' % (who, name), error_name(r) == DENIED,
                      r.stdout + r.stderr)
        r = as_user(GUEST, [chaird, '--sim', '--programs', programs], env)
        check('chaird run as a guest exits, unable to take the name',
              r.returncode != 0 and 'Failed to take the name' in r.stderr, r.stderr)

        daemon = subprocess.Popen(['setpriv', '--reuid=chaird', '--regid=chaird', '--init-groups',
                                   '--', chaird, '--sim', '--programs', programs], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        procs.append(daemon)
        r = run(['gdbus', 'wait', '--system', '--timeout', '10', NAME], env=env)
        check('chaird, as user chaird, owns the name', r.returncode == 0,
              daemon.stderr.read() if daemon.poll() is not None else '')
        r = run(['gdbus', 'call', '--system', '--dest', 'org.freedesktop.DBus', '--object-path',
                 '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner',
                 STOP_NAME], env=env)
        check('chaird owns the stop name %s, taken before the main one' % STOP_NAME,
              r.stdout.strip() == '(true,)', r.stdout + r.stderr)

        # At the stop name, a guest may stop the chair, and nothing else.
        r = gdbus(GUEST, env, 'EmergencyStop', dest=STOP_NAME)
        check('a guest may call EmergencyStop at %s' % STOP_NAME, r.returncode == 0, r.stderr)
        for method, args, iface in (('Introspect', (), 'org.freedesktop.DBus.Introspectable'),
                                    ('Ping', (), 'org.freedesktop.DBus.Peer')):
            r = gdbus(GUEST, env, method, *args, iface=iface, dest=STOP_NAME)
            check('a guest may call %s at %s' % (method, STOP_NAME), r.returncode == 0, r.stderr)
        for user in (GUEST, MEMBER):
            r = gdbus(user, env, 'Reset', dest=STOP_NAME)
            check('%s gets AccessDenied for Reset at %s' % (user, STOP_NAME),
                  error_name(r) == DENIED, r.stdout + r.stderr)

        # A guest: what stops and reads the chair works; the rest is denied.
        r = gdbus(GUEST, env, 'Start', 'relax', '{}')
        check('a guest gets AccessDenied for Start', error_name(r) == DENIED, r.stdout + r.stderr)
        r = gdbus(GUEST, env, 'SetIntensity', 'uint32 2')
        check('a guest gets AccessDenied for SetIntensity', error_name(r) == DENIED, r.stderr)
        r = gdbus(GUEST, env, 'Reset')
        check('a guest gets AccessDenied for Reset', error_name(r) == DENIED, r.stderr)
        r = as_user(GUEST, [staged(dest, dirs['bindir'] + '/chairctl'), 'start', '--program',
                            'relax'], env)
        check('chairctl tells a guest in words that only group chair may start',
              r.returncode == 1 and "You are not allowed to start a session: only members of "
              "group 'chair' (and root) may. Stopping the chair is always allowed." in r.stderr,
              r.stderr)
        for method, args, iface in (('EmergencyStop', (), 'org.chaird.Chair1'),
                                    ('Stop', (), 'org.chaird.Chair1'),
                                    ('ListPrograms', (), 'org.chaird.Chair1'),
                                    ('GetAll', ('org.chaird.Chair1',), 'org.freedesktop.DBus.Properties'),
                                    ('Get', ('org.chaird.Chair1', 'State'), 'org.freedesktop.DBus.Properties'),
                                    ('Introspect', (), 'org.freedesktop.DBus.Introspectable'),
                                    ('Ping', (), 'org.freedesktop.DBus.Peer')):
            r = gdbus(GUEST, env, method, *args, iface=iface)
            check('a guest may call %s' % method, r.returncode == 0, r.stderr)

        # The e-stop the guest pressed is latched; a member clears it and starts.
        r = gdbus(MEMBER, env, 'Reset')
        check('a member of chair may Reset', r.returncode == 0, r.stderr)
        r = gdbus(MEMBER, env, 'Start', 'relax', '{}')
        check('a member of chair may Start', r.returncode == 0, r.stderr)
        r = gdbus(MEMBER, env, 'Get', 'org.chaird.Chair1', 'State',
                  iface='org.freedesktop.DBus.Properties')
        check('the session runs', "'running'" in r.stdout, r.stdout + r.stderr)
        r = gdbus(GUEST, env, 'Stop')
        check('a guest may stop the member\'s session', r.returncode == 0, r.stderr)
        r = gdbus('root', env, 'SetHeat', 'uint32 1')
        check('root may call everything (SetHeat reaches chaird)',
              error_name(r) != DENIED, r.stderr)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        users.remove()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(dest, ignore_errors=True)

    print('%d passed, %d failed' % (len(checks) - len(failures), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
