"""Offline stand-in for the get-pip.py bootstrap script of ansible-test.

ansible-test creates every sanity-test virtual environment with
`python -m venv --without-pip` and then runs a get-pip.py script that it
downloads from a CI file server and caches as
~/.ansible/test/cache/get_pip_<version>.py. That server is unreachable here, so
scripts/sanity.sh copies this file to that cache path before ansible-test runs.

ansible-test runs it as `python quiet_pip.py PACKAGES... [--no-setuptools] [--no-wheel]`
with GET_PIP pointing at this file, and quiet_pip.py executes it as __main__ with
sys.argv[1:] holding those arguments (PACKAGES are exact pins such as pip==24.2).
We do what get-pip.py would: put pip into the venv (from the interpreter's own
bundled wheel, via ensurepip, no network), then install the requested pinned
packages from the package index pip is configured for, and honour
--no-setuptools / --no-wheel.
"""
import subprocess
import sys


def main():
    args = sys.argv[1:]
    no_setuptools = "--no-setuptools" in args
    no_wheel = "--no-wheel" in args
    options = [a for a in args if a.startswith("-") and a not in ("--no-setuptools", "--no-wheel")]
    packages = [a for a in args if not a.startswith("-")]

    ensure = subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if ensure.returncode != 0:
        sys.stderr.write(ensure.stdout)
        sys.exit("get_pip stand-in: ensurepip failed (is the python venv/ensurepip module installed?)")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    if packages:
        subprocess.check_call(pip + ["install", "--progress-bar", "off", "-q"] + options + packages)

    # ensurepip of Python <= 3.11 also installs setuptools; get-pip.py would not.
    unwanted = []
    if no_setuptools and not any(p.split("=")[0].lower() == "setuptools" for p in packages):
        unwanted.append("setuptools")
    if no_wheel and not any(p.split("=")[0].lower() == "wheel" for p in packages):
        unwanted.append("wheel")
    for name in unwanted:
        if subprocess.call(pip + ["show", "-q", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
            subprocess.check_call(pip + ["uninstall", "-y", "-q", name])


if __name__ == "__main__":
    main()
