"""The subcommands. Same core as the GUI (wiring.Services), no Qt. Each returns an ExitCode.

Everything about the quarantine goes through the signed-in account's ``MailboxSession``, the same object
the window and the tray use: one client, one listing per command, actions re-read to their real state.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from quarantine_checker.core import vocabulary
from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.decision import (
    Action,
    SenderDoubt,
    decide,
    delivers_to_inbox,
    needs_sender_warning,
    sender_doubt,
)
from quarantine_checker.core.errors import (
    ActionUnavailableError,
    AuthenticationError,
    NoDirectAccessError,
    QuarantineCheckerError,
)
from quarantine_checker.core.mailbox_session import MailboxSession
from quarantine_checker.core.messages import road_closed_lines, user_message
from quarantine_checker.core.sender_checks import SenderReport, analyse_headers
from quarantine_checker.wiring import Services

from . import output
from .exit_codes import ExitCode, exit_code_for

log = logging.getLogger(__name__)


class UsageError(Exception):
    """Bad arguments the parser could not catch (unknown or ambiguous message ID)."""


class Context:
    def __init__(self, services: Services, *, json_out: bool, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.services = services
        self.json = json_out
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.now = datetime.now(UTC).astimezone()

    def say(self, text: str) -> None:
        if not self.json:
            self.out.write(text + "\n")

    def mailbox(self) -> MailboxSession:
        """The signed-in account's session (``AuthenticationError`` if nobody is signed in)."""
        return self.services.mailbox_session()


# --- signing in --------------------------------------------------------------------------------------
def ensure_signed_in(ctx: Context) -> UserIdentity:
    """Silent sign-in; a demo tenant signs itself in (its sign-in page needs no one)."""
    auth = ctx.services.auth
    identity = auth.identity or auth.restore()
    if identity is not None:
        return identity
    if ctx.services.config.demo:
        return auth.sign_in_interactive(timeout=60)
    raise AuthenticationError("You're not signed in.", code="not_signed_in")


def _identity_json(identity: UserIdentity) -> dict[str, Any]:
    return {"upn": identity.upn, "tenant_id": identity.tenant_id, "display_name": identity.display_name,
            "addresses": sorted(identity.addresses)}


def sign_in(ctx: Context, *, device_code: bool, user: str | None, switch: bool,
            timeout: float) -> ExitCode:
    auth = ctx.services.auth
    if device_code:
        def prompt(uri: str, code: str, message: str) -> None:
            # stderr, so ``--json`` output stays one JSON document; flushed because a person waits on it.
            ctx.err.write(f"To sign in, open {output.clean(uri)} and enter the code {output.clean(code)}\n")
            ctx.err.flush()

        identity = auth.sign_in_device_code(prompt, cancel=_interrupt_event())
    else:
        if not ctx.services.config.demo:
            ctx.err.write("Continue signing in in your web browser…\n")
            ctx.err.flush()
        identity = auth.sign_in_interactive(timeout=timeout, login_hint=user, select_account=switch,
                                            cancel=_interrupt_event())
    _check_direct_road(ctx)
    if ctx.json:
        output.dump({"signed_in": _identity_json(identity)}, ctx.out)
    else:
        ctx.say(f"Signed in as {output.clean(identity.upn)}"
                + (f" ({output.clean(identity.display_name)})" if identity.display_name else ""))
        if not ctx.services.cache_status.persistent and ctx.services.cache_status.message:
            ctx.err.write(output.clean(ctx.services.cache_status.message) + "\n")
    return ExitCode.OK


def _check_direct_road(ctx: Context) -> None:
    """After sign-in, once: may this account run the quarantine commands? A closed road is reported
    (exit 7, IT's to fix); a question that could not be answered (offline) is left to the next command."""
    try:
        ctx.mailbox().mailbox.require_open()
    except NoDirectAccessError:
        raise
    except QuarantineCheckerError as exc:
        log.info("could not ask whether the direct road is open: %s", type(exc).__name__)


def _interrupt_event() -> threading.Event:
    # Ctrl+C raises KeyboardInterrupt in the main thread; the sign-in loops also check this event,
    # which stays unset for now: it is the hook for a future "--cancel-after".
    return threading.Event()


