/**
 * An Azure Resource Manager template checked offline (Azure's own checks need an Azure account):
 * its shape, every "[…]" expression parsed by a small parser of ARM's expression language and
 * evaluated with the given parameters (reference() and listKeys(), which only Azure can answer,
 * evaluate to UNKNOWN), the functions known and given the right number of arguments, parameters()
 * and variables() naming ones the template defines, resourceId() naming a type the template
 * deploys (or a built-in one), and every dependsOn naming a resource in the template.
 */

export const UNKNOWN: unique symbol = Symbol('known only in Azure');
export type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | typeof UNKNOWN;

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'call'; name: string; args: Expr[]; access: Array<{ property: string } | { index: Expr }> };

export class ExpressionError extends Error {}

/** A value as text: strings as they are, anything else as JSON (UNKNOWN as a marker). */
export function str(value: Value | undefined): string {
  if (value === UNKNOWN) return '<known in Azure>';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Whether a JSON string is an expression: "[…]", but not "[[…" (a literal that starts with "["). */
export function isExpression(text: string): boolean {
  return text.startsWith('[') && !text.startsWith('[[') && text.endsWith(']');
}

/** Parse "[…]" into its expression; throws ExpressionError saying where it goes wrong. */
export function parseExpression(text: string): Expr {
  const src = text.slice(1, -1);
  let at = 0;
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} at ${at} in ${text}`);
  };
  const space = (): void => {
    while (/\s/.test(src[at] ?? '')) at++;
  };
  const take = (c: string): void => {
    space();
    if (src[at] !== c) fail(`expected "${c}"`);
    at++;
  };
  const value = (): Expr => {
    space();
    const c = src[at];
    if (c === "'") {
      let out = '';
      at++;
      for (;;) {
        if (at >= src.length) fail('a string not closed');
        if (src[at] === "'" && src[at + 1] === "'") {
          out += "'";
          at += 2;
        } else if (src[at] === "'") {
          at++;
          return { kind: 'string', value: out };
        } else out += src[at++];
      }
    }
    const number = /^-?\d+(\.\d+)?/.exec(src.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    const name = /^[A-Za-z][A-Za-z0-9_]*/.exec(src.slice(at));
    if (!name) return fail('expected a function, a string or a number');
    at += name[0].length;
    if (name[0] === 'true' || name[0] === 'false') return { kind: 'bool', value: name[0] === 'true' };
    const args: Expr[] = [];
    take('(');
    space();
    if (src[at] === ')') at++;
    else
      for (;;) {
        args.push(value());
        space();
        if (src[at] === ',') at++;
        else if (src[at] === ')') {
          at++;
          break;
        } else fail('expected "," or ")"');
      }
    const access: Array<{ property: string } | { index: Expr }> = [];
    for (;;) {
      space();
      if (src[at] === '.') {
        at++;
        const prop = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(at));
        if (!prop) fail('expected a property name');
        at += (prop as RegExpExecArray)[0].length;
        access.push({ property: (prop as RegExpExecArray)[0] });
      } else if (src[at] === '[') {
        at++;
        access.push({ index: value() });
        take(']');
      } else break;
    }
    return { kind: 'call', name: name[0], args, access };
  };
  const expr = value();
  space();
  if (at !== src.length) fail('text after the expression');
  if (expr.kind !== 'call') fail('an expression must be a function call');
  return expr;
}

/** ARM's functions this checker knows: the fewest and most arguments each takes. */
export const FUNCTIONS: Record<string, [number, number]> = {
  concat: [1, 99],
  format: [1, 99],
  tolower: [1, 1],
  toupper: [1, 1],
  uniquestring: [1, 99],
  guid: [1, 99],
  take: [2, 2],
  substring: [2, 3],
  replace: [3, 3],
  empty: [1, 1],
  equals: [2, 2],
  not: [1, 1],
  and: [2, 99],
  or: [2, 99],
  if: [3, 3],
  createarray: [0, 99],
  createobject: [0, 99],
  json: [1, 1],
  string: [1, 1],
  int: [1, 1],
  parameters: [1, 1],
  variables: [1, 1],
  resourcegroup: [0, 0],
  subscription: [0, 0],
  environment: [0, 0],
  resourceid: [2, 99],
  subscriptionresourceid: [2, 99],
  extensionresourceid: [3, 99],
  reference: [1, 3],
  listkeys: [2, 2],
};

export interface Template {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, { type: string; defaultValue?: unknown; allowedValues?: unknown[] }>;
  variables: Record<string, unknown>;
  resources: Array<Record<string, unknown>>;
  outputs?: Record<string, unknown>;
}

/** Types resourceId() may name that no template deploys (Azure's built-in definitions). */
export const BUILT_IN_TYPES = new Set(['Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions']);

/** A fixed stand-in for uniqueString() and guid() (Azure hashes; any stable text will do here). */
function hash(parts: Value[]): string {
  let h = 2166136261;
  for (const ch of parts.map(String).join('|')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36).padStart(13, 'a');
}

export class Evaluator {
  private readonly variableValues = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  constructor(
    private readonly template: Template,
    private readonly parameterValues: Record<string, Value>,
  ) {}

  parameter(name: string): Value {
    if (!(name in this.template.parameters)) throw new ExpressionError(`parameters('${name}') is not defined`);
    if (name in this.parameterValues) return this.parameterValues[name] as Value;
    const fallback = this.template.parameters[name]?.defaultValue;
    if (fallback === undefined) throw new ExpressionError(`parameter ${name} has no value and no default`);
    return this.deep(fallback);
  }

  variable(name: string): Value {
    if (!(name in this.template.variables)) throw new ExpressionError(`variables('${name}') is not defined`);
    const known = this.variableValues.get(name);
    if (known !== undefined) return known;
    if (this.evaluating.has(name)) throw new ExpressionError(`variables('${name}') refers to itself`);
    this.evaluating.add(name);
    const text = JSON.stringify(this.template.variables[name]);
    if (/\breference\(|\blistKeys\(/i.test(text))
      throw new ExpressionError(
        `variables('${name}') uses reference() or listKeys(), which Azure refuses in variables`,
      );
    const value = this.deep(this.template.variables[name]);
    this.evaluating.delete(name);
    this.variableValues.set(name, value);
    return value;
  }

  /** Any JSON with its expression strings evaluated. */
  deep(json: unknown): Value {
    if (typeof json === 'string')
      return isExpression(json) ? this.evaluate(parseExpression(json)) : json.replace(/^\[\[/, '[');
    if (Array.isArray(json)) return json.map((j) => this.deep(j));
    if (json && typeof json === 'object')
      return Object.fromEntries(
        Object.entries(json).map(([k, v]) => [isExpression(k) ? str(this.deep(k)) : k, this.deep(v)]),
      );
    return json as Value;
  }

  evaluate(expr: Expr): Value {
    if (expr.kind !== 'call') return expr.value;
    const name = expr.name.toLowerCase();
    const arity = FUNCTIONS[name];
    if (!arity) throw new ExpressionError(`${expr.name}() is not a function this checker knows`);
    if (expr.args.length < arity[0] || expr.args.length > arity[1])
      throw new ExpressionError(`${expr.name}() takes ${arity[0]} to ${arity[1]} arguments, not ${expr.args.length}`);
    // if() evaluates its condition first; both branches are still checked.
    const args = expr.args.map((a) => this.evaluate(a));
    let value = this.call(name, args, expr);
    for (const step of expr.access) {
      if (value === UNKNOWN) break;
      const key = 'property' in step ? step.property : this.evaluate(step.index);
      if (value === null || typeof value !== 'object' || key === UNKNOWN)
        throw new ExpressionError(`cannot read ${str(key)} of ${str(value)}`);
      const next = (value as Record<string, Value>)[str(key)];
      if (next === undefined) throw new ExpressionError(`${expr.name}() has no property ${str(key)}`);
      value = next;
    }
    return value;
  }

  private call(name: string, args: Value[], expr: Expr & { kind: 'call' }): Value {
    const text = (v: Value): string =>
      v === UNKNOWN ? '<known in Azure>' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    const literal = (i: number): string => {
      const a = expr.args[i];
      if (a?.kind !== 'string')
        throw new ExpressionError(`${expr.name}()'s argument ${i + 1} must be a literal string`);
      return a.value;
    };
    switch (name) {
      case 'parameters':
        return this.parameter(literal(0));
      case 'variables':
        return this.variable(literal(0));
      case 'concat':
        if (args.every((a) => Array.isArray(a))) return (args as Value[][]).flat();
        return args.map(text).join('');
      case 'format':
        return text(args[0] as Value).replace(/\{(\d+)\}/g, (_, n: string) => text(args[Number(n) + 1] ?? ''));
      case 'tolower':
        return text(args[0] as Value).toLowerCase();
      case 'toupper':
        return text(args[0] as Value).toUpperCase();
      case 'uniquestring':
        return hash(args);
      case 'guid': {
        const h = (hash(args) + hash([...args, 'x']) + hash([...args, 'y'])).replace(/[^0-9a-f]/g, '0').padEnd(32, '0');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
      }
      case 'take':
        return text(args[0] as Value).slice(0, Number(args[1]));
      case 'substring':
        return text(args[0] as Value).substr(Number(args[1]), args[2] === undefined ? undefined : Number(args[2]));
      case 'replace':
        return text(args[0] as Value)
          .split(text(args[1] as Value))
          .join(text(args[2] as Value));
      case 'empty':
        return args[0] === '' || (Array.isArray(args[0]) && args[0].length === 0) || args[0] === null;
      case 'equals':
        return JSON.stringify(args[0]) === JSON.stringify(args[1]);
      case 'not':
        return !args[0];
      case 'and':
        return args.every(Boolean);
      case 'or':
        return args.some(Boolean);
      case 'if':
        return args[0] ? (args[1] as Value) : (args[2] as Value);
      case 'createarray':
        return args;
      case 'createobject': {
        if (args.length % 2) throw new ExpressionError('createObject() takes names and values in pairs');
        const out: Record<string, Value> = {};
        for (let i = 0; i < args.length; i += 2) out[text(args[i] as Value)] = args[i + 1] as Value;
        return out;
      }
      case 'json':
        return JSON.parse(text(args[0] as Value)) as Value;
      case 'string':
        return text(args[0] as Value);
      case 'int':
        return Number(args[0]);
      case 'resourcegroup':
        return { id: '/subscriptions/sub/resourceGroups/rg', name: 'rg', location: 'uksouth' };
      case 'subscription':
        return { id: '/subscriptions/sub', subscriptionId: 'sub', tenantId: '11111111-1111-4111-8111-111111111111' };
      case 'environment':
        return { name: 'AzureCloud', suffixes: { keyvaultDns: '.vault.azure.net' } };
      case 'resourceid':
      case 'subscriptionresourceid':
        return resourceKey(literal(0), args.slice(1).map(text));
      case 'extensionresourceid':
        return `${text(args[0] as Value)}/providers/${resourceKey(text(args[1] as Value), args.slice(2).map(text))}`;
      case 'reference':
      case 'listkeys':
        return UNKNOWN;
      default:
        throw new ExpressionError(`${expr.name}() is not a function this checker knows`);
    }
  }
}

