"""PermissionTo* describe the caller (spec §1.3, §4.1), and actions honour them."""

from __future__ import annotations

import pytest
from demo_helpers import ADMIN, ALICE

END_USER = {
    "DefaultFullAccessPolicy": dict(Release=True, Request=False, Preview=True, Delete=True, AllowSender=True),
    "DefaultFullAccessWithNotificationPolicy": dict(
        Release=True, Request=False, Preview=True, Delete=True, AllowSender=True
    ),
    "LimitedAccessWithNotificationPolicy": dict(
        Release=False, Request=True, Preview=True, Delete=True, AllowSender=True
    ),
    "NoAccessWithNotificationPolicy": dict(
        Release=False, Request=False, Preview=False, Delete=False, AllowSender=False
    ),
}


def _flags(row):
    return dict(
        Release=row["PermissionToRelease"],
        Request=row["PermissionToRequestRelease"],
        Preview=row["PermissionToPreview"],
        Delete=row["PermissionToDelete"],
        AllowSender=row["PermissionToAllowSender"],
    )


@pytest.mark.parametrize("tag", sorted(END_USER))
def test_end_user_sees_the_policy_permissions(tenant, exo, tag):
    ident = tenant.add_message(ALICE, TagName=tag, QuarantineTypes="Spam")
    (row,) = exo(ALICE).rows("Get-QuarantineMessage", {"Identity": ident})
    assert _flags(row) == END_USER[tag]
    assert row["PermissionToDownload"] is False


@pytest.mark.parametrize("tag", ["AdminOnlyAccessPolicy", *sorted(END_USER)])
def test_admin_sees_release_on_everything(tenant, exo, tag):
    ident = tenant.add_message(ALICE, TagName=tag, QuarantineTypes="HighConfPhish")
    (row,) = exo(ADMIN).rows("Get-QuarantineMessage", {"Identity": ident})
    assert row["PermissionToRelease"] is True and row["PermissionToPreview"] is True


def test_same_record_differs_per_caller(tenant, exo):
    ident = tenant.add_message([ALICE, ADMIN], TagName="LimitedAccessWithNotificationPolicy")
    (alice_row,) = exo(ALICE).rows("Get-QuarantineMessage", {"Identity": ident})
    (admin_row,) = exo(ADMIN).rows("Get-QuarantineMessage", {"Identity": ident})
    assert alice_row["PermissionToRelease"] is False
    assert admin_row["PermissionToRelease"] is True
    assert tenant.message(ident)["PermissionToRelease"] is True  # the handle shows the admin view


def test_admin_can_release_an_admin_only_message(tenant, exo):
    ident = tenant.add_message(ALICE, QuarantineTypes="Malware")
    exo(ADMIN).rows("Release-QuarantineMessage", {"Identity": ident, "ReleaseToAll": True})
    assert tenant.message(ident)["ReleaseStatus"] == "PREPARINGTORELEASE"
