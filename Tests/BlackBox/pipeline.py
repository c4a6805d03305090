#!/usr/bin/env python3
"""A third-party job pipeline for tracebench's black-box tests: not tracebench's code, instrumented with the Python
OpenTelemetry SDK (Flask and redis-py instrumentations), with its own Redis and its own ground truth.

    pipeline.py --api-port P --redis-port R --otlp URL [--workers N] [--drop-context F] [--error-ratio F]

Starts a private redis-server on R, N worker processes and the API on P (127.0.0.1 only).
POST /jobs {"id", "service", "priority"[, "steps"]}: the Flask server span (service bb-api) writes the hash job:{id}
(status pending, service, trace_context = {"traceparent": …}, or {} for a dropped share decided by the job id) and
pushes the id on the queue; the response carries the server span's context as a `traceresponse` header and in its
body ({"id", "trace": {"traceparent"}}). A worker
(service bb-worker) pops the id, continues the trace from trace_context (a new trace when it is missing), runs
process-job (attribute job.id) → service-process-job (→ `steps` × step), fails an error share, and sets status completed or failed.
Time fields in ms since the epoch (as Date.now()): submitted_at (API), claimed_at and finished_at (worker); the
worker spends BB_PROCESS_DELAY_MS (default 2) per job, the API BB_SUBMIT_DELAY_MS (default 0) per request; the worker's
exporter holds its spans BB_WORKER_EXPORT_DELAY_MS (default 200) before sending them.
The sampler is the SDK's own (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG). SIGTERM stops everything and flushes.
"""
import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time


def share(job_id, salt):
    """A stable number in [0, 1) from the job id: the same job always makes the same choice."""
    digest = hashlib.sha256((salt + job_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def provider(service, otlp, export_delay_ms=200):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    tracer_provider = TracerProvider(resource=Resource.create({"service.name": service}))
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp), schedule_delay_millis=export_delay_ms))
    return tracer_provider


def now_ms():
    """Milliseconds since the epoch, as JavaScript's Date.now() writes them (with a fraction): the ledger's time fields."""
    return f"{time.time() * 1000:.3f}"


def worker(args):
    import redis
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.propagate import extract
    from opentelemetry.trace import Status, StatusCode

    # BB_WORKER_EXPORT_DELAY_MS: how long the worker's batch processor holds spans (a known lateness; 200 ms by default).
    tracer_provider = provider("bb-worker", args.otlp, float(os.environ.get("BB_WORKER_EXPORT_DELAY_MS", "200")))
    RedisInstrumentor().instrument(tracer_provider=tracer_provider)
    tracer = tracer_provider.get_tracer("bb-worker")
    client = redis.Redis(host="127.0.0.1", port=args.redis_port, decode_responses=True)
    # The worker's time per job (a known answer for the ledger's processing phase): BB_PROCESS_DELAY_MS, 2 ms by default.
    process_delay = float(os.environ.get("BB_PROCESS_DELAY_MS", "2")) / 1000
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    while not stopping.is_set():
        try:
            popped = client.brpop("bb:queue", timeout=0.2)
        except redis.exceptions.ConnectionError:
            # Stopping: the whole process group got SIGTERM, its Redis too; anything else is a real failure.
            if stopping.wait(1.0):
                break
            raise
        if popped is None:
            continue
        job_id = popped[1]
        claimed_at = now_ms()
        fields = client.hgetall(f"job:{job_id}")
        carrier = json.loads(fields.get("trace_context") or "{}")
        with tracer.start_as_current_span("process-job", context=extract(carrier), attributes={"job.id": job_id}) as span:
            with tracer.start_as_current_span("service-process-job") as inner:
                time.sleep(process_delay)
                for _ in range(int(fields.get("steps") or 0)):
                    with tracer.start_as_current_span("step"):
                        pass
                failed = share(job_id, "error") < args.error_ratio
                if failed:
                    inner.set_status(Status(StatusCode.ERROR, "injected failure"))
                    span.set_status(Status(StatusCode.ERROR, "injected failure"))
            client.hset(f"job:{job_id}", mapping={"status": "failed" if failed else "completed",
                                                  "claimed_at": claimed_at, "finished_at": now_ms()})
    tracer_provider.shutdown()


def api(args):
    import redis
    from flask import Flask, jsonify, request
    from opentelemetry import trace
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.propagate import inject

    tracer_provider = provider("bb-api", args.otlp)
    app = Flask("bb-api")
    FlaskInstrumentor().instrument_app(app, tracer_provider=tracer_provider)
    RedisInstrumentor().instrument(tracer_provider=tracer_provider)
    client = redis.Redis(host="127.0.0.1", port=args.redis_port, decode_responses=True)

    @app.get("/health")
    def health():
        return "ok"

    # A known cost per request, for the overhead known answer: one arm's environment sets it.
    submit_delay = float(os.environ.get("BB_SUBMIT_DELAY_MS", "0")) / 1000

    @app.post("/jobs")
    def submit():
        if submit_delay > 0:
            time.sleep(submit_delay)
        job = request.get_json(force=True)
        job_id = str(job["id"])
        carrier = {}
        if share(job_id, "drop") >= args.drop_context:
            inject(carrier)
        client.hset(f"job:{job_id}", mapping={"status": "pending", "service": str(job.get("service", "")),
                                              "trace_context": json.dumps(carrier), "submitted_at": now_ms(),
                                              "steps": str(int(job.get("steps", 0)))})
        client.lpush("bb:queue", job_id)
        context = trace.get_current_span().get_span_context()
        traceparent = f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
        response = jsonify({"id": job_id, "trace": {"traceparent": traceparent}})
        response.status_code = 201
        response.headers["traceresponse"] = traceparent
        return response

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", args.api_port, app, threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    tracer_provider.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=["all", "api", "worker"], default="all")
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--otlp", required=True, help="OTLP/HTTP traces URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drop-context", type=float, default=0.0)
    parser.add_argument("--error-ratio", type=float, default=0.0)
    args = parser.parse_args()
    if args.role == "worker":
        return worker(args)
    if args.role == "api":
        return api(args)

    children = [subprocess.Popen(["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)]
    for _ in range(50):
        try:
            import redis
            redis.Redis(host="127.0.0.1", port=args.redis_port).ping()
            break
        except Exception:
            time.sleep(0.05)
    common = [sys.executable, os.path.abspath(__file__), "--api-port", str(args.api_port), "--redis-port", str(args.redis_port),
              "--otlp", args.otlp, "--drop-context", str(args.drop_context), "--error-ratio", str(args.error_ratio)]
    workers = [subprocess.Popen(common + ["--role", "worker"]) for _ in range(args.workers)]
    api_process = subprocess.Popen(common + ["--role", "api"])

    def stop(*_):
        # The API first (its exporter flushes), then the workers, then Redis: the ledger stays readable to the end.
        for process in [api_process] + workers:
            process.terminate()
        for process in [api_process] + workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        children[0].terminate()
        children[0].wait(timeout=5)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        if os.getppid() == 1:  # the harness is gone: do not outlive it
            stop()
        if any(p.poll() is not None for p in [api_process] + workers):
            print("a pipeline process exited", file=sys.stderr)
            stop()
        time.sleep(0.2)


if __name__ == "__main__":
    main()
