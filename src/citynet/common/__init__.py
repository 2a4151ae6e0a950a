"""Helpers every stage may use: shipped resource folders, atomic files, one-line text.

Owns no pipeline logic. Imports only the standard library and ``citynet.errors``.
"""
