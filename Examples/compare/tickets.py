"""Writes the example's cases: 200 support tickets, each expecting the drafter to restate it."""
import json
import sys

topics = ["refund for order", "where is parcel", "change address on order", "cancel subscription",
          "invoice copy for order", "password reset for account", "damaged item in order", "upgrade plan for account"]
with open(sys.argv[1], "w") as out:
    for i in range(200):
        text = "%s %d" % (topics[i % len(topics)], 1000 + i * 7)
        out.write(json.dumps({"id": "t%03d" % i, "input": text, "expected": text}) + "\n")
