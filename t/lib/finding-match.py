#!/usr/bin/env python3
# QEMU's messages against the finding catalogue (CATALOGUE: the output of
# gen-findings --tsv). Used by t/findings.bats.
#
#   finding-match.py CATALOGUE recorded FILE...
#       every refusal recorded by t/qemu/conform --record (FILE named
#       recorded-X.Y.txt) matches a QEMU message of some row, for release X.Y
#   finding-match.py CATALOGUE emitted X.Y < JSON
#       every finding {"id", "qemu"} on stdin (nvd-plan --json documents, one after another) whose
#       qemu is set matches a QEMU message of its own row for release X.Y
#
# A row's message matches with "..." standing for any text; a row's "when"
# ("7.1 on", "6.0 to 8.1", "... before 10.2") limits the releases it covers,
# any other "when" (a machine: "pc, q35") covers all. Prints each miss; exit 1
# if there was one.
import json
import re
import sys


def ver(s):
    return tuple(int(x) for x in s.split('.'))


def covers(when, rel):
    if not when:
        return True
    m = re.fullmatch(r'(\d+\.\d+) to (\d+\.\d+)', when)
    if m:
        return ver(m.group(1)) <= ver(rel) <= ver(m.group(2))
    m = re.fullmatch(r'(\d+\.\d+) on', when)
    if m:
        return ver(m.group(1)) <= ver(rel)
    m = re.fullmatch(r'.* before (\d+\.\d+)', when)
    if m:
        return ver(rel) < ver(m.group(1))
    return True


rows = {}
for line in open(sys.argv[1]):
    f = line.rstrip('\n').split('\t')
    pats = []
    for q in f[4:]:
        when, text = q.split('=', 1)
        rx = '.*'.join(re.escape(p) for p in text.split('...'))
        pats.append((when, re.compile(rx)))
    rows[f[0]] = pats


def matches(ids, msg, rel):
    return [i for i in ids for when, rx in rows[i] if covers(when, rel) and rx.fullmatch(msg)]


bad = n = 0
if sys.argv[2] == 'recorded':
    for fn in sys.argv[3:]:
        rel = re.search(r'recorded-(\d+\.\d+)', fn).group(1)
        for line in open(fn):
            f = line.rstrip('\n').split('\t')
            if line.startswith('#') or len(f) < 3 or f[1] != 'refuse':
                continue
            n += 1
            if not matches(rows, f[2], rel):
                bad += 1
                print(f'{rel} {f[0]}: no finding has QEMU\'s message: {f[2]}')
else:
    rel = sys.argv[3]
    text, pos, dec = sys.stdin.read(), 0, json.JSONDecoder()
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            break
        doc, pos = dec.raw_decode(text, pos)
        for x in doc.get('findings', []):
            q = x.get('qemu')
            if not q:
                continue
            n += 1
            if x['id'] not in rows:
                bad += 1
                print(f'{rel}: {x["id"]} is not in the catalogue')
            elif not matches([x['id']], q, rel):
                bad += 1
                print(f'{rel} {x["id"]}: its row has no QEMU message like: {q}')
print(f'{n} messages, {bad} without their finding', file=sys.stderr)
sys.exit(1 if bad else 0)
