"""The record IT needs after an incident (org-service.md §2.6): every action and every answer is in the
append-only audit, messages stay after Exchange forgets them, and the retention setting ends it all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service_api import ADMIN, ALICE, RunningService, path_id
from sqlalchemy import select

from quarantine_service.store import repo
from quarantine_service.store.models import Audit, Event, Message


def _audit(svc: RunningService) -> list[tuple[str, str, str, str]]:
    with svc.service.db.session() as s:
        rows = s.scalars(select(Audit).order_by(Audit.id))
        return [(a.actor_kind, a.action, a.identity, a.outcome) for a in rows]


def test_every_action_and_answer_is_audited(svc: RunningService) -> None:
    spam = svc.tenant.add_message(ALICE)
    phish = svc.tenant.add_message(ALICE, QuarantineTypes="Phish",
                                   TagName="LimitedAccessWithNotificationPolicy")
    svc.sweep()
    alice, admin = svc.token(ALICE), svc.token(ADMIN)
    svc.api.ok("POST", f"/v1/messages/{path_id(spam)}/release", alice, json_body={"report_not_junk": True})
    svc.api.ok("POST", f"/v1/messages/{path_id(phish)}/request-release", alice, json_body={"note": "mine"})
    request_id = svc.api.ok("GET", "/v1/review/requests", admin)["items"][0]["request_id"]
    svc.api.ok("POST", f"/v1/review/requests/{request_id}/decline", admin)
    assert _audit(svc) == [
        ("employee", "release", spam, "sent"),
        ("employee", "request", phish, "sent"),
        ("reviewer", "decline", phish, "done"),
    ]
    releases = [r.parameters for r in svc.tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"
                and r.parameters.get("Identity") == spam]
    assert releases == [{"Identity": spam, "User": [ALICE], "ReportFalsePositive": True}]


def test_not_junk_only_for_spam(svc: RunningService) -> None:
    phish = svc.tenant.add_message(ALICE, QuarantineTypes="Phish")
    svc.sweep()
    resp = svc.api.post(f"/v1/messages/{path_id(phish)}/release", svc.token(ALICE),
                        json_body={"report_not_junk": True})
    assert resp.status_code == 403 and resp.json()["error"]["params"] == {"action": "report_not_junk"}
    assert [r for r in svc.tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"] == []


def test_retention_forgets_what_is_older_than_the_setting(svc: RunningService) -> None:
    old = svc.tenant.add_message(ALICE)
    kept = svc.tenant.add_message(ALICE)
    svc.sweep()
    now = datetime.now(UTC)
    with svc.service.db.session() as s:
        s.get(Message, old).gone_at = now - timedelta(days=400)
        s.get(Message, kept).gone_at = now - timedelta(days=10)  # gone from Exchange, still on record
        repo.audit(s, now - timedelta(days=400), "x", "employee", "release", "sent", old)
        repo.add_event(s, ALICE, "held", old, now - timedelta(days=400))
    with svc.service.db.session() as s:
        assert repo.purge(s, now, retention_days=365) == 1
    with svc.service.db.session() as s:
        assert s.get(Message, old) is None and s.get(Message, kept) is not None
        assert all(a.at > now - timedelta(days=365) for a in s.scalars(select(Audit)))
        assert all(e.created_at > now - timedelta(days=365) for e in s.scalars(select(Event)))
