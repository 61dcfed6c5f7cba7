import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { probeClock } from '../../probes/clock.ts';
import type { LabLeaf } from '../lab/pki.ts';
import { type LabServer, startTlsServer } from '../lab/tls-server.ts';
import { type ConnectionLab, LOGIN, startConnectionLab, withoutLeaks } from './connection-lab.ts';

const MINUTE = 60_000;

describe('probeClock against lab servers with skewed Date headers', () => {
  let lab: ConnectionLab;
  let leaf: LabLeaf;
  const servers: LabServer[] = [];

  before(async () => {
    lab = await startConnectionLab();
    leaf = lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN] });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await lab.close();
  });

  /** A time source whose Date is real time plus `dateOffsetMs`. */
  async function source(dateOffsetMs: number, chain: LabLeaf = leaf): Promise<string> {
    const server = await startTlsServer({ cert: chain.chainPem, key: chain.keyPem, dateOffsetMs });
    servers.push(server);
    return `https://${LOGIN}:${server.port}/`;
  }

  test('a source 10 minutes ahead: fail skew, offset about +600 s', async () => {
    const url = await source(10 * MINUTE);
    const result = await withoutLeaks(() => probeClock({ sources: [url] }, lab.options(5000)));
    assert.equal(result.id, 'clock:local');
    assert.equal(result.target, 'local');
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'skew');
    const offset = result.detail.offsetSeconds ?? Number.NaN;
    assert.ok(Math.abs(offset - 600) <= 5, `offset ${offset}`);
    assert.equal(result.detail.samples.length, 1);
    assert.equal(result.detail.samples[0].source, url);
    assert.equal(result.detail.samples[0].trusted, true);
    assert.ok(result.detail.samples[0].rttMs > 0);
  });

  test('90 s off is a warning', async () => {
    const result = await probeClock({ sources: [await source(90_000)] }, lab.options(5000));
    assert.equal(result.status, 'warn');
    assert.equal(result.failure?.code, 'skew');
    assert.ok(Math.abs((result.detail.offsetSeconds ?? 0) - 90) <= 5);
  });

  test('a source that agrees passes', async () => {
    const result = await probeClock({ sources: [await source(0)] }, lab.options(5000));
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.ok(Math.abs(result.detail.offsetSeconds ?? 99) <= 5);
    assert.equal(result.failure, undefined);
  });

  test('the local time comes from ctx.now: a local clock 10 minutes behind is +600 s', async () => {
    const url = await source(0);
    const options = lab.options(5000, { now: () => Date.now() - 10 * MINUTE });
    const result = await probeClock({ sources: [url] }, options);
    assert.equal(result.status, 'fail');
    assert.ok(Math.abs((result.detail.offsetSeconds ?? 0) - 600) <= 5);
    assert.match(result.failure?.detail ?? '', /behind/);
  });

  test('the median outvotes one wrong source', async () => {
    const sources = [await source(0), await source(0), await source(60 * MINUTE)];
    const result = await probeClock({ sources }, lab.options(5000));
    assert.equal(result.status, 'pass');
    assert.equal(result.detail.samples.length, 3);
  });

  test('an untrusted source still gives the time (a wrong clock makes every chain look bad)', async () => {
    const url = await source(10 * MINUTE, lab.pki.expiredLeaf([LOGIN]));
    const result = await probeClock({ sources: [url] }, lab.options(5000));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'skew');
    assert.equal(result.detail.samples[0].trusted, false);
  });

  test('no source answering is error no_time_source, with each failure listed', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as { port: number }).port;
    await new Promise((resolve) => gone.close(resolve));
    const sources = [`https://${LOGIN}:${port}/`, 'https://missing.lab.test/', 'http://plain.lab.test/'];
    const result = await withoutLeaks(() => probeClock({ sources }, lab.options(5000)));
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'no_time_source');
    assert.equal(result.detail.offsetSeconds, null);
    assert.deepEqual(
      result.detail.failures.map((f) => [f.source, f.code]),
      [
        [sources[0], 'refused'],
        [sources[1], 'nxdomain'],
        [sources[2], 'parse_error'],
      ],
    );
  });

  test('sources refused by the interlock are reported as interlock', async () => {
    const result = await probeClock({ sources: ['https://192.0.2.10/'] }, lab.options(5000));
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
  });
});
