"""The web app in a real browser (issue 11): a local OpenID Connect provider, the app served on a port,
Debian's Chromium through Playwright, and axe-core on every page.

Everything is real: the provider (``oidc-provider-mock``) runs the whole
authorization-code flow, the app talks to the test's Temporal and PostgreSQL.
"""

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import uvicorn
from axe_playwright_python.async_playwright import Axe
from oidc_provider_mock import run_server_in_thread
from playwright.async_api import Browser, Page, async_playwright

from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.config import WebSettings
from app.districts import DistrictClient

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[2] / "docs"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
BLOCKING = {"serious", "critical"}  # issue 11: any serious or critical axe violation fails the test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def identity_provider() -> Iterator[str]:
    """A real OpenID Connect provider on localhost; whoever signs in there is who they type (their email)."""
    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


def runtime(harness) -> Runtime:
    return Runtime(harness.teams, DistrictClient(harness.env.client, harness.teams._task_queue),
                   ReadModels(harness.store.pool), TokenStore(harness.store.pool), events=harness.store)


@asynccontextmanager
async def serving(rt: Runtime, issuer: str, **settings) -> AsyncIterator[str]:
    """The API with the web app on a free port of this machine; yields its address."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = WebSettings(issuer=issuer, client_id="plcflow", client_secret="test-secret-not-used-elsewhere",
                      session_secret="s" * 40, public_url=base, **settings)
    server = uvicorn.Server(uvicorn.Config(create_app(rt, web), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium (Playwright cannot download its own browsers here)."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Page, base: str, email: str, start: str = "/", pick: bool = False) -> None:
    """Through the provider's own pages, as a person would: plcflow → provider → back with a code.
    ``pick``: press the provider's button for a user it was started with (make run's demo users), not type."""
    await page.goto(f"{base}{start}")
    await page.get_by_role("link", name="Sign in with your district account").click()
    if pick:
        await page.get_by_role("button", name=email, exact=True).click()
    else:
        await page.locator("input[name=sub]").fill(email)
        await page.get_by_role("button", name="Authorize").click()
    await page.wait_for_load_state()


async def assert_accessible(page: Page) -> None:
    results = await Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in blocking)


async def screenshot(page: Page, name: str) -> None:
    DOCS.mkdir(exist_ok=True)
    await page.screenshot(path=DOCS / name, full_page=True)
