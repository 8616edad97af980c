#!/usr/bin/env bash
# Fetch the browser assets the dashboard's map needs from the npm registry, so the page never
# touches a CDN: Streamlit serves ./static at /app/static/ (.streamlit/config.toml enableStaticServing).
# Usage: bash scripts/fetch_vendor.sh static/vendor
set -euo pipefail

dest="${1:-static/vendor}"
# name@version -> folder under $dest. Pinned: geo/mapview.py refers to files inside these packages.
packages=(
  "leaflet@1.9.3 leaflet"
  "leaflet.markercluster@1.5.3 leaflet.markercluster"
  "leaflet.featuregroup.subgroup@1.0.2 leaflet.featuregroup.subgroup"
)

command -v npm >/dev/null 2>&1 || { echo "fetch_vendor: npm is needed (apt-get install npm)" >&2; exit 1; }

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for entry in "${packages[@]}"; do
  read -r spec folder <<<"$entry"
  if [[ -f "$dest/$folder/package.json" ]] && grep -q "\"version\": \"${spec##*@}\"" "$dest/$folder/package.json"; then
    continue
  fi
  tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
  rm -rf "${dest:?}/$folder"
  mkdir -p "$dest/$folder"
  tar -xzf "$work/$tarball" -C "$dest/$folder" --strip-components=1
  echo "fetch_vendor: $spec -> $dest/$folder"
done

# streamlit-folium adds stylesheets after the scripts, so Leaflet cannot infer where its marker
# images live from leaflet.css; this shim, loaded right after leaflet.js, says it explicitly.
cat >"$dest/leaflet-imagepath.js" <<'JS'
L.Icon.Default.imagePath = "/app/static/vendor/leaflet/dist/images/";
JS

for f in leaflet/dist/leaflet.js leaflet/dist/leaflet.css \
         leaflet.markercluster/dist/leaflet.markercluster.js \
         leaflet.markercluster/dist/MarkerCluster.css leaflet.markercluster/dist/MarkerCluster.Default.css \
         leaflet.featuregroup.subgroup/dist/leaflet.featuregroup.subgroup.js; do
  [[ -s "$dest/$f" ]] || { echo "fetch_vendor: missing $dest/$f" >&2; exit 1; }
done
