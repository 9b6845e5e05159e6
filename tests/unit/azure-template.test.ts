/**
 * manifests/azure/azuredeploy.json, checked offline (tests/deploy/arm-template.ts): an ARM
 * template Azure would accept in form, and the deployment the bot needs: two replicas or more,
 * the health probes, Cosmos DB's containers as the code makes them (read back from the code's own
 * createIfNotExists calls against the loopback Cosmos DB), secrets only from Key Vault, and an
 * environment the bot's own configuration parser accepts in production.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { configSchema, loadConfig, storeKind } from '../../src/config';
import { SECRET_VARIABLES } from '../../src/secrets';
import { CASES_INDEXING } from '../../src/store/cosmos/documents';
import { cosmosServer } from '../fakes/cosmos-server';
import { APP_ID, GOOD_AUDIT_KEY, GOOD_KEY, GOOD_SIGNING_SECRET } from '../security/production';
import {
  parseExpression,
  resourcesOf,
  str,
  templateProblems,
  UNKNOWN,
  type Template,
  type Value,
} from '../deploy/arm-template';

const DIR = join(__dirname, '..', '..', 'manifests', 'azure');
const template = JSON.parse(readFileSync(join(DIR, 'azuredeploy.json'), 'utf8')) as Template;
const example = JSON.parse(readFileSync(join(DIR, 'azuredeploy.parameters.example.json'), 'utf8')) as {
  $schema: string;
  parameters: Record<string, { value: Value }>;
};
const given = Object.fromEntries(Object.entries(example.parameters).map(([k, v]) => [k, v.value])) as Record<
  string,
  Value
>;
/** The example's values, and the other ways a board may deploy. */
const VARIANTS: Array<[string, Record<string, Value>]> = [
  ['the example (SingleTenant, no Slack)', given],
  ['UserAssignedMSI', { ...given, botAppType: 'UserAssignedMSI', botAppId: '' }],
  ['MultiTenant (agencies in other tenants)', { ...given, botAppType: 'MultiTenant' }],
  ['with Slack', { ...given, slack: true, slackClientId: '1234567890.1234567890' }],
  // SingleTenant (the default) needs the app registration's id: the one parameter besides the image.
  ['defaults otherwise', { containerImage: 'example.azurecr.io/bot:1', botAppId: APP_ID }],
];

type Json = Record<string, Value>;
const one = (values: Record<string, Value>, type: string): Json => {
  const found = resourcesOf(template, values, type);
  expect({ type, count: found.length }).toEqual({ type, count: 1 });
  return found[0] as Json;
};
const props = (r: Json): Json => r.properties as Json;

