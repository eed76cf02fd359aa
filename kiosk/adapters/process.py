"""The kiosk process never leaves a copy of its memory on disk (core dumps).

While a signer types, their name, address, email, phone and comment are in the app's memory in
clear (they are sealed only when saved), and ``kiosk export`` holds every signer it exports.
A crash (a Qt segfault, an abort) on a system whose core limit allows it wrote all of it in a
core file (beside the app, or under ``/var/lib/systemd/coredump``), readable with the disk and
no key. :func:`forbid_core_dumps` turns core dumps off for this process and for good: the core
size limit is 0, soft and hard (it cannot be raised again without privileges), and on Linux
the process is marked not dumpable (``PR_SET_DUMPABLE`` 0), which also keeps a core handler
piped from ``core_pattern`` (systemd-coredump, apport) from getting it and keeps other
processes of the same user from reading its memory (ptrace, ``/proc/PID/mem``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger("kiosk")

#: ``prctl`` options (``<linux/prctl.h>``).
PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def forbid_core_dumps() -> bool:
    """Turn core dumps off for this process (and, by inheritance, its children's limit).

    Returns whether it is done everywhere this system allows (False, with a log line, when a
    step failed; the app still starts: a kiosk that cannot do this is no worse than before)."""
    done = True
    try:
        import resource
    except ImportError:  # Windows: no core files (crash dumps are off unless configured)
        return True
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        log.warning("core dumps: the core size limit could not be set to 0: %s", exc)
        done = False
    if sys.platform.startswith("linux"):
        done = _prctl(PR_SET_DUMPABLE, 0) == 0 and done
    return done


def dumpable() -> bool | None:
    """Whether the kernel would write a core of this process (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    answer = _prctl(PR_GET_DUMPABLE, 0)
    return None if answer < 0 else answer != 0


def _prctl(option: int, arg: int) -> int:
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        answer = int(libc.prctl(option, arg, 0, 0, 0))
    except (OSError, AttributeError) as exc:
        log.warning("core dumps: prctl is unavailable: %s", exc)
        return -1
    if answer < 0:
        log.warning("core dumps: prctl(%d) failed: errno %d", option, ctypes.get_errno())
    return answer
