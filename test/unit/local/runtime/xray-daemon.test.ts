import { parseDaemonMessage } from '../../../../infra/local/runtime/xray-daemon';

const HEADER = '{"format":"json","version":1}';
const DOCUMENT = { id: '70de5b6f19ff9a0a', trace_id: '1-581cf771-a006649127e371903a2de979', name: 'Scorekeep', start_time: 1478293361.271 };

describe('parseDaemonMessage', () => {
  it('reads the segment document after the protocol header, as the X-Ray SDK sends it', () => {
    // Act
    const message = parseDaemonMessage(Buffer.from(`${HEADER}\n${JSON.stringify(DOCUMENT)}`));

    // Assess
    expect(message).toEqual({ kind: 'segment', document: DOCUMENT });
  });

  it('reads a subsegment sent on its own', () => {
    // Prepare
    const subsegment = { ...DOCUMENT, type: 'subsegment', parent_id: '53995c3f42cd8ad8' };

    // Act
    const message = parseDaemonMessage(`${HEADER}\n${JSON.stringify(subsegment)}`);

    // Assess
    expect(message).toEqual({ kind: 'segment', document: subsegment });
  });

  it.each([
    ['no header line', JSON.stringify(DOCUMENT)],
    ['a header of another format', `{"format":"binary","version":1}\n${JSON.stringify(DOCUMENT)}`],
    ['a document that is not JSON', `${HEADER}\n{"id":`],
    ['a document without a trace id', `${HEADER}\n${JSON.stringify({ ...DOCUMENT, trace_id: undefined })}`],
  ])('refuses a datagram with %s', (_case, datagram) => {
    // Act
    const message = parseDaemonMessage(datagram);

    // Assess
    expect(message.kind).toBe('invalid');
  });
});
