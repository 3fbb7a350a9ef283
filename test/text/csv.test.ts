import { csvLine, formatCsv, parseCsv } from '../../server/text/csv.js';

describe('csv', () => {
  it('defuses cells a spreadsheet would run as formulas, and reads them back unchanged', () => {
    const rows = [['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', '\tx', "'=already", 'Nguyễn =A1', '']];
    const text = formatCsv(rows);
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    for (const c of ["'+1", "'-2", "'@SUM(A1)", "''=already"]) expect(text).toContain(c);
    expect(text).toContain('Nguyễn =A1');
    expect(parseCsv(text)).toEqual(rows);
  });

  it('writes one line with quotes where a cell needs them, null as empty', () => {
    expect(csvLine([1, 'a;b', null, 'x"y', undefined, true])).toBe('1,"a;b",,"x""y",,true');
  });
});
