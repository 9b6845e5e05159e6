/**
 * An OpenTelemetry Collector on loopback, as far as the bot sees one: it takes OTLP/HTTP JSON at
 * POST /v1/traces and /v1/metrics (gzip or not), answers 200 `{}` as a collector does, and keeps
 * every body (its raw text too, so a test can search it for anything personal).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { SpanAttributes, Telemetry } from '../../src/app/telemetry';

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
export interface OtlpAttribute {
  key: string;
  value: AnyValue;
}
export interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes?: OtlpAttribute[];
  status?: { code?: number; message?: string };
}
export interface OtlpDataPoint {
  attributes?: OtlpAttribute[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
}
export interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpDataPoint[] };
  gauge?: { dataPoints: OtlpDataPoint[] };
  histogram?: { dataPoints: OtlpDataPoint[] };
}

export interface FakeCollector {
  /** http://127.0.0.1:<port>, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Every body received, in order, with the path and headers it came with. */
  received: Array<{ path: string; headers: Record<string, string | string[] | undefined>; text: string }>;
  spans(): OtlpSpan[];
  metrics(): OtlpMetric[];
  /** The resource attributes of everything received (service.name…). */
  resources(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** An attribute list as a plain object. */
export function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map((a) => [
      a.key,
      a.value.stringValue ??
        (a.value.intValue !== undefined ? Number(a.value.intValue) : undefined) ??
        a.value.doubleValue ??
        a.value.boolValue,
    ]),
  );
}

/** Each data point of a metric (every export of it), as its attributes and its value. */
export function points(metric: OtlpMetric | undefined): Array<{ attributes: Record<string, unknown>; value: number }> {
  if (!metric) return [];
  const list = metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? metric.histogram?.dataPoints ?? [];
  return list.map((p) => ({
    attributes: attributes(p.attributes),
    value: Number(p.asInt ?? p.asDouble ?? p.count ?? 0),
  }));
}

export async function startFakeCollector(): Promise<FakeCollector> {
  const received: FakeCollector['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url !== '/v1/traces' && req.url !== '/v1/metrics')) {
        res.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      received.push({ path: req.url, headers: req.headers, text: body.toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bodies = (path: string): Array<Record<string, unknown>> =>
    received.filter((r) => r.path === path).map((r) => JSON.parse(r.text) as Record<string, unknown>);
  return {
    url,
    received,
    spans: () =>
      bodies('/v1/traces').flatMap((b) =>
        ((b.resourceSpans ?? []) as Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>).flatMap((r) =>
          (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []),
        ),
      ),
    metrics: () =>
      bodies('/v1/metrics').flatMap((b) =>
        ((b.resourceMetrics ?? []) as Array<{ scopeMetrics?: Array<{ metrics?: OtlpMetric[] }> }>).flatMap((r) =>
          (r.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []),
        ),
      ),
    resources: () =>
      [...bodies('/v1/traces'), ...bodies('/v1/metrics')].flatMap((b) =>
        ((b.resourceSpans ?? b.resourceMetrics ?? []) as Array<{ resource?: { attributes?: OtlpAttribute[] } }>).map(
          (r) => attributes(r.resource?.attributes),
        ),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The telemetry port (src/app/telemetry.ts) recorded in memory, for tests of what the
 * application counts and traces without an SDK: each span (its name, attributes and whether it
 * failed, and its parent's name) and each count.
 */
export interface RecordedTelemetry extends Telemetry {
  spans: Array<{ name: string; attributes: SpanAttributes; parent?: string; failed?: boolean }>;
  counts: Array<{ metric: string; attributes: Record<string, unknown> }>;
}

export function recordingTelemetry(): RecordedTelemetry {
  const spans: RecordedTelemetry['spans'] = [];
  const counts: RecordedTelemetry['counts'] = [];
  const stack: string[] = [];
  return {
    spans,
    counts,
    async span(name, attributes, work, kind = 'internal') {
      const entry: RecordedTelemetry['spans'][number] = {
        name,
        attributes: { ...attributes },
        ...(stack.length && kind === 'internal' ? { parent: stack[stack.length - 1] } : {}),
      };
      spans.push(entry);
      stack.push(name);
      try {
        return await work({ set: (key, value) => void (entry.attributes[key] = value) });
      } catch (error) {
        entry.failed = true;
        throw error;
      } finally {
        stack.pop();
      }
    },
    httpRequest: (route, method, status) => void counts.push({ metric: 'http', attributes: { route, method, status } }),
    caseRaised: (board) => void counts.push({ metric: 'raised', attributes: { board } }),
    transition: (board, command) => void counts.push({ metric: 'transition', attributes: { board, command } }),
    timerSent: (board, kind) => void counts.push({ metric: 'timer', attributes: { board, kind } }),
    deliveryFailed: (platform, kind, final) =>
      void counts.push({ metric: 'delivery-failed', attributes: { platform, kind, final } }),
    observeOutbox: () => undefined,
    shutdown: () => Promise.resolve(),
  };
}
