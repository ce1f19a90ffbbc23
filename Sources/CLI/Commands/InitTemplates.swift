import EvalGuardConfig
import EvalGuardSupport

/// The files `evalguard init` writes.
enum InitTemplates {
    static let files: [(String, String)] = [
        (EvalConfig.path, config),
        (".evals/cases/example.jsonl", cases),
        (".evals/example_model.py", model),
        (".evals/.gitignore", "# Results are per machine; share them as git notes instead.\nresults/\n"),
    ]

    static let config = """
        // evalguard configuration: commented JSON (JSON5), so comments and trailing commas are fine.
        {
          // How to run the model. The command starts once per job, from the repository root, and
          // speaks JSON Lines: it reads {"id": ..., "input": ...} on stdin and writes one
          // {"id": ..., "output": ...} line per request on stdout (optionally with "cost_usd",
          // "usage" or "error").
          "model": {
            "command": ["python3", ".evals/example_model.py"],
            // Processes answering at once. Default: the number of cores.
            // "jobs": 4,
            // Seconds one case may take before its process is killed and the case counts as
            // timed out. Default: 30.
            "timeout_s": 30,
            // Extra seconds the first request of each process may take while the model loads.
            // Default: 60.
            "startup_timeout_s": 60,
            // Share of cases that may fail (error or time-out) before the run stops with exit 3.
            // Default: 0.5.
            "max_error_rate": 0.5,
            // What the model's answers depend on, as paths or globs from the repository root.
            // Default: the whole tree. Listing them lets a change elsewhere (docs, other code)
            // reuse the stored result instead of running the model again; list everything the
            // model reads, or a change to it will not be evaluated.
            // "inputs": ["model/", "prompts/**/*.txt"],
          },
          // Or, for a model behind an OpenAI-compatible API (OpenAI, vLLM, llama.cpp, Ollama),
          // no script at all: replace "model" above with
          // "model": {
          //   "provider": "openai",
          //   "base_url": "https://api.openai.com/v1",
          //   "model": "gpt-4o-mini",
          //   "api_key_env": "OPENAI_API_KEY",  // the variable's name; the key never goes here
          //   "messages": [{"role": "user", "content": "{{input}}"}],
          //   "temperature": 0,
          //   "jobs": 8,
          // },
          // and commit prices in .evals/prices.json to gate cost:
          // {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}

          // Suites: a JSON Lines case file (relative to .evals/) and a scorer: exact, contains,
          // regex, json, numeric or one-of. A suite may override "thresholds" for itself.
          "suites": {
            "example": {"cases": "cases/example.jsonl", "scorer": "exact"},
            // A second suite, with its own scorer and a looser accuracy threshold:
            // "tickets": {
            //   "cases": "cases/tickets.jsonl", "scorer": "contains",
            //   "thresholds": {"accuracy": {"max_drop": 0.02}},
            // },
          },

          // When a change counts as a regression. Improvements never fail; false switches a
          // metric off.
          "thresholds": {
            // Accuracy may fall by at most this much (0.01 = one point). Default: 0.01.
            "accuracy": {"max_drop": 0.01},
            // p95 latency may rise by at most this percentage (default: 20). A rise smaller than
            // min_increase_ms is treated as noise (default: 1).
            "p95_latency_ms": {"max_increase_pct": 20, "min_increase_ms": 5},
            // Average cost per case may rise by at most this percentage (default: 10), and by
            // more than min_increase_usd (default: 0).
            "avg_cost_usd": {"max_increase_pct": 10},
          },

          // Noise: a model at temperature above zero, a network-bound latency or a judge model
          // gives different numbers from run to run. A metric beyond its threshold is a
          // regression only when noise is unlikely to explain it; otherwise it is "inconclusive".
          // Runs per case ('--repeat' overrides it). Accuracy is then the mean pass rate, and a
          // case whose runs disagree is listed as flaky. Default: 1.
          // "repeat": 3,
          // Significance level of the tests behind each verdict. Default: 0.05.
          "alpha": 0.05,
          // What an inconclusive result does: "pass" (exit 0, with a warning) or "fail" (exit 1).
          // Default: "pass".
          "on_inconclusive": "pass",
          // Flaky cases: "include" them in the accuracy gate at their pass rates, or "exclude"
          // them from it (they are listed either way). Default: "include".
          "flaky": "include",
        }

        """

    static let cases = """
        {"id": "positive-1", "input": "I love this product, it works perfectly", "expected": "positive"}
        {"id": "positive-2", "input": "Great service and fast delivery", "expected": "positive"}
        {"id": "positive-3", "input": "Excellent quality, very happy with it", "expected": "positive"}
        {"id": "positive-4", "input": "The support team was helpful and kind", "expected": "positive"}
        {"id": "positive-5", "input": "Works great, would buy again", "expected": "positive"}
        {"id": "negative-1", "input": "Terrible experience, it broke after a day", "expected": "negative"}
        {"id": "negative-2", "input": "The delivery was late and the box was damaged", "expected": "negative"}
        {"id": "negative-3", "input": "Awful quality, I want a refund", "expected": "negative"}
        {"id": "negative-4", "input": "Nobody answered my emails, very disappointed", "expected": "negative"}
        {"id": "negative-5", "input": "It stopped working and support was useless", "expected": "negative"}

        """

    static let model = #"""
        #!/usr/bin/env python3
        """A starter model for evalguard: a keyword sentiment classifier.

        Replace it with your own. The protocol: read one JSON request per line on stdin,
        {"id": ..., "input": ...}, and write one JSON response per line on stdout,
        {"id": ..., "output": ...}, flushing after each. Write logs to stderr only.
        """
        import json
        import sys

        POSITIVE = {"love", "great", "excellent", "happy", "helpful", "kind", "perfectly", "fast", "again"}
        NEGATIVE = {"terrible", "broke", "late", "damaged", "awful", "refund", "disappointed", "useless", "stopped"}


        def classify(text):
            words = {w.strip(".,!?").lower() for w in text.split()}
            return "positive" if len(words & POSITIVE) >= len(words & NEGATIVE) else "negative"


        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            text = request.get("input")
            if not isinstance(text, str):
                response = {"id": request.get("id"), "error": "input must be a string"}
            else:
                response = {"id": request.get("id"), "output": classify(text)}
            sys.stdout.write(json.dumps(response) + "\n")
            sys.stdout.flush()

        """#
}
