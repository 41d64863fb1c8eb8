"""Programs the suite drives that are not Python packages: Debian's, installed when missing.

`make test` needs a browser for the panel's tests (chromium), Prometheus' `promtool` for the
alert rules' tests, Alertmanager's `amtool` for their routing and `pgbouncer` for the fleet's
pooling tests. Each is looked up in its
environment variable, then on PATH; when missing, the launcher installs the Debian package as
root (apt-get), and without root (or apt) it stops with the command to run, since a skipped check
proves nothing. The launcher passes the path found to the suite in the same environment variable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    env_var: str                  # where the path is configured (and passed to the suite)
    commands: tuple[str, ...]     # names to look for on PATH, in order
    package: str                  # the Debian package that provides it
    purpose: str                  # "the panel's browser tests", for the messages
    apt_options: tuple[str, ...] = ()


CHROMIUM = Tool("CHROMIUM_PATH", ("chromium", "chromium-browser"), "chromium", "the panel's browser tests")
# --no-install-recommends: promtool is all we need, not the server's node exporter and friends.
PROMTOOL = Tool("PROMTOOL_PATH", ("promtool",), "prometheus", "the alert rules' tests",
                apt_options=("--no-install-recommends",))
AMTOOL = Tool("AMTOOL_PATH", ("amtool",), "prometheus-alertmanager", "the alert routing tests",
              apt_options=("--no-install-recommends",))
# The fleet tests run a real pgbouncer in front of the test database (tests/fleet/test_pgbouncer.py).
PGBOUNCER = Tool("PGBOUNCER_PATH", ("pgbouncer",), "pgbouncer", "the PgBouncer tests",
                 apt_options=("--no-install-recommends",))
SUITE_TOOLS = (CHROMIUM, PROMTOOL, AMTOOL, PGBOUNCER)


def tool_path(tool: Tool) -> str | None:
    """The program to run: its environment variable when set, else the first of its names on PATH."""
    configured = os.environ.get(tool.env_var)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in tool.commands:
        found = shutil.which(name)
        if found:
            return found
    return None


def tool_ensure(tool: Tool, say) -> str | None:
    """The tool's path, installing its Debian package first when it is missing and we may."""
    path = tool_path(tool)
    if path:
        return path
    apt = shutil.which("apt-get")
    install = ["install", "-y", *tool.apt_options, tool.package]
    if apt is None or os.geteuid() != 0:
        say(f"{tool.commands[0]} is missing: install it (Debian/Ubuntu: `sudo apt-get update && sudo apt-get "
            f"{' '.join(install)}`) or set {tool.env_var}; {tool.purpose} need it")
        return None
    say(f"installing Debian's {tool.package} for {tool.purpose} (apt-get, once)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "-qq", *install]):
        if subprocess.run(command, env=env).returncode:
            say(f"`{' '.join(command)}` failed (see above)")
            return None
    return tool_path(tool)
