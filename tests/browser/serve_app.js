// Drives tqo serve's page in headless Chromium (tests/cli/serve_browser.sh):
// moves three units through the page's controls (click, shift-click, the
// territory picker, Move), locks them, saves, then Undo, Redo, a fourth move
// and Rebalance; prints as JSON what the page showed at each step.
// usage: node serve_app.js URL USER_DATA_DIR [SCREENSHOT.png]
"use strict";
const puppeteer = require("puppeteer-core");
const [url, profile, shot] = process.argv.slice(2);

async function idle(page, version) {
  await page.waitForFunction(
    (v) => !document.body.dataset.busy && document.body.dataset.version === String(v) &&
           !document.getElementById("status").classList.contains("error"),
    { timeout: 60000 }, version);
}

// The deviations shown in the table, as numbers: { territory: dev_pct }.
function shownDevs(page) {
  return page.$$eval("#terr tbody tr", (rows) => Object.fromEntries(rows.map((r) =>
    [r.dataset.territory, parseFloat(r.querySelector("td.dev").textContent.replace(/\s*%$/, ""))])));
}

async function clickUnit(page, id, shift) {
  if (shift) await page.keyboard.down("Shift");
  await page.click('circle[data-id="' + id + '"]');
  if (shift) await page.keyboard.up("Shift");
}

// Clicks a button and waits for the answer: the page shows a new version.
async function button(page, sel) {
  const v = await page.evaluate(() => document.body.dataset.version);
  await page.click(sel);
  await page.waitForFunction((v0) => !document.body.dataset.busy && document.body.dataset.version !== v0,
                              { timeout: 120000 }, v);
  return { version: Number(await page.evaluate(() => document.body.dataset.version)), devs: await shownDevs(page),
           status: await page.$eval("#status", (e) => e.textContent) };
}

async function moveUnits(page, ids, dest, version) {
  for (let i = 0; i < ids.length; i++) await clickUnit(page, ids[i], i > 0);
  const n = await page.$eval("#selinfo", (e) => e.textContent);
  if (!n.startsWith(ids.length + " unit")) throw new Error("selection shows '" + n + "'");
  await page.select("#dest", dest);
  await page.click("#move");
  await idle(page, version + 1);
  return version + 1;
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
    await page.waitForFunction(() => document.body.dataset.version && !document.body.dataset.busy, { timeout: 30000 });
    let version = Number(await page.evaluate(() => document.body.dataset.version));
    // Units whose dot is on top at its centre, so that a click reaches it.
    const dots = await page.$$eval("#map circle", (cs) => cs.filter((c) => {
      const b = c.getBoundingClientRect();
      return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2) === c;
    }).map((c) => ({ id: c.dataset.id, t: c.dataset.t })));
    const terrs = await page.$$eval("#dest option", (os) => os.map((o) => o.value));
    const src = dots[0].t;
    const two = dots.filter((d) => d.t === src).slice(0, 2).map((d) => d.id);
    const third = dots.find((d) => d.t !== src);
    const dest1 = terrs.find((t) => t !== src && t !== third.t) || terrs.find((t) => t !== src);
    const dest2 = terrs.find((t) => t !== third.t && t !== dest1) || src;
    version = await moveUnits(page, two, dest1, version);      // click + shift-click, Move
    version = await moveUnits(page, [third.id], dest2, version); // a single click, Move
    const moved = { [two[0]]: dest1, [two[1]]: dest1, [third.id]: dest2 };
    const afterMoves = await shownDevs(page);
    const mapTerr = await page.$$eval("#map circle", (cs) => Object.fromEntries(cs.map((c) => [c.dataset.id, c.dataset.t])));
    // Lock the three units; Save (which rebalances the rest first).
    for (const [i, id] of Object.keys(moved).entries()) await clickUnit(page, id, i > 0);
    await page.click("#lock");
    await idle(page, ++version);
    const lockedShown = await page.$$eval("#map circle.locked", (cs) => cs.map((c) => c.dataset.id));
    const beforeSave = await shownDevs(page);
    await page.click("#save");
    await page.waitForFunction(() => document.body.dataset.saved && !document.body.dataset.busy, { timeout: 120000 });
    const afterSave = await shownDevs(page);
    const savedMap = await page.$$eval("#map circle", (cs) => Object.fromEntries(cs.map((c) => [c.dataset.id, c.dataset.t])));
    const [measure, tol] = await page.$eval("#terr td.dev", (td) => [td.dataset.measure, Number(td.dataset.tol)]);
    if (shot) await page.screenshot({ path: shot });
    // After Save: Undo (back to the hand-edited plan), Redo, Rebalance.
    const undone = await button(page, "#undo");
    const redone = await button(page, "#redo");
    // One more hand move out of the lowest territory into the highest puts
    // the plan out of balance: Rebalance must move units to restore it.
    const devs = redone.devs, ts = Object.keys(devs).sort((a, b) => devs[a] - devs[b]);
    const locked = new Set(lockedShown);
    const fourth = dots.find((d) => !locked.has(d.id) && savedMap[d.id] === ts[0]);
    await page.click("#map", { offset: { x: 1, y: 1 } });  // clears the selection
    await moveUnits(page, [fourth.id], ts[ts.length - 1], redone.version);
    const unbalanced = await shownDevs(page);
    const rebalanced = await button(page, "#rebalance");
    console.log(JSON.stringify({ measure, tol, moved, affected: [...new Set([src, third.t, dest1, dest2])],
                                 afterMoves, mapTerr, lockedShown, beforeSave, afterSave, undone, redone, unbalanced, rebalanced, savedMap, errors }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error("serve_app.js:", e); process.exit(1); });
