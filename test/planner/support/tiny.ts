/** Builders for tiny hand-made inventories used by the planner tests. */
import type { Host, Instance, Inventory, ServerGroup } from '../../../planner/model/inventory.js';
import type { Move, Plan } from '../../../planner/model/plan.js';

export function host(name: string, over: Partial<Host> = {}): Host {
  return {
    name,
    cell: 'cell1',
    zone: null,
    enabled: true,
    state: 'up',
    vcpus: 8,
    memoryMb: 16384,
    diskGb: 100,
    cpuAllocationRatio: 1,
    ramAllocationRatio: 1,
    diskAllocationRatio: 1,
    reservedVcpus: 0,
    reservedMemoryMb: 0,
    reservedDiskGb: 0,
    hypervisorType: 'QEMU',
    hypervisorVersion: 7002000,
    cpuModel: 'Skylake',
    compatibleCpuModels: ['Skylake'],
    cpuUsage: null,
    migrationBandwidthMbps: null,
    ...over,
  };
}

export function vm(id: string, on: string, over: Partial<Instance> = {}): Instance {
  return {
    id,
    name: id,
    host: on,
    status: 'ACTIVE',
    vcpus: 2,
    memoryMb: 4096,
    diskGb: 10,
    storage: 'shared',
    configDrive: false,
    cdrom: false,
    cpuMode: 'host-model',
    cpuModel: null,
    serverGroup: null,
    cpuUsage: null,
    dirtyRateMbps: null,
    pinned: false,
    ...over,
  };
}

export function inventory(hosts: Host[], instances: Instance[], serverGroups: ServerGroup[] = []): Inventory {
  return { hosts, instances, serverGroups };
}

/** A move with a consistent timeout for the default 800 s/GiB budget. */
export function move(instance: Instance, from: string, to: string, wave = 0, over: Partial<Move> = {}): Move {
  const mode = over.mode ?? (instance.status === 'SHUTOFF' ? 'cold' : instance.storage === 'local' ? 'block' : 'live');
  const gib = instance.memoryMb / 1024 + (mode === 'block' ? instance.diskGb : 0);
  return {
    instance: instance.id,
    name: instance.name,
    from,
    to,
    mode,
    wave,
    estimatedSeconds: 10,
    timeoutSeconds: 800 * Math.max(2, gib),
    gib,
    ...over,
  };
}

const noMetrics = {
  before: {},
  after: {},
  moves: 0,
  gibToCopy: 0,
  waves: 0,
  method: 'hand',
  objective: 0,
  lowerBound: 0,
  gap: 0,
};

export function drainPlan(hosts: string[], moves: Move[], over: Partial<Plan> = {}): Plan {
  return {
    goal: 'drain',
    target: { hosts },
    feasible: true,
    moves,
    unplaced: [],
    metrics: { ...noMetrics, moves: moves.length },
    ...over,
  };
}

export function balancePlan(cells: string[], moves: Move[], over: Partial<Plan> = {}): Plan {
  return {
    goal: 'balance',
    target: { cells },
    feasible: true,
    moves,
    unplaced: [],
    metrics: { ...noMetrics, moves: moves.length },
    ...over,
  };
}
