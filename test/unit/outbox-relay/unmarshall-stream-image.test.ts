import type { AttributeValue } from 'aws-lambda';
import { unmarshallStreamImage } from '../../../src/outbox-relay/adapters/unmarshall-stream-image';

describe('unmarshallStreamImage', () => {
  it('converts every attribute type of a stream image, binaries from base64', () => {
    // Prepare
    const image: Record<string, AttributeValue> = {
      s: { S: 'text' },
      n: { N: '42.5' },
      bool: { BOOL: true },
      nul: { NULL: true },
      map: { M: { inner: { S: 'nested' } } },
      list: { L: [{ N: '1' }, { S: 'two' }] },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2'] },
      b: { B: Buffer.from('bytes').toString('base64') },
      bs: { BS: [Buffer.from('one').toString('base64')] },
    };

    // Act
    const value = unmarshallStreamImage(image);

    // Assess
    expect(value).toEqual({
      s: 'text',
      n: 42.5,
      bool: true,
      nul: null,
      map: { inner: 'nested' },
      list: [1, 'two'],
      ss: new Set(['a', 'b']),
      ns: new Set([1, 2]),
      b: new Uint8Array(Buffer.from('bytes')),
      bs: new Set([new Uint8Array(Buffer.from('one'))]),
    });
  });

  it('rejects a value of no known type', () => {
    // Prepare
    // Parsed, as Lambda's event arrives: JSON can hold what the type cannot.
    const image = JSON.parse('{"broken":{}}') as Record<string, AttributeValue>;

    // Act
    const unmarshalling = (): unknown => unmarshallStreamImage(image);

    // Assess
    expect(unmarshalling).toThrow('Unsupported stream attribute value');
  });
});
