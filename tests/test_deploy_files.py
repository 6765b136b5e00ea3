"""docker-compose.yml and the Dockerfile, checked by parsing (no Docker engine runs here)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

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
