/**
 * The CDK app (`cdk.json` runs it with tsx). The stack is environment-agnostic, so `cdk synth`
 * needs no account, credentials or network.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderPipelineStack } from './order-pipeline-stack';
import { readPipelineContext } from './pipeline-context';

const app = new App();

const stack = new OrderPipelineStack(app, 'OrderPipelineStack', {
  description: 'Transactional-outbox, event-driven order pipeline (reference implementation)',
  ...readPipelineContext(app),
});
Tags.of(stack).add('project', 'outbox-order-pipeline');

// cdk-nag 3 is a policy-validation plugin (it replaced the v2 Aspect): an unacknowledged finding
// fails the synth. Acknowledgements live next to the constructs they concern, with their reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
