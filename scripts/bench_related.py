"""Related cases before and after a change: the same corpus, the same results, CPU and memory.

Usage: python scripts/bench_related.py CASES_DIR [--against REV] [--runs N]
  CASES_DIR  case files, e.g. from `python -m caselib corpus 10000 /tmp/rel10000`
  REV        the git revision whose scripts/caselib/site/related.py is the reference (default main)
  N          runs of each (default 3); each run is its own process, so each peak RSS is its own

Prints the median CPU seconds (time.process_time) of related.related() and the median peak RSS
of each, and whether every case's related cases are identical (same ids, same order); exits 1
when they are not.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(module_path: str, cases_dir: str) -> None:
    from caselib.model.cases import load_cases

    if module_path:
        spec = importlib.util.spec_from_file_location("caselib.site._related_reference", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        from caselib.site import related as module
    directory = Path(cases_dir)
    cases, _ = load_cases(directory, directory.parent)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    result = module.related(cases)
    cpu = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    listing = [(case_id, [c.id for c in others]) for case_id, others in result.items()]
    digest = hashlib.sha256(json.dumps(listing, ensure_ascii=False).encode()).hexdigest()
    print(json.dumps({"cases": len(cases), "cpu": cpu, "loaded_kb": loaded, "peak_kb": peak, "digest": digest}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases_dir")
    parser.add_argument("--against", default="main")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{args.against}:scripts/caselib/site/related.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "related_reference.py"
        reference.write_text(source, encoding="utf-8")
        runs: dict[str, list[dict]] = {args.against: [], "this tree": []}
        for _ in range(args.runs):  # alternate, so that a busy machine weighs on both alike
            for label, module_path in ((args.against, str(reference)), ("this tree", "")):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", module_path, args.cases_dir],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs[label].append(json.loads(out))
    for label, results in runs.items():
        cpu = [r["cpu"] for r in results]
        print(
            f"{label:>10}: {results[0]['cases']} cases, CPU s median {statistics.median(cpu):.2f} "
            f"(runs {', '.join(f'{c:.2f}' for c in cpu)}); peak RSS median "
            f"{statistics.median(r['peak_kb'] for r in results) / 1024:.0f} MiB "
            f"(after loading the cases {statistics.median(r['loaded_kb'] for r in results) / 1024:.0f} MiB)"
        )
    digests = {r["digest"] for results in runs.values() for r in results}
    print("identical related cases for every case" if len(digests) == 1 else "RESULTS DIFFER")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
