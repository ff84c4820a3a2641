#!/usr/bin/env bash
# Refresh the vendored front-end files in src/sidestream/web/static/vendor from npm.
# The copies are committed, so a fresh machine needs neither npm nor a CDN to serve the app.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
dest=src/sidestream/web/static/vendor
mkdir -p "$dest/leaflet/images" "$dest/htmx" "$dest/chartjs" "$dest/swagger-ui"
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$dest/htmx/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
   node_modules/leaflet/LICENSE "$dest/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$dest/leaflet/images/"
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$dest/chartjs/"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
   node_modules/swagger-ui-dist/LICENSE node_modules/swagger-ui-dist/NOTICE \
   node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt "$dest/swagger-ui/"
echo "vendored into $dest"
