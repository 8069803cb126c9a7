import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue } from 'aws-lambda';

/**
 * A stream record's image as plain JavaScript. The Lambda event carries images in the Streams JSON
 * form, whose binaries are base64 strings, while `unmarshall` takes the SDK's `AttributeValue`
 * (binaries as bytes): the two types differ, so each value is converted rather than cast.
 * Throws on a value of no known type.
 */
export function unmarshallStreamImage(image: Record<string, StreamAttributeValue>): Record<string, unknown> {
  return unmarshall(toSdkMap(image));
}

function toSdkMap(map: Record<string, StreamAttributeValue>): Record<string, SdkAttributeValue> {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, toSdkAttributeValue(value)]));
}

function toSdkAttributeValue(value: StreamAttributeValue): SdkAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.M !== undefined) return { M: toSdkMap(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttributeValue) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((binary) => Buffer.from(binary, 'base64')) };
  throw new TypeError(`Unsupported stream attribute value: ${JSON.stringify(value)}`);
}
