"""The worker's OS sandbox: resource limits, then Landlock and seccomp where the kernel has them.

Applied by the worker to itself, after it has imported what it needs and before it
runs any model code. Each layer is independent of the policy check, so a snippet
that slips past the policy still cannot write files, read the user's files or
secrets, open sockets or start programs. `apply_sandbox` returns what it could
apply; the host logs that once (macOS and old kernels get rlimits only).
"""

import contextlib
import ctypes
import errno
import os
import resource
import sys
from collections.abc import Iterable

PR_SET_PDEATHSIG = 1
CLONE_THREAD = 0x00010000

# Syscalls refused with EPERM: new processes and programs, sockets, other
# processes' memory and signals, and kernel features a sandbox escape would use.
DENIED_SYSCALLS = (
    "execve",
    "execveat",
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kill",
    "tkill",
    "socket",
    "socketpair",
    "unshare",
    "setns",
    "mount",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "keyctl",
    "add_key",
    "request_key",
    # other processes by pidfd or queued signals (found in review: pidfd_send_signal to the host)
    "pidfd_open",
    "pidfd_send_signal",
    "pidfd_getfd",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "process_madvise",
)


class SandboxReport:
    """What `apply_sandbox` could apply. (No dataclass: the worker's start-up time counts.)"""

    def __init__(self) -> None:
        self.landlock = False
        self.seccomp = False
        self.notes: list[str] = []


def die_with_parent() -> None:
    """Ask the kernel to kill the worker when the host dies (Linux only)."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)


def apply_sandbox(max_memory_mb: int, cpu_seconds_cap: int, readable: Iterable[str], writable: str) -> SandboxReport:
    report = SandboxReport()
    _apply_rlimits(max_memory_mb, cpu_seconds_cap)
    if sys.platform != "linux":
        report.notes.append(f"{sys.platform}: no Landlock or seccomp; policy check and rlimits only")
        _forbid_new_processes_by_rlimit()
        return report
    # The seccomp filter is built first: pyseccomp finds libseccomp by running
    # ldconfig, which Landlock would no longer allow.
    seccomp_filter = _build_seccomp_filter(report.notes)
    report.landlock = _apply_landlock(readable, writable, report.notes)
    report.seccomp = _load_seccomp_filter(seccomp_filter, report.notes)
    if not report.seccomp:
        _forbid_new_processes_by_rlimit()
    return report


def _apply_rlimits(max_memory_mb: int, cpu_seconds_cap: int) -> None:
    memory = max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds_cap, cpu_seconds_cap))


def set_cpu_budget(seconds: int) -> None:
    """Let the next snippet use `seconds` more CPU time (SIGXCPU kills the worker past it)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (min(spent + seconds, hard), hard))


def _forbid_new_processes_by_rlimit() -> None:
    # RLIMIT_NPROC counts threads too on Linux, so it is the fallback, not the rule;
    # it does not bind root.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def _apply_landlock(readable: Iterable[str], writable: str, notes: list[str]) -> bool:
    try:
        import landlock
    except ImportError:
        notes.append("Landlock: the 'landlock' package is not installed")
        return False
    try:
        ruleset = landlock.Ruleset()
        read_file = landlock.FSAccess.READ_FILE
        for path in sorted(set(readable)):
            if os.path.isdir(path):
                ruleset.allow(path, rules=read_file | landlock.FSAccess.READ_DIR)
            elif os.path.exists(path):
                ruleset.allow(path, rules=read_file)  # a file takes file rights only
        ruleset.allow(writable)
        ruleset.apply()
    except (OSError, landlock.LandlockError) as e:
        notes.append(f"Landlock unavailable: {e}")
        return False
    return True


def _build_seccomp_filter(notes: list[str]):
    try:
        import pyseccomp as sc
    except (ImportError, OSError, TypeError, AttributeError) as e:  # libseccomp not found
        notes.append(f"seccomp unavailable: pyseccomp or libseccomp missing ({e})")
        return None
    try:
        deny = sc.ERRNO(errno.EPERM)
        rules = sc.SyscallFilter(sc.ALLOW)
        for name in DENIED_SYSCALLS:
            rules.add_rule(deny, name)
        # Threads are fine; a clone without CLONE_THREAD is a new process.
        rules.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        # glibc falls back from clone3 to clone on ENOSYS, which the rule above judges.
        rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        # Signals only to this process.
        rules.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, os.getpid()))
    except (OSError, RuntimeError, ValueError) as e:
        notes.append(f"seccomp unavailable: {e}")
        return None
    return rules


def _load_seccomp_filter(rules, notes: list[str]) -> bool:
    if rules is None:
        return False
    try:
        rules.load()
    except OSError as e:
        notes.append(f"seccomp unavailable: {e}")
        return False
    return True
