import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateRegion } from '../../bench/gen.js';
import { InventorySchema, parseInventory } from '../../planner/model/inventory.js';
import { compileFastParser } from '../../planner/model/fast-schema.js';

const host = {
  name: 'h1',
  cell: 'c',
  vcpus: 4,
  memoryMb: 1024,
  diskGb: 10,
  hypervisorType: 'QEMU',
  hypervisorVersion: 1,
  cpuModel: 'x',
};
const inst = { id: 'i1', host: 'h1', status: 'ACTIVE', vcpus: 1, memoryMb: 512, diskGb: 1 };
const group = { id: 'g', policy: 'affinity' };

/** Values that sit on or across the schema's boundaries. */
const oddValues = [
  undefined,
  null,
  -1,
  -0,
  0,
  0.5,
  1,
  1.5,
  2 ** 53,
  1e300,
  '',
  'x',
  'h1',
  'g',
  'ACTIVE',
  'down',
  'local',
  'custom',
  'soft-affinity',
  true,
  false,
  [],
  [''],
  ['x'],
  {},
];
const fields = [...new Set([...Object.keys(InventorySchema.shape.hosts.element.shape), 'extra'])];
const instanceFields = [...Object.keys(InventorySchema.shape.instances.element.shape), 'extra'];

/** A small valid document with one field of one record (or the root) set to an odd value. */
const mutatedDoc = fc
  .record({
    target: fc.constantFrom('host', 'instance', 'group', 'root'),
    field: fc.constantFrom(...fields, ...instanceFields, 'policy', 'hosts', 'instances', 'serverGroups'),
    value: fc.constantFrom(...oddValues),
    more: fc.boolean(),
  })
  .map(({ target, field, value, more }) => {
    const doc: Record<string, unknown> = {
      hosts: [{ ...host }, { ...host, name: 'h2', zone: 'z', cpuUsage: 0.2 }],
      instances: [{ ...inst }, { ...inst, id: 'i2', serverGroup: 'g', cpuMode: 'custom', cpuModel: 'm' }],
    };
    if (more) doc.serverGroups = [{ ...group }];
    const record =
      target === 'root'
        ? doc
        : target === 'group'
          ? ((doc.serverGroups as object[] | undefined)?.[0] ?? doc)
          : (doc[target === 'host' ? 'hosts' : 'instances'] as Record<string, unknown>[])[1];
    (record as Record<string, unknown>)[field] = value;
    return doc;
  });

describe('compileFastParser', () => {
  it.each([false, true])('never accepts what zod rejects, and returns what zod returns (in place: %s)', (inPlace) => {
    const fast = compileFastParser(InventorySchema, { inPlace });
    fc.assert(
      fc.property(mutatedDoc, (doc) => {
        const zod = InventorySchema.safeParse(structuredClone(doc));
        const got = fast(doc);
        if (got === undefined) return;
        expect(zod.success).toBe(true);
        expect(got).toEqual(zod.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the bench region without deferring to zod, in place and as a copy', () => {
    const doc = generateRegion({ cells: 2, hostsPerCell: 50, seed: 3 });
    const copy = compileFastParser(InventorySchema)(doc);
    expect(copy).toEqual(InventorySchema.parse(doc));
    expect(copy?.hosts[0]).not.toBe(doc.hosts[0]);
    const adopted = compileFastParser(InventorySchema, { inPlace: true })(doc);
    expect(adopted?.instances[0]).toBe(doc.instances[0]);
  });

  it('drops unknown keys as zod does, copying only the objects that have them', () => {
    const doc = {
      hosts: [
        { ...host, note: 'x' },
        { ...host, name: 'h2' },
      ],
      instances: [],
    };
    const second = doc.hosts[1];
    const out = compileFastParser(InventorySchema, { inPlace: true })(doc);
    expect(out?.hosts[0]).not.toHaveProperty('note');
    expect(out?.hosts[1]).toBe(second);
  });

  it.each([
    ['a regex', z.object({ a: z.string().regex(/x/) })],
    ['a refinement', z.object({ a: z.number().refine((n) => n > 1) })],
    ['a union', z.object({ a: z.union([z.string(), z.number()]) })],
    ['coercion', z.object({ a: z.coerce.number() })],
    ['a passthrough object', z.object({ a: z.string() }).catchall(z.unknown())],
  ])('refuses to compile %s rather than accept too much', (_name, schema) => {
    expect(() => compileFastParser(schema as z.ZodType)).toThrow(/fast schema: unsupported/);
  });
});

describe('parseInventory with the fast pass', () => {
  it('reports the same issues as before for a document the fast pass declines', () => {
    const doc = { hosts: [{ ...host, vcpus: -1, memoryMb: 'x' }], instances: [{ ...inst, status: 'RUNNING' }] };
    const r = parseInventory(doc, { adopt: true });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.path)).toEqual(['hosts[0].vcpus', 'hosts[0].memoryMb', 'instances[0].status']);
  });

  it('leaves a document it does not adopt untouched', () => {
    const doc = { hosts: [{ ...host }], instances: [{ ...inst }] };
    const before = structuredClone(doc);
    const r = parseInventory(doc);
    expect(r.ok).toBe(true);
    expect(doc).toEqual(before);
  });

  it('completes an adopted document in place with every default', () => {
    const doc = { hosts: [{ ...host }], instances: [{ ...inst }] };
    const r = parseInventory(doc, { adopt: true });
    expect(r.ok && r.inventory.instances[0]).toBe(doc.instances[0]);
    expect(r.ok && r.inventory.instances[0]).toMatchObject({ name: 'i1', storage: 'shared', cpuModel: null });
    expect(r.ok && r.inventory.hosts[0]).toMatchObject({ compatibleCpuModels: ['x'], zone: null, enabled: true });
  });
});
