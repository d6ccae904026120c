"""Start-up benchmark: how long a command waits before it does anything.

A benchmark, not a test: it prints figures with the targets beside them (never asserted) and
writes them to bench/results/startup.json. In a temporary directory, with a fresh SQLite
database migrated once beforehand (`lifeline db upgrade`, not timed), it runs --runs times each,
interleaved so that a burst of load on the machine hits all of them alike:

- `lifeline --help`
- `lifeline cases list` (on the empty database: start-up, settings, keys, one query)
- `python -c "import lifeline.bootstrap"`

and reports the median, min and max wall time of each, and the median CPU time (user + system,
of the child process). With --importtime it also records where the import time of
`import lifeline.cli` and `import lifeline.bootstrap` goes, by package (`python -X importtime`).

Targets (issue #17): `lifeline --help` < 0.5 s and `lifeline cases list` < 1 s on an idle
machine. Other work on the machine stretches wall times and not CPU times: compare runs at a
similar load average (printed and stored). With PYTHONDONTWRITEBYTECODE set, Python compiles
Lifeline's modules afresh in every process (an installed package has them compiled): the JSON
says which (`bytecode_cache`); run with and without it to compare with either.

    .venv/bin/python bench/startup.py [--runs 10] [--importtime]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.json"
TARGETS = {"lifeline --help": 0.5, "lifeline cases list": 1.0}


def lifeline_bin() -> str:
    beside = Path(sys.executable).parent / "lifeline"
    return str(beside) if beside.exists() else shutil.which("lifeline") or "lifeline"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; the command must succeed."""
    cpu = children_cpu()
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=120)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr.decode()}")
    return wall, children_cpu() - cpu


def import_costs(statement: str, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Where the import time of `statement` goes (-X importtime, one run): the self time of
    every module summed by package (lifeline's by subpackage, e.g. lifeline.adapters.db), so the
    figures add up to the total; the twelve largest."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        parts = name.strip().split(".")
        package = ".".join(parts[:3] if parts[:2] == ["lifeline", "adapters"] else parts[:2])
        package = package if parts[0] == "lifeline" else parts[0]
        by_package[package] = by_package.get(package, 0) + int(self_us)
    largest = sorted(by_package.items(), key=lambda item: -item[1])[:12]
    return {
        "total_s": round(sum(by_package.values()) / 1e6, 3),
        "by_package_s": {package: round(us / 1e6, 3) for package, us in largest},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--importtime", action="store_true", help="import time by package")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    lifeline = lifeline_bin()
    commands = {
        "lifeline --help": [lifeline, "--help"],
        "lifeline cases list": [lifeline, "cases", "list"],
        "import lifeline.bootstrap": [sys.executable, "-c", "import lifeline.bootstrap"],
    }
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lifeline-startup-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
        env |= {
            "LIFELINE_DATABASE_URL": f"sqlite:///{home / 'lifeline.db'}",
            "LIFELINE_DATA_KEY_FILE": str(home / "keys" / "lifeline.key"),
        }
        timed([lifeline, "db", "upgrade"], home, env)
        for argv in commands.values():  # one untimed run each: bytecode and page cache warm
            timed(argv, home, env)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                wall, cpu = timed(argv, home, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        imports = {}
        if args.importtime:
            for statement in ("import lifeline.cli", "import lifeline.bootstrap"):
                imports[statement] = import_costs(statement, env, home)
    load_after = os.getloadavg()

    figures: dict[str, Any] = {"runs": args.runs, "commands": {}}
    for name in commands:
        entry = {
            "median_s": round(statistics.median(walls[name]), 3),
            "min_s": round(min(walls[name]), 3),
            "max_s": round(max(walls[name]), 3),
            "cpu_median_s": round(statistics.median(cpus[name]), 3),
        }
        figures["commands"][name] = entry
        target = TARGETS.get(name)
        print(
            f"{name:>26}: median {entry['median_s']:.3f} s  (min {entry['min_s']:.3f}, "
            f"max {entry['max_s']:.3f}; CPU {entry['cpu_median_s']:.3f} s)"
            + (f"   target < {target} s" if target else "")
        )
    for statement, costs in imports.items():
        print(f"\n`{statement}`: {costs['total_s']:.3f} s of imports (-X importtime), largest:")
        for package, seconds in costs["by_package_s"].items():
            print(f"  {seconds:7.3f} s  {package}")
    figures |= {
        "import_time": imports,
        "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "bytecode_cache": not os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "targets_s": TARGETS,
    }
    print(
        f"\nload average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}; "
        f"bytecode cache {'on' if figures['bytecode_cache'] else 'off (PYTHONDONTWRITEBYTECODE)'}"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
