"""Web and e-mail addresses in a text, for terms: a site by its name, an e-mail address not at all.

Split into words, an address gave terms nobody would call a topic: "golang · github · com",
"haskell · programming language · www", "golang · https · github" on Debian's descriptions, and
"https", "co", "bit ly" on tweets. A URL or a bare domain (``github.com/user/repo``) becomes the
name of its site ("github", "haskell" of ``www.haskell.org``), written as a phrase of its own; a
name under four letters, a link shortener's link (``t.co``, ``bit.ly/3xYz``, ``youtu.be``) and an
e-mail address (a person, not a subject) leave nothing. A reversed domain naming a Java package or a stack trace's
frame (``org.eclipse.ui.workbench``, ``at com.example.app.Main``) loses its ``org.``/``com.``: with
the addresses gone, "org" was left to Java's package names and labelled "eclipse · org · bundle".
"""

from __future__ import annotations

import re

SHORTENERS = frozenset("bit.ly t.co goo.gl youtu.be ow.ly buff.ly lnkd.in amzn.to fb.me dlvr.it tinyurl.com".split())
"""Link shorteners: their links name no site, with a scheme or without (a tweet's "bit.ly/3xYz")."""
_PATH = r"[^\s<>\"'()\[\]{}]"
WEB_ADDRESS = re.compile(
    rf"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.){_PATH}+"  # with a scheme, or www.
    r"|\b[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"  # an e-mail address
    rf"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|edu|gov)\b(?:/{_PATH}*)?"  # a bare domain
    rf"|\b(?:{'|'.join(re.escape(host) for host in sorted(SHORTENERS))})/{_PATH}*",  # a bare short link
    re.IGNORECASE,
)
REVERSED_DOMAIN = re.compile(r"\b(?:org|com|net|io)\.(?=[a-z][\w-]*\.[a-z])", re.IGNORECASE)
"""The ``org.`` of ``org.eclipse.ui``: a package name's first part, followed by two more."""
MARKS = (
    *("://", "www.", "@", ".com", ".org", ".net", ".io", ".dev", ".edu", ".gov", "org.", "com.", "net.", "io."),
    *(f"{host}/" for host in SHORTENERS),
)
"""What every address has, looked for in lower-case text: most texts have none and are not read again."""
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
MIN_SITE_NAME = 4
"""Shorter site names are left out: link shorteners (t.co, bit.ly, goo.gl) and country codes."""
PHRASE_BREAK = " . "
"""What stands in for an address: a full stop before a space ends a phrase (topicmap/pipeline/label.py)."""


def name_web_addresses(text: str) -> str:
    """``text`` (in lower case) with each web address replaced by its site's name, and e-mail
    addresses left out."""
    if not any(mark in text for mark in MARKS):
        return text
    return WEB_ADDRESS.sub(_site_name, REVERSED_DOMAIN.sub("", text))


def _site_name(match: re.Match[str]) -> str:
    address = match.group(0)
    if "@" in address and not _SCHEME.match(address):
        return PHRASE_BREAK
    host = _SCHEME.sub("", address).split("/")[0].split("@")[-1].split(":")[0].lower()
    if host in SHORTENERS:
        return PHRASE_BREAK
    parts = [part for part in host.split(".") if part and part != "www"]
    name = parts[-2] if len(parts) >= 2 else (parts[0] if parts else "")
    return f"{PHRASE_BREAK}{name}{PHRASE_BREAK}" if len(name) >= MIN_SITE_NAME else PHRASE_BREAK
