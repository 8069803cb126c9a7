import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_DEFINITIONS, outcomeEventSchema } from '../../src/common/events';
import { contractFileName, PINNED_DIR, publishedShape, SAMPLES_DIR } from './contract-files';

/**
 * Events are APIs between services. Each (type, version) has a pinned published shape and a sample
 * event as a consumer written against that version would have seen it. Changing a pinned shape, or
 * making a schema reject a sample it accepted before, breaks consumers: publish a new version instead
 * (`npm run contracts:pin` pins new versions and never rewrites old ones).
 */
function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function sampleOf(definition: (typeof EVENT_DEFINITIONS)[number]): Record<string, unknown> {
  return readJson(path.join(SAMPLES_DIR, contractFileName(definition))) as Record<string, unknown>;
}

describe.each(EVENT_DEFINITIONS.map((definition) => [contractFileName(definition), definition] as const))(
  'event contract %s',
  (_name, definition) => {
    it('keeps the published shape pinned for this version', () => {
      const pinned = readJson(path.join(PINNED_DIR, contractFileName(definition)));

      expect(publishedShape(definition)).toEqual(pinned);
    });

    it('still accepts the sample a consumer of this version was written against', () => {
      const result = definition.schema.safeParse(sampleOf(definition));

      expect(result.error).toBeUndefined();
      expect(result.data).toEqual(sampleOf(definition));
    });

    it('tolerates an optional field added by a newer producer of the same version', () => {
      const sample = sampleOf(definition);
      const withAddition = { ...sample, addedLater: 'x', data: { ...(sample.data as object), addedLater: 1 } };

      expect(definition.schema.safeParse(withAddition).success).toBe(true);
    });

    it('rejects the sample under another version, so unknown versions go to the DLQ', () => {
      const result = definition.schema.safeParse({ ...sampleOf(definition), eventVersion: '2.0' });

      expect(result.success).toBe(false);
    });

    it.each(['eventId', 'eventType', 'occurredAt', 'correlationId', 'data'])('requires the envelope field %s', (field) => {
      const { [field]: _removed, ...withoutField } = sampleOf(definition);

      expect(definition.schema.safeParse(withoutField).success).toBe(false);
    });
  },
);

describe('the pinned contracts', () => {
  it('has one pinned file and one sample per published version and nothing orphaned', () => {
    const expected = EVENT_DEFINITIONS.map(contractFileName).sort();

    expect(readdirSync(PINNED_DIR).sort()).toEqual(expected);
    expect(readdirSync(SAMPLES_DIR).sort()).toEqual(expected);
  });
});

describe('outcomeEventSchema', () => {
  it('accepts each of the four outcome samples and nothing else', () => {
    const accepted = EVENT_DEFINITIONS.filter((definition) => outcomeEventSchema.safeParse(sampleOf(definition)).success).map(
      (definition) => definition.eventType,
    );

    expect(accepted.sort()).toEqual(['InventoryFailed', 'InventoryReserved', 'PaymentCompleted', 'PaymentFailed']);
  });
});
