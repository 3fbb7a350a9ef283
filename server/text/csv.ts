/**
 * The one CSV reader and writer. RFC 4180: quoted cells, doubled quotes, CRLF or LF, UTF-8 with an optional BOM
 * (exports carry one so spreadsheet programs keep Vietnamese text intact).
 *
 * Formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
 * by spreadsheet programs (`=HYPERLINK(…)` planted in a name). The writer prefixes such a cell with `'`; the reader
 * removes that one quote again, so exports still round-trip through imports.
 */
export class CsvSyntaxError extends Error {
  constructor(readonly kind: 'textAfterQuote' | 'quoteInCell' | 'unclosedQuote', readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

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
        if (i < s.length && !',\r\n'.includes(s[i]!)) throw new CsvSyntaxError('textAfterQuote', line, 'text after a closing quote');
        continue;
      }
      if (c === '\n') line++;
      cell += c; i++;
      continue;
    }
    if (c === '"') {
      if (cell !== '') throw new CsvSyntaxError('quoteInCell', line, 'a quote inside an unquoted cell');
      quoted = true; i++;
      continue;
    }
    if (c === ',') { row.push(unguard(cell)); cell = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      row.push(unguard(cell)); cell = '';
      rows.push(row); row = [];
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    cell += c; i++;
  }
  if (quoted) throw new CsvSyntaxError('unclosedQuote', line, 'a quoted cell is not closed');
  if (cell !== '' || row.length) { row.push(unguard(cell)); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const FORMULA = /^'*[=+\-@\t\r]/;

/** A cell as text, defused if a spreadsheet would read it as a formula. */
function guard(text: string): string {
  return FORMULA.test(text) ? `'${text}` : text;
}

function unguard(text: string): string {
  return text.startsWith("'") && FORMULA.test(text) ? text.slice(1) : text;
}

/** One CSV line (no line break), formula-guarded. */
export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return cells.map((v) => {
    const t = guard(v === null || v === undefined ? '' : String(v));
    return /[",;\r\n]/.test(t) || /^\s|\s$/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  }).join(',');
}

/** A whole CSV document: BOM, CRLF line ends. */
export function formatCsv(rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>): string {
  return `\ufeff${rows.map(csvLine).join('\r\n')}\r\n`;
}
