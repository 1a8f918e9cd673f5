"""Safe preview of a quarantined message: HTML turned into plain text, links made inert, attachments named.

Nothing here renders HTML or fetches anything: the stdlib tokenizer only reads tags, images become
"[image]", and every link is shown by where it really goes and that it is off
("[portal.partner.example (link turned off)]") next to its text -- never as a web address a viewer
could turn back into a live link (no scheme, no path). Inputs are capped so a megabyte of hostile
markup costs a bounded amount of work.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from quarantine_checker.core.sender_checks import clean_host, registrable_domain
from quarantine_checker.core.vocabulary import LINK_PLACES, LINK_TURNED_OFF

MAX_HTML_CHARS = 1_000_000   # beyond this, the preview says it was cut short
MAX_TEXT_CHARS = 200_000     # what a preview pane ever shows
MAX_LINKS = 500
MAX_URL_SHOWN = 300
MAX_TAGS = 100_000           # tags looked at; real mail has a few thousand
_FEED_CHUNK = 64 * 1024

_SKIP_CONTENT = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object",
                           "embed", "svg", "math", "xml", "applet", "frameset", "select"})
_BLOCK = frozenset({"p", "div", "br", "tr", "li", "ul", "ol", "table", "blockquote", "hr", "h1", "h2", "h3",
                    "h4", "h5", "h6", "pre", "section", "article", "header", "footer", "form", "dl", "dt",
                    "dd", "address", "center", "fieldset", "figure", "figcaption", "main", "nav", "body"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr", "source",
                   "track", "param", "embed"})
# Browsers ignore these inside a URL ("java\tscript:" is javascript:), so we must too before judging it.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]{0,30}):")
_HOST_IN_TEXT = re.compile(
    r"(?:[a-z][a-z0-9+.-]{0,20}://)?((?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.)+(?:xn--[a-z0-9-]{1,59}|[a-z]{2,24}))"
    r"(?![a-z0-9-])",
    re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]{1,2000}", re.IGNORECASE)
_WEB_SCHEMES = frozenset({"http", "https"})
# Addresses nested in a URL (redirect parameters) must not come out live either.
_INNER_SCHEME = re.compile(r"(?i)\b(https?|ftps?|file|javascript|vbscript|data)(:)")


@dataclass(frozen=True)
class Link:
    text: str        # what the reader sees (plain text, may be '')
    url: str         # the real target as written in the message (never to be opened by us)
    host: str        # lower-case host of the target ('' for mailto:, javascript:, broken URLs)
    defanged: str    # security notation (hxxps://host[.]example) for IT's tools; people read ``shown``
    mismatch: bool   # the visible text names a different site than the real target
    scheme: str = ""  # "https", "http", "mailto", "javascript", ... ('' when none)

    @property
    def is_script(self) -> bool:
        """A javascript:/vbscript:/data: link: never a place to go, always a warning sign."""
        return self.scheme in ("javascript", "vbscript", "data")

    @property
    def shown(self) -> str:
        """What a person reads for this link: "portal.partner.example (link turned off)"."""
        return shown_link(self.url, self.host, self.scheme)


_MAILTO_SHOWN = 100


def shown_link(url: str, host: str, scheme: str) -> str:
    """Where a link goes, in words, marked as turned off. Only the host of a web link is named: a path
    or query could carry a lure or a live-looking address, and the host is what a person can judge."""
    if host:
        place = host
    elif scheme == "mailto":
        address = _normalise_url(url)[len("mailto:"):].split("?", 1)[0][:_MAILTO_SHOWN]
        place = LINK_PLACES["mailto"].format(address=_inert(address)) if address else LINK_PLACES["other"]
    elif scheme in ("javascript", "vbscript", "data"):
        place = LINK_PLACES["script"]
    else:
        place = LINK_PLACES["other"]
    return LINK_TURNED_OFF.format(place=place)


# --------------------------------------------------------------------------------------------------
# URLs


def _normalise_url(url: str) -> str:
    return _URL_IGNORED.sub("", (url or "")[:4000])


def url_scheme(url: str) -> str:
    match = _SCHEME.match(_normalise_url(url))
    return match.group(1).lower() if match else ""


def url_host(url: str) -> str:
    """The host a URL really points at (user-info like 'paypal.com@evil.example' stripped); '' if none."""
    url = _normalise_url(url)
    scheme = url_scheme(url)
    if scheme and scheme not in _WEB_SCHEMES and scheme not in ("ftp", "ftps"):
        return ""
    if not scheme:
        if url.lower().startswith("www."):
            url = "http://" + url
        elif url.startswith("//"):
            url = "http:" + url
        else:
            return ""
    # Browsers treat backslashes like slashes in web URLs ("https:\\evil.example").
    url = url.replace("\\", "/")
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        netloc = url.split("://", 1)[-1].split("/", 1)[0]
    return clean_host(netloc)


def _inert(text: str) -> str:
    return _INNER_SCHEME.sub(r"\1[:]", text)


def defang(url: str) -> str:
    """A form of the URL that no viewer turns back into a live link: hxxps://host[.]example/path."""
    url = _normalise_url(url)
    truncated = len(url) > MAX_URL_SHOWN
    url = url[:MAX_URL_SHOWN]
    match = _SCHEME.match(url)
    if match:
        scheme = match.group(1)
        rest = url[match.end():]
        lower = scheme.lower()
        if lower in ("http", "https", "ftp", "ftps"):
            shown_scheme = lower.replace("t", "x", 2) if lower.startswith("http") else "fxp"
            if lower == "ftps":
                shown_scheme = "fxps"
            slashes = len(rest) - len(rest.lstrip("/\\"))
            authority_and_path = rest[slashes:]
            cut = min([i for i in (authority_and_path.find(c) for c in "/?#") if i >= 0], default=-1)
            authority = authority_and_path if cut < 0 else authority_and_path[:cut]
            tail = "" if cut < 0 else authority_and_path[cut:]
            authority = _inert(authority).replace(".", "[.]").replace("@", "[@]")
            out = f"{shown_scheme}://{authority}{_inert(tail)}"
        else:
            out = f"{scheme}[:]{_inert(rest).replace('.', '[.]')}"
    else:
        out = _inert(url).replace(".", "[.]")
    return out + ("\u2026" if truncated else "")


