import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ORDER_API_ROUTES, type FunctionSettings } from '../../src/common/settings';
import { LOG_RETENTION, PipelineFunction, type PipelineResources } from './pipeline-function';

/** Stage-wide throttling: a demo API should not be able to run up a bill. */
const THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;

/** One JSON object per request, carrying the X-Ray trace id to jump from a log line to its trace. */
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigateway.AccessLogField.contextRequestId(),
    xrayTraceId: apigateway.AccessLogField.contextXrayTraceId(),
    sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
    requestTime: apigateway.AccessLogField.contextRequestTime(),
    httpMethod: apigateway.AccessLogField.contextHttpMethod(),
    resourcePath: apigateway.AccessLogField.contextResourcePath(),
    status: apigateway.AccessLogField.contextStatus(),
    responseLength: apigateway.AccessLogField.contextResponseLength(),
    responseLatency: apigateway.AccessLogField.contextResponseLatency(),
    integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
    integrationStatus: apigateway.AccessLogField.contextIntegrationStatus(),
    errorMessage: apigateway.AccessLogField.contextErrorMessage(),
  }),
);

/** The managed policy RestApi's `cloudWatchRole` attaches, as cdk-nag names it. */
const API_GATEWAY_LOGGING_POLICY =
  'arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs';

export interface OrderApiProps {
  readonly settings: FunctionSettings;
  readonly resources: PipelineResources;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The order API's routes (`ORDER_API_ROUTES`: `POST /orders`, `GET /orders/{orderId}`), all proxied
 * to the order API function. A REST API (v1) rather than an HTTP API because only REST APIs support
 * X-Ray active tracing, which starts the trace that the outbox item carries on to the consumers.
 */
export class OrderApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly handler: PipelineFunction;

  constructor(scope: Construct, id: string, props: OrderApiProps) {
    super(scope, id);
    const { settings, removalPolicy } = props;

    this.handler = new PipelineFunction(this, settings.id, {
      settings,
      resources: props.resources,
      removalPolicy,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: LOG_RETENTION,
      removalPolicy,
    });

    this.api = new apigateway.RestApi(this, 'RestApi', {
      description: 'Order pipeline: places orders and reads their status',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Stage logging needs the account-level API Gateway CloudWatch role. It is shared by every
      // API of the account and region, so it outlives this stack.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        tracingEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Full request/response logging would copy customer data into the execution logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: THROTTLING.rateLimit,
        throttlingBurstLimit: THROTTLING.burstLimit,
      },
    });

    // The stack publishes the URL as `ApiUrl`; RestApi's own unnamed `Endpoint` output would repeat it.
    this.api.node.tryRemoveChild('Endpoint');

    const integration = new apigateway.LambdaIntegration(this.handler.function, { allowTestInvoke: false });
    for (const route of ORDER_API_ROUTES) {
      this.api.root.resourceForPath(route.resource).addMethod(route.method, integration);
    }

    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'The order function validates every body with the same zod contract the code is typed from, and ' +
          'answers field-level errors; an API Gateway model would be a second, drifting copy of that schema.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Reference deployment without a WAF web ACL (billed per ACL and rule); the stage is throttled. ' +
          'Associate a web ACL before exposing the API to untrusted traffic.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Authentication is outside the scope of this reference pipeline, which demonstrates the outbox and ' +
          'event flow; put an authorizer (Cognito or IAM) in front before storing real customer data.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'No Cognito user pool in this reference pipeline; see the AwsSolutions-APIG4 acknowledgement.',
      },
    );
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      Validations.of(cloudWatchRole).acknowledge({
        id: `AwsSolutions-IAM4[Policy::${API_GATEWAY_LOGGING_POLICY}]`,
        reason:
          'The account-level API Gateway logging role; AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS ' +
          'documents for it, and API Gateway needs it for stage access and execution logs.',
      });
    }
  }
}
