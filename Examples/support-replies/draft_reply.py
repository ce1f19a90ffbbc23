"""The support-reply feature: drafts a reply to a customer's ticket.

A stand-in for an LLM call (so the example runs without a network): it picks a reply by the
ticket's topic. evalguard's command protocol: one JSON request per line on stdin,
{"id", "input": {"ticket": ...}}, one answer per line on stdout, {"id", "output": "<reply>"}.
"""
import json
import sys

REPLIES = [
    ("refund", "We're sorry about that. Your refund has been issued and reaches your card within 5 business days."),
    ("charged twice", "Apologies for the double charge: we have refunded the duplicate payment."),
    ("password", "You can reset your password from the sign-in page with 'Forgot password'; the link is valid for an hour."),
    ("late", "Your parcel is on its way: here is the tracking link so you can follow the delivery."),
    ("cancel", "Your subscription is cancelled; you keep access until the end of the billing period."),
]

for line in sys.stdin:
    request = json.loads(line)
    ticket = request["input"]["ticket"].lower()
    reply = next((text for topic, text in REPLIES if topic in ticket),
                 "Thanks for reaching out! A member of our team will get back to you.")
    sys.stdout.write(json.dumps({"id": request["id"], "output": reply}) + "\n")
    sys.stdout.flush()
