"""How fast the CLI starts (issue 9): commands' wall and CPU time, as ratios to
``python -c "import sqlalchemy, numpy"`` measured in the same run and the same venv.

    python -m benchmarks.bench_startup [--runs 5] [--before PATH]

It fills a scratch SQLite database with the seed dispatch, saves the index, then times each
command, interleaving the runs so that a busy machine slows them alike (medians of ``--runs``).
``--before PATH`` also times another checkout of the code (e.g. ``git worktree add /tmp/old
<commit>``) on the same database, for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import sqlalchemy, numpy"
COMMANDS = (["--help"], ["feeds", "list"], ["db", "current"], ["health"], ["ask", "Kremlin"])
# Runs the CLI of the checkout first on sys.path, as the console script would.
LAUNCH = "import sys; sys.path.insert(0, sys.argv.pop(1)); from bot.cli import main; main()"


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None, help="another checkout to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        env = {
            **os.environ,
            "DEPECHE_DATABASE_URL": f"sqlite:///{folder / 'depeche.db'}",
            "DEPECHE_DATA_DIR": str(folder),
        }
        python = sys.executable
        subprocess.run(
            [python, "-c", LAUNCH, str(ROOT), "ingest", str(ROOT / "seeds")],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
        cases: dict[str, list[str]] = {"baseline": [python, "-c", BASELINE]}
        for name, code in (("after", ROOT), ("before", args.before)):
            if code is None:
                continue
            for command in COMMANDS:
                label = f"{' '.join(command)} ({name})" if args.before else " ".join(command)
                cases[label] = [python, "-c", LAUNCH, str(code), *command]
        for argv in cases.values():  # warm the file cache and the bytecode
            timed(argv, env, folder)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, argv in cases.items():
                samples[name].append(timed(argv, env, folder))
    wall = {n: statistics.median(w for w, _ in s) for n, s in samples.items()}
    cpu = {n: statistics.median(c for _, c in s) for n, s in samples.items()}
    print(f"median of {args.runs} runs; ratios to `python -c {BASELINE!r}`\n")
    print("| command | wall (s) | × baseline | CPU (s) | × baseline |")
    print("| --- | --- | --- | --- | --- |")
    for name in cases:
        print(
            f"| {name} | {wall[name]:.3f} | {wall[name] / wall['baseline']:.2f} "
            f"| {cpu[name]:.3f} | {cpu[name] / cpu['baseline']:.2f} |"
        )


if __name__ == "__main__":
    main()
