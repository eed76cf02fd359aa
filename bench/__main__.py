"""Run every benchmark (or the ones named) and print their tables:
`python -m bench [store pdf ...] [--option ...]` (options go to each benchmark run, e.g.
`python -m bench pdf --no-end-to-end`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    args = sys.argv[1:]
    first = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    names, options = args[:first], args[first:]  # names first, then options with values
    scripts = sorted(HERE.glob("bench_*.py"))
    known = [s.stem.removeprefix("bench_") for s in scripts]
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"python -m bench: unknown benchmark {', '.join(unknown)} "
            f"(choose from {', '.join(known)})",
            file=sys.stderr,
        )
        return 2
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    failed = 0
    for script in scripts:
        print(f"\n# {script.stem}", flush=True)
        rc = subprocess.call(
            [sys.executable, "-m", f"bench.{script.stem}", *options], cwd=HERE.parent
        )
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