def whoami(ctx: Context) -> ExitCode:
    identity = ctx.services.auth.restore()
    if identity is None:
        raise AuthenticationError("You're not signed in.", code="not_signed_in")
    if ctx.json:
        output.dump({"account": _identity_json(identity),
                     "token_cache_persistent": ctx.services.cache_status.persistent}, ctx.out)
    else:
        ctx.say(f"{output.clean(identity.display_name or identity.upn)}")
        ctx.say(f"  Account:   {output.clean(identity.upn)}")
        # The organisation by its domain: the tenant's GUID says nothing to a person (it is in --json).
        org = identity.upn.rpartition("@")[2] if "@" in identity.upn else ""
        ctx.say(f"  {vocabulary.organisation_line(org or identity.tenant_id)}")
        ctx.say(f"  Addresses: {output.clean(', '.join(sorted(identity.addresses)))}")
    return ExitCode.OK


def sign_out(ctx: Context) -> ExitCode:
    report = ctx.services.auth.sign_out()
    left = list(getattr(report, "left_behind", ()))
    if ctx.json:
        output.dump({"signed_out": True, "left_behind": left}, ctx.out)
    elif not left:
        ctx.say("Signed out. This computer no longer holds your sign-in.")
    else:
        # Say truthfully what is still here, so the person (or IT) can finish the job.
        ctx.say("Signed out here, but these couldn't be removed from this computer:")
        for item in left:
            ctx.say(f"  - {output.clean(item)}")
    return ExitCode.OK


# --- quarantine --------------------------------------------------------------------------------------
def list_messages(ctx: Context) -> ExitCode:
    identity = ensure_signed_in(ctx)
    result = ctx.mailbox().refresh()
    messages = result.messages
    own = own_domains(identity)
    if ctx.json:
        output.dump({
            "account": identity.upn,
            "count": len(messages),
            "truncated": result.truncated,
            "messages": [output.message_json(m, ctx.now, conflicting=m.identity in result.conflicting,
                                             own_domains=own) for m in messages],
        }, ctx.out)
    elif not messages:
        ctx.say("Nothing of yours is in quarantine.")
    else:
        noun = "message is" if len(messages) == 1 else "messages are"
        ctx.say(f"{len(messages)} {noun} held for {output.clean(identity.upn)}:\n")
        output.list_table(messages, ctx.now, ctx.out, conflicting=result.conflicting, own_domains=own)
        if result.truncated:
            ctx.say("\nThere may be more than shown here.")
    return ExitCode.HELD if messages else ExitCode.OK


HISTORY_ELSEWHERE = ("History is kept by your organisation's quarantine service, and this app isn't set up "
                     "to use one (it goes straight to Microsoft 365). Your IT team can set the service up.")


def history(ctx: Context) -> ExitCode:
    """The service's record of the account's held mail and what became of each (service road only)."""
    from quarantine_checker.core.errors import ConfigurationError

    identity = ensure_signed_in(ctx)
    if not ctx.services.config.service_url:
        raise ConfigurationError(HISTORY_ELSEWHERE, key="service_url")
    road = ctx.mailbox().mailbox
    road.require_open()  # the service's own view of who we are (all our addresses)
    entries = road.history()  # type: ignore[attr-defined]  # service road only (checked above)
    entries.sort(key=lambda h: h.received or datetime.min.replace(tzinfo=UTC), reverse=True)
    if ctx.json:
        output.dump({"account": identity.upn, "count": len(entries), "history": [
            {"id": h.identity, "received": h.received.isoformat() if h.received else None,
             "sender": h.sender, "subject": h.subject, "outcome": h.outcome, "outcome_text": h.outcome_text,
             "outcome_at": h.outcome_at.isoformat() if h.outcome_at else None} for h in entries]}, ctx.out)
    elif not entries:
        ctx.say("No held mail in your history yet.")
    else:
        who = output.clean(identity.upn)
        ctx.say(f"{len(entries)} held message(s) for {who}, and what became of each:\n")
        for h in entries:
            when = h.received.astimezone().strftime("%Y-%m-%d %H:%M") if h.received else "?"
            ctx.say(f"{when}  {output.clean(h.sender, limit=40)}  {output.clean(h.subject, limit=60)}"
                    f"  — {h.outcome_text}")
    return ExitCode.OK


