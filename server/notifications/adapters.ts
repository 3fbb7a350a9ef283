import nodemailer from 'nodemailer';

/** One message to one address on one channel. */
interface OutgoingMessage {
  to: string;
  subject: string;
  body: string;
}

/** What every delivery channel implements (email, SMS; the in-platform bell is written by the service). */
export interface NotificationAdapter {
  readonly channel: 'email' | 'sms';
  send(msg: OutgoingMessage): Promise<void>;
  close?(): Promise<void>;
}

/** Email through SMTP (`SMTP_URL`, e.g. `smtp://user:pass@mail.example.vn:587`). */
export function createEmailAdapter(opts: { smtpUrl: string; from: string }): NotificationAdapter {
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    channel: 'email',
    async send(msg) {
      await transport.sendMail({ from: opts.from, to: msg.to, subject: msg.subject, text: msg.body, textEncoding: 'base64' });
    },
    async close() { transport.close(); },
  };
}

/**
 * SMS through an HTTP gateway: `POST <url>` with `{to, text}` and `Authorization: Bearer <key>`;
 * any 2xx is delivered, anything else an error (retried by the caller).
 */
export function createSmsAdapter(opts: { url: string; key: string; timeoutMs?: number }): NotificationAdapter {
  return {
    channel: 'sms',
    async send(msg) {
      const res = await fetch(opts.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${opts.key}` },
        body: JSON.stringify({ to: msg.to, text: `${msg.subject}. ${msg.body}` }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
    },
  };
}
