#!/usr/bin/env python3
"""Runs one job of a GitHub Actions workflow the way a runner does, for tests, without GitHub.

usage: run_workflow_job.py FILE JOB [MATRIX_JSON]

MATRIX_JSON is this runner's matrix entry (e.g. {"shard": 2}). `${{ matrix.X }}`,
`${{ strategy.job-total }}` (the number of entries the job's matrix expands to) and
`${{ strategy.job-index }}` are substituted; any other expression is an error, so a workflow
that needs more of GitHub fails here instead of passing untested. `run:` steps run with
`bash --noprofile --norc -eo pipefail` in the current directory, stopping at the first failure;
`uses:` steps are not run (they need GitHub) and are reported with their `with:` for the caller
to play (checkout, artifacts). Prints {"steps": [{"uses", "with", "status"}], "failed"}; exits 0.
"""
import itertools
import json
import re
import subprocess
import sys

import yaml


def expand(matrix):
    keys = [k for k in matrix if k not in ("include", "exclude")]
    return [dict(zip(keys, values)) for values in itertools.product(*(matrix[k] for k in keys))]


def main():
    path, name = sys.argv[1], sys.argv[2]
    entry = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    with open(path, encoding="utf-8") as f:
        job = yaml.safe_load(f)["jobs"][name]
    entries = expand(job.get("strategy", {}).get("matrix", {})) or [{}]
    if entry not in entries:
        raise SystemExit(f"run_workflow_job.py: {entry} is not an entry of {name}'s matrix {entries}")
    context = {"strategy.job-total": str(len(entries)), "strategy.job-index": str(entries.index(entry))}
    context.update({f"matrix.{k}": str(v) for k, v in entry.items()})

    def substitute(text):
        def one(match):
            expression = match.group(1).strip()
            if expression not in context:
                raise SystemExit(f"run_workflow_job.py: unsupported expression ${{{{ {expression} }}}}")
            return context[expression]
        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    steps, failed = [], False
    for step in job["steps"]:
        if "uses" in step:
            steps.append({"uses": step["uses"], "with": {k: substitute(v) for k, v in (step.get("with") or {}).items()},
                          "status": None})
            continue
        if failed:
            steps.append({"uses": None, "with": None, "status": None})
            continue
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", substitute(step["run"])])
        steps.append({"uses": None, "with": None, "status": result.returncode})
        failed = result.returncode != 0
    print(json.dumps({"steps": steps, "failed": failed}))


if __name__ == "__main__":
    main()
