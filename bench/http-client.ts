import net from 'node:net';

/**
 * One keep-alive HTTP/1.1 connection sending one request at a time, for the load generators that
 * share the machine's two cores with the server they measure: it writes each request as one string
 * and reads answers framed by Content-Length (the server's JSON and its 204s), about a fifth of
 * node:http's client cost per request. Anything else (chunked bodies, a closed connection) is an
 * error, never a silent misreading.
 */
export class HttpConnection {
  private readonly socket: net.Socket;
  private buffered: Buffer | null = null;
  private waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void; what: string } | null = null;
  private readonly prefix: string;

  constructor(base: string, private readonly authorization: string) {
    const url = new URL(base);
    this.prefix = url.pathname.replace(/\/$/, '');
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  /** The answer's JSON (null for an empty body); a status of 300 or more rejects with the body. */
  request<T = unknown>(method: string, path: string, body?: string): Promise<T> {
    if (this.waiting) return Promise.reject(new Error('one request at a time on a connection'));
    const head = `${method} ${this.prefix}${path} HTTP/1.1\r\nHost: bench\r\nAuthorization: ${this.authorization}\r\n`;
    this.socket.write(body === undefined
      ? `${head}\r\n`
      : `${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return new Promise<T>((resolve, reject) => { this.waiting = { resolve: resolve as (v: unknown) => void, reject, what: `${method} ${path}` }; });
  }

  close(): void {
    this.waiting = null;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const buf = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) { this.buffered = buf; return; }
    const head = buf.toString('latin1', 0, end);
    if (/\r\ntransfer-encoding:/i.test(head)) return this.fail(new Error(`a framing this client does not read: ${head}`));
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buf.length < end + 4 + length) { this.buffered = buf; return; }
    if (buf.length > end + 4 + length) return this.fail(new Error('an answer nobody asked for'));
    this.buffered = null;
    const text = buf.toString('utf8', end + 4, end + 4 + length);
    const status = Number(head.slice(9, 12));
    const w = this.waiting;
    this.waiting = null;
    if (!w) return;
    if (status >= 300) w.reject(new Error(`${w.what}: ${status} ${text}`));
    else w.resolve(text ? JSON.parse(text) : null);
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }
}
