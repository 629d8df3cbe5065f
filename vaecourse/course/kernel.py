"""The kernels that grade submissions.

Each one talks to the grader over Unix sockets (ZeroMQ's IPC transport) in a private folder of its
own, instead of TCP ports on 127.0.0.1: kernels started side by side cannot collide on a port
(``zmq.error.ZMQError: Address already in use``), and a sandboxed kernel, which has no network,
still reaches the grader. Its kernelspec starts it through ``vaecourse.course.sandbox``, with the
grading guard (``vaecourse.course.guard``) installed before any cell runs.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, Unicode

from .sandbox import FIRST_UID, UIDS


def kernelspec(settings: str, uid: int, env: dict | None = None) -> KernelSpec:
    """The grading kernelspec: the sandbox launcher, told by ``settings`` whether to sandbox, and
    the user id its kernel becomes when the grader is root."""
    return KernelSpec(
        env=env or {},
        argv=[
            sys.executable,
            "-m",
            "vaecourse.course.sandbox",
            "--settings",
            settings,
            "--uid",
            str(uid),
            "{connection_file}",
        ],
        display_name="Python 3 (vaecourse grading)",
        language="python",
        interrupt_mode="message",  # the sandbox's processes are not the grader's to signal
        metadata={"debugger": False},
    )


class GradingKernelManager(AsyncKernelManager):
    """A kernel manager for one grading kernel: IPC sockets in a private folder under
    ``runtime_root``, and the grading kernelspec of ``settings``."""

    settings = Unicode(help="the sandbox settings file (vaecourse.course.sandbox)").tag(config=True)
    runtime_root = Unicode(help="where the kernels' private folders go").tag(config=True)
    grading_env = Dict(help="environment variables for the kernel").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        folder = tempfile.mkdtemp(prefix="kernel-", dir=self.runtime_root or None)
        self.transport = "ipc"
        self.connection_file = os.path.join(folder, "connection.json")
        self.ip = os.path.join(folder, "kernel")

    async def _async_pre_start_kernel(self, **kw):
        """Each start, restarts included, gets a user of its own, so that no kernel's processes
        count against another's limit: not a fork bomb's next door, nor one that is still dying
        after its kernel was restarted. The kernel makes its sockets in its folder."""
        uid = FIRST_UID + secrets.randbelow(UIDS) if os.getuid() == 0 else os.getuid()
        if os.getuid() == 0:
            os.chown(os.path.dirname(self.connection_file), uid, uid)
        self._kernel_spec = kernelspec(self.settings, uid, self.grading_env)
        return await super()._async_pre_start_kernel(**kw)

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        os.chmod(self.connection_file, 0o644)  # its folder is private; the kernel must read it
