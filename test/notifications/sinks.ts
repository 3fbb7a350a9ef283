import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail { to: string[]; subject: string; text: string }

/** A real SMTP server in this process; it keeps every message it receives. */
export async function startSmtpSink(): Promise<{ url: string; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      simpleParser(stream).then((m) => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: m.subject ?? '', text: m.text ?? '' });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((r) => server.close(() => r())) };
}

export interface SmsStub { url: string; key: string; messages: Array<{ to: string; text: string }>; failing: boolean; close(): Promise<void> }

/** An HTTP SMS gateway stub: checks the key, records messages; `failing` makes it answer 503. */
export async function startSmsStub(): Promise<SmsStub> {
  const stub = { messages: [] as Array<{ to: string; text: string }>, failing: false, key: 'test-sms-key' } as SmsStub;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${stub.key}`) { res.writeHead(401).end(); return; }
      if (stub.failing) { res.writeHead(503).end(); return; }
      stub.messages.push(JSON.parse(body));
      res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  stub.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return stub;
}
