"""What the emulator puts on the wire: envelope, annotations, nextLink paging, cmdlets and 403s."""

from __future__ import annotations

import base64

from demo_helpers import ADMIN, ALICE, BOB


def test_envelope_and_record_annotations(tenant, exo):
    ident = tenant.add_message(ALICE, Subject="Hello", _body="secret body", _force_permissions=None)
    doc = exo(ALICE).invoke("Get-QuarantineMessage", {"MyItems": True}).json()
    assert doc["@odata.context"].startswith(tenant.exchange_url)
    assert doc["@adminapi.warnings"] == []
    (row,) = doc["value"]
    assert row["Identity"] == ident
    assert row["ReceivedTime@data.type"] == "System.DateTime"
    assert row["Expires@data.type"] == "System.DateTime"
    assert row["RecipientAddress@odata.type"] == "#Collection(String)"
    assert row["ReceivedTime"].endswith("+00:00") and len(row["ReceivedTime"].split(".")[1]) == 13
    assert row["ReleaseStatus"] == "NOTRELEASED"
    assert not [k for k in row if k.startswith("_")]
    assert "secret body" not in str(doc)
    assert row["Organization"] == tenant.tenant_id
    assert row["EntityType"] == "Email"


def test_prefer_maxpagesize_truncates_and_next_link_continues(tenant, exo):
    for _ in range(7):
        tenant.add_message(ALICE)
    alice = exo(ALICE)
    r = alice.invoke("Get-QuarantineMessage", {"MyItems": True}, Prefer="odata.maxpagesize=3")
    doc = r.json()
    assert len(doc["value"]) == 3
    assert doc["@adminapi.warnings"]
    seen = [row["Identity"] for row in doc["value"]]
    link = doc["@odata.nextLink"]
    while link:
        nxt = alice.session.get(link, headers=alice.headers(Prefer="odata.maxpagesize=3"), timeout=10).json()
        seen += [row["Identity"] for row in nxt["value"]]
        link = nxt.get("@odata.nextLink")
    assert len(seen) == len(set(seen)) == 7
    # A used (or unknown) continuation is refused like the live service does.
    stale = alice.session.get(doc["@odata.nextLink"], headers=alice.headers(), timeout=10)
    assert stale.status_code == 400
    assert (
        "Expired or Invalid pagination request"
        in stale.json()["error"]["innererror"]["internalexception"]["message"]
    )


def test_next_link_belongs_to_its_caller(tenant, exo):
    for _ in range(3):
        tenant.add_message(ALICE)
    doc = exo(ALICE).invoke("Get-QuarantineMessage", {"MyItems": True}, Prefer="odata.maxpagesize=1").json()
    bob = exo(BOB)
    assert bob.session.get(doc["@odata.nextLink"], headers=bob.headers(), timeout=10).status_code == 400


def test_select_trims_properties(tenant, exo):
    tenant.add_message(ALICE)
    alice = exo(ALICE)
    r = alice.session.post(
        alice.url + "?$select=Identity,ReceivedTime",
        headers=alice.headers(),
        timeout=10,
        json={"CmdletInput": {"CmdletName": "Get-QuarantineMessage", "Parameters": {"MyItems": True}}},
    )
    (row,) = r.json()["value"]
    assert set(row) == {"Identity", "ReceivedTime", "ReceivedTime@data.type"}


def test_preview_and_header(tenant, exo):
    ident = tenant.add_message(
        ALICE,
        Subject="Quarterly report",
        _body="<p>Hi</p>",
        _is_html=True,
        _cc=["carol@northwind.example"],
        _attachments=[{"name": "report.pdf", "content_type": "application/pdf", "size": 10}],
        _header="Received: from x\r\n\tby y\r\nSubject: Quarterly report\r\n",
    )
    alice = exo(ALICE)
    (preview,) = alice.rows("Preview-QuarantineMessage", {"Identity": ident})
    assert preview["Body"] == "<p>Hi</p>" and preview["IsHtml"] is True
    assert preview["Subject"] == "Quarterly report"
    assert preview["Cc"] == ["carol@northwind.example"]
    assert preview["Attachment"] == ["report.pdf"]
    assert preview["RecipientAddress"] == [ALICE]
    assert {"ReceivedTime", "SenderAddress"} <= set(preview)
    (header,) = alice.rows("Get-QuarantineMessageHeader", {"Identity": ident})
    assert header == {
        "Identity": ident,
        "Header": "Received: from x\r\n\tby y\r\nSubject: Quarterly report\r\n",
    }


