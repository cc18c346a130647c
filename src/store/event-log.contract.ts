// Contract cases for EventLog, run by describeJobStore (job-store.contract.ts) on every backend.
// Covers per-job seq numbering, reads after a seq, concurrent appends and tens-of-MB bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobEventBody } from './job-record.js';
import { openFresh as open, type MakeStores } from './fixture.contract.js';

const started: JobEventBody = { type: 'attempt.started', attempt: 1, deploymentId: 'east', mode: 'stream' };

function partial(index: number, b64: string): JobEventBody {
  return {
    type: 'image.partial', attempt: 1, deploymentId: 'east', forward: true,
    payload: { type: 'image_generation.partial_image', partial_image_index: index, b64_json: b64 },
  };
}

export function describeEventCases(makeStores: MakeStores): void {
  test('appends number each job from 1, independently of other jobs', async (t) => {
    const { events } = await open(t, makeStores);
    assert.deepEqual(await events.append('job_a', { type: 'job.queued' }, 100), { type: 'job.queued', seq: 1, at: 100 });
    assert.equal((await events.append('job_b', { type: 'job.queued' }, 101)).seq, 1);
    assert.deepEqual(await events.append('job_a', started, 102), { ...started, seq: 2, at: 102 });
    assert.equal((await events.append('job_a', partial(0, 'AAAA'), 103)).seq, 3);
    assert.equal((await events.append('job_b', started, 104)).seq, 2);
    assert.equal(await events.lastSeq('job_a'), 3);
    assert.equal(await events.lastSeq('job_b'), 2);
    assert.equal(await events.lastSeq('job_none'), 0);
  });

  test('read returns the events after a seq, in order, up to a limit', async (t) => {
    const { events } = await open(t, makeStores);
    await events.append('job_a', { type: 'job.queued' }, 1);
    await events.append('job_a', started, 2);
    await events.append('job_a', partial(0, 'AAAA'), 3);
    await events.append('job_a', partial(1, 'BBBB'), 4);
    await events.append('job_other', { type: 'job.queued' }, 5);
    const all = await events.read('job_a', 0);
    assert.deepEqual(all.map((e) => [e.seq, e.type, e.at]), [
      [1, 'job.queued', 1], [2, 'attempt.started', 2], [3, 'image.partial', 3], [4, 'image.partial', 4],
    ]);
    assert.deepEqual(all[3], { ...partial(1, 'BBBB'), seq: 4, at: 4 });
    assert.deepEqual((await events.read('job_a', 2)).map((e) => e.seq), [3, 4]);
    assert.deepEqual((await events.read('job_a', 1, 2)).map((e) => e.seq), [2, 3]);
    assert.deepEqual(await events.read('job_a', 4), []);
    assert.deepEqual(await events.read('job_none', 0), []);
  });

  test('events handed out are copies: mutating them changes nothing stored', async (t) => {
    const { events } = await open(t, makeStores);
    const appended = await events.append('job_a', partial(0, 'AAAA'), 1);
    if (appended.type === 'image.partial') appended.payload.b64_json = 'changed';
    const [read] = await events.read('job_a', 0);
    if (read.type === 'image.partial') read.payload.b64_json = 'changed again';
    assert.deepEqual(await events.read('job_a', 0), [{ ...partial(0, 'AAAA'), seq: 1, at: 1 }]);
  });

  test('50 concurrent appends to one job get the seqs 1 to 50, each once', async (t) => {
    const { events } = await open(t, makeStores);
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, i) => events.append('job_a', partial(i, `img${i}`), i)),
    );
    const seqs = appended.map((e) => e.seq).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i + 1));
    const stored = await events.read('job_a', 0);
    assert.deepEqual(stored.map((e) => e.seq), seqs);
    for (const e of appended) assert.deepEqual(stored[e.seq - 1], e);
  });

  test('a 30 MB event body (a large image in base64) is stored and read back intact', async (t) => {
    const { events } = await open(t, makeStores);
    const b64 = Buffer.alloc(22 * 1024 * 1024, 7).toString('base64');
    assert.ok(b64.length >= 29 * 1024 * 1024);
    const body: JobEventBody = {
      type: 'job.completed',
      response: { created: 1, data: [{ b64_json: b64 }], size: '4096x4096' },
    };
    await events.append('job_big', { type: 'job.queued' }, 1);
    await events.append('job_big', body, 2);
    const [back] = await events.read('job_big', 1);
    assert.equal(back.type, 'job.completed');
    assert.equal(back.type === 'job.completed' && back.response.data[0].b64_json === b64, true);
  });

  test('deleteJob removes one job\'s events and restarts its numbering', async (t) => {
    const { events } = await open(t, makeStores);
    await events.append('job_a', { type: 'job.queued' }, 1);
    await events.append('job_a', started, 2);
    await events.append('job_b', { type: 'job.queued' }, 3);
    await events.deleteJob('job_a');
    assert.deepEqual(await events.read('job_a', 0), []);
    assert.equal(await events.lastSeq('job_a'), 0);
    assert.equal(await events.lastSeq('job_b'), 1);
    await events.deleteJob('job_never');
  });
}
