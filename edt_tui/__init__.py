"""edt-tui: import PRONOTE/EDT timetables into an ENT, from the terminal."""

__version__ = "0.1.0"
