"""The ``vaecourse`` command: lint, build, check, grade and validate the nbgrader course."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _selected(args):
    from .course.layout import TRACKS, assignments, find_repo

    return assignments(find_repo(), tracks=args.track or TRACKS, names=args.assignment or None)


def cmd_lint(args) -> int:
    from .course.lint import lint

    report = lint(_selected(args))
    for key, problems in report.items():
        print(f"{key}:")
        print("\n".join(f"  - {p}" for p in problems))
    print("lint: clean" if not report else f"lint: {len(report)} notebook(s) with problems")
    return 1 if report else 0


def cmd_build(args) -> int:
    from .course.build import build

    if cmd_lint(args):
        return 1
    start = time.perf_counter()
    build(_selected(args), run=not args.no_execute)
    print(f"built in {time.perf_counter() - start:.0f} s")
    return 0


def cmd_check_build(args) -> int:
    from .course.build import stale

    problems = stale(_selected(args))
    print("\n".join(problems) or "assignments/ and solutions/ are up to date")
    if problems:
        print("Run `make assignments` to rebuild them.")
    return 1 if problems else 0


def cmd_grade(args) -> int:
    from .course.execute import SandboxUnavailable
    from .course.grade import grade, summary
    from .course.layout import Assignment, find_repo

    start = time.perf_counter()
    try:
        outcomes = grade(
            Assignment(find_repo(), args.track, args.assignment),
            Path(args.submissions),
            Path(args.out),
            cell_timeout=args.cell_timeout,
            sandbox=not args.no_sandbox,
            jobs=args.jobs,
        )
    except SandboxUnavailable as refusal:
        print(refusal, file=sys.stderr)
        return 3
    print(summary(outcomes))
    print(
        f"\n{len(outcomes)} submission(s) in {time.perf_counter() - start:.0f} s; "
        f"grades: {Path(args.out) / 'grades.csv'}; feedback: "
        f"{Path(args.out) / 'course' / args.track / 'feedback'}"
    )
    return 0 if all(o.status == "graded" for o in outcomes) else 2


def cmd_hub(args) -> int:
    import os
    import shutil
    import subprocess

    from .course.hub import Hub, command, set_up
    from .course.layout import find_repo

    if shutil.which("configurable-http-proxy") is None:
        print("JupyterHub needs its proxy: npm install -g configurable-http-proxy", file=sys.stderr)
        return 3
    repo = find_repo()
    hub = Hub(Path(args.base).resolve(), track=args.track, port=args.port,
              hub_port=args.port + 1, proxy_api_port=args.port + 2,
              data=os.environ.get("VAECOURSE_DATA", ""))  # fmt: skip
    passwords = set_up(hub, repo)
    print(f"accounts (also in {hub.base / 'accounts.txt'}):")
    print("\n".join(f"  {user:16s} {password}" for user, password in passwords.items()))
    if args.setup_only:
        return 0
    argv, env = command(hub, repo)
    print(f"JupyterHub on http://{hub.ip}:{hub.port}/ (Ctrl-C stops it)")
    return subprocess.run(argv, env=env, cwd=hub.base).returncode


def cmd_export(args) -> int:
    from .course.export import lms_csv

    text = lms_csv(Path(args.course_root), args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_validate(args) -> int:
    from .course.validate import validate

    failed = 0
    for notebook in args.notebooks:
        passed, report = validate(Path(notebook))
        print(f"{notebook}: {report}")
        failed += not passed
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="vaecourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def selection(p):
        p.add_argument("assignment", nargs="*", help="assignment ids (default: all)")
        p.add_argument(
            "--track",
            action="append",
            choices=["pytorch", "tensorflow"],
            help="a track (repeatable; default: both)",
        )

    selection(p := sub.add_parser("lint", help="check the source notebooks"))
    p.set_defaults(func=cmd_lint)
    selection(p := sub.add_parser("build", help="write assignments/ and solutions/"))
    p.add_argument("--no-execute", action="store_true", help="do not execute the solutions")
    p.set_defaults(func=cmd_build)
    selection(
        p := sub.add_parser("check-build", help="fail if assignments/ or solutions/ are stale")
    )
    p.set_defaults(func=cmd_check_build)
    p = sub.add_parser("grade", help="autograde a folder or zip of submissions")
    p.add_argument("--track", required=True, choices=["pytorch", "tensorflow"])
    p.add_argument("assignment")
    p.add_argument("submissions", help="a folder or a .zip of submitted notebooks")
    p.add_argument("--out", required=True, help="where grades, feedback and the gradebook go")
    p.add_argument("--cell-timeout", type=int, help="seconds per cell (default: the course's)")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="grade this many submissions at once (each kernel on one thread)",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the kernels without the sandbox: only for submissions you trust",
    )
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("export", help="the gradebook as CSV for Canvas or Moodle")
    p.add_argument("--format", required=True, choices=["canvas", "moodle"])
    p.add_argument("--course-root", default=".", help="the nbgrader course root (its gradebook)")
    p.add_argument("--out", help="write to this file (default: the screen)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("hub", help="set up and start a JupyterHub for the class (as root)")
    p.add_argument("--base", default="/srv/vaecourse-hub", help="where the hub keeps its state")
    p.add_argument("--track", default="pytorch", choices=["pytorch", "tensorflow"])
    p.add_argument(
        "--port", type=int, default=8000, help="the hub's port (it also uses the next two)"
    )
    p.add_argument("--setup-only", action="store_true", help="set up, do not start the hub")
    p.set_defaults(func=cmd_hub)
    p = sub.add_parser("validate", help="run a notebook's tests; exit 1 if any fails")
    p.add_argument("notebooks", nargs="+")
    p.set_defaults(func=cmd_validate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
