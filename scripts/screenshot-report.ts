/**
 * Renders the capacity report of the demo region and saves a screenshot of its top (summary
 * and the first cell) to docs/report.png, with Debian's Chromium. Run by hand:
 *   npx tsx scripts/screenshot-report.ts [out.png]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { demoRegion } from '../src/demo/region.js';
import { defaultNightlyConfig } from '../src/nightly/config.js';
import { buildCapacityReport, renderHtml } from '../src/report/index.js';

const out = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'docs', 'report.png'));
const nightly = defaultNightlyConfig();
const inventory = demoRegion({ seed: 7, cells: 3, size: 72 });
const report = buildCapacityReport(inventory, {
  now: Date.parse('2026-01-12T08:00:00Z'),
  maintenanceHosts: [inventory.hosts[3].name],
  balance: { threshold: nightly.threshold, maxMoves: nightly.maxMovesPerNight },
});

const dir = mkdtempSync(join(tmpdir(), 'report-shot-'));
const page = join(dir, 'report.html');
writeFileSync(page, renderHtml(report));
const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  headless: true,
  viewport: { width: 1200, height: 900 },
});
try {
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(page).href);
  const first = await tab.locator('section.cell').first().boundingBox();
  const height = Math.ceil((first?.y ?? 0) + (first?.height ?? 900) + 16);
  mkdirSync(dirname(out), { recursive: true });
  await tab.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1200, height } });
  process.stdout.write(`${out} (${1200}x${height})\n`);
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
}
