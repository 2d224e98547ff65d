"""`make install_nginx_config` against the nginx that Debian ships, as an operator runs it.

The stock layout installed by apt (/etc/nginx: nginx.conf with `gzip on;` in http {}, conf.d/, the
enabled `default` site on the same port) is copied to a temporary prefix. Only what ties it to this
machine is relocated (absolute paths, the pid and log files, port 80 → a free port); every directive
of the stock http {} block stays, so a directive we repeat or a server that never gets the traffic
fails here as it would on a real host.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import Api, free_port, wait_for

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
STOCK = Path("/etc/nginx")


@dataclass
class StockNginx:
    prefix: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> str:
        return f"{shutil.which('nginx') or '/usr/sbin/nginx'} -p {self.prefix} -c {self.prefix}/nginx.conf"

    def start(self) -> None:
        self.process = subprocess.Popen([*self.command.split(), "-g", "daemon off;"], stderr=subprocess.PIPE)
        wait_for(lambda: httpx.get(self.url).status_code in (200, 404), 20, "the stock nginx")

    def install(self, api_port: int, **variables: str) -> subprocess.CompletedProcess[str]:
        settings = {
            "NGINX_DIR": str(self.prefix),
            "NGINX_LISTEN": str(self.port),
            "API_UPSTREAM": f"127.0.0.1:{api_port}",
        }
        settings.update(variables)
        return subprocess.run(
            ["make", "--no-print-directory", "install_nginx_config", *(f"{k}={v}" for k, v in settings.items())],
            cwd=ROOT,
            env={**os.environ, "NGINX": self.command},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def stock_nginx(tmp_path: Path) -> Iterator[StockNginx]:
    if not (STOCK / "nginx.conf").exists() or not (STOCK / "sites-available" / "default").exists():
        pytest.fail("Debian's nginx is not installed (make test installs it)")
    if os.geteuid() != 0:
        pytest.skip("an install into the host's nginx runs as root (the stock config switches to www-data)")
    prefix = tmp_path / "etc-nginx"
    shutil.copytree(STOCK, prefix, symlinks=True)
    port = free_port()
    conf = (prefix / "nginx.conf").read_text()
    conf = conf.replace(str(STOCK), str(prefix))
    conf = re.sub(r"^pid .*;$", f"pid {prefix}/nginx.pid;", conf, flags=re.M)
    conf = re.sub(r"/var/log/nginx/", f"{prefix}/", conf)
    assert "gzip on;" in conf, "the stock nginx.conf should set gzip in http {}"
    (prefix / "nginx.conf").write_text(conf)
    site = (prefix / "sites-available" / "default").read_text()
    site = site.replace("listen 80 default_server;", f"listen {port} default_server;")
    site = re.sub(r"^\s*listen \[::\]:80 default_server;$", "", site, flags=re.M)
    (prefix / "sites-available" / "default").write_text(site)
    enabled = prefix / "sites-enabled" / "default"
    enabled.unlink()
    enabled.symlink_to(prefix / "sites-available" / "default")
    server = StockNginx(prefix, port)
    yield server
    server.stop()


def test_install_into_stock_nginx_serves_topicmap(stock_nginx: StockNginx, api: Api) -> None:
    stock_nginx.start()
    assert "Welcome to nginx" in httpx.get(stock_nginx.url).text  # Debian's default site answers first

    result = stock_nginx.install(api.port)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "disabled Debian's default site" in result.stdout and "nginx reloaded" in result.stdout

    wait_for(lambda: httpx.get(f"{stock_nginx.url}/api/health").json() == {"status": "ok"}, 20, "topicmap via nginx")
    page = httpx.get(stock_nginx.url)
    assert page.status_code == 200 and "topicmap" in page.text and "Welcome to nginx" not in page.text
    schema = httpx.get(f"{stock_nginx.url}/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert schema.headers.get("content-encoding") == "gzip" and schema.json()["info"]["title"] == "topicmap"
    assert httpx.get(f"{stock_nginx.url}/api/health").headers["x-frame-options"] == "DENY"
    # The site itself is kept; only the package's link was removed.
    assert (stock_nginx.prefix / "sites-available" / "default").exists()
    assert not (stock_nginx.prefix / "sites-enabled" / "default").exists()


def test_a_default_site_of_the_operators_is_never_touched(stock_nginx: StockNginx, api: Api) -> None:
    enabled = stock_nginx.prefix / "sites-enabled" / "default"
    text = enabled.read_text()
    enabled.unlink()
    enabled.write_text(text)  # the operator's own file, not the package's link

    result = stock_nginx.install(api.port)
    assert result.returncode != 0
    assert "site of your own" in result.stdout and "Nothing was changed" in result.stdout
    assert enabled.read_text() == text
    assert not (stock_nginx.prefix / "conf.d" / "topicmap.conf").exists()


def test_a_named_server_leaves_the_default_site_in_place(stock_nginx: StockNginx, api: Api) -> None:
    stock_nginx.start()
    result = stock_nginx.install(api.port, NGINX_SERVER_NAME="maps.example.test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (stock_nginx.prefix / "sites-enabled" / "default").is_symlink()

    def routed() -> bool:
        response = httpx.get(f"{stock_nginx.url}/api/health", headers={"Host": "maps.example.test"})
        return response.json() == {"status": "ok"}

    wait_for(routed, 20, "topicmap by host name")
    assert "Welcome to nginx" in httpx.get(stock_nginx.url).text  # other names still reach the default site


def test_a_config_that_fails_nginx_t_is_rolled_back(stock_nginx: StockNginx, api: Api) -> None:
    result = stock_nginx.install(api.port, API_UPSTREAM="127.0.0.1:not-a-port")
    assert result.returncode != 0 and "putting everything back" in result.stdout
    assert (stock_nginx.prefix / "sites-enabled" / "default").is_symlink()
    assert not (stock_nginx.prefix / "conf.d" / "topicmap.conf").exists()
