"""The grading guard: it runs in every grading kernel before the first cell, and keeps what the
tests rely on out of the submission's reach.

A test passes when its comparisons pass and its errors reach the grader, so a submission that
replaced ``numpy.allclose``, ``numpy.testing``, ``vaecourse.checks`` or IPython's error display
would pass everything. The guard:

- keeps the original functions and classes of those modules (and of ``builtins`` and IPython's
  shell) as they were before any student code ran;
- refuses plain assignments to them (``np.allclose = ...``), even from inside an answer that runs
  during a test;
- before and after every cell, compares them with the originals, puts back anything changed by
  other means (``vars(np)[...] = ...``), and reports it;
- in the sandbox, ends any process of the kernel that would fork while the sandbox already holds
  its share of processes (``Limits.forking_processes``). Left alone, a fork bomb fills the limit
  on processes, and which process fails first, and what the kernel can still do after, is down to
  chance; ended, the kernel always dies in the cell that started the bomb;
- refuses, and reports, opening, listing or deleting a grading file (the course's sources and
  gradebook, the other submissions; the grader names them in ``VAECOURSE_GRADING_PATHS``), which
  the sandbox does not even show.

Each report is a line on the cell's output that starts with ``MARK``; the grader lists them in its
report. The guard cannot stop code that works at the C level or rewrites the guard itself; the
grader's closing checks (a cell that must fail, and the guard's own status) catch the usual ways.
"""

from __future__ import annotations

import builtins
import errno
import importlib
import os
import pkgutil
import socket
import sys
import types

from .sandbox import FORK_LIMIT, FORK_NOTE

MARK = "[vaecourse-guard]"
_PROTECTED = ("numpy", "numpy.testing", "vaecourse.checks", "vaecourse.reference")
_SHELL_METHODS = (
    "run_cell",
    "run_cell_async",
    "run_code",
    "run_ast_nodes",
    "showtraceback",
    "_showtraceback",
    "showsyntaxerror",
    "transform_cell",
    "get_exception_only",
)
_KERNEL_OWNS = {"input"}  # builtins that ipykernel itself swaps around each cell
_FORKS = {"os.fork", "os.forkpty"}
_AUDITED = {
    "open",
    "os.listdir",
    "os.scandir",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "shutil.rmtree",
    "shutil.copyfile",
    "os.chmod",
    "os.truncate",
    "sqlite3.connect",
}


