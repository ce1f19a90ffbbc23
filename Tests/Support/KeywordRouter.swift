package enum KeywordRouter {
    /// Routes a ticket by keywords; the input is the ticket, an object of vars, or chat messages.
    package static let model = """
        import json, sys
        RULES = [("money back", "refund"), ("crash", "bug"), ("declined", "billing"), ("hello", "greeting"), ("order", "shipping")]
        def text(v):
            if isinstance(v, list): return " ".join(m.get("content", "") for m in v if m.get("role") == "user")
            if isinstance(v, dict): return v.get("ticket", "")
            return v
        for line in sys.stdin:
            r = json.loads(line)
            t = text(r["input"]).lower()
            out = next((a for k, a in RULES if k in t), "other")
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
}
