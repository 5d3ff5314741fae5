"""Persistence of the ENT import service: the only package that talks to a database.

Nothing outside it imports a database driver or writes SQL; the service sees repositories.
"""
