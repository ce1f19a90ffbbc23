#!/usr/bin/env python3
"""Runs a composite action's steps the way the Actions runner does, for tests, without GitHub.

usage: run_action.py ACTION_DIR INPUTS_JSON

Reads ACTION_DIR/action.yml; for each step evaluates `if:` and the ${{ }} expressions it uses
(inputs.*, steps.*.outputs.*, github.*, runner.*, always(), success(), failure(), ==, !=, &&, ||,
!) and runs `run:` steps with `bash --noprofile --norc -eo pipefail` (Actions' `shell: bash`),
each with its own $GITHUB_OUTPUT, honouring $GITHUB_PATH and $GITHUB_ENV. `uses:` steps are
not run (they need GitHub) and are reported. The environment (GITHUB_*, RUNNER_*) comes from
the caller; the working directory is $GITHUB_WORKSPACE.

Prints one JSON object: {"outputs": {...}, "steps": [{"id", "ran", "status", "uses"}],
"failed": bool}; exits 0.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml


def main():
    action_dir, inputs_json = sys.argv[1], sys.argv[2]
    with open(os.path.join(action_dir, "action.yml"), encoding="utf-8") as f:
        action = yaml.safe_load(f)
    env = dict(os.environ)
    env["GITHUB_ACTION_PATH"] = action_dir
    github = {
        "token": env.get("GITHUB_TOKEN", ""),
        "server_url": env.get("GITHUB_SERVER_URL", "https://github.com"),
        "action_repository": env.get("GITHUB_ACTION_REPOSITORY", ""),
        "action_path": action_dir,
    }
    runner = {"os": env.get("RUNNER_OS", "Linux"), "arch": env.get("RUNNER_ARCH", "X64"),
              "temp": env.get("RUNNER_TEMP", "/tmp")}
    steps = {}
    context = {"github": github, "runner": runner, "steps": steps, "inputs": {}}

    given = json.loads(inputs_json)
    for name, spec in (action.get("inputs") or {}).items():
        default = str(spec.get("default", ""))
        context["inputs"][name] = str(given[name]) if name in given else substitute(default, context)
    unknown = set(given) - set(context["inputs"])
    if unknown:
        raise SystemExit(f"run_action.py: inputs not declared in action.yml: {sorted(unknown)}")

    failed = False
    report = []
    workspace = env.get("GITHUB_WORKSPACE", os.getcwd())
    for index, step in enumerate(action["runs"]["steps"]):
        sid = step.get("id", f"__{index}")
        condition = step.get("if")
        status_fn = {"failed": failed}
        run_it = evaluate(condition, context, status_fn) if condition else not failed
        entry = {"id": sid, "ran": False, "status": None, "uses": step.get("uses")}
        report.append(entry)
        steps[sid] = {"outputs": {}}
        if not run_it or "uses" in step:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            files = {name: os.path.join(tmp, name) for name in ("output", "path", "env", "script.sh")}
            for name in ("output", "path", "env"):
                open(files[name], "w").close()
            with open(files["script.sh"], "w") as f:
                f.write(substitute(step["run"], context))
            step_env = dict(env)
            for key, value in (step.get("env") or {}).items():
                step_env[key] = substitute(str(value), context)
            step_env.update(GITHUB_OUTPUT=files["output"], GITHUB_PATH=files["path"], GITHUB_ENV=files["env"])
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", files["script.sh"]],
                                    cwd=workspace, env=step_env)
            entry.update(ran=True, status=result.returncode)
            steps[sid]["outputs"] = read_pairs(files["output"])
            with open(files["path"]) as f:
                for line in f.read().splitlines():
                    if line:
                        env["PATH"] = line + os.pathsep + env["PATH"]
            env.update(read_pairs(files["env"]))
        if result.returncode != 0:
            failed = True

    outputs = {name: substitute(str(spec.get("value", "")), context)
               for name, spec in (action.get("outputs") or {}).items()}
    print(json.dumps({"outputs": outputs, "steps": report, "failed": failed}))


def read_pairs(path):
    """name=value lines, and name<<DELIMITER multi-line values, as Actions reads them."""
    pairs = {}
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            i += 1
            while lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            pairs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            pairs[name] = value
        i += 1
    return pairs


def lookup(path, context):
    value = context
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return ""
        value = value[part]
    return value if isinstance(value, str) else ""


TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||==|!=|!|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_.-]*\(\)|[A-Za-z_][A-Za-z0-9_.-]*)")


def evaluate(expression, context, status):
    """The subset of Actions expressions this action uses, as a tiny recursive-descent parser."""
    expression = expression.strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2]
    tokens, position = [], 0
    while position < len(expression.rstrip()):
        match = TOKEN.match(expression, position)
        if not match:
            raise SystemExit(f"run_action.py: cannot parse expression: {expression}")
        tokens.append(match.group(1))
        position = match.end()
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]

    def primary():
        token = take()
        if token == "(":
            value = disjunction()
            take()
            return value
        if token == "!":
            return not truthy(primary())
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        if token == "always()":
            return True
        if token == "success()":
            return not status["failed"]
        if token == "failure()":
            return status["failed"]
        if token in ("true", "false"):
            return token == "true"
        return lookup(token, context)

    def comparison():
        left = primary()
        while peek() in ("==", "!="):
            op = take()
            right = primary()
            equal = str(left).lower() == str(right).lower()
            left = equal if op == "==" else not equal
        return left

    def conjunction():
        left = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            left = right if truthy(left) else left
        return left

    def disjunction():
        left = conjunction()
        while peek() == "||":
            take()
            right = conjunction()
            left = left if truthy(left) else right
        return left

    value = disjunction()
    if "always()" not in tokens and "failure()" not in tokens and status["failed"]:
        return False   # an `if:` without a status function implies success()
    return truthy(value)


def truthy(value):
    return value not in (False, "", None, 0)


def substitute(text, context):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: expression_text(m.group(1), context), text)


def expression_text(expression, context):
    value = evaluate_value(expression, context)
    return value if isinstance(value, str) else json.dumps(value)


def evaluate_value(expression, context):
    expression = expression.strip()
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", expression):
        return lookup(expression, context)
    raise SystemExit(f"run_action.py: unsupported expression in a value: {expression}")


if __name__ == "__main__":
    main()
