/**
 * Redaction, property-style: hundreds of generated cases (seeded, so a failure replays) plant
 * names, addresses and secrets in free text and in JSON, and every property must hold for every
 * one — nothing planted survives, the same input always gets the same pseudonym within a case
 * (and a different input a different one), Microsoft's hosts and addresses stay readable,
 * redacting twice changes nothing, and restore gives the user's words back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor, newRedactionState } from '../../bot/support/redact.ts';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chars = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  return { next, int, pick, chars };
}

const FIRST = [
  'Amira',
  'Boris',
  'Chiara',
  'Dmitri',
  'Eun-ji',
  'François',
  'Gwen',
  'Hiroshi',
  'Ingrid',
  'José',
];
const LAST = ['Haddad', 'Novak', 'Rossi', 'Ivanova', 'Kim', 'Lefèvre', 'Okafor', 'Tanaka', 'Berg', 'García'];
const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const MS_HOSTS = [
  'login.microsoftonline.com',
  'teams.microsoft.com',
  'go.trouter.teams.microsoft.com',
  'login.microsoftonline.us',
];

interface Planted {
  user: string;
  login: string;
  host: string;
  fqdn: string;
  ipv4: string;
  ipv6: string;
  mac: string;
  email: string;
  bearer: string;
  jwt: string;
  password: string;
  proxyPassword: string;
  publicIp: string;
}

function plant(r: ReturnType<typeof rng>, n: number): Planted {
  const first = r.pick(FIRST);
  const last = `${r.pick(LAST)}${r.chars('abcdefghij', 2)}`;
  const host = `${r.pick(['WS', 'NB', 'LAPTOP', 'SRV'])}-${r.chars('ABCDEFGHJK0123456789', 5)}${n}`;
  const ipv4 = r.pick([
    () => `10.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`,
    () => `172.${16 + r.int(16)}.${r.int(256)}.${1 + r.int(254)}`,
    () => `192.168.${r.int(256)}.${1 + r.int(254)}`,
    () => `100.${64 + r.int(64)}.${r.int(256)}.${1 + r.int(254)}`,
  ])();
  const group = () => r.chars(HEX, 1 + r.int(4)).replace(/^0+(?=.)/, '');
  const ipv6 = r.pick([
    () => `fe80::${group()}:${group()}:${group()}:${group()}`,
    () => `fd${r.chars(HEX, 2)}:${group()}:${group()}::${group()}`,
    () => `2001:db8:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`,
  ])();
  const sep = r.pick([':', '-']);
  const mac = Array.from({ length: 6 }, () => r.chars(HEX, 2)).join(sep);
  return {
    user: `${first} ${last}`,
    login: `${first.toLowerCase().replace(/[^a-z]/g, '')}${r.int(100)}`,
    host,
    fqdn: `${host.toLowerCase()}.${r.pick(['corp.contoso.com', 'ad.fabrikam.local', 'lan', 'internal.example'])}`,
    ipv4,
    ipv6,
    mac: r.next() < 0.5 ? mac.toUpperCase() : mac,
    email: `${first.toLowerCase().replace(/[^a-z]/g, '')}.${n}@${r.pick(['contoso.com', 'fabrikam.co.uk', 'example.org'])}`,
    bearer: r.chars(B64, 24 + r.int(40)),
    jwt: `eyJ${r.chars(B64, 20)}.eyJ${r.chars(B64, 30)}.${r.chars(B64, 43)}`,
    password: `${r.chars(B64, 6)}!${r.int(1000)}`,
    proxyPassword: r.chars('abcdefghijklmnop0123456789', 10),
    publicIp: `203.0.113.${1 + r.int(254)}`,
  };
}

/** Free text and a JSON document with everything planted, in the places a case carries it. */
function caseText(p: Planted, r: ReturnType<typeof rng>): { text: string; json: Record<string, unknown> } {
  const ms = r.pick(MS_HOSTS);
  const text = [
    `${p.user} on ${p.host} (${p.host.toLowerCase()}, ${p.fqdn}) cannot sign in to ${ms}.`,
    `Proxy: http://${p.login}:${p.proxyPassword}@${p.ipv4}:3128 resolvers ${p.ipv4} and ${p.ipv6}; wifi ${p.mac}.`,
    `Contact ${p.email}. Authorization: Bearer ${p.bearer}`,
    `id_token=${p.jwt}&password=${p.password}`,
    `C:\\Users\\${p.login}\\AppData\\Local and /home/${p.login}/.cache; public answer ${p.publicIp}`,
    `tls.inspection evidence tls:${ms}:443 at 2026-11-27T10:00:00.000Z via 20.190.151.68 and 1.1.1.1, v24.1.0`,
  ].join('\n');
  const json = {
    user: p.user,
    device: { hostname: p.host.toUpperCase(), user: p.login },
    environment: {
      proxy: { url: `http://${p.login}:${p.proxyPassword}@${p.fqdn}:8080` },
      resolvers: [p.ipv4, p.ipv6],
    },
    probes: [
      {
        id: `tcp:${ms}:443`,
        detail: { address: '52.112.1.7', mac: p.mac },
        error: { message: `Bearer ${p.bearer}` },
      },
    ],
    note: `mail ${p.email.toUpperCase()}`,
  };
  return { text, json };
}

const SECRETS: (keyof Planted)[] = ['bearer', 'jwt', 'password', 'proxyPassword'];
const CASES = 400;

