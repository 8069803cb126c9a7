import { Aws, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

export interface EventsTopicProps {
  /** Applied to the key. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The topic the relay and the consumers publish every event to. Encrypted with a customer-managed
 * key (rotated yearly) so publishing needs an explicit key grant, TLS-only, and actively traced.
 * Consumers own their subscriptions.
 */
export class EventsTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EventsTopicProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts pipeline events at rest in the events topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: props.removalPolicy,
    });

    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.key,
      enforceSSL: true,
      tracingConfig: sns.TracingConfig.ACTIVE,
    });

    // Active tracing only records SNS segments if X-Ray lets SNS write them: an account-level
    // resource policy, narrowed to this topic (docs: xray/latest/devguide/xray-services-sns.html).
    const stack = Stack.of(this);
    const tracingPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: { 'aws:SourceArn': this.topic.topicArn },
          },
        }),
      ],
    });
    new xray.CfnResourcePolicy(this, 'TracingPolicy', {
      // Unique per account and region, as X-Ray requires.
      policyName: `${Aws.STACK_NAME}-events-topic-tracing`,
      policyDocument: stack.toJsonString(tracingPolicy.toJSON()),
    });
  }
}
