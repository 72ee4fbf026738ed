"""Deploy files agree with each other: every Procfile process is a compose service running the same command, each
long-running service has a health check, the release step runs first, Redis keeps an AOF, and the image installs
from the lock with the same pip command CI uses. (No Docker engine here: the files are parsed, not run.)"""

from __future__ import annotations

import re
from importlib.metadata import requires
from pathlib import Path
from typing import Any

import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent.parent
LOCKED_INSTALL = "pip install --require-hashes --no-deps -r requirements/"
"""The command form CI (`./dev`) installs with; the image must use the same."""


def procfile() -> dict[str, str]:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    return dict((name.strip(), command.strip()) for name, command in (line.split(":", 1) for line in lines))


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def app_services() -> dict[str, dict[str, Any]]:
    """Services built from this project's image."""
    return {name: s for name, s in compose()["services"].items() if s.get("image") == "autowebiq-bot"}


def shell_command(service: dict[str, Any]) -> str:
    """The command a service's shell runs, as the Procfile would write it (compose escapes `$` as `$$`)."""
    assert service["entrypoint"] == ["sh", "-c"]
    (command,) = service["command"]
    return str(command).replace("$$", "$")


def test_every_procfile_process_is_a_compose_service_running_the_same_command():
    processes, services = procfile(), app_services()
    assert set(processes) == set(services)
    assert set(processes) >= {"release", "slack", "discord", "worker", "preview", "dashboard"}
    for name, command in processes.items():
        assert shell_command(services[name]) == command, name
    assert processes["release"] == "autoweb db upgrade && autoweb catalog seed"


def test_every_long_running_service_has_a_health_check_and_starts_after_the_release():
    services = compose()["services"]
    for name, service in services.items():
        if name == "release":
            assert service["restart"] == "no" and service["healthcheck"] == {"disable": True}
            assert {d: c["condition"] for d, c in service["depends_on"].items()} == {
                "postgres": "service_healthy",
                "redis": "service_healthy",
                "mongo": "service_healthy",
            }
            continue
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and len(test) > 1, name
        if name in app_services():
            assert service["depends_on"] == {"release": {"condition": "service_completed_successfully"}}


def test_each_health_check_probes_the_port_its_process_serves():
    for name, service in app_services().items():
        env = service["environment"]
        if name == "release":
            continue
        if "PORT" in env:  # HTTP processes: /healthz on the port the Procfile command binds
            assert env["HEALTH_URL"] == f"http://127.0.0.1:{env['PORT']}/healthz"
            assert "--port ${PORT" in shell_command(service) and "--host ${HOST" in shell_command(service)
        else:  # worker, discord: their /metrics server (METRICS_PORT)
            assert env["HEALTH_URL"] == f"http://127.0.0.1:{env['METRICS_PORT']}/metrics"
        assert env["HOST"] == "0.0.0.0"


def test_redis_keeps_an_append_only_file_and_never_evicts():
    command = " ".join(compose()["services"]["redis"]["command"])
    assert "--appendonly yes" in command and "--maxmemory-policy noeviction" in command
    assert "redis:/data" in compose()["services"]["redis"]["volumes"]


def test_no_secret_is_written_in_the_compose_file():
    text = (ROOT / "compose.yaml").read_text()
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DISCORD_BOT_TOKEN",
        "RQ_DASHBOARD_PASSWORD",
        "LLM_API_KEY",
    ):
        assert f"{name}:" not in text  # they come from .env (env_file)


def test_the_image_uses_the_locked_install_ci_uses_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"python -m {LOCKED_INSTALL}image.txt" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M) and 'ENTRYPOINT ["autoweb"]' in dockerfile
    assert "python -m pip install --no-deps ." in dockerfile
    ci = (ROOT / "dev").read_text()
    assert re.search(r"pip install[^\n]* --require-hashes --no-deps -r requirements/dev\.txt", ci)


def locked_versions(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {m[0].lower(): m[1] for m in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def closure(names: list[str]) -> set[str]:
    """The packages `names` need, from the installed metadata (the dev install has them all)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for line in requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or Marker(str(requirement.marker)).evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def test_the_image_lock_is_the_runtime_lock_plus_the_dashboard_extra():
    """requirements/image.txt: every package a plain install needs and the dashboard extra's, at the versions the
    other locks hold (they are compiled together by `./dev lock`)."""
    extra = [Requirement(r).name for r in requires("autowebiq-bot") or [] if 'extra == "dashboard"' in r]
    image, runtime, dev = locked_versions("image.txt"), locked_versions("runtime.txt"), locked_versions("dev.txt")
    assert set(image) == set(runtime) | closure(extra), "run ./dev lock"
    for name, version in image.items():
        assert dev.get(name) == version, f"{name}: image.txt has {version}, requirements/dev.txt {dev.get(name)}"
