import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthesizePipeline, type SynthesizedPipeline } from './synthesize-pipeline';

let pipeline: SynthesizedPipeline;

beforeAll(() => {
  pipeline = synthesizePipeline();
});

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every `Validations.acknowledge()` recorded in the tree, where it was recorded. */
function acknowledgementsUnder(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib records rule ids without a known plugin prefix as annotation rules.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing that is not acknowledged', () => {
    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(pipeline.app);

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('fails the synth when a finding is not acknowledged', () => {
    // Prepare: the app as infra/app.ts wires it, plus a queue with neither DLQ, SSE nor TLS
    const { app, stack } = synthesizePipeline();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new sqs.Queue(stack, 'Unchecked', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    // Act
    const synth = () => app.synth({ force: true });

    // Assess
    expect(synth).toThrow(/AwsSolutions-SQS[234]/);
  });

  it('acknowledges each finding with a written reason', () => {
    // Act
    const acknowledgements = acknowledgementsUnder(pipeline.stack);

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(reason.length).toBeGreaterThan(60);
    }
  });

  it('acknowledges on the constructs concerned, never for the whole stack', () => {
    // Act
    const acknowledgements = acknowledgementsUnder(pipeline.stack);

    // Assess
    expect(acknowledgements.filter(({ path }) => path === Stack.of(pipeline.stack).node.path)).toEqual([]);
    expect(acknowledgements.filter(({ id }) => id === 'AwsSolutions-IAM5')).toEqual([]);
  });

  it('leaves no CDK warning or error on the stack', () => {
    // Act
    const annotations = Annotations.fromStack(pipeline.stack);

    // Assess
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});
