"""A JupyterHub for a whole class on one machine: ``vaecourse hub`` (``make hub``, as root).

It sets up, idempotently, then starts JupyterHub (from PyPI, with ``configurable-http-proxy``
from npm):

- real Linux accounts: an instructor, in the graders' group, and students (PAM logins, each
  server started as its own user by ``LocalProcessSpawner``); passwords are drawn at every set-up
  and written to ``<base>/accounts.txt``, readable by root only;
- nbgrader's exchange under ``<base>/exchange``, closed where nbgrader leaves it open: the root
  is not world-writable, ``inbound`` is setgid to the graders' group and sticky, and submissions
  are readable by their author and the graders only (``vaecourse.course.exchange``);
- the instructor's course root, ``~<instructor>/vaecourse-<track>/``, with the track's source
  notebooks; the instructor's JupyterLab has the formgrader, the students' have the Assignments
  list and Validate but no formgrader;
- every server sees the course's Python environment and the datasets (``VAECOURSE_DATA``).

The hub's own configuration is ``hub/jupyterhub_config.py``, which reads ``<base>/hub.json``.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .exchange import EXCHANGE_CLASSES

GRADERS = "vaecourse-graders"
INBOUND_MODE = 0o3773  # setgid (submissions join the graders' group), sticky, not listable


@dataclass(frozen=True)
class Hub:
    """Where a hub keeps its state, and who may log in."""

    base: Path
    track: str = "pytorch"
    instructor: str = "vcinstructor"
    students: tuple[str, ...] = ("vcstudent1", "vcstudent2")
    ip: str = "127.0.0.1"
    port: int = 8000  # the proxy, where browsers connect
    hub_port: int = 8081  # the hub's own API, behind the proxy (127.0.0.1)
    proxy_api_port: int = 8001  # the proxy's API (127.0.0.1)
    data: str = ""  # VAECOURSE_DATA for every server
    server_args: tuple[str, ...] = field(default=())  # extra options for every user's server

    @property
    def course_id(self) -> str:
        return f"vaecourse-{self.track}"

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    @property
    def settings_file(self) -> Path:
        return self.base / "hub.json"

    @property
    def course_root(self) -> Path:
        return Path(pwd.getpwnam(self.instructor).pw_dir) / self.course_id

    def config_dir(self, role: str) -> Path:
        """The Jupyter configuration folder of a role, "instructor" or "student"."""
        return self.base / "config" / role


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


# JupyterLab's settings for every account: the hub has no internet, so no news, no update checks.
LAB_SETTINGS = {
    "apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}


def _ensure_account(name: str, groups: tuple[str, ...] = ()) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        _run("useradd", "--create-home", "--shell", "/bin/bash", name)
    for group in groups:
        _run("usermod", "--append", "--groups", group, name)
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)  # nobody else reads a student's work
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    for relative, value in LAB_SETTINGS.items():
        if not (settings / relative).exists():
            _write(settings / relative, json.dumps(value))
    subprocess.run(["chown", "-R", f"{name}:{name}", str(home / ".jupyter")], check=True)


def _make_reachable(path: Path, log) -> None:
    """Let every user traverse the folders above ``path`` (a Python installed under /root, say)."""
    for folder in [*reversed(path.parents), path]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)
            log(f"let every user traverse {folder} (o+x), to reach the course's Python")


def _write(path: Path, text: str, owner: str | None = None, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    if owner:
        shutil.chown(path, owner, owner)


def _exchange(hub: Hub) -> None:
    """The exchange: root-owned and not world-writable; the course's folder belongs to the
    instructor and the graders; ``inbound`` is setgid and sticky."""
    hub.exchange.mkdir(parents=True, exist_ok=True)
    hub.exchange.chmod(0o755)
    course = hub.exchange / hub.course_id
    for folder, mode in (
        (course, 0o2775),
        (course / "inbound", INBOUND_MODE),
        (course / "outbound", 0o2775),
        (course / "feedback", 0o2771),
    ):
        folder.mkdir(exist_ok=True)
        shutil.chown(folder, hub.instructor, GRADERS)
        folder.chmod(mode)


def _configs(hub: Hub, repo: Path) -> None:
    exchange = f"c.Exchange.root = {str(hub.exchange)!r}\n" + "".join(
        f"c.ExchangeFactory.{kind} = {name!r}\n" for kind, name in EXCHANGE_CLASSES.items()
    )
    root = hub.course_root
    root.mkdir(exist_ok=True)
    shutil.copy2(repo / "course" / "nbgrader_common.py", root / "nbgrader_common.py")
    shutil.copy2(repo / "course" / hub.track / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(repo / "course" / hub.track / "source", root / "source", dirs_exist_ok=True)
    subprocess.run(["chown", "-R", f"{hub.instructor}:{GRADERS}", str(root)], check=True)
    _write(
        hub.config_dir("instructor") / "nbgrader_config.py",
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.groupshared = True  # the graders' group shares the course\n"
        + exchange
        + f"load_subconfig({str(root / 'nbgrader_config.py')!r})  # noqa: F821\n",
    )
    _write(
        hub.config_dir("student") / "nbgrader_config.py",
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {hub.course_id!r}\n"
        + exchange,
    )
    student_off = {
        "ServerApp": {
            "jpserver_extensions": {
                "nbgrader.server_extensions.formgrader": False,
                "nbgrader.server_extensions.course_list": False,
            }
        }
    }
    _write(hub.config_dir("student") / "jupyter_server_config.json", json.dumps(student_off))
    lab_off = {
        "disabledExtensions": {
            f"@jupyter/nbgrader:{name}": True
            for name in ("formgrader", "create-assignment", "course-list")
        }
    }
    _write(hub.config_dir("student") / "labconfig" / "page_config.json", json.dumps(lab_off))


def set_up(hub: Hub, repo: Path, log=print) -> dict[str, str]:
    """Create (or bring up to date) the accounts, the exchange, the course and the configuration.
    Returns the fresh passwords, {user: password}."""
    if os.geteuid() != 0:
        raise PermissionError("vaecourse hub sets up Linux accounts: run it as root (sudo)")
    hub.base.mkdir(parents=True, exist_ok=True)
    hub.base.chmod(0o755)
    try:
        grp.getgrnam(GRADERS)
    except KeyError:
        _run("groupadd", GRADERS)
    _ensure_account(hub.instructor, groups=(GRADERS,))
    for student in hub.students:
        _ensure_account(student)
    passwords = {user: secrets.token_urlsafe(12) for user in (hub.instructor, *hub.students)}
    subprocess.run(
        ["chpasswd"],
        input="".join(f"{u}:{p}\n" for u, p in passwords.items()),
        check=True,
        capture_output=True,
        text=True,
    )
    _write(
        hub.base / "accounts.txt", "".join(f"{u} {p}\n" for u, p in passwords.items()), mode=0o600
    )
    for path in (Path(sys.prefix), Path(os.path.realpath(sys.base_prefix)), repo):
        _make_reachable(path, log)
    _exchange(hub)
    _configs(hub, repo)
    settings = {
        **asdict(hub),
        "base": str(hub.base),
        "python": sys.executable,
        "exchange": str(hub.exchange),
        "course_root": str(hub.course_root),
        "config": {role: str(hub.config_dir(role)) for role in ("instructor", "student")},
    }
    _write(hub.settings_file, json.dumps(settings, indent=2))
    return passwords


def command(hub: Hub, repo: Path) -> tuple[list[str], dict[str, str]]:
    """The command that starts the hub, and its environment."""
    jupyterhub = str(Path(sys.executable).parent / "jupyterhub")
    env = {
        **os.environ,
        "VAECOURSE_HUB_SETTINGS": str(hub.settings_file),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    return [jupyterhub, "-f", str(repo / "hub" / "jupyterhub_config.py")], env
