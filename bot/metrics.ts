/**
 * Prometheus metrics (prom-client), one registry per running bot so tests can start several in
 * one process. Every label set is bounded: channels, event kinds, outcomes, finding ids and
 * playbook step ids come from closed lists or from the playbooks; no user id, conversation id
 * or host ever becomes a label. The composition root feeds it from three places only: the turn
 * wrapper (bot/observe-turn.ts), the store wrapper (bot/observe-store.ts) and the gauges below.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { onLimitHit } from './limit-hits.ts';
import { LIMIT_SPECS } from './limits.ts';

export type ConversationOutcome = 'resolved' | 'escalated' | 'abandoned';

export interface Metrics {
  readonly registry: Registry;
  /** One handled event: its channel, kind (message, action, report, …) and the engine's outcome. */
  turn(labels: { channel: string; kind: string; outcome: string }, seconds: number): void;
  conversation(outcome: ConversationOutcome): void;
  finding(id: string): void;
  step(stepId: string, status: 'verified' | 'failed'): void;
  pairingFailure(reason: string): void;
  /** How an outbox delivery attempt ended: delivered, retry (pending again), parked, dead. */
  outboxAttempt(result: string): void;
  storeError(area: string, operation: string): void;
  /** An incident opened (issue 18): its cause, and the time from its first case to the incident. */
  incidentOpened(cause: string, detectSeconds: number): void;
  /** An incident resolved, with how many cases it held. */
  incidentResolved(cause: string, members: number): void;
  /** Read at scrape time: agents connected to this replica, outbox messages per status. */
  watch(sources: {
    agentsConnected?: () => number;
    outbox?: () => Promise<Partial<Record<'pending' | 'parked' | 'dead', number>>>;
  }): void;
  /** The text exposition format, for GET /metrics. */
  render(): Promise<string>;
}

/** Turn latencies: a web chat turn is milliseconds; a Teams turn must answer within 15 s. */
const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'reconnect_' });
  const registers = [registry];
  const turns = new Counter({
    name: 'reconnect_turns_total',
    help: 'Events handled, by channel, event kind and outcome',
    labelNames: ['channel', 'kind', 'outcome'],
    registers,
  });
  const latency = new Histogram({
    name: 'reconnect_turn_duration_seconds',
    help: 'Time to handle one event, replies delivered, by channel',
    labelNames: ['channel'],
    buckets: TURN_BUCKETS,
    registers,
  });
  const conversations = new Counter({
    name: 'reconnect_conversations_total',
    help: 'Conversations that ended, by outcome (abandoned: an open case came back after a day of silence)',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of ['resolved', 'escalated', 'abandoned']) conversations.inc({ outcome }, 0);
  const findings = new Counter({
    name: 'reconnect_findings_total',
    help: 'Findings newly named on a case, by finding id',
    labelNames: ['finding'],
    registers,
  });
  const steps = new Counter({
    name: 'reconnect_steps_total',
    help: 'Playbook steps re-checked, by step id and the verified result',
    labelNames: ['step', 'status'],
    registers,
  });
  const pairing = new Counter({
    name: 'reconnect_pairing_failures_total',
    help: 'Pairing codes that did not redeem, by reason',
    labelNames: ['reason'],
    registers,
  });
  const outbox = new Counter({
    name: 'reconnect_outbox_attempts_total',
    help: 'Support outbox delivery attempts, by result (retry: scheduled again)',
    labelNames: ['result'],
    registers,
  });
  const limitHits = new Counter({
    name: 'reconnect_limit_hits_total',
    help: 'Requests, messages and connections refused by a limit (bot/limits.ts), by limit',
    labelNames: ['limit'],
    registers,
  });
  // Every limit shows, at zero until it refuses something.
  for (const limit of Object.keys(LIMIT_SPECS)) limitHits.inc({ limit }, 0);
  onLimitHit((limit) => limitHits.inc({ limit }));
  const storeErrors = new Counter({
    name: 'reconnect_store_errors_total',
    help: 'Store operations that failed, by area and operation',
    labelNames: ['area', 'operation'],
    registers,
  });

  const incidentsOpened = new Counter({
    name: 'reconnect_incidents_opened_total',
    help: 'Incidents opened (cases with one cause and network fingerprint past the threshold), by cause',
    labelNames: ['cause'],
    registers,
  });
  const incidentsResolved = new Counter({
    name: 'reconnect_incidents_resolved_total',
    help: 'Incidents resolved by support, by cause',
    labelNames: ['cause'],
    registers,
  });
  const incidentMembers = new Histogram({
    name: 'reconnect_incident_members',
    help: 'Cases per incident, observed when it is resolved',
    buckets: [2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers,
  });
  const timeToDetect = new Histogram({
    name: 'reconnect_incident_time_to_detect_seconds',
    help: "Time from an incident's first matching case to the incident opening",
    buckets: [1, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers,
  });

  let sources: Parameters<Metrics['watch']>[0] = {};
  new Gauge({
    name: 'reconnect_agents_connected',
    help: 'Companion agents connected to this replica',
    registers,
    collect() {
      this.set(sources.agentsConnected?.() ?? 0);
    },
  });
  new Gauge({
    name: 'reconnect_outbox_messages',
    help: 'Support outbox messages waiting, by status',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = (await sources.outbox?.().catch(() => undefined)) ?? {};
      for (const status of ['pending', 'parked', 'dead'] as const) this.set({ status }, counts[status] ?? 0);
    },
  });

  return {
    registry,
    turn(labels, seconds) {
      turns.inc(labels);
      latency.observe({ channel: labels.channel }, seconds);
    },
    conversation: (outcome) => conversations.inc({ outcome }),
    finding: (id) => findings.inc({ finding: id }),
    step: (step, status) => steps.inc({ step, status }),
    pairingFailure: (reason) => pairing.inc({ reason }),
    outboxAttempt: (result) => outbox.inc({ result }),
    storeError: (area, operation) => storeErrors.inc({ area, operation }),
    incidentOpened(cause, detectSeconds) {
      incidentsOpened.inc({ cause });
      timeToDetect.observe(detectSeconds);
    },
    incidentResolved(cause, members) {
      incidentsResolved.inc({ cause });
      incidentMembers.observe(members);
    },
    watch(next) {
      sources = { ...sources, ...next };
    },
    render: () => registry.metrics(),
  };
}
