import type { IConstruct } from 'constructs';

/** Deployment choices read from CDK context (`cdk deploy -c retainData=true -c alarmEmail=…`). */
export interface PipelineContext {
  /** Keep tables, queues, logs and keys when the stack is deleted, and protect tables from deletion. */
  readonly retainData: boolean;
  readonly alarmEmail?: string;
}

export const CONTEXT_KEYS = { retainData: 'retainData', alarmEmail: 'alarmEmail' } as const;

/** `-c key=value` arrives as a string, cdk.json context as JSON: accept both spellings of true. */
export function readPipelineContext(scope: IConstruct): PipelineContext {
  const retainData: unknown = scope.node.tryGetContext(CONTEXT_KEYS.retainData);
  const alarmEmail: unknown = scope.node.tryGetContext(CONTEXT_KEYS.alarmEmail);
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !alarmEmail.includes('@'))) {
    throw new Error(`Context ${CONTEXT_KEYS.alarmEmail} must be an email address`);
  }
  return {
    retainData: retainData === true || retainData === 'true',
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
  };
}
