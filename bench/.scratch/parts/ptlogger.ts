import { Logger } from '@aws-lambda-powertools/logger';
const l = new Logger();
export const handler = async () => [l];
