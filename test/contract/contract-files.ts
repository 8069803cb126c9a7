import path from 'node:path';
import { z } from 'zod';
import { EVENT_DEFINITIONS } from '../../src/common/events';

export type EventDefinition = (typeof EVENT_DEFINITIONS)[number];

export const PINNED_DIR = path.join(__dirname, 'pinned');
export const SAMPLES_DIR = path.join(__dirname, 'samples');

/** `OrderCreated.v1.0.json`: one file per published (type, version). */
export function contractFileName(definition: Pick<EventDefinition, 'eventType' | 'eventVersion'>): string {
  return `${definition.eventType}.v${definition.eventVersion}.json`;
}

/** The published shape of a contract, as JSON Schema: what the pinned files hold. */
export function publishedShape(definition: EventDefinition): unknown {
  return z.toJSONSchema(definition.schema, { io: 'input' });
}
