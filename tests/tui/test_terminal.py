"""Noticing a hung-up terminal (tui/terminal.py), on a real pseudo-terminal pair."""

from __future__ import annotations

import os

from edt_tui.tui.terminal import terminal_hung_up


def test_a_pty_is_hung_up_once_its_other_side_is_closed() -> None:
    master, slave = os.openpty()
    try:
        assert not terminal_hung_up(slave)
        os.write(master, b"typed")  # pending input is not a hang-up
        assert not terminal_hung_up(slave)
        os.close(master)
        assert terminal_hung_up(slave)
    finally:
        os.close(slave)
