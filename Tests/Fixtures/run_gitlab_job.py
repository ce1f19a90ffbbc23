#!/usr/bin/env python3
"""Runs one job of a GitLab CI file the way a shell-executor runner does, for tests.

usage: run_gitlab_job.py FILE JOB

Resolves `extends:` (hidden jobs included), exports the job's `variables:` (the caller's
environment wins, as project CI/CD variables do; $VAR references in values are expanded),
then runs before_script and script as one `bash -eo pipefail` session in the current directory
and after_script in another. Prints {"status", "artifacts", "rules", "image"} as JSON; exits 0.
"""
import json
import os
import subprocess
import sys

import yaml


def resolve(config, name):
    job = dict(config[name])
    parents = job.pop("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        base = resolve(config, parent)
        variables = {**base.get("variables", {}), **job.get("variables", {})}
        job = {**base, **job, "variables": variables}
    return job


def main():
    path, name = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    job = resolve(config, name)
    env = dict(os.environ)
    for key, value in job.get("variables", {}).items():
        if key not in os.environ:
            env[key] = os.path.expandvars(str(value))
    lines = job.get("before_script", []) + job.get("script", [])
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)], env=env)
    if job.get("after_script"):
        subprocess.run(["bash", "--noprofile", "--norc", "-c", "\n".join(job["after_script"])], env=env)
    print(json.dumps({"status": result.returncode, "artifacts": job.get("artifacts"),
                      "rules": job.get("rules"), "image": job.get("image")}))


if __name__ == "__main__":
    main()
