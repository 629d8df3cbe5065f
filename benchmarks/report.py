"""The course's timing report: ``make bench`` (or ``python benchmarks/report.py``).

It measures, on this machine, one thing at a time (nothing else should run meanwhile):
every solution notebook of both tracks end to end with its peak memory
(``benchmarks/notebooks.py``), autograding per submission and for a class of 20, sequential and
in parallel (``benchmarks/grading.py``), and the reference trainers against the book's recipe
(``benchmarks/trainers.py``). It writes ``benchmarks/results/report.md`` and
``benchmarks/results/report.json`` and checks the course's budgets: a solution notebook in at
most 120 s and 3 GB, the whole course in at most 25 minutes, and the trainers at least 8x faster
to the book's quality than the book's recipe.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import grading  # noqa: E402
import notebooks  # noqa: E402
import trainers  # noqa: E402

BUDGETS = {
    "notebook_seconds": 120,
    "notebook_bytes": 3 * 1024**3,
    "course_seconds": 25 * 60,
    "trainer_speedup": 8.0,
}
GRADED = ("01-autoencoders", "pytorch")  # the assignment the grading benchmark grades


def _machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def measure(parts: set[str], names=None) -> dict:
    from vaecourse.course.layout import assignments, find_repo
    from vaecourse.data import load_fashion_mnist

    repo = find_repo()
    report = {"machine": _machine(), "budgets": BUDGETS}
    if "notebooks" in parts:
        rows = []
        for assignment in assignments(repo, names=names):
            row = {"assignment": assignment.name, "track": assignment.track}
            row.update(notebooks.run(assignment))
            print(f"{assignment.track}/{assignment.name}: {row['seconds']} s", flush=True)
            rows.append(row)
        report["notebooks"] = rows
    if "grading" in parts:
        name, track = GRADED
        (assignment,) = assignments(repo, tracks=(track,), names=[name])
        report["grading"] = grading.run(assignment)
        print(f"grading: {report['grading']}", flush=True)
    if "trainers" in parts:
        report["trainers"] = trainers.run(load_fashion_mnist())
        print(f"trainers: {report['trainers']}", flush=True)
    return report


def verdicts(report: dict) -> list[tuple[str, bool, str]]:
    """(budget, met, what was measured) for every budget the report can judge."""
    found = []
    rows = report.get("notebooks", [])
    if rows:
        slowest = max(rows, key=lambda r: r["seconds"])
        hungriest = max(rows, key=lambda r: r["peak_bytes"])
        total = sum(r["seconds"] for r in rows)
        found += [
            (
                "every solution notebook in at most 120 s",
                slowest["seconds"] <= BUDGETS["notebook_seconds"],
                f"slowest {slowest['track']}/{slowest['assignment']}: {slowest['seconds']} s",
            ),
            (
                "every solution notebook in at most 3 GB",
                hungriest["peak_bytes"] <= BUDGETS["notebook_bytes"],
                f"largest {hungriest['track']}/{hungriest['assignment']}: "
                f"{hungriest['peak_bytes'] / 1024**3:.2f} GB",
            ),
            (
                "the whole course, both tracks, in at most 25 minutes",
                total <= BUDGETS["course_seconds"],
                f"{total / 60:.1f} min for {len(rows)} notebooks",
            ),
        ]
    for row in report.get("trainers", {}).get("trainers", []):
        found.append(
            (
                f"{row['trainer'].split(' ')[0]} reaches the book's quality 8x faster",
                bool(row["speedup"]) and row["speedup"] >= BUDGETS["trainer_speedup"],
                f"{row['seconds']} s ({row['epochs']} epochs) against the recipe's "
                f"{report['trainers']['recipe']['seconds']} s: {row['speedup']}x",
            )
        )
    return found


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# vaecourse timing report",
        "",
        f"Measured {m['date']} on {m['cpus']} CPUs ({m['processor']}), Python {m['python']}, "
        "by `make bench`.",
        "",
    ]
    if "notebooks" in report:
        lines += [
            "## Solution notebooks, end to end (kernel start included)",
            "",
            "| assignment | track | seconds | slowest cell | its seconds | peak memory |",
            "|---|---|---:|---|---:|---:|",
        ]
        for r in report["notebooks"]:
            lines.append(
                f"| {r['assignment']} | {r['track']} | {r['seconds']} | `{r['slowest_cell']}` "
                f"| {r['slowest_seconds']} | {r['peak_bytes'] / 1024**2:.0f} MB |"
            )
        total = sum(r["seconds"] for r in report["notebooks"])
        lines += ["", f"The whole course, both tracks: {total / 60:.1f} minutes.", ""]
    if "grading" in report:
        g = report["grading"]
        lines += [
            f"## Autograding ({g['assignment']}, in the sandbox)",
            "",
            "| what | seconds |",
            "|---|---:|",
            f"| one submission | {g['one_submission_seconds']} |",
            f"| per submission, in a class of {g['class_size']} | {g['per_submission_seconds']} |",
            f"| the sandbox's cost per submission | {g['sandbox_cost_per_submission_seconds']} |",
            f"| {g['class_size']} submissions, sequential | {g['sequential_seconds']} |",
            f"| {g['class_size']} submissions, `--jobs {g['parallel_jobs']}` "
            f"| {g['parallel_seconds']} ({g['speedup']}x) |",
            "",
        ]
    if "trainers" in report:
        t = report["trainers"]
        lines += [
            "## Reference trainers against the book's recipe",
            "",
            "Time-to-quality: training seconds until the test reconstructions' per-pixel MSE and "
            "the Fréchet distance of 10,000 prior samples are both at least as good as the "
            f"recipe's after {t['recipe']['epochs']} epochs (MSE {t['recipe']['mse']:.5f}, "
            f"Fréchet distance {t['recipe']['frechet_distance']:.1f}).",
            "",
            "| trainer | epochs | seconds | images/s | MSE | Fréchet distance | speed-up |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in (t["recipe"], *t["trainers"]):
            mse = f"{r['mse']:.5f}" if "mse" in r else "not reached"
            fd = f"{r['frechet_distance']:.1f}" if "frechet_distance" in r else ""
            speedup = f"{r['speedup']}x" if r.get("speedup") else ""
            lines.append(
                f"| {r['trainer']} | {r['epochs']} | {r['seconds']} | {r['images_per_second']} "
                f"| {mse} | {fd} | {speedup} |"
            )
        lines.append("")
    found = verdicts(report)
    if found:
        lines += ["## Budgets", "", "| budget | met | measured |", "|---|---|---|"]
        lines += [f"| {b} | {'yes' if ok else '**no**'} | {what} |" for b, ok, what in found]
        lines.append("")
    return "\n".join(lines)


def _merge(previous: dict, report: dict) -> dict:
    """A partial run's report over the previous one: the parts it measured replace theirs, and
    its notebooks replace only the same notebooks' rows."""
    if "notebooks" in report and "notebooks" in previous:
        fresh = {(r["track"], r["assignment"]) for r in report["notebooks"]}
        kept = [r for r in previous["notebooks"] if (r["track"], r["assignment"]) not in fresh]
        report["notebooks"] = sorted(
            kept + report["notebooks"], key=lambda r: (r["track"], r["assignment"])
        )
    return {**previous, **report}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", nargs="+", choices=("notebooks", "grading", "trainers"), default=None
    )
    parser.add_argument("--assignments", nargs="+", default=None, help="notebooks to time")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    parts = set(args.only or ("notebooks", "grading", "trainers"))
    report = measure(parts, args.assignments)
    previous = args.out / "report.json"
    if (args.only or args.assignments) and previous.is_file():
        report = _merge(json.loads(previous.read_text()), report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "report.md").write_text(markdown(report))
    print(markdown(report))
    return 0 if all(ok for _, ok, _ in verdicts(report)) else 1


if __name__ == "__main__":
    sys.exit(main())
