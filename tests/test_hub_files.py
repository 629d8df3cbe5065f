"""The hub's files that this machine cannot run: the Zero to JupyterHub values and the image
definition must parse, and install the course the way the test suite does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _dockerfile_runs() -> list[str]:
    """The Dockerfile's RUN commands, continuation lines joined."""
    text = (REPO / "hub" / "Dockerfile").read_text().replace("\\\n", " ")
    return [line[len("RUN ") :] for line in text.splitlines() if line.startswith("RUN ")]


def test_the_zero_to_jupyterhub_values_load():
    values = yaml.safe_load((REPO / "hub" / "kubernetes" / "config.yaml").read_text())
    assert set(values) >= {"hub", "singleuser"}
    compile(values["hub"]["extraConfig"]["vaecourse"], "extraConfig", "exec")
    student = values["singleuser"]["extraFiles"]["nbgrader-student"]["stringData"]
    compile(student, "nbgrader_config.py", "exec")
    assert "PrivateExchangeSubmit" in student, (
        "the students' exchange must keep submissions private"
    )
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    assert any(m["mountPath"] == "/srv/vaecourse" for m in mounts), "the exchange's shared volume"


def test_the_image_installs_what_the_tests_install_with():
    runs = _dockerfile_runs()
    pip = [r for r in runs if "pip install" in r and "constraints.txt" in r]
    assert pip, "the image must install the course with the constraints file"
    makefile = (REPO / "Makefile").read_text()
    (make_install,) = re.findall(r"pip install --quiet (-c .*)", makefile)
    wanted = [word for word in shlex.split(make_install) if word != "--quiet"]
    image = shlex.split(pip[0].split("&&")[-1])
    assert all(word in image for word in wanted), f"{image} should contain {wanted}"
    apt = " ".join(r for r in runs if "apt-get install" in r)
    ci = (REPO / ".ci" / "run").read_text()
    for package in ("bubblewrap", "dataset-fashion-mnist"):
        assert package in ci and package in apt, f"{package}: in .ci/run and in the image"
