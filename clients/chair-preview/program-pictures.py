#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The built-in programs' pictures in docs/programs.md, made by the build.

  program-pictures.py build PREVIEW PROGRAMS_DIR OUT_DIR
      draws OUT_DIR/ID.png for every PROGRAMS_DIR/ID.program with
      chair-preview, each marked with the SHA-256 of the file it shows and
      of its session's summary, and
      writes OUT_DIR/programs-section.md, the list that goes in the docs.
  program-pictures.py update OUT_DIR PROGRAMS_DIR DOCS_DIR
      copies what `build` made into DOCS_DIR/programs/ and DOCS_DIR/programs.md.
  program-pictures.py check PREVIEW PROGRAMS_DIR DOCS_DIR
      fails when a picture or the list is missing or stale: a program file
      changed, was added or was removed since the pictures were drawn, or
      the session it describes did.
"""

import glob
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

BEGIN = ('<!-- The list below and its pictures are made by the build from data/programs; '
         'do not edit them by hand. After changing a program, run: '
         'meson compile -C build update-program-pictures -->')
END = '<!-- End of the list made by the build. -->'
KEY = b'Source'
UPDATE = 'meson compile -C build update-program-pictures'


def programs(programs_dir):
    return sorted(glob.glob(os.path.join(programs_dir, '*.program')))


def program_id(path):
    return os.path.basename(path)[:-len('.program')]


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def source_text(preview, path):
    """What a picture shows: the program file, and what the chair does with
    it (the summary changes when the engine, motion or safety do)."""
    session = json.dumps(summary(preview, path), sort_keys=True).encode()
    return '%s sha256=%s session-sha256=%s' % (os.path.basename(path), sha256(path),
                                               hashlib.sha256(session).hexdigest())


def png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data +
            struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))


def png_chunks(data):
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG file')
    pos = 8
    while pos < len(data):
        n, = struct.unpack('>I', data[pos:pos + 4])
        yield data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n], pos, pos + 12 + n
        pos += 12 + n


def mark(png_path, text):
    """Puts a tEXt chunk, Source: TEXT, right after the header."""
    with open(png_path, 'rb') as f:
        data = f.read()
    _, _, _, end = next(png_chunks(data))
    chunk = png_chunk(b'tEXt', KEY + b'\0' + text.encode())
    with open(png_path, 'wb') as f:
        f.write(data[:end] + chunk + data[end:])


def marked_source(png_path):
    with open(png_path, 'rb') as f:
        data = f.read()
    for kind, body, _, _ in png_chunks(data):
        if kind == b'tEXt' and body.startswith(KEY + b'\0'):
            return body[len(KEY) + 1:].decode()
    return None


def summary(preview, path):
    out = subprocess.run([preview, path, '--json'], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('%s: chair-preview failed: %s' % (path, out.stderr.strip()))
    return json.loads(out.stdout)


def section(preview, programs_dir):
    lines = [BEGIN, '']
    for path in programs(programs_dir):
        d = summary(preview, path)
        minutes = int(d['duration_s'] // 60)
        lines += ['### %s' % d['name'], '',
                  '`%s` \u00b7 %s \u00b7 %d min' % (d['program'], d['character'], minutes), '',
                  d['description'], '',
                  '![%s: the roller\'s path over %d minutes at intensity 3, its depth, the '
                  'airbags and the heaters](programs/%s.png)' % (d['name'], minutes,
                                                                   d['program']), '']
    return '\n'.join(lines + [END]) + '\n'


def build(preview, programs_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for path in programs(programs_dir):
        png = os.path.join(out_dir, program_id(path) + '.png')
        r = subprocess.run([preview, path, '--png', png], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit('%s: chair-preview failed: %s' % (path, r.stderr.strip()))
        mark(png, source_text(preview, path))
    with open(os.path.join(out_dir, 'programs-section.md'), 'w') as f:
        f.write(section(preview, programs_dir))


def split_doc(doc_path):
    with open(doc_path) as f:
        text = f.read()
    b, e = text.find(BEGIN), text.find(END)
    if b < 0 or e < b:
        sys.exit('%s: the markers of the built-in programs\' list are missing' % doc_path)
    return text[:b], text[b:e + len(END) + 1], text[e + len(END) + 1:]


def update(out_dir, programs_dir, docs_dir):
    pictures = os.path.join(docs_dir, 'programs')
    os.makedirs(pictures, exist_ok=True)
    wanted = {program_id(p) + '.png' for p in programs(programs_dir)}
    for old in os.listdir(pictures):
        if old.endswith('.png') and old not in wanted:
            os.unlink(os.path.join(pictures, old))
    for name in sorted(wanted):
        shutil.copyfile(os.path.join(out_dir, name), os.path.join(pictures, name))
    doc = os.path.join(docs_dir, 'programs.md')
    head, _, tail = split_doc(doc)
    with open(os.path.join(out_dir, 'programs-section.md')) as f:
        new = f.read()
    with open(doc, 'w') as f:
        f.write(head + new + tail)
    print('Updated %d pictures in %s and the list in %s' % (len(wanted), pictures, doc))


def check(preview, programs_dir, docs_dir):
    problems = []
    pictures = os.path.join(docs_dir, 'programs')
    wanted = set()
    for path in programs(programs_dir):
        name = program_id(path) + '.png'
        png = os.path.join(pictures, name)
        wanted.add(name)
        if not os.path.exists(png):
            problems.append('%s has no picture: %s is missing' % (path, png))
            continue
        source = (marked_source(png) or 'an unmarked program').split()
        now = source_text(preview, path).split()
        if source[:2] != now[:2]:
            problems.append('%s is stale: it shows %s, but the file is now %s' % (
                png, ' '.join(source[:2]), ' '.join(now[:2])))
        elif source != now:
            problems.append('%s is stale: %s is unchanged, but the session it describes is '
                            'not (the engine, motion control or safety changed)' % (png, path))
    if os.path.isdir(pictures):
        for extra in sorted(set(os.listdir(pictures)) - wanted):
            problems.append('%s shows no built-in program' % os.path.join(pictures, extra))
    _, current, _ = split_doc(os.path.join(docs_dir, 'programs.md'))
    if current != section(preview, programs_dir):
        problems.append('%s: the list of built-in programs does not match %s' % (
            os.path.join(docs_dir, 'programs.md'), programs_dir))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print('Draw them again from the program files with: %s' % UPDATE, file=sys.stderr)
        return 1
    print('%d pictures match their program files' % len(wanted))
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == 'build':
        build(*argv[2:])
        return 0
    if len(argv) == 5 and argv[1] == 'update':
        update(*argv[2:])
        return 0
    if len(argv) == 5 and argv[1] == 'check':
        return check(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
