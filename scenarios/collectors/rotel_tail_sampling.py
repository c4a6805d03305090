"""Tail-style sampling inside rotel: keep every error span, and every span of a trace the OpenTelemetry consistent
probability rule keeps (OTEP 235), writing the threshold it applied to each kept span's tracestate (`ot=th:...`).

rotel calls process_spans(resource_spans) once per incoming request, before batching, and lets a processor edit the
spans in place; it has no timer or flush hook, so a processor cannot hold a trace until all its spans have arrived.
This one therefore decides span by span: an error span is always kept (`th:0`, kept with probability 1), an OK span
only when its trace id's randomness passes the threshold. An error trace outside the sampled share arrives with its
error spans only; tracebench reports those as kept but incomplete.

Configuration (environment, filled by tracebench from `collector.sampling`):
  TRACEBENCH_SAMPLING_THRESHOLD  the rejection threshold in hex, trailing zeros removed (10 %: e666)
  TRACEBENCH_KEEP_ERRORS         "true" (default) to keep every error span whatever the threshold says
"""

import os

_TH = os.environ.get("TRACEBENCH_SAMPLING_THRESHOLD", "e666").strip().lower() or "0"
if not (1 <= len(_TH) <= 14) or any(c not in "0123456789abcdef" for c in _TH):
    raise ValueError("TRACEBENCH_SAMPLING_THRESHOLD must be 1-14 hex digits, got %r" % _TH)
_REJECTION = int(_TH.ljust(14, "0"), 16)  # T: keep when the 56-bit randomness R >= T
_KEEP_ERRORS = os.environ.get("TRACEBENCH_KEEP_ERRORS", "true").strip().lower() != "false"
_STATUS_ERROR = 2  # rotel gives span.status.code as an int; it never equals an enum member


def _randomness(trace_id):
    """R: bytes 9-15 of the trace id, big-endian (the spec's rule when no explicit rv is present)."""
    return int.from_bytes(bytes(trace_id)[9:16], "big")


def _with_threshold(trace_state, th):
    """trace_state with its `ot` entry's th set to `th`, other entries and ot sub-keys kept."""
    members = [m.strip() for m in (trace_state or "").split(",") if m.strip()]
    ot_fields = []
    others = []
    for member in members:
        if member.startswith("ot="):
            ot_fields = [f for f in member[3:].split(";") if f and not f.startswith("th:")]
        else:
            others.append(member)
    return ",".join(["ot=" + ";".join(["th:" + th] + ot_fields)] + others)


def _is_error(span):
    status = span.status
    return status is not None and int(status.code) == _STATUS_ERROR


def process_spans(resource_spans):
    for scope_spans in resource_spans.scope_spans:
        kept = []
        for span in scope_spans.spans:
            if _KEEP_ERRORS and _is_error(span):
                span.trace_state = _with_threshold(span.trace_state, "0")
                kept.append(span)
            elif _randomness(span.trace_id) >= _REJECTION:
                span.trace_state = _with_threshold(span.trace_state, _TH)
                kept.append(span)
        scope_spans.spans = kept
