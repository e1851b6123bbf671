"""Print a short hash of the given files plus the running interpreter's version.

Used by the Makefile to key a virtual environment's stamp file: when
requirements-dev.txt, a constraints file or the Python used to build the venv
changes, the hash changes, the stamp is missing and the venv is rebuilt.
"""
import hashlib
import sys

digest = hashlib.sha256(sys.version.encode())
for name in sys.argv[1:]:
    with open(name, "rb") as handle:
        digest.update(b"\0" + name.encode() + b"\0" + handle.read())
print(digest.hexdigest()[:16])
