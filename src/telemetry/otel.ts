/**
 * The telemetry port (src/app/telemetry.ts) on OpenTelemetry: traces and metrics exported over
 * OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT` (an OpenTelemetry Collector, Azure Container
 * Apps' OpenTelemetry agent, or any OTLP/HTTP endpoint), with `OTEL_EXPORTER_OTLP_HEADERS` on
 * every request and `OTEL_SERVICE_NAME` as the service's name. Loaded only when the endpoint is
 * set (src/main.ts), so the bot without it carries none of this.
 *
 * Nothing global is registered (no global tracer or meter provider, no context manager): two bots
 * in one process (the tests) each keep their own, and no library's own instrumentation is picked
 * up by accident. A span's parent is the span under way in this async flow (AsyncLocalStorage).
 * Attributes are filtered to the port's fixed names; a failure marks its span with the error's
 * class name only, never its message (which may name a person).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { OutboxDepth, SpanAttributes, SpanHandle, SpanKey, Telemetry } from '../app/telemetry';

export interface OtelOptions {
  /** The OTLP/HTTP base address: /v1/traces and /v1/metrics are added to it. */
  endpoint: string;
  /** `name=value,name2=value2` (values URL-encoded), sent with every export. */
  headers?: string;
  serviceName?: string;
  serviceVersion?: string;
  /** This replica's name (service.instance.id). */
  instance?: string;
  /** How often metrics are sent (ms). */
  metricIntervalMs?: number;
  /** Told when sending starts failing, and when it works again (once each way, not every batch). */
  report?: (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;
}

/** What an exporter reports of each batch (@opentelemetry/core's ExportResult: code 0 is success). */
interface ExportResult {
  code: number;
  error?: Error;
}

/** An exporter whose failures (and recovery) are said once, not for every batch. */
function watched<T extends { export(items: never, done: (result: ExportResult) => void): void }>(
  exporter: T,
  signal: 'traces' | 'metrics',
  report: OtelOptions['report'],
): T {
  let failing = false;
  const send = exporter.export.bind(exporter) as (items: unknown, done: (result: ExportResult) => void) => void;
  (exporter as unknown as { export: (items: unknown, done: (result: ExportResult) => void) => void }).export = (
    items,
    done,
  ) =>
    send(items, (result) => {
      const failed = result.code !== 0;
      if (failed !== failing) {
        failing = failed;
        if (failed)
          report?.('warn', `Telemetry (${signal}) could not be sent; the next batch will try again`, {
            error: (result.error?.message ?? 'no answer').split('\n', 1)[0],
          });
        else report?.('info', `Telemetry (${signal}) is being sent again`, {});
      }
      done(result);
    });
  return exporter;
}

const SPAN_KEYS: ReadonlySet<SpanKey> = new Set<SpanKey>([
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'case.board',
  'case.command',
  'case.reference',
  'case.outcome',
  'outbox.kind',
  'outbox.platform',
  'outbox.attempt',
]);

/** OTEL_EXPORTER_OTLP_HEADERS as the specification writes it: comma-separated name=value, values URL-encoded. */
export function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    const raw = part.slice(at + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      /* not URL-encoded: as written */
    }
    if (name) headers[name] = value;
  }
  return headers;
}

function signalUrl(endpoint: string, signal: 'traces' | 'metrics'): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}

function allowed(attributes: SpanAttributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes))
    if (SPAN_KEYS.has(key as SpanKey) && value !== undefined) out[key] = value;
  return out;
}

