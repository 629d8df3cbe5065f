"""The sandbox that every submission's kernel runs in while it is graded.

``python -m vaecourse.course.sandbox --settings FILE CONNECTION_FILE [kernel arguments]`` is the
command of the grading kernelspec (``vaecourse.course.kernel``). It starts the IPython kernel
inside bubblewrap, as an unprivileged user, with resource limits and a throw-away working copy:

- no network: a network namespace of its own, so not even the grading host's 127.0.0.1;
- a read-only view of the system: /usr, /etc, the Python installation, the vaecourse package and
  the datasets, and nothing else of the host (not the course sources with their hidden tests, not
  the gradebook, not the other submissions, not the instructor's home);
- writable: only a size-limited working copy of the submission's folder (a tmpfs, thrown away when
  the kernel ends; the original is never changed), a size-limited /tmp, and the kernel's private
  folder of IPC sockets (the kernel talks to the grader through Unix sockets, not TCP ports);
- limits (``setrlimit``): address space, processes, file size, CPU time; and, below the limit on
  processes, a count of processes past which a process that forks ends instead (the grading
  guard does it), so that a fork bomb always ends the same way: its kernel dies in its cell;
- its own PID namespace (a fork bomb stays inside and dies with the kernel), and, when the grader
  runs as root, an unprivileged user of its own on the host (a fresh user id from 200000 up, so
  that no kernel's processes count against another's limit), with no capabilities and
  ``no_new_privs``.

What it does not protect against: a kernel exploit or a bubblewrap bug; reading what the sandbox
shows (the datasets, the installed packages, the public solutions under the repository are not
shown, but anything placed in a shown folder is); using its CPU time and memory up to the limits;
and tampering with the test helpers inside its own kernel, which ``vaecourse.course.guard``
handles. Self-study runs and ``vaecourse validate`` do not use it; ``vaecourse grade --no-sandbox``
turns it off for submissions you trust.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

# Grading kernels run as users of their own, with no name and no files on the host: one user id
# per kernel, drawn from this range, when the grader is root.
FIRST_UID, UIDS = 200_000, 800_000
SUBMISSION = "/run/vaecourse/submission"  # where the original folder is seen, read-only
MiB = 1024**2
# how the guard learns the fork limit, and where it notes that it ended the kernel for it
FORK_LIMIT, FORK_NOTE = "VAECOURSE_FORKING_PROCESSES", "VAECOURSE_FORK_NOTE"


def fork_note(connection_file: str) -> str:
    """The file, beside a kernel's connection file, that says the guard ended it for forking."""
    return os.path.join(os.path.dirname(os.path.abspath(connection_file)), "ended-for-forking")


@dataclass(frozen=True)
class Limits:
    """What one grading kernel may use. A cell's wall time is the cell timeout (Execute)."""

    memory_bytes: int = 8 * 1024 * MiB  # address space: TensorFlow reserves a lot of it
    processes: int = 1024  # counted per user, threads included
    # a process of the kernel that would fork while the sandbox holds this many ends instead (the
    # grading guard): a fork bomb then always kills its kernel in the cell that started it
    forking_processes: int = 256
    file_bytes: int = 1024 * MiB  # the largest file it may write
    cpu_seconds: int = 3600  # CPU time of the whole kernel
    workdir_bytes: int = 1024 * MiB  # its working copy (a tmpfs)
    tmp_bytes: int = 1024 * MiB  # its /tmp (a tmpfs)


def unavailable() -> str | None:
    """Why the sandbox cannot run here, or None when it can."""
    if sys.platform != "linux":
        return f"the sandbox needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    return None


def readable_paths() -> list[str]:
    """Host folders the kernel sees read-only: the system, Python, vaecourse and the data."""
    import vaecourse

    paths = ["/usr", "/etc", "/opt"]
    paths += [os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)]
    paths.append(str(Path(vaecourse.__file__).resolve().parent))
    data = os.environ.get("VAECOURSE_DATA")
    if data and os.path.isdir(data):
        paths.append(os.path.realpath(data))
        paths += [os.path.realpath(entry.path) for entry in os.scandir(data) if entry.is_dir()]
    return sorted({p for p in paths if os.path.exists(p)})


# The environment a kernel starts with: nothing of the grader's but these.
PASSED_ENV = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TF_CPP_MIN_LOG_LEVEL",
    "KERAS_BACKEND",
    "MPLBACKEND",
    "TQDM_DISABLE",
    "VAECOURSE_DATA",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "PYTHONHASHSEED",
    "VAECOURSE_GRADING_PATHS",
)


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts
    return [str(Path(*parts[:k])) for k in range(2, len(parts))]


