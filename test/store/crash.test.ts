// Crash safety of the SQLite store: a child process appends readings and prints
// every acknowledged one; we SIGKILL it mid-stream (twice, at random points),
// reopen the database and check that every acknowledged reading is there
// exactly once with its first body, and the acknowledged counter too.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore, type Reading } from '../../cloud/store/index.ts';
import { crashBody, tempDir } from './support.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const DEVICE = 'did:key:z6MkCrashDevice';
const OWNER = 'did:key:z6MkCrashOwner';

interface Run { acked: Set<number>; duplicates: number; counter: bigint; exit: string }

/** Run the child from `firstSeq` and kill it after `killAfter` acknowledged appends. */
function runAndKill(path: string, keyHex: string, firstSeq: number, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'crash-child.ts'), path, keyHex, String(firstSeq)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { acked: new Set(), duplicates: 0, counter: 0n, exit: '' };
    let buffered = '';
    let stderr = '';
    let killed = false;
    const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.stdout.on('data', (d) => {
      buffered += String(d);
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, value, result] = line.split(' ');
        if (kind === 'a') {
          if (result !== 'stored') reject(new Error(`first append of ${value} was ${result}`));
          run.acked.add(Number(value));
        } else if (kind === 'd') {
          if (result !== 'duplicate') reject(new Error(`re-append of ${value} was ${result}`));
          run.duplicates++;
        } else if (kind === 'c') {
          if (BigInt(value) > run.counter) run.counter = BigInt(value);
        }
      }
      if (!killed && run.acked.size >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('close', (codeOrNull, signal) => {
      clearTimeout(timeout);
      run.exit = signal ?? `exit ${codeOrNull}`;
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${run.exit}: ${stderr}`));
      else resolve(run);
    });
  });
}

test('store sqlite: SIGKILL mid-stream loses no acknowledged write and duplicates none', async () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, 'relay.db');
    const key = randomBytes(32);
    const setup = await openSqliteStore({ path, key });
    await setup.createOwner({ did: OWNER, name: 'crash', metadata: {}, createdAt: 0 });
    await setup.registerDevice({ did: DEVICE, ed25519PublicKey: randomBytes(32), staticKey: randomBytes(32), devicePsk: randomBytes(32), owner: OWNER, registeredAt: 0 });
    await setup.close();

    const acked = new Set<number>();
    let counter = 0n;
    let duplicates = 0;
    let firstSeq = 0;
    for (let round = 0; round < 2; round++) {
      const run = await runAndKill(path, key.toString('hex'), firstSeq, randomInt(800, 3000));
      for (const s of run.acked) acked.add(s);
      if (run.counter > counter) counter = run.counter;
      duplicates += run.duplicates;
      firstSeq += 1_000_000;
    }

    const store = await openSqliteStore({ path, key });
    try {
      const seen = new Map<number, Reading>();
      let cursor: string | undefined;
      do {
        const page = await store.queryReadings({ device: DEVICE, limit: 1000, cursor });
        for (const r of page.readings) {
          assert.not.ok(seen.has(r.seq), `reading ${r.seq} stored twice`);
          seen.set(r.seq, r);
        }
        cursor = page.cursor;
      } while (cursor !== undefined);
      for (const s of acked) {
        const r = seen.get(s);
        assert.ok(r !== undefined, `acknowledged reading ${s} lost`);
        assert.equal(r.body, crashBody(s), `reading ${s} keeps its first body`);
      }
      assert.ok(acked.size >= 1600, `${acked.size} acknowledged`);
      assert.ok(duplicates > 0);
      assert.ok((await store.getDevice(DEVICE))!.lastCounter >= counter, 'the acknowledged counter survived');
    } finally {
      await store.close();
    }
  } finally {
    tmp.remove();
  }
});

test.run();
