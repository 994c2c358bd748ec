/** The capacity-review report: build the model, render it as HTML, JSON or CSV. */
export { buildCapacityReport, type CapacityReportOptions } from './build.js';
export type * from './model.js';
export { renderCsv, CSV_COLUMNS } from './csv.js';
export { renderHtml } from './html.js';
export { renderJson } from './json.js';
