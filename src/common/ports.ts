/** Time and identity, injected so domain code stays pure and tests stay deterministic. */
export type Clock = () => Date;
export type IdGenerator = () => string;

export const systemClock: Clock = () => new Date();

/** Epoch seconds, the unit DynamoDB TTL requires (milliseconds would expire in the year 50,000). */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