def resolve(ctx: Context, wanted: list[str]) -> list[str]:
    """Full message IDs for what was typed: a full ID, or a unique prefix of at least 6 characters.

    Both are looked up in the user's own listing (MyItems, filtered to their addresses): a full ID
    typed or pasted from elsewhere must not reach Release/Preview/Delete unless it is their own mail.
    """
    out: list[str] = []
    listed: list[str] | None = None
    for raw in wanted:
        item = raw.strip()
        if len(item) < 6:
            raise UsageError(f"'{output.clean(item, limit=40)}' is too short: give at least 6 characters "
                             "of the ID shown by 'list'.")
        if listed is None:
            mailbox = ctx.mailbox()
            known = mailbox.messages() if mailbox.listing is not None else mailbox.refresh().messages
            listed = [m.identity for m in known]
        exact = [i for i in listed if i.lower() == item.lower()]
        matches = exact or [i for i in listed if i.lower().startswith(item.lower())]
        if len(matches) != 1:
            problem = "matches no held message" if not matches else "matches more than one message"
            raise UsageError(f"'{output.clean(item, limit=40)}' {problem}.")
        out.append(matches[0])
    return out


def own_domains(identity: UserIdentity | None) -> tuple[str, ...]:
    """The signed-in person's mail domains, to spot senders imitating them."""
    addresses = getattr(identity, "addresses", ()) or ()
    return tuple(sorted({a.rpartition("@")[2].lower() for a in addresses if "@" in a}))


def sender_report(ctx: Context, full: str, sender_address: str) -> SenderReport:
    """The same sender checks as the window's details pane: read the headers, analyse them."""
    text = ctx.mailbox().headers(full)
    return analyse_headers(text, sender_address, own_domains=own_domains(ctx.services.auth.identity))


def show(ctx: Context, ident: str) -> ExitCode:
    identity = ensure_signed_in(ctx)
    (full,) = resolve(ctx, [ident])
    message = ctx.mailbox().reread(full)
    own = own_domains(identity)
    try:
        sender = output.sender_json(sender_report(ctx, full, message.sender_address))
    except QuarantineCheckerError as exc:
        # The message itself was read; a failed header read leaves the sender unconfirmed, and says why.
        msg = user_message(exc, action="view_headers", retries_itself=False)
        sender = output.sender_json(None, f"The sender couldn't be checked: {msg.title}. {msg.text}")
    if ctx.json:
        output.dump({"message": {**output.message_json(message, ctx.now, own_domains=own),
                                 "sender_checks": sender}}, ctx.out)
    else:
        output.show_message(message, ctx.now, ctx.out, own_domains=own, sender=sender)
    return ExitCode.OK


def check_allowed(ctx: Context, full: str, *actions: Action) -> None:
    """Refuse here what the app's own decision says is not available, before anything is sent.

    The message is re-read first: a listing may be minutes old, and acting on a stale copy could send
    what the current state no longer allows (or miss that it was released meanwhile).
    """
    mailbox = ctx.mailbox()
    message = mailbox.reread(full)
    decision = mailbox.decision(message, datetime.now(UTC))
    for action in actions:
        why = decision.reason(action)
        if why is not None:
            raise ActionUnavailableError(why, action=action.value, status=decision.status.value)


class SenderNotConfirmed(QuarantineCheckerError):
    """Mail from a sender the checks didn't confirm would be delivered, and nobody said yes to it."""


