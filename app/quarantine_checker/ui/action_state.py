"""What the action bar offers for the selected rows: which buttons, enabled or not, and why not.

Built from the decisions the account's session made once per message version; the rule for the primary
button of a bulk selection (release if at least as many can be released as requested) lives only here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication

from quarantine_checker.core.decision import NOT_JUNK_TYPES, Action, ActionDecision, release_action
from quarantine_checker.ui.action_bar import ActionBarState, ButtonState
from quarantine_checker.ui.message_model import MessageRow

Verb = Callable[..., str]  # ActionRunner.verb: (action, n=1) -> the button's words

ICONS = {
    Action.RELEASE: "release",
    Action.REQUEST_RELEASE: "request-release",
    Action.DELETE: "delete",
    Action.REPORT_NOT_JUNK: "not-junk",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def bulk_primary(decisions: Sequence[ActionDecision]) -> tuple[Action, int]:
    """The primary action for several messages and for how many of them it works."""
    releasable = sum(d.is_available(Action.RELEASE) for d in decisions)
    requestable = sum(d.is_available(Action.REQUEST_RELEASE) for d in decisions)
    if releasable and releasable >= requestable:
        return Action.RELEASE, releasable
    return Action.REQUEST_RELEASE, requestable


def primary_action(rows: Sequence[MessageRow], decisions: Sequence[ActionDecision]) -> Action | None:
    """What Enter or the primary button does for the selection (None: nothing can be done)."""
    if not rows:
        return None
    if len(rows) == 1:
        return decisions[0].primary
    return bulk_primary(decisions)[0]


def _button(action: Action, d: ActionDecision, verb: Verb, *, busy: bool) -> ButtonState:
    text = verb(action)
    if busy:
        return ButtonState(text, False, _tr("Working on it…"), icon=ICONS[action])
    if d.is_available(action):
        return ButtonState(text, True, icon=ICONS[action])
    return ButtonState(text, False, d.reason(action) or "", icon=ICONS[action])


def action_bar_state(
    rows: Sequence[MessageRow], decisions: Sequence[ActionDecision], verb: Verb, *, busy: bool
) -> ActionBarState:
    """The bar for ``rows`` (with their ``decisions``, in the same order); ``busy``: one is being acted on."""
    if not rows:
        return ActionBarState()
    if len(rows) == 1:
        row, d = rows[0], decisions[0]
        # With no allowed release, still show the button the policy would give, greyed out with why.
        primary = _button(d.primary or release_action(row.message) or Action.RELEASE, d, verb, busy=busy)
        delete = _button(Action.DELETE, d, verb, busy=busy)
        not_junk = _button(Action.REPORT_NOT_JUNK, d, verb, busy=busy)
        # "Report as not junk" only exists for spam; elsewhere it would be noise.
        not_junk.visible = row.message.quarantine_type in NOT_JUNK_TYPES
        headers = ButtonState(_tr("View headers"), True, icon="headers")
        return ActionBarState(primary, delete, not_junk, headers)
    # Several rows: a button works if it works for at least one of them.
    act, n = bulk_primary(decisions)
    deletable = sum(d.is_available(Action.DELETE) for d in decisions)
    junkable = sum(d.is_available(Action.REPORT_NOT_JUNK) for d in decisions)
    none_reason = _tr("None of the selected messages can get this action.")
    primary = ButtonState(
        verb(act, max(n, 2)) if n else verb(act), n > 0, "" if n else none_reason, icon=ICONS[act]
    )
    delete_text = verb(Action.DELETE, max(deletable, 2)) if deletable else verb(Action.DELETE)
    delete = ButtonState(delete_text, deletable > 0, none_reason)
    not_junk = ButtonState(
        verb(Action.REPORT_NOT_JUNK, max(junkable, 2)), junkable > 0, none_reason, visible=junkable > 0
    )
    headers = ButtonState(_tr("View headers"), False, _tr("Select a single message to see its headers."))
    return ActionBarState(primary, delete, not_junk, headers)
