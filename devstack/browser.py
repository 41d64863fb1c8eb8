"""The browser the panel's tests drive: Debian's chromium, installed when missing (devstack/tools.py).

Playwright's own browser download is impossible on many build machines (and a second copy of
a browser for tests); its Python wheel carries only the protocol driver, which drives the
system's chromium just as well.
"""

from __future__ import annotations

from devstack.tools import CHROMIUM, tool_ensure, tool_path


def chromium_path() -> str | None:
    """The browser to drive: CHROMIUM_PATH when set, else the first chromium on PATH."""
    return tool_path(CHROMIUM)


def chromium_ensure(say) -> str | None:
    """The chromium path, installing Debian's package first when it is missing and we may."""
    return tool_ensure(CHROMIUM, say)
