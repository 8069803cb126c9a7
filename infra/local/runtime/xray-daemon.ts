/**
 * A stand-in for the X-Ray daemon: the UDP endpoint the X-Ray SDK (under Powertools Tracer) sends
 * segment documents to, at `AWS_XRAY_DAEMON_ADDRESS`. On AWS the daemon batches them to
 * `PutTraceSegments`; here each document goes to the local trace store instead.
 *
 * Wire format, one document per datagram: the header `{"format":"json","version":1}`, a newline,
 * and the segment document.
 * (docs: xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon)
 */
import { createSocket, type Socket } from 'node:dgram';
import { isTraceSegmentDocument, type TraceSegmentDocument, type TraceSegmentSink } from './trace-store';

export interface XRayDaemonOptions {
  readonly port: number;
  /** Loopback only by default, like the functions that send to it. */
  readonly host?: string;
  readonly segments: TraceSegmentSink;
  /** Datagrams that are not segment documents; default: stderr. */
  readonly log?: (line: string) => void;
  /**
   * When `port` is taken, listen on a port the OS picks instead of failing (for a default port
   * that another local stack, or a real daemon, may hold; the functions are told the actual one).
   */
  readonly anyPortIfTaken?: boolean;
}

/** The document a daemon datagram carries, or why it carries none. */
export type DaemonMessage =
  | { readonly kind: 'segment'; readonly document: TraceSegmentDocument }
  | { readonly kind: 'invalid'; readonly reason: string };

export function parseDaemonMessage(message: Buffer | string): DaemonMessage {
  const text = message.toString();
  const newline = text.indexOf('\n');
  if (newline === -1) return { kind: 'invalid', reason: 'no header line' };
  let header: unknown;
  let document: unknown;
  try {
    header = JSON.parse(text.slice(0, newline));
    document = JSON.parse(text.slice(newline + 1));
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (typeof header !== 'object' || header === null || !('format' in header) || header.format !== 'json') {
    return { kind: 'invalid', reason: 'the header is not {"format":"json",…}' };
  }
  if (!isTraceSegmentDocument(document)) return { kind: 'invalid', reason: 'not a segment document' };
  return { kind: 'segment', document };
}

export class XRayDaemon {
  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
  ) {}

  static async start(options: XRayDaemonOptions): Promise<XRayDaemon> {
    const host = options.host ?? '127.0.0.1';
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    let socket: Socket;
    try {
      socket = await bound(options.port, host);
    } catch (error) {
      if (options.anyPortIfTaken !== true || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      log(`X-Ray daemon: port ${options.port} is taken; listening on another one`);
      socket = await bound(0, host);
    }
    socket.on('message', (message) => {
      const parsed = parseDaemonMessage(message);
      if (parsed.kind === 'invalid') {
        log(`X-Ray daemon: dropped a datagram (${parsed.reason})`);
        return;
      }
      try {
        options.segments.record(parsed.document);
      } catch (error) {
        // A store that cannot be written loses traces, never the runtime.
        log(`X-Ray daemon: could not record a segment (${String(error)})`);
      }
    });
    socket.on('error', (error) => log(`X-Ray daemon: ${error.message}`));
    return new XRayDaemon(socket, host);
  }

  /** `host:port`, the form `AWS_XRAY_DAEMON_ADDRESS` takes. */
  get address(): string {
    return `${this.host}:${this.socket.address().port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A UDP socket listening on `host:port`; closed again if it cannot listen there. */
function bound(port: number, host: string): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
