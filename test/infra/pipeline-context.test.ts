import { App } from 'aws-cdk-lib';
import { readPipelineContext } from '../../infra/pipeline-context';

const appWith = (context: Record<string, unknown>) => new App({ context });

describe('readPipelineContext', () => {
  it('deploys a disposable demo by default', () => {
    // Act
    const context = readPipelineContext(appWith({}));

    // Assess
    expect(context).toEqual({ retainData: false });
  });

  it.each([
    ['the CLI string', 'true'],
    ['a cdk.json boolean', true],
  ])('retains data when retainData is %s', (_source, value) => {
    // Act
    const context = readPipelineContext(appWith({ retainData: value }));

    // Assess
    expect(context.retainData).toBe(true);
  });

  it('does not retain data for any other retainData value', () => {
    // Act
    const context = readPipelineContext(appWith({ retainData: 'false' }));

    // Assess
    expect(context.retainData).toBe(false);
  });

  it('passes the alarm email through', () => {
    // Act
    const context = readPipelineContext(appWith({ alarmEmail: 'ops@example.com' }));

    // Assess
    expect(context.alarmEmail).toBe('ops@example.com');
  });

  it('rejects an alarm email that is not an address', () => {
    // Act
    const read = () => readPipelineContext(appWith({ alarmEmail: 'ops' }));

    // Assess
    expect(read).toThrow('Context alarmEmail must be an email address');
  });
});