def test_default_header_and_body_are_synthesised(tenant, exo):
    ident = tenant.add_message(ALICE, Subject="No header given", SenderAddress="x@spam.example")
    alice = exo(ALICE)
    header = alice.rows("Get-QuarantineMessageHeader", {"Identity": ident})[0]["Header"]
    assert "From: x@spam.example" in header and "Subject: No header given" in header
    assert "x@spam.example" in alice.rows("Preview-QuarantineMessage", {"Identity": ident})[0]["Body"]


def test_export_is_admin_only(tenant, exo):
    ident = tenant.add_message(ALICE)
    assert "not authorized" in exo(ALICE).error("Export-QuarantineMessage", {"Identity": ident})
    (row,) = exo(ADMIN).rows("Export-QuarantineMessage", {"Identity": ident})
    assert b"Message-ID" in base64.b64decode(row["Eml"])


def test_unknown_cmdlet_is_a_nul_filled_403(tenant, exo):
    r = exo(ALICE).invoke("Get-Mailbox", {"Identity": BOB})
    assert r.status_code == 403
    assert r.content == b"\x00" * 4096


def test_malformed_body_is_an_error_envelope(tenant, exo):
    alice = exo(ALICE)
    r = alice.session.post(alice.url, data=b"{not json", headers=alice.headers(), timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "Invalid Operation"


def test_wrong_tenant_id_in_path(tenant, exo):
    alice = exo(ALICE)
    url = alice.url.replace(tenant.tenant_id, "11111111-2222-3333-4444-555555555555")
    r = alice.session.post(
        url,
        json={"CmdletInput": {"CmdletName": "Get-QuarantineMessage", "Parameters": {}}},
        headers=alice.headers(),
        timeout=10,
    )
    assert r.status_code == 404
    assert "could not be found" in r.json()["error"]["innererror"]["internalexception"]["message"]


def test_module_file_lists_the_callers_cmdlets(tenant, exo):
    def exported(upn, command="*"):
        user = exo(upn)
        url = f"{tenant.exchange_url}/adminapi/v1.0/{tenant.tenant_id}/EXOModuleFile?Version=3.7.1"
        r = user.session.get(url, headers=user.headers(CommandName=command), timeout=10)
        assert r.status_code == 200
        return r.json()["value"][0]["exportedCmdlets"].split(",")

    alice = exported(ALICE)
    assert "Get-QuarantineMessage" in alice and "Release-QuarantineMessage" in alice
    assert "Export-QuarantineMessage" not in alice
    assert "Export-QuarantineMessage" in exported(ADMIN)
    assert exported(ALICE, "Get-QuarantineMessage,Release-QuarantineMessage") == [
        "Get-QuarantineMessage",
        "Release-QuarantineMessage",
    ]


def test_exo_module_disabled_user_gets_nul_403(tenant, exo):
    tenant.set_exo_module_enabled(BOB, False)
    bob = exo(BOB)
    assert bob.invoke("Get-QuarantineMessage", {"MyItems": True}).status_code == 403
    tenant.set_exo_module_enabled(BOB, True)
    assert bob.invoke("Get-QuarantineMessage", {"MyItems": True}).status_code == 200


def test_requests_log_redacts_the_token_and_records_the_call(tenant, exo):
    alice = exo(ALICE)
    alice.invoke("Get-QuarantineMessage", {"MyItems": True, "PageSize": 5})
    rec = tenant.requests_log[-1]
    assert (rec.method, rec.status, rec.caller, rec.cmdlet) == ("POST", 200, ALICE, "Get-QuarantineMessage")
    assert rec.parameters == {"MyItems": True, "PageSize": 5}
    assert rec.headers["authorization"] == "Bearer <redacted>"
    assert rec.headers["x-anchormailbox"] == f"UPN:{ALICE}"
    assert alice.token not in repr(tenant.requests_log)
    assert rec.response_bytes > 0
    tenant.clear_log()
    assert tenant.requests_log == []


def test_hostile_strings_are_carried_as_data(tenant, exo):
    hostile = "<script>alert(1)</script>\u202eexe.pdf " + "x" * 100_000
    ident = tenant.add_message(ALICE, Subject=hostile, SenderAddress="evil\u202e@x.example")
    (row,) = exo(ALICE).rows("Get-QuarantineMessage", {"Identity": ident})
    assert row["Subject"] == hostile
    msg = exo(ALICE).error("Release-QuarantineMessage", {"Identity": hostile})
    assert "Please input a valid message identity" in msg and len(msg) < 400
