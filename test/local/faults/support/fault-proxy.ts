/**
 * A TCP proxy between the runtime and one emulator, to make the emulator unavailable to the
 * pipeline for a while without touching the emulator itself (the cloud process exits when one of
 * its emulators dies, and the test's own clients keep reading the truth directly).
 *
 * - `forward`: bytes pass both ways.
 * - `refuse`: the emulator is down. Open connections are reset (a request in flight fails with
 *   ECONNRESET) and the port stops listening, so new connections are refused (ECONNREFUSED).
 * - `blackhole`: the emulator hangs. Connections are accepted and kept, nothing is forwarded
 *   either way and nothing is answered (the caller's own timeouts are all that end a request).
 *   Back to `forward`, held connections are closed rather than resumed, as a hung server that
 *   recovers does not answer requests it dropped.
 */
import { createServer, Socket, type Server } from 'node:net';

export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

interface Connection {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Hung: kept open, nothing forwarded. */
  held: boolean;
}

export class FaultProxy {
  private mode: ProxyMode = 'forward';
  private readonly connections = new Set<Connection>();
  private server: Server;

  private constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {
    this.server = this.createServer();
  }

  /** Listens on `port` (loopback) and forwards to `targetPort`. */
  static async start(options: { readonly port: number; readonly targetPort: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(options.port, options.targetPort);
    await proxy.listen();
    return proxy;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  async setMode(mode: ProxyMode): Promise<void> {
    if (mode === this.mode) return;
    const previous = this.mode;
    this.mode = mode;
    if (mode === 'refuse') {
      this.dropAll(true);
      await this.close();
      return;
    }
    if (mode === 'blackhole') {
      for (const connection of this.connections) hold(connection);
      return;
    }
    if (previous === 'refuse') {
      this.server = this.createServer();
      await this.listen();
    } else {
      this.dropAll(false);
    }
  }

  async stop(): Promise<void> {
    this.dropAll(true);
    if (this.mode !== 'refuse') await this.close();
  }

  private createServer(): Server {
    return createServer((client) => this.accept(client));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    const connection: Connection = { client, upstream: undefined, held: false };
    this.connections.add(connection);
    client.once('close', () => this.connections.delete(connection));
    if (this.mode === 'blackhole') {
      hold(connection);
      return;
    }
    const upstream = new Socket();
    connection.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.connect(this.targetPort, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => {
      if (!connection.held) client.destroy();
    });
  }

  /** Ends every connection: with a reset (`refuse`, a crash), or quietly (after a hang). */
  private dropAll(reset: boolean): void {
    for (const { client, upstream } of this.connections) {
      if (reset) client.resetAndDestroy();
      else client.destroy();
      upstream?.destroy();
    }
    this.connections.clear();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The caller's bytes are read and dropped; the emulator's side is cut; nothing is ever answered. */
function hold(connection: Connection): void {
  connection.held = true;
  if (connection.upstream !== undefined) {
    connection.client.unpipe(connection.upstream);
    connection.upstream.unpipe(connection.client);
    connection.upstream.destroy();
  }
  connection.client.resume();
}
