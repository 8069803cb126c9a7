/**
 * An execution environment with active tracing, set on import (Powertools Tracer and the X-Ray SDK
 * read it when they load): the variables the Lambda service sets, and the invocation's trace
 * header. Import it before anything that imports `src/common/observability`.
 */
export const INVOCATION_ROOT = '1-6a0b7eb4-000000000000000000000001';
export const FUNCTION_SEGMENT_ID = 'f00d0000f00d0001';
export const INVOCATION_TRACE_HEADER = `Root=${INVOCATION_ROOT};Parent=${FUNCTION_SEGMENT_ID};Sampled=1`;
export const SERVICE_NAME = 'payment-service';

process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
process.env.LAMBDA_TASK_ROOT = '/var/task';
process.env._HANDLER = 'index.handler';
process.env._X_AMZN_TRACE_ID = INVOCATION_TRACE_HEADER;
process.env.POWERTOOLS_SERVICE_NAME = SERVICE_NAME;
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_XRAY_LOG_LEVEL = 'silent';
