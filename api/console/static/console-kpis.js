// KPIs over time, drawn as inline SVG by this file (no chart library): one chart per KPI,
// one line per supplier, one point per day or week that has a figure. The data is
// GET console/kpis?period=day|week&from=&to= (the read side's series over the KPI view): a
// window of days, by default the latest 90 days or 52 weeks up to the newest release.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const CHARTS = [
  { id: "ack-latency", field: "ack_latency_median_hours", title: "Acknowledgement latency, median h", share: false },
  { id: "ack-within-sla", field: "ack_within_sla_share", title: "Acknowledged within SLA", share: true },
  { id: "asn-on-time", field: "asn_on_time_share", title: "ASN on time", share: true },
  { id: "asn-complete", field: "asn_completeness_share", title: "Receipts with an ASN (ASN completeness)", share: true },
  { id: "invoice-exceptions", field: "invoice_exception_rate", title: "Invoice exception rate", share: true },
  { id: "touchless", field: "touchless_invoice_rate", title: "Touchless invoices", share: true },
];
const PALETTE = ["#0b5cad", "#b3261e", "#1e7b34", "#8a5a00", "#6a3fa0", "#00727a"];
const WIDTH = 420;
const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

let kpiAsked = 0; // the latest read asked: an answer to an earlier one is not drawn

async function loadKpiCharts() {
  const asked = ++kpiAsked;
  const query = new URLSearchParams({ period: $("kpi-period").value });
  if ($("kpi-from").value) query.set("from", $("kpi-from").value);
  if ($("kpi-to").value) query.set("to", $("kpi-to").value);
  const response = await call(`console/kpis?${query}`);
  if (asked !== kpiAsked) return; // the window changed meanwhile: its own read draws it
  if (!response.ok) throw new HubError(await problemDetail(response));
  const points = await response.json();
  if (asked !== kpiAsked) return;
  const starts = [...new Set(points.map((p) => p.start))].sort();
  const suppliers = [...new Set(points.map((p) => p.supplier))].sort();
  const colour = (supplier) => PALETTE[suppliers.indexOf(supplier) % PALETTE.length];
  $("charts").replaceChildren(
    ...CHARTS.map((chart) => drawChart(chart, points, starts, suppliers, colour)),
  );
  $("kpi-shown").textContent = starts.length
    ? `Shown: ${starts[0]} to ${starts[starts.length - 1]}.`
    : "No order was released in this window.";
  $("kpi-legend").replaceChildren(
    ...suppliers.map((supplier) => {
      const item = document.createElement("span");
      item.className = "legend-item";
      item.style.setProperty("--swatch", colour(supplier));
      item.textContent = supplier;
      return item;
    }),
  );
}

function drawChart(chart, points, starts, suppliers, colour) {
  const figure = document.createElement("figure");
  figure.className = "chart";
  const caption = document.createElement("figcaption");
  caption.textContent = chart.title;
  const values = points.map((p) => p.kpis[chart.field]).filter((v) => v !== null);
  const top = chart.share ? 1 : Math.max(1, ...values) * 1.1;
  const x = (start) =>
    PAD.left +
    (starts.length === 1 ? 0.5 : starts.indexOf(start) / (starts.length - 1)) *
      (WIDTH - PAD.left - PAD.right);
  const y = (value) => HEIGHT - PAD.bottom - (value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const plot = svg("svg", {
    id: `chart-${chart.id}`, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
    "aria-label": chart.title,
  });
  for (const tick of [0, 0.5, 1]) {
    const at = y(tick * top);
    plot.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: at, y2: at, class: "grid" }));
    const label = svg("text", { x: PAD.left - 6, y: at + 4, class: "tick", "text-anchor": "end" });
    label.textContent = chart.share ? `${tick * 100} %` : (tick * top).toFixed(1);
    plot.append(label);
  }
  const ends = starts.length > 1 ? [starts[0], starts[starts.length - 1]] : starts;
  for (const [index, start] of ends.entries()) {
    const anchor = ends.length === 1 ? "middle" : index === 0 ? "start" : "end";
    const label = svg("text", { x: x(start), y: HEIGHT - 8, class: "tick", "text-anchor": anchor });
    label.textContent = start;
    plot.append(label);
  }
  for (const supplier of suppliers) {
    const own = points
      .filter((p) => p.supplier === supplier && p.kpis[chart.field] !== null)
      .sort((a, b) => (a.start < b.start ? -1 : 1));
    const line = own.map((p) => `${x(p.start).toFixed(1)},${y(p.kpis[chart.field]).toFixed(1)}`);
    plot.append(svg("polyline", { points: line.join(" "), stroke: colour(supplier), class: "series" }));
    for (const p of own) {
      const dot = svg("circle", {
        cx: x(p.start), cy: y(p.kpis[chart.field]), r: 3, fill: colour(supplier), class: "point",
        "data-supplier": supplier, "data-start": p.start,
      });
      const tip = svg("title");
      const value = p.kpis[chart.field];
      tip.textContent = `${supplier}, ${p.start}: ${chart.share ? `${Math.round(value * 100)} %` : value.toFixed(1)}`;
      dot.append(tip);
      plot.append(dot);
    }
  }
  figure.append(caption, plot);
  return figure;
}

document.addEventListener("console:signed-in", () => reported(loadKpiCharts()));
document.addEventListener("DOMContentLoaded", () => {
  $("kpi-filters").addEventListener("change", () => reported(loadKpiCharts()));
});
