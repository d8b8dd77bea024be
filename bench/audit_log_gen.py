#!/usr/bin/env python3
"""Write an aigis audit log of N records (default 1,000,000) for timing
`aigis audit-log verify`: the same line format and hash chain as
crates/audit writes (genesis line, records with seq and prev = SHA-256 of
the previous line), without checkpoints (they need the signing key; one
ECDSA verification per checkpoint is a small share of the time anyway).

    python3 bench/audit_log_gen.py /tmp/audit-1m.log 1000000
    time aigis audit-log verify /tmp/audit-1m.log

Standard library only; deterministic apart from nothing (fixed times).
"""
import hashlib
import sys


def main() -> None:
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    prev = "0" * 64
    with open(path, "w", encoding="ascii", newline="\n") as out:
        line = ('{"seq":0,"prev":"%s","genesis":{"version":1,"created":"2026-12-02T00:00:00.000Z"}}' % prev)
        out.write(line + "\n")
        prev = hashlib.sha256(line.encode()).hexdigest()
        for i in range(n):
            t = "2026-12-02T%02d:%02d:%02d.%03dZ" % (i // 3_600_000 % 24, i // 60_000 % 60, i // 1000 % 60, i % 1000)
            line = (
                '{"seq":%d,"prev":"%s","record":{"time":"%s","request_id":"req-%08d",'
                '"identity":"key-%d","role":"reader","model":"llama-3-8b","route":"/v1/chat/completions",'
                '"method":"POST","status":200,"latency_us":%d,"bytes_in":512,"bytes_out":2048,'
                '"decision":"allow"}}' % (i + 1, prev, t, i, i % 97, i % 50)
            )
            out.write(line + "\n")
            prev = hashlib.sha256(line.encode()).hexdigest()
    print(f"wrote {n} records to {path}")


if __name__ == "__main__":
    main()
