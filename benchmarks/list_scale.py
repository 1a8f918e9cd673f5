"""How listing scales: 1k, 10k and 100k of alice's own quarantined messages.

Each size gets a fresh DemoTenant in a child process (multiprocessing), so ``time.process_time``
in this process measures the client alone (JSON decoding, the model, filtering, sorting, TLS on
our side), not the emulator's threads. The client's self-imposed rate limit (1 request/s by
default) is switched OFF here, and ``max_pages`` is raised to 1000 so 100k fits (the app's
default cap of 50 pages would stop at 50k and report the list as truncated).

Budget (issue "Core", part 3): 10k in <= 11 requests and <= 0.5 s client CPU; 100k completes.

Run: .venv/bin/python benchmarks/list_scale.py [sizes...]
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from typing import Any

ALICE = "alice@northwind.example"


def _serve(conn: Any, size: int) -> None:
    from quarantine_checker.demo.tenant import DemoTenant

    tenant = DemoTenant(seed=False, end_user_cmdlets="allowed")
    tenant.start()
    try:
        tenant.bulk_load(ALICE, size)
        tenant.clear_log()
        conn.send({"exchange_url": tenant.exchange_url, "tenant_id": tenant.tenant_id,
                   "ca_file": str(tenant.ca_file), "token": tenant.token_for(ALICE)})
        while True:
            command = conn.recv()
            if command == "requests":
                conn.send(len(tenant.requests_log))
            else:
                break
    finally:
        tenant.stop()


class _FixedToken:
    def __init__(self, token: str) -> None:
        self.token = token

    def access_token(self, *, force_refresh: bool = False) -> str:
        return self.token


def run(size: int) -> dict[str, Any]:
    from quarantine_checker.core.account import UserIdentity
    from quarantine_checker.exchange.client import ExoClient

    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_serve, args=(child, size), daemon=True)
    proc.start()
    try:
        info = parent.recv()
        identity = UserIdentity(ALICE, info["tenant_id"], addresses=frozenset({ALICE}))
        client = ExoClient(info["exchange_url"], info["tenant_id"], identity, _FixedToken(info["token"]),
                           ca_bundle=info["ca_file"], rate_limit_per_second=None, max_pages=1000)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = client.list_messages()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        parent.send("requests")
        requests_made = parent.recv()
        parent.send("stop")
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()
    return {"size": size, "listed": len(result.messages), "requests": requests_made, "wall": wall,
            "cpu": cpu, "cpu_per_1k_ms": 1000 * cpu / max(1, size) * 1000, "truncated": result.truncated}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1_000, 10_000, 100_000]
    rows = [run(size) for size in sizes]
    print("rate limit: OFF (benchmark only; the app defaults to 1 request/s); max_pages=1000; page_size=1000")
    print(f"{'size':>8} {'listed':>8} {'requests':>9} {'wall s':>8} {'client CPU s':>13} "
          f"{'CPU ms/1k':>10} {'truncated':>9}")
    for r in rows:
        print(f"{r['size']:>8} {r['listed']:>8} {r['requests']:>9} {r['wall']:>8.2f} {r['cpu']:>13.3f} "
              f"{r['cpu_per_1k_ms']:>10.1f} {r['truncated']!s:>9}")
    ok = all(r["listed"] == r["size"] for r in rows)
    for r in rows:
        if r["size"] == 10_000:
            within = r["requests"] <= 11 and r["cpu"] <= 0.5
            print(f"10k budget (<= 11 requests, <= 0.5 s client CPU): {'met' if within else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
