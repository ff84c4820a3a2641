// Maps: OpenStreetMap tiles when online; sites are vector markers, so they show offline too.
(function () {
  const KIND_COLOURS = {
    material: "#a16207", energy: "#c2410c", water: "#1d4ed8",
    capacity: "#6d28d9", service: "#0f766e", knowledge: "#4b5563",
  };

  function baseMap(element, centre, zoom) {
    const map = L.map(element, { scrollWheelZoom: false }).setView(centre, zoom);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18,
      attribution: "© OpenStreetMap contributors",
    }).addTo(map);
    return map;
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function regionMap() {
    const element = document.getElementById("region-map");
    const source = document.getElementById("map-data");
    if (!element || !source) return;
    const data = JSON.parse(source.textContent);
    const map = baseMap(element, [57, 13], 5);
    const bounds = [];
    data.lines.forEach((line) => {
      L.polyline([line.from, line.to], {
        color: KIND_COLOURS[line.kind], weight: 2.5, opacity: 0.7,
      }).bindTooltip(escapeHtml(line.title)).addTo(map);
    });
    const seen = {};
    data.points.forEach((p) => {
      const key = p.lat.toFixed(3) + "," + p.lon.toFixed(3);
      const n = (seen[key] = (seen[key] || 0) + 1) - 1;
      const angle = n * 2.4, radius = n ? 0.0025 * Math.sqrt(n) : 0;
      const at = [p.lat + radius * Math.sin(angle), p.lon + radius * Math.cos(angle) * 1.8];
      const colour = KIND_COLOURS[p.kind] || "#333";
      const marker = L.circleMarker(at, {
        radius: 7, color: colour, weight: 2.5,
        fillColor: colour, fillOpacity: p.direction === "offer" ? 0.85 : 0.1,
      });
      const title = p.url ? `<a href="${p.url}">${escapeHtml(p.title)}</a>` : escapeHtml(p.title);
      marker.bindPopup(`<strong>${title}</strong><br>${escapeHtml(p.org || "—")}`);
      marker.addTo(map);
      bounds.push(at);
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24] });
    element.dataset.markers = String(data.points.length);
  }

  function pickMap() {
    const element = document.getElementById("pick-map");
    if (!element) return;
    const lat = document.getElementById("lat"), lon = document.getElementById("lon");
    const read = () => [parseFloat(lat.value.replace(",", ".")), parseFloat(lon.value.replace(",", "."))];
    const start = read();
    const known = !isNaN(start[0]) && !isNaN(start[1]);
    const map = baseMap(element, known ? start : [57, 13], known ? 11 : 4);
    let marker = known ? L.marker(start).addTo(map) : null;
    map.on("click", (event) => {
      lat.value = event.latlng.lat.toFixed(5);
      lon.value = event.latlng.lng.toFixed(5);
      if (marker) marker.setLatLng(event.latlng); else marker = L.marker(event.latlng).addTo(map);
    });
    [lat, lon].forEach((input) => input.addEventListener("change", () => {
      const p = read();
      if (isNaN(p[0]) || isNaN(p[1])) return;
      if (marker) marker.setLatLng(p); else marker = L.marker(p).addTo(map);
      map.setView(p, 11);
    }));
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (window.L) {
      L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
      regionMap();
      pickMap();
    }
  });
})();