describe('the template’s form', () => {
  test.each(VARIANTS)('%s: no problems', (_, values) => {
    expect(templateProblems(template, values)).toEqual([]);
  });

  test('the parameters example gives only parameters the template has, and every one without a default', () => {
    expect(example.$schema).toMatch(/deploymentParameters\.json#$/);
    const required = Object.entries(template.parameters).filter(([, p]) => p.defaultValue === undefined);
    for (const [name] of required) expect({ name, given: name in given }).toEqual({ name, given: true });
    expect(Object.keys(given).filter((k) => !(k in template.parameters))).toEqual([]);
  });

  // The checker itself: each of these mistakes is found.
  test.each<[string, (t: Template) => void, RegExp]>([
    [
      'an unknown function',
      (t) => (t.variables.suffix = '[tak(uniqueString(resourceGroup().id), 6)]'),
      /tak\(\) is not a function/,
    ],
    [
      'an undefined parameter',
      (t) => (t.variables.suffix = "[parameters('nope')]"),
      /parameters\('nope'\) is not defined/,
    ],
    [
      'an undefined variable',
      (t) => (t.variables.suffix = "[variables('nope')]"),
      /variables\('nope'\) is not defined/,
    ],
    ['unbalanced brackets', (t) => (t.variables.suffix = "[concat('a', 'b']"), /expected "," or "\)"/],
    ['a string not closed', (t) => (t.variables.suffix = "[concat('a, 'b')]"), /expected|not closed/],
    ['too many arguments', (t) => (t.variables.suffix = "[toLower('a', 'b')]"), /takes 1 to 1 arguments, not 2/],
    [
      'a resourceId() of a type not deployed',
      (t) => (t.variables.suffix = "[resourceId('Microsoft.Web/sites', 'x')]"),
      /names Microsoft.Web\/sites, which the template does not deploy/,
    ],
    [
      'a dependsOn to nothing',
      (t) =>
        (t.resources[1] as { dependsOn: string[] }).dependsOn.push(
          "[resourceId('Microsoft.Insights/components', 'other')]",
        ),
      /is not a resource of the template/,
    ],
    ['reference() in a variable', (t) => (t.variables.suffix = "[reference('x').y]"), /Azure refuses in variables/],
    ['a resource without apiVersion', (t) => delete t.resources[0]?.apiVersion, /no apiVersion/],
    ['a wrong schema', (t) => (t.$schema = 'https://example.org/template.json'), /\$schema/],
  ])('the checker finds %s', (_, mutate, problem) => {
    const broken = JSON.parse(JSON.stringify(template)) as Template;
    mutate(broken);
    expect(templateProblems(broken, given)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  test('the expression parser: nesting, escaped quotes, property and index access', () => {
    expect(parseExpression("[concat('it''s', reference('x').a.b[0])]")).toEqual({
      kind: 'call',
      name: 'concat',
      access: [],
      args: [
        { kind: 'string', value: "it's" },
        {
          kind: 'call',
          name: 'reference',
          args: [{ kind: 'string', value: 'x' }],
          access: [{ property: 'a' }, { property: 'b' }, { index: { kind: 'number', value: 0 } }],
        },
      ],
    });
  });
});

describe('what the bot needs from Azure', () => {
  test.each(VARIANTS)(
    '%s: Container Apps, two replicas or more, port 3978, probes on /livez and /readyz',
    (_, values) => {
      const app = one(values, 'Microsoft.App/containerApps');
      const { configuration, template: spec } = props(app) as { configuration: Json; template: Json };
      expect((configuration.ingress as Json).targetPort).toBe(3978);
      expect((configuration.ingress as Json).allowInsecure).toBe(false);
      const scale = spec.scale as { minReplicas: number; maxReplicas: number };
      expect(scale.minReplicas).toBeGreaterThanOrEqual(2);
      expect(scale.maxReplicas).toBeGreaterThanOrEqual(scale.minReplicas);
      expect(template.parameters.minReplicas).toEqual(expect.objectContaining({ minValue: 2 }));
      const [container] = spec.containers as Json[];
      const probes = (container?.probes as Array<{ type: string; httpGet: { path: string; port: number } }>).map(
        (p) => [p.type, p.httpGet.path, p.httpGet.port],
      );
      expect(probes).toEqual(
        expect.arrayContaining([
          ['Liveness', '/livez', 3978],
          ['Readiness', '/readyz', 3978],
        ]),
      );
      // Container Apps takes thresholds of 1 to 10 and first delays of 0 to 60 seconds.
      for (const probe of container?.probes as Array<{ failureThreshold?: number; initialDelaySeconds?: number }>) {
        expect(probe.failureThreshold ?? 3).toBeGreaterThanOrEqual(1);
        expect(probe.failureThreshold ?? 3).toBeLessThanOrEqual(10);
        expect(probe.initialDelaySeconds ?? 0).toBeLessThanOrEqual(60);
      }
      // The app signs in as the user-assigned identity, for Key Vault, Cosmos DB and the registry alike.
      expect((app.identity as Json).type).toBe('UserAssigned');
    },
  );

  test.each(VARIANTS)(
    '%s: secrets come from Key Vault by the managed identity; no secret is written in the template',
    (_, values) => {
      const app = one(values, 'Microsoft.App/containerApps');
      const { configuration, template: spec } = props(app) as { configuration: Json; template: Json };
      const secrets = configuration.secrets as Json[];
      for (const secret of secrets) {
        expect(secret.value).toBeUndefined();
        expect(secret.keyVaultUrl).toMatch(/^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/[a-z0-9-]+$/);
        expect(secret.identity).toMatch(/^Microsoft\.ManagedIdentity\/userAssignedIdentities:/);
      }
      const env = (spec.containers as Json[])[0]?.env as Array<{ name: string; value?: Value; secretRef?: string }>;
      const names = new Set(secrets.map((s) => s.name));
      for (const entry of env) {
        if (SECRET_VARIABLES.has(entry.name))
          expect({ name: entry.name, literal: entry.value }).toEqual({ name: entry.name, literal: undefined });
        if (entry.secretRef)
          expect({ ref: entry.secretRef, known: names.has(entry.secretRef) }).toEqual({
            ref: entry.secretRef,
            known: true,
          });
      }
      // The mounted directory file is a secret of the app's too.
      for (const volume of spec.volumes as Array<{ secrets?: Array<{ secretRef: string }> }>)
        for (const { secretRef } of volume.secrets ?? [])
          expect({ secretRef, known: names.has(secretRef) }).toEqual({ secretRef, known: true });
      // Nothing anywhere in the files that looks like a key, a token or a connection string.
      for (const file of ['azuredeploy.json', 'azuredeploy.parameters.example.json']) {
        const text = readFileSync(join(DIR, file), 'utf8');
        expect(text).not.toMatch(/AccountKey=|xox[bpa]-|InstrumentationKey=|"[A-Za-z0-9+/]{40,}={0,2}"/);
      }
    },
  );

  test.each(VARIANTS)(
    '%s: the environment names only variables the bot reads, and the bot’s parser accepts it in production',
    (_, values) => {
      const app = one(values, 'Microsoft.App/containerApps');
      const spec = props(app).template as Json;
      const [container] = spec.containers as Json[];
      const env = container?.env as Array<{ name: string; value?: Value; secretRef?: string }>;
      // AZURE_CLIENT_ID: read by @azure/identity (which user-assigned identity signs in to Cosmos DB).
      const known = new Set([...Object.keys(configSchema.shape), 'AZURE_CLIENT_ID']);
      expect(env.map((e) => e.name).filter((n) => !known.has(n))).toEqual([]);
      // What Azure fills in (secrets, reference()) stands in as values of the right form.
      const sample: Record<string, string> = {
        PERSONAL_DATA_KEY: GOOD_KEY,
        AUDIT_KEY: GOOD_AUDIT_KEY,
        MicrosoftAppPassword: 'Qm8~x2kLw.Vb7TnR4yZp0sEa9uDfGh3Jc1oKi5',
        MicrosoftAppId: APP_ID,
        COSMOS_ENDPOINT: 'https://lsab-db.documents.azure.com:443/',
        AZURE_CLIENT_ID: APP_ID,
        SLACK_SIGNING_SECRET: GOOD_SIGNING_SECRET,
        SLACK_CLIENT_SECRET: 'f3a9c2e7b1d84a6f9e0c5b2a7d1e4f8c',
        SLACK_STATE_SECRET: '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c2e4b6d8f0a1c3e5b',
      };
      const environment = Object.fromEntries(
        env.map((e) => [e.name, e.secretRef || e.value === UNKNOWN ? (sample[e.name] ?? '') : str(e.value)]),
      );
      const config = loadConfig(environment);
      expect(config.NODE_ENV).toBe('production');
      expect(storeKind(config)).toBe('cosmos');
      expect(config.COSMOS_KEY).toBeUndefined(); // by managed identity: no key
      expect(config.MicrosoftAppType).toBe(values.botAppType ?? 'SingleTenant');
      // Slack by the install per agency (OAuth): no one workspace's token in the deployment.
      if (values.slack)
        expect([config.SLACK_CLIENT_ID, config.SLACK_BOT_TOKEN]).toEqual(['1234567890.1234567890', undefined]);
      // The directory file is where its Key Vault secret is mounted.
      const mount = (container?.volumeMounts as Json[])[0] as { volumeName: string; mountPath: string };
      const volume = (spec.volumes as Json[]).find((v) => v.name === mount.volumeName) as {
        storageType: string;
        secrets: Array<{ secretRef: string; path: string }>;
      };
      expect(volume.storageType).toBe('Secret');
      expect(posix.join(mount.mountPath, volume.secrets[0]?.path ?? '')).toBe(config.DIRECTORY_FILE);
    },
  );

  test('every Key Vault secret the app reads is one README’s Going live tells the board to set', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const live = readme.slice(readme.indexOf('## Going live'), readme.indexOf('## Configuration'));
    const told = new Set(
      [...live.matchAll(/--name ([a-z0-9-]+)/g), ...live.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]),
    );
    const read = new Set<string>();
    for (const [, values] of VARIANTS) {
      const app = resourcesOf(template, values, 'Microsoft.App/containerApps')[0] as Json;
      const secrets = (props(app).configuration as Json).secrets as Array<{ keyVaultUrl: string }>;
      for (const s of secrets) read.add(s.keyVaultUrl.split('/').at(-1) ?? '');
    }
    expect(read.size).toBeGreaterThanOrEqual(6);
    expect([...read].filter((name) => !told.has(name))).toEqual([]);
  });

  test('Key Vault by role (RBAC), and the app’s identity granted Key Vault Secrets User on it', () => {
    const vault = one(given, 'Microsoft.KeyVault/vaults');
    expect(props(vault).enableRbacAuthorization).toBe(true);
    expect(props(vault).accessPolicies).toBeUndefined();
    const grant = one(given, 'Microsoft.Authorization/roleAssignments');
    expect(grant.scope).toBe(`Microsoft.KeyVault/vaults:${str(vault.name)}`);
    expect(props(grant).roleDefinitionId).toBe(
      'Microsoft.Authorization/roleDefinitions:4633458b-17de-408a-b874-0445c86b69e6',
    );
    const raw = template.resources.find((r) => r.type === 'Microsoft.Authorization/roleAssignments') as Json;
    expect(JSON.stringify(raw)).toMatch(
      /reference\(resourceId\('Microsoft\.ManagedIdentity\/userAssignedIdentities'.*\.principalId/,
    );
  });

  test('Cosmos DB: no account keys, the identity has the Built-in Data Contributor role on the data', () => {
    const account = one(given, 'Microsoft.DocumentDB/databaseAccounts');
    expect(props(account).disableLocalAuth).toBe(true);
    const role = one(given, 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
    expect(props(role).roleDefinitionId).toMatch(/sqlRoleDefinitions:.*\/00000000-0000-0000-0000-000000000002$/);
    expect(props(role).scope).toBe(`Microsoft.DocumentDB/databaseAccounts:${str(account.name)}`);
    const database = one(given, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases');
    expect((props(database).resource as Json).id).toBe(configSchema.shape.COSMOS_DATABASE.parse(undefined));
  });

  test('Cosmos DB’s containers, partition keys, time-to-live and indexing are those the code makes', async () => {
    // The code's own definitions: what its createIfNotExists calls make, read back from the loopback Cosmos DB.
    const server = cosmosServer();
    await server.start();
    try {
      const repo = await server.open('layout');
      // Slack's installations container is made the first time it is needed.
      await repo.listSlackInstallations();
      await repo.close();
      const { resources } = await server.client().database('layout').containers.readAll().fetchAll();
      const code = resources
        .map((c) => ({
          id: c.id,
          partitionKey: c.partitionKey?.paths,
          defaultTtl: c.defaultTtl,
          indexingPolicy: c.indexingPolicy,
        }))
        .sort((a, b) => a.id.localeCompare(b.id));
      const deployed = resourcesOf(template, given, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers')
        .map(
          (c) =>
            props(c).resource as Json as {
              id: string;
              partitionKey: { paths: string[]; kind: string };
              defaultTtl?: number;
              indexingPolicy?: Json;
            },
        )
        .map((c) => ({
          id: c.id,
          partitionKey: c.partitionKey.paths,
          defaultTtl: c.defaultTtl,
          // Azure's default where the template gives none, as the code's containers have.
          indexingPolicy: c.indexingPolicy ?? { indexingMode: 'consistent' },
        }))
        .sort((a, b) => a.id.localeCompare(b.id));
      expect(deployed).toEqual(code);
      expect(deployed.find((c) => c.id === 'cases')?.indexingPolicy).toEqual(CASES_INDEXING);
    } finally {
      await server.stop();
    }
  });

  test.each(VARIANTS)(
    '%s: an Azure Bot (its app type as asked) with the Teams channel; Application Insights on Log Analytics',
    (_, values) => {
      const bot = one(values, 'Microsoft.BotService/botServices');
      expect(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).toContain(props(bot).msaAppType);
      // A single-tenant bot names its tenant; a multi-tenant one none.
      expect(props(bot).msaAppTenantId).toBe(
        values.botAppType === 'MultiTenant' ? '' : '11111111-1111-4111-8111-111111111111',
      );
      expect(props(bot).msaAppType).toBe(values.botAppType ?? 'SingleTenant');
      const channel = one(values, 'Microsoft.BotService/botServices/channels');
      expect(str(channel.name)).toBe(`${str(bot.name)}/MsTeamsChannel`);
      expect(props(channel).channelName).toBe('MsTeamsChannel');
      const insights = one(values, 'Microsoft.Insights/components');
      const workspace = one(values, 'Microsoft.OperationalInsights/workspaces');
      expect(props(insights).WorkspaceResourceId).toBe(
        `Microsoft.OperationalInsights/workspaces:${str(workspace.name)}`,
      );
      const environment = one(values, 'Microsoft.App/managedEnvironments');
      expect((props(environment).appLogsConfiguration as Json).destination).toBe('log-analytics');
    },
  );

  test('the first deployment (withApp false) makes everything but the app, so the secrets can go in Key Vault first', () => {
    const first = { ...given, withApp: false };
    expect(templateProblems(template, first)).toEqual([]);
    expect(resourcesOf(template, first, 'Microsoft.App/containerApps')).toEqual([]);
    expect(resourcesOf(template, first, 'Microsoft.KeyVault/vaults')).toHaveLength(1);
  });
});
