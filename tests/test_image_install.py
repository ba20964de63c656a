"""The container image's steps without a Docker daemon: the files the Dockerfile copies, built into
a wheel, installed into a fresh virtual environment without the test extras, then `cqcbot db
upgrade`, `cqcbot plan import` and `cqcbot serve` run from it — answering Teams and stopping on
SIGTERM with exit status 0."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests import activities
from tests.fakes.connector import FakeConnector
from tests.processes import free_port, read, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def copied_by_the_dockerfile() -> list[str]:
    """What the build stage's COPY lines take from the repository (the image's whole input)."""
    sources: list[str] = []
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line and "examples" not in line:
            sources.extend(line.split()[1:-1])
    return sources


def build_stage_install() -> str:
    """The build stage's RUN instruction, continuation lines joined: the image's install steps."""
    stage = DOCKERFILE.read_text().split(" AS build", 1)[1].split("\nFROM ", 1)[0]
    joined = stage.replace("\\\n", " ")
    [run] = [line for line in joined.splitlines() if line.startswith("RUN ")]
    return run.removeprefix("RUN ")


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dockerfile's build stage run here: its COPY sources, then its RUN line, with the image's
    paths (/opt/cqcbot, /wheels) moved into a temporary directory."""
    work = tmp_path_factory.mktemp("image")
    context = work / "src"
    context.mkdir()
    for name in copied_by_the_dockerfile():
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, context / name)
    venv = work / "venv"
    script = (
        build_stage_install()
        .replace("python -m venv", f"{sys.executable} -m venv")
        .replace("/opt/cqcbot", str(venv))
        .replace("/wheels", str(work / "wheels"))
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run(["/bin/sh", "-c", script], cwd=context, env=env, check=True, stdout=subprocess.DEVNULL)
    return venv


def clean_env(database_url: str, **extra: str) -> dict[str, str]:
    # No PYTHONPATH: the fresh environment must run its own installed copy, not this checkout.
    drop = ("Microsoft", "PYTHONPATH", "VIRTUAL_ENV", "PROMETHEUS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(DATABASE_URL=database_url, MicrosoftAppId="", SCHEDULER_ENABLED="false", **extra)
    return env


@pytest.mark.slow
async def test_the_installed_wheel_migrates_imports_and_serves(
    fresh_install: Path, database_url: str, connector: FakeConnector, tmp_path: Path
) -> None:
    python = fresh_install / "bin" / "python"
    cqcbot = str(fresh_install / "bin" / "cqcbot")
    probe = "import bot, importlib.util as u; print(bot.__file__, u.find_spec('pytest'), u.find_spec('pip'))"
    where = await asyncio.to_thread(
        subprocess.run,
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        env=clean_env(database_url),
    )
    installed, pytest_spec, pip_spec = where.stdout.split()
    assert installed.startswith(str(fresh_install))  # the installed copy, not the checkout
    assert (pytest_spec, pip_spec) == ("None", "None")  # no test extras, no installer left in the image

    port = free_port()
    env = clean_env(database_url, HOST="127.0.0.1", PORT=str(port))
    for step in (["db", "upgrade"], ["plan", "import", str(ROOT / "examples" / "halton-plan.yaml")]):
        done = await asyncio.to_thread(
            subprocess.run, [cqcbot, *step], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr

    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = await asyncio.create_subprocess_exec(cqcbot, "serve", env=env, cwd=tmp_path, stdout=sink, stderr=sink)
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_healthy(url, process, log)
        async with ClientSession() as http:
            message = activities.personal_message(connector.base_url, "help")
            async with http.post(f"{url}/api/messages", json=message) as response:
                assert response.status == 201, read(log)
            async with http.get(f"{url}/metrics") as response:
                assert re.search(
                    r'cqcbot_activities_received_total\{result="201",type="message"\} 1\.0', await response.text()
                )
        assert [call.kind for call in connector.calls if call.kind == "reply"] == ["reply"]  # help answered
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0, read(log)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert "Traceback" not in read(log)
