import { describe, expect, it } from 'vitest';
import { nearNames, validateRequest } from '../../planner/model/request.js';
import { host, inventory } from './support/tiny.js';

const inv = inventory([host('HostA'), host('HostB'), host('HostC', { cell: 'cell2' })], []);

describe('validateRequest', () => {
  it.each([
    ['a valid drain', { goal: 'drain' as const, hosts: ['HostA'] }, []],
    ['a valid balance', { goal: 'balance' as const, cells: ['cell1'], threshold: 0.2, maxMoves: 5 }, []],
    ['a balance of all cells', { goal: 'balance' as const }, []],
    ['an empty host list', { goal: 'drain' as const, hosts: [] }, ['host']],
    ['an unknown host', { goal: 'drain' as const, hosts: ['hostb'] }, ['host']],
    ['a duplicate host', { goal: 'drain' as const, hosts: ['HostA', 'HostA'] }, ['host']],
    ['an unknown cell', { goal: 'balance' as const, cells: ['cel1'] }, ['cell']],
    ['a host outside the requested cell', { goal: 'drain' as const, hosts: ['HostC'], cells: ['cell1'] }, ['host']],
    ['a threshold above 1', { goal: 'balance' as const, threshold: 1.5 }, ['threshold']],
    ['a threshold that is not a number', { goal: 'balance' as const, threshold: 'x' }, ['threshold']],
    ['a negative maxMoves', { goal: 'balance' as const, maxMoves: -1 }, ['maxMoves']],
    ['a fractional maxMoves', { goal: 'balance' as const, maxMoves: 2.5 }, ['maxMoves']],
    [
      'several problems at once',
      { goal: 'balance' as const, cells: ['x'], threshold: -1, maxMoves: 'a' },
      ['cell', 'threshold', 'maxMoves'],
    ],
  ])('%s', (_name, request, paths) => {
    expect(validateRequest(inv, request).map((i) => i.path)).toEqual(paths);
  });

  it('suggests near host names and shows the value received', () => {
    const [issue] = validateRequest(inv, { goal: 'drain', hosts: ['HostD'] });
    expect(issue.message).toContain('"HostD"');
    expect(issue.message).toContain('did you mean "HostA", "HostB", "HostC"');
    const [t] = validateRequest(inv, { goal: 'balance', threshold: 7 });
    expect(t.message).toContain('got 7');
  });

  it('names the cell of a host outside the requested cell', () => {
    const [issue] = validateRequest(inv, { goal: 'drain', hosts: ['HostC'], cells: ['cell1'] });
    expect(issue.message).toBe('host "HostC" is in cell "cell2", not in the requested cell "cell1"');
  });
});

describe('nearNames', () => {
  it('matches case-insensitively and by substring', () => {
    expect(nearNames('hostb', ['HostB', 'other'])).toEqual(['HostB']);
    expect(nearNames('compute-01', ['compute-01.example.org', 'x'])).toEqual(['compute-01.example.org']);
    expect(nearNames('zzz', ['HostA'])).toEqual([]);
  });
});