export function startOtel(options: OtelOptions): Telemetry {
  const headers = parseHeaders(options.headers);
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(
      resourceFromAttributes({
        'service.name': options.serviceName ?? 'safeguarding-escalation-bot',
        ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
        ...(options.instance ? { 'service.instance.id': options.instance } : {}),
      }),
    );
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: watched(
          new OTLPTraceExporter({ url: signalUrl(options.endpoint, 'traces'), headers }),
          'traces',
          options.report,
        ),
      }),
    ],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: watched(
          new OTLPMetricExporter({ url: signalUrl(options.endpoint, 'metrics'), headers }),
          'metrics',
          options.report,
        ),
        exportIntervalMillis: options.metricIntervalMs ?? 60_000,
      }),
    ],
  });
  const tracer: Tracer = tracerProvider.getTracer('safeguarding-escalation-bot');
  const meter = meterProvider.getMeter('safeguarding-escalation-bot');
  const current = new AsyncLocalStorage<Span>();

  const requests: Histogram = meter.createHistogram('http.server.request.duration', {
    description: 'HTTP requests answered, by route template, method and status',
    unit: 's',
  });
  const raised: Counter = meter.createCounter('escalation.cases.raised', { description: 'Cases raised, by board' });
  const transitions: Counter = meter.createCounter('escalation.case.transitions', {
    description: 'Commands that changed a case, by board and command',
  });
  const timers: Counter = meter.createCounter('escalation.timers.sent', {
    description: 'Reminders, nudges and notifications delivered by the deadline sweeper, by board and kind',
  });
  const failures: Counter = meter.createCounter('escalation.delivery.failures', {
    description: 'Outbox attempts that failed, by platform and kind (final: failed for good)',
  });
  const depth = meter.createObservableGauge('escalation.outbox.depth', {
    description: 'Outbox items waiting (pending) or failed for good',
  });
  const age = meter.createObservableGauge('escalation.outbox.oldest_pending_age', {
    description: 'How long the oldest pending outbox item has waited',
    unit: 's',
  });
  let readDepth: (() => Promise<OutboxDepth>) | undefined;
  meter.addBatchObservableCallback(
    async (observer) => {
      if (!readDepth) return;
      const stats = await readDepth().catch(() => undefined);
      if (!stats) return;
      observer.observe(depth, stats.pending, { status: 'pending' });
      observer.observe(depth, stats.failed, { status: 'failed' });
      observer.observe(
        age,
        stats.oldestPendingAt ? Math.max(0, (Date.now() - Date.parse(stats.oldestPendingAt)) / 1000) : 0,
      );
    },
    [depth, age],
  );

  return {
    async span(name, attributes, work, kind = 'internal') {
      // Timers set during a request (the outbox worker woken by a write) carry its context on:
      // only an internal span takes the span under way as its parent.
      const parent = kind === 'internal' ? current.getStore() : undefined;
      const span = tracer.startSpan(
        name,
        {
          kind: kind === 'server' ? SpanKind.SERVER : kind === 'consumer' ? SpanKind.CONSUMER : SpanKind.INTERNAL,
          attributes: allowed(attributes),
        },
        parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
      );
      const handle: SpanHandle = {
        set: (key, value) => {
          if (SPAN_KEYS.has(key)) span.setAttribute(key, value);
        },
      };
      try {
        return await current.run(span, () => work(handle));
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
        throw error;
      } finally {
        span.end();
      }
    },
    httpRequest(route, method, status, seconds) {
      requests.record(seconds, {
        'http.route': route,
        'http.request.method': method,
        'http.response.status_code': status,
      });
    },
    caseRaised: (board) => raised.add(1, { board }),
    transition: (board, command) => transitions.add(1, { board, command }),
    timerSent: (board, kind) => timers.add(1, { board, kind }),
    deliveryFailed: (platform, kind, final) => failures.add(1, { platform, kind, final }),
    observeOutbox(read) {
      readDepth = read;
    },
    async shutdown() {
      // Whatever is held goes now; a collector that does not answer delays the stop by five seconds at most.
      let timer: NodeJS.Timeout | undefined;
      const sent = await Promise.race([
        Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]).then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), 5000);
        }),
      ]);
      clearTimeout(timer);
      if (!sent) options.report?.('warn', 'Telemetry held at the stop could not all be sent within five seconds', {});
    },
  };
}
