import { childTraceHeader, MAX_LINKS_PER_SEGMENT, newTraceRoot, traceLinksOf } from '../../../../infra/local/runtime/trace-header';

describe('childTraceHeader', () => {
  it("continues the caller's trace with a new parent and the caller's sampling decision", () => {
    // Prepare
    const upstream = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

    // Act
    const header = childTraceHeader(upstream);

    // Assess
    expect(header).toMatch(/^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/);
    expect(header).not.toContain('53995c3f42cd8ad8');
  });

  it('starts an unsampled trace of its own without a caller', () => {
    // Act
    const header = childTraceHeader(undefined);

    // Assess
    expect(header).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });
});

describe('newTraceRoot', () => {
  it('starts with the epoch seconds in hexadecimal', () => {
    // Act
    const root = newTraceRoot(Date.UTC(2016, 5, 9, 21, 55, 20));

    // Assess
    expect(root).toMatch(/^1-5759e5c8-[0-9a-f]{24}$/);
  });
});

describe('traceLinksOf', () => {
  it('links each (sub)segment the headers name once, and ignores headers that name none', () => {
    // Prepare
    const producer = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

    // Act
    const links = traceLinksOf([producer, undefined, 'Root=1-5759e988-bd862e3fe1be46a994272793', producer]);

    // Assess
    expect(links).toEqual([{ trace_id: '1-5759e988-bd862e3fe1be46a994272793', id: '53995c3f42cd8ad8' }]);
  });

  it('keeps at most the 20 links X-Ray accepts per segment', () => {
    // Prepare
    const headers = Array.from({ length: 25 }, (_, n) => `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${n.toString(16).padStart(16, '0')}`);

    // Act
    const links = traceLinksOf(headers);

    // Assess
    expect(links).toHaveLength(MAX_LINKS_PER_SEGMENT);
    expect(MAX_LINKS_PER_SEGMENT).toBe(20);
  });
});
