"""The generator benchmark's driver (see scripts/generator-bench.sh)."""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BODY = '{"id": "bench-0000000", "priority": 5}'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_of(pid):
    """User + system CPU seconds of a live process (from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def timed(command):
    """Runs `command`; returns (exit status, output, CPU seconds it used: user + system, from the kernel's accounting)."""
    start = os.times()
    process = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    end = os.times()
    cpu = (end.children_user - start.children_user) + (end.children_system - start.children_system)
    return process.returncode, process.stdout, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rates", default="1000 2000 5000 10000 20000 40000")
    parser.add_argument("--tracebench", default=".build/release/tracebench")
    parser.add_argument("--wrk2", default=shutil.which("wrk2"), help="wrk2 (an open-loop peer at the same rates); skipped when absent")
    parser.add_argument("--instructions", action="store_true", help="also count instructions per request under valgrind")
    parser.add_argument("--batch-window-us", type=int, default=None,
                        help="tracebench's load.batch_window_us (default: the scenario default, 200; 0 wakes for every arrival)")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split()]
    work = tempfile.mkdtemp(prefix="generator-bench-")
    out_dir = "results/generator-bench"
    os.makedirs(out_dir, exist_ok=True)
    port = free_port()
    with open(f"{work}/nginx.conf", "w") as f:
        f.write(f"""worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {{
    listen 127.0.0.1:{port};
    location / {{ return 201 '{{"ok":true}}'; }}
  }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-c", f"{work}/nginx.conf", "-p", work], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        worker = None
        for _ in range(50):
            children = subprocess.run(["pgrep", "-P", str(nginx.pid)], capture_output=True, text=True).stdout.split()
            if children:
                worker = int(children[0])
                break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/jobs"

        # wrk: the closed-loop ceiling and its CPU per request.
        with open(f"{work}/post.lua", "w") as f:
            f.write(f'wrk.method = "POST"\nwrk.body = \'{BODY}\'\nwrk.headers["Content-Type"] = "application/json"\n')
        def wrk(connections):
            before = cpu_of(worker)
            status, out, cpu = timed(["wrk", "-t1", f"-c{connections}", f"-d{int(args.seconds)}s", "-s", f"{work}/post.lua", url])
            nginx_cpu = cpu_of(worker) - before
            match = re.search(r"(\d+) requests in ([\d.]+)s", out)
            if status != 0 or not match:
                print(out)
                sys.exit("wrk failed")
            requests, seconds = int(match.group(1)), float(match.group(2))
            print(f"wrk -t1 -c{connections}, {args.seconds:.0f} s: {requests} requests, {requests / seconds:,.0f} req/s (closed loop), "
                  f"{cpu / requests * 1e6:.2f} µs CPU per request (nginx {nginx_cpu / requests * 1e6:.2f} µs)")
            return requests, requests / seconds, cpu / requests * 1e6

        # The closed-loop ceiling (64 connections: every wake-up finds many responses), then one request at a time (every
        # response is a wake-up of its own, as an open-loop sender's is below saturation).
        wrk_requests, wrk_rate, wrk_us = wrk(64)
        _, single_rate, single_us = wrk(1)

        def tracebench(rate, name):
            scenario = write_scenario(work, name, rate, args.seconds, url, args.batch_window_us)
            results = f"{out_dir}/{name}.json"
            before = cpu_of(worker)
            status, out, cpu = timed([args.tracebench, "run", scenario, "--quiet", "--out", results])
            nginx_cpu = cpu_of(worker) - before
            if status not in (0, 1):
                print(out)
                sys.exit(f"tracebench exited with {status} at {rate}/s")
            return json.load(open(results)), cpu, nginx_cpu

        def wrk2(rate):
            """wrk2 at `rate` (open loop, latency corrected for coordinated omission): CPU µs per request."""
            connections = max(1, min(64, rate // 500))
            status, out, cpu = timed([args.wrk2, "-t1", f"-c{connections}", f"-R{rate}", f"-d{int(args.seconds)}s", "-s", f"{work}/post.lua", url])
            match = re.search(r"(\d+) requests in ([\d.]+)s", out)
            if status != 0 or not match:
                print(out)
                sys.exit("wrk2 failed")
            return int(match.group(1)) / float(match.group(2)), cpu / int(match.group(1)) * 1e6

        base, base_cpu, _ = tracebench(1, "baseline")
        print(f"tracebench at 1 req/s for {args.seconds:.0f} s (its fixed cost): {base_cpu:.2f} CPU-s\n")
        print(f"{'offered/s':>10} {'achieved/s':>11} {'errors':>7} {'dropped':>8} {'lag p50 ms':>11} {'lag p99 ms':>11} "
              f"{'late %':>7} {'machine p99/max ms':>19} {'tb µs/req':>10} {'÷ wrk -c64':>11} {'÷ wrk -c1':>10} {'nginx µs/req':>13}"
              + (f" {'wrk2 /s':>8} {'wrk2 µs/req':>12} {'÷ wrk2':>7}" if args.wrk2 else ""))
        held = 0
        rows = []
        for rate in rates:
            r, cpu, nginx_cpu = tracebench(rate, f"rate-{rate}")
            jobs = r["jobs"]
            sent = jobs["submitted"] + jobs["submit_errors"]
            achieved = r["throughput"]["jobs_submitted_per_second"]
            lag = r.get("load", {}).get("lag", {})
            p50, p99 = lag.get("p50", 0) / 1000, lag.get("p99", 0) / 1000
            hiccups = r.get("load", {}).get("hiccups") or {}
            machine_p99, machine_max = hiccups.get("p99", 0) / 1000, hiccups.get("max", 0) / 1000
            late = jobs["late_starts"] / max(1, sent) * 100
            per = (cpu - base_cpu) / max(1, sent) * 1e6
            row = dict(rate=rate, achieved=achieved, errors=jobs["submit_errors"], dropped=jobs["dropped_arrivals"], lag_p50_ms=p50,
                       lag_p99_ms=p99, late_percent=late, tracebench_us=per, nginx_us=nginx_cpu / max(1, sent) * 1e6,
                       machine_p99_ms=machine_p99, machine_max_ms=machine_max)
            peer = ""
            if args.wrk2:
                row["wrk2_rate"], row["wrk2_us"] = wrk2(rate)
                peer = f" {row['wrk2_rate']:>8,.0f} {row['wrk2_us']:>12.2f} {per / row['wrk2_us']:>7.2f}"
            rows.append(row)
            print(f"{rate:>10} {achieved:>11,.0f} {jobs['submit_errors']:>7} {jobs['dropped_arrivals']:>8} {p50:>11.3f} {p99:>11.3f} "
                  f"{late:>7.2f} {f'{machine_p99:.3f}/{machine_max:.1f}':>19} {per:>10.2f} {per / wrk_us:>11.2f} {per / single_us:>10.2f} {row['nginx_us']:>13.2f}" + peer)
            if p99 <= 1 and achieved >= 0.99 * rate and jobs["submit_errors"] == 0 and jobs["dropped_arrivals"] == 0:
                held = max(held, rate)
        print(f"\nhighest rate held with lag p99 <= 1 ms, no errors, no drops: {held:,}/s = {held / wrk_rate:.2f} x wrk's closed-loop ceiling "
              f"({wrk_rate:,.0f}/s)")
        instructions = count_instructions(args, work, url, tracebench) if args.instructions else None
        json.dump(dict(seconds=args.seconds, wrk=dict(requests=wrk_requests, rate=wrk_rate, cpu_us=wrk_us),
                       wrk_single=dict(rate=single_rate, cpu_us=single_us), baseline_cpu=base_cpu,
                       rows=rows, held=held, instructions=instructions), open(f"{out_dir}/summary.json", "w"), indent=1)
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(timeout=10)
        except subprocess.TimeoutExpired:
            nginx.kill()
        shutil.rmtree(work, ignore_errors=True)


def write_scenario(work, name, rate, seconds, url, batch_window_us=None):
    """A load-only target scenario: `rate` POSTs a second for `seconds` to `url`, open model; returns its path.
    max_in_flight 4,096: room for a 60,000/s schedule through a 60 ms stall of the whole VM, so the table's drops are
    the generator's own falling behind, not a stall of the machine both tools share (wrk2 never drops: it sends late)."""
    scenario = f"{work}/{name}.yaml"
    window = "" if batch_window_us is None else f", batch_window_us: {batch_window_us}"
    with open(scenario, "w") as f:
        f.write(f"""name: {name}
duration_s: {seconds}
seed: 1
load: {{kind: jobs, arrival: constant, rate_per_s: {rate}, max_in_flight: 4096{window}}}
jobs: [{{service: bench}}]
target:
  submit:
    url: "{url}"
    headers: {{Content-Type: application/json}}
    body: '{{"id": "{{job_id}}", "priority": {{priority}}}}'
""")
    return scenario


def callgrind(command, work, name, env=None):
    """Instructions (user space, all threads) `command` executed under valgrind's callgrind, and its output."""
    log = f"{work}/{name}.log"
    # Bounded: a valgrind that cannot follow the program (an unhandled system call in a loop) must not outlive the bench.
    process = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/{name}.out", f"--log-file={log}"] + command,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=900)
    match = re.search(r"Collected : (\d+)", open(log).read())
    if process.returncode not in (0, 1) or not match:
        print(process.stdout[-2000:], open(log).read()[-2000:])
        sys.exit(f"valgrind failed on {command[0]}")
    return int(match.group(1)), process.stdout


def count_instructions(args, work, url, tracebench):
    """Instructions per request, each tool's marginal cost: two runs that differ only in how many requests they send
    (tracebench and wrk2: 50 and 1,000 requests/s for 8 s; wrk -c1: 2 and 6 s), the difference over the difference in
    requests, so start-up and fixed costs cancel. 7,600 requests apart: a start-up that varies by a few million
    instructions moves the figure by a few hundred, not thousands (it did at 50 and 250 requests/s). Valgrind runs everything 20-50 x slower and on one thread at a time,
    so these runs are not timed; the count is what the code executes per request, the same on any machine."""
    if not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    # Without its DWARF 5 debug information (valgrind 3.19 cannot read it) and with sigsuspend copying its mask.
    stripped, shim = f"{work}/tracebench-stripped", f"{work}/sigsuspend.so"
    subprocess.run(["objcopy", "--strip-debug", args.tracebench, stripped], check=True)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", shim, "scripts/valgrind-sigsuspend.c"], check=True)
    env = dict(os.environ, LD_PRELOAD=shim)

    def tracebench_run(rate):
        scenario = write_scenario(work, f"ir-{rate}", rate, 8, url, args.batch_window_us)
        count, _ = callgrind([stripped, "run", scenario, "--quiet", "--out", f"{work}/ir-{rate}.json"], work, f"tb-{rate}", env)
        jobs = json.load(open(f"{work}/ir-{rate}.json"))["jobs"]
        return count, jobs["submitted"] + jobs["submit_errors"]

    def wrk_run(command, name):
        count, out = callgrind(command, work, name)
        return count, int(re.search(r"(\d+) requests in", out).group(1))

    def marginal(low, high):
        return (high[0] - low[0]) / max(1, high[1] - low[1])

    result = dict(tracebench=marginal(tracebench_run(50), tracebench_run(1000)))
    result["wrk_c1"] = marginal(*(wrk_run(["wrk", "-t1", "-c1", f"-d{d}s", "-s", f"{work}/post.lua", url], f"wrk-{d}") for d in (2, 6)))
    if args.wrk2:
        result["wrk2"] = marginal(*(wrk_run([args.wrk2, "-t1", "-c1", f"-R{r}", "-d8s", "-s", f"{work}/post.lua", url], f"wrk2-{r}") for r in (50, 1000)))
    print("\ninstructions per request (valgrind callgrind, user space, marginal: start-up cancels out):")
    for tool, value in result.items():
        print(f"  {tool:<11} {value:>10,.0f}" + (f"   {value / result['wrk_c1']:.1f} x wrk" if tool != "wrk_c1" else ""))
    return result


if __name__ == "__main__":
    main()
