/**
 * A minimal Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format 0.0.4. Collectors run before each render to refresh derived values.
 */
export type Labels = Record<string, string>;
type Kind = 'counter' | 'gauge' | 'histogram';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}` : '';
}

function num(v: number): string {
  return v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : Number.isNaN(v) ? 'NaN' : String(v);
}

interface HistogramCell {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  private readonly cells = new Map<string, HistogramCell>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly kind: Kind,
    readonly buckets: number[] = [],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const cur = this.values.get(key);
    this.values.set(key, { labels, value: (cur?.value ?? 0) + by });
  }

  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), { labels, value });
  }

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.cells.set(key, cell);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) cell.counts[i]++;
    });
    cell.sum += value;
    cell.count++;
  }

  /** Forgets every sample (collectors that recompute from scratch). */
  reset(): void {
    this.values.clear();
    this.cells.clear();
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.kind}`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${num(value)}`);
    for (const c of this.cells.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...c.labels, le: num(b) })} ${c.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...c.labels, le: '+Inf' })} ${c.count}`);
      lines.push(`${this.name}_sum${labelText(c.labels)} ${num(c.sum)}`);
      lines.push(`${this.name}_count${labelText(c.labels)} ${c.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: Array<() => void> = [];

  counter(name: string, help: string): Metric {
    return this.add(new Metric(name, help, 'counter'));
  }
  gauge(name: string, help: string): Metric {
    return this.add(new Metric(name, help, 'gauge'));
  }
  histogram(name: string, help: string, buckets: number[]): Metric {
    return this.add(
      new Metric(
        name,
        help,
        'histogram',
        [...buckets].sort((a, b) => a - b),
      ),
    );
  }
  /** Runs before every render (derive gauges from the store, for example). */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const c of this.collectors) c();
    return this.metrics.map((m) => m.render()).join('');
  }

  private add(m: Metric): Metric {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric "${m.name}" registered twice`);
    this.metrics.push(m);
    return m;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
