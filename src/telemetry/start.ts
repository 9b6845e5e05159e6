/**
 * Telemetry as the configuration asks: OpenTelemetry over OTLP/HTTP (./otel.ts, loaded only then)
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set and OTEL_SDK_DISABLED is not true; otherwise
 * NO_TELEMETRY, which costs nothing.
 */
import type { Config } from '../config';
import { NO_TELEMETRY, type Telemetry } from '../app/telemetry';
import type * as OtelModule from './otel';

export function startTelemetry(
  config: Config,
  replica: string,
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void,
): Telemetry {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_SDK_DISABLED) return NO_TELEMETRY;
  const protocol = config.OTEL_EXPORTER_OTLP_PROTOCOL?.toLowerCase();
  if (protocol && protocol !== 'http/json') {
    // An agent that expects gRPC or protobuf would take nothing the bot sends: said once, not tried.
    log(
      'warn',
      'Telemetry: off. The collector expects another OTLP protocol than the one the bot sends (http/json): set OTEL_EXPORTER_OTLP_PROTOCOL=http/json and point OTEL_EXPORTER_OTLP_ENDPOINT at its OTLP/HTTP address (usually port 4318).',
      { protocol: protocol.slice(0, 20) },
    );
    return NO_TELEMETRY;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startOtel } = require('./otel') as typeof OtelModule;
  const service = config.OTEL_SERVICE_NAME ?? 'safeguarding-escalation-bot';
  log('info', 'Telemetry: traces and metrics go over OTLP/HTTP', { service });
  return startOtel({
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    ...(config.OTEL_EXPORTER_OTLP_HEADERS ? { headers: config.OTEL_EXPORTER_OTLP_HEADERS } : {}),
    serviceName: service,
    ...(process.env.npm_package_version ? { serviceVersion: process.env.npm_package_version } : {}),
    instance: replica,
    report: (level, msg, fields) => log(level, msg, fields),
    ...(config.OTEL_METRIC_EXPORT_INTERVAL ? { metricIntervalMs: config.OTEL_METRIC_EXPORT_INTERVAL } : {}),
  });
}
