import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient, failureReason } from '../../../bench/http-client';

describe('the bench HTTP client', () => {
  it('labels a request the server hung up on with the socket error, not just "Error"', async () => {
    // Prepare: a server that drops every connection without answering
    const server = http.createServer((request) => request.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = createHttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);

    try {
      // Act
      const error = await client.request('POST', '/orders', {}, '{}').then(
        () => undefined,
        (rejection: unknown) => rejection,
      );

      // Assess
      expect(failureReason(error)).toBe('ECONNRESET: socket hang up');
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