def bwrap_command(
    workdir: str, connection_dir: str, limits: Limits, readable: list[str], settings: str
) -> list:
    """The bubblewrap part of the command, up to the program it runs."""
    command = [
        "bwrap",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--clearenv",
    ]
    for name in PASSED_ENV:
        if name in os.environ:
            command += ["--setenv", name, os.environ[name]]
    command += ["--setenv", "HOME", workdir, "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib"]
    command += ["--setenv", "USER", "student", "--setenv", "LOGNAME", "student"]
    for link in ("bin", "sbin", "lib", "lib32", "lib64"):
        target = f"/{link}"
        if os.path.islink(target):
            command += ["--symlink", os.readlink(target), target]
        elif os.path.isdir(target):
            command += ["--ro-bind", target, target]
    # /tmp first: the readable paths bound below may lie under /tmp (a checkout and its virtual
    # environment in /tmp), and a tmpfs mounted after them would hide them
    command += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    made = set()
    for path in readable:
        for ancestor in _ancestors(path):
            if ancestor not in made and not any(ancestor.startswith(r + "/") for r in readable):
                command += ["--perms", "0755", "--dir", ancestor]
                made.add(ancestor)
        command += ["--ro-bind", path, path]
    command += ["--proc", "/proc", "--dev", "/dev"]
    for path in (workdir, connection_dir, settings):
        for ancestor in _ancestors(path):
            if ancestor not in made and not any(ancestor.startswith(r + "/") for r in readable):
                command += ["--perms", "0755", "--dir", ancestor]
                made.add(ancestor)
    command += ["--ro-bind", workdir, SUBMISSION]
    command += ["--perms", "0755", "--size", str(limits.workdir_bytes), "--tmpfs", workdir]
    command += ["--ro-bind", settings, settings]
    command += ["--bind", connection_dir, connection_dir, "--chdir", workdir]
    return command


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS


def _set_limits(limits: Limits) -> None:
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
    ):
        resource.setrlimit(which, (value, value))


def kernel_command(connection_file: str, extra: list[str]) -> list[str]:
    """The IPython kernel, with the grading guard installed before any cell runs."""
    guard = "__import__('vaecourse.course.guard', fromlist=['install']).install()"
    return [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        connection_file,
        f"--IPKernelApp.exec_lines=[{guard!r}]",
        *extra,
    ]


def inside(limits: Limits, uid: int, connection_file: str, extra: list[str]) -> None:
    """In the sandbox, still as the grader's user: fill the working copy, then become the
    kernel's own user, set the limits and start the kernel."""
    workdir = os.getcwd()
    shutil.copytree(SUBMISSION, workdir, dirs_exist_ok=True, symlinks=True)
    if os.getuid() == 0:
        for folder, dirs, files in os.walk(workdir):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, uid, uid)
        _drop_privileges(uid, uid)
    _set_limits(limits)
    os.environ[FORK_LIMIT] = str(limits.forking_processes)
    os.environ[FORK_NOTE] = fork_note(connection_file)
    command = kernel_command(connection_file, extra)
    os.execv(command[0], command)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", required=True, help="a JSON file with the limits")
    parser.add_argument("--uid", type=int, default=os.getuid(), help="the kernel's user id")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("connection_file")
    args, extra = parser.parse_known_args(argv)
    settings = json.loads(Path(args.settings).read_text())
    limits = Limits(**settings["limits"])
    if args.inside:
        inside(limits, args.uid, args.connection_file, extra)
        return
    if not settings.get("sandbox", True):
        command = kernel_command(args.connection_file, extra)
    else:
        connection_dir = os.path.dirname(os.path.abspath(args.connection_file))
        settings, workdir, readable = os.path.abspath(args.settings), os.getcwd(), readable_paths()
        if any(path == workdir or path.startswith(workdir + os.sep) for path in readable):
            sys.exit(
                f"vaecourse sandbox: the notebook's folder {workdir} holds the system or "
                "Python files the kernel needs; grade from a folder outside them"
            )
        command = bwrap_command(workdir, connection_dir, limits, readable, settings)
        command += [
            sys.executable,
            "-m",
            "vaecourse.course.sandbox",
            "--inside",
            "--settings",
            args.settings,
            "--uid",
            str(args.uid),
            args.connection_file,
            *extra,
        ]
    os.execvp(command[0], command)


def write_settings(path: Path, sandbox: bool, limits: Limits = Limits()) -> Path:
    path.write_text(json.dumps({"sandbox": sandbox, "limits": asdict(limits)}, indent=2))
    path.chmod(0o644)
    return path


if __name__ == "__main__":
    main()
