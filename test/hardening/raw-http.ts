// A raw HTTP/1.1 client over net.Socket for what fetch cannot do: a body that stalls, stops
// mid-way, lies about its length, or a second request on the same keep-alive connection.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  write(data: string | Buffer): void;
  /** The next complete response on this connection (Content-Length framed), or undefined on close/timeout. */
  response(timeoutMs?: number): Promise<RawResponse | undefined>;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
}

export function rawConnect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      let buffer = Buffer.alloc(0);
      const waiters: Array<() => void> = [];
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (const w of waiters.splice(0)) w();
      });
      const closed = new Promise<void>((r) => socket.once('close', () => { for (const w of waiters.splice(0)) w(); r(); }));
      socket.on('error', () => undefined);
      const tryParse = (): RawResponse | undefined => {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return undefined;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0].split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return undefined;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        return { status, headers, body };
      };
      resolve({
        socket,
        closed,
        write: (data) => { socket.write(data); },
        response: async (timeoutMs = 5000) => {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const parsed = tryParse();
            if (parsed) return parsed;
            if (socket.destroyed || socket.readableEnded || Date.now() > deadline) return undefined;
            await new Promise<void>((r) => {
              waiters.push(r);
              setTimeout(r, Math.max(1, deadline - Date.now()));
            });
          }
        },
      });
    });
    socket.once('error', reject);
  });
}

export function head(path: string, headers: Record<string, string>): string {
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}
