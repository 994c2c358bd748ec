/** Changes to domains caused by migrations and by suspend / resume. */
import { HypervisorError } from '../errors.js';
import type { Engine } from './engine.js';
import type { Job } from './flow.js';
import type { SimState } from './state.js';

/** A migration finished copying: the domain now lives on the destination only. */
export function land(
  state: SimState,
  job: Job,
  now: number,
  records: Map<Job, { endedAt: number | null; outcome: string }>,
): void {
  state.accountCpu(now);
  const d = state.domains.get(job.req.domainId)!;
  d.host = job.req.to;
  d.postCopyTo = null;
  if (job.req.mode !== 'cold') d.state = job.suspended ? 'paused' : 'running';
  const rec = records.get(job);
  if (rec) Object.assign(rec, { endedAt: now, outcome: 'completed' });
}

export function setRunState(
  state: SimState,
  engine: Engine,
  host: string,
  id: string,
  to: 'running' | 'paused',
  now: number,
) {
  engine.sync();
  state.reachable(host);
  const d = state.domains.get(id);
  if (!d || !state.placeOf(d).runningOn.includes(host))
    throw new HypervisorError('NOT_FOUND', `domain ${id} is not running on ${host}`, false);
  state.accountCpu(now);
  d.state = to;
  const h = engine.find((j) => j.req.domainId === id);
  if (h) h.job.suspended = to === 'paused';
  engine.kick();
}
