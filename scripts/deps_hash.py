"""Print a short hash of the given files plus the running interpreter's version.

Keys a virtual environment's stamp file (.installed-<hash>): when a requirements or constraints
file or the Python that builds the venv changes, the hash changes, the stamp is missing and the
venv is rebuilt. Used by the Makefile (.venv-nox), noxfile.py (every session's venv, through
deps_hash()) and scripts/mutants.py.
"""
import hashlib
import sys


def deps_hash(names, python_version=sys.version):
    """16 hex digits of sha256 over the Python version and each file's name and content."""
    digest = hashlib.sha256(python_version.encode())
    for name in names:
        with open(name, "rb") as handle:
            digest.update(b"\0" + str(name).encode() + b"\0" + handle.read())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    print(deps_hash(sys.argv[1:]))
