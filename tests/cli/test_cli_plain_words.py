"""The words test, command-line part: over the whole demo seed, every command's output a person reads
(plain, and the human-text fields of --json) holds no policy id, raw GUID, wire enum value or defanged
link notation (tests/plain_words.py). ``headers`` is for IT and out of scope; so are the JSON's
machine fields (ids, ``reason``/``status`` codes, ``tenant_id``)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import EXE, _base_env, run_cli

from plain_words import assert_plain

# The --json fields written for a person to read.
HUMAN_KEYS = {"reason_text", "status_text", "expires_text", "explanation", "held_by", "what_happens",
              "unavailable", "lines", "sender_warnings", "sender_shown", "title", "text", "left_behind"}


def human_fields(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from human_fields(v, k if k in HUMAN_KEYS else key)
    elif isinstance(value, list):
        for v in value:
            yield from human_fields(v, key)
    elif isinstance(value, str) and key:
        yield key, value


@pytest.fixture
def seeded_cli(tmp_path: Path) -> Iterator[Any]:
    proc = subprocess.Popen([str(EXE), "demo-server", "--release-delay", "0.5", "--end-user-cmdlets",
                             "allowed"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=_base_env(tmp_path))
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        env = _base_env(tmp_path)
        env.update(QC_TENANT_ID=info["tenant_id"], QC_CLIENT_ID=info["client_id"],
                   QC_AUTHORITY=info["authority"], QC_EXCHANGE_URL=info["exchange_url"],
                   QC_CA_BUNDLE=info["ca_file"], QC_DEMO="1", COLUMNS="100")
        yield lambda *args: run_cli(env, *args)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_every_command_speaks_plainly_over_the_demo_seed(seeded_cli: Any) -> None:
    cli = seeded_cli
    texts: list[tuple[str, str]] = []

    def run(*args: str) -> Any:
        result = cli(*args)
        texts.append((" ".join(args) + " (stderr)", result.err))
        if "--json" in args:
            texts.extend((f"{' '.join(args)} {k}", v) for k, v in human_fields(result.json()))
        else:
            texts.append((" ".join(args), result.out))
        return result

    assert run("sign-in").rc == 0
    run("whoami")
    listing = run("list", "--json").json()
    assert listing["count"] >= 20, "the demo seed is the scope"
    run("list")
    # Every seeded message through show and preview as a person runs them; --json for a sample of them
    # (the same words come from the same functions). A few at a time: each command is its own process.
    idents = [m["id"][:12] for m in listing["messages"]]
    jobs = [(c, i) for i in idents for c in ("show", "preview")]
    jobs += [(c, i, "--json") for i in idents[::6] for c in ("show", "preview")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        shown = list(pool.map(lambda job: run(*job), jobs))
    # 0, or 5 where the policy allows no preview (its refusal is read for jargon like everything else).
    assert all(r.rc in (0, 5) for r in shown), [r.err for r in shown if r.rc not in (0, 5)]
    assert sum(r.rc == 0 for r in shown) > len(idents)
    # Actions, refusals and their errors: one of each kind the seed allows.
    by_status = {m["status"]: m["id"][:12] for m in listing["messages"]}
    if "can_request" in by_status:
        run("release", by_status["can_request"])  # refused: the words of the refusal count too
        run("request-release", by_status["can_request"], "--json")
    if "can_release" in by_status:
        run("release", by_status["can_release"])  # the sender question
        run("release", by_status["can_release"], "--yes", "--json")
    if "it_only" in by_status:
        run("request-release", by_status["it_only"])
    run("history")  # the service's record where there is one; otherwise its plain refusal
    run("history", "--json")
    run("sign-out")
    assert assert_plain(texts) > 80
