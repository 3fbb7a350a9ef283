/** Registers for print: the tracking register, form 07 (PDF, DOCX, XLSX). */
export { createRegistersRouter } from './router.js';
export { registerRows, registerXlsx, registerDocument, REGISTER_COLUMNS } from './register07.js';
