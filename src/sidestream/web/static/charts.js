// The five-indicator chart: each indicator's share by kind of stream (the table holds the numbers).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("indicator-chart");
  const source = document.getElementById("chart-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const colours = { material: "#a16207", energy: "#c2410c", water: "#1d4ed8" };
  const kinds = Object.keys(data.series);
  const totals = data.labels.map((_, i) => kinds.reduce((sum, k) => sum + data.series[k][i], 0));
  const share = (kind) => data.series[kind].map((v, i) => (totals[i] ? (100 * v) / totals[i] : 0));
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: kinds.map((kind) => ({
        label: data.kinds[kind], data: share(kind), backgroundColor: colours[kind],
      })),
    },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, max: 100, ticks: { callback: (v) => v + " %" } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" } },
    },
  });
});
