import zlib from 'node:zlib';

/**
 * The visible text of a DOCX (`word/document.xml` without its tags), read with Node's zlib only:
 * the zip's central directory gives each entry's offset, size and method (stored or deflated).
 */
export function docxText(docx: Buffer): string {
  let eocd = docx.length - 22;
  while (eocd >= 0 && docx.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const entries = docx.readUInt16LE(eocd + 10);
  let at = docx.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const method = docx.readUInt16LE(at + 10);
    const size = docx.readUInt32LE(at + 20);
    const nameLen = docx.readUInt16LE(at + 28);
    const extraLen = docx.readUInt16LE(at + 30);
    const commentLen = docx.readUInt16LE(at + 32);
    const local = docx.readUInt32LE(at + 42);
    const name = docx.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    if (name === 'word/document.xml') {
      const start = local + 30 + docx.readUInt16LE(local + 26) + docx.readUInt16LE(local + 28);
      const data = docx.subarray(start, start + size);
      const xml = (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
      return xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error('no word/document.xml in the DOCX');
}
