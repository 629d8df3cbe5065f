# JupyterHub for the course on one machine: started by `vaecourse hub` (`make hub`), which sets up
# the accounts, the exchange and the course, and writes the settings this file reads
# ($VAECOURSE_HUB_SETTINGS, <base>/hub.json). See vaecourse/course/hub.py.
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821
settings = json.loads(Path(os.environ["VAECOURSE_HUB_SETTINGS"]).read_text())
base = Path(settings["base"])
python_bin = str(Path(settings["python"]).parent)

c.JupyterHub.bind_url = f"http://{settings['ip']}:{settings['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
c.JupyterHub.db_url = f"sqlite:///{base / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(base / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(base / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(base / "proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"

# Real Linux accounts: PAM checks the password, each server runs as its own user.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {settings["instructor"], *settings["students"]}
c.Authenticator.admin_users = {settings["instructor"]}
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [os.path.join(python_bin, "jupyterhub-singleuser")]
c.Spawner.args = list(settings["server_args"])
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": os.pathsep.join([python_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
    "VAECOURSE_DATA": settings["data"],
}


def role_config(spawner):
    """The instructor's servers get the formgrader and the course root; the students' the
    Assignments list of the course."""
    role = "instructor" if spawner.user.name == settings["instructor"] else "student"
    spawner.environment["JUPYTER_CONFIG_PATH"] = settings["config"][role]


c.Spawner.pre_spawn_hook = role_config
