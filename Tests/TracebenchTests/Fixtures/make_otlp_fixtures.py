#!/usr/bin/env python3
"""Generates the OTLP fixtures embedded in Tests/TracebenchTests/OTLPDecoderTests.swift.

The fixtures come from an encoder independent of ours: the official Python bindings of
opentelemetry-proto (which use Google's protobuf runtime), so the Swift decoders are checked
against real wire bytes rather than against our own idea of the format.

Usage:
    pip install opentelemetry-proto      # tested with opentelemetry-proto 1.45.2, protobuf 7.36.2
    python3 Tests/TracebenchTests/Fixtures/make_otlp_fixtures.py

It prints the `Fixtures` enum; paste it over the one at the end of OTLPDecoderTests.swift.
The output is deterministic (fixed ids and timestamps), so rerunning it must reproduce the
literals already in the test (protobuf's serializer emits fields in field-number order).

What the request contains (the Swift test asserts every field):
  ResourceSpans #1: resource {service.name="checkout", host.name="h1", pid=4242}, schema_url,
    a ScopeSpans with scope {name, version, an attribute} and 3 spans of trace T1:
      root       span R, no parent, kind SERVER, status unset, trace_state, flags
      child      span C, parent R, kind CLIENT, status OK, an event and a link,
                 attributes of every AnyValue type (string, bool, int, double, array, kvlist, bytes)
      grandchild span G, parent C, status ERROR with a message, attribute job.id="job-0007"
  ResourceSpans #2: resource {service.name="billing"}, one root span of trace T2 whose "job.id"
    attribute is an *int* (so it is not a string job id), end before start is kept as-is.
  ResourceSpans #3: no resource at all, one span of trace T3 (service name must decode as "").

The printed enum holds `proto` (that request, serialized) and also:
  - protoResourceLast: ResourceSpans #1 with its `resource` field placed AFTER its
    `scope_spans` in the byte stream (built by concatenating two serialized partial messages,
    which protobuf defines as a merge; checked below by re-parsing it).
  - protoGzip: the request bytes gzipped by Python's gzip module (mtime=0), as an OTLP/HTTP client
    sending `Content-Encoding: gzip` would; checks Gzip.inflate against an independent compressor.
  - jsonCamel: MessageToJson output (lowerCamelCase, enums as names, 64-bit ints as strings)
    with trace/span ids rewritten from base64 to hex as OTLP/JSON requires.
  - jsonSnake: the same with proto field names (snake_case), enums as integers and the
    timestamps turned into JSON numbers.
"""

import base64
import gzip
import json

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

T1 = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
T2 = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")
T3 = bytes.fromhex("ffffffffffffffff0000000000000001")
R = bytes.fromhex("b7ad6b7169203331")
C = bytes.fromhex("00f067aa0ba902b7")
G = bytes.fromhex("8000000000000001")
B = bytes.fromhex("0102030405060708")
X = bytes.fromhex("fedcba9876543210")
BASE = 1_700_000_000_123_456_789  # > 2**53: catches lossy double conversions


def kv(key, **value):
    return KeyValue(key=key, value=AnyValue(**value))