def _hosts_named_in(text: str) -> list[str]:
    return [clean_host(m.group(1)) for m in _HOST_IN_TEXT.finditer(text[:2000])][:10]


def _mismatch(text: str, host: str, scheme: str) -> bool:
    """True when the link text shows a site other than where the link goes."""
    named = [h for h in _hosts_named_in(text) if "." in h]
    if not named:
        return False
    if not host:
        # The text promises a web address, the link is mailto:/javascript:/broken.
        return True
    target = registrable_domain(host)
    return any(registrable_domain(h) != target for h in named)


def _make_link(text: str, url: str) -> Link:
    text = " ".join(text.split())[:500]
    url = (url or "")[:4000]
    scheme = url_scheme(url)
    host = url_host(url)
    return Link(text=text, url=url, host=host, defanged=defang(url), mismatch=_mismatch(text, host, scheme),
                scheme=scheme)


# --------------------------------------------------------------------------------------------------
# HTML -> text


def _shown(href: str) -> str:
    return shown_link(href, url_host(href), url_scheme(href))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.size = 0
        self.links: list[Link] = []
        self._skip_depth = 0
        self._skip_tag: list[str] = []
        self._pre = 0
        self._anchor: tuple[str, list[str]] | None = None
        self.full = False
        self.tags = 0

    # -- output helpers
    def _emit(self, text: str) -> None:
        if self.full or not text:
            return
        if self.size + len(text) > MAX_TEXT_CHARS:
            text = text[: MAX_TEXT_CHARS - self.size]
            self.full = True
        self.out.append(text)
        self.size += len(text)
        if self._anchor is not None:
            self._anchor[1].append(text)

    def _newline(self, count: int = 1) -> None:
        self._emit("\n" * count)

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.tags > MAX_TAGS:
            self.full = True
            return
        tag = tag.lower()
        if self._skip_depth:
            if tag == "body" and self._skip_tag == ["head"]:
                self._skip_depth = 0  # an unclosed <head> ends where the body starts, as in browsers
            else:
                if tag == self._skip_tag[-1] and tag not in _VOID:
                    self._skip_depth += 1
                return
        if tag in _SKIP_CONTENT:
            if tag not in _VOID:
                self._skip_depth, self._skip_tag = 1, [tag]
            return
        if tag == "img":
            self._emit(" [image] ")
        elif tag in ("a", "area"):
            href = next((v for k, v in attrs if k.lower() == "href" and v), None)
            if href is not None:
                self._close_anchor()
                if tag == "area":
                    self._record_link("", href)
                    self._emit(f" [{_shown(href)}] ")
                else:
                    self._anchor = (href, [])
        elif tag in ("td", "th"):
            self._emit(" ")
        elif tag == "li":
            self._newline()
            self._emit("\u2022 ")
        elif tag == "pre":
            self._pre += 1
            self._newline()
        elif tag in _BLOCK:
            self._newline(2 if tag in ("p", "table", "blockquote", "h1", "h2", "h3") else 1)
        if tag == "hr":
            self._emit("\u2014" * 10)
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if self._skip_depth:
            if tag == self._skip_tag[-1]:
                self._skip_depth -= 1
            return
        if tag == "a":
            self._close_anchor()
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
            self._newline()
        elif tag in _BLOCK:
            self._newline(2 if tag in ("p", "table", "blockquote", "h1", "h2", "h3") else 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if not self._pre:
            data = re.sub(r"\s+", " ", data)
        self._emit(data)

    def _record_link(self, text: str, href: str) -> None:
        if len(self.links) < MAX_LINKS:
            self.links.append(_make_link(text, href))

    def _close_anchor(self) -> None:
        if self._anchor is None:
            return
        href, parts = self._anchor
        self._anchor = None
        text = "".join(parts)
        self._record_link(text, href)
        # The trailing space keeps the annotation apart from whatever text follows the anchor.
        self._emit(f" [{_shown(href)}] ")

    def finish(self) -> None:
        try:
            self.close()
        finally:
            self._close_anchor()


_LONE_LT = re.compile(r"<(?![A-Za-z/!?])")
_MS_CONDITIONAL = re.compile(r"<!\[(?!CDATA\[)[^\]>]{0,200}\]\s{0,20}>")


def _defuse(html: str) -> str:
    """Remove the shapes that make html.parser rescan the rest of the text again and again.

    Unterminated constructs are retried from every position when the parser closes, which is
    quadratic on hostile input (CVE-2025-6069 and relatives in the Python we run on). What
    remains is what a browser would also treat as text or as an endless comment.
    """
    # A comment with no end runs to the end of the document (HTML5), so drop everything after it.
    last_close = html.rfind("-->")
    start = html.find("<!--", max(0, last_close - 3))
    while start != -1 and last_close >= start + 4:
        start = html.find("<!--", start + 1)
    if start != -1:
        html = html[:start]
    # Word/Outlook conditional markers (<![if !supportLists]>) carry no text; other <![ is shown as text.
    html = _MS_CONDITIONAL.sub("", html).replace("<![", "&lt;![")
    # A '<' that starts no tag, or that no '>' follows, is text.
    html = _LONE_LT.sub("&lt;", html)
    last_gt = html.rfind(">")
    return html[: last_gt + 1] + html[last_gt + 1:].replace("<", "&lt;")


def _parse_html(html: str) -> _TextExtractor:
    parser = _TextExtractor()
    try:
        text = _defuse(html[:MAX_HTML_CHARS])
        # Fed in slices so a flood of tags or text stops costing anything once the preview is full.
        for start in range(0, len(text), _FEED_CHUNK):
            parser.feed(text[start:start + _FEED_CHUNK])
            if parser.full:
                break
            if len(parser.rawdata) > _FEED_CHUNK:
                # One construct spans slices (a giant tag); re-scanning it per slice would be
                # quadratic, so hand over the rest in one go.
                parser.feed(text[start + _FEED_CHUNK:])
                break
        parser.finish()
    except Exception:  # html.parser may choke on hostile input; keep what was read so far
        parser._close_anchor()
    return parser


def _tidy(text: str) -> str:
    lines = [line.strip(" \t") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    blank = 0
    for line in lines:
        line = re.sub(r" {2,}", " ", line)
        if not line:
            blank += 1
            if blank <= 1 and out:
                out.append("")
            continue
        blank = 0
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body.

    No script/style/head content; images become [image] (never fetched); links become
    "text [host.example (link turned off)]".
    """
    if not isinstance(html, str) or not html:
        return ""
    parser = _parse_html(html)
    text = _tidy("".join(parser.out))
    if len(html) > MAX_HTML_CHARS or parser.full:
        text += "\n\n[The rest of this message is too long to preview.]"
    return text


def extract_links(body: str, is_html: bool) -> list[Link]:
    """Every link in the body with its real target.

    For HTML, `mismatch` flags link text that names another site than the target.
    """
    if not isinstance(body, str) or not body:
        return []
    if is_html:
        return _parse_html(body).links
    links = []
    for match in _URL_IN_TEXT.finditer(body[:MAX_HTML_CHARS]):
        url = match.group(0).rstrip(".,;:!?")
        links.append(_make_link(url, url))
        if len(links) >= MAX_LINKS:
            break
    return links


# --------------------------------------------------------------------------------------------------
# Attachments

_DANGEROUS = "often used to hide malware"
_BY_EXTENSION: dict[str, str] = {
    "pdf": "PDF document",
    "doc": "Word document", "docx": "Word document", "odt": "Text document", "rtf": "Text document",
    "docm": "Word document with macros \u2014 macros can run harmful code",
    "xls": "Excel spreadsheet", "xlsx": "Excel spreadsheet", "csv": "Spreadsheet data (CSV)",
    "ods": "Spreadsheet",
    "xlsm": "Excel spreadsheet with macros \u2014 macros can run harmful code",
    "xlsb": "Excel spreadsheet (binary) \u2014 can contain macros",
    "ppt": "PowerPoint presentation", "pptx": "PowerPoint presentation",
    "pptm": "PowerPoint presentation with macros \u2014 macros can run harmful code",
    "txt": "Plain text", "eml": "Attached email message", "msg": "Attached Outlook message",
    "ics": "Calendar invitation", "vcf": "Contact card",
    "jpg": "Picture", "jpeg": "Picture", "png": "Picture", "gif": "Picture", "bmp": "Picture",
    "webp": "Picture", "heic": "Picture", "tif": "Picture", "tiff": "Picture",
    "svg": "Vector picture \u2014 can contain scripts",
    "mp3": "Audio", "wav": "Audio", "mp4": "Video", "mov": "Video",
    "zip": "Compressed folder (ZIP) \u2014 can hide other files",
    "rar": "Compressed folder (RAR) \u2014 can hide other files",
    "7z": "Compressed folder (7-Zip) \u2014 can hide other files",
    "gz": "Compressed file", "tar": "File archive",
    "iso": f"Disk image \u2014 {_DANGEROUS}", "img": f"Disk image \u2014 {_DANGEROUS}",
    "vhd": f"Virtual disk \u2014 {_DANGEROUS}", "vhdx": f"Virtual disk \u2014 {_DANGEROUS}",
    "exe": "Program \u2014 running it can install malware",
    "scr": "Screen saver program \u2014 " + _DANGEROUS,
    "com": "Program \u2014 running it can install malware", "msi": "Installer \u2014 " + _DANGEROUS,
    "bat": "Command script \u2014 " + _DANGEROUS, "cmd": "Command script \u2014 " + _DANGEROUS,
    "ps1": "PowerShell script \u2014 " + _DANGEROUS, "vbs": "Script \u2014 " + _DANGEROUS,
    "vbe": "Script \u2014 " + _DANGEROUS, "js": "Script \u2014 " + _DANGEROUS,
    "jse": "Script \u2014 " + _DANGEROUS,
    "wsf": "Script \u2014 " + _DANGEROUS, "hta": "Web application \u2014 " + _DANGEROUS,
    "lnk": "Shortcut \u2014 " + _DANGEROUS, "jar": "Java program \u2014 " + _DANGEROUS,
    "dll": "Program library \u2014 " + _DANGEROUS, "cpl": "Control panel program \u2014 " + _DANGEROUS,
    "reg": "Registry settings \u2014 can change your computer's settings",
    "one": "OneNote notebook \u2014 " + _DANGEROUS,
    "html": "Web page \u2014 often a fake sign-in page", "htm": "Web page \u2014 often a fake sign-in page",
    "shtml": "Web page \u2014 often a fake sign-in page",
}
_BY_CONTENT_TYPE: dict[str, str] = {
    "application/pdf": "pdf", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/zip": "zip", "application/x-zip-compressed": "zip",
    "application/x-iso9660-image": "iso", "application/x-msdownload": "exe",
    "application/x-msdos-program": "exe", "application/vnd.microsoft.portable-executable": "exe",
    "text/html": "html", "text/plain": "txt", "text/calendar": "ics", "message/rfc822": "eml",
    "text/csv": "csv",
}
_RISKY_HINTS = ("malware", "harmful", "settings", "sign-in page", "scripts")


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip().rstrip(". ")
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def describe_attachment(name: str, content_type: str) -> str:
    """Plain description of what an attachment is and, for risky types, why it is risky."""
    raw = (name if isinstance(name, str) else "")[:500]
    content_type = (content_type if isinstance(content_type, str) else "").split(";", 1)[0].strip().lower()
    hidden = bool(re.search("[\u200b-\u200f\u202a-\u202e\u2060-\u2069]", raw))
    visible = re.sub("[\u200b-\u200f\u202a-\u202e\u2060-\u2069]", "", unicodedata.normalize("NFC", raw))
    ext = _extension(visible)
    description = _BY_EXTENSION.get(ext)
    if description is None:
        by_type = _BY_CONTENT_TYPE.get(content_type)
        if by_type:
            description = _BY_EXTENSION[by_type]
        elif content_type.startswith("image/"):
            description = "Picture"
        elif content_type.startswith("text/"):
            description = "Text file"
        else:
            description = f"File of type .{ext}" if ext and ext.isalnum() and len(ext) <= 10 else "File"
    risky = any(hint in description for hint in _RISKY_HINTS)
    parts = [p.lower() for p in visible.rsplit("/", 1)[-1].split(".")[1:]]
    if risky and len(parts) >= 2:
        decoy = _BY_EXTENSION.get(parts[-2])
        if decoy and not any(hint in decoy for hint in _RISKY_HINTS):
            plain = decoy.split(" \u2014")[0]
            article = "an" if plain[0].lower() in "aeiou" else "a"
            description += f" (named to look like {article} {plain})"
    if hidden:
        description += "; the file name contains hidden characters that disguise its real type"
    return description
