import { decimalPlaces, minorUnitDigits, toMajorUnits, toMinorUnits, totalMinorUnits } from '../../../src/order/domain/money';

describe('minorUnitDigits', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['KWD', 3],
  ])('gives %s %i decimal places', (currency, digits) => {
    // Act
    const result = minorUnitDigits(currency);

    // Assess
    expect(result).toBe(digits);
  });
});

describe('decimalPlaces', () => {
  it.each([
    [850, 0],
    [19.99, 2],
    [19.999, 3],
    [0.1, 1],
    [1e-7, 7],
    [1.5e-7, 8],
    [100.5, 1],
  ])('counts %p as written with %i decimals', (value, places) => {
    // Act
    const result = decimalPlaces(value);

    // Assess
    expect(result).toBe(places);
  });
});

describe('toMinorUnits', () => {
  it('converts every cent amount from 0.00 to 1,000.00 exactly', () => {
    // Prepare
    const mismatches: number[] = [];

    // Act
    for (let cents = 0; cents <= 100_000; cents += 1) {
      if (toMinorUnits(cents / 100, 2) !== cents) mismatches.push(cents);
    }

    // Assess
    expect(mismatches).toEqual([]);
  });

  it('converts three-decimal amounts at the top of the price range exactly', () => {
    // Prepare
    const mismatches: number[] = [];

    // Act
    for (let fils = 999_950_000; fils <= 1_000_000_000; fils += 1) {
      if (toMinorUnits(fils / 1000, 3) !== fils) mismatches.push(fils);
    }

    // Assess
    expect(mismatches).toEqual([]);
  });

  it('rejects an amount with more decimals than the currency has', () => {
    // Act
    const convert = () => toMinorUnits(19.999, 2);

    // Assess
    expect(convert).toThrow(RangeError);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %p', (amount) => {
    // Act
    const convert = () => toMinorUnits(amount, 2);

    // Assess
    expect(convert).toThrow(RangeError);
  });
});

describe('totalMinorUnits', () => {
  it('totals 3 × 19.99 USD as exactly 59.97', () => {
    // Prepare
    const lines = [{ price: 19.99, quantity: 3 }];
    const digits = minorUnitDigits('USD');

    // Act
    const total = totalMinorUnits(lines, digits);

    // Assess
    expect(total).toBe(5997);
    expect(toMajorUnits(total, digits)).toBe(59.97);
    expect(JSON.stringify(toMajorUnits(total, digits))).toBe('59.97');
  });

  it('totals 3 × 1.10 USD as exactly 3.30, where floating point gives 3.3000000000000003', () => {
    // Prepare
    const lines = [{ price: 1.1, quantity: 3 }];

    // Act
    const total = totalMinorUnits(lines, 2);

    // Assess
    expect(1.1 * 3).not.toBe(3.3);
    expect(total).toBe(330);
    expect(toMajorUnits(total, 2)).toBe(3.3);
  });

  it('totals the seed order (1 × 850 + 2 × 25 USD) as 900', () => {
    // Prepare
    const lines = [
      { price: 850, quantity: 1 },
      { price: 25, quantity: 2 },
    ];

    // Act
    const total = totalMinorUnits(lines, 2);

    // Assess
    expect(total).toBe(90_000);
    expect(toMajorUnits(total, 2)).toBe(900);
  });

  it('totals JPY, which has no minor unit, in whole yen', () => {
    // Prepare
    const lines = [
      { price: 1999, quantity: 3 },
      { price: 1, quantity: 7 },
    ];
    const digits = minorUnitDigits('JPY');

    // Act
    const total = totalMinorUnits(lines, digits);

    // Assess
    expect(total).toBe(6004);
    expect(toMajorUnits(total, digits)).toBe(6004);
  });

  it('totals BHD in fils, three decimals, exactly (0.1 + 0.2 is 0.3)', () => {
    // Prepare
    const lines = [
      { price: 0.1, quantity: 1 },
      { price: 0.2, quantity: 1 },
      { price: 1.005, quantity: 3 },
    ];
    const digits = minorUnitDigits('BHD');

    // Act
    const total = totalMinorUnits(lines, digits);

    // Assess
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(total).toBe(3315);
    expect(toMajorUnits(total, digits)).toBe(3.315);
  });

  it('stays exact at the largest order the API limits allow', () => {
    // Prepare: 100 lines × 10,000 × 999,999.999 BHD.
    const lines = Array.from({ length: 100 }, () => ({ price: 999_999.999, quantity: 10_000 }));

    // Act
    const total = totalMinorUnits(lines, 3);

    // Assess
    expect(total).toBe(999_999_999 * 10_000 * 100);
    expect(Number.isSafeInteger(total)).toBe(true);
  });
});