def _each(ctx: Context, ids: list[str], action: str, verb: str,
          call: Callable[[str], object], needs: tuple[Action, ...] = (),
          precheck: Callable[[str], None] | None = None) -> ExitCode:
    ensure_signed_in(ctx)
    results: list[dict[str, Any]] = []
    worst = ExitCode.OK
    for full in resolve(ctx, ids):
        try:
            if needs:
                check_allowed(ctx, full, *needs)
            if precheck is not None:
                precheck(full)
            call(full)
        except SenderNotConfirmed as exc:
            # Not an error from Microsoft 365: our own refusal, worded like the window's warning.
            worst = max(worst, ExitCode.USAGE, key=_severity)
            title, text = vocabulary.SENDER_WARNING_TITLE, str(exc)
            results.append({"id": full, "ok": False, "error": {
                "kind": "SenderNotConfirmed", "exit_code": int(ExitCode.USAGE), "title": title, "text": text,
                "code": "sender_not_confirmed", "correlation_id": None, "retryable": True}})
            if not ctx.json:
                ctx.err.write(f"{output.short_id(full)}: {title}. {output.clean(text, keep_newlines=True)}\n")
            continue
        except QuarantineCheckerError as exc:
            code = exit_code_for(exc)
            worst = max(worst, code, key=_severity)
            msg = user_message(exc, action=action, retries_itself=False)
            results.append({"id": full, "ok": False, "error": _error_json(exc, msg)})
            if not ctx.json:
                ctx.err.write(f"{output.short_id(full)}: {msg.title}. {msg.text}\n")
            if code in (ExitCode.AUTH, ExitCode.NETWORK, ExitCode.SETUP):
                break  # the next ones would fail the same way
            continue
        results.append({"id": full, "ok": True, "error": None})
        ctx.say(f"{output.short_id(full)}: {verb}")
    if ctx.json:
        output.dump({"action": action, "results": results}, ctx.out)
    return worst


def _severity(code: ExitCode) -> int:
    return {ExitCode.OK: 0, ExitCode.REFUSED: 1, ExitCode.NETWORK: 2, ExitCode.AUTH: 3}.get(code, 4)


def _done(action: Action) -> str:
    words = vocabulary.ACTION_DONE[action]
    return words[0].lower() + words[1:]


def confirm_sender(ctx: Context, action: Action, *, yes: bool,
                   ask: Callable[[str], str] | None = None) -> Callable[[str], None]:
    """The window's "Check the sender first" before mail goes to the Inbox (decision.needs_sender_warning):
    unless ``--yes`` was given, a sender the checks didn't confirm is asked about on a terminal and
    refused from a script, in the window's words."""
    def check(full: str) -> None:
        if yes or not delivers_to_inbox(action):
            return
        message = ctx.mailbox().reread(full)
        if not decide(message, datetime.now(UTC)).is_available(action):
            return  # not allowed at all: that refusal, not a question about the sender, is the answer
        report = sender_report(ctx, full, message.sender_address)
        if not needs_sender_warning(action, report):
            return
        failed = sender_doubt(report) is SenderDoubt.FAILED
        question = vocabulary.SENDER_WARNING_FAILED if failed else vocabulary.SENDER_WARNING_UNCONFIRMED
        marks = ("fail", "softfail") if failed else ("fail", "softfail", "none", "unknown")
        found = [*report.warnings, *(c.sentence for c in report.auth_checks if c.result in marks)][:6]
        details = "\n".join(f"  • {output.clean(r, limit=300)}" for r in found)
        subject = output.clean(message.subject or "(no subject)", limit=80)
        if ask is not None and not ctx.json:
            answer = ask(f"“{subject}”: {question}\n{details}\n{vocabulary.SENDER_WARNING_ADVICE}\n"
                         "Release it anyway? [y/N] ")
            if answer.strip().lower() in ("y", "yes"):
                return
            raise SenderNotConfirmed("Not released: you said no.")
        raise SenderNotConfirmed(
            f"“{subject}”: {question.removesuffix(' Release it anyway?')}\n{details}\n"
            f"{vocabulary.SENDER_WARNING_ADVICE} To release it anyway, run the command again with --yes."
        )

    return check


def release(ctx: Context, ids: list[str], *, report: bool, yes: bool = False,
            ask: Callable[[str], str] | None = None) -> ExitCode:
    action = Action.REPORT_NOT_JUNK if report else Action.RELEASE
    needs = (Action.RELEASE, Action.REPORT_NOT_JUNK) if report else (Action.RELEASE,)
    return _each(ctx, ids, "release", _done(action),
                 lambda i: ctx.mailbox().release(i, report_false_positive=report), needs,
                 confirm_sender(ctx, action, yes=yes, ask=ask))


