"""Write casegraph/extract/data/country-centroids.json from world-atlas's countries-50m.json
(Natural Earth 1:50m, public domain; npm `world-atlas`, pinned in web/package-lock.json).

    .venv/bin/python scripts/country-centroids.py   # after `make web-assets`
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casegraph.extract.geo import CENTROIDS, centroids_from_topojson  # noqa: E402

SOURCE = ROOT / "web" / "node_modules" / "world-atlas" / "countries-50m.json"


def main() -> None:
    topology = json.loads(SOURCE.read_text(encoding="utf-8"))
    version = json.loads((SOURCE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    table = {
        "source": f"world-atlas {version} countries-50m.json (Natural Earth 1:50m)",
        "method": "centroid of each country's largest polygon (planar, degrees)",
        "centroids": {k: list(v) for k, v in centroids_from_topojson(topology).items()},
    }
    rows = ",\n".join(
        f'  "{k}": [{lat}, {lon}]' for k, (lat, lon) in table.pop("centroids").items()
    )
    head = json.dumps(table, ensure_ascii=False)[:-1]
    CENTROIDS.write_text(head + ', "centroids": {\n' + rows + "\n}}\n", encoding="utf-8")
    print(f"{CENTROIDS}: {rows.count(chr(10)) + 1} countries")


if __name__ == "__main__":
    main()
