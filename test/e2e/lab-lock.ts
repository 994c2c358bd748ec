/**
 * An exclusive lock on the libvirt lab across test processes (vitest runs test files in parallel
 * forks; two files resetting and migrating the same lab VMs at once would break each other).
 * The lock is a file holding the owner's PID; a lock whose owner died is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner: number;
    try {
      owner = Number(readFileSync(file, 'utf8').trim());
    } catch {
      return false; // released meanwhile: try again
    }
    // an empty file is a lock being taken right now (created, PID not written yet): wait
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) return false;
    unlinkSync(file); // stale: its owner is gone
    return false;
  }
}

/** Waits until this process holds the lab lock; returns the function that releases it. */
export async function lockLab(labDir: string, timeoutMs = 600_000): Promise<() => void> {
  const file = join(labDir, 'tests.lock');
  const deadline = Date.now() + timeoutMs;
  while (!tryTake(file)) {
    if (Date.now() > deadline) throw new Error(`the lab is locked by another test process (${file}) for more than ${timeoutMs} ms`);
    await sleep(250);
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
