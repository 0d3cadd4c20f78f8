// Drives tqo serve's page on an instance with unit polygons
// (tests/cli/serve_polygons.sh): the map's shapes, a rectangle lasso and a
// freehand one, a Move of the lassoed units, the Quotas and Scenarios
// buttons, Save; prints as JSON what the page showed at each step.
// usage: node serve_polygons.js URL USER_DATA_DIR [SCREENSHOT.png]
"use strict";
const puppeteer = require("puppeteer-core");
const [url, profile, shot] = process.argv.slice(2);

async function waitIdle(page, pred, arg) {
  await page.waitForFunction(pred, { timeout: 120000 }, arg);
}

// Every unit's shape: id, tag, its point on screen (px, py through the
// map's transform), and whether that point lies inside its own polygon.
function unitShapes(page) {
  return page.evaluate(() => {
    const svg = document.getElementById("map"), m = svg.getScreenCTM();
    return [...svg.querySelectorAll(".u")].map((e) => {
      const x = Number(e.dataset.px), y = Number(e.dataset.py);
      const own = e.tagName === "path" ? e.isPointInFill(new DOMPoint(x, y)) : null;
      return { id: e.dataset.id, tag: e.tagName, d: e.getAttribute("d") || "", t: e.dataset.t, own,
               sx: m.a * x + m.c * y + m.e, sy: m.b * x + m.d * y + m.f };
    });
  });
}

const selectedIds = (page) => page.$$eval("#map .u.sel", (es) => es.map((e) => e.dataset.id).sort());

// A value near want with no unit coordinate within 2 px: lasso edges stay
// clear of the points, so "inside" has one answer.
function clearOf(vals, want) {
  for (let k = 0; k < 400; k++) {
    const v = want + (k % 2 ? 1 : -1) * Math.floor((k + 1) / 2) * 0.5;
    if (vals.every((u) => Math.abs(u - v) >= 2)) return v;
  }
  throw new Error("no clear lasso edge near " + want);
}

async function drag(page, pts, steps) {
  await page.mouse.move(pts[0][0], pts[0][1]);
  await page.mouse.down();
  for (const p of pts.slice(1)) await page.mouse.move(p[0], p[1], { steps });
  await page.mouse.up();
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium", headless: true, userDataDir: profile,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 800 });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: "load" });
    await waitIdle(page, () => document.body.dataset.version && !document.body.dataset.busy);
    let version = Number(await page.evaluate(() => document.body.dataset.version));
    const shapes = await unitShapes(page);
    const circles = await page.$$eval("#map circle", (cs) => cs.length);
    const box = await page.$eval("#map", (e) => { const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; });
    const xs = shapes.map((s) => s.sx), ys = shapes.map((s) => s.sy);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);

    // 1. A rectangle over a fifth of the width and height, in the middle
    //    (few enough units that the plan can be rebalanced around them).
    await page.select("#lassomode", "rect");
    const rect = [[clearOf(xs, x0 + 0.4 * (x1 - x0)), clearOf(ys, y0 + 0.4 * (y1 - y0))],
                  [clearOf(xs, x0 + 0.6 * (x1 - x0)), clearOf(ys, y0 + 0.6 * (y1 - y0))]];
    await drag(page, rect, 12);
    const rectSel = await selectedIds(page);
    const lassoCount = Number(await page.evaluate(() => document.body.dataset.lasso));
    // Move them to the territory that holds the fewest of them.
    const terrs = await page.$$eval("#dest option", (os) => os.map((o) => o.value));
    const tOf = Object.fromEntries(shapes.map((s) => [s.id, s.t]));
    const dest = terrs.map((t) => [rectSel.filter((id) => tOf[id] === t).length, t]).sort((a, b) => a[0] - b[0])[0][1];
    await page.select("#dest", dest);
    await page.click("#move");
    await waitIdle(page, (v) => !document.body.dataset.busy && document.body.dataset.version === String(v), version + 1);
    version++;
    const afterMove = Object.fromEntries((await unitShapes(page)).map((s) => [s.id, s.t]));
    // Rebalance around them (they stay: units moved by hand are locked).
    await page.click("#rebalance");
    await waitIdle(page, (v) => !document.body.dataset.busy && document.body.dataset.version === String(v), version + 1);
    version++;
    const rebalanced = await page.$eval("#status", (e) => e.textContent);
    const afterRebalance = Object.fromEntries((await unitShapes(page)).map((s) => [s.id, s.t]));

    // 2. A freehand triangle in the lower left (the outline's points are the
    //    mouse positions, along the three sides).
    await page.select("#lassomode", "free");
    const tri = [[x0 - 3, y1 + 3], [x0 + (x1 - x0) / 2, y1 + 3], [x0 - 3, y0 + (y1 - y0) / 2]].map((p) => p.map(Math.round));
    await drag(page, [...tri, tri[0]], 15);
    const freeSel = await selectedIds(page);

    // 3. Quotas and scenarios on the rebalanced plan, then Save (nothing
    //    left to rebalance: the saved plan is the one shown).
    await page.click("#quotas");
    await waitIdle(page, (v) => document.body.dataset.quotas === String(v) && !document.body.dataset.busy, version);
    const quotas = await page.$$eval("#quotatab tbody tr", (rs) => Object.fromEntries(rs.map((r) =>
      [r.dataset.territory, Number(r.children[2].dataset.v)])));
    await page.click("#scenarios");
    await waitIdle(page, (v) => document.body.dataset.scenarios === String(v) && !document.body.dataset.busy, version);
    const scen = await page.$$eval("#scentab tbody tr", (rs) => Object.fromEntries(rs.map((r) =>
      [r.dataset.scenario, Object.fromEntries([...r.querySelectorAll("td[data-metric]")].map((td) =>
        [td.dataset.metric, td.dataset.v === undefined ? null : Number(td.dataset.v)]))])));
    const staleBefore = await page.$$eval("#runs .stale", (es) => es.length);
    if (shot) await page.screenshot({ path: shot });
    await page.click("#save");
    await waitIdle(page, () => document.body.dataset.saved && !document.body.dataset.busy);
    const savedVersion = Number(await page.evaluate(() => document.body.dataset.saved));
    const staleAfter = await page.$$eval("#runs .stale", (es) => es.length);
    console.log(JSON.stringify({ shapes, circles, box, rect, rectSel, lassoCount, dest, afterMove, rebalanced, afterRebalance, tri, freeSel,
                                 quotas, scen, version, savedVersion, staleBefore, staleAfter, errors }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error("serve_polygons.js:", e); process.exit(1); });
