#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Turns the introspection XML files into C strings, so the daemon serves
# exactly the files in data/.
import sys

out_c, out_h = sys.argv[1], sys.argv[2]
pairs = list(zip(sys.argv[3::2], sys.argv[4::2]))


def literal(text):
    lines = []
    for line in text.splitlines(keepends=True):
        esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
        lines.append('\t"%s"' % esc)
    return '\n'.join(lines)


with open(out_h, 'w') as h:
    h.write('/* Generated from the XML files in data/; do not edit. */\n#pragma once\n')
    for name, _ in pairs:
        h.write('extern const char %s[];\n' % name)
with open(out_c, 'w') as c:
    c.write('/* Generated from the XML files in data/; do not edit. */\n#include "api-xml.h"\n')
    for name, path in pairs:
        with open(path, encoding='utf-8') as f:
            c.write('const char %s[] =\n%s;\n' % (name, literal(f.read())))
