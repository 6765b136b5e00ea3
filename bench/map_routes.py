"""Time ``GET /map/routes`` (in process, FastAPI TestClient) on the graph at
``CASEGRAPH_NEO4J_URI``, as a viewer and as an admin: median of ``--n`` requests after two
warm-up requests. Load something with routes first (the seed, or a generated file).

    CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/python bench/map_routes.py --n 20
"""

from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    settings = Settings()
    db = GraphDB.from_settings(settings)
    app = create_app(db=db, settings=settings)
    for role in ("viewer", "admin"):
        key = create_key(db, role, name=f"bench-map-{role}").key
        with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
            times: list[float] = []
            body: dict[str, object] = {}
            for i in range(args.n + 2):
                start = time.perf_counter()
                response = client.get("/map/routes")
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, response.text
                body = response.json()
                if i >= 2:
                    times.append(elapsed)
            routes = body["routes"]
            assert isinstance(routes, list)
            named = sum(len(r.get("named", [])) for r in routes)
            print(
                f"{role:7} median {statistics.median(times):7.1f} ms  "
                f"(min {min(times):.1f}, max {max(times):.1f}; {len(routes)} routes, "
                f"{body['victims']} victims, {named} named)"
            )


if __name__ == "__main__":
    main()
