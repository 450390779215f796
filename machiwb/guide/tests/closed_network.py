"""Find references to hosts outside the site in rendered HTML, CSS and e-mail text.

machiwb must work inside a closed municipal network (LGWAN): no page may make the browser fetch
anything from another host (CDN scripts, web fonts, analytics, map tiles, external images, form
targets). Plain ``<a href>`` links are different — nothing is fetched until a person follows
them — and are allowed to the hosts in :data:`PLAIN_LINK_HOST_SUFFIXES` (government sites such as
RESAS and the デジタル庁 pages) and to the official websites of municipalities and prefectures in
the regional master data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

#: Hosts a plain link may point to, by suffix: 府省庁 (``go.jp``: RESAS, デジタル庁, e-Stat, 総務省)
#: and 地方公共団体 (``lg.jp``). Add a host here only for a deliberate plain link.
PLAIN_LINK_HOST_SUFFIXES: tuple[str, ...] = ("go.jp", "lg.jp")

#: Hosts that are this site itself in tests and local runs.
LOCAL_HOSTS = frozenset({"testserver", "127.0.0.1", "localhost", "[::1]"})

#: Attributes whose value the browser fetches, submits to or navigates to without a click.
_RESOURCE_ATTRIBUTES = frozenset(
    {"src", "srcset", "poster", "data", "background", "action", "formaction", "xlink:href", "ping"}
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
_TEXT_URL = re.compile(r"""(?:https?|ftp|wss?)://[^\s"'<>)]+|(?<![:\w])//[a-z0-9.-]+\.[a-z]{2,}""")


@dataclass(frozen=True)
class Finding:
    """One reference that breaks the closed-network rule."""

    where: str
    what: str
    value: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} {self.value!r}"


def external_host(value: str) -> str | None:
    """The host a URL points to when it is not this site, else ``None`` (relative, data:, …)."""
    value = value.strip()
    if value.startswith("{{") or value.startswith("{%"):
        return None
    parts = urlsplit(value)
    if parts.scheme in {"http", "https", "ftp", "ws", "wss"} or value.startswith("//"):
        host = (parts.hostname or "").lower()
        if host and host not in LOCAL_HOSTS:
            return host
    return None


def plain_link_allowed(host: str, extra_hosts: Iterable[str] = ()) -> bool:
    """Whether a plain link (``<a href>``) may point to ``host``."""
    if host in set(extra_hosts):
        return True
    return any(host == s or host.endswith("." + s) for s in PLAIN_LINK_HOST_SUFFIXES)


def css_findings(css: str, where: str) -> list[Finding]:
    """``url(...)`` and ``@import`` in CSS that point to another host."""
    found: dict[str, Finding] = {}
    for pattern, what in ((_CSS_IMPORT, "CSS @import"), (_CSS_URL, "CSS url()")):
        for match in pattern.finditer(css):
            if external_host(match.group(1)) and match.group(1) not in found:
                found[match.group(1)] = Finding(where, what, match.group(1))
    return list(found.values())


def text_findings(text: str, where: str, extra_hosts: Iterable[str] = ()) -> list[Finding]:
    """URLs in plain text (e-mail bodies) that point to a host outside the allow-list."""
    found = []
    for match in _TEXT_URL.finditer(text):
        host = external_host(match.group(0))
        if host and not plain_link_allowed(host, extra_hosts):
            found.append(Finding(where, "link in text to", match.group(0)))
    return found


class _Scanner(HTMLParser):
    def __init__(self, where: str, extra_hosts: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.extra_hosts = extra_hosts
        self.findings: list[Finding] = []
        self._in: str | None = None

    def _resource(self, tag: str, name: str, value: str) -> None:
        candidates = (
            [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" else [value]
        )
        for candidate in candidates:
            if external_host(candidate):
                self.findings.append(Finding(self.where, f"<{tag} {name}>", candidate))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.findings.append(Finding(self.where, f"inline script <{tag} {name}>", value))
            elif name == "style":
                self.findings.extend(css_findings(value, self.where))
            elif name == "href":
                if value.strip().lower().startswith("javascript:"):
                    self.findings.append(Finding(self.where, f"inline script <{tag} href>", value))
                host = external_host(value)
                if host is None:
                    continue
                if tag in {"a", "area"}:
                    if not plain_link_allowed(host, self.extra_hosts):
                        self.findings.append(Finding(self.where, f"<{tag} href> to", value))
                else:
                    self._resource(tag, name, value)
            elif name in _RESOURCE_ATTRIBUTES:
                self._resource(tag, name, value)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = values.get("content", "").partition("url=")[2]
            if external_host(target):
                self.findings.append(Finding(self.where, "<meta refresh>", target))
        if tag == "script" and "src" not in values and "json" not in values.get("type", ""):
            self._in = "script"
        elif tag == "style":
            self._in = "style"

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.findings.extend(css_findings(data, self.where))
        elif self._in == "script" and data.strip():
            self.findings.append(Finding(self.where, "inline <script>", data.strip()[:60]))


def html_findings(html: str, where: str, extra_hosts: Iterable[str] = ()) -> list[Finding]:
    """Every external resource, disallowed plain link and inline script in an HTML document."""
    scanner = _Scanner(where, frozenset(extra_hosts))
    scanner.feed(html)
    scanner.close()
    return scanner.findings