def build():
    root = Span(trace_id=T1, span_id=R, trace_state="vendor=a", name="GET /checkout",
                kind=Span.SPAN_KIND_SERVER, start_time_unix_nano=BASE,
                end_time_unix_nano=BASE + 5_000_000, flags=0x301,
                attributes=[kv("http.method", string_value="GET")])
    child = Span(trace_id=T1, span_id=C, parent_span_id=R, name="charge card",
                 kind=Span.SPAN_KIND_CLIENT, start_time_unix_nano=BASE + 1_000,
                 end_time_unix_nano=BASE + 4_000_000,
                 attributes=[
                     kv("s", string_value="x"), kv("b", bool_value=True), kv("i", int_value=-7),
                     kv("d", double_value=2.5),
                     kv("a", array_value=ArrayValue(values=[AnyValue(string_value="job.id")])),
                     kv("k", kvlist_value=KeyValueList(values=[kv("job.id", string_value="nested")])),
                     kv("y", bytes_value=b"\x00\xff"),
                 ],
                 dropped_attributes_count=3,
                 events=[Span.Event(time_unix_nano=BASE + 2_000, name="retry",
                                    attributes=[kv("job.id", string_value="event")])],
                 links=[Span.Link(trace_id=T2, span_id=B, trace_state="l=1",
                                  attributes=[kv("job.id", string_value="link")])],
                 status=Status(code=Status.STATUS_CODE_OK))
    grandchild = Span(trace_id=T1, span_id=G, parent_span_id=C, name="db.query ünïcode",
                      kind=Span.SPAN_KIND_INTERNAL, start_time_unix_nano=BASE + 2_000_000,
                      end_time_unix_nano=BASE + 3_000_000,
                      attributes=[kv("db.system", string_value="redis"),
                                  kv("job.id", string_value="job-0007")],
                      status=Status(code=Status.STATUS_CODE_ERROR, message="boom"))
    scope = ScopeSpans(scope=InstrumentationScope(name="tracebench", version="0.1",
                                                  attributes=[kv("service.name", string_value="not-me")]),
                       spans=[root, child, grandchild], schema_url="https://example.com/scope")
    rs1 = ResourceSpans(resource=Resource(attributes=[
                            kv("host.name", string_value="h1"),
                            kv("service.name", string_value="checkout"),
                            kv("pid", int_value=4242)]),
                        scope_spans=[scope], schema_url="https://opentelemetry.io/schemas/1.21.0")
    other = Span(trace_id=T2, span_id=X, name="settle", kind=Span.SPAN_KIND_CONSUMER,
                 start_time_unix_nano=20, end_time_unix_nano=10,
                 attributes=[kv("job.id", int_value=7)])
    rs2 = ResourceSpans(resource=Resource(attributes=[kv("service.name", string_value="billing")]),
                        scope_spans=[ScopeSpans(spans=[other])])
    lone = Span(trace_id=T3, span_id=B, name="", start_time_unix_nano=1, end_time_unix_nano=2)
    rs3 = ResourceSpans(scope_spans=[ScopeSpans(spans=[lone])])
    return ExportTraceServiceRequest(resource_spans=[rs1, rs2, rs3]), rs1


def resource_last(rs1):
    """ResourceSpans #1 with `resource` (field 1) after `scope_spans` (field 2), wrapped in a request."""
    head = ResourceSpans(scope_spans=rs1.scope_spans, schema_url=rs1.schema_url).SerializeToString()
    tail = ResourceSpans(resource=rs1.resource).SerializeToString()
    rs_bytes = head + tail
    assert ResourceSpans.FromString(rs_bytes) == rs1
    assert rs_bytes != rs1.SerializeToString()
    # ExportTraceServiceRequest field 1, wire type 2, then the length as a varint.
    n, length = len(rs_bytes), b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            length += bytes([b | 0x80])
        else:
            length += bytes([b])
            break
    out = b"\x0a" + length + rs_bytes
    assert ExportTraceServiceRequest.FromString(out) == ExportTraceServiceRequest(resource_spans=[rs1])
    return out


ID_KEYS = {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}


def ids_to_hex(node):
    if isinstance(node, dict):
        return {k: (base64.b64decode(v).hex() if k in ID_KEYS else ids_to_hex(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [ids_to_hex(v) for v in node]
    return node


def nanos_to_numbers(node):
    if isinstance(node, dict):
        return {k: (int(v) if k.endswith("unix_nano") else nanos_to_numbers(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [nanos_to_numbers(v) for v in node]
    return node


def swift_hex(name, data):
    h = data.hex()
    lines = [h[i:i + 96] for i in range(0, len(h), 96)]
    body = "\n".join("        " + line for line in lines)
    return f'    static let {name} = hexBytes("""\n{body}\n        """)'


def main():
    req, rs1 = build()
    proto = req.SerializeToString()
    assert ExportTraceServiceRequest.FromString(proto) == req
    camel = ids_to_hex(json.loads(json_format.MessageToJson(req)))
    snake = nanos_to_numbers(ids_to_hex(json.loads(json_format.MessageToJson(
        req, preserving_proto_field_name=True, use_integers_for_enums=True))))
    print("private enum Fixtures {")
    print(swift_hex("proto", proto))
    print(swift_hex("protoResourceLast", resource_last(rs1)))
    print(swift_hex("protoGzip", gzip.compress(proto, compresslevel=9, mtime=0)))
    for name, doc in (("jsonCamel", camel), ("jsonSnake", snake)):
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        assert '"""' not in text and "\\" not in text
        print(f'    static let {name} = Array(#"{text}"#.utf8)')
    print("}")


if __name__ == "__main__":
    main()
