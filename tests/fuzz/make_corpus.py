#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/ from real iperf3 traffic.

  python3 tests/fuzz/make_corpus.py [/work/shared]

Sources: the captured control exchanges (data/iperf3-reference/*.ctrl.txt,
the JSON after '-> JSON: '), the UDP datagram bytes printed in
docs/iperf3-protocol.md Appendix A.2/A.3/A.5, and a few command lines.
Seed files are named by content hash, so rerunning is idempotent.
"""
import glob
import hashlib
import json
import os
import re
import struct
import sys

shared = sys.argv[1] if len(sys.argv) > 1 else "/work/shared"
here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, "corpus")


def write(target, data, tag):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    name = f"{tag}-{hashlib.sha1(data).hexdigest()[:12]}"
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frame(body):
    return struct.pack(">I", len(body)) + body


# --- control JSON ------------------------------------------------------------
params, results = {}, {}
for path in sorted(glob.glob(os.path.join(shared, "data/iperf3-reference/*.ctrl.txt"))):
    capture = os.path.basename(path).removesuffix(".ctrl.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.search(r"-> JSON: (.*)$", line.rstrip("\n"))
            if not m:
                continue
            text = m.group(1).encode()
            obj = json.loads(text)  # fails loudly on a truncated line
            if "cpu_util_total" in obj:
                results.setdefault(text, capture)
            else:
                params.setdefault(text, capture)

for text, capture in params.items():
    write("params", text, capture)
for text, capture in results.items():
    write("results", text, capture)

# frame: 4-byte big-endian length + body, one per message, plus streams of two
# frames (params then results, as on the wire) and the decoder's error cases.
for text, capture in list(params.items()) + list(results.items()):
    write("frame", frame(text), capture)
p = next(iter(params))
r = next(iter(results))
write("frame", frame(p) + frame(r), "pair")
write("frame", frame(r) + frame(r)[:10], "partial")
write("frame", b"\x00\x00\x00\x00", "zero")
write("frame", b"\xff\xff\xff\xff" + p, "negative")
write("frame", struct.pack(">I", 8193) + b"{", "too-long")

# --- UDP datagram headers (Appendix A) ---------------------------------------
with open(os.path.join(shared, "docs/iperf3-protocol.md"), encoding="utf-8") as f:
    doc = f.read()


def hex_after(prefix_regex):
    out = []
    for m in re.finditer(prefix_regex + r"((?:[0-9a-f]{2} )+)", doc):
        out.append(bytes.fromhex(m.group(1)))
    return out


a2 = hex_after(r"UDP C->S len=32768  ")     # 32-bit counters: 12-byte header + 4 payload bytes
a3 = hex_after(r"UDP C->S len=100  ")       # 64-bit counters: 16-byte header + payload
a5 = hex_after(r"UDP S->C len=1400 ")       # 32-bit counters, server sending
assert len(a2) == 2 and len(a3) == 2 and len(a5) == 1, (len(a2), len(a3), len(a5))
for i, d in enumerate(a2 + a3 + a5):
    write("udp_header", d, f"datagram{i}")
# Record streams: header + 4-byte transit (the harness's format).
write("udp_header", a2[0][:16] + a2[1][:16], "a2-stream")
write("udp_header", a3[0][:20] + a3[1][:20], "a3-stream")
write("udp_header", a2[1][:12] + b"\x00\x00\x01\x00" + a2[0][:12] + b"\x00\x00\x02\x00", "a2-late")
write("udp_header", a5[0][:12] + b"\x80\x00\x00\x00" + a5[0][:12] + b"\x00\x00\x00\x10", "a5-reset")
write("udp_header", bytes([0x39, 0x38, 0x37, 0x36]), "hello")

# --- command lines (NUL-separated argv) ----------------------------------------
cmdlines = [
    ["-c", "127.0.0.1", "-P", "8", "-A", "0-3,4-7"],
    ["-s"],
    ["-s", "-1", "-p", "5301", "--idle-timeout", "30", "--server-max-duration", "60"],
    ["-s", "--server-bitrate-limit", "1G", "--rcv-timeout", "5000", "--cntl-ka", "10/2/3"],
    ["-c", "::1", "-u", "-b", "200K", "-t", "2", "--udp-counters-64bit"],
    ["-c", "localhost", "-R", "-P", "2", "-l", "1400", "-u"],
    ["-c", "h", "--bidir", "-J", "-i", "0.5", "-f", "M"],
    ["-c", "h", "-n", "3M", "-b", "16M", "-w", "256K", "-M", "1400", "-N", "-C", "bbr", "-T", "title"],
    ["-c", "h", "-k", "100", "--cport", "5000", "--connect-timeout", "500", "--get-server-output"],
    ["-c", "h", "-u", "--gsro", "-O", "3", "-4", "--snd-timeout", "1000", "--cntl-ka"],
    ["-c", "h", "-6", "-B", "::1", "-V", "-A", "0:2:4,1:3:5"],
    ["--help"],
    ["-v"],
]
for i, argv in enumerate(cmdlines):
    write("cli", b"\0".join(a.encode() for a in argv), f"cmd{i}")
