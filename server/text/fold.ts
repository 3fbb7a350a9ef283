/**
 * Folds Vietnamese text for accent-insensitive search: "Đăng ký khai sinh" → "dang ky khai sinh".
 * Stores keep a folded copy of searchable columns and compare folded query text with LIKE,
 * so search behaves the same on the embedded database and on a PostgreSQL server.
 */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes LIKE wildcards so user text matches literally. */
export function likeContains(folded: string): string {
  return `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
