"""Reverse-proxy drill: the shipped nginx example (deploy/nginx/machiwb.conf) in front of the
real app server, without root and without installing anything by hand.

    python -m bench.proxy [--http-port 8020] [--https-port 8021] [--postgres --pg-port 55434]

nginx comes from scripts/install-system-packages.sh. The drill renders the example for
loopback ports: only addresses and file paths are replaced (upstream socket, listen ports,
certificate, error log), every other directive is the shipped one; a replaced line that is
missing from the example stops the drill, so the two cannot drift apart. It makes a
self-signed certificate, runs ``nginx -t`` and nginx itself (``-p tmpdir``, ``daemon off``),
and gunicorn with deploy/gunicorn.conf.py and the production settings of deploy/env.example
(DEBUG off, HTTPS redirect, HSTS, behind a TLS proxy) on the unix socket, then checks:

- plain HTTP is redirected to HTTPS by nginx;
- a page, /healthz and /readyz answer 200 through the proxy over HTTPS, without a redirect
  loop (the app sees X-Forwarded-Proto) and with absolute URLs built for the client's host;
- a static file with a hashed name comes through nginx with a far-future, immutable cache
  header; an unhashed name is cached briefly;
- a form POST over HTTPS passes the CSRF check with the browser's Origin, and one with a
  foreign Origin is refused;
- a resident's final submit over HTTPS is stored once and redirected to the thank-you page;
- the upload limits agree: a body just over MACHIWB_MAX_UPLOAD_BYTES reaches the app and gets
  its own explanatory 413, a body over nginx's client_max_body_size is refused by nginx;
- /readyz and /healthz answer 200 over plain HTTP straight from gunicorn (load-balancer checks
  and scrapes reach app servers without TLS);
- the systemd units pass ``systemd-analyze verify`` (when systemd-analyze exists), with the
  install paths pointed at this checkout.

Prints one summary line; exits non-zero when any check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench._server import CSRF, ROOT, ThrowawayPostgres, form_body, manage
from bench.crash import answer_sheet, setup_survey

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED = ROOT / "deploy" / "nginx" / "machiwb.conf"
HOST = "localhost"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)


def request(
    port: int,
    method: str,
    path: str,
    *,
    tls: bool,
    host: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Reply:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the drill's own self-signed certificate
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=30, context=context
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data, cookies)
    conn.close()
    return reply


def render_nginx(folder: Path, http_port: int, https_port: int, socket: Path) -> Path:
    """The shipped example with loopback addresses and paths in the drill's folder."""
    text = SHIPPED.read_text(encoding="utf-8")
    replacements = [
        ("server unix:/run/machiwb/gunicorn.sock", f"server unix:{socket}"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        ("/etc/letsencrypt/live/wb.example.jp/fullchain.pem", str(folder / "cert.pem")),
        ("/etc/letsencrypt/live/wb.example.jp/privkey.pem", str(folder / "key.pem")),
        ("/var/log/nginx/machiwb-error.log", str(folder / "machiwb-error.log")),
    ]
    for old, new in replacements:
        if old not in text:
            raise SystemExit(f"deploy/nginx/machiwb.conf no longer contains {old!r}")
        text = text.replace(old, new)
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)  # loopback IPv4 only
    site = folder / "machiwb.conf"
    site.write_text(text, encoding="utf-8")
    main = folder / "nginx.conf"
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        f"worker_processes 1;\nerror_log {folder / 'error.log'} warn;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temp}"
        f"    include {site};\n}}\n",
        encoding="utf-8",
    )
    return main


