/**
 * Telemetry's configuration and its boundary: the standard variables parsed (a bad one said in
 * words, the headers never shown), the headers' format, and the OpenTelemetry SDK reached only
 * by the adapter (src/telemetry) and the composition root, never by the application or the core.
 * (What the bot sends is tested end to end in tests/integration/telemetry.test.ts.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../src/config';
import { scrub, secretValues } from '../../src/secrets';
import { parseHeaders } from '../../src/telemetry/otel';
import { startTelemetry } from '../../src/telemetry/start';
import { NO_TELEMETRY } from '../../src/app/telemetry';

const ROOT = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('off unless the endpoint is set; the standard variables are read', () => {
  const off = loadConfig({});
  expect(off.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  expect(off.OTEL_SERVICE_NAME).toBeUndefined();
  expect(off.OTEL_SDK_DISABLED).toBeUndefined();
  const on = loadConfig({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
    OTEL_SERVICE_NAME: 'escalations-lincolnshire',
    OTEL_METRIC_EXPORT_INTERVAL: '15000',
    OTEL_SDK_DISABLED: 'true',
  });
  expect(on).toEqual(
    expect.objectContaining({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_SERVICE_NAME: 'escalations-lincolnshire',
      OTEL_METRIC_EXPORT_INTERVAL: 15_000,
      OTEL_SDK_DISABLED: true,
    }),
  );
});

test('a collector that expects gRPC or protobuf: telemetry stays off and the log says what to set', () => {
  const said: string[] = [];
  const config = loadConfig({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  });
  expect(startTelemetry(config, 'test', (_level, msg) => said.push(msg))).toBe(NO_TELEMETRY);
  expect(said.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL=http\/json/);
});

test('a wrong value is said in words; the headers (which may hold a key) are never quoted', () => {
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(
    /OTEL_EXPORTER_OTLP_ENDPOINT must be the OTLP\/HTTP address/,
  );
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector.example.org' })).toThrow(
    /OTEL_EXPORTER_OTLP_ENDPOINT must be/,
  );
  let words = '';
  try {
    loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer s3cr3t-token-value' });
  } catch (error) {
    words = String(error);
  }
  expect(words).toMatch(/OTEL_EXPORTER_OTLP_HEADERS must be headers sent with the telemetry/);
  expect(words).not.toContain('s3cr3t');
});

test('headers: name=value pairs, values URL-encoded, each value scrubbed from logs on its own', () => {
  expect(parseHeaders('api-key=abc%20def, x-tenant = board-one ,broken,=nameless')).toEqual({
    'api-key': 'abc def',
    'x-tenant': 'board-one',
  });
  expect(parseHeaders(undefined)).toEqual({});
  const env = { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%20def123,x-other=second-secret' };
  expect(scrub('sent abc def123 and second-secret', secretValues(env))).toBe('sent [redacted] and [redacted]');
});

test('only src/telemetry (and the composition root) touch the OpenTelemetry SDK', () => {
  const offenders = [...files(join(ROOT, 'src'))]
    .filter((f) => !f.includes(`${join('src', 'telemetry')}/`) && !f.endsWith(join('src', 'main.ts')))
    .filter((f) => /from\s+['"]@opentelemetry\//.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  expect(offenders).toEqual([]);
});