/** How a resource is named here, whether from resourceId() or from a resource's type and name. */
export function resourceKey(type: string, names: string[]): string {
  return `${type}:${names.join('/')}`;
}

/** Every string in the JSON, with where it is. */
function strings(json: unknown, path: string, out: Array<{ path: string; text: string }>): void {
  if (typeof json === 'string') out.push({ path, text: json });
  else if (Array.isArray(json)) json.forEach((j, i) => strings(j, `${path}[${i}]`, out));
  else if (json && typeof json === 'object')
    for (const [k, v] of Object.entries(json)) {
      out.push({ path: `${path} (key)`, text: k });
      strings(v, `${path}.${k}`, out);
    }
}

/** Every resourceId()-like call in an expression: the type it names and how many names it gives. */
function resourceIdCalls(expr: Expr, out: Array<{ name: string; type: Expr | undefined; count: number }>): void {
  if (expr.kind !== 'call') return;
  const name = expr.name.toLowerCase();
  if (name === 'resourceid' || name === 'subscriptionresourceid')
    out.push({ name, type: expr.args[0], count: expr.args.length - 1 });
  if (name === 'extensionresourceid') out.push({ name, type: expr.args[1], count: expr.args.length - 2 });
  for (const a of expr.args) resourceIdCalls(a, out);
  for (const step of expr.access) if ('index' in step) resourceIdCalls(step.index, out);
}

