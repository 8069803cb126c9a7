import { toLambdaStreamRecord } from '../../../infra/local/runtime/stream-mapping/to-lambda-stream-record';
import { rawStreamRecord, STREAM_ARN } from './stream-fixtures';

describe('toLambdaStreamRecord', () => {
  it('delivers the GetRecords record with the stream as its eventSourceARN', () => {
    // Prepare
    const raw = rawStreamRecord(1);

    // Act
    const record = toLambdaStreamRecord(raw, STREAM_ARN);

    // Assess
    expect(record).toEqual({ ...raw, eventSourceARN: STREAM_ARN });
    expect(record).not.toHaveProperty('userIdentity');
  });

  it("turns DynamoDB Local's TTL delete into the REMOVE by the DynamoDB service that AWS sends", () => {
    // Prepare: DynamoDB Local names a TTL delete UNKNOWN_TO_SDK_VERSION; it carries only the old image.
    const raw = { ...rawStreamRecord(2, { eventName: 'REMOVE' }), eventName: 'UNKNOWN_TO_SDK_VERSION' };

    // Act
    const record = toLambdaStreamRecord(raw, STREAM_ARN);

    // Assess
    expect(record.eventName).toBe('REMOVE');
    expect(record.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(record.dynamodb?.OldImage).toEqual(raw.dynamodb?.OldImage);
  });

  it('leaves a user delete without a userIdentity', () => {
    // Prepare
    const raw = rawStreamRecord(3, { eventName: 'REMOVE' });

    // Act
    const record = toLambdaStreamRecord(raw, STREAM_ARN);

    // Assess
    expect(record.eventName).toBe('REMOVE');
    expect(record).not.toHaveProperty('userIdentity');
  });

  it('passes on an unknown eventName that carries a new image, for the filter to drop', () => {
    // Prepare
    const raw = { ...rawStreamRecord(4, { eventName: 'MODIFY' }), eventName: 'UNKNOWN_TO_SDK_VERSION' };

    // Act
    const record = toLambdaStreamRecord(raw, STREAM_ARN);

    // Assess
    expect(record.eventName).toBe('UNKNOWN_TO_SDK_VERSION');
    expect(record).not.toHaveProperty('userIdentity');
  });

  it("spells the Streams API's userIdentity the way Lambda's event does", () => {
    // Prepare
    const raw = { ...rawStreamRecord(5, { eventName: 'REMOVE' }), userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } };

    // Act
    const record = toLambdaStreamRecord(raw, STREAM_ARN);

    // Assess
    expect(record.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });
});
