"""Noticing that the terminal went away when no SIGHUP said so (a killed tmux, some SSH drops).

Textual's input thread then reads an empty string from the hung-up terminal, and again at once,
forever: the app would spin at full CPU on a server until someone kills it. The app polls for
the hang-up once a second instead and quits (decisions are already saved: the next `edt-tui`
offers to resume).
"""

from __future__ import annotations

import select

_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def terminal_hung_up(fd: int) -> bool:
    """Whether the terminal on `fd` was hung up (its other side closed)."""
    poller = select.poll()
    poller.register(fd, 0)  # hang-up and errors are reported whatever the mask
    return any(events & _GONE for _, events in poller.poll(0))