class _Guard:
    def __init__(self):
        self.modules: dict[str, types.ModuleType] = {}  # name -> the module as imported
        self.originals: dict[tuple[str, str], object] = {}  # (module, name) -> object
        self.classes: dict[tuple[type, str], object] = {}  # (class, name) -> attribute
        self.events: list[str] = []
        self.own = os.path.realpath(os.getcwd())
        self.grading_paths = tuple(
            os.path.realpath(p)
            for p in os.environ.get("VAECOURSE_GRADING_PATHS", "").split(os.pathsep)
            if p
        )
        limit = os.environ.get(FORK_LIMIT, "")
        self.forking_processes = int(limit) if limit.isdigit() else None
        self.fork_note = os.environ.get(FORK_NOTE)
        self._auditing = False
        self.shell = None

    # -- what is kept ------------------------------------------------------------------------
    def _modules(self) -> list[types.ModuleType]:
        found = []
        for name in _PROTECTED:
            module = importlib.import_module(name)
            found.append(module)
            if name.startswith("vaecourse.") and hasattr(module, "__path__"):  # and its modules
                for info in pkgutil.walk_packages(module.__path__, name + "."):
                    found.append(importlib.import_module(info.name))
        return found

    def keep(self, shell) -> None:
        self.shell = shell
        for module in self._modules():
            self.modules[module.__name__] = module
            for name, value in vars(module).items():
                if callable(value) and not name.startswith("__"):
                    self.originals[module.__name__, name] = value
            module.__class__ = _ProtectedModule
        for name, value in vars(builtins).items():  # Python's own, not what IPython adds
            if (
                isinstance(value, (types.BuiltinFunctionType, type))
                and not name.startswith("_")
                and name not in _KERNEL_OWNS
            ):
                self.originals["builtins", name] = value
        for cls in type(shell).__mro__:
            for name in _SHELL_METHODS:
                if name in vars(cls):
                    self.classes[cls, name] = vars(cls)[name]
        try:
            from ipykernel.ipkernel import IPythonKernel

            self.classes[IPythonKernel, "do_execute"] = vars(IPythonKernel)["do_execute"]
        except (ImportError, KeyError):
            pass

    # -- checks ------------------------------------------------------------------------------
    def report(self, what: str) -> None:
        self.events.append(what)
        print(f"{MARK} {what}", flush=True)

    def check(self, *_args) -> None:
        """Put back every kept object that changed, and report it."""
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                self.report(f"the module {name} was replaced; the original was put back")
        for (module_name, name), original in self.originals.items():
            namespace = vars(sys.modules[module_name])
            if namespace.get(name) is not original:
                namespace[name] = original
                self.report(f"{module_name}.{name} was replaced; the original was put back")
        for (cls, name), original in self.classes.items():
            if vars(cls).get(name) is not original:
                type.__setattr__(cls, name, original)
                self.report(f"{cls.__name__}.{name} was replaced; the original was put back")
        for name in _SHELL_METHODS:
            if self.shell is not None and name in vars(self.shell):  # patched on the instance
                delattr(self.shell, name)
                self.report(f"the shell's {name} was replaced; the original was put back")

    def after(self, result=None) -> None:
        """After a cell: the checks, and a word when the cell ran into a limit of the sandbox."""
        self.check()
        limit = _limit_hit(getattr(result, "error_in_exec", None))
        if limit:
            self.report(f"this cell {limit}")

    def audit(self, event: str, args) -> None:
        if event in _FORKS and self.forking_processes is not None:
            self._before_fork()
            return
        if event not in _AUDITED or self._auditing or not self.grading_paths:
            return
        path = args[0] if args else None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, (str, os.PathLike)):
            return
        self._auditing = True
        try:
            real = os.path.realpath(os.path.abspath(path))
        finally:
            self._auditing = False
        if real == self.own or real.startswith(self.own + os.sep):
            return
        if any(real == p or real.startswith(p + os.sep) for p in self.grading_paths):
            self.events.append(f"touched a grading file: {event} {real}")
            raise PermissionError(f"{real} is a grading file: a submission may not touch it")

    def _before_fork(self) -> None:
        """End this process, instead of forking, when the sandbox holds its share of processes
        (its /proc shows only the sandbox's own)."""
        self._auditing = True
        try:
            processes = sum(name.isdigit() for name in os.listdir("/proc"))
        finally:
            self._auditing = False
        if processes < self.forking_processes:
            return
        if self.fork_note:
            try:
                open(self.fork_note, "w").close()  # its being there is the note
            except OSError:
                pass
        os._exit(1)


def _limit_hit(error) -> str | None:
    """Which limit of the sandbox (vaecourse.course.sandbox) a cell's error shows, if any."""
    if isinstance(error, MemoryError):
        return "ran out of memory: the sandbox limits each kernel's memory"
    if not isinstance(error, OSError):
        return None
    if error.errno == errno.EAGAIN:
        return "could not start a process: the sandbox limits the number of processes"
    if error.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        return "hit the sandbox's limit on file size or working space"
    if isinstance(error, (ConnectionError, socket.gaierror)) or error.errno in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
    ):
        return "tried to use the network, which the sandbox does not have"
    return None


class _ProtectedModule(types.ModuleType):
    """A module whose kept functions and classes cannot be reassigned."""

    def __setattr__(self, name, value):
        if (self.__name__, name) in _GUARD.originals:
            _GUARD.report(f"refused to replace {self.__name__}.{name}")
            return
        super().__setattr__(name, value)

    def __delattr__(self, name):
        if (self.__name__, name) in _GUARD.originals:
            _GUARD.report(f"refused to delete {self.__name__}.{name}")
            return
        super().__delattr__(name)


def _shell():
    getter = getattr(builtins, "get_ipython", None)
    return getter() if getter else None


_GUARD = _Guard()


def install() -> None:
    """Keep the originals, then check them around every cell. Called once, at kernel start."""
    shell = _shell()
    _GUARD.keep(shell)
    sys.addaudithook(_GUARD.audit)
    if shell is not None:
        shell.events.register("pre_run_cell", _GUARD.check)
        shell.events.register("post_run_cell", _GUARD.after)


def status() -> None:
    """The closing line the grader looks for: the guard is alive, with what it saw."""
    _GUARD.check()
    for event in _GUARD.events:
        if event.startswith("touched a grading file"):
            print(f"{MARK} {event}")
    print(f"{MARK} alive: {len(_GUARD.events)} event(s)", flush=True)