test(`nothing planted survives, in text or JSON (${CASES} generated cases)`, () => {
  const r = rng(20261127);
  for (let n = 0; n < CASES; n++) {
    const p = plant(r, n);
    const redactor = createRedactor(newRedactionState(true), {
      known: { users: [p.user, p.login], hosts: [p.host] },
    });
    const { text, json } = caseText(p, r);
    const out = `${redactor.text(text)}\n${JSON.stringify(redactor.deep(json))}`.toLowerCase();
    for (const [what, value] of Object.entries(p)) {
      if (what === 'user') {
        for (const part of value.split(' '))
          assert.ok(!out.includes(part.toLowerCase()), `case ${n}: ${what} part "${part}" in ${out}`);
        continue;
      }
      assert.ok(!out.includes(value.toLowerCase()), `case ${n}: ${what} "${value}" survived:\n${out}`);
    }
  }
});

test('the same input gets the same pseudonym in a case, a different one a different pseudonym, across texts and restarts', () => {
  const r = rng(7);
  for (let n = 0; n < 150; n++) {
    const a = plant(r, n);
    const b = plant(r, n + 1000);
    const redactor = createRedactor(newRedactionState(true), { known: { users: [a.user], hosts: [a.host] } });
    for (const key of ['host', 'ipv4', 'ipv6', 'mac', 'email', 'bearer', 'fqdn', 'publicIp'] as const) {
      const one = redactor.text(`x ${a[key]} y`);
      const two = redactor.text(`other words, then ${key === 'host' ? a[key].toLowerCase() : a[key]} y`);
      assert.equal(
        one.split(' ')[1],
        two.split(' ').at(-2),
        `case ${n}: ${key} ${a[key]} got two pseudonyms`,
      );
      // A persisted mapping keeps answering the same, and a new value never reuses a pseudonym.
      const later = createRedactor(redactor.state(), { known: { users: [a.user], hosts: [a.host] } });
      assert.equal(later.text(`x ${a[key]} y`), one);
      if (a[key] !== b[key])
        assert.notEqual(redactor.text(`x ${b[key]} y`), one, `case ${n}: ${key} collided`);
    }
    assert.equal(
      redactor.text(a.user),
      redactor.text(a.user.split(' ')[0]),
      'the full name and the first name are one person',
    );
  }
});

test("Microsoft's hosts and addresses, public resolvers, ids, times and versions stay as they are", () => {
  const redactor = createRedactor(newRedactionState(true));
  const kept = [
    'login.microsoftonline.com',
    'go.trouter.teams.microsoft.com:443',
    'teams.cloud.microsoft',
    'login.partner.microsoftonline.cn',
    'tls:login.microsoftonline.com:443',
    'dns:login.microsoftonline.com@system',
    '20.190.151.68',
    '52.113.194.132',
    '13.107.64.9',
    '2603:1037:1:c8::8',
    '1.1.1.1',
    '8.8.8.8:53',
    '127.0.0.1',
    '0.0.0.0',
    '::1',
    'tls.inspection',
    'dns.hijacked',
    'credentials.cache_present',
    '2026-11-27T10:00:00.000Z',
    '10:00:00',
    'node v24.1.0',
    'Windows 10.0.22631.4460',
    'Zscaler Intermediate Root CA (zscalerthree.net)',
    'http://gateway.zscaler.net:9400',
    'ECONNREFUSED',
    'a3f1c9e0b47d2e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f',
  ];
  for (const value of kept) assert.equal(redactor.text(value), value, value);
  assert.equal(redactor.text('login.lab.test'), 'host-1', 'a host outside the kept list is redacted');
  const lab = createRedactor(newRedactionState(true), { keepHosts: ['login.lab.test'] });
  assert.equal(lab.text('login.lab.test:4431'), 'login.lab.test:4431', "the report's own endpoints stay");
});

test('redacting twice changes nothing, and restore gives the original names back', () => {
  const r = rng(99);
  for (let n = 0; n < 200; n++) {
    const p = plant(r, n);
    const redactor = createRedactor(newRedactionState(true), { known: { users: [p.user], hosts: [p.host] } });
    const { text } = caseText(p, r);
    const once = redactor.text(text);
    assert.equal(redactor.text(once), once, `case ${n} is not stable:\n${once}`);
    const plain = `Hi ${p.user}, please check ${p.host} at ${p.ipv4} and ${p.ipv6}, and mail ${p.email}.`;
    assert.equal(redactor.restore(redactor.text(plain)), plain, `case ${n}`);
    const back = redactor.restore(once);
    for (const key of SECRETS) assert.ok(!back.includes(p[key]), `case ${n}: restore gave the ${key} back`);
  }
});

test('secrets are remembered by hash only, never restored', () => {
  const redactor = createRedactor(newRedactionState(true));
  const out = redactor.text('Authorization: Bearer abcdefgh12345678 and password=hunter2');
  assert.equal(out, 'Authorization: Bearer secret-1 and password=secret-2');
  const state = JSON.stringify(redactor.state());
  assert.ok(!state.includes('abcdefgh12345678') && !state.includes('hunter2'), state);
  assert.equal(redactor.restore(out), out);
});

test('private ranges keep their prefix, so the kind of network stays visible', () => {
  const redactor = createRedactor(newRedactionState(true));
  assert.equal(
    redactor.text('10.1.2.3 172.20.0.9 192.168.1.1 100.64.0.1 169.254.10.10 203.0.113.5 10.1.2.3'),
    '10.x-1 172.x-2 192.168.x-3 100.x-4 169.254.x-5 ip-6 10.x-1',
  );
});

test('with redaction off (REDACTION=off) everything passes as is', () => {
  const r = rng(3);
  const p = plant(r, 1);
  const redactor = createRedactor(newRedactionState(false), { known: { users: [p.user], hosts: [p.host] } });
  const { text, json } = caseText(p, r);
  assert.equal(redactor.text(text), text);
  assert.deepEqual(redactor.deep(json), json);
  assert.equal(redactor.restore('host-1'), 'host-1');
});
