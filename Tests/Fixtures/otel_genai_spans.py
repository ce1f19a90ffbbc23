"""Writes GenAI spans as OTLP JSON (the proto JSON form of an ExportTraceServiceRequest) with the
OpenTelemetry SDK for Python, without a collector: the spans are kept in memory, encoded by the
OTLP exporter's own encoder, and printed with protobuf's JSON mapping. Each span records its
messages in one of the forms the GenAI semantic conventions have used.

Usage: python3 otel_genai_spans.py OUT.json
"""
import json
import sys

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider(resource=Resource.create({"service.name": "shop-assistant"}))
provider.add_span_processor(SimpleSpanProcessor(exporter))
tracer = provider.get_tracer("shop.assistant")

# The current conventions: messages with parts on the span, a tool call in the answer.
with tracer.start_as_current_span("chat gpt-4o") as span:
    span.set_attribute("gen_ai.operation.name", "chat")
    span.set_attribute("gen_ai.request.model", "gpt-4o")
    span.set_attribute("gen_ai.system_instructions", json.dumps([{"type": "text", "content": "You help with orders."}]))
    span.set_attribute("gen_ai.input.messages", json.dumps([
        {"role": "user", "parts": [{"type": "text", "content": "Where is order A1?"}]}]))
    span.set_attribute("gen_ai.output.messages", json.dumps([
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "lookup_order",
                                         "arguments": {"order_id": "A1"}}], "finish_reason": "tool_call"}]))

# The same messages on the inference details event.
with tracer.start_as_current_span("chat gpt-4o-mini") as span:
    span.set_attribute("gen_ai.operation.name", "chat")
    span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
    span.add_event("gen_ai.client.inference.operation.details", {
        "gen_ai.input.messages": json.dumps([{"role": "user", "parts": [{"type": "text", "content": "Cancel order B2"}]}]),
        "gen_ai.output.messages": json.dumps([{"role": "assistant", "parts": [
            {"type": "tool_call", "id": "call_2", "name": "cancel_order", "arguments": {"order_id": "B2"}}]}]),
    })

# The older events, gen_ai.content.prompt / gen_ai.content.completion.
with tracer.start_as_current_span("chat gpt-4o") as span:
    span.set_attribute("gen_ai.operation.name", "chat")
    span.set_attribute("gen_ai.request.model", "gpt-4o")
    span.add_event("gen_ai.content.prompt", {"gen_ai.prompt": json.dumps([{"role": "user", "content": "What are your opening hours?"}])})
    span.add_event("gen_ai.content.completion", {"gen_ai.completion": json.dumps([{"role": "assistant", "content": "We open at 9."}])})

# Flattened attributes, with an OpenAI-style tool call whose arguments are a JSON string.
with tracer.start_as_current_span("openai.chat") as span:
    span.set_attribute("gen_ai.system", "openai")
    span.set_attribute("gen_ai.request.model", "gpt-4o")
    span.set_attribute("gen_ai.prompt.0.role", "user")
    span.set_attribute("gen_ai.prompt.0.content", "Refund order C3")
    span.set_attribute("gen_ai.completion.0.role", "assistant")
    span.set_attribute("gen_ai.completion.0.tool_calls.0.name", "refund")
    span.set_attribute("gen_ai.completion.0.tool_calls.0.arguments", "{\"order_id\": \"C3\"}")

# Per-message events and a choice.
with tracer.start_as_current_span("chat gpt-4o") as span:
    span.set_attribute("gen_ai.operation.name", "chat")
    span.set_attribute("gen_ai.request.model", "gpt-4o")
    span.add_event("gen_ai.system.message", {"content": "Be brief."})
    span.add_event("gen_ai.user.message", {"content": "Say hello"})
    span.add_event("gen_ai.choice", {"index": 0, "finish_reason": "stop", "message": json.dumps({"content": "Hello!"})})

# A GenAI span recorded without its content, and a span that is not GenAI at all.
with tracer.start_as_current_span("chat gpt-4o") as span:
    span.set_attribute("gen_ai.operation.name", "chat")
    span.set_attribute("gen_ai.request.model", "gpt-4o")
with tracer.start_as_current_span("GET /orders") as span:
    span.set_attribute("http.request.method", "GET")

with open(sys.argv[1], "w") as out:
    json.dump(MessageToDict(encode_spans(exporter.get_finished_spans())), out, indent=1)
    out.write("\n")
