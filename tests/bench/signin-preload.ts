/**
 * A preload (`node --require <file>`) for the bot under test and the bare CloudAdapter peer of the
 * Teams benchmark, written to a temporary file (plain JavaScript: the bot runs compiled, without
 * tsx): botbuilder reads the Bot Framework's sign-in metadata from the fake
 * (tests/fakes/signin.ts, BENCH_OPENID_METADATA_URL) instead of login.botframework.com, so the
 * CloudAdapter verifies each click's signed token for real; and the bot's own calls to the
 * connector carry a fixed token instead of asking Microsoft's sign-in service for one (there is
 * none on this machine). Nothing else is changed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function signInPreload(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-preload-')), 'signin-preload.cjs');
  writeFileSync(
    file,
    `const connector = require(${JSON.stringify(require.resolve('botframework-connector'))});
if (process.env.BENCH_OPENID_METADATA_URL)
  connector.AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl = process.env.BENCH_OPENID_METADATA_URL;
// AppCredentials and each of its kinds with a getToken of its own (MicrosoftAppCredentials, MSAL's).
for (const value of Object.values(connector)) {
  const proto = typeof value === 'function' ? value.prototype : undefined;
  if (proto && Object.prototype.hasOwnProperty.call(proto, 'getToken') && /Credentials$/.test(value.name))
    proto.getToken = function getToken() {
      return Promise.resolve('bench-outgoing-token');
    };
}
`,
  );
  return file;
}
