import { localDuplicateDeliveryRate } from '../../../infra/local/local-settings';

describe('localDuplicateDeliveryRate', () => {
  it('delivers no duplicates unless asked to', () => {
    // Act
    const rate = localDuplicateDeliveryRate({});

    // Assess
    expect(rate).toBe(0);
  });

  it('reads LOCAL_SQS_DUPLICATE_RATE', () => {
    // Act
    const rate = localDuplicateDeliveryRate({ LOCAL_SQS_DUPLICATE_RATE: '0.25' });

    // Assess
    expect(rate).toBe(0.25);
  });

  it.each(['-0.1', '1.5', 'often'])('rejects the rate %p', (raw) => {
    // Act
    const reading = () => localDuplicateDeliveryRate({ LOCAL_SQS_DUPLICATE_RATE: raw });

    // Assess
    expect(reading).toThrow('LOCAL_SQS_DUPLICATE_RATE must be in [0, 1]');
  });
});
