"""The README's Deployment, played for real: collectstatic, gunicorn, and the pages an administrator opens.

Production settings (DEBUG off, HTTPS behind a proxy, HSTS) must pass `check --deploy`, and the web
process must serve the admin's CSS and the API docs' scripts itself — nothing else serves /static/.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
HOST = "portal.example.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict:
    """The variables the README's Deployment sets, on a throwaway SQLite database."""
    tmp = tmp_path_factory.mktemp("deployment")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "TEST_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY="deployment-test-" + "k8Qz3v" * 10,
        SECRET_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PUBLIC_BASE_URL=f"https://{HOST}",
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_hsts_check_deploy_says_so(production_env):
    env = {**production_env, "SECURE_HSTS_SECONDS": "0"}
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "security.W004" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def portal(production_env):
    """gunicorn serving the portal after `migrate` and `collectstatic`, as the README's Deployment runs it."""
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(production_env, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "flametree_portal.wsgi", "--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=production_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=15)


def get(url: str) -> tuple[int, str, dict]:
    # As behind the TLS-terminating proxy the README describes.
    request = urllib.request.Request(url, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)


def test_the_admin_login_page_gets_its_stylesheets(portal):
    status, page, headers = get(f"{portal}/admin/login/")
    assert status == 200
    assert headers.get("Strict-Transport-Security", "").startswith("max-age=31536000")
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheets, "the login page links no stylesheet"
    for href in stylesheets:
        css_status, _, css_headers = get(portal + href)
        assert css_status == 200 and css_headers["Content-Type"].startswith("text/css"), href
    (icon,) = re.findall(r'<link rel="icon" [^>]*href="(/static/[^"]+)"', page)
    assert get(portal + icon)[0] == 200, icon


def test_the_api_docs_load_swagger_ui_from_the_portal(portal):
    status, page, _ = get(f"{portal}/api/docs")
    assert status == 200
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', page)
    assert any("swagger-ui-bundle" in src for src in scripts), scripts
    for src in scripts:
        assert get(portal + src)[0] == 200, src
