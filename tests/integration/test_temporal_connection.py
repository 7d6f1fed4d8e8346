"""The worker's way to Temporal, against a real dev server (issue 8).

``temporal server start-dev`` has no TLS, so a TLS-terminating proxy (Python's
ssl, ALPN h2, optionally requiring a client certificate) sits in front of it:
the settings read from PLCFLOW_TEMPORAL_TLS_* must get a client through it,
and a client without the right CA, name or certificate must not. Then the
worker's start-up wait: it returns only once the namespace and the search
attributes answer a query, and gives up with a sentence after its bound.
"""

import asyncio
import contextlib
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from app.config import Settings
from app.readiness import SEARCH_ATTRIBUTES, TemporalNotReady, register_search_attributes, wait_for_namespace
from app.wiring import connect_temporal

SERVER_NAME = "temporal.plcflow.test"
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def issue(pki: Path, name: str, ca: str, *extensions: str) -> None:
    """A key and a certificate for ``name`` signed by ``ca`` (X.509 v3, as rustls requires)."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f"{name}.key",
            "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=pki)
    (pki / f"{name}.ext").write_text("\n".join(extensions) + "\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=pki)


def authority(pki: Path, name: str) -> None:
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=pki)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    pki = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        authority(pki, ca)
    issue(pki, "server", "ca", f"subjectAltName=DNS:{SERVER_NAME}", "extendedKeyUsage=serverAuth")
    issue(pki, "worker", "ca", "extendedKeyUsage=clientAuth")
    issue(pki, "stranger", "other-ca", "extendedKeyUsage=clientAuth")
    return pki


@pytest.fixture(scope="module")
async def dev_server():
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        dev_server_extra_args=[arg for name in SEARCH_ATTRIBUTES for arg in ("--search-attribute", f"{name}=Keyword")],
    )
    yield env
    await env.shutdown()


@contextlib.asynccontextmanager
async def tls_proxy(pki: Path, upstream: str, *, require_client_cert: bool):
    """Terminate TLS (h2) on a free port and pipe the bytes to the plain-text dev server."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki / "server.pem", pki / "server.key")
    context.set_alpn_protocols(["h2"])
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki / "ca.pem")
    host, port = upstream.rsplit(":", 1)

    async def pipe(reader, writer):
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def serve(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()


def settings(address: str, pki: Path, **files: str) -> Settings:
    env = {"PLCFLOW_TEMPORAL_ADDRESS": address, **{f"PLCFLOW_TEMPORAL_TLS_{k.upper()}": v for k, v in files.items()}}
    return Settings.from_env({k: str(pki / v) if k.endswith(("_CA", "_CERT", "_KEY")) else v for k, v in env.items()})


async def reaches(settings: Settings) -> bool:
    try:
        client = await asyncio.wait_for(connect_temporal(settings), 30)
        await client.count_workflows()
        return True
    except (RuntimeError, asyncio.TimeoutError):
        return False


async def test_mtls_settings_reach_temporal_through_a_tls_proxy_and_wrong_ones_do_not(dev_server, pki):
    upstream = dev_server.client.service_client.config.target_host
    async with tls_proxy(pki, upstream, require_client_cert=True) as address:
        mtls = dict(ca="ca.pem", cert="worker.pem", key="worker.key", server_name=SERVER_NAME)
        assert await reaches(settings(address, pki, **mtls))
        assert not await reaches(settings(address, pki, ca="ca.pem", server_name=SERVER_NAME))  # no client certificate
        assert not await reaches(settings(address, pki, **{**mtls, "cert": "stranger.pem", "key": "stranger.key"}))
        assert not await reaches(settings(address, pki, **{**mtls, "ca": "other-ca.pem"}))  # server not trusted
        assert not await reaches(settings(address, pki, **{k: v for k, v in mtls.items() if k != "server_name"}))
        assert not await reaches(Settings.from_env({"PLCFLOW_TEMPORAL_ADDRESS": address}))  # plain text


async def test_tls_with_a_private_ca_and_no_client_certificate(dev_server, pki):
    upstream = dev_server.client.service_client.config.target_host
    async with tls_proxy(pki, upstream, require_client_cert=False) as address:
        assert await reaches(settings(address, pki, ca="ca.pem", server_name=SERVER_NAME))
        assert not await reaches(Settings.from_env({"PLCFLOW_TEMPORAL_ADDRESS": address, "PLCFLOW_TEMPORAL_TLS": "1"}))


async def test_the_worker_waits_until_its_namespace_and_search_attributes_answer(dev_server):
    admin = dev_server.client
    namespace = f"plcflow-{uuid4().hex[:8]}"
    client = await Client.connect(admin.service_client.config.target_host, namespace=namespace)
    waiting = asyncio.create_task(wait_for_namespace(client, attempts=300, delay=0.2))
    await asyncio.sleep(1)
    assert not waiting.done()  # no namespace yet
    await admin.workflow_service.register_namespace(
        RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=Duration(seconds=86_400)))
    await asyncio.sleep(2)
    assert not waiting.done()  # the namespace, but not its search attributes
    keyword = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    await admin.operator_service.add_search_attributes(
        AddSearchAttributesRequest(namespace=namespace, search_attributes={name: keyword for name in SEARCH_ATTRIBUTES}))
    await asyncio.wait_for(waiting, 60)


async def test_the_wait_is_bounded_and_says_what_to_do(dev_server):
    client = await Client.connect(dev_server.client.service_client.config.target_host, namespace="never-created")
    with pytest.raises(TemporalNotReady, match="namespace 'never-created' not found. Create the namespace"):
        await wait_for_namespace(client, attempts=2, delay=0.1)


async def test_make_run_registers_the_search_attributes_a_data_folder_lacks(dev_server):
    admin = dev_server.client
    namespace = f"plcflow-{uuid4().hex[:8]}"
    await admin.workflow_service.register_namespace(
        RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=Duration(seconds=86_400)))
    client = await Client.connect(admin.service_client.config.target_host, namespace=namespace)
    for _ in range(100):  # until the new namespace reaches the frontend's cache
        with pytest.raises(TemporalNotReady) as refused:
            await wait_for_namespace(client, attempts=1)
        if f"namespace {namespace!r} not found" not in str(refused.value):
            break
        await asyncio.sleep(0.1)
    assert "search attributes TeamId, SchoolId not all registered" in str(refused.value)
    await register_search_attributes(client)
    await register_search_attributes(client)  # idempotent: every start calls it
    await wait_for_namespace(client, attempts=150, delay=0.2)
