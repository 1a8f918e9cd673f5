"""Plain-language checks on who really sent a quarantined message, read from its headers.

Pure and offline: it reads the header text Exchange gives us (Get-QuarantineMessageHeader) and never
looks anything up. Every input is treated as hostile: the work done is capped, nothing raises, and
what comes back is either a fixed sentence or data for the UI to show as plain text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr
from functools import lru_cache

from quarantine_checker.core.vocabulary import CHECK_MARKS, SENDER_REPLIES_TO, SENDER_WARNING_MARK

# Headers of real mail are a few kB; anything past this is either an attack or irrelevant to the
# questions we ask, and reading it would only cost time.
MAX_HEADER_CHARS = 256 * 1024
MAX_HEADER_LINES = 4000
# Address parsing in the stdlib has had super-linear corner cases; an address header is never this long.
MAX_ADDRESS_HEADER_CHARS = 4000
MAX_AUTH_RESULTS_HEADERS = 20

RESULTS = ("pass", "fail", "softfail", "none", "unknown")

_BIDI_AND_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}")

# Brands phishing most often imitates, with the domains that really belong to them.
IMITATED_BRANDS: dict[str, tuple[str, ...]] = {
    "microsoft": ("microsoft.com", "microsoftonline.com", "office.com", "office365.com", "live.com",
                  "outlook.com", "sharepoint.com", "onmicrosoft.com", "azure.com", "windows.net"),
    "office365": ("office365.com", "microsoft.com"),
    "outlook": ("outlook.com", "microsoft.com", "live.com"),
    "onedrive": ("onedrive.com", "microsoft.com", "live.com"),
    "sharepoint": ("sharepoint.com", "microsoft.com"),
    "paypal": ("paypal.com", "paypal.me"),
    "apple": ("apple.com", "icloud.com"),
    "icloud": ("icloud.com", "apple.com"),
    "google": ("google.com", "gmail.com", "googlemail.com"),
    "amazon": ("amazon.com", "amazon.co.uk", "amazon.de", "amazonaws.com"),
    "docusign": ("docusign.com", "docusign.net"),
    "dropbox": ("dropbox.com", "dropboxmail.com"),
    "linkedin": ("linkedin.com",),
    "adobe": ("adobe.com",),
    "netflix": ("netflix.com",),
    "dhl": ("dhl.com", "dhl.de"),
    "fedex": ("fedex.com",),
    "wetransfer": ("wetransfer.com",),
    "zoom": ("zoom.us", "zoom.com"),
}

_BRAND_LABELS = {
    "paypal": "PayPal", "office365": "Office 365", "onedrive": "OneDrive", "sharepoint": "SharePoint",
    "icloud": "iCloud", "docusign": "DocuSign", "linkedin": "LinkedIn", "dhl": "DHL", "fedex": "FedEx",
    "wetransfer": "WeTransfer",
}

# Characters that look like Latin letters (Cyrillic, Greek, fullwidth, digits) and letter pairs that
# read as one letter at a glance. Enough to catch the common tricks; not a full Unicode confusables table.
_CONFUSABLE = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ɡ": "g", "ո": "n", "ս": "u", "ԛ": "q", "ԝ": "w",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "κ": "k", "ι": "i", "ε": "e",
    "0": "o", "1": "l", "3": "e", "5": "s", "7": "t", "|": "l", "!": "i",
})
_CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("l", "i"))

_TWO_LEVEL_SUFFIXES = frozenset({
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "com.br",
    "co.za", "com.cn", "com.mx", "co.in", "com.tr", "com.sg",
})


# --------------------------------------------------------------------------------------------------
# Domain helpers (also used by preview_text)


def clean_host(host: str) -> str:
    """Lower-case host without port, trailing dot or brackets; '' when it is not host-like."""
    host = (host or "").strip().lower()[:300]
    if host.startswith("["):
        return host.split("]", 1)[0].lstrip("[")
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if not host or any(c.isspace() for c in host):
        return ""
    return host


def registrable_domain(host: str) -> str:
    """The part of a host name an organisation registers ("mail.partner.example" -> "partner.example").

    Approximation without the public suffix list: last two labels, or three under a known
    two-level suffix such as co.uk. Good enough to say "same organisation or not".
    """
    host = clean_host(host)
    labels = [label for label in host.split(".") if label]
    if len(labels) <= 2:
        return ".".join(labels)
    if ".".join(labels[-2:]) in _TWO_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def unicode_host(host: str) -> str:
    """Decode punycode labels (xn--) to what a person would see; labels that don't decode stay as they are."""
    out = []
    for label in clean_host(host).split("."):
        if label.startswith("xn--") and len(label) <= 63:
            try:
                out.append(codecs.decode(label[4:].encode("ascii"), "punycode"))
                continue
            except (UnicodeError, ValueError):
                pass
        out.append(label)
    return ".".join(out)


