"""The agreement core: the document format, its records and checks, histories of versions.

Every other package builds on this one; it imports none of them.
"""