/** What is wrong with the template (nothing: []), evaluated with `parameterValues`. */
export function templateProblems(template: Template, parameterValues: Record<string, Value>): string[] {
  const problems: string[] = [];
  if (
    !/^https:\/\/schema\.management\.azure\.com\/schemas\/[0-9-]+\/deploymentTemplate\.json#$/.test(
      template.$schema ?? '',
    )
  )
    problems.push('$schema is not a resource group deployment template schema');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(template.contentVersion ?? '')) problems.push('contentVersion is not like 1.0.0.0');
  for (const section of ['parameters', 'variables'] as const)
    if (!template[section] || typeof template[section] !== 'object' || Array.isArray(template[section]))
      problems.push(`${section} is not an object`);
  if (!Array.isArray(template.resources)) return [...problems, 'resources is not a list'];
  for (const [name, p] of Object.entries(template.parameters ?? {})) {
    if (
      !['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array'].includes(
        String(p.type).toLowerCase(),
      )
    )
      problems.push(`parameter ${name}: type ${String(p.type)} is not an ARM type`);
    if (String(p.type).toLowerCase().startsWith('secure') && p.defaultValue !== undefined && p.defaultValue !== '')
      problems.push(`parameter ${name}: a secure parameter has a default value`);
    if (p.allowedValues && p.defaultValue !== undefined && !p.allowedValues.includes(p.defaultValue))
      problems.push(`parameter ${name}: its default is not one of its allowed values`);
  }
  for (const name of Object.keys(parameterValues))
    if (!(name in (template.parameters ?? {})))
      problems.push(`a value is given for parameter ${name}, which the template does not have`);
  const evaluator = new Evaluator(template, parameterValues);
  const deployed = new Map<string, Record<string, unknown>>();
  const types = new Set(template.resources.map((r) => String(r.type)));
  template.resources.forEach((resource, i) => {
    const where = `resources[${i}] (${String(resource.type)})`;
    for (const field of ['type', 'apiVersion', 'name'])
      if (typeof resource[field] !== 'string') problems.push(`${where}: no ${field}`);
    if (!/^[A-Za-z]+\.[A-Za-z.]+(\/[A-Za-z]+)+$/.test(String(resource.type)))
      problems.push(`${where}: the type is not Namespace/type`);
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(String(resource.apiVersion)))
      problems.push(`${where}: apiVersion is not a date`);
    try {
      const name = str(evaluator.deep(resource.name));
      const segments = String(resource.type).split('/').length - 1;
      if (name.split('/').length !== segments)
        problems.push(`${where}: the name "${name}" has ${name.split('/').length} parts; its type needs ${segments}`);
      deployed.set(resourceKey(String(resource.type), [name]), resource);
    } catch (error) {
      problems.push(`${where}: its name: ${(error as Error).message}`);
    }
  });
  const found: Array<{ path: string; text: string }> = [];
  strings(template, '$', found);
  for (const { path, text } of found) {
    if (!isExpression(text)) {
      if (text.startsWith('[') && !text.startsWith('[[') && !path.endsWith('(key)') && /^\[[A-Za-z]+\(/.test(text))
        problems.push(`${path}: an expression that does not end in "]"`);
      continue;
    }
    try {
      const expr = parseExpression(text);
      const calls: Array<{ name: string; type: Expr | undefined; count: number }> = [];
      resourceIdCalls(expr, calls);
      for (const call of calls) {
        if (call.type?.kind !== 'string') continue; // a type given by expression is evaluated below
        const type = call.type.value;
        if (!types.has(type) && !BUILT_IN_TYPES.has(type) && call.name === 'resourceid')
          problems.push(`${path}: resourceId() names ${type}, which the template does not deploy`);
        if (call.count !== type.split('/').length - 1)
          problems.push(
            `${path}: ${call.name}() gives ${call.count} names for ${type}, which needs ${type.split('/').length - 1}`,
          );
      }
      evaluator.evaluate(expr);
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
    }
  }
  template.resources.forEach((resource, i) => {
    const dependsOn = resource.dependsOn ?? [];
    if (!Array.isArray(dependsOn)) return problems.push(`resources[${i}]: dependsOn is not a list`);
    for (const entry of dependsOn) {
      try {
        const key = str(evaluator.deep(entry));
        const target = key.includes('/providers/') ? key.slice(key.indexOf('/providers/') + '/providers/'.length) : key;
        if (!deployed.has(target))
          problems.push(`resources[${i}]: dependsOn ${String(entry)} is not a resource of the template`);
      } catch (error) {
        problems.push(`resources[${i}]: dependsOn: ${(error as Error).message}`);
      }
    }
    return undefined;
  });
  return problems;
}

/** The resources of `type`, their JSON evaluated (reference() and listKeys() as UNKNOWN). */
export function resourcesOf(
  template: Template,
  values: Record<string, Value>,
  type: string,
): Array<Record<string, Value>> {
  const evaluator = new Evaluator(template, values);
  return template.resources
    .filter((r) => r.type === type && (r.condition === undefined || evaluator.deep(r.condition) === true))
    .map((r) => evaluator.deep(r) as Record<string, Value>);
}
