/**
 * RFC 4180 CSV: quoted cells, doubled quotes, CRLF or LF, UTF-8 with an optional BOM
 * (exports carry one so spreadsheet programs keep Vietnamese text intact).
 */
export class CsvSyntaxError extends Error {}

export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  let line = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++;
        if (i < s.length && !',\r\n'.includes(s[i]!)) throw new CsvSyntaxError(`line ${line}: text after a closing quote`);
        continue;
      }
      if (c === '\n') line++;
      cell += c; i++;
      continue;
    }
    if (c === '"') {
      if (cell !== '') throw new CsvSyntaxError(`line ${line}: a quote inside an unquoted cell`);
      quoted = true; i++;
      continue;
    }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      row.push(cell); cell = '';
      rows.push(row); row = [];
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    cell += c; i++;
  }
  if (quoted) throw new CsvSyntaxError(`line ${line}: a quoted cell is not closed`);
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function formatCsv(rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): string {
  const cell = (v: string | number | boolean) => {
    const t = String(v);
    return /[",\r\n]/.test(t) || /^\s|\s$/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return `\ufeff${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
