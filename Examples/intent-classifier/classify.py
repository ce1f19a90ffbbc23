#!/usr/bin/env python3
"""Intent classifier for an online shop's customer-support assistant.

A multinomial naive Bayes model over lowercase word unigrams (and, optionally,
word bigrams) with Laplace smoothing, written with the Python standard library
only. It trains at start-up from train.jsonl and then serves evalguard's model
protocol (JSON Lines over stdin/stdout):

    request:  {"id": "<case id>", "input": "<user utterance>"}
    response: {"id": "<case id>", "output": "<intent label>",
               "usage": {"input_tokens": <number of words in the utterance>}}

A request whose input is not a string gets {"id": ..., "error": "..."} instead
of an output. Diagnostics go to stderr only; the process exits 0 at end of input.

Behaviour is controlled by settings.json next to this script:

    smoothing        Laplace (additive) smoothing constant, > 0. Default 1.0.
    use_bigrams      also use adjacent word pairs as features. Default true.
    max_vocabulary   keep only the N most frequent training features; 0 keeps
                     all of them. Default 0.

A REGRESSING CHANGE for demonstrations: set "max_vocabulary" to 500, a
plausible "make the model smaller" edit. The 500 most frequent training
features (out of about 2,100) are dominated by function words and common
bigrams such as "my order" or "i want", so rarer words that carry the intent
("voucher", "locked", "postcode") are dropped. Accuracy on
.evals/cases/intents.jsonl falls from 0.892 to 0.808 (-8.4 points); a cap of
25 features falls to 0.475. Smaller changes, for a noise-aware verdict:
"use_bigrams": false gives 0.872 (-2.0 points) and "smoothing": 0.1 gives
0.914 (+2.2 points, an improvement).
"""

import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_FILE = "train.jsonl"
SETTINGS_FILE = "settings.json"

DEFAULT_SETTINGS = {"smoothing": 1.0, "use_bigrams": True, "max_vocabulary": 0}

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters and digits, any script


def fail(message):
    """Report a start-up problem (named relative to the script's folder) and exit 2."""
    sys.stderr.write("classify.py: %s\n" % message)
    sys.exit(2)


def load_settings():
    settings = dict(DEFAULT_SETTINGS)
    try:
        with open(os.path.join(HERE, SETTINGS_FILE), encoding="utf-8") as f:
            loaded = json.load(f)
    except FileNotFoundError:
        return settings
    except (OSError, ValueError) as e:
        fail("%s: cannot read settings: %s" % (SETTINGS_FILE, e))
    if not isinstance(loaded, dict):
        fail("%s: expected a JSON object" % SETTINGS_FILE)
    for key, value in loaded.items():
        if key not in DEFAULT_SETTINGS:
            fail("%s: unknown setting %r" % (SETTINGS_FILE, key))
        settings[key] = value
    s = settings["smoothing"]
    if isinstance(s, bool) or not isinstance(s, (int, float)) or not s > 0:
        fail("%s: \"smoothing\" must be a number greater than 0" % SETTINGS_FILE)
    if not isinstance(settings["use_bigrams"], bool):
        fail("%s: \"use_bigrams\" must be true or false" % SETTINGS_FILE)
    m = settings["max_vocabulary"]
    if isinstance(m, bool) or not isinstance(m, int) or m < 0:
        fail("%s: \"max_vocabulary\" must be an integer >= 0" % SETTINGS_FILE)
    return settings


def words(text):
    return WORD.findall(text.lower())


def features(tokens, use_bigrams):
    feats = list(tokens)
    if use_bigrams:
        feats.extend(a + " " + b for a, b in zip(tokens, tokens[1:]))
    return feats


class NaiveBayes:
    def __init__(self, settings):
        self.use_bigrams = settings["use_bigrams"]
        self.smoothing = float(settings["smoothing"])
        self.max_vocabulary = settings["max_vocabulary"]
        self.labels = []
        self.log_prior = {}
        self.log_likelihood = {}  # label -> {feature: log P(feature | label)}
        self.log_unseen = {}  # label -> log P(vocabulary feature never seen with label)

    def train(self, examples):
        doc_count = {}
        counts = {}
        totals = {}
        for text, label in examples:
            doc_count[label] = doc_count.get(label, 0) + 1
            per_label = counts.setdefault(label, {})
            for feat in features(words(text), self.use_bigrams):
                per_label[feat] = per_label.get(feat, 0) + 1
                totals[feat] = totals.get(feat, 0) + 1

        # Vocabulary: every training feature, or the most frequent N of them
        # (ties broken alphabetically so that the model is deterministic).
        vocab = sorted(totals, key=lambda f: (-totals[f], f))
        if self.max_vocabulary:
            vocab = vocab[: self.max_vocabulary]
        vocab = set(vocab)

        self.labels = sorted(doc_count)
        n_docs = sum(doc_count.values())
        alpha = self.smoothing
        for label in self.labels:
            kept = {f: c for f, c in counts[label].items() if f in vocab}
            denominator = math.log(sum(kept.values()) + alpha * len(vocab))
            self.log_prior[label] = math.log(doc_count[label] / n_docs)
            self.log_likelihood[label] = {
                f: math.log(c + alpha) - denominator for f, c in kept.items()
            }
            self.log_unseen[label] = math.log(alpha) - denominator
        self.vocab = vocab

    def predict(self, tokens):
        feats = [f for f in features(tokens, self.use_bigrams) if f in self.vocab]
        best_label, best_score = None, -math.inf
        for label in self.labels:
            table = self.log_likelihood[label]
            unseen = self.log_unseen[label]
            score = self.log_prior[label]
            for f in feats:
                score += table.get(f, unseen)
            if score > best_score:
                best_label, best_score = label, score
        return best_label


def load_training_data():
    examples = []
    path = os.path.join(HERE, TRAIN_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = "%s:%d" % (TRAIN_FILE, number)
                try:
                    row = json.loads(line)
                except ValueError as e:
                    fail("%s: not valid JSON: %s" % (where, e))
                if not isinstance(row, dict):
                    fail("%s: expected a JSON object" % where)
                text, label = row.get("text"), row.get("intent")
                if not isinstance(text, str) or not isinstance(label, str) or not label:
                    fail("%s: expected string fields \"text\" and \"intent\"" % where)
                examples.append((text, label))
    except OSError as e:
        fail("%s: cannot read training data: %s" % (TRAIN_FILE, e.strerror))
    if not examples:
        fail("%s: no training examples" % TRAIN_FILE)
    return examples


def respond(message):
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def serve(model):
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as e:
            sys.stderr.write("classify.py: request is not valid JSON: %s\n" % e)
            respond({"id": None, "error": "request is not valid JSON"})
            continue
        if not isinstance(request, dict):
            respond({"id": None, "error": "request is not a JSON object"})
            continue
        case_id = request.get("id")
        text = request.get("input")
        if not isinstance(text, str):
            respond({"id": case_id, "error": "input must be a string (the user utterance)"})
            continue
        tokens = words(text)
        respond({
            "id": case_id,
            "output": model.predict(tokens),
            "usage": {"input_tokens": len(tokens)},
        })


def main():
    settings = load_settings()
    model = NaiveBayes(settings)
    model.train(load_training_data())
    try:
        serve(model)
    except BrokenPipeError:
        # The reader went away; nothing more can be reported on stdout.
        sys.stderr.write("classify.py: output closed by the reader\n")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit-time flush cannot fail again
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