def request_release(ctx: Context, ids: list[str], *, note: str = "") -> ExitCode:
    if note:
        ensure_signed_in(ctx)
    if note and not ctx.mailbox().mailbox.carries_notes:
        ctx.err.write("Note not sent: requests straight to Microsoft 365 can't carry one (only through "
                      "your organisation's quarantine service).\n")
        note = ""
    return _each(ctx, ids, "request_release", _done(Action.REQUEST_RELEASE),
                 lambda i: ctx.mailbox().request_release(i, note=note), (Action.REQUEST_RELEASE,))


def delete(ctx: Context, ids: list[str]) -> ExitCode:
    return _each(ctx, ids, "delete", _done(Action.DELETE),
                 lambda i: ctx.mailbox().delete(i), (Action.DELETE,))


def preview(ctx: Context, ident: str) -> ExitCode:
    from quarantine_checker.core.preview_text import html_to_text

    ensure_signed_in(ctx)
    (full,) = resolve(ctx, [ident])
    check_allowed(ctx, full, Action.PREVIEW)
    p = ctx.mailbox().preview(full)
    text = html_to_text(p.body) if p.is_html else p.body
    if ctx.json:
        output.dump({"preview": {
            "id": full, "sender": p.sender, "recipients": list(p.recipients), "cc": list(p.cc),
            "subject": p.subject, "is_html": p.is_html, "text": text,
            "attachments": [{"name": a.name, "content_type": a.content_type, "size": a.size}
                            for a in p.attachments],
        }}, ctx.out)
        return ExitCode.OK
    ctx.say(f"From:    {output.clean(p.sender, limit=200)}")
    ctx.say(f"To:      {output.clean(', '.join(p.recipients), limit=400)}")
    ctx.say(f"Subject: {output.clean(p.subject, limit=400)}")
    for a in p.attachments:
        ctx.say(f"Attachment: {output.clean(a.name, limit=200)}")
    ctx.say("")
    ctx.say(output.clean(text, keep_newlines=True, limit=200_000))
    return ExitCode.OK


def headers(ctx: Context, ident: str) -> ExitCode:
    ensure_signed_in(ctx)
    (full,) = resolve(ctx, [ident])
    text = ctx.mailbox().headers(full)
    if ctx.json:
        output.dump({"headers": {"id": full, "text": text}}, ctx.out)
    else:
        ctx.say(output.clean(text, keep_newlines=True, limit=1_000_000))
    return ExitCode.OK


# --- errors ----------------------------------------------------------------------------------------------
def _error_json(exc: BaseException, msg: Any) -> dict[str, Any]:
    details = getattr(exc, "details", {}) or {}
    return {
        "kind": type(exc).__name__,
        "exit_code": int(exit_code_for(exc)),
        "title": msg.title,
        "text": msg.text,
        "code": details.get("code"),
        "correlation_id": details.get("correlation_id"),
        "retryable": msg.retryable,
    }


def report_error(ctx: Context, exc: BaseException, action: str | None = None) -> ExitCode:
    msg = user_message(exc, action=action, retries_itself=False)
    code = exit_code_for(exc)
    if ctx.json:
        output.dump({"error": _error_json(exc, msg)}, ctx.out)
    ctx.err.write(f"{msg.title}. {msg.text}\n")
    details = getattr(exc, "details", {}) or {}
    if details.get("correlation_id"):
        ctx.err.write(f"Reference for your IT team: {output.clean(details['correlation_id'], limit=80)}\n")
    if details.get("code") == "not_signed_in":
        ctx.err.write("Run 'quarantine-checker sign-in' first.\n")
    if isinstance(exc, NoDirectAccessError):
        services = getattr(ctx, "services", None)
        helpdesk = str(getattr(getattr(services, "config", None), "helpdesk", "") or "")
        for line in road_closed_lines(helpdesk):
            ctx.err.write(output.clean(line) + "\n")
    return code
