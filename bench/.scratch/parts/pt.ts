import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { Metrics } from '@aws-lambda-powertools/metrics';
const l = new Logger(); const t = new Tracer(); const m = new Metrics({ namespace: 'x' });
export const handler = async () => [l, t, m];
