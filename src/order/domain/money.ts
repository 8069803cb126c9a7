/**
 * Money in exact integer minor units. A price arrives as a JSON number in major units (19.99 USD);
 * summing such numbers in floating point drifts (3 × 19.99 = 59.970000000000006), so every amount
 * is converted to an integer count of minor units (1999 cents), summed there, and converted back
 * once. Both conversions are exact: see `toMinorUnits` and `toMajorUnits`.
 */

/** ISO 4217 codes this runtime knows (Node 24 with full ICU lists 162 current codes). */
const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isSupportedCurrency(currency: string): boolean {
  return SUPPORTED_CURRENCIES.has(currency);
}

/** Building an Intl.NumberFormat costs more than the rest of an order's arithmetic: once per currency. */
const MINOR_UNIT_DIGITS = new Map<string, number>();

/**
 * Decimal places of the currency's minor unit. These are CLDR's digits, as the runtime's ICU ships
 * them (USD 2, JPY 0, BHD 3). For a few currencies CLDR deliberately differs from the ISO 4217
 * table (HUF and IDR 0 where ISO says 2, IQD 0 where ISO says 3): prices are checked against what
 * the currency is actually written with.
 */
export function minorUnitDigits(currency: string): number {
  let digits = MINOR_UNIT_DIGITS.get(currency);
  if (digits === undefined) {
    const { maximumFractionDigits } = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions();
    // Always set for the currency style; the type allows undefined for significant-digit formats.
    if (maximumFractionDigits === undefined) throw new RangeError(`No minor unit is known for ${currency}`);
    digits = maximumFractionDigits;
    MINOR_UNIT_DIGITS.set(currency, digits);
  }
  return digits;
}

/**
 * The number of decimal places of `value` as written in JSON. `String(number)` is the shortest
 * decimal that reads back as the same double, which is what the client wrote (19.99 → "19.99",
 * not the double's 19.98999…); exponent forms such as 1e-7 are counted too.
 */
export function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(value).toLowerCase().split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

/**
 * `amount` in minor units. `toFixed(digits)` picks the integer n whose n / 10^digits is nearest to
 * the double (ECMA-262 Number.prototype.toFixed), so with no more decimals than `digits` the result
 * is exactly the amount the client wrote.
 */
export function toMinorUnits(amount: number, digits: number): number {
  if (!Number.isFinite(amount) || amount < 0 || decimalPlaces(amount) > digits) {
    throw new RangeError(`${amount} is not a non-negative amount with at most ${digits} decimal places`);
  }
  const minorUnits = Number(amount.toFixed(digits).replace('.', ''));
  if (!Number.isSafeInteger(minorUnits)) throw new RangeError(`${amount} is too large to be exact in minor units`);
  return minorUnits;
}

/**
 * `minorUnits` in major units. IEEE 754 division is correctly rounded, so 5997 / 100 is the very
 * double that JSON.parse gives for "59.97": the amount serializes back as exactly 59.97.
 */
export function toMajorUnits(minorUnits: number, digits: number): number {
  return minorUnits / 10 ** digits;
}

/** Sum of unit price × quantity over the lines, in minor units. */
export function totalMinorUnits(lines: readonly { readonly price: number; readonly quantity: number }[], digits: number): number {
  const total = lines.reduce((sum, line) => sum + toMinorUnits(line.price, digits) * line.quantity, 0);
  // ORDER_API_LIMITS keep the worst case (100 lines × 10,000 × 1,000,000.000) near 1e15, under 2^53.
  if (!Number.isSafeInteger(total)) throw new RangeError('The order total exceeds the exact integer range');
  return total;
}
