"""Benchmark of the export reader on a large lycée (issue 2 §6). A script, not a test.

Generates a lycée with the sample generator (2,000 students by default), then measures, each in a
fresh subprocess so peak memory is comparable:
- reader: `read_export` of the encrypted file with a loaded key (envelope parse, base64, RSA,
  AES, zlib, VERIFICATION, streaming parse into the immutable model with all its checks);
- floor: AES-128-CBC decryption + zlib inflation + `lxml.etree.fromstring` of the cleartext
  (a bare tree, no model), i.e. the least any decrypt-and-parse can do.
Times are CPU times (`process_time`, best and median of N runs: the machine is shared);
peak RSS growth is measured around the runs. Goal: reader ≤ 1.5 × floor.

    .venv/bin/python bench/bench_reader.py [--students 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import base64, json, sys, time, zlib
from pathlib import Path
from cryptography.hazmat.primitives import padding as sym
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree
from edt_tui.pronote.envelope import parse_envelope
from edt_tui.pronote.keys import load_private_key
from edt_tui.pronote.reader import read_export

mode, export, key_path, runs = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
data = export.read_bytes()
key = load_private_key(key_path)  # loading (and validating) the key is not timed, for both
sealed = parse_envelope(data)
blob = key.decrypt(
    base64.b64decode("".join(sealed.partner_keys["ITSLEARNING"].split())), padding.PKCS1v15()
)
ciphertext = base64.b64decode("".join(sealed.content.split()))

def floor():
    dec = Cipher(algorithms.AES(blob[:16]), modes.CBC(blob[16:32])).decryptor()
    padded = dec.update(ciphertext) + dec.finalize()
    unpad = sym.PKCS7(128).unpadder()
    clear = zlib.decompress(unpad.update(padded) + unpad.finalize())
    return len(etree.fromstring(clear))

def reader():
    return len(read_export(data, private_key=key).timetable.sessions)

def high_water_kib():
    # VmHWM is reset by execve, unlike ru_maxrss which a child inherits from a big parent.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

fn = floor if mode == "floor" else reader
before = high_water_kib()
times = []
for _ in range(runs):
    t0 = time.process_time()
    fn()
    times.append(time.process_time() - t0)
peak = high_water_kib() - before
print(json.dumps({"best": min(times), "median": sorted(times)[len(times) // 2], "peak_kib": peak}))
"""


def _measure(mode: str, export: Path, key: Path, runs: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(export), str(key), str(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        from edt_tui.pronote.generator import generate_establishment
    except ImportError:
        print("skipped: the sample generator (edt_tui.pronote.generator) is not available")
        return 0
    from edt_tui.pronote.reader import read_export

    generated = generate_establishment(students=args.students, seed=args.seed, year=2026)
    assert generated.private_key_pem is not None
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / generated.export_name
        export.write_bytes(generated.encrypted_xml)
        key = Path(tmp) / "key.pem"
        key.write_bytes(generated.private_key_pem)
        t = read_export(export, private_key=key).timetable
        print(
            f"lycée: {len(t.students)} students, {len(t.teachers)} teachers, "
            f"{len(t.sessions)} sessions, {len(t.groups)} groups; cleartext "
            f"{len(generated.plain_xml) / 1e6:.2f} MB, encrypted file "
            f"{len(generated.encrypted_xml) / 1e6:.2f} MB; {os.cpu_count()} CPUs"
        )
        floor = _measure("floor", export, key, args.runs)
        reader = _measure("reader", export, key, args.runs)
    for name, fig in (("floor ", floor), ("reader", reader)):
        print(
            f"{name}: best {fig['best'] * 1000:7.1f} ms, median {fig['median'] * 1000:7.1f} ms, "
            f"peak RSS growth {fig['peak_kib'] / 1024:6.1f} MiB"
        )
    ratio = reader["best"] / floor["best"]
    print(f"ratio reader/floor (best): {ratio:.2f} (goal ≤ 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
