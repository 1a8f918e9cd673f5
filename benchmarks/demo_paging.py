"""How fast the demo tenant loads and pages a large quarantine over real HTTPS. Prints a table.

Usage: .venv/bin/python benchmarks/demo_paging.py [count]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from quarantine_checker.demo.tenant import DemoTenant

UPN = "alice@northwind.example"


def main(count: int = 100_000) -> None:
    with DemoTenant(seed=False, end_user_cmdlets="allowed") as tenant:
        started = time.perf_counter()
        tenant.bulk_load(UPN, count)
        load = time.perf_counter() - started
        session = tenant.session()
        url = f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand"
        headers = {"Authorization": f"Bearer {tenant.token_for(UPN)}", "Prefer": "odata.maxpagesize=1000"}
        start = (tenant.clock.now() - dt.timedelta(days=30)).isoformat()
        timings: list[float] = []
        rows = 0
        for page in range(1, 1001):
            body = {
                "CmdletInput": {
                    "CmdletName": "Get-QuarantineMessage",
                    "Parameters": {
                        "MyItems": True,
                        "Page": page,
                        "PageSize": 1000,
                        "StartReceivedDate": start,
                    },
                }
            }
            t0 = time.perf_counter()
            r = session.post(url, json=body, headers=headers, timeout=60)
            timings.append(time.perf_counter() - t0)
            value = r.json()["value"]
            rows += len(value)
            if len(value) < 1000:
                break
        timings_sorted = sorted(timings)
        print(f"{'messages':<28}{count:>12}")
        print(f"{'bulk_load (s)':<28}{load:>12.2f}")
        print(f"{'pages fetched':<28}{len(timings):>12}")
        print(f"{'rows fetched':<28}{rows:>12}")
        print(f"{'first page (s)':<28}{timings[0]:>12.3f}")
        print(f"{'median page (s)':<28}{timings_sorted[len(timings) // 2]:>12.3f}")
        print(f"{'slowest page (s)':<28}{timings_sorted[-1]:>12.3f}")
        print(f"{'all pages (s)':<28}{sum(timings):>12.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