def self_signed_certificate(folder: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def nginx_max_body_bytes() -> int:
    found = re.search(r"client_max_body_size\s+(\d+)([kKmM]?);", SHIPPED.read_text("utf-8"))
    if found is None:
        raise SystemExit("deploy/nginx/machiwb.conf sets no client_max_body_size")
    factor = {"": 1, "k": 1024, "m": 1024 * 1024}[found.group(2).lower()]
    return int(found.group(1)) * factor


def production_env(
    folder: Path, socket: Path, database_url: str, https_port: int
) -> dict[str, str]:
    """deploy/env.example's security settings, with loopback host names."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{https_port}",
        "DJANGO_BEHIND_TLS_PROXY": "1",
        "MACHIWB_BEHIND_PROXY": "1",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "MACHIWB_VAR_DIR": str(folder / "var"),
        "MACHIWB_BIND": f"unix:{socket}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
    }


def systemd_check(folder: Path) -> str:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return "skipped (no systemd-analyze)"
    units = folder / "systemd"
    units.mkdir()
    venv_bin = Path(sys.executable).parent
    for unit in sorted((ROOT / "deploy" / "systemd").iterdir()):
        text = unit.read_text(encoding="utf-8")
        text = text.replace("/srv/machiwb/app/.venv/bin/", f"{venv_bin}/")
        text = text.replace("/srv/machiwb/app", str(ROOT))
        (units / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", *sorted(str(path) for path in units.iterdir())],
        capture_output=True,
        text=True,
    )
    # Unknown keys are only warned about (exit status 0): any output is a problem.
    problems = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode != 0 or problems:
        return "failed: " + " | ".join(problems or [result.stderr.strip()])
    return "ok"


class Drill:
    def __init__(self) -> None:
        self.results: dict[str, bool] = {}
        self.notes: list[str] = []

    def check(self, name: str, passed: bool, detail: str = "") -> None:
        self.results[name] = passed
        if not passed:
            self.notes.append(f"{name}: {detail}")


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def run_checks(drill: Drill, folder: Path, http_port: int, https_port: int, socket: Path) -> None:
    host = f"{HOST}:{https_port}"

    def https(
        method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Reply:
        return request(https_port, method, path, tls=True, host=host, headers=headers, body=body)

    plain = request(http_port, "GET", "/dashboard/?q=x", tls=False, host=HOST)
    drill.check(
        "http_redirect",
        plain.status == 301 and plain.headers.get("location", "").startswith("https://"),
        f"{plain.status} {plain.headers.get('location')}",
    )

    page = https("GET", "/dashboard/?q=%E3%81%8B%E3%81%84%E3%81%AA%E3%82%93")
    drill.check(
        "page", page.status == 200 and "海南市" in page.body.decode(), f"status {page.status}"
    )
    drill.check(
        "hsts",
        "max-age=" in page.headers.get("strict-transport-security", ""),
        "no Strict-Transport-Security: the app did not see HTTPS",
    )
    for path in ("/healthz", "/readyz"):
        reply = https("GET", path)
        drill.check(path.strip("/"), reply.status == 200, f"status {reply.status}")
    guide = https("GET", "/api/")
    drill.check(
        "absolute_urls",
        f"https://{host}/api/v1/" in guide.body.decode(),
        "the API page does not name https://<client host>/api/v1/",
    )

    manifest = json.loads((folder / "static" / "staticfiles.json").read_text("utf-8"))
    original, hashed = next(
        (name, hashed)
        for name, hashed in manifest["paths"].items()
        if name.endswith(".css") and name != hashed
    )
    long_lived = https("GET", "/static/" + hashed, headers={"Accept-Encoding": "gzip"})
    cache = long_lived.headers.get("cache-control", "")
    found_age = re.search(r"max-age=(\d+)", cache)
    max_age = int(found_age.group(1)) if found_age else 0
    drill.check(
        "static_hashed",
        long_lived.status == 200 and max_age >= 365 * 86400 and "immutable" in cache,
        f"{long_lived.status} Cache-Control: {cache!r}",
    )
    drill.check(
        "static_gzip",
        long_lived.headers.get("content-encoding") == "gzip",
        f"Content-Encoding: {long_lived.headers.get('content-encoding')!r}",
    )
    short = https("GET", "/static/" + original)
    short_cache = short.headers.get("cache-control", "")
    drill.check(
        "static_unhashed",
        short.status == 200 and "immutable" not in short_cache,
        f"{short.status} Cache-Control: {short_cache!r}",
    )

    login = https("GET", "/accounts/login/")
    token = login.cookies.get("csrftoken", "")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "nobody@example.jp", "password": "wrong" * 3}
    ).encode()
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
        "Origin": f"https://{host}",
        "Referer": f"https://{host}/accounts/login/",
    }
    own = https("POST", "/accounts/login/", headers=post_headers, body=form)
    drill.check("csrf_same_origin", bool(token) and own.status == 200, f"status {own.status}")
    foreign = https(
        "POST",
        "/accounts/login/",
        headers={
            **post_headers,
            "Origin": "https://evil.example",
            "Referer": "https://evil.example/",
        },
        body=form,
    )
    drill.check("csrf_foreign_origin", foreign.status == 403, f"status {foreign.status}")

    # A resident's final submit over HTTPS, answered by the submission layer in front of
    # Django: stored once, redirected to the thank-you page with HSTS like any page.
    from machiwb.surveys.models import Response
    from machiwb.surveys.views_answer import Sheet

    survey, version = setup_survey()
    sheet = Sheet(
        version=str(version.public_id),
        token=secrets.token_urlsafe(24),
        answers=answer_sheet(version.definition, "proxy-drill"),
    )
    start = f"https://{host}/s/{survey.public_id}/"
    submitted = https(
        "POST",
        f"/s/{survey.public_id}/answer/",
        headers={**post_headers, "Cookie": f"csrftoken={CSRF}", "Referer": start},
        body=form_body(sheet.dump()),
    )
    stored = Response.objects.filter(survey_version=version).count()
    drill.check(
        "submission",
        submitted.status == 303
        and submitted.headers.get("location") == f"/s/{survey.public_id}/thanks/"
        and "max-age=" in submitted.headers.get("strict-transport-security", "")
        and stored == 1,
        f"status {submitted.status}, {stored} stored",
    )

    from django.conf import settings

    app_limit = settings.MACHIWB["MAX_UPLOAD_BYTES"]
    nginx_limit = nginx_max_body_bytes()
    drill.check(
        "upload_limits_agree",
        nginx_limit > app_limit,
        f"nginx client_max_body_size {nginx_limit} <= app limit {app_limit}: "
        "nginx's bare 413 page would hide the app's explanation",
    )
    over_app = https(
        "POST",
        "/accounts/login/",
        headers={"Content-Type": "application/octet-stream"},
        body=b"\0" * (app_limit + 1),
    )
    drill.check(
        "upload_app_413",
        over_app.status == 413
        and "ファイルが大きすぎます" in over_app.body.decode(errors="replace"),
        f"status {over_app.status}",
    )
    if nginx_limit > app_limit:
        over_nginx = https(
            "POST",
            "/accounts/login/",
            headers={"Content-Type": "application/octet-stream"},
            body=b"\0" * (nginx_limit + 1),
        )
        drill.check(
            "upload_nginx_413",
            over_nginx.status == 413 and b"nginx" in over_nginx.body,
            f"status {over_nginx.status}",
        )

    for path in ("/readyz", "/healthz"):
        direct = unix_get(socket, path)
        drill.check(f"direct_{path.strip('/')}", direct == 200, f"status {direct}")


def unix_get(socket: Path, path: str) -> int:
    """GET over the unix socket without X-Forwarded-Proto, as a load balancer's probe."""
    import socket as sockets

    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(socket))
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        head = sock.recv(64).decode("latin-1")
    return int(head.split()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--http-port", type=int, default=8020)
    parser.add_argument("--https-port", type=int, default=8021)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster")
    parser.add_argument("--pg-port", type=int, default=55434)
    args = parser.parse_args()
    if not Path(NGINX).exists():
        raise SystemExit("nginx is missing: run scripts/install-system-packages.sh")

    folder = Path(tempfile.mkdtemp(prefix="machiwb-proxy-"))
    folder.chmod(0o755)  # nginx workers run as an unprivileged user when started by root
    socket = folder / "gunicorn.sock"
    drill = Drill()
    postgres = ThrowawayPostgres(args.pg_port) if args.postgres else None
    systemd = "not reached"
    nginx: subprocess.Popen[bytes] | None = None
    app: subprocess.Popen[bytes] | None = None
    try:
        if postgres is not None:
            postgres.start()
        database_url = postgres.url if postgres else f"sqlite:///{folder / 'var' / 'db.sqlite3'}"
        env = production_env(folder, socket, database_url, args.https_port)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        import django

        django.setup()
        manage(env, "migrate", "--no-input")
        manage(env, "load_regions")
        manage(env, "collectstatic", "--no-input", "-v0")

        self_signed_certificate(folder)
        config = render_nginx(folder, args.http_port, args.https_port, socket)
        nginx_cmd = [NGINX, "-p", str(folder), "-c", str(config)]
        pid = f"pid {folder / 'nginx.pid'};"
        tested = subprocess.run(
            [*nginx_cmd, "-g", pid, "-t"], capture_output=True, text=True, check=False
        )
        drill.check("nginx_t", tested.returncode == 0, tested.stderr.strip().replace("\n", " | "))
        if tested.returncode != 0:
            raise RuntimeError("nginx -t failed")
        nginx = subprocess.Popen(
            [*nginx_cmd, "-g", f"daemon off; {pid}"], stderr=subprocess.PIPE, start_new_session=True
        )
        with (folder / "gunicorn.log").open("ab") as log:
            app = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait_until(
            lambda: (
                request(
                    args.https_port, "GET", "/readyz", tls=True, host=f"{HOST}:{args.https_port}"
                ).status
                == 200
            ),
            60,
            "gunicorn behind nginx",
        )
        run_checks(drill, folder, args.http_port, args.https_port, socket)
        systemd = systemd_check(folder)
        if systemd.startswith("failed"):
            drill.check("systemd_verify", False, systemd)
    finally:
        for process in (app, nginx):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        if postgres is not None:
            postgres.stop()
    passed = sum(drill.results.values())
    database = "postgresql" if args.postgres else "sqlite"
    print(
        f"proxy drill ({database}): checks={len(drill.results)} passed={passed} "
        f"failed={len(drill.results) - passed} nginx={NGINX} systemd_verify={systemd}"
    )
    for note in drill.notes:
        print("  FAILED " + note)
    if drill.notes:
        print(f"  files: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if not drill.notes else 1


if __name__ == "__main__":
    sys.exit(main())
