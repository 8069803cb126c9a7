/**
 * The environment a pipeline function runs with, computed from its settings alone. The CDK
 * construct calls this with CloudFormation tokens, the local stack with local names, so the two
 * cannot disagree about which variables a handler finds. Pure on purpose: no CDK imports.
 */
import { EVENTS_TOPIC, TABLES, type FunctionSettings, type TableRole } from '../src/common/settings';

export type TableAccess = NonNullable<FunctionSettings['tables'][TableRole]>;

/** Names of the deployed (or local) resources a function may be bound to. */
export interface FunctionResources {
  readonly tableNames: Readonly<Record<TableRole, string>>;
  readonly topicArn: string;
}

/** Powertools reads these; the service name comes from each function's settings. */
export const POWERTOOLS_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
} as const;

export const DEFAULT_LOG_LEVEL = 'INFO';

/**
 * Bundles are minified with source maps; Node only applies the maps to stack traces when asked.
 * Harmless where the handler runs unbundled (the local stack), so both get it.
 */
export const NODE_OPTIONS = '--enable-source-maps';

function isTableRole(key: string): key is TableRole {
  return Object.hasOwn(TABLES, key);
}

/** Every table role in `TABLES`. */
export const TABLE_ROLES: readonly TableRole[] = Object.keys(TABLES).filter(isTableRole);

/** Builds one value per table role, so a new table in settings cannot be forgotten. */
export function mapTableRoles<T>(valueOf: (role: TableRole) => T): Record<TableRole, T> {
  return Object.fromEntries(TABLE_ROLES.map((role) => [role, valueOf(role)])) as Record<TableRole, T>;
}

/** The tables a function is bound to, with the access its settings ask for. */
export function tableBindings(settings: Pick<FunctionSettings, 'tables'>): [TableRole, TableAccess][] {
  const bindings: [TableRole, TableAccess][] = [];
  for (const [role, access] of Object.entries(settings.tables)) {
    if (isTableRole(role) && access !== undefined) bindings.push([role, access]);
  }
  return bindings;
}

/**
 * A function's whole environment: Powertools settings, source maps, one table name per table it is
 * bound to, and the topic ARN if it publishes; nothing it is not bound to. (`OUTBOX_SENT_TTL_SECONDS` is an
 * optional override the relay defaults from settings, so it is not restated here.)
 */
export function functionEnvironment(settings: FunctionSettings, resources: FunctionResources): Record<string, string> {
  const environment: Record<string, string> = {
    [POWERTOOLS_ENV.serviceName]: settings.serviceName,
    [POWERTOOLS_ENV.logLevel]: DEFAULT_LOG_LEVEL,
    NODE_OPTIONS,
  };
  for (const [role] of tableBindings(settings)) {
    environment[TABLES[role].env] = resources.tableNames[role];
  }
  if (settings.publishesEvents) {
    environment[EVENTS_TOPIC.env] = resources.topicArn;
  }
  return environment;
}
