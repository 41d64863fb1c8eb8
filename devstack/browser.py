"""The browser the panel's tests drive: Debian's chromium, installed when missing.

Playwright's own browser download is impossible on many build machines (and a second copy of
a browser for tests); its Python wheel carries only the protocol driver, which drives the
system's chromium just as well. `make test` installs the package as root when it is missing;
without root (or apt) it stops with the command to run, since a skipped browser test proves
nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess

CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    """The browser to drive: CHROMIUM_PATH when set, else the first chromium on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_ensure(say) -> str | None:
    """The chromium path, installing Debian's package first when it is missing and we may."""
    path = chromium_path()
    if path:
        return path
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        say("chromium is missing: install it (Debian/Ubuntu: `sudo apt-get update && sudo apt-get install -y "
            "chromium`) or set CHROMIUM_PATH; the panel's browser tests need it")
        return None
    say("installing Debian's chromium for the panel's browser tests (apt-get, once)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        if subprocess.run(command, env=env).returncode:
            say(f"`{' '.join(command)}` failed (see above)")
            return None
    return chromium_path()
