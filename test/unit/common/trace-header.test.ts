import { formatTraceHeader, parseTraceHeader } from '../../../src/common/trace-header';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

describe('parseTraceHeader', () => {
  it('reads the root, the parent and the sampling decision', () => {
    // Act
    const context = parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);

    // Assess
    expect(context).toEqual({ root: ROOT, parent: '53995c3f42cd8ad8', sampled: true });
  });

  it('accepts fields in any order, with spaces and extra fields such as Lineage', () => {
    // Act
    const context = parseTraceHeader(`Sampled=0; Lineage=a87bd80c:0 ;Parent=53995c3f42cd8ad8; Root=${ROOT}`);

    // Assess
    expect(context).toEqual({ root: ROOT, parent: '53995c3f42cd8ad8', sampled: false });
  });

  it('reads a header with a root only, as SQS may carry it', () => {
    // Act
    const context = parseTraceHeader(`Root=${ROOT}`);

    // Assess
    expect(context).toEqual({ root: ROOT });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a malformed root', 'Root=1-abc;Parent=53995c3f42cd8ad8;Sampled=1'],
    ['no root', 'Parent=53995c3f42cd8ad8;Sampled=1'],
  ])('names no trace for %s', (_case, header) => {
    // Act
    const context = parseTraceHeader(header);

    // Assess
    expect(context).toBeUndefined();
  });

  it('ignores a malformed parent and sampling decision but keeps the trace', () => {
    // Act
    const context = parseTraceHeader(`Root=${ROOT};Parent=xyz;Sampled=yes`);

    // Assess
    expect(context).toEqual({ root: ROOT });
  });
});

describe('formatTraceHeader', () => {
  it('writes the fields in the order X-Ray writes them', () => {
    // Act
    const header = formatTraceHeader({ root: ROOT, parent: '53995c3f42cd8ad8', sampled: true });

    // Assess
    expect(header).toBe(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
  });

  it('leaves out what the context does not have, and reads back what it writes', () => {
    // Prepare
    const context = { root: ROOT, sampled: false };

    // Act
    const header = formatTraceHeader(context);

    // Assess
    expect(header).toBe(`Root=${ROOT};Sampled=0`);
    expect(parseTraceHeader(header)).toEqual(context);
  });
});
