/**
 * The HTML report in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core):
 * the charts render, key texts are visible, and the page logs no error and makes no request
 * that fails. Skips without Chromium unless REBALANCER_REQUIRE_REAL is set, then it fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildCapacityReport } from '../../src/report/build.js';
import { renderHtml } from '../../src/report/html.js';
import { scenario } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const available = existsSync(CHROMIUM);
const required = Boolean(process.env.REBALANCER_REQUIRE_REAL);

/** Serves the page at / and answers the browser's automatic favicon request with no content. */
async function serve(html: string): Promise<{ server: Server; url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, paths };
}

describe('capacity report in headless Chromium', () => {
  it('renders the SVG charts and key texts with no console error or failed request', async (ctx) => {
    if (!available) {
      if (required)
        throw new Error(
          `${CHROMIUM} is missing (REBALANCER_REQUIRE_REAL is set): apt-get install -y --no-install-recommends chromium`,
        );
      ctx.skip();
    }
    const started = performance.now();
    const report = buildCapacityReport(scenario('cell-boundary'), { now: Date.parse('2026-01-10T12:00:00Z') });
    const { server, url, paths } = await serve(renderHtml(report));
    const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
    });
    const problems: string[] = [];
    try {
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
      const response = await page.goto(url, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);

      expect(await page.locator('svg').count()).toBe(3 * report.cells.length);
      const boxes = await page
        .locator('svg rect.bar')
        .evaluateAll(
          (rects) => rects.map((r) => r.getBoundingClientRect()).filter((b) => b.width > 0 && b.height > 0).length,
        );
      // two allocation charts with a bar per host, plus two bars per resource in each headroom chart
      expect(boxes).toBe(2 * report.hosts.length + 6 * report.cells.length);
      for (const text of [
        'Capacity review',
        'Cell cell1',
        'N+1: can each host be drained now?',
        'Fragmentation: how many more instances of each size fit',
        "Tonight's balance",
        'Rolling maintenance: can the cell be patched now?',
      ]) {
        expect(await page.getByText(text, { exact: true }).first().isVisible(), text).toBe(true);
      }
      const blocked = page.locator('section#cell-cell1 table').filter({ hasText: 'c1-h0' }).first();
      expect(await blocked.isVisible()).toBe(true);
      expect(await blocked.textContent()).toContain('NO_CAPACITY');
      // the rolling-maintenance table: cell1 cannot be patched (its first step fails), cell2 can
      const patching = (cell: string) =>
        page.locator(`section#cell-${cell} table`).filter({ hasText: 'Hosts out at once' }).first();
      expect(await patching('cell1').isVisible()).toBe(true);
      const cell1 = await patching('cell1').locator('tbody tr').allInnerTexts();
      expect(cell1).toHaveLength(2);
      expect(cell1[0]).toMatch(/^1\s+no\s+4\s.*step 1 \(c1-h\d\) cannot be emptied/);
      const cell2 = await patching('cell2').locator('tbody tr').allInnerTexts();
      expect(cell2.map((row) => row.split(/\s+/).slice(0, 3).join(' '))).toEqual(['1 yes 4', '2 yes 2']);
      expect(problems).toEqual([]);
      expect(paths.filter((p) => p !== '/' && p !== '/favicon.ico')).toEqual([]);
    } finally {
      await context.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    }
    console.info(`chromium report test took ${Math.round(performance.now() - started)} ms`);
  });
});
