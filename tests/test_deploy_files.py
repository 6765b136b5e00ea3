"""docker-compose.yml and the Dockerfile, checked by parsing and by running their shell lines
(no Docker engine runs here): the Compose schema, the variables a container command uses,
the Neo4j healthcheck's login, and the API image's start against the real Neo4j."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from casegraph.graph.db import GraphDB
from casegraph.graph.keys import list_keys

ROOT = Path(__file__).resolve().parent.parent


def _pom_neo4j_version() -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(ROOT / "neo4j-local" / "pom.xml").getroot()
    node = root.find("m:properties/m:neo4j.version", ns)
    assert node is not None and node.text
    return node.text.strip()


def test_compose_runs_the_same_neo4j_as_the_tests() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["neo4j"]["image"]
    assert image.startswith(f"neo4j:{_pom_neo4j_version()}")


def test_compose_has_password_from_env_volume_healthcheck_and_ordering() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    neo4j = compose["services"]["neo4j"]
    api = compose["services"]["api"]
    assert "${NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]
    assert any(v.endswith(":/data") for v in neo4j["volumes"])
    assert neo4j["healthcheck"]["test"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["CASEGRAPH_NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["build"] == "."


def test_dockerfile_installs_the_package_and_serves() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", text, re.M)
    assert "pip install" in text and "casegraph serve" in text
    # the web explorer's library comes from the pinned npm lock file, not a CDN
    assert "npm ci" in text and "package-lock.json" in text
    assert "cytoscape.min.js ./casegraph/web/vendor/" in text


COMPOSE_FILES = ("docker-compose.yml", "deploy/docker-compose.replicas.yml")
#: What the host must set for the compose files (Compose fails without them).
HOST = {"NEO4J_PASSWORD": "s3cret", "CASEGRAPH_PROTECTION_KEY": "a2V5" * 11}


def _compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_follows_the_compose_specification(name: str) -> None:
    schema = json.loads((ROOT / "tests" / "fixtures" / "deploy" / "compose-spec.json").read_text())
    jsonschema.validate(_compose(name), schema)
    broken = {**_compose(), "services": {"neo4j": {"image": 7, "healthcheck": {"test": {}}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def _interpolated(text: str, host: dict[str, str]) -> str:
    """What Compose makes of a value: ``${X}``/``${X:?msg}`` from the host, ``$$`` → ``$``."""

    def host_value(m: re.Match[str]) -> str:
        return host[m.group(1)]

    text = re.sub(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[?-][^}]*)?\}", host_value, text)
    return text.replace("$$", "$")


def _container_commands(service: dict[str, Any]) -> list[str]:
    out = []
    test = service.get("healthcheck", {}).get("test")
    if isinstance(test, list) and test[:1] == ["CMD-SHELL"]:
        out.append(test[1])
    elif isinstance(test, list):
        out.append(" ".join(test[1:]))
    for key in ("command", "entrypoint"):
        value = service.get(key)
        if value:
            out.append(value if isinstance(value, str) else " ".join(value))
    return out


@pytest.mark.parametrize("compose", COMPOSE_FILES)
def test_every_variable_a_container_command_uses_is_in_its_environment(compose: str) -> None:
    for name, service in _compose(compose)["services"].items():
        env = {k: _interpolated(str(v), HOST) for k, v in service.get("environment", {}).items()}
        for command in _container_commands(service):
            line = _interpolated(command, HOST)
            used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", line))
            assigned = set(re.findall(r"(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=", line))
            missing = used - set(env) - assigned
            assert not missing, f"{compose} {name}: {sorted(missing)} not in its environment"


def test_the_replicas_compose_file_runs_two_identical_replicas_behind_nginx() -> None:
    compose = _compose("deploy/docker-compose.replicas.yml")
    services = compose["services"]
    replicas = {k: v for k, v in services.items() if k.startswith("api-")}
    assert sorted(replicas) == ["api-a", "api-b"]
    envs = [{k: _interpolated(str(v), HOST) for k, v in r["environment"].items()}
            for r in replicas.values()]  # fmt: skip
    shared = ("CASEGRAPH_NEO4J_URI", "CASEGRAPH_PROTECTION_KEY", "CASEGRAPH_AUDIT_SINK")
    # the same graph, the same protection key (from the host, never made per container)
    # and the shared audit sink; each names itself in the audit
    for name in shared:
        assert envs[0][name] == envs[1][name], name
    assert envs[0]["CASEGRAPH_PROTECTION_KEY"] == HOST["CASEGRAPH_PROTECTION_KEY"]
    assert envs[0]["CASEGRAPH_AUDIT_SINK"] in ("neo4j", "both")
    assert envs[0]["CASEGRAPH_AUDIT_INSTANCE"] != envs[1]["CASEGRAPH_AUDIT_INSTANCE"]
    for r in replicas.values():
        assert r["build"] == ".." and r["command"][:2] == ["casegraph", "serve"]
        assert r["depends_on"]["init"]["condition"] == "service_completed_successfully"
        assert "/health" in " ".join(r["healthcheck"]["test"])
    # the one-shot init makes the schema, the seed and the first key; the replicas only serve
    assert "apikey create" in services["init"]["command"][2]
    assert services["init"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    # Neo4j with GDS, the password from the host
    neo4j = services["neo4j"]
    assert "graph-data-science" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert "${NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]
    # nginx: its upstream lists every replica; it is the proxy the replicas trust
    nginx = services["nginx"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.findall(r"^\s*server\s+([\w-]+):(\d+)", conf, re.M)
    assert sorted(upstream) == [("api-a", "8000"), ("api-b", "8000")]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    address = nginx["networks"]["backend"]["ipv4_address"]
    assert all(e["CASEGRAPH_TRUSTED_PROXIES"] == address for e in envs)
    assert {k: v["condition"] for k, v in nginx["depends_on"].items()} == {
        "api-a": "service_healthy",
        "api-b": "service_healthy",
    }


def test_the_neo4j_healthcheck_logs_in_with_the_password(tmp_path: Path) -> None:
    # the healthcheck's shell line, run by sh as the container would, with a cypher-shell
    # that records its arguments and accepts only the right password
    neo4j = _compose()["services"]["neo4j"]
    host = dict(HOST)
    env = {k: _interpolated(str(v), host) for k, v in neo4j["environment"].items()}
    fake = tmp_path / "cypher-shell"
    fake.write_text('#!/bin/sh\necho "$@" > "$ARGS_FILE"\n[ "$4" = s3cret ]\n')
    fake.chmod(0o755)
    line = _interpolated(neo4j["healthcheck"]["test"][1], host)
    args = tmp_path / "args"
    done = subprocess.run(
        ["sh", "-c", line],
        env={**env, "PATH": f"{tmp_path}:/usr/bin:/bin", "ARGS_FILE": str(args)},
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 0, args.read_text()
    assert args.read_text().split()[:4] == ["-u", "neo4j", "-p", "s3cret"]


def _dockerfile_cmd() -> str:
    text = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))  # type: ignore[union-attr]
    assert cmd[:2] == ["sh", "-c"]
    return str(cmd[2])


@pytest.mark.timeout(900)  # eight command-line starts; slow on a busy 2-core machine
def test_the_container_start_makes_one_admin_key_once(
    db: GraphDB, neo4j_uri: str, tmp_path: Path
) -> None:
    # the image's CMD, run twice against the test Neo4j, with the real casegraph for every
    # step but `serve` (which would not return)
    real = Path(sys.executable).with_name("casegraph")
    wrapper = tmp_path / "casegraph"
    wrapper.write_text(f'#!/bin/sh\n[ "$1" = serve ] && exit 0\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "CASEGRAPH_NEO4J_URI": neo4j_uri,
    }
    logs = []
    for _ in range(2):
        done = subprocess.run(
            ["sh", "-c", _dockerfile_cmd()], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        logs.append(done.stdout)
    assert re.search(r"^admin key: cg_\w+_\S+$", logs[0], re.M)
    assert "admin key" not in logs[1]
    docker_keys = [k for k in list_keys(db) if k["name"] == "docker"]
    assert [(k["role"], k["revoked"]) for k in docker_keys] == [("admin", False)]
