#!/usr/bin/env python3
"""Cross-check tracebench's HdrHistogram V2 codec against the reference Python package (PyPI `hdrhistogram`).

Usage (JSON on stdin, JSON or text on stdout):
  hdr_crosscheck.py decode   stdin: one base64 V2 string ("HISTF...")
                             stdout: {"lowest", "highest", "digits", "total", "counts": {"<lowest value of bucket>": count}}
  hdr_crosscheck.py encode   stdin: {"lowest": 1, "highest": 3600000000, "digits": 3, "values": [[value, count], ...]}
                             stdout: the library's encode() base64 text

Known pyhdrh limitation: its varint decoder drops the top bit of a 9-byte varint, so counts >= 2^62 decode wrongly.
"""
import json
import sys

from hdrh.histogram import HdrHistogram


def decode(text):
    histogram = HdrHistogram.decode(text.strip())
    counts = {}
    for index in range(histogram.counts_len):
        count = histogram.get_count_at_index(index)
        if count:
            counts[str(histogram.get_value_from_index(index))] = count
    return {
        "lowest": histogram.lowest_trackable_value,
        "highest": histogram.highest_trackable_value,
        "digits": histogram.significant_figures,
        "total": sum(counts.values()),
        "counts": counts,
    }


def encode(request):
    histogram = HdrHistogram(request["lowest"], request["highest"], request["digits"])
    for value, count in request["values"]:
        if not histogram.record_value(value, count):
            raise SystemExit(f"value {value} is outside the histogram's range")
    return histogram.encode().decode("ascii")


def main():
    command = sys.argv[1] if len(sys.argv) == 2 else ""
    if command == "decode":
        json.dump(decode(sys.stdin.read()), sys.stdout)
    elif command == "encode":
        sys.stdout.write(encode(json.load(sys.stdin)))
    else:
        raise SystemExit("usage: hdr_crosscheck.py decode|encode < stdin")
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
