/**
 * GET /reports/capacity: the capacity-review report as HTML (browsers), JSON or CSV, chosen by
 * `?format=` or the Accept header. Building it plans a drain of every host, so the result is
 * kept for a short while and shared by concurrent requests.
 */
import accepts from 'accepts';
import type { ApiRequest, FastifyInstance, FastifyReply } from '../routing.js';
import { buildCapacityReport, renderCsv, renderHtml, renderJson, type CapacityReport } from '../../report/index.js';
import { campaignTiming } from '../../orchestrate/duration.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';

type Format = 'html' | 'json' | 'csv';

/** How long a built report is served before it is rebuilt. @default 30000 */
const REPORT_TTL_MS = 30_000;

function render(report: CapacityReport, format: Format): { body: string; type: string } {
  if (format === 'html') return { body: renderHtml(report), type: 'text/html; charset=utf-8' };
  if (format === 'csv') return { body: renderCsv(report), type: 'text/csv; charset=utf-8' };
  return { body: renderJson(report), type: 'application/json; charset=utf-8' };
}

export function reportRoutes(app: FastifyInstance, deps: AppDeps): void {
  let cached: { at: number; report: Promise<CapacityReport> } | null = null;
  const build = async (): Promise<CapacityReport> => {
    const inventory = await deps.inventorySource();
    const now = deps.clock.now();
    const inputs = await deps.lifecycle.capacityInputs(inventory, deps.config.nightly);
    return buildCapacityReport(inventory, {
      now,
      ...inputs,
      patching: { timing: campaignTiming(deps.config) },
    });
  };
  app.get('/reports/capacity', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.capacityReport.query);
    const format = p.format ?? (accepts(req.raw).type(['json', 'html', 'text/csv']) || undefined);
    if (!format) {
      throw new ApiError(
        406,
        'NOT_ACCEPTABLE',
        'the capacity report is available as text/html, application/json or text/csv',
        [{ path: 'accept', message: `got "${req.headers.accept}"` }],
      );
    }
    const now = deps.clock.now();
    if (!cached || now - cached.at > REPORT_TTL_MS) cached = { at: now, report: build() };
    const pending = cached;
    const report = await pending.report.catch((err: unknown) => {
      if (cached === pending) cached = null;
      throw err;
    });
    const out = render(report, format === 'text/csv' ? 'csv' : (format as Format));
    reply.type(out.type).send(out.body);
  });
}
