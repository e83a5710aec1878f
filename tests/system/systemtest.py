# SPDX-License-Identifier: MIT
"""Shared by the system integration tests: install into a staging tree."""

import os
import subprocess
import tempfile

BUILD = os.environ.get('CHAIRD_BUILD_DIR', 'build')


def install_dirs():
    with open(os.path.join(BUILD, 'systemd', 'install-dirs.txt')) as f:
        return dict(line.strip().split('=', 1) for line in f if '=' in line)


def install(prefix='chaird-install-'):
    """meson install into a fresh staging directory; returns its path."""
    dest = tempfile.mkdtemp(prefix=prefix)
    os.chmod(dest, 0o755)
    r = subprocess.run(['meson', 'install', '-C', BUILD, '--no-rebuild', '--quiet',
                        '--destdir', dest], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError('meson install failed: ' + r.stdout + r.stderr)
    return dest


def staged(dest, path):
    return os.path.join(dest, path.lstrip('/'))
