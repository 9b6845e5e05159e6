/**
 * The telemetry port: what the application tells the outside about its work, as counters and
 * spans (src/telemetry/otel.ts sends them over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set;
 * otherwise NO_TELEMETRY, which costs nothing).
 *
 * Nothing personal ever goes through it: the attribute names a span may carry are fixed here (a
 * typo or a new one is a type error, and the adapter drops any other), their values are a board's
 * id, a command's or item's kind, a platform, an outcome code, a status: never a name, an email,
 * a person's id or the words of a case. A case reference may go on a span (it names no one, and
 * lets an operator find the trace of a case someone says was slow), never on a metric: metric
 * labels are few fixed values (boards, kinds), so that what is counted cannot single out a case.
 */

/** The only attributes a span may carry. */
export type SpanKey =
  | 'http.request.method'
  | 'http.route'
  | 'http.response.status_code'
  | 'case.board'
  | 'case.command'
  | 'case.reference'
  | 'case.outcome'
  | 'outbox.kind'
  | 'outbox.platform'
  | 'outbox.attempt';

export type SpanAttributes = Partial<Record<SpanKey, string | number | boolean>>;

export interface SpanHandle {
  set(key: SpanKey, value: string | number | boolean): void;
}

export interface OutboxDepth {
  pending: number;
  failed: number;
  oldestPendingAt?: string;
}

export interface Telemetry {
  /**
   * Run `work` inside a span; a failure marks the span, not its words. `internal` (the default): a
   * child of the span under way, if any. `server` (a request come in) and `consumer` (an outbox item
   * taken up, whenever and wherever it was owed): a trace of their own.
   */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    work: (span: SpanHandle) => Promise<T>,
    kind?: 'server' | 'consumer' | 'internal',
  ): Promise<T>;
  /** One HTTP request answered: its route template (never the URL), method and status. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  caseRaised(board: string): void;
  /** A command that changed a case. */
  transition(board: string, command: string): void;
  /** A reminder, nudge or notification delivered by the sweeper. */
  timerSent(board: string, kind: string): void;
  /** An outbox item's attempt that failed (`final`: it has failed for good). */
  deliveryFailed(platform: string, kind: string, final: boolean): void;
  /** Where the outbox's depth is read from, for a gauge read at each export. */
  observeOutbox(read: () => Promise<OutboxDepth>): void;
  /** Send what is held, and stop. */
  shutdown(): Promise<void>;
}

const NO_SPAN: SpanHandle = { set: () => undefined };

export const NO_TELEMETRY: Telemetry = {
  span: (_name, _attributes, work) => work(NO_SPAN),
  httpRequest: () => undefined,
  caseRaised: () => undefined,
  transition: () => undefined,
  timerSent: () => undefined,
  deliveryFailed: () => undefined,
  observeOutbox: () => undefined,
  shutdown: () => Promise.resolve(),
};
