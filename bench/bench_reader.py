"""Benchmark of the export reader on a large lycée (issue 2 §6). A script, not a test.

Generates a lycée with the sample generator (2,000 students by default), then measures:
- reader: `read_export` of the encrypted file with a loaded key (envelope parse, base64, RSA,
  AES, zlib, VERIFICATION, streaming parse into the immutable model with all its checks);
- floor: AES-128-CBC decryption + zlib inflation + `lxml.etree.fromstring` of the cleartext
  (a bare tree, no model), i.e. the least any decrypt-and-parse can do;
- events: the same decryption, then lxml handing every start and end tag to a Python target
  that does nothing (what the reader's streaming parse pays before any work of its own).
Times are CPU times (`process_time`) of runs alternating floor and reader in one fresh process
(not the generator's, whose big heap would slow the cyclic GC), best and median of N each, so
that load from other jobs on a shared machine hits both alike. Peak memory is the growth of
VmHWM in a fresh process per side. Goal: reader ≤ 1.5 × floor.

    .venv/bin/python bench/bench_reader.py [--students 2000] [--runs 9]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _contenders(export: Path, key_path: Path) -> dict[str, Callable[[], object]]:
    from cryptography.hazmat.primitives import padding as sym
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from lxml import etree

    from edt_tui.pronote.envelope import parse_envelope
    from edt_tui.pronote.keys import load_private_key
    from edt_tui.pronote.reader import read_export

    data = export.read_bytes()
    key = load_private_key(key_path)  # loading (and validating) the key is timed for neither
    sealed = parse_envelope(data)
    partner_key = next(iter(sealed.partner_keys.values()))
    blob = key.decrypt(base64.b64decode("".join(partner_key.split())), padding.PKCS1v15())
    ciphertext = sealed.content  # decoded from base64 while the envelope is parsed
    assert ciphertext is not None

    def floor() -> object:
        dec = Cipher(algorithms.AES(blob[:16]), modes.CBC(blob[16:32])).decryptor()
        padded = dec.update(ciphertext) + dec.finalize()
        unpad = sym.PKCS7(128).unpadder()
        return etree.fromstring(zlib.decompress(unpad.update(padded) + unpad.finalize()))

    def reader() -> object:
        return read_export(data, private_key=key, partner=sealed.summary.partners[0])

    def events() -> object:
        dec = Cipher(algorithms.AES(blob[:16]), modes.CBC(blob[16:32])).decryptor()
        padded = dec.update(ciphertext) + dec.finalize()
        unpad = sym.PKCS7(128).unpadder()
        document = zlib.decompress(unpad.update(padded) + unpad.finalize())
        return etree.fromstring(document, etree.XMLParser(target=_NoOpTarget()))

    return {"floor": floor, "events": events, "reader": reader}


class _NoOpTarget:
    """A parser target that does nothing: what lxml alone costs to hand every start and end tag
    (tag string, attribute dict, call) to Python — a bound no reader going through lxml events
    can beat, whatever it does with them."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        return None

    def end(self, tag: str) -> None:
        return None

    def close(self) -> None:
        return None


def _high_water_kib() -> int:
    # VmHWM is reset by execve, unlike ru_maxrss which a child inherits from a big parent.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child(args: list[str]) -> Any:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _time_both(export: Path, key: Path, runs: int) -> dict[str, list[float]]:
    """Alternating CPU times in this (fresh, small) process."""
    contenders = _contenders(export, key)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, run in contenders.items():
            started = time.process_time()
            run()
            times[name].append(time.process_time() - started)
    return times


def _peak_growth_kib(side: str, export: Path, key: Path) -> int:
    run = _contenders(export, key)[side]
    before = _high_water_kib()
    run()
    return _high_water_kib() - before


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "EXPORT", "KEY"), help="internal")
    args = parser.parse_args()
    if args.child:
        what, export, key = args.child
        if what == "times":
            print(json.dumps(_time_both(Path(export), Path(key), args.runs)))
        else:
            print(json.dumps(_peak_growth_kib(what, Path(export), Path(key))))
        return 0
    try:
        from edt_tui.pronote.generator import generate_establishment
    except ImportError:
        print("skipped: the sample generator (edt_tui.pronote.generator) is not available")
        return 0

    generated = generate_establishment(students=args.students, seed=args.seed, year=2026)
    assert generated.private_key_pem is not None
    t = generated.timetable
    print(
        f"lycée: {len(t.students)} students, {len(t.teachers)} teachers, "
        f"{len(t.sessions)} sessions, {len(t.groups)} groups; cleartext "
        f"{len(generated.plain_xml) / 1e6:.2f} MB, encrypted file "
        f"{len(generated.encrypted_xml) / 1e6:.2f} MB; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / generated.export_name
        export.write_bytes(generated.encrypted_xml)
        key = Path(tmp) / "key.pem"
        key.write_bytes(generated.private_key_pem)
        paths = [str(export), str(key)]
        times: dict[str, list[float]] = _child(
            ["--runs", str(args.runs), "--child", "times", *paths]
        )
        peaks: dict[str, int] = {name: _child(["--child", name, *paths]) for name in times}
    for name in ("floor", "events", "reader"):
        series = times[name]
        print(
            f"{name:6}: best {min(series) * 1000:7.1f} ms, median "
            f"{statistics.median(series) * 1000:7.1f} ms, peak RSS growth "
            f"{peaks[name] / 1024:6.1f} MiB"
        )
    floor = min(times["floor"])
    print(f"ratio events/floor (best): {min(times['events']) / floor:.2f} (lxml's part alone)")
    print(f"ratio reader/floor (best): {min(times['reader']) / floor:.2f} (goal ≤ 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