def _imitates_latin(label: str) -> bool:
    """True for a label that mixes alphabets ("micrοsoft" with a Greek omicron) or is written wholly in
    letters of another alphabet that look Latin ("аррӏе", Cyrillic). Ordinary international names
    ("münchen", "пример") are neither. Uses Unicode's confusables data (confusable_homoglyphs), not a
    hand-made table."""
    if label.isascii() or len(label) > 63:
        return False
    letters = [c for c in label if c.isalpha()]
    if not letters:
        return False
    # Imported here: loading its tables costs ~60 ms, which only a non-ASCII domain should pay.
    from confusable_homoglyphs import confusables

    try:
        if confusables.is_mixed_script(label):
            return True
        found = confusables.is_confusable(label, greedy=True, preferred_aliases=["latin"]) or []
    except Exception:  # the library on hostile input: say nothing rather than crash a listing
        return False
    lookalikes = {item.get("character") for item in found if isinstance(item, dict)}
    return all(c in lookalikes for c in letters if not c.isascii())


def _skeleton(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.lower()).translate(_CONFUSABLE)
    for pair, single in _CONFUSABLE_PAIRS:
        text = text.replace(pair, single)
    return text


def _one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by one inserted, removed, replaced or swapped character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] \
            and a[diffs[1]] == b[diffs[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _name_part(domain: str) -> str:
    """'rnicrosoft-support.example' -> 'rnicrosoft-support' (the registrable label(s) without the suffix)."""
    reg = registrable_domain(domain)
    return reg.split(".", 1)[0] if "." in reg else reg


def lookalike_warnings(host: str, own_domains: Iterable[str] = ()) -> list[str]:
    """Sentences saying which well-known or own domain `host` seems to imitate; [] when none."""
    host = clean_host(host)[:253]
    if not host:
        return []
    warnings: list[str] = []
    shown = unicode_host(host)
    reg = registrable_domain(host)
    reg_shown = unicode_host(reg)
    if any(label.startswith("xn--") for label in host.split(".")):
        warnings.append(
            f"The sender's domain is written in an international form ({reg}); it displays as "
            f"\u201c{reg_shown}\u201d, and such domains can imitate a familiar name.")
    name = _name_part(reg_shown)
    # The top-level label is the registry's (".рф" is all Cyrillic by design); the rest is the sender's.
    if not warnings and any(_imitates_latin(label) for label in shown.split(".")[:-1]):
        warnings.append(f"The domain \u201c{shown}\u201d contains characters that imitate ordinary letters.")
    skeleton = _skeleton(name)
    if any(reg in real for real in IMITATED_BRANDS.values()):
        return warnings
    for brand, _real in IMITATED_BRANDS.items():
        in_plain = brand in name.lower()
        # Short brands ("apple", "adobe") are one typo away from ordinary words, so only skeletons for them.
        in_skeleton = _skeleton(brand) in skeleton or (len(brand) >= 6 and any(
            _one_edit_apart(brand, part) for part in re.split(r"[-_.]", name.lower())[:10]))
        label = _BRAND_LABELS.get(brand, brand.capitalize())
        if in_skeleton and not in_plain:
            warnings.append(f"The domain \u201c{reg_shown}\u201d looks like {label} but is spelled with "
                            f"swapped characters; it is not {label}.")
            break
        if in_plain:
            warnings.append(f"The domain \u201c{reg_shown}\u201d uses the name {label} but does not belong "
                            f"to {label}.")
            break
    for own in own_domains:
        own_reg = registrable_domain(own)
        if not own_reg or own_reg == reg:
            continue
        own_name = _name_part(own_reg)
        if (_skeleton(own_name) == skeleton or _one_edit_apart(own_name, name.lower())
                or (len(own_name) >= 5 and own_name in name.lower() and name.lower() != own_name)):
            warnings.append(f"The domain \u201c{reg_shown}\u201d looks like your own organisation's "
                            f"domain {own_reg}, but it is a different one.")
            break
    return warnings


def shown_address(address: str) -> str:
    """``address`` as a person should read it: a punycode (xn--) domain decoded, with the encoded form
    kept beside it so the two can be compared ("a@p\u0430ypal.example (xn--pypal-4ve.example)")."""
    address = address if isinstance(address, str) else ""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.lower():
        return address
    decoded = unicode_host(domain)
    if not decoded or decoded == clean_host(domain):
        return address
    return f"{local}@{decoded} ({domain})"


@lru_cache(maxsize=4096)  # a listing repeats a few hundred sender domains thousands of times
def _domain_warnings(raw_domain: str, own: tuple[str, ...]) -> tuple[str, ...]:
    domain = clean_host(raw_domain)
    if not domain:
        return ()
    try:
        return tuple(lookalike_warnings(domain, own))
    except Exception:  # never let one hostile address break a listing
        return ("The sender's address could not be checked.",)


def sender_warnings(address: str, own_domains: Iterable[str] = ()) -> tuple[str, ...]:
    """Look-alike warnings for a sender address (punycode, imitating letters, brands, own domain): what
    the list, the details and the command line flag for a row, without needing the headers."""
    if not isinstance(address, str) or "@" not in address:
        return ()
    own: tuple[str, ...] = ()
    if own_domains:
        own = tuple(sorted({registrable_domain(d) for d in own_domains if isinstance(d, str)} - {""}))[:10]
    return _domain_warnings(address.rpartition("@")[2][:300], own)


def sender_lines(report: SenderReport, envelope_sender: str) -> str:
    """The details' Sender field: the header From (with its display name) and, when it differs, the
    envelope sender the service reported -- both, so neither can hide the other."""
    header_from = report.from_address or envelope_sender
    first = shown_address(header_from)
    if report.display_name:
        first = f"{report.display_name} <{first}>"
    envelope = (envelope_sender or "").strip()
    if envelope and envelope.lower() != (header_from or "").lower():
        return f"{first}\nSent by (envelope sender): {shown_address(envelope)}"
    return first


# --------------------------------------------------------------------------------------------------
# Header parsing


def parse_header_block(header_text: str) -> list[tuple[str, str]]:
    """(lower-case name, unfolded value) pairs in order; stops at the first empty line. Never raises."""
    if not isinstance(header_text, str):
        return []
    text = header_text[:MAX_HEADER_CHARS]
    fields: list[tuple[str, str]] = []
    name: str | None = None
    parts: list[str] = []
    for count, line in enumerate(text.splitlines()):
        if count >= MAX_HEADER_LINES:
            break
        if not line.strip():
            if name is not None or fields:
                break
            continue
        if line[0] in " \t" and name is not None:
            parts.append(line.strip())
            continue
        if name is not None:
            fields.append((name, " ".join(parts)))
        head, sep, value = line.partition(":")
        if sep and head and len(head) <= 76 and not any(c.isspace() for c in head):
            name, parts = head.strip().lower(), [value.strip()]
        else:
            name, parts = None, []  # garbage line: skip it rather than guess
    if name is not None:
        fields.append((name, " ".join(parts)))
    return fields


def _first(fields: list[tuple[str, str]], name: str) -> str | None:
    for key, value in fields:
        if key == name:
            return value
    return None


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded-words (=?utf-8?q?...?=); on anything odd, keep the raw text."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # the email package raises a zoo of types on hostile input
        return value


def _parse_address(value: str | None) -> tuple[str, str]:
    if not value:
        return "", ""
    value = value[:MAX_ADDRESS_HEADER_CHARS]
    try:
        name, addr = parseaddr(value)
    except Exception:
        return "", ""
    if "@" not in addr:
        # parseaddr gives up on some odd-but-real forms; take the last <...> ourselves.
        match = re.search(r"<([^<>@\s]+@[^<>\s]+)>\s*$", value)
        if match:
            addr = match.group(1)
            name = value[: match.start()].strip().strip('"')
        else:
            addr = ""
    return _decode_words(name).strip(), addr.strip().lower()


def _address_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        pairs = getaddresses([value[:MAX_ADDRESS_HEADER_CHARS]])
    except Exception:
        return []
    return [addr.strip().lower() for _name, addr in pairs if "@" in addr][:20]


def _domain_of(address: str) -> str:
    return clean_host(address.rsplit("@", 1)[1]) if "@" in address else ""


# --------------------------------------------------------------------------------------------------
# Authentication results

_RESULT_MAP = {
    "pass": "pass", "fail": "fail", "hardfail": "fail", "softfail": "softfail", "none": "none",
    "bestguesspass": "none",
}
_METHOD_RE = re.compile(r"^\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_PROP_RE = re.compile(r"\b(smtp\.mailfrom|header\.d|header\.i|header\.from)\s*=\s*([^\s;]+)", re.IGNORECASE)


def _strip_comments(value: str) -> str:
    out, depth = [], 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class AuthCheck:
    """One of SPF / DKIM / DMARC: its result and a sentence a non-expert can read."""

    method: str  # "spf" | "dkim" | "dmarc"
    result: str  # one of RESULTS
    domain: str  # the domain the result is about ('' when unknown)
    sentence: str


def _parse_auth_results(value: str) -> dict[str, tuple[str, str]]:
    """{'spf': (result, domain), ...} from one Authentication-Results value."""
    found: dict[str, tuple[str, str]] = {}
    dkim_results: list[tuple[str, str]] = []
    for part in _strip_comments(value[:8000]).split(";"):
        match = _METHOD_RE.match(part)
        if not match:
            continue
        method, raw = match.group(1).lower(), match.group(2).lower()
        result = _RESULT_MAP.get(raw, "unknown")
        props = {k.lower(): v.strip("<>\"'").lower() for k, v in _PROP_RE.findall(part)}
        if method == "spf":
            domain = props.get("smtp.mailfrom", "")
            domain = domain.rsplit("@", 1)[-1]
        elif method == "dkim":
            domain = props.get("header.d", "") or props.get("header.i", "").rsplit("@", 1)[-1]
        else:
            domain = props.get("header.from", "")
        if method == "dkim":
            dkim_results.append((result, domain))
        elif method not in found:
            found[method] = (result, domain)
    if dkim_results:
        # Several signatures are common (the sender's and a mailing service's); one passing is enough.
        passing = [r for r in dkim_results if r[0] == "pass"]
        found["dkim"] = passing[0] if passing else dkim_results[0]
    return found


def _parse_received_spf(value: str) -> tuple[str, str]:
    word = value.strip().split(None, 1)[0].lower() if value.strip() else ""
    result = _RESULT_MAP.get(word, "unknown")
    match = re.search(r"domain of (?:[^\s@]+@)?([A-Za-z0-9.-]+)", value[:2000])
    return result, (match.group(1).lower() if match else "")


_SENTENCES: dict[str, dict[str, str]] = {
    "dmarc": {
        "pass": "The sender's domain confirms it sent this message (DMARC passed).",
        "fail": "The message claims to come from {d}, but that domain did not confirm it (DMARC failed).",
        "none": "{d} does not publish a way to confirm its mail, so the sender could not be confirmed "
                "(no DMARC policy).",
        "unknown": "There is no record of whether the sender's domain confirmed this message "
                   "(DMARC unknown).",
    },
    "spf": {
        "pass": "The server that delivered this message is allowed to send mail for {d} (SPF passed).",
        "fail": "The server that delivered this message is not allowed to send mail for {d} "
                "(SPF failed).",
        "softfail": "{d} says the server that delivered this message is probably not one of its own "
                    "(SPF soft fail).",
        "none": "{d} does not list which servers may send its mail (no SPF record).",
        "unknown": "There is no record of which server was allowed to send this message (SPF unknown).",
    },
    "dkim": {
        "pass": "The message carries a valid signature from {d} and was not changed on the way "
                "(DKIM passed).",
        "fail": "The message's signature from {d} did not check out; it may have been changed or forged "
                "(DKIM failed).",
        "none": "The message is not signed by the sender (no DKIM signature).",
        "unknown": "There is no record of whether the message was signed (DKIM unknown).",
    },
}


def _sentence(method: str, result: str, domain: str) -> str:
    table = _SENTENCES[method]
    template = table.get(result) or table["fail" if result == "softfail" else "unknown"]
    return template.format(d=domain or "the sender's domain")


def _check(method: str, result: str, domain: str) -> AuthCheck:
    result = result if result in RESULTS else "unknown"
    return AuthCheck(method, result, domain, _sentence(method, result, domain))


# --------------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class SenderReport:
    """What the details pane says about the sender. All strings are plain text for display as such."""

    from_address: str
    display_name: str  # invisible/bidi control characters removed; see warnings when there were any
    spf: AuthCheck
    dkim: AuthCheck
    dmarc: AuthCheck
    reply_to: tuple[str, ...] = ()
    envelope_from: str = ""
    warnings: list[str] = field(default_factory=list)
    checks_failed: bool = False  # True: ask "are you sure?" before releasing

    @property
    def auth_checks(self) -> tuple[AuthCheck, AuthCheck, AuthCheck]:
        return (self.spf, self.dkim, self.dmarc)

    @property
    def from_domain(self) -> str:
        return _domain_of(self.from_address)

    def check_lines(self) -> list[str]:
        """The answer to "is the sender who they say?", one line each: warnings first, then each check
        marked ✓ (passed), ✗ (failed) or ? (no answer), then where replies would go. The window's details
        pane and ``quarantine-checker show`` print exactly these."""
        lines = [SENDER_WARNING_MARK + w for w in self.warnings]
        for check in self.auth_checks:
            lines.append(f"{CHECK_MARKS.get(check.result, CHECK_MARKS['unknown'])} {check.sentence}")
        if self.reply_to:
            lines.append(SENDER_REPLIES_TO.format(", ".join(self.reply_to)))
        return lines


def analyse_headers(
    header_text: str, sender_address: str, *, own_domains: Iterable[str] = ()
) -> SenderReport:
    """Read SPF/DKIM/DMARC and sender-disguise signs from a raw header block. Never raises.

    `sender_address` is the record's SenderAddress (used when the header has no usable From).
    `own_domains` are the signed-in user's domains, to spot imitations of them; the To header's
    domains are used as well.
    """
    try:
        return _analyse(header_text, sender_address, own_domains)
    except Exception:  # last line of defence: a details pane must never crash on a header
        unknown = [_check(m, "unknown", "") for m in ("spf", "dkim", "dmarc")]
        return SenderReport(
            from_address=str(sender_address or "")[:320].lower(), display_name="",
            spf=unknown[0], dkim=unknown[1], dmarc=unknown[2],
            warnings=["The message headers could not be read, so the sender could not be checked."],
            checks_failed=True)


def _analyse(header_text: str, sender_address: str, own_domains: Iterable[str]) -> SenderReport:
    fields = parse_header_block(header_text if isinstance(header_text, str) else "")
    sender_address = (sender_address if isinstance(sender_address, str) else "")[:320].strip().lower()
    warnings: list[str] = []
    serious = False
    if isinstance(header_text, str) and len(header_text) > MAX_HEADER_CHARS:
        # Real headers are a few kB; padding is a way to push the tell-tale parts out of sight.
        warnings.append("The message headers are unusually large, so only their first part was checked.")
        serious = True

    raw_name, from_address = _parse_address(_first(fields, "from"))
    if not from_address:
        from_address = sender_address
    from_domain = _domain_of(from_address)

    display_name = _CONTROL.sub("", _BIDI_AND_INVISIBLE.sub("", raw_name))[:300]
    if _BIDI_AND_INVISIBLE.search(raw_name):
        warnings.append("The sender's name contains hidden characters that change how the text is shown; "
                        "it may be disguised.")
        serious = True
    for shown_addr in _EMAIL_IN_TEXT.findall(display_name)[:5]:
        if shown_addr.lower() != from_address:
            warnings.append(f"The sender's name shows the address {shown_addr}, but the message actually "
                            f"comes from {from_address or 'another address'}.")
            serious = True
            break

    # Authentication: the topmost Authentication-Results is the one our own mail system added.
    results: dict[str, tuple[str, str]] = {}
    seen = 0
    for name in ("authentication-results", "arc-authentication-results"):
        for key, value in fields:
            if key != name or seen >= MAX_AUTH_RESULTS_HEADERS:
                continue
            seen += 1
            for method, res in _parse_auth_results(value).items():
                results.setdefault(method, res)
        if len(results) == 3:
            break
    if "spf" not in results:
        received_spf = _first(fields, "received-spf")
        if received_spf:
            results["spf"] = _parse_received_spf(received_spf)

    def domain_for(method: str, found: str) -> str:
        if found:
            return clean_host(found)
        return from_domain

    spf = _check("spf", *_res(results, "spf", domain_for))
    dkim = _check("dkim", *_res(results, "dkim", domain_for))
    dmarc = _check("dmarc", *_res(results, "dmarc", domain_for))
    # DMARC is the verdict that matters; without one, a failing SPF or DKIM is reason enough to pause.
    auth_failed = dmarc.result in ("fail", "softfail") or (
        dmarc.result != "pass" and (spf.result in ("fail", "softfail") or dkim.result == "fail"))
    serious = serious or auth_failed

    # Look-alike domains, against well-known brands and the user's own organisation.
    own = {registrable_domain(d) for d in own_domains if isinstance(d, str)}
    own |= {registrable_domain(_domain_of(a)) for a in _address_list(_first(fields, "to"))}
    own.discard("")
    if from_domain:
        imitation = lookalike_warnings(from_domain, sorted(own)[:10])
        if imitation:
            warnings.extend(imitation)
            serious = True
    envelope_domain = _domain_of(sender_address)
    if envelope_domain and envelope_domain != from_domain:
        # The envelope sender is what the list shows: a disguise there counts as much as in From.
        imitation = lookalike_warnings(envelope_domain, sorted(own)[:10])
        if imitation:
            warnings.extend(imitation)
            serious = True

    reply_to = tuple(_address_list(_first(fields, "reply-to")))
    from_org = registrable_domain(from_domain)
    for addr in reply_to:
        if registrable_domain(_domain_of(addr)) != from_org:
            warnings.append(f"Replies would go to {addr}, not to {from_org or 'the sender'}.")
            if dmarc.result != "pass":
                serious = True
            break

    # Bounce address: differs for most newsletters (they send through a mailing service), so it is only
    # worth a word when the sender's domain did not vouch for the message.
    envelope = ""
    return_path = _first(fields, "return-path")
    if return_path:
        _n, envelope = _parse_address(return_path if "<" in return_path else f"<{return_path.strip()}>")
    if not envelope and sender_address and "@" in sender_address:
        envelope = sender_address
    env_org = registrable_domain(_domain_of(envelope))
    if env_org and from_org and env_org != from_org and dmarc.result != "pass":
        warnings.append(f"The message was sent on behalf of {from_org} by {env_org}, "
                        "and the sender's domain did not confirm it.")

    return SenderReport(
        from_address=from_address, display_name=display_name, spf=spf, dkim=dkim, dmarc=dmarc,
        reply_to=reply_to, envelope_from=envelope, warnings=warnings, checks_failed=serious)


def _res(results: dict[str, tuple[str, str]], method: str,
         domain_for: Callable[[str, str], str]) -> tuple[str, str]:
    result, domain = results.get(method, ("unknown", ""))
    return result, domain_for(method, domain)
